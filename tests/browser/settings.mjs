// Per-host settings and the dual-stack client settings in Debian's
// chromium (issue #16): with update-name set, the curl settings use
// update4.* with curl -4 and update6.* with curl -6, and running both
// copied lines sets A and AAAA; the dynzone-update settings are there; on
// the host's page the TTL and the wildcard are saved (DNS answers with
// them), an IPv6 address set by hand shows its prefix and interface
// parts, "use my current address" takes the browser's address, and a bad
// address is refused on the page.
//
// Run by tests/api/browser_settings.sh, which starts the server.  Prints
// "ok - what" / "not ok - what" / "# note" lines.  Environment: DZ_URL,
// DZ_ZONE, DZ_DNS_PORT, DZ_PROFILE.
import { execFileSync } from 'node:child_process';
import { failures, launch, ok, waitFor } from './lib.mjs';

const url = process.env.DZ_URL;
const zone = process.env.DZ_ZONE;
const dnsPort = process.env.DZ_DNS_PORT;
const host = 'box.' + zone;
function run(cmd, args) {
	try {
		return execFileSync(cmd, args, { encoding: 'utf8', timeout: 15000 }).replace(/\s+/g, ' ').trim();
	} catch (e) {
		return 'exit ' + e.status + ': ' + (e.stdout || '') + (e.stderr || '');
	}
}
const sh = (line) => run('bash', ['-c', line + ' -s']);
// dig NAME TYPE: "TTL VALUE" lines of the answer, sorted
const dig = (name, type) => run('bash', ['-c', 'dig @127.0.0.1 -p ' + dnsPort +
	' +noall +answer ' + name + ' ' + type + " | awk '{print $2, $5}' | sort"]);

const ctx = await launch(process.env.DZ_PROFILE, { viewport: { width: 1200, height: 900 } });
const page = ctx.pages()[0] || await ctx.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => {
	// the 401 of /me before log-in and the 422 of the bad address are expected
	if (m.type() === 'error' && !/status of (401|422)/.test(m.text())) errors.push(m.text());
});

