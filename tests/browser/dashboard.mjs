// The dashboard in Debian's chromium, driven by playwright-core: sign up,
// log in, add a host, copy its token and curl line with the page's copy
// buttons, update with that curl line, watch the address appear without a
// reload, rotate the token and see the old one refused, the history, a
// password change, the admin page, a phone-sized screen and the keyboard.
//
// Run by tests/api/browser_dashboard.sh, which starts the server.
// Prints "ok - what" / "not ok - what" / "# note" lines; the wrapper
// numbers them.  Environment: DZ_URL (http://127.0.0.1:PORT), DZ_ZONE,
// DZ_ADMIN_USER, DZ_ADMIN_PASSWORD, DZ_ARTEFACTS (directory for
// screenshots), DZ_PROFILE (a fresh chromium profile directory).
import { execFileSync } from 'node:child_process';
import { failures, launch, ok, waitFor } from './lib.mjs';

const url = process.env.DZ_URL;
const zone = process.env.DZ_ZONE || 'dyn.localhost';
const artefacts = process.env.DZ_ARTEFACTS;
const profile = process.env.DZ_PROFILE;
const user = 'carol';
const password = 'correct horse battery';
const host = 'myhome.' + zone;

// Run a shell line the page gave us (a curl command) and return its output.
function sh(line) {
	try {
		const out = execFileSync('bash', ['-c', line + ' -s -w " %{http_code}"'], { encoding: 'utf8', timeout: 15000 });
		return out.replace(/\s+/g, ' ').trim();
	} catch (e) {
		return 'exit ' + e.status + ': ' + (e.stdout || '') + (e.stderr || '');
	}
}

async function clipboard(page) {
	return page.evaluate(() => navigator.clipboard.readText());
}

const ctx = await launch(profile, { deviceScaleFactor: 1 });
await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
const page = ctx.pages()[0] || await ctx.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
// the page asks /api/v1/me before anyone has logged in: that 401 is
// expected, and so is the 403 of the password change tried with a wrong
// current password
page.on('console', (m) => {
	const expected = /status of 401/.test(m.text()) ||
		(/status of 403/.test(m.text()) && /\/api\/v1\/me\/password$/.test(m.location().url));
	if (m.type() === 'error' && !expected) errors.push(m.text());
});
page.on('dialog', (d) => d.accept());

