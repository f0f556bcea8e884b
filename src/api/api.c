/* The dashboard's API: the router, the worker pool and its queue, held
 * log-ins, call_write, and the embedded files.  The handlers are in
 * accounts.c, hosts.c and admin.c (see call.h). */
#include "src/api/call.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/thread.h"
#include "src/db/sessions.h"
#include "web/web_assets.h"

#define ROUTE_BODY_MAX (4 * API_BODY_MAX)  /* the router's cap; ours is smaller */
#define THROTTLE_SLOTS 4096
#define AUTH_PER_MINUTE 20                /* log-in and sign-up attempts per address */
#define AUTH_BURST 10

/* The committer ------------------------------------------------------------- */

struct write_job {
	struct commit_job job;     /* first: the committer hands it back */
	struct call *c;
	write_fn fn;
	write_after after;
	void *arg;                 /* call_write's copy */
	size_t len;
};

static void call_end(struct call *c);

static int write_run(struct commit_job *job, store_t *st)
{
	struct write_job *w = (struct write_job *)job;
	return w->fn(st, w->arg);
}

/* Syncer thread: the write is durable and served (or failed): reply. */
static void write_done(struct commit_job *job, int rc)
{
	struct write_job *w = (struct write_job *)job;
	struct call *c = w->c;
	w->after(c, rc == DZ_ENOTSUP ? DZ_EDB : rc, w->arg);
	explicit_bzero(w->arg, w->len);
	free(w->arg);
	free(w);
	call_end(c);
}

int call_write(struct call *c, write_fn fn, void *arg, size_t len, write_after after)
{
	if (!c->a->cm) {
		return after(c, store_txn(c->st, fn, arg), arg);
	}
	struct write_job *w = calloc(1, sizeof *w);
	void *copy = malloc(len);
	if (!w || !copy) {
		free(w);
		free(copy);
		return call_internal(c, DZ_ENOMEM);
	}
	memcpy(copy, arg, len);
	*w = (struct write_job){ .job = { .run = write_run, .done = write_done },
	                         .c = c, .fn = fn, .after = after, .arg = copy, .len = len };
	commit_submit(c->a->cm, &w->job);
	return CALL_PENDING;
}

/* The API's routes ------------------------------------------------------------------- */

/* True if the request comes from our own page's origin, as far as the
 * browser tells: Sec-Fetch-Site is not cross-site, and Origin (if sent)
 * names the host the request was sent to. */
static bool same_origin(http_req_t *rq)
{
	const char *site = http_req_header(rq, "Sec-Fetch-Site");
	if (site && strcasecmp(site, "same-origin") != 0 && strcasecmp(site, "none") != 0)
		return false;
	const char *origin = http_req_header(rq, "Origin");
	if (!origin)
		return true;
	const char *host = http_req_header(rq, "Host");
	const char *sep = strstr(origin, "://");
	return host && sep && strcasecmp(sep + 3, host) == 0;
}

/* Split the path after /api/v1/ into decoded segments. */
static int split_path(struct call *c, const char *path)
{
	const char *p = path + strlen(API_PREFIX);
	c->nseg = 0;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p), got;
		if (c->nseg >= SEGS_MAX || n == 0 ||
		    dd2_decode(p, n, c->seg[c->nseg], SEG_MAX, &got) ||
		    strlen(c->seg[c->nseg]) != got)
			return DZ_EFORMAT;
		c->nseg++;
		p = end ? end + 1 : p + n;
	}
	return c->nseg ? 0 : DZ_EFORMAT;
}

enum { R_BODY = 1, R_SESSION = 2, R_ADMIN = 4 };