try {
	await page.goto(url + '/');
	await page.getByRole('link', { name: 'Sign up' }).click();
	const signup = page.locator('#signup-form');
	await signup.getByLabel('User name').fill('dave');
	await signup.getByLabel('Password', { exact: true }).fill('dave-password-123');
	await signup.getByRole('button', { name: 'Create account' }).click();
	await page.getByRole('heading', { name: 'Your hosts' }).waitFor();
	await page.locator('#add-name').fill('box');
	await page.keyboard.press('Enter');
	const panel = page.locator('.token-panel');
	await panel.waitFor();
	const token = (await panel.locator('.token-value').textContent()).trim();

	// --- the client settings use the update names -----------------------------
	const port = new URL(url).port;
	const tabs = await panel.getByRole('tab').allTextContents();
	ok(['curl', 'dynzone-update', 'ddclient', 'inadyn', 'FRITZ!Box', 'OpenWrt'].every((t) => tabs.includes(t)),
		'settings for curl, dynzone-update, ddclient, inadyn, FRITZ!Box and OpenWrt', tabs.join(', '));
	const curl = await panel.locator('pre[data-client="curl"]').first().textContent();
	const lines = curl.split('\n');
	ok(lines.length === 2 && lines[0].startsWith('curl -4 ') && lines[0].includes('//update4.' + zone + ':' + port + '/') &&
		lines[1].startsWith('curl -6 ') && lines[1].includes('//update6.' + zone + ':' + port + '/'),
		'curl: -4 via update4, -6 via update6', curl);
	const r4 = sh(lines[0]), r6 = sh(lines[1]);
	ok(r4 === 'good 127.0.0.1' && r6 === 'good 127.0.0.1,::1', 'running both lines sets both families', r4 + ' | ' + r6);
	ok(dig(host, 'A').endsWith('127.0.0.1') && dig(host, 'AAAA').endsWith('::1'), 'DNS has the A and the AAAA');
	await panel.getByRole('tab', { name: 'dynzone-update' }).click();
	const du = await panel.locator('pre[data-client="dynzone-update"]').textContent();
	ok(du.includes('server = http://update.' + zone + ':' + port) && du.includes('[host ' + host + ']') &&
		du.includes('token = ' + token) && du.includes('lan-prefix'), 'the dynzone-update settings', du);
	await panel.getByRole('tab', { name: 'inadyn' }).click();
	const ina = await panel.locator('pre[data-client="inadyn"]').textContent();
	ok(ina.includes('ddns-server    = update4.' + zone) && ina.includes('ddns-server    = update6.' + zone) &&
		ina.includes('allow-ipv6 = true'), 'inadyn: one section per family', ina);
	await panel.getByRole('tab', { name: 'OpenWrt' }).click();
	const owrt = await panel.locator('pre[data-client="openwrt"]').first().textContent();
	ok(owrt.includes('@update4.' + zone) && owrt.includes('@update6.' + zone), 'OpenWrt: v4 via update4, v6 via update6');
	const hotplug = await panel.locator('pre[data-client="openwrt"]').nth(1).textContent();
	ok(hotplug.includes('ip6lanprefix=$addr/$mask') && hotplug.includes("--user='" + host + "'"),
		'OpenWrt: a hotplug script sends the LAN prefix for prefix hosts', hotplug);
	await panel.getByRole('tab', { name: 'FRITZ!Box' }).click();
	const fritz = await panel.locator('.tabpanel:not([hidden])').textContent();
	ok(fritz.includes('//update.' + zone + ':' + port + '/nic/update?hostname=<domain>&myip=<ipaddr>,<ip6addr>&ip6lanprefix=<ip6lanprefix>'),
		'FRITZ!Box: both families and the LAN prefix via the update name', fritz);
	await page.getByRole('button', { name: 'Done, I saved it' }).click();

	// --- the host's settings ----------------------------------------------------
	await page.locator('#hosts li[data-host="' + host + '"] .host-name').click();
	const form = page.locator('#settings-form');
	await form.waitFor();
	await waitFor(async () => (await form.getByLabel('IPv6 address').inputValue()) === '::1', 5000);
	await form.getByLabel('TTL (seconds)').fill('300');
	await form.getByLabel(/wildcard/).check();
	await form.getByLabel('IPv6 address').fill('2001:db8:1:2:211:22ff:fe33:4455');
	await form.getByRole('button', { name: 'Save settings' }).click();
	await page.locator('#flash', { hasText: 'saved' }).waitFor();
	ok(dig(host, 'AAAA') === '300 2001:db8:1:2:211:22ff:fe33:4455', 'TTL and the IPv6 address set by hand are served', dig(host, 'AAAA'));
	ok(dig('www.' + host, 'A') === '300 127.0.0.1', 'the wildcard answers below the host', dig('www.' + host, 'A'));
	const v6 = page.locator('#host-values .v6-prefix');
	await v6.waitFor();
	const values = (await v6.textContent()) + '|' + (await page.locator('#host-values .v6-iid').textContent());
	ok(values === '2001:db8:1:2|:211:22ff:fe33:4455',
		'the IPv6 address is shown as prefix and interface part', values);
	ok(await waitFor(async () => (await page.locator('#history li').count()) >= 1 &&
		(await page.locator('#history').textContent()).includes('dashboard'), 5000),
		'the change by hand is in the history');

	await form.getByLabel('IPv4 address').fill('300.1.2.3');
	await form.getByRole('button', { name: 'Save settings' }).click();
	await page.locator('#settings-error').waitFor();
	ok(/IPv4/.test(await page.locator('#settings-error').textContent()), 'a bad address is refused on the page');
	ok(dig(host, 'A') === '300 127.0.0.1', 'and nothing changed');

	await form.getByLabel('IPv4 address').fill('192.0.2.9');
	await form.getByRole('button', { name: 'Save settings' }).click();
	ok(await waitFor(async () => dig(host, 'A') === '300 192.0.2.9', 5000), 'an IPv4 address set by hand is served');
	// "use my current address": the browser came over IPv4 from 127.0.0.1
	await page.getByRole('button', { name: 'Use my current address' }).click();
	ok(await waitFor(async () => (await form.getByLabel('IPv4 address').inputValue()) === '127.0.0.1', 5000),
		'use my current address fills the IPv4 address');
	ok(dig(host, 'A') === '300 127.0.0.1', 'and DNS serves it');

	await form.getByLabel(/wildcard/).uncheck();
	await form.getByRole('button', { name: 'Save settings' }).click();
	ok(await waitFor(async () => dig('www.' + host, 'A') === '', 5000), 'the wildcard is removed');
	ok(errors.length === 0, 'no script errors on the page', errors.join('\n'));
} catch (e) {
	ok(false, 'the browser run went through', e.stack || String(e));
} finally {
	await ctx.close();
}
process.exit(failures() ? 1 : 0);
