/* The dashboard's JSON API (/api/v1/) and its embedded files. */
#include "src/api/api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/api/session.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/secret.h"
#include "src/db/accounts.h"
#include "src/db/tokens.h"
#include "src/db/host.h"
#include "src/db/sessions.h"
#include "src/db/updatelog.h"
#include "src/write/limits.h"
#include "web/web_assets.h"
#include "src/db/zones.h"

#define ROUTE_BODY_MAX (4 * API_BODY_MAX)  /* the router's cap; ours is smaller */
#define SEGS_MAX 6
#define SEG_MAX 256
#define HISTORY_DEFAULT 50
#define HISTORY_MAX 500
#define LIST_MAX 1000                     /* rows in one admin list */
#define THROTTLE_SLOTS 4096
#define AUTH_PER_MINUTE 20                /* log-in and sign-up attempts per address */
#define AUTH_BURST 10

enum { SIGNUP_CLOSED, SIGNUP_INVITE, SIGNUP_OPEN };
static const char *const signup_names[] = { "closed", "invite", "open" };

/* Headers on every reply: nothing is framed, sniffed, or loaded from
 * elsewhere. */
static const char *const sec_headers[][2] = {
	{ "Content-Security-Policy",
	  "default-src 'self'; object-src 'none'; base-uri 'none'; "
	  "frame-ancestors 'none'; form-action 'self'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
};

struct job {
	api_t *a;
	http_req_t *rq;
	struct timer hold;         /* a held log-in waits on it */
	bool held;                 /* was held once: do not hold again */
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
	unsigned nworkers;
	pthread_t tid[API_WORKERS];
	store_t *st[API_WORKERS];
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
	unsigned hold_ms;
};

/* Replies ------------------------------------------------------------------ */

static void add_sec_headers(http_req_t *rq)
{
	for (size_t i = 0; i < sizeof sec_headers / sizeof sec_headers[0]; i++)
		http_reply_header(rq, sec_headers[i][0], sec_headers[i][1]);
}

/* Set an error reply: {"error":{"code":...,"message":...}}.  Returns -1 so
 * a handler can `return fail(...)`. */
static int fail(struct call *c, unsigned status, const char *code, const char *msg)
{
	json_decref(c->out);
	c->status = status;
	c->out = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
	return -1;
}

static int fail_internal(struct call *c, int rc)
{
	log_err("api: %s %s: %s", c->method, http_req_path(c->rq), dz_strerror(rc));
	return fail(c, 500, "internal", "Something went wrong on the server.");
}

static void ok(struct call *c, unsigned status, json_t *out)
{
	json_decref(c->out);
	c->status = status;
	c->out = out;
}

/* Send a JSON reply (body NULL: none) with the security headers. */
static void send_json(http_req_t *rq, unsigned status, json_t *body, const char *cookie,
                      unsigned retry_after)
{
	char *text = NULL;
	size_t len = 0;
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			status = 500;
			text = strdup("{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
		}
		len = text ? strlen(text) : 0;
	}
	add_sec_headers(rq);
	http_reply_header(rq, "Cache-Control", "no-store");
	if (cookie && cookie[0])
		http_reply_header(rq, "Set-Cookie", cookie);
	if (retry_after) {
		char ra[16];
		snprintf(ra, sizeof ra, "%u", retry_after);
		http_reply_header(rq, "Retry-After", ra);
	}
	http_reply(rq, status, "application/json", text ? text : "", len, false);
	free(text);
}

/* JSON from stored text that updates put there (user agents, TXT values):
 * bytes outside printable ASCII are shown as \xNN, so the string is always
 * valid UTF-8 and plain to display. */
static json_t *safe_text(const void *p, int n)
{
	const unsigned char *s = p;
	char buf[4 * 512 + 1];
	size_t o = 0;
	if (!s || n < 0)
		return json_string("");
	for (int i = 0; i < n && o + 5 < sizeof buf; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			buf[o++] = (char)s[i];
		else
			o += (size_t)snprintf(buf + o, sizeof buf - o, "\\x%02x", s[i]);
	}
	buf[o] = 0;
	return json_string(buf);
}

static json_t *str_json(const char *t)
{
	return safe_text(t, (int)strlen(t));
}

/* A name's presentation form without the trailing dot. */
static void name_text(const char *text, char *out, size_t cap)
{
	size_t n = strnlen(text, cap - 1);
	if (n > 1 && text[n - 1] == '.')
		n--;
	memcpy(out, text, n);
	out[n] = 0;
}

/* Request details ------------------------------------------------------------ */

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A query parameter's raw value ("" if present without '='), or NULL. */
static const char *query_param(const char *q, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	while (q && *q) {
		const char *end = strchr(q, '&');
		size_t n = end ? (size_t)(end - q) : strlen(q);
		if (n >= kl && memcmp(q, key, kl) == 0 && (n == kl || q[kl] == '=')) {
			size_t vl = n > kl ? n - kl - 1 : 0;
			size_t got;
			if (dd2_decode(q + n - vl, vl, out, cap, &got))
				return NULL;
			return out;
		}
		q = end ? end + 1 : NULL;
	}
	return NULL;
}

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

