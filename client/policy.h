/* What the client does after an update attempt: the server's reply codes
 * and the rules for stopping, waiting and backing off.  Pure logic; the time
 * and the random jitter come from the caller, so tests run it instantly. */
#ifndef DU_POLICY_H
#define DU_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/dyndns2.h"

/* The outcome of one update request.  The first ten are the dyndns2 reply
 * codes and have their values (proto/dyndns2.h); the rest are the
 * client's own. */
enum upd_result {
	UPD_GOOD = DD2_GOOD,         /* updated */
	UPD_NOCHG = DD2_NOCHG,       /* server already had the address */
	UPD_BADAUTH = DD2_BADAUTH,   /* credentials refused: stop */
	UPD_NOTFQDN = DD2_NOTFQDN,   /* not a fully qualified name: stop */
	UPD_NOHOST = DD2_NOHOST,     /* no such host for these credentials: stop */
	UPD_NUMHOST = DD2_NUMHOST,   /* too many hosts in one request: stop */
	UPD_ABUSE = DD2_ABUSE,       /* blocked: stop, or wait for Retry-After if given */
	UPD_BADAGENT = DD2_BADAGENT, /* our user agent is refused: stop */
	UPD_DNSERR = DD2_DNSERR,     /* server-side DNS failure: wait >= 30 min */
	UPD_911 = DD2_911,           /* server failure or maintenance: wait >= 30 min */
	UPD_SERVER = DD2_NCODES,    /* HTTP 5xx/429 without a dyndns2 code: back off */
	UPD_BADREPLY,  /* a reply we do not understand: back off */
	UPD_NETERR,    /* no reply (resolve, connect, TLS, time-out): back off */
	UPD_REFUSED,   /* we refused to send (token over plain HTTP): stop */
	UPD_NRESULTS
};

/* What the caller does next. */
enum policy_action {
	POL_DONE,      /* the addresses were accepted */
	POL_WAIT,      /* try again at `next` */
	POL_STOP,      /* send nothing until the host's configuration changes */
};

/* Per-host state the rules read and write (part of the cache entry). */
struct policy_state {
	uint32_t fails;    /* consecutive failed attempts */
	int64_t next;      /* no request before this time */
	int hold;          /* `next` was set by the server: keep it even when
	                      the network changes */
	char stop[16];     /* the code that stopped the host, "" if running */
	char last[16];     /* the outcome of the last attempt, "" if none */
};

/* Bounds of the network-error back-off, in seconds. */
struct policy_limits {
	unsigned backoff_min;
	unsigned backoff_max;
};

#define POLICY_SERVER_WAIT 1800   /* after 911 / dnserr, at least */
#define POLICY_SERVER_WAIT_MAX (8 * 3600)
#define POLICY_RETRY_AFTER_MAX (7 * 86400)

/* The reply code's word ("good", "badauth", ...); never NULL. */
const char *policy_result_name(enum upd_result r);

/* The result named by the first word of a dyndns2 reply (case-insensitive,
 * `n` bytes), or -1 if it is not a dyndns2 code. */
int policy_result_from_word(const char *w, size_t n);

/* Apply the outcome `r` of an attempt at time `now` to `st`.  `retry_after`
 * is the server's Retry-After in seconds (-1 if none); `rnd` supplies the
 * jitter.  Returns what to do next; for POL_WAIT, st->next says when. */
enum policy_action policy_apply(struct policy_state *st, enum upd_result r,
                                long retry_after, int64_t now,
                                const struct policy_limits *lim, uint32_t rnd);

/* The network-error wait after `fails` (>= 1) consecutive failures: the
 * exponential step d = min(max, min * 2^(fails-1)), jittered uniformly into
 * [d/2, d] by `rnd`, and never below 1 second. */
int64_t policy_backoff(uint32_t fails, const struct policy_limits *lim,
                       uint32_t rnd);

#endif
