// Prefix hosts in the dashboard (issue #16), in Debian's chromium driven by
// playwright-core: sign up, add a router, add a host that follows its
// prefix, update the router with curl (the FRITZ!Box template, unencoded)
// and see the follower's address appear under the router without a
// reload, see it move with a new prefix, change its interface identifier
// on its page, and stop following.
//
// Run by tests/api/browser_prefix.sh, which starts the server.  Prints
// "ok - what" / "not ok - what" / "# note" lines.  Environment: DZ_URL,
// DZ_ZONE, DZ_ARTEFACTS (screenshots), DZ_PROFILE (a fresh profile).
import { execFileSync } from 'node:child_process';
import { failures, launch, ok, waitFor } from './lib.mjs';

const url = process.env.DZ_URL;
const zone = process.env.DZ_ZONE || 'dyn.localhost';
const artefacts = process.env.DZ_ARTEFACTS;
const router = 'router.' + zone;
const nas = 'nas.' + zone;

// The router's update as a FRITZ!Box sends it: values unencoded.
function routerUpdate(token, prefix) {
	const q = 'hostname=' + router + '&myip=192.0.2.1,2001:db8:ffff::1&ip6lanprefix=' + prefix;
	try {
		return execFileSync('curl', ['-s', '--path-as-is', '-u', router + ':' + token,
			url + '/nic/update?' + q], { encoding: 'utf8', timeout: 15000 }).trim();
	} catch (e) {
		return 'exit ' + e.status;
	}
}

const ctx = await launch(process.env.DZ_PROFILE);
const page = ctx.pages()[0] || await ctx.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
// expected: the 401 of /me before sign-up, the 422 of the refused length
page.on('console', (m) => {
	const expected = /status of 401/.test(m.text()) ||
		(/status of 422/.test(m.text()) && /\/api\/v1\/hosts\/nas\./.test(m.location().url));
	if (m.type() === 'error' && !expected) errors.push(m.text());
});
page.on('dialog', (d) => d.accept());

try {
	await page.goto(url + '/#/signup');
	const signup = page.locator('#signup-form');
	await signup.getByLabel('User name').fill('erin');
	await signup.getByLabel('Password', { exact: true }).fill('erin password 123');
	await signup.getByRole('button', { name: 'Create account' }).click();
	await page.getByRole('heading', { name: 'Your hosts' }).waitFor();

	// --- a router, then a host following its prefix -----------------------
	await page.locator('#add-name').fill('router');
	await page.locator('#add-form').getByRole('button', { name: 'Add host' }).click();
	const panel = page.locator('.token-panel');
	await panel.waitFor();
	const token = (await panel.locator('.token-value').textContent()).trim();
	await panel.getByRole('button', { name: 'Done, I saved it' }).click();
	await page.locator('#add-follow summary').click();
	await page.locator('#add-name').fill('nas');
	await page.locator('#add-form').getByLabel('Follows the prefix of').selectOption(router);
	await page.locator('#add-form').getByLabel('Interface identifier').fill('::11:22ff:fe33:4455');
	await page.locator('#add-form').getByRole('button', { name: 'Add host' }).click();
	await page.locator('#hosts li[data-host="' + nas + '"]').waitFor();
	const order = await page.locator('#hosts li').evaluateAll((l) => l.map((e) => e.dataset.host));
	ok(order.indexOf(nas) === order.indexOf(router) + 1, 'the follower is listed right under its router', order.join(' '));
	const card = page.locator('#hosts li[data-host="' + nas + '"]');
	ok(await card.evaluate((e) => e.classList.contains('follower')), 'and marked as a follower');
	ok((await card.locator('.follows').textContent()).includes(router + ' · interface ::11:22ff:fe33:4455'),
		'its card names the router and the interface identifier');
	ok((await card.locator('.v6').textContent()) === 'none', 'no address before the router sends a prefix');

	// --- the router's update moves it, on the page by itself ----------------
	await page.evaluate(() => { window.__noReload = 1; });
	const out = routerUpdate(token, '2001:db8:1:2::/64');
	ok(out === 'good 192.0.2.1,2001:db8:ffff::1', 'the router update with the FRITZ!Box template is good', out);
	const want = '2001:db8:1:2:11:22ff:fe33:4455';
	ok(await waitFor(async () => (await card.locator('.v6').textContent()) === want, 10000),
		'the follower\'s address appears on the page after the router update', await card.locator('.v6').textContent());
	ok(await page.evaluate(() => window.__noReload === 1), 'without a reload');
	ok((await card.locator('.v6-prefix').textContent()) === '2001:db8:1:2' &&
		(await card.locator('.v6-iid').textContent()) === ':11:22ff:fe33:4455',
		'the address is shown as prefix and interface part');
	const rcard = page.locator('#hosts li[data-host="' + router + '"]');
	ok((await rcard.locator('.lan').textContent()) === '2001:db8:1:2::/64', 'the router card shows its LAN prefix');
	routerUpdate(token, '2001:db8:9:8::/64');
	ok(await waitFor(async () => (await card.locator('.v6').textContent()) === '2001:db8:9:8:11:22ff:fe33:4455', 10000),
		'a new prefix moves the follower on the page');
	if (artefacts) await page.screenshot({ path: artefacts + '/prefix-hosts.png', fullPage: true });

	// --- change it on its page, then stop following ------------------------
	await card.locator('.host-name').click();
	// the form is filled once the host's data is in
	ok(await waitFor(async () => (await page.locator('#follow-router').inputValue()) === router, 10000),
		'the host page shows whom it follows');
	await page.locator('#follow-iid').fill('::abcd');
	await page.locator('#follow-form').getByRole('button', { name: 'Save' }).click();
	ok(await waitFor(async () => (await page.locator('#host-values').textContent()).includes('2001:db8:9:8::abcd'), 10000),
		'a new interface identifier moves the address at once');
	await page.locator('#follow-plen').fill('56');
	await page.locator('#follow-form').getByRole('button', { name: 'Save' }).click();
	await page.locator('#follow-error').waitFor();
	ok(/differs from the router/.test(await page.locator('#follow-error').textContent()),
		'a wrong prefix length is refused on the page with why');
	await page.locator('#follow-plen').fill('64');
	await page.getByRole('button', { name: 'Stop following' }).click();
	ok(await waitFor(async () => !(await page.locator('#host-values').textContent()).includes('Follows'), 10000),
		'stop following drops the link');
	ok((await page.locator('#host-values').textContent()).includes('2001:db8:9:8::abcd'), 'and keeps the address');
	ok(errors.length === 0, 'no script errors on the page', errors.join('\n'));
} catch (e) {
	ok(false, 'the browser steps ran', e.stack || String(e));
	if (artefacts) await page.screenshot({ path: artefacts + '/prefix-failure.png', fullPage: true }).catch(() => {});
} finally {
	await ctx.close();
}
process.exit(failures() ? 1 : 0);