static const struct api_route {
	const char *method;
	const char *path;          /* segments; '*' matches one */
	unsigned flags;
	int (*fn)(struct call *c);
} routes[] = {
	{ "GET", "info", 0, h_info },
	{ "POST", "signup", R_BODY, h_signup },
	{ "POST", "login", R_BODY, h_login },
	{ "POST", "logout", R_SESSION, h_logout },
	{ "GET", "me", R_SESSION, h_me },
	{ "POST", "me/password", R_SESSION | R_BODY, h_password },
	{ "GET", "hosts", R_SESSION, h_hosts },
	{ "POST", "hosts", R_SESSION | R_BODY, h_host_add },
	{ "GET", "hosts/*", R_SESSION, h_host_get },
	{ "DELETE", "hosts/*", R_SESSION, h_host_del },
	{ "PATCH", "hosts/*", R_SESSION | R_BODY, h_host_patch },
	{ "POST", "hosts/*/tokens", R_SESSION, h_token_new },
	{ "POST", "hosts/*/tokens/rotate", R_SESSION, h_token_rotate },
	{ "DELETE", "hosts/*/tokens/*", R_SESSION, h_token_del },
	{ "GET", "hosts/*/history", R_SESSION, h_history },
	{ "GET", "zones", R_ADMIN, h_zones },
	{ "POST", "zones", R_ADMIN | R_BODY, h_zone_add },
	{ "GET", "users", R_ADMIN, h_users },
	{ "POST", "users/*/zones", R_ADMIN | R_BODY, h_grant },
	{ "DELETE", "users/*/zones/*", R_ADMIN, h_revoke },
	{ "POST", "invites", R_ADMIN, h_invite },
};

