/* The stop, wait and back-off rules; see policy.h. */
#include "policy.h"

#include <string.h>

/* Our own outcomes; the dyndns2 codes are named by proto/dyndns2.c. */
static const char *const names[UPD_NRESULTS] = {
	[UPD_SERVER] = "server-error", [UPD_BADREPLY] = "bad-reply",
	[UPD_NETERR] = "network-error", [UPD_REFUSED] = "refused",
};

const char *policy_result_name(enum upd_result r)
{
	if ((unsigned)r < DD2_NCODES)
		return dd2_code_text((enum dd2_code)r);
	if ((unsigned)r < UPD_NRESULTS && names[r])
		return names[r];
	return "unknown";
}

int policy_result_from_word(const char *w, size_t n)
{
	/* Only the codes a dyndns2 server sends; our own names are not. */
	return dd2_code_from_word(w, n);
}

int64_t policy_backoff(uint32_t fails, const struct policy_limits *lim,
                       uint32_t rnd)
{
	int64_t d = lim->backoff_min ? lim->backoff_min : 1;
	int64_t max = lim->backoff_max > d ? lim->backoff_max : d;
	for (uint32_t i = 1; i < fails && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	/* "Equal jitter": half fixed, half random, so clients that failed
	 * together do not come back together. */
	int64_t w = d / 2 + (int64_t)(rnd % (uint32_t)(d - d / 2 + 1));
	return w < 1 ? 1 : w;
}

static int64_t server_wait(uint32_t fails, uint32_t rnd)
{
	int64_t d = POLICY_SERVER_WAIT;
	for (uint32_t i = 1; i < fails && d < POLICY_SERVER_WAIT_MAX; i++)
		d *= 2;
	if (d > POLICY_SERVER_WAIT_MAX)
		d = POLICY_SERVER_WAIT_MAX;
	/* Up to 10% more, never less: the protocol asks for 30 minutes. */
	return d + (int64_t)(rnd % (uint32_t)(d / 10 + 1));
}

/* Every name fits the 16-byte fields of struct policy_state. */
static void copy_name(char dst[16], enum upd_result r)
{
	const char *n = policy_result_name(r);
	memcpy(dst, n, strlen(n) + 1);
}

static enum policy_action stop_host(struct policy_state *st, enum upd_result r)
{
	st->fails = 0;
	st->next = 0;
	st->hold = 0;
	copy_name(st->stop, r);
	return POL_STOP;
}

enum policy_action policy_apply(struct policy_state *st, enum upd_result r,
                                long retry_after, int64_t now,
                                const struct policy_limits *lim, uint32_t rnd)
{
	int64_t wait = 0;
	long ra = retry_after;

	if (ra > POLICY_RETRY_AFTER_MAX)
		ra = POLICY_RETRY_AFTER_MAX;
	copy_name(st->last, r);
	switch (r) {
	case UPD_GOOD:
	case UPD_NOCHG:
		st->fails = 0;
		st->next = 0;
		st->hold = 0;
		st->stop[0] = '\0';
		return POL_DONE;
	case UPD_ABUSE:
		if (ra >= 0)
			goto server_said;
		return stop_host(st, r);   /* blocked, and no end given */
	case UPD_BADAUTH:
	case UPD_NOTFQDN:
	case UPD_NOHOST:
	case UPD_NUMHOST:
	case UPD_BADAGENT:
	case UPD_REFUSED:
		return stop_host(st, r);
	case UPD_DNSERR:
	case UPD_911:
		st->fails++;
		wait = server_wait(st->fails, rnd);
		if (ra > wait)
			wait = ra;
		st->hold = 1;
		break;
	case UPD_SERVER:
	case UPD_BADREPLY:
	case UPD_NETERR:
	case UPD_NRESULTS:
		st->fails++;
		wait = policy_backoff(st->fails, lim, rnd);
		st->hold = 0;
		if (ra >= 0 && ra > wait) {
			wait = ra;
			st->hold = 1;
		}
		break;
	}
	st->next = now + wait;
	return POL_WAIT;

server_said:
	st->fails++;
	st->hold = 1;
	st->next = now + (ra > 0 ? ra : 1);
	return POL_WAIT;
}
