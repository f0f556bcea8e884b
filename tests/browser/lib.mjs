// Shared by the browser tests (tests/browser/*.mjs).

// Poll fn every 100 ms until it returns something true or ms pass; its
// last value.
export async function waitFor(fn, ms) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v || Date.now() > end) return v;
		await new Promise((r) => setTimeout(r, 100));
	}
}