/* The committer ------------------------------------------------------------- */

/* A handler that writes hands its call to write_tx and returns what
 * write_tx returns; CALL_PENDING means the call now belongs to the write,
 * whose done answers the request: neither the handler nor the worker may
 * touch the call after that. */
#define CALL_PENDING 1

typedef int (*write_fn)(store_t *st, void *arg);
/* The rest of a handler once its write is done: the reply, from the
 * write's result rc and its copy of arg.  Runs on the committer's syncer
 * thread (or the worker, without a committer): must not block or use the
 * worker's store connection (c->st).  -1 after fail(), else 0. */
typedef int (*write_after)(struct call *c, int rc, void *arg);

struct write_job {
	struct commit_job job;     /* first: the committer hands it back */
	struct call *c;
	write_fn fn;
	write_after after;
	void *arg;                 /* write_tx's copy */
	size_t len;
};

static void call_end(struct call *c);
/* The second halves of the handlers that write. */
static int host_add_done(struct call *c, int rc, void *arg);
static int host_del_done(struct call *c, int rc, void *arg);
static int token_del_done(struct call *c, int rc, void *arg);
static int zone_add_done(struct call *c, int rc, void *arg);

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

/* Run fn(arg) in a committed transaction and then after(c, rc, arg).  On
 * the group committer (so the change is journalled, durable and served
 * before the reply goes): arg (len bytes) is copied, the job submitted,
 * and CALL_PENDING returned at once; no thread waits.  Without one, on
 * our own connection, synchronously: after's result. */
static int write_tx(struct call *c, write_fn fn, void *arg, size_t len, write_after after)
{
	if (!c->a->cm) {
		return after(c, store_txn(c->st, fn, arg), arg);
	}
	struct write_job *w = calloc(1, sizeof *w);
	void *copy = malloc(len);
	if (!w || !copy) {
		free(w);
		free(copy);
		return fail_internal(c, DZ_ENOMEM);
	}
	memcpy(copy, arg, len);
	*w = (struct write_job){ .job = { .run = write_run, .done = write_done },
	                         .c = c, .fn = fn, .after = after, .arg = copy, .len = len };
	commit_submit(c->a->cm, &w->job);
	return CALL_PENDING;
}

/* Zones a user may use ------------------------------------------------------ */

/* The zone whose apex is exactly `apex`. */
static int zone_exact(store_t *st, const uint8_t *apex, struct store_zone *z)
{
	int rc = store_zone_find(st, apex, z);
	if (!rc && !dname_equal_ci(z->apex, apex))
		rc = DZ_ENOENT;
	return rc;
}

static bool signup_zone(const api_t *a, const struct store_zone *z)
{
	static const uint8_t root[1] = { 0 };
	for (unsigned i = 0; i < a->cfg->signup_zones.n; i++) {
		uint8_t apex[DNAME_MAX];
		const char *t = a->cfg->signup_zones.s[i];
		if (dname_from_text(apex, t, strlen(t), root) && dname_equal_ci(apex, z->apex))
			return true;
	}
	return false;
}

/* May the session's user create hosts in z?  *max gets the cap on their
 * hosts there (0: none). */
static bool zone_allowed(struct call *c, const struct store_zone *z, unsigned *max)
{
	*max = 0;
	if (c->sess.admin)
		return true;
	int rc = accounts_access(c->st, c->sess.user_id, z->id, max);
	if (rc == DZ_EDB)
		return false;
	bool yes = rc == 0;
	if (!yes && signup_zone(c->a, z)) {
		*max = (unsigned)c->a->cfg->signup_max_hosts;
		yes = true;
	}
	return yes;
}

struct zones_ctx {
	struct call *c;
	json_t *arr;
};

static int zone_if_allowed(void *ctx, const struct store_zone *z)
{
	struct zones_ctx *zc = ctx;
	unsigned max;
	char name[1024];
	if (zone_allowed(zc->c, z, &max)) {
		name_text(z->name, name, sizeof name);
		json_array_append_new(zc->arr, json_string(name));
	}
	return 0;
}

/* Sessions and the "me" object -------------------------------------------------- */

static json_t *me_json(struct call *c)
{
	struct zones_ctx zc = { c, json_array() };
	store_zone_list(c->st, zone_if_allowed, &zc);
	return json_pack("{s:{s:s,s:b},s:s,s:o,s:s}",
	                 "user", "name", c->sess.user, "admin", c->sess.admin,
	                 "csrf", c->sess.csrf, "zones", zc.arr,
	                 "signup", signup_names[c->a->signup]);
}

