/* Inside the dashboard's API (src/api/, not for other folders): the
 * service, one request being answered (a call), and what the handlers
 * share.
 *
 *   api.c       the router, the worker pool, held log-ins, call_write
 *   reply.c     replies and JSON helpers
 *   accounts.c  sign-up, log-in, sessions, which zones a user may use
 *   hosts.c     hosts, their tokens and their history
 *   admin.c     zones, users, grants and invites (administrators only)
 *
 * Threads: a handler runs on an API worker with that worker's store
 * connection (c->st).  A handler that writes hands the call to call_write;
 * its second half (a write_after) then runs on the committer's syncer
 * thread and may not touch c->st. */
#ifndef DZ_API_CALL_H
#define DZ_API_CALL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/api/api.h"
#include "src/api/session.h"
#include "src/db/store.h"
#include "src/db/zones.h"
#include "src/write/limits.h"

#define SEGS_MAX 6
#define SEG_MAX 256
#define LIST_MAX 1000                     /* rows in one list */

enum { SIGNUP_CLOSED, SIGNUP_INVITE, SIGNUP_OPEN };
extern const char *const api_signup_names[3];

/* A request queued for the workers (or held on a timer). */
struct job {
	api_t *a;
	http_req_t *rq;
	struct timer hold;         /* a held log-in waits on it */
	bool held;                 /* was held once: do not hold again */
	unsigned waits;            /* times held waiting for a hashing slot */
	struct job *next;
};

struct api {
	const struct config *cfg;
	committer_t *cm;
	timers_t *timers;
	int signup;
	session_throttle_t *throttle;
	limiter_t *auth_limit;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *queue, **tail;
	unsigned nqueued;          /* queued and held: API_QUEUE_MAX at most */
	bool stopping;
	unsigned hashing;          /* password hashes running (API_HASHERS at most) */
	unsigned nworkers;
	pthread_t tid[API_WORKERS];
	store_t *st[API_WORKERS];
	uint64_t auth_failed;      /* wrong log-in or current password (METRICS_ADD) */
};

/* One API request being answered on a worker. */
struct call {
	api_t *a;
	store_t *st;
	http_req_t *rq;
	struct job *job;
	const char *method;
	unsigned nseg;
	char seg[SEGS_MAX][SEG_MAX];
	json_t *body;
	struct session sess;
	int64_t now;
	/* the reply */
	unsigned status;
	json_t *out;
	char cookie[SESSION_COOKIE_MAX];
	unsigned retry_after;
	bool hold;                 /* hold the request for hold_ms, then retry */
	bool hold_busy;            /* ... because no hashing slot was free */
	unsigned hold_ms;
};

/* Password hashing (argon2id: 64 MiB, tens of milliseconds) runs on at
 * most this many workers at once, so a burst of log-ins or sign-ups never
 * takes every worker from the rest of the dashboard; with two workers that
 * is one hash at a time, so also one per client address. */
#define API_HASHERS (API_WORKERS > 1 ? API_WORKERS - 1 : 1)

/* Handlers: 0 with the reply set by call_ok, -1 after call_fail, or what
 * call_write returned. */
typedef int (*api_handler)(struct call *c);

/* Writes (api.c) ------------------------------------------------------------ */

/* A handler that writes hands its call to call_write and returns what
 * call_write returns; CALL_PENDING means the call now belongs to the
 * write, whose after answers the request: neither the handler nor the
 * worker may touch the call after that. */
#define CALL_PENDING 1

typedef int (*write_fn)(store_t *st, void *arg);
/* The rest of a handler once its write is done: the reply, from the
 * write's result rc and its copy of arg.  Runs on the committer's syncer
 * thread (or the worker, without a committer): must not block or use the
 * worker's store connection (c->st).  -1 after call_fail, else 0. */
typedef int (*write_after)(struct call *c, int rc, void *arg);

/* Run fn(arg) in a committed transaction and then after(c, rc, arg).  On
 * the group committer (so the change is journalled, durable and served
 * before the reply goes): arg (len bytes) is copied, the job submitted,
 * and CALL_PENDING returned at once; no thread waits.  Without one, on
 * the worker's own connection, synchronously: after's result. */
int call_write(struct call *c, write_fn fn, void *arg, size_t len, write_after after);

/* Replies (reply.c) ----------------------------------------------------------- */

/* Set an error reply: {"error":{"code":...,"message":...}}.  Returns -1 so
 * a handler can `return call_fail(...)`. */
int call_fail(struct call *c, unsigned status, const char *code, const char *msg);
/* Log rc and set a 500 reply that says nothing more.  -1. */
int call_internal(struct call *c, int rc);
/* Set the reply (out may be NULL: no body); takes out's reference. */
void call_ok(struct call *c, unsigned status, json_t *out);
/* Add the security headers every reply carries. */
void api_sec_headers(http_req_t *rq);
/* Send a JSON reply (body NULL: none) with the security headers, a
 * Set-Cookie if cookie is not empty, and Retry-After if not 0. */
void api_send_json(http_req_t *rq, unsigned status, json_t *body, const char *cookie,
                   unsigned retry_after);

/* JSON from stored text that updates put there (user agents, TXT values):
 * bytes outside printable ASCII are shown as \xNN. */
json_t *api_safe_text(const void *p, int n);
json_t *api_str_json(const char *t);
/* A name's presentation form without the trailing dot. */
void api_name_text(const char *text, char *out, size_t cap);
/* The body's string member key, or NULL. */
const char *api_jstr(json_t *o, const char *key);
/* A query parameter's decoded value ("" if present without '='), or NULL. */
const char *api_query_param(const char *q, const char *key, char *out, size_t cap);
/* For a walk's callback: stop once the array holds LIST_MAX rows. */
int api_arr_full(json_t *arr);
/* A walk's rows as a JSON array; NULL on a store error (rc < 0). */
json_t *api_rows_done(json_t *arr, int rc);
/* api_rows_done, with a store error shown as no rows (parts of a bigger
 * answer). */
json_t *api_rows_or_empty(json_t *arr, int rc);

/* Zones a user may use (accounts.c) ------------------------------------------- */

/* The zone whose apex is exactly `apex`. */
int api_zone_exact(store_t *st, const uint8_t *apex, struct store_zone *z);
/* Is z one of the config's signup-zones? */
bool api_signup_zone(const api_t *a, const struct store_zone *z);
/* May the session's user create hosts in z?  *max gets the cap on their
 * hosts there (0: none). */
bool api_zone_allowed(struct call *c, const struct store_zone *z, unsigned *max);

/* Handlers ---------------------------------------------------------------------- */

/* accounts.c */
int h_info(struct call *c);
int h_signup(struct call *c);
int h_login(struct call *c);
int h_logout(struct call *c);
int h_me(struct call *c);
int h_password(struct call *c);
/* hosts.c */
int h_hosts(struct call *c);
int h_host_add(struct call *c);
int h_host_get(struct call *c);
int h_host_del(struct call *c);
int h_host_patch(struct call *c);
int h_token_new(struct call *c);
int h_token_rotate(struct call *c);
int h_token_del(struct call *c);
int h_history(struct call *c);
/* admin.c */
int h_zones(struct call *c);
int h_zone_add(struct call *c);
int h_users(struct call *c);
int h_grant(struct call *c);
int h_revoke(struct call *c);
int h_invite(struct call *c);

#endif
