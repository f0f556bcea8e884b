/* In-memory rate limits and the failed-authentication slow-down, shared by
 * the update API and the dashboard.  Nothing here touches the store: the
 * tables live in memory, are capped in size, and are thread-safe. */
#ifndef DZ_LIMITS_H
#define DZ_LIMITS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* A token bucket per key (a client address, a token id) in a fixed table
 * of `slots` entries; when the table is full the least recently used
 * entry of the key's set is forgotten, so memory is capped whatever the
 * traffic.  Thread-safe. */
typedef struct limiter limiter_t;

/* `per_minute` tokens refill per minute up to `burst`.  per_minute 0: no
 * limit (every take succeeds).  NULL on allocation failure. */
limiter_t *limiter_new(unsigned slots, unsigned per_minute, unsigned burst);
/* Free a limiter (NULL: no-op). */
void limiter_free(limiter_t *l);
/* Take one from the key's bucket at time `now_ms` (monotonic).  0 if
 * allowed; DZ_ELIMIT with *retry_after (seconds, >= 1) if not. */
int limiter_take(limiter_t *l, const void *key, size_t klen,
                      uint64_t now_ms, unsigned *retry_after);

/* The update budget of a token (issue #16): routers that re-check are
 * never limited, loops are.
 *  - A request that would change something (an address, the offline
 *    flag, TXT) takes one from a token bucket: `per_minute` refill up to
 *    `burst` (update-rate-token, update-burst-token).  The other half of
 *    a dual-stack change is free: a change of only the family the
 *    token's previous change did not touch, within BUDGET_PAIR_S seconds
 *    of it, counts with that one.
 *  - A request that changes nothing (it will be answered nochg) never
 *    takes from the bucket.  Only the same request (same hosts, same
 *    addresses) repeated is counted: more than `loop_max` identical
 *    requests inside `loop_window_s` seconds from the first of them is a
 *    loop, refused until that window ends.  Any other request starts a
 *    new count.
 * per_minute 0 turns the bucket off, loop_max 0 the loop rule.  Capped
 * and thread-safe like the limiter. */
#define BUDGET_PAIR_S 60
#define BUDGET_V4 1u       /* what a request would change */
#define BUDGET_V6 2u
#define BUDGET_OTHER 4u
struct budget_conf {
	unsigned per_minute, burst;       /* changes */
	unsigned loop_max, loop_window_s; /* identical unchanged requests */
};
typedef struct budget budget_t;
/* NULL on allocation failure. */
budget_t *budget_new(unsigned slots, const struct budget_conf *c);
void budget_free(budget_t *b);
/* Account one request of the key (a token id) at now_ms (monotonic):
 * `changes` is what it would change (BUDGET_* bits; 0: nothing), `fp` a
 * fingerprint of what it asks for.  0 if allowed; DZ_ELIMIT with
 * *retry_after (seconds, >= 1) if not: the request must then change
 * nothing. */
int budget_take(budget_t *b, const void *key, size_t klen, unsigned changes, uint64_t fp,
                uint64_t now_ms, unsigned *retry_after);

/* Failed authentication per client address: each failure adds one to a
 * score that halves every LIMIT_FAIL_HALFLIFE_S seconds.  Past
 * LIMIT_FAIL_FREE failures, each request from that address is held before
 * it is looked at, 250 ms doubling per further failure up to
 * LIMIT_FAIL_MAX_DELAY_MS.  With the per-address connection cap this keeps
 * guessing to a trickle, while a client with one wrong setting is
 * hardly slowed.  Thread-safe, capped like the limiter. */
#define LIMIT_FAIL_FREE 5
#define LIMIT_FAIL_HALFLIFE_S 600
#define LIMIT_FAIL_MAX_DELAY_MS 8000
typedef struct failures failures_t;
/* A table of `slots` entries; NULL on allocation failure. */
failures_t *failures_new(unsigned slots);
void failures_free(failures_t *f);
/* Count one failure for the key at time now_ms (monotonic). */
void failures_note(failures_t *f, const void *key, size_t klen, uint64_t now_ms);
/* Milliseconds to hold a request from this key (0: none). */
unsigned failures_delay(failures_t *f, const void *key, size_t klen, uint64_t now_ms);

/* The limiter key of a client address: IPv4 /32, IPv6 /64 (one customer
 * site).  Writes up to 9 bytes and returns the length. */
size_t limit_addr_key(const struct sockaddr *sa, uint8_t key[9]);
/* The same for a wider network: the first v4_bytes (at most 4) or
 * v6_bytes (at most 8) of the address. */
size_t limit_net_key(const struct sockaddr *sa, unsigned v4_bytes, unsigned v6_bytes,
                     uint8_t key[9]);


#endif