/* Start a session for a user who proved who they are, and answer with it. */
static int start_session(struct call *c, int64_t user_id, unsigned status)
{
	char id[SESSION_ID_LEN + 1];
	int rc = session_create(c->st, user_id, c->now, c->a->cfg->session_lifetime, id, &c->sess);
	if (rc)
		return fail_internal(c, rc);
	session_cookie_set(c->cookie, sizeof c->cookie, id, c->a->cfg->session_lifetime,
	                   http_req_tls(c->rq));
	explicit_bzero(id, sizeof id);
	ok(c, status, me_json(c));
	return 0;
}

static bool rate_ok(struct call *c)
{
	uint8_t key[9];
	size_t kl = limit_addr_key(http_req_client(c->rq), key);
	if (limiter_take(c->a->auth_limit, key, kl, clock_ms(), &c->retry_after) == 0)
		return true;
	fail(c, 429, "rate_limited", "Too many attempts from your address: wait a little.");
	return false;
}

static int h_info(struct call *c)
{
	ok(c, 200, json_pack("{s:s}", "signup", signup_names[c->a->signup]));
	return 0;
}

static int h_signup(struct call *c)
{
	const char *user = jstr(c->body, "user"), *pw = jstr(c->body, "password");
	const char *invite = jstr(c->body, "invite");
	char enc[SECRET_PW_ENCODED];
	int64_t id;
	int rc;

	if (c->a->signup == SIGNUP_CLOSED)
		return fail(c, 403, "signup_closed", "Sign-up is closed on this server.");
	if (!user || !secret_user_name_ok(user))
		return fail(c, 422, "invalid_name", "A user name is 1 to 63 letters, digits, "
		            "'.', '-', '_' or '@'.");
	if (!pw || secret_password_ok(pw))
		return fail(c, 422, "invalid_password", "A password needs at least 10 characters.");
	if (c->a->signup == SIGNUP_INVITE && (!invite || !secret_token_wellformed(invite)))
		return fail(c, 403, "invite_invalid", "Sign-up needs a valid invite code.");
	if (!rate_ok(c))
		return -1;
	if ((rc = secret_password_hash(pw, enc)) != 0)
		return fail_internal(c, rc);
	if (store_begin(c->st))
		return fail_internal(c, DZ_EDB);
	rc = accounts_add(c->st, user, enc, false, &id);
	if (!rc && c->a->signup == SIGNUP_INVITE)
		rc = session_invite_use(c->st, invite, id, c->now);
	if (!rc)
		rc = store_commit(c->st);
	explicit_bzero(enc, sizeof enc);
	if (rc) {
		store_rollback(c->st);
		if (rc == DZ_EEXIST)
			return fail(c, 409, "user_exists", "That user name is taken.");
		if (rc == DZ_EAUTH)
			return fail(c, 403, "invite_invalid", "That invite code is unknown, used or expired.");
		return fail_internal(c, rc);
	}
	log_info("api: new user %s from %s", user, http_req_client_text(c->rq));
	return start_session(c, id, 201);
}

static int h_login(struct call *c)
{
	const char *user = jstr(c->body, "user"), *pw = jstr(c->body, "password");
	int64_t id;
	bool admin;

	if (!user || !pw || strlen(user) >= SECRET_NAME_MAX || strlen(pw) > SECRET_PW_MAX)
		return fail(c, 400, "bad_request", "Give a user name and a password.");
	if (!c->job->held) {
		unsigned d = session_throttle_delay(c->a->throttle, user,
		                                    http_req_client(c->rq), clock_ms());
		if (d) {
			c->hold = true;
			c->hold_ms = d;
			return 0;
		}
	}
	if (!rate_ok(c))
		return -1;
	int rc = session_password_check(c->st, user, pw, &id, &admin);
	if (rc == DZ_EAUTH) {
		session_throttle_fail(c->a->throttle, user, http_req_client(c->rq), clock_ms());
		log_info("api: failed log-in for '%.63s' from %s", user, http_req_client_text(c->rq));
		return fail(c, 401, "bad_credentials", "Wrong user name or password.");
	}
	if (rc)
		return fail_internal(c, rc);
	return start_session(c, id, 200);
}

static int h_logout(struct call *c)
{
	int rc = session_end(c->st, &c->sess);
	if (rc)
		return fail_internal(c, rc);
	session_cookie_set(c->cookie, sizeof c->cookie, NULL, 0, http_req_tls(c->rq));
	ok(c, 204, NULL);
	return 0;
}

static int h_me(struct call *c)
{
	ok(c, 200, me_json(c));
	return 0;
}

/* Hosts ------------------------------------------------------------------------ */

static json_t *addr_json(bool has, int family, const uint8_t *a)
{
	char text[INET6_ADDRSTRLEN];
	if (!has || !inet_ntop(family, a, text, sizeof text))
		return json_null();
	return json_string(text);
}

/* Rows gathered into a JSON array, at most LIST_MAX. */
static int arr_full(json_t *arr)
{
	return json_array_size(arr) >= LIST_MAX;
}