try {
	// --- sign up ---------------------------------------------------------
	await page.goto(url + '/');
	await page.locator('#login-form').waitFor();
	ok(await page.locator('#login-form').isVisible(), 'a new visitor sees the log-in form');
	await page.getByRole('link', { name: 'Sign up' }).click();
	const signup = page.locator('#signup-form');
	await signup.getByLabel('User name').fill(user);
	await signup.getByLabel('Password', { exact: true }).fill(password);
	await signup.getByRole('button', { name: 'Create account' }).click();
	await page.getByRole('heading', { name: 'Your hosts' }).waitFor();
	ok(true, 'sign-up leads to the host list');
	ok((await page.locator('#who').textContent()) === user, 'the page shows who is logged in');

	// --- log out and in ----------------------------------------------------
	await page.getByRole('button', { name: 'Log out' }).click();
	await page.locator('#login-form').waitFor();
	ok(await page.locator('#login-form').isVisible(), 'log-out returns to the log-in form');
	const login = page.locator('#login-form');
	await login.getByLabel('User name').fill(user);
	await login.getByLabel('Password', { exact: true }).fill('wrong password!');
	await login.getByRole('button', { name: 'Log in' }).click();
	await page.locator('#login-error').waitFor();
	ok(/wrong/i.test(await page.locator('#login-error').textContent()), 'a wrong password is refused on the page');
	await login.getByLabel('Password', { exact: true }).fill(password);
	await login.getByRole('button', { name: 'Log in' }).click();
	await page.getByRole('heading', { name: 'Your hosts' }).waitFor();
	ok(true, 'log-in with the right password shows the host list');

	// --- add a host, keyboard only -------------------------------------------
	await page.locator('#add-name').focus();
	await page.keyboard.type('myhome');
	await page.keyboard.press('Enter');
	const panel = page.locator('.token-panel');
	await panel.waitFor();
	ok(await page.locator('#hosts li[data-host="' + host + '"]').count() === 1,
		'a host added with the keyboard alone is listed');
	const shown = (await panel.locator('.token-value').textContent()).trim();
	ok(/^[A-Za-z0-9_-]{32}$/.test(shown), 'the new token is shown once', shown);
	ok(await page.evaluate(() => document.activeElement.classList.contains('token-panel')),
		'focus moves to the token panel');

	if (artefacts) await page.screenshot({ path: artefacts + '/token.png', fullPage: true });

	// --- copy the token and the curl line --------------------------------------
	await panel.getByRole('button', { name: 'Copy token' }).click();
	const copied = await clipboard(page);
	ok(copied === shown, 'the copy button puts the token on the clipboard', copied);
	const tabs = await panel.getByRole('tab').allTextContents();
	ok(['curl', 'ddclient', 'inadyn', 'FRITZ!Box', 'OpenWrt'].every((t) => tabs.includes(t)),
		'settings for curl, ddclient, inadyn, FRITZ!Box and OpenWrt', tabs.join(', '));
	await panel.getByRole('tab', { name: 'ddclient' }).click();
	const ddc = await panel.locator('pre[data-client="ddclient"]').textContent();
	ok(ddc.includes('protocol=dyndns2') && ddc.includes('login=' + host) && ddc.includes(shown) &&
		ddc.includes('server=' + new URL(url).host), 'the ddclient settings name this server, host and token', ddc);
	await panel.getByRole('tab', { name: 'FRITZ!Box' }).click();
	const fritz = await panel.locator('.tabpanel:not([hidden])').textContent();
	ok(fritz.includes('/nic/update?hostname=<domain>&myip=<ipaddr>,<ip6addr>'), 'the FRITZ!Box update URL is there', fritz);
	await panel.getByRole('tab', { name: 'OpenWrt' }).click();
	const owrt = await panel.locator('pre[data-client="openwrt"]').first().textContent();
	ok(owrt.includes("option update_url '") && owrt.includes("option password '" + shown + "'"), 'the OpenWrt settings carry update_url and the token');
	// back to curl with the arrow keys: the tab list is keyboard-usable
	await panel.getByRole('tab', { name: 'OpenWrt' }).focus();
	await page.keyboard.press('Home');
	ok(await page.evaluate(() => document.activeElement.textContent) === 'curl', 'Home moves to the first settings tab');
	await panel.locator('.tabpanel:not([hidden]) .copy-snippet').first().click();
	const curlLine = await clipboard(page);
	ok(curlLine.startsWith('curl ') && curlLine.includes(shown) && curlLine.includes('hostname=' + host),
		'the curl line copied from the page carries the host and token', curlLine);

	// --- update with it; watch the page change without a reload ---------------
	await page.evaluate(() => { window.__noReload = 1; });
	const card = page.locator('#hosts li[data-host="' + host + '"]');
	ok((await card.locator('.v4').textContent()) === 'none', 'before the update the host has no address');
	const out = sh(curlLine);
	ok(/^good 127\.0\.0\.1 200$/.test(out), 'the copied curl line updates the host', out);
	const seen4 = await waitFor(async () => (await card.locator('.v4').textContent()) === '127.0.0.1', 10000);
	ok(seen4, 'the new address appears on the page by itself');
	ok(await page.evaluate(() => window.__noReload === 1), 'without a reload');
	ok(/from 127\.0\.0\.1/.test(await card.locator('.seen').textContent()), 'the card says when and from where');
	const v6line = curlLine.replace('hostname=' + host, 'hostname=' + host + '&myip=2001:db8::42');
	ok(/^good/.test(sh(v6line)), 'an IPv6 update is taken');
	const seen6 = await waitFor(async () => (await card.locator('.v6').textContent()) === '2001:db8::42', 10000);
	ok(seen6, 'the AAAA value follows live too');
	ok((await card.locator('.v4').textContent()) === '127.0.0.1', 'and the A value stays');

	// --- rotate the token: the old one is refused --------------------------------
	await page.getByRole('button', { name: 'Done, I saved it' }).click();
	await card.getByRole('button', { name: 'Rotate the token of ' + host }).click();
	await page.locator('.token-panel').waitFor();
	const fresh = (await page.locator('.token-panel .token-value').textContent()).trim();
	ok(fresh !== shown && fresh.length === 32, 'rotating shows a new token');
	const oldOut = sh(curlLine);
	ok(/badauth 401$/.test(oldOut), 'the old token is refused after rotating', oldOut);
	const newOut = sh(curlLine.replace(shown, fresh).replace('hostname=' + host, 'hostname=' + host + '&myip=198.51.100.9'));
	ok(/^good 198\.51\.100\.9/.test(newOut), 'the new token works', newOut);
	ok(await waitFor(async () => (await card.locator('.v4').textContent()) === '198.51.100.9', 10000),
		'and the page shows its address');
	// markup in what a client sends is shown as text, never run
	sh(curlLine.replace(shown, fresh).replace('curl ', "curl -A '<img src=x id=pwned onerror=alert(1)>' ")
		.replace('hostname=' + host, 'hostname=' + host + '&myip=198.51.100.10'));

	await page.getByRole('button', { name: 'Done, I saved it' }).click();
	await waitFor(async () => (await card.locator('.v4').textContent()) === '198.51.100.10', 10000);
	// let the highlight of the changed value fade before the picture
	await page.waitForFunction(() => !document.querySelector('.flashy'), null, { timeout: 5000 }).catch(() => {});
	if (artefacts) await page.screenshot({ path: artefacts + '/hosts.png', fullPage: true });

	// --- the host's page: timeline and tokens --------------------------------------
	await card.locator('.host-name').click();
	await page.locator('#view-host h1').waitFor();
	await waitFor(async () => (await page.locator('#history li').count()) >= 4, 8000);
	const items = await page.locator('#history li .t-what').allTextContents();
	ok(items.length >= 4 && items[0] === '198.51.100.10,2001:db8::42' && items.includes('127.0.0.1'),
		'the history shows the address changes, newest first', items.join(' | '));
	ok(await page.locator('#history img, #pwned').count() === 0 &&
		(await page.locator('#history').textContent()).includes('<img src=x id=pwned'),
		'a user agent with markup is shown as text');
	ok(await page.locator('#host-tokens li').count() === 1, 'one token is left after rotating');
	if (artefacts) await page.screenshot({ path: artefacts + '/host.png', fullPage: true });

	// --- a phone-sized screen -----------------------------------------------------
	await page.setViewportSize({ width: 360, height: 740 });
	await page.goto(url + '/#/hosts');
	await page.locator('#hosts li').first().waitFor();
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
	ok(overflow <= 360, 'nothing is wider than a 360 px screen', overflow + ' px');
	if (artefacts) await page.screenshot({ path: artefacts + '/hosts-phone.png', fullPage: true });
	await page.setViewportSize({ width: 1200, height: 860 });

	// --- account: change the password ---------------------------------------------
	await page.getByRole('link', { name: 'Account' }).click();
	const pwf = page.locator('#password-form');
	await pwf.waitFor();
	await pwf.getByLabel('Current password').fill('not my password');
	await pwf.getByLabel('New password').fill('a newer horse battery');
	await pwf.getByRole('button', { name: 'Change password' }).click();
	await page.locator('#password-error').waitFor();
	ok(/current password/i.test(await page.locator('#password-error').textContent()),
		'a password change with the wrong current password is refused on the page');
	await pwf.getByLabel('Current password').fill(password);
	await pwf.getByRole('button', { name: 'Change password' }).click();
	await page.locator('#flash', { hasText: 'Password changed' }).waitFor();
	ok(true, 'the password is changed from the account page');
	await page.getByRole('button', { name: 'Log out' }).click();
	await page.locator('#login-form').waitFor();
	await login.getByLabel('User name').fill(user.toUpperCase());
	await login.getByLabel('Password', { exact: true }).fill('a newer horse battery');
	await login.getByRole('button', { name: 'Log in' }).click();
	await page.getByRole('heading', { name: 'Your hosts' }).waitFor();
	ok(true, 'the new password logs in (and the name in any case)');

	// --- admin page -----------------------------------------------------------------
	await page.getByRole('button', { name: 'Log out' }).click();
	await page.locator('#login-form').waitFor();
	await login.getByLabel('User name').fill(process.env.DZ_ADMIN_USER);
	await login.getByLabel('Password', { exact: true }).fill(process.env.DZ_ADMIN_PASSWORD);
	await login.getByRole('button', { name: 'Log in' }).click();
	await page.getByRole('link', { name: 'Admin' }).click();
	await page.locator('#users-table tbody tr').first().waitFor();
	const users = await page.locator('#users-table tbody td:first-child').allTextContents();
	const zones = await page.locator('#zones-table tbody td:first-child').allTextContents();
	ok(users.includes(user) && users.includes(process.env.DZ_ADMIN_USER), 'the admin page lists the users', users.join(', '));
	ok(zones.includes(zone), 'and the zones', zones.join(', '));
	if (artefacts) await page.screenshot({ path: artefacts + '/admin.png', fullPage: true });

	ok(errors.length === 0, 'no script errors on the page', errors.join('\n'));
} catch (e) {
	ok(false, 'the browser run went through', e.stack || String(e));
	if (artefacts) await page.screenshot({ path: artefacts + '/failure.png', fullPage: true }).catch(() => {});
} finally {
	await ctx.close();
}
process.exit(failures() ? 1 : 0);
