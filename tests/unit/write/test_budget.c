/* Unit tests for the update budget (src/write/limits.h, issue #16) on a
 * clock the test controls: a router re-checking fifty times an hour (or
 * every 30 s) for a day is never limited, a dual-stack change is one
 * change, a loop of identical requests is refused until its window ends
 * and then recovers, and a change budget spent by real changes still
 * lets unchanged requests through. */
#include <stdint.h>

#include "proto/errors.h"
#include "src/write/limits.h"
#include "tests/unit/tap.h"

#define MIN 60000ull
static const char tok[] = "tokenA", tok2[] = "tokenB";

static int take(budget_t *b, const char *key, unsigned changes, uint64_t fp, uint64_t now,
                unsigned *ra)
{
	*ra = 0;
	return budget_take(b, key, 6, changes, fp, now, ra);
}

int main(void)
{
	/* the defaults: 6 changes a minute, 12 at once, 20 identical a minute */
	struct budget_conf def = { 6, 12, 20, 60 };
	budget_t *b = budget_new(64, &def);
	unsigned ra, refused = 0;
	uint64_t t = 1000;
	ok(b != NULL, "budget_new");

	/* fifty identical re-checks an hour, for a day */
	for (int i = 0; i < 50 * 24; i++, t += 72000)
		refused += take(b, tok, 0, 42, t, &ra) != 0;
	is_int(refused, 0, "50 unchanged requests an hour for 24 hours: never limited");
	/* every 30 seconds, with a change of both families every hour */
	refused = 0;
	for (int i = 0; i < 120 * 24; i++, t += 30000) {
		if (i % 120 == 0) {
			refused += take(b, tok, BUDGET_V4, 7, t, &ra) != 0;
			refused += take(b, tok, BUDGET_V6, 8, t + 3000, &ra) != 0;
		}
		refused += take(b, tok, 0, 9, t + 5000, &ra) != 0;
	}
	is_int(refused, 0, "re-checks every 30 s and an hourly dual-stack change: never limited");

	/* a loop: identical requests back to back */
	t += 10 * MIN;
	refused = 0;
	for (int i = 0; i < 20; i++)
		refused += take(b, tok, 0, 77, t + (uint64_t)i * 100, &ra) != 0;
	is_int(refused, 0, "20 identical requests in two seconds: allowed");
	is_int(take(b, tok, 0, 77, t + 2000, &ra), DZ_ELIMIT, "the 21st inside the minute: limited");
	ok(ra >= 57 && ra <= 59, "Retry-After runs to the end of the window (%u)", ra);
	is_int(take(b, tok, 0, 78, t + 2100, &ra), 0, "a different request is not the loop");
	is_int(take(b, tok2, 0, 77, t + 2200, &ra), 0, "another token is not limited");
	is_int(take(b, tok, 0, 77, t + MIN + 3000, &ra), 0, "after the window: allowed again");

	/* changes: 12 at once, then 6 a minute; the v6 half is free */
	t += 10 * MIN;
	refused = 0;
	for (int i = 0; i < 12; i++) {
		refused += take(b, tok, BUDGET_V4, 100 + (uint64_t)i, t + (uint64_t)i * 10, &ra) != 0;
		refused += take(b, tok, BUDGET_V6, 200 + (uint64_t)i, t + (uint64_t)i * 10 + 5, &ra) != 0;
	}
	is_int(refused, 0, "12 dual-stack changes (24 requests) at once: the v6 halves are free");
	is_int(take(b, tok, BUDGET_V4, 300, t + 200, &ra), DZ_ELIMIT, "the 13th change: limited");
	ok(ra >= 1 && ra <= 10, "Retry-After until the next token (%u)", ra);
	is_int(take(b, tok, 0, 9, t + 300, &ra), 0, "unchanged requests pass while changes are spent");
	is_int(take(b, tok, BUDGET_V4 | BUDGET_V6, 301, t + 300, &ra), DZ_ELIMIT,
	       "a change of both families is one change, and limited");
	is_int(take(b, tok, BUDGET_V4, 302, t + 10300, &ra), 0, "ten seconds later: one more change");
	is_int(take(b, tok, BUDGET_V4, 303, t + 10400, &ra), DZ_ELIMIT,
	       "v4 twice is not a dual-stack pair");
	budget_free(b);

	/* 0 turns each rule off */
	struct budget_conf off = { 0, 1, 0, 60 };
	b = budget_new(64, &off);
	refused = 0;
	for (int i = 0; i < 1000; i++)
		refused += take(b, tok, i % 2 ? BUDGET_V4 : 0, 5, 1000 + (uint64_t)i, &ra) != 0;
	is_int(refused, 0, "update-rate-token = 0 and update-loop-max = 0: no limit");
	budget_free(b);
	return tap_done();
}
