/* dynzone-update: the stop, wait and back-off rules, with the clock and the
 * jitter supplied by the test. */
#include "client/policy.h"
#include "tests/unit/tap.h"

static const struct policy_limits lim = { 60, 3600 };
#define T0 1700000000

static struct policy_state fresh(void)
{
	struct policy_state st = { 0 };
	return st;
}

static void stop_codes(void)
{
	static const enum upd_result stops[] = { UPD_BADAUTH, UPD_NOHOST,
		UPD_NOTFQDN, UPD_ABUSE, UPD_NUMHOST, UPD_BADAGENT, UPD_REFUSED };
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++) {
		struct policy_state st = fresh();
		st.fails = 3;
		is_int(policy_apply(&st, stops[i], -1, T0, &lim, 0), POL_STOP,
		       "%s stops the host", policy_result_name(stops[i]));
		is_str(st.stop, policy_result_name(stops[i]), "and records why");
	}
}

static void server_waits(void)
{
	struct policy_state st = fresh();
	int64_t prev = 0;

	for (int i = 1; i <= 6; i++) {
		enum upd_result r = i % 2 ? UPD_911 : UPD_DNSERR;
		/* Worst case for "at least": the smallest jitter. */
		is_int(policy_apply(&st, r, -1, T0, &lim, 0), POL_WAIT, "%s waits",
		       policy_result_name(r));
		ok(st.next - T0 >= 1800, "%s #%d: waits %llds >= 30 min",
		   policy_result_name(r), i, (long long)(st.next - T0));
		ok(st.next - T0 >= prev, "and no less than the time before");
		ok(st.hold, "the wait is the server's: a network change keeps it");
		prev = st.next - T0;
	}
	ok(prev <= POLICY_SERVER_WAIT_MAX + POLICY_SERVER_WAIT_MAX / 10,
	   "the wait is capped (%llds)", (long long)prev);

	st = fresh();
	policy_apply(&st, UPD_911, -1, T0, &lim, 0xffffffffu);
	ok(st.next - T0 >= 1800 && st.next - T0 <= 1980,
	   "jitter only adds up to 10%% (%llds)", (long long)(st.next - T0));

	st = fresh();
	policy_apply(&st, UPD_911, 7200, T0, &lim, 0);
	is_int(st.next - T0, 7200, "911 with a longer Retry-After waits that long");
	st = fresh();
	policy_apply(&st, UPD_DNSERR, 60, T0, &lim, 0);
	ok(st.next - T0 >= 1800, "dnserr with a short Retry-After still waits 30 min");
}

static void retry_after(void)
{
	struct policy_state st = fresh();
	is_int(policy_apply(&st, UPD_ABUSE, 600, T0, &lim, 12345), POL_WAIT,
	       "abuse with Retry-After waits instead of stopping");
	is_int(st.next, T0 + 600, "exactly as long as the server said");
	is_str(st.stop, "", "and does not stop");

	st = fresh();
	policy_apply(&st, UPD_SERVER, 900, T0, &lim, 0);
	is_int(st.next, T0 + 900, "a 503 with Retry-After 900 waits 900s");
	ok(st.hold, "and holds against network changes");

	st = fresh();
	policy_apply(&st, UPD_SERVER, 1, T0, &lim, 0);
	ok(st.next - T0 >= 30, "a short Retry-After does not undercut the back-off");

	st = fresh();
	policy_apply(&st, UPD_ABUSE, 30L * 86400, T0, &lim, 0);
	is_int(st.next - T0, POLICY_RETRY_AFTER_MAX, "Retry-After is capped at a week");
}

static void network_backoff(void)
{
	struct policy_state st = fresh();
	int64_t lo_prev = 0;

	for (uint32_t n = 1; n <= 10; n++) {
		int64_t d = 60LL << (n - 1);
		if (d > 3600)
			d = 3600;
		int64_t lo = policy_backoff(n, &lim, 0);
		int64_t hi = policy_backoff(n, &lim, 0xffffffffu);
		int in = 1;
		for (uint32_t k = 0; k < 2000; k++) {
			int64_t w = policy_backoff(n, &lim, k * 2654435761u);
			in &= w >= d / 2 && w <= d;
		}
		ok(in && lo >= d / 2 && hi <= d,
		   "failure %u: waits within [%lld, %lld]", n, (long long)d / 2, (long long)d);
		ok(lo >= lo_prev, "failure %u: no shorter than before", n);
		lo_prev = lo;
	}
	/* The jitter really spreads. */
	int64_t a = policy_backoff(5, &lim, 1), b = policy_backoff(5, &lim, 400);
	ok(a != b, "different random numbers give different waits (%lld, %lld)",
	   (long long)a, (long long)b);

	for (int i = 1; i <= 3; i++)
		is_int(policy_apply(&st, UPD_NETERR, -1, T0, &lim, 0), POL_WAIT,
		       "network error #%d: wait", i);
	is_int(st.fails, 3, "failures are counted");
	ok(!st.hold, "a network back-off may end early when the network changes");
	is_str(st.last, "network-error", "the last outcome is recorded");
	is_int(policy_apply(&st, UPD_GOOD, -1, T0, &lim, 0), POL_DONE, "good is done");
	ok(st.fails == 0 && st.next == 0 && !st.stop[0], "and clears the back-off");
	is_int(policy_apply(&st, UPD_NOCHG, -1, T0, &lim, 0), POL_DONE, "nochg is done too");
	is_int(policy_apply(&st, UPD_BADREPLY, -1, T0, &lim, 0), POL_WAIT,
	       "an unreadable reply backs off");
}

static void words(void)
{
	is_int(policy_result_from_word("good", 4), UPD_GOOD, "good");
	is_int(policy_result_from_word("NOCHG", 5), UPD_NOCHG, "NOCHG (any case)");
	is_int(policy_result_from_word("911", 3), UPD_911, "911");
	is_int(policy_result_from_word("badauthx", 8), -1, "badauthx is no code");
	is_int(policy_result_from_word("network-error", 13), -1,
	       "our own outcome names are not server codes");
}

int main(void)
{
	stop_codes();
	server_waits();
	retry_after();
	network_backoff();
	words();
	return tap_done();
}