static int txt_row(void *ctx, const uint8_t *v, size_t len)
{
	json_array_append_new(ctx, safe_text(v, (int)len));
	return arr_full(ctx);
}

static int token_row(void *ctx, const struct token_info *t)
{
	json_array_append_new(ctx, json_pack("{s:o,s:I,s:I}", "id", str_json(t->tid),
	                                     "created", (json_int_t)t->created,
	                                     "last_used", (json_int_t)t->last_used));
	return arr_full(ctx);
}

static int zone_name_row(void *ctx, const char *zone)
{
	char name[1024];
	name_text(zone, name, sizeof name);
	json_array_append_new(ctx, json_string(name));
	return arr_full(ctx);
}

/* One update_log row as {time, addrs, client, agent, result}. */
static int log_row(void *ctx, const struct updatelog_row *r)
{
	json_array_append_new(ctx, json_pack("{s:I,s:o,s:o,s:o,s:o}", "time", (json_int_t)r->time,
	                                     "addrs", str_json(r->addrs), "client", str_json(r->client),
	                                     "agent", str_json(r->agent), "result", str_json(r->result)));
	return arr_full(ctx);
}

/* A walk's rows as a JSON array; NULL on a store error (rc < 0). */
static json_t *rows_done(json_t *arr, int rc)
{
	if (rc < 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* rows_done, with a store error shown as no rows (parts of a bigger
 * answer). */
static json_t *rows_or_empty(json_t *arr, int rc)
{
	json_t *out = rows_done(arr, rc);
	return out ? out : json_array();
}

/* The host's last update that was taken (good or nochg), or null. */
static json_t *host_last_json(store_t *st, int64_t host_id)
{
	json_t *arr = json_array();
	arr = rows_or_empty(arr, updatelog_list(st, host_id, UPDATELOG_TAKEN, 1, log_row, arr));
	json_t *last = json_array_get(arr, 0);
	json_t *out = last ? json_incref(last) : json_null();
	json_decref(arr);
	return out;
}

static json_t *host_txt_json(store_t *st, int64_t host_id)
{
	json_t *arr = json_array();
	return rows_or_empty(arr, host_txt_list(st, host_id, txt_row, arr));
}

static json_t *host_tokens_json(store_t *st, int64_t host_id)
{
	json_t *arr = json_array();
	return rows_or_empty(arr, tokens_list(st, host_id, token_row, arr));
}

/* A host as the dashboard shows it; `detail` lists its tokens (else their
 * number). */
static json_t *host_json(store_t *st, const struct host *h, bool detail)
{
	char name[HOST_TEXT_MAX], zname[1024] = "";
	struct store_zone z;
	name_text(h->text, name, sizeof name);
	if (store_zone_get(st, h->zone_id, &z) == 0)
		name_text(z.name, zname, sizeof zname);
	return json_pack("{s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:b,s:I,s:I,s:o,s:o}",
		"name", name, "zone", zname, "owner", h->user, "ttl", (json_int_t)h->ttl,
		"ipv4", addr_json(h->addrs.has4, AF_INET, h->addrs.v4),
		"ipv6", addr_json(h->addrs.has6, AF_INET6, h->addrs.v6),
		"txt", host_txt_json(st, h->id), "offline", h->offline,
		"created", (json_int_t)h->created, "updated", (json_int_t)h->updated,
		"last_update", host_last_json(st, h->id),
		"tokens", detail ? host_tokens_json(st, h->id)
		                 : json_integer(h->ntokens));
}

struct list_ctx {
	store_t *st;
	json_t *arr;
};

static int host_list_cb(void *ctx, const struct host *h)
{
	struct list_ctx *lc = ctx;
	json_array_append_new(lc->arr, host_json(lc->st, h, false));
	return json_array_size(lc->arr) >= LIST_MAX;
}

static int h_hosts(struct call *c)
{
	struct list_ctx lc = { c->st, json_array() };
	int rc = host_list(c->st, c->sess.user_id, host_list_cb, &lc);
	if (rc < 0) {
		json_decref(lc.arr);
		return fail_internal(c, rc);
	}
	ok(c, 200, json_pack("{s:o}", "hosts", lc.arr));
	return 0;
}

/* The host named by path segment 1, if the session may see it.  Someone
 * else's host is "not found", like one that does not exist. */
static int find_host(struct call *c, struct host *h)
{
	uint8_t name[DNAME_MAX];
	const char *t = c->seg[1];
	if (!dd2_hostname(t, strlen(t), name))
		return fail(c, 404, "not_found", "No such host.");
	int rc = host_find(c->st, name, h);
	if (rc == DZ_ENOENT || (!rc && h->user_id != c->sess.user_id && !c->sess.admin))
		return fail(c, 404, "not_found", "No such host.");
	if (rc)
		return fail_internal(c, rc);
	return 0;
}

struct op_add {
	uint8_t name[DNAME_MAX];
	int64_t user_id, zone_id;
	unsigned max_hosts;
	struct host h;
	char token[SECRET_TOKEN_LEN + 1];
	unsigned revoked;
	json_t *host;              /* the reply's host, read after the insert */
};

/* In the committer's transaction, so the checks and the insert are one. */
static int op_host_add(store_t *st, void *arg)
{
	struct op_add *o = arg;
	int rc;
	if (o->max_hosts) {
		long long n = host_count(st, o->user_id, o->zone_id);
		if (n < 0)
			return DZ_EDB;
		if ((unsigned long long)n >= o->max_hosts)
			return DZ_ELIMIT;
	}
	/* a name that has records (static ones, glue) is not free: host_add
	 * would take its addresses over */
	long long n = store_record_count(st, o->zone_id, o->name, -1, false);
	if (n < 0)
		return DZ_EDB;
	if (n > 0)
		return DZ_EEXIST;
	if ((rc = host_add(st, o->name, o->user_id, 0, &o->h)) != 0)
		return rc;
	if ((rc = tokens_create(st, o->user_id, &o->h.id, 1, o->token)) != 0)
		return rc;
	/* the reply's host, read here: done may not use a worker's store */
	o->host = host_json(st, &o->h, true);
	return 0;
}

/* A label users may pick: letters, digits, '-' inside (RFC 1123). */
static bool label_ok(const char *l, size_t n)
{
	if (n == 0 || n > 63 || l[0] == '-' || l[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = l[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
	}
	return true;
}

static int h_host_add(struct call *c)
{
	const char *label = jstr(c->body, "name"), *zone = jstr(c->body, "zone");
	char text[DD2_HOST_TEXT];
	uint8_t *name;
	struct store_zone z;
	struct op_add o;
	int rc;

	memset(&o, 0, sizeof o);
	name = o.name;
	if (!label)
		return fail(c, 400, "bad_request", "Give the host a name.");
	/* with a zone, the name is one label; without, a full name whose
	 * first label is the user's */
	size_t ll = zone ? strlen(label) : strcspn(label, ".");
	int n = zone ? snprintf(text, sizeof text, "%s.%s", label, zone)
	             : snprintf(text, sizeof text, "%s", label);
	if (!label_ok(label, ll) || n < 0 || (size_t)n >= sizeof text ||
	    !dd2_hostname(text, (size_t)n, name))
		return fail(c, 422, "invalid_name", "A host name is 1 to 63 letters, digits "
		            "and hyphens (not at either end).");
	rc = store_zone_find(c->st, name, &z);
	if (rc == DZ_ENOENT || (!rc && dname_labels(name) != dname_labels(z.apex) + 1))
		return fail(c, 422, "invalid_zone", "That is not a name directly inside a zone "
		            "of this server.");
	if (rc)
		return fail_internal(c, rc);
	if (!zone_allowed(c, &z, &o.max_hosts))
		return fail(c, 403, "zone_forbidden", "You may not create hosts in that zone.");
	o.user_id = c->sess.user_id;
	o.zone_id = z.id;
	return write_tx(c, op_host_add, &o, sizeof o, host_add_done);
}

static int host_add_done(struct call *c, int rc, void *arg)
{
	struct op_add *o = arg;
	if (rc) {
		json_decref(o->host);
		o->host = NULL;
	}
	if (rc == DZ_EEXIST)
		return fail(c, 409, "exists", "That name is taken.");
	if (rc == DZ_ELIMIT)
		return fail(c, 403, "host_limit", "You have as many hosts in that zone as you may.");
	if (rc == DZ_EINVAL)
		return fail(c, 422, "invalid_name", "That name cannot be a host.");
	if (rc)
		return fail_internal(c, rc);
	log_info("api: %s added host %s", c->sess.user, o->h.text);
	char tid[SECRET_TID_LEN + 1];
	memcpy(tid, o->token, SECRET_TID_LEN);
	tid[SECRET_TID_LEN] = 0;
	ok(c, 201, json_pack("{s:o,s:s,s:s}", "host", o->host, "token", o->token, "token_id", tid));
	explicit_bzero(o->token, sizeof o->token);
	return 0;
}

static int h_host_get(struct call *c)
{
	struct host h;
	if (find_host(c, &h))
		return -1;
	ok(c, 200, json_pack("{s:o}", "host", host_json(c->st, &h, true)));
	return 0;
}

static int op_host_del(store_t *st, void *arg)
{
	return host_del(st, arg);
}

static int h_host_del(struct call *c)
{
	struct host h;
	if (find_host(c, &h))
		return -1;
	return write_tx(c, op_host_del, &h, sizeof h, host_del_done);
}

static int host_del_done(struct call *c, int rc, void *arg)
{
	const struct host *h = arg;
	if (rc)
		return fail_internal(c, rc);
	log_info("api: %s deleted host %s", c->sess.user, h->text);
	ok(c, 204, NULL);
	return 0;
}

/* Tokens --------------------------------------------------------------------- */

static int op_token_new(store_t *st, void *arg)
{
	struct op_add *o = arg;
	return tokens_create(st, o->h.user_id, &o->h.id, 1, o->token);
}

static int op_token_rotate(store_t *st, void *arg)
{
	struct op_add *o = arg;
	int rc = tokens_revoke(st, o->h.id, NULL, &o->revoked);
	return rc ? rc : op_token_new(st, arg);
}

static int token_reply(struct call *c, int rc, struct op_add *o, bool rotate)
{
	if (rc)
		return fail_internal(c, rc);
	char tid[SECRET_TID_LEN + 1];
	memcpy(tid, o->token, SECRET_TID_LEN);
	tid[SECRET_TID_LEN] = 0;
	json_t *out = json_pack("{s:s,s:s}", "token", o->token, "id", tid);
	if (rotate)
		json_object_set_new(out, "revoked", json_integer(o->revoked));
	explicit_bzero(o->token, sizeof o->token);
	ok(c, 201, out);
	return 0;
}

static int token_new_done(struct call *c, int rc, void *arg)
{
	return token_reply(c, rc, arg, false);
}

static int token_rotate_done(struct call *c, int rc, void *arg)
{
	return token_reply(c, rc, arg, true);
}

static int token_write(struct call *c, write_fn fn, write_after after)
{
	struct op_add o;
	memset(&o, 0, sizeof o);
	if (find_host(c, &o.h))
		return -1;
	return write_tx(c, fn, &o, sizeof o, after);
}

static int h_token_new(struct call *c)
{
	return token_write(c, op_token_new, token_new_done);
}

static int h_token_rotate(struct call *c)
{
	return token_write(c, op_token_rotate, token_rotate_done);
}

struct op_revoke {
	int64_t host_id;
	const char *tid;
	unsigned n;
};

static int op_token_revoke(store_t *st, void *arg)
{
	struct op_revoke *o = arg;
	return tokens_revoke(st, o->host_id, o->tid, &o->n);
}

static int h_token_del(struct call *c)
{
	struct host h;
	if (find_host(c, &h))
		return -1;
	/* a token id is the token's first characters: check the shape by
	 * padding it out to a whole token */
	char probe[SECRET_TOKEN_LEN + 1];
	memset(probe, 'A', SECRET_TOKEN_LEN);
	probe[SECRET_TOKEN_LEN] = 0;
	size_t n = strlen(c->seg[3]);
	if (n != SECRET_TID_LEN)
		return fail(c, 404, "not_found", "No such token.");
	memcpy(probe, c->seg[3], n);
	if (!secret_token_wellformed(probe))
		return fail(c, 404, "not_found", "No such token.");
	struct op_revoke o = { h.id, c->seg[3], 0 };
	return write_tx(c, op_token_revoke, &o, sizeof o, token_del_done);
}

static int token_del_done(struct call *c, int rc, void *arg)
{
	const struct op_revoke *o = arg;
	if (rc)
		return fail_internal(c, rc);
	if (o->n == 0)
		return fail(c, 404, "not_found", "No such token.");
	ok(c, 204, NULL);
	return 0;
}

static int h_history(struct call *c)
{
	struct host h;
	char buf[32];
	long limit = HISTORY_DEFAULT;
	if (find_host(c, &h))
		return -1;
	const char *q = http_req_query(c->rq);
	const char *all = query_param(q, "all", buf, sizeof buf);
	bool every = all && strcmp(all, "0") != 0;
	const char *lim = query_param(q, "limit", buf, sizeof buf);
	if (lim) {
		char *end;
		errno = 0;
		limit = strtol(lim, &end, 10);
		if (errno || *end || end == lim || limit < 1 || limit > HISTORY_MAX)
			return fail(c, 400, "bad_request", "limit is a number from 1 to 500.");
	}
	json_t *arr = json_array();
	arr = rows_done(arr, updatelog_list(c->st, h.id, every ? UPDATELOG_ALL : UPDATELOG_GOOD,
	                                    (unsigned)limit, log_row, arr));
	if (!arr)
		return fail_internal(c, DZ_EDB);
	ok(c, 200, json_pack("{s:o}", "history", arr));
	return 0;
}

/* Admin ---------------------------------------------------------------------- */

static int zone_row(void *ctx, const struct store_zone *z)
{
	struct call *c = ctx;
	char name[1024];
	long long n = host_count(c->st, 0, z->id);
	int hosts = n > 0 ? (int)n : 0;
	name_text(z->name, name, sizeof name);
	json_array_append_new(c->out, json_pack("{s:s,s:I,s:i,s:I,s:b}", "name", name,
		"serial", (json_int_t)z->soa.serial, "hosts", hosts,
		"default_ttl", (json_int_t)z->default_ttl, "open", signup_zone(c->a, z)));
	return json_array_size(c->out) >= LIST_MAX;
}

static int h_zones(struct call *c)
{
	c->out = json_array();
	int rc = store_zone_list(c->st, zone_row, c);
	json_t *arr = c->out;
	c->out = NULL;
	if (rc < 0) {
		json_decref(arr);
		return fail_internal(c, rc);
	}
	ok(c, 200, json_pack("{s:o}", "zones", arr));
	return 0;
}

struct op_zone {
	uint8_t apex[DNAME_MAX], ns[DNAME_MAX];
	int64_t now;
};

static int op_zone_add(store_t *st, void *arg)
{
	struct op_zone *o = arg;
	struct zsoa soa;
	int64_t id;
	/* the same SOA defaults as `dynzone zone add` */
	int rc = store_zone_soa_defaults(&soa, o->apex, o->ns, 3600, o->now);
	if (rc)
		return rc;
	rc = store_zone_add(st, o->apex, &soa, STORE_ZONE_HOST_TTL, &id);
	if (rc)
		return rc;
	struct store_rr rr = { .zone_id = id, .owner = o->apex, .type = RR_NS, .ttl = soa.ttl,
	                       .rdata = o->ns, .rdlen = dname_len(o->ns, DNAME_MAX) };
	return store_record_add(st, &rr);
}

static int h_zone_add(struct call *c)
{
	const char *name = jstr(c->body, "name"), *ns = jstr(c->body, "ns");
	struct op_zone o;
	memset(&o, 0, sizeof o);
	if (!name || !dd2_hostname(name, strlen(name), o.apex))
		return fail(c, 422, "invalid_name", "A zone name is letters, digits and hyphens "
		            "in at least two labels.");
	if (!ns || !dd2_hostname(ns, strlen(ns), o.ns))
		return fail(c, 422, "invalid_ns", "Give the name server's host name.");
	if (dname_is_sub(o.ns, o.apex))
		return fail(c, 422, "invalid_ns", "A name server inside the new zone needs glue: "
		            "create the zone with `dynzone zone add --ns NAME=ADDR`.");
	o.now = c->now;
	return write_tx(c, op_zone_add, &o, sizeof o, zone_add_done);
}

static int zone_add_done(struct call *c, int rc, void *arg)
{
	const char *name = jstr(c->body, "name");
	if (rc == DZ_EEXIST)
		return fail(c, 409, "exists", "That zone exists already.");
	if (rc == DZ_EINVAL)
		return fail(c, 422, "invalid_name", "That zone name is too long.");
	if (rc)
		return fail_internal(c, rc);
	log_info("api: %s added zone %s", c->sess.user, name);
	ok(c, 201, json_pack("{s:{s:s}}", "zone", "name", name));
	return 0;
}

static int user_row(void *ctx, const struct account_info *a)
{
	json_array_append_new(ctx, json_pack("{s:I,s:o,s:b,s:I,s:i}",
		"id", (json_int_t)a->id, "name", str_json(a->name), "admin", a->admin,
		"created", (json_int_t)a->created, "hosts", (int)a->nhosts));
	return arr_full(ctx);
}

static int h_users(struct call *c)
{
	json_t *arr = json_array();
	arr = rows_done(arr, accounts_list(c->st, user_row, arr));
	if (!arr)
		return fail_internal(c, DZ_EDB);
	/* the zones of each, once the list is read (one statement at a time) */
	size_t i;
	json_t *u;
	json_array_foreach(arr, i, u) {
		json_int_t id = json_integer_value(json_object_get(u, "id"));
		json_t *zones = json_array();
		zones = rows_or_empty(zones, accounts_zones(c->st, id, zone_name_row, zones));
		json_object_set_new(u, "zones", zones);
		json_object_del(u, "id");
	}
	ok(c, 200, json_pack("{s:o}", "users", arr));
	return 0;
}

/* The user of path segment 1 and the zone named `zone`. */
static int grant_target(struct call *c, const char *zone, int64_t *user_id,
                        struct store_zone *z)
{
	uint8_t apex[DNAME_MAX];
	int rc = accounts_find(c->st, c->seg[1], user_id, NULL);
	if (rc == DZ_ENOENT)
		return fail(c, 404, "not_found", "No such user.");
	if (rc)
		return fail_internal(c, rc);
	if (!zone || !dd2_hostname(zone, strlen(zone), apex))
		return fail(c, 404, "not_found", "No such zone.");
	rc = zone_exact(c->st, apex, z);
	if (rc == DZ_ENOENT)
		return fail(c, 404, "not_found", "No such zone.");
	return rc ? fail_internal(c, rc) : 0;
}

static int h_grant(struct call *c)
{
	int64_t user_id;
	struct store_zone z;
	json_t *max = json_object_get(c->body, "max_hosts");
	if (max && !json_is_null(max) &&
	    (!json_is_integer(max) || json_integer_value(max) < 0 ||
	     json_integer_value(max) > 1000000))
		return fail(c, 422, "invalid_value", "max_hosts is a number from 0 (no cap) up.");
	if (grant_target(c, jstr(c->body, "zone"), &user_id, &z))
		return -1;
	if (accounts_grant(c->st, user_id, z.id, max ? (unsigned)json_integer_value(max) : 0))
		return fail_internal(c, DZ_EDB);
	ok(c, 204, NULL);
	return 0;
}

static int h_revoke(struct call *c)
{
	int64_t user_id;
	struct store_zone z;
	if (grant_target(c, c->seg[3], &user_id, &z))
		return -1;
	int rc = accounts_revoke(c->st, user_id, z.id);
	if (rc == DZ_ENOENT)
		return fail(c, 404, "not_found", "That user has no grant for that zone.");
	if (rc)
		return fail_internal(c, DZ_EDB);
	ok(c, 204, NULL);
	return 0;
}

static int h_invite(struct call *c)
{
	char code[SECRET_TOKEN_LEN + 1];
	int rc = session_invite_create(c->st, c->sess.user_id, c->now, code);
	if (rc)
		return fail_internal(c, rc);
	ok(c, 201, json_pack("{s:s,s:I}", "code", code,
	                     "expires", (json_int_t)(c->now + SESSION_INVITE_DAYS * 86400LL)));
	explicit_bzero(code, sizeof code);
	return 0;
}

/* The API's routes ------------------------------------------------------------------- */

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
	{ "GET", "hosts", R_SESSION, h_hosts },
	{ "POST", "hosts", R_SESSION | R_BODY, h_host_add },
	{ "GET", "hosts/*", R_SESSION, h_host_get },
	{ "DELETE", "hosts/*", R_SESSION, h_host_del },
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
		fail(c, 404, "not_found", "No such API endpoint.");
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
			fail(c, 405, "method_not_allowed", "That method is not allowed here.");
		else
			fail(c, 404, "not_found", "No such API endpoint.");
		return 0;
	}
	if (!reading && !same_origin(c->rq)) {
		fail(c, 403, "csrf_failed", "Cross-site request refused.");
		return 0;
	}
	if (r->flags & R_BODY) {
		size_t len;
		const char *body = http_req_body(c->rq, &len);
		json_error_t jerr;
		if (len > API_BODY_MAX) {
			fail(c, 413, "body_too_large", "The request body is over 16 KiB.");
			return 0;
		}
		if (!is_json(http_req_header(c->rq, "Content-Type"))) {
			fail(c, 415, "unsupported_media_type", "Send the body as application/json.");
			return 0;
		}
		c->body = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
		if (!json_is_object(c->body)) {
			fail(c, 400, "invalid_json", "The body is not a JSON object.");
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
			fail(c, 401, "session_expired", "Your session has expired: log in again.");
			return 0;
		}
		if (rc == DZ_ENOENT) {
			fail(c, 401, "unauthenticated", "Log in first.");
			return 0;
		}
		if (rc) {
			fail_internal(c, rc);
			return 0;
		}
		if (!reading && !session_csrf_ok(&c->sess, http_req_header(c->rq, "X-CSRF-Token"))) {
			fail(c, 403, "csrf_failed", "The request lacks this session's CSRF token.");
			return 0;
		}
		if ((r->flags & R_ADMIN) && !c->sess.admin) {
			fail(c, 403, "forbidden", "Only administrators may do that.");
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

/* Hold a log-in for ms on a timer: it waits suspended, holding no worker,
 * and counts in the queue's cap meanwhile.  False if the queue is full
 * or the timers have stopped. */
static bool hold(api_t *a, struct job *j, unsigned ms)
{
	pthread_mutex_lock(&a->lock);
	bool room = !a->stopping && a->nqueued < API_QUEUE_MAX;
	if (room)
		a->nqueued++;
	pthread_mutex_unlock(&a->lock);
	if (!room)
		return false;
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
		fail_internal(c, DZ_EINVAL);
	send_json(rq, c->status, c->out, c->cookie, c->retry_after);
	http_resume(rq);
	call_free(c);
}

static void serve_job(api_t *a, store_t *st, struct job *j)
{
	struct call *c = calloc(1, sizeof *c);
	if (!c) {
		send_json(j->rq, 503, NULL, NULL, 1);
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
	if (c->hold && hold(a, j, c->hold_ms)) {
		call_free(c);      /* asked again, with a new call, when due */
		return;
	}
	if (c->hold && a->stopping) {
		fail(c, 503, "stopping", "The server is stopping.");
	} else if (c->hold) {
		c->retry_after = (c->hold_ms + 999) / 1000;
		fail(c, 429, "rate_limited", "Too many failed log-ins: wait a little.");
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
		send_json(rq, 503, NULL, NULL, 1);
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
		send_json(rq, 503, e, NULL, 2);
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
	add_sec_headers(rq);
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
		if (strcmp(mode, signup_names[i]) == 0)
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
	log_info("dashboard: sign-up %s", signup_names[a->signup]);
	*out = a;
	return 0;
routes:
	snprintf(err, errlen, "api: the HTTP route table is full");
fail:
	api_stop(a);
	api_free(a);
	return rc;
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