static bool route_match(const struct api_route *r, const struct call *c)
{
	const char *p = r->path;
	for (unsigned i = 0; i < c->nseg; i++) {
		size_t n = strcspn(p, "/");
		if (n == 0)
			return false;
		if (!(n == 1 && p[0] == '*') &&
		    (strlen(c->seg[i]) != n || memcmp(c->seg[i], p, n) != 0))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return *p == 0;
}

static bool is_json(const char *ctype)
{
	static const char want[] = "application/json";
	if (!ctype || strncasecmp(ctype, want, sizeof want - 1) != 0)
		return false;
	char next = ctype[sizeof want - 1];
	return next == 0 || next == ';' || next == ' ';
}

/* Answer one request on a worker.  Sets c->hold instead when a log-in is
 * to wait first.  CALL_PENDING if a write took the call (see write_tx),
 * else 0. */
static int dispatch(struct call *c)
{
	const struct api_route *r = NULL;
	bool wrong_method = false;
	c->method = http_req_method(c->rq);
	const char *m = strcmp(c->method, "HEAD") == 0 ? "GET" : c->method;
	bool reading = strcmp(m, "GET") == 0;

	if (split_path(c, http_req_path(c->rq))) {
		call_fail(c, 404, "not_found", "No such API endpoint.");
		return 0;
	}
	for (size_t i = 0; i < sizeof routes / sizeof routes[0] && !r; i++) {
		if (!route_match(&routes[i], c))
			continue;
		if (strcmp(routes[i].method, m) == 0)
			r = &routes[i];
		else
			wrong_method = true;
	}
	if (!r) {
		if (wrong_method)
			call_fail(c, 405, "method_not_allowed", "That method is not allowed here.");
		else
			call_fail(c, 404, "not_found", "No such API endpoint.");
		return 0;
	}
	if (!reading && !same_origin(c->rq)) {
		call_fail(c, 403, "csrf_failed", "Cross-site request refused.");
		return 0;
	}
	if (r->flags & R_BODY) {
		size_t len;
		const char *body = http_req_body(c->rq, &len);
		json_error_t jerr;
		if (len > API_BODY_MAX) {
			call_fail(c, 413, "body_too_large", "The request body is over 16 KiB.");
			return 0;
		}
		if (!is_json(http_req_header(c->rq, "Content-Type"))) {
			call_fail(c, 415, "unsupported_media_type", "Send the body as application/json.");
			return 0;
		}
		c->body = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
		if (!json_is_object(c->body)) {
			call_fail(c, 400, "invalid_json", "The body is not a JSON object.");
			return 0;
		}
	}
	if (r->flags & (R_SESSION | R_ADMIN)) {
		char id[SESSION_ID_LEN + 1];
		int rc = session_cookie_get(http_req_header(c->rq, "Cookie"), id);
		if (!rc)
			rc = session_find(c->st, id, c->now, c->a->cfg->session_lifetime, &c->sess);
		/* the cookie's Max-Age slides with the session */
		if (!rc && c->sess.extended)
			session_cookie_set(c->cookie, sizeof c->cookie, id,
			                   c->a->cfg->session_lifetime, http_req_tls(c->rq));
		explicit_bzero(id, sizeof id);
		if (rc == DZ_EAUTH) {
			session_cookie_set(c->cookie, sizeof c->cookie, NULL, 0, http_req_tls(c->rq));
			call_fail(c, 401, "session_expired", "Your session has expired: log in again.");
			return 0;
		}
		if (rc == DZ_ENOENT) {
			call_fail(c, 401, "unauthenticated", "Log in first.");
			return 0;
		}
		if (rc) {
			call_internal(c, rc);
			return 0;
		}
		if (!reading && !session_csrf_ok(&c->sess, http_req_header(c->rq, "X-CSRF-Token"))) {
			call_fail(c, 403, "csrf_failed", "The request lacks this session's CSRF token.");
			return 0;
		}
		if ((r->flags & R_ADMIN) && !c->sess.admin) {
			call_fail(c, 403, "forbidden", "Only administrators may do that.");
			return 0;
		}
	}
	return r->fn(c) == CALL_PENDING ? CALL_PENDING : 0;
}

/* Workers and the queue ----------------------------------------------------------- */

/* Append a request to the queue (lock held). */
static void push(api_t *a, struct job *j)
{
	j->next = NULL;
	*a->tail = j;
	a->tail = &j->next;
	pthread_cond_signal(&a->cond);
}

/* Queue a request (lock held).  False if the queue is full. */
static bool enqueue(api_t *a, struct job *j)
{
	if (a->nqueued >= API_QUEUE_MAX)
		return false;
	a->nqueued++;
	push(a, j);
	return true;
}

/* Take the first request (lock held); NULL if none. */
static struct job *take(api_t *a)
{
	struct job *j = a->queue;
	if (!j)
		return NULL;
	a->queue = j->next;
	if (!a->queue)
		a->tail = &a->queue;
	a->nqueued--;
	return j;
}

/* A held log-in's time has come (timer thread): back to the workers.  It
 * kept its place in nqueued while it waited. */
static void hold_due(struct timer *t)
{
	struct job *j = (struct job *)((char *)t - offsetof(struct job, hold));
	api_t *a = j->a;
	pthread_mutex_lock(&a->lock);
	push(a, j);
	pthread_mutex_unlock(&a->lock);
}

/* Hold a request for ms on a timer: it waits suspended, holding no worker,
 * and counts in the queue's cap meanwhile.  A log-in slowed down after
 * failures is held once (busy false); one waiting for a hashing slot
 * (busy) as often as it takes, counted in j->waits.  False if the queue
 * is full or the timers have stopped. */
static bool hold(api_t *a, struct job *j, unsigned ms, bool busy)
{
	pthread_mutex_lock(&a->lock);
	bool room = !a->stopping && a->nqueued < API_QUEUE_MAX;
	if (room)
		a->nqueued++;
	pthread_mutex_unlock(&a->lock);
	if (!room)
		return false;
	if (busy)
		j->waits++;
	else
		j->held = true;
	j->hold.fire = hold_due;
	if (timer_at(a->timers, &j->hold, clock_ms() + ms) == 0)
		return true;
	pthread_mutex_lock(&a->lock);
	a->nqueued--;
	pthread_mutex_unlock(&a->lock);
	return false;
}

static void call_free(struct call *c)
{
	json_decref(c->body);
	json_decref(c->out);
	explicit_bzero(&c->sess, sizeof c->sess);
	free(c);
}

/* Send the call's reply, resume the request and free the call (the
 * worker's thread, or the syncer's for a write). */
static void call_end(struct call *c)
{
	http_req_t *rq = c->rq;
	if (c->status == 0)
		call_internal(c, DZ_EINVAL);
	api_send_json(rq, c->status, c->out, c->cookie, c->retry_after);
	http_resume(rq);
	call_free(c);
}

static void serve_job(api_t *a, store_t *st, struct job *j)
{
	struct call *c = calloc(1, sizeof *c);
	if (!c) {
		api_send_json(j->rq, 503, NULL, NULL, 1);
		http_resume(j->rq);
		free(j);
		return;
	}
	c->a = a;
	c->st = st;
	c->rq = j->rq;
	c->job = j;
	c->now = (int64_t)time(NULL);
	if (dispatch(c) == CALL_PENDING) {
		/* the write's done answers; c is no longer ours */
		free(j);
		return;
	}
	if (c->hold && hold(a, j, c->hold_ms, c->hold_busy)) {
		call_free(c);      /* asked again, with a new call, when due */
		return;
	}
	if (c->hold && a->stopping) {
		call_fail(c, 503, "stopping", "The server is stopping.");
	} else if (c->hold && c->hold_busy) {
		c->retry_after = 1;
		call_fail(c, 503, "busy", "The server is busy: try again shortly.");
	} else if (c->hold) {
		c->retry_after = (c->hold_ms + 999) / 1000;
		call_fail(c, 429, "rate_limited", "Too many failed log-ins: wait a little.");
	}
	call_end(c);
	free(j);
}

struct worker_arg {
	api_t *a;
	store_t *st;
};

static void *worker_main(void *arg)
{
	thread_name("dz-api");
	api_t *a = ((struct worker_arg *)arg)->a;
	store_t *st = ((struct worker_arg *)arg)->st;
	free(arg);
	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct job *j = take(a);
		if (j) {
			pthread_mutex_unlock(&a->lock);
			serve_job(a, st, j);
			pthread_mutex_lock(&a->lock);
			continue;
		}
		if (a->stopping)
			break;
		pthread_cond_wait(&a->cond, &a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* HTTP handlers (on the HTTP threads) ----------------------------------------------- */

static void api_http(http_req_t *rq, void *arg)
{
	api_t *a = arg;
	struct job *j = calloc(1, sizeof *j);
	if (!j) {
		api_send_json(rq, 503, NULL, NULL, 1);
		return;
	}
	j->a = a;
	j->rq = rq;
	/* suspended before it is queued: a worker may answer at once */
	http_suspend(rq);
	pthread_mutex_lock(&a->lock);
	bool queued = !a->stopping && enqueue(a, j);
	pthread_mutex_unlock(&a->lock);
	if (!queued) {
		json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", "busy",
		                      "message", "The server is busy: try again shortly.");
		api_send_json(rq, 503, e, NULL, 2);
		json_decref(e);
		http_resume(rq);
		free(j);
	}
}

static void static_http(http_req_t *rq, void *arg)
{
	const struct web_asset *w = web_asset_find(http_req_path(rq));
	if (!w) {
		http_reply(rq, 404, "text/plain", "not found\n", 10, false);
		return;
	}
	api_sec_headers(rq);
	http_reply_header(rq, "ETag", w->etag);
	http_reply_header(rq, "Cache-Control", "no-cache");
	const char *inm = http_req_header(rq, "If-None-Match");
	if (inm && strstr(inm, w->etag)) {
		http_reply(rq, 304, w->type, "", 0, false);
		return;
	}
	http_reply(rq, 200, w->type, (const char *)w->data, w->len, false);
}

/* Setup ------------------------------------------------------------------------- */

/* Housekeeping task (committer thread). */
static int expire_sessions(store_t *st, int64_t now, void *arg)
{
	return sessions_expire(st, now);
}

static int check_config(api_t *a, const struct config *c, char *err, size_t errlen)
{
	static const uint8_t root[1] = { 0 };
	const char *mode = c->signup ? c->signup : "closed";
	a->signup = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(mode, api_signup_names[i]) == 0)
			a->signup = i;
	if (a->signup < 0) {
		snprintf(err, errlen, "signup must be open, invite or closed, not '%s'", mode);
		return DZ_EINVAL;
	}
	for (unsigned i = 0; i < c->signup_zones.n; i++) {
		uint8_t apex[DNAME_MAX];
		const char *t = c->signup_zones.s[i];
		if (!dname_from_text(apex, t, strlen(t), root)) {
			snprintf(err, errlen, "signup-zones: '%s' is not a zone name", t);
			return DZ_EINVAL;
		}
	}
	return 0;
}

int api_start(api_t **out, http_t *h, const struct config *c, committer_t *cm,
              timers_t *ts, housekeep_t *hk, char *err, size_t errlen)
{
	api_t *a = calloc(1, sizeof *a);
	int rc = DZ_ENOMEM;

	*out = NULL;
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	a->cfg = c;
	a->cm = cm;
	a->timers = ts;
	a->tail = &a->queue;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	if ((rc = check_config(a, c, err, errlen)) != 0)
		goto fail;
	a->throttle = session_throttle_new(THROTTLE_SLOTS);
	a->auth_limit = limiter_new(THROTTLE_SLOTS, AUTH_PER_MINUTE, AUTH_BURST);
	if (!a->throttle || !a->auth_limit) {
		snprintf(err, errlen, "out of memory");
		rc = DZ_ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < API_WORKERS; i++) {
		char e[256];
		if (store_open(c->db, &a->st[i], e, sizeof e)) {
			snprintf(err, errlen, "api: cannot open the store: %s", e);
			rc = DZ_EDB;
			goto fail;
		}
	}
	const struct http_route api_route = { NULL, API_PREFIX "*", api_http, a, ROUTE_BODY_MAX };
	if ((rc = http_route_add(h, &api_route)) != 0)
		goto routes;
	size_t nassets;
	const struct web_asset *assets = web_asset_list(&nassets);
	for (size_t i = 0; i < nassets; i++) {
		const struct http_route r = { "GET", assets[i].path, static_http, a, 0 };
		if ((rc = http_route_add(h, &r)) != 0)
			goto routes;
	}
	for (unsigned i = 0; i < API_WORKERS; i++) {
		struct worker_arg *wa = malloc(sizeof *wa);
		if (!wa || (wa->a = a, wa->st = a->st[i],
		            pthread_create(&a->tid[i], NULL, worker_main, wa) != 0)) {
			free(wa);
			snprintf(err, errlen, "api: cannot start a worker thread");
			rc = DZ_EIO;
			goto fail;
		}
		a->nworkers++;
	}
	/* expired sessions go even if nobody logs in */
	if (hk && (rc = housekeep_add(hk, expire_sessions, NULL)) != 0) {
		snprintf(err, errlen, "api: too many housekeeping tasks");
		goto fail;
	}
	log_info("dashboard: sign-up %s", api_signup_names[a->signup]);
	*out = a;
	return 0;
routes:
	snprintf(err, errlen, "api: the HTTP route table is full");
fail:
	api_stop(a);
	api_free(a);
	return rc;
}

void api_metrics(void *arg, textbuf_t *o)
{
	const api_t *a = arg;
	metrics_counter(o, "dynzone_dashboard_auth_failures_total",
	                "Dashboard log-ins and password changes with a wrong password",
	                METRICS_GET(a->auth_failed));
}

void api_stop(api_t *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stopping = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	for (unsigned i = 0; i < a->nworkers; i++)
		pthread_join(a->tid[i], NULL);
	a->nworkers = 0;
}

void api_free(api_t *a)
{
	if (!a)
		return;
	for (unsigned i = 0; i < API_WORKERS; i++)
		store_close(a->st[i]);
	session_throttle_free(a->throttle);
	limiter_free(a->auth_limit);
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

