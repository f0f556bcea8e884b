// What the browser scripts share: TAP-ish "ok - " lines, polling, and
// Debian's chromium launched headless with a fresh profile.
import { chromium } from 'playwright-core';

let failed = 0;

// Print "ok - what" or "not ok - what" (and diag as "#" lines); cond.
export function ok(cond, what, diag) {
	if (cond) {
		console.log('ok - ' + what);
	} else {
		failed++;
		console.log('not ok - ' + what);
		if (diag !== undefined) for (const l of String(diag).split('\n')) console.log('#   ' + l);
	}
	return cond;
}

// How many checks failed so far.
export function failures() {
	return failed;
}

// Call fn every 100 ms until it returns something true or ms have passed;
// its last value.
export async function waitFor(fn, ms) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v || Date.now() > end) return v;
		await new Promise((r) => setTimeout(r, 100));
	}
}

// A persistent context on /usr/bin/chromium, headless, nothing fetched
// from outside, 10 s default timeout.
export async function launch(profile, extra) {
	const ctx = await chromium.launchPersistentContext(profile, Object.assign({
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1200, height: 860 },
	}, extra || {}));
	ctx.setDefaultTimeout(10000);
	return ctx;
}
