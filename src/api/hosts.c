/* Hosts: the dashboard's list, creating and deleting hosts, their tokens
 * and their update history. */
#include "src/api/call.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "src/common/log.h"
#include "src/common/secret.h"
#include "src/db/host.h"
#include "src/db/tokens.h"
#include "src/db/updatelog.h"

#define HISTORY_DEFAULT 50
#define HISTORY_MAX 500

/* The second halves of the handlers that write. */
static int host_add_done(struct call *c, int rc, void *arg);
static int host_del_done(struct call *c, int rc, void *arg);
static int host_patch_done(struct call *c, int rc, void *arg);
static int token_del_done(struct call *c, int rc, void *arg);

/* Hosts ------------------------------------------------------------------------ */

static json_t *addr_json(bool has, int family, const uint8_t *a)
{
	char text[INET6_ADDRSTRLEN];
	if (!has || !inet_ntop(family, a, text, sizeof text))
		return json_null();
	return json_string(text);
}

static int txt_row(void *ctx, const uint8_t *v, size_t len)
{
	json_array_append_new(ctx, api_safe_text(v, (int)len));
	return api_arr_full(ctx);
}

static int token_row(void *ctx, const struct token_info *t)
{
	json_array_append_new(ctx, json_pack("{s:o,s:I,s:I}", "id", api_str_json(t->tid),
	                                     "created", (json_int_t)t->created,
	                                     "last_used", (json_int_t)t->last_used));
	return api_arr_full(ctx);
}

/* One update_log row as {time, addrs, client, agent, result}. */
static int log_row(void *ctx, const struct updatelog_row *r)
{
	json_array_append_new(ctx, json_pack("{s:I,s:o,s:o,s:o,s:o}", "time", (json_int_t)r->time,
	                                     "addrs", api_str_json(r->addrs), "client", api_str_json(r->client),
	                                     "agent", api_str_json(r->agent), "result", api_str_json(r->result)));
	return api_arr_full(ctx);
}

/* The host's last update that was taken (good or nochg), or null. */
static json_t *host_last_json(store_t *st, int64_t host_id)
{
	json_t *arr = json_array();
	arr = api_rows_or_empty(arr, updatelog_list(st, host_id, UPDATELOG_TAKEN, 1, log_row, arr));
	json_t *last = json_array_get(arr, 0);
	json_t *out = last ? json_incref(last) : json_null();
	json_decref(arr);
	return out;
}

static json_t *host_txt_json(store_t *st, int64_t host_id)
{
	json_t *arr = json_array();
	return api_rows_or_empty(arr, host_txt_list(st, host_id, txt_row, arr));
}

static json_t *host_tokens_json(store_t *st, int64_t host_id)
{
	json_t *arr = json_array();
	return api_rows_or_empty(arr, tokens_list(st, host_id, token_row, arr));
}

static int follower_row(void *ctx, const struct host *h)
{
	char name[HOST_TEXT_MAX];
	api_name_text(h->text, name, sizeof name);
	json_array_append_new(ctx, json_string(name));
	return api_arr_full(ctx);
}

/* A prefix as "2001:db8:1:2::/64". */
static json_t *prefix_json(bool has, const uint8_t *p, unsigned len)
{
	char text[INET6_ADDRSTRLEN + 8];
	if (!has || !inet_ntop(AF_INET6, p, text, INET6_ADDRSTRLEN))
		return json_null();
	size_t n = strlen(text);
	snprintf(text + n, sizeof text - n, "/%u", len);
	return json_string(text);
}

/* The prefix fields of a host (issue #16): as a router, its LAN prefix
 * and followers; as a follower, its router, iid, length and preference. */
static void host_prefix_json(store_t *st, const struct host *h, json_t *o)
{
	char router[HOST_TEXT_MAX];
	json_t *fol = json_array();
	if (h->nfollowers)
		fol = api_rows_or_empty(fol, host_followers(st, h->id, follower_row, fol));
	api_name_text(h->router, router, sizeof router);
	json_object_set_new(o, "prefix_of", h->prefix_of ? json_string(router) : json_null());
	json_object_set_new(o, "iid", addr_json(h->has_iid, AF_INET6, h->iid));
	json_object_set_new(o, "prefix_len", json_integer(h->prefix_len));
	json_object_set_new(o, "prefer", json_string(h->prefer_own ? "own" : "prefix"));
	json_object_set_new(o, "lan_prefix", prefix_json(h->has_lan, h->lan, h->lan_len));
	json_object_set_new(o, "followers", fol);
}

/* A host as the dashboard shows it; `detail` lists its tokens (else their
 * number). */
static json_t *host_json(store_t *st, const struct host *h, bool detail)
{
	char name[HOST_TEXT_MAX], zname[1024] = "";
	struct store_zone z;
	api_name_text(h->text, name, sizeof name);
	if (store_zone_get(st, h->zone_id, &z) == 0)
		api_name_text(z.name, zname, sizeof zname);
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:b,s:o,s:o,s:o,s:b,s:I,s:I,s:o,s:o}",
		"name", name, "zone", zname, "owner", h->user, "ttl", (json_int_t)h->ttl,
		"wildcard", h->wildcard,
		"ipv4", addr_json(h->addrs.has4, AF_INET, h->addrs.v4),
		"ipv6", addr_json(h->addrs.has6, AF_INET6, h->addrs.v6),
		"txt", host_txt_json(st, h->id), "offline", h->offline,
		"created", (json_int_t)h->created, "updated", (json_int_t)h->updated,
		"last_update", host_last_json(st, h->id),
		"tokens", detail ? host_tokens_json(st, h->id)
		                 : json_integer(h->ntokens));
	if (o)
		host_prefix_json(st, h, o);
	return o;
}

/* The prefix fields of a POST or PATCH body into f: "prefix_of" (a router
 * host's name; null or "" to follow none), "iid" (IPv6 text), "prefix_len"
 * (1..127), "prefer" ("prefix" or "own").  *any says whether one was
 * there.  0, or -1 after a 422. */
static int follow_json(struct call *c, struct host_follow *f, uint8_t router[DNAME_MAX],
                       bool *any)
{
	json_t *b = c->body, *v;
	memset(f, 0, sizeof *f);
	f->prefer = -1;
	*any = false;
	if ((v = json_object_get(b, "prefix_of")) != NULL) {
		const char *t = json_string_value(v);
		f->set_router = true;
		if (t && t[0]) {
			if (!dd2_hostname(t, strlen(t), router))
				return call_fail(c, 422, "invalid_prefix", "prefix_of is the name of "
				                 "the router host, or null.");
			f->router = router;
		} else if (!json_is_null(v) && !t) {
			return call_fail(c, 422, "invalid_prefix", "prefix_of is a host name or null.");
		}
		*any = true;
	}
	if ((v = json_object_get(b, "iid")) != NULL) {
		const char *t = json_string_value(v);
		if (!t || inet_pton(AF_INET6, t, f->iid) != 1)
			return call_fail(c, 422, "invalid_prefix", "iid is an interface identifier "
			                 "written like an IPv6 address, e.g. ::11:22ff:fe33:4455.");
		f->set_iid = *any = true;
	}
	if ((v = json_object_get(b, "prefix_len")) != NULL) {
		json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
		if (n < 1 || n > 127)
			return call_fail(c, 422, "invalid_prefix", "prefix_len is a number from 1 to 127.");
		f->prefix_len = (unsigned)n;
		*any = true;
	}
	if ((v = json_object_get(b, "prefer")) != NULL) {
		const char *t = json_string_value(v);
		if (!t || (strcmp(t, "prefix") && strcmp(t, "own")))
			return call_fail(c, 422, "invalid_prefix", "prefer is \"prefix\" or \"own\".");
		f->prefer = strcmp(t, "own") == 0;
		*any = true;
	}
	return 0;
}

/* Apply a copied host_follow (its router name in `router`): the copy's
 * pointer is set here, in the committer's transaction. */
static int follow_apply(store_t *st, struct host *h, struct host_follow *f,
                        const uint8_t *router, const char **why)
{
	if (f->set_router && f->router)
		f->router = router;
	return host_follow(st, h, f, (int64_t)time(NULL), why);
}

/* Answer a failed follow: 422 with the sentence host_follow gave. */
static int follow_fail(struct call *c, int rc, const char *why)
{
	if ((rc == DZ_EINVAL || rc == DZ_ENOENT || rc == DZ_ELIMIT) && why)
		return call_fail(c, 422, "invalid_prefix", why);
	return call_internal(c, rc);
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

int h_hosts(struct call *c)
{
	struct list_ctx lc = { c->st, json_array() };
	int rc = host_list(c->st, c->sess.user_id, host_list_cb, &lc);
	if (rc < 0) {
		json_decref(lc.arr);
		return call_internal(c, rc);
	}
	call_ok(c, 200, json_pack("{s:o}", "hosts", lc.arr));
	return 0;
}

/* The host named by path segment 1, if the session may see it.  Someone
 * else's host is "not found", like one that does not exist. */
static int find_host(struct call *c, struct host *h)
{
	uint8_t name[DNAME_MAX];
	const char *t = c->seg[1];
	if (!dd2_hostname(t, strlen(t), name))
		return call_fail(c, 404, "not_found", "No such host.");
	int rc = host_find(c->st, name, h);
	if (rc == DZ_ENOENT || (!rc && h->user_id != c->sess.user_id && !c->sess.admin))
		return call_fail(c, 404, "not_found", "No such host.");
	if (rc)
		return call_internal(c, rc);
	return 0;
}

struct op_add {
	uint8_t name[DNAME_MAX];
	bool follow;               /* prefix fields given */
	struct host_follow f;
	uint8_t router[DNAME_MAX];
	const char *why;           /* a refused follow's sentence (static) */
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
	if (o->follow && (rc = follow_apply(st, &o->h, &o->f, o->router, &o->why)) != 0)
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

int h_host_add(struct call *c)
{
	const char *label = api_jstr(c->body, "name"), *zone = api_jstr(c->body, "zone");
	char text[DD2_HOST_TEXT];
	uint8_t *name;
	struct store_zone z;
	struct op_add o;
	int rc;

	memset(&o, 0, sizeof o);
	name = o.name;
	if (!label)
		return call_fail(c, 400, "bad_request", "Give the host a name.");
	/* with a zone, the name is one label; without, a full name whose
	 * first label is the user's */
	size_t ll = zone ? strlen(label) : strcspn(label, ".");
	int n = zone ? snprintf(text, sizeof text, "%s.%s", label, zone)
	             : snprintf(text, sizeof text, "%s", label);
	if (!label_ok(label, ll) || n < 0 || (size_t)n >= sizeof text ||
	    !dd2_hostname(text, (size_t)n, name))
		return call_fail(c, 422, "invalid_name", "A host name is 1 to 63 letters, digits "
		            "and hyphens (not at either end).");
	rc = store_zone_find(c->st, name, &z);
	if (rc == DZ_ENOENT || (!rc && dname_labels(name) != dname_labels(z.apex) + 1))
		return call_fail(c, 422, "invalid_zone", "That is not a name directly inside a zone "
		            "of this server.");
	if (rc)
		return call_internal(c, rc);
	if (!api_zone_allowed(c, &z, &o.max_hosts))
		return call_fail(c, 403, "zone_forbidden", "You may not create hosts in that zone.");
	o.user_id = c->sess.user_id;
	o.zone_id = z.id;
	if (follow_json(c, &o.f, o.router, &o.follow))
		return -1;
	return call_write(c, op_host_add, &o, sizeof o, host_add_done);
}

static int host_add_done(struct call *c, int rc, void *arg)
{
	struct op_add *o = arg;
	if (rc) {
		json_decref(o->host);
		o->host = NULL;
	}
	if (rc && o->why)
		return follow_fail(c, rc, o->why);
	if (rc == DZ_EEXIST)
		return call_fail(c, 409, "exists", "That name is taken.");
	if (rc == DZ_ELIMIT)
		return call_fail(c, 403, "host_limit", "You have as many hosts in that zone as you may.");
	if (rc == DZ_EINVAL)
		return call_fail(c, 422, "invalid_name", "That name cannot be a host.");
	if (rc)
		return call_internal(c, rc);
	log_info("api: %s added host %s", c->sess.user, o->h.text);
	char tid[SECRET_TID_LEN + 1];
	memcpy(tid, o->token, SECRET_TID_LEN);
	tid[SECRET_TID_LEN] = 0;
	call_ok(c, 201, json_pack("{s:o,s:s,s:s}", "host", o->host, "token", o->token, "token_id", tid));
	explicit_bzero(o->token, sizeof o->token);
	return 0;
}

int h_host_get(struct call *c)
{
	struct host h;
	if (find_host(c, &h))
		return -1;
	call_ok(c, 200, json_pack("{s:o}", "host", host_json(c->st, &h, true)));
	return 0;
}

static int op_host_del(store_t *st, void *arg)
{
	return host_del(st, arg);
}

int h_host_del(struct call *c)
{
	struct host h;
	if (find_host(c, &h))
		return -1;
	return call_write(c, op_host_del, &h, sizeof h, host_del_done);
}

static int host_del_done(struct call *c, int rc, void *arg)
{
	const struct host *h = arg;
	if (rc)
		return call_internal(c, rc);
	log_info("api: %s deleted host %s", c->sess.user, h->text);
	call_ok(c, 204, NULL);
	return 0;
}

/* PATCH /hosts/{name}: per-host settings ------------------------------------------ */

#define HOST_TTL_MAX 86400

/* What a PATCH asks for, checked on the worker, applied in one commit. */
struct op_patch {
	struct host h;             /* as found on the worker; re-read in the commit */
	bool set_ttl, set_wildcard, wildcard;
	uint32_t ttl;
	struct host_change change; /* addresses (ipv4, ipv6, myip) */
	struct host_follow f;      /* prefix_of, iid, prefix_len, prefer */
	uint8_t router[DNAME_MAX];
	bool follow;
	const char *why;           /* host_follow's sentence for a refusal */
	char client[48];
	json_t *host;              /* the reply's host, read in the commit */
};

/* One member of the body: check it into o, or set the error reply (-1). */
typedef int (*patch_field)(struct call *c, json_t *v, struct op_patch *o);

static int patch_ttl(struct call *c, json_t *v, struct op_patch *o)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > HOST_TTL_MAX)
		return call_fail(c, 422, "invalid_ttl", "The TTL is a number of seconds from 1 "
		                 "to 86400.");
	o->set_ttl = true;
	o->ttl = (uint32_t)json_integer_value(v);
	return 0;
}

static int patch_wildcard(struct call *c, json_t *v, struct op_patch *o)
{
	if (!json_is_boolean(v))
		return call_fail(c, 422, "invalid_wildcard", "wildcard is true or false.");
	o->set_wildcard = true;
	o->wildcard = json_is_true(v);
	return 0;
}

/* An address for the host (by hand or the caller's own): the family's
 * slot of the change.  Loopback, link-local and the like only for the
 * special-use names of RFC 6761, as on the update path. */
static int patch_addr(struct call *c, const char *text, int family, struct op_patch *o)
{
	struct dd2_addr a;
	if (dd2_addr_parse(text, strlen(text), &a) || (family && a.family != family))
		return call_fail(c, 422, "invalid_address", family == 6 ? "ipv6 is an IPv6 "
		                 "address, or \"\" to remove it." : family == 4 ? "ipv4 is an IPv4 "
		                 "address, or \"\" to remove it." : "That is not an address.");
	enum dd2_scope s = dd2_addr_scope(a.a, a.family);
	if (s != DD2_GLOBAL && s != DD2_PRIVATE && !dd2_name_special(o->h.text))
		return call_fail(c, 422, "invalid_address", "That address cannot be reached from "
		                 "elsewhere (loopback, link-local or the like).");
	if (dd2_addrs_add(&o->change.addrs, &a))
		return call_fail(c, 422, "invalid_address", "Two addresses of one family.");
	o->change.set_addrs = true;
	return 0;
}

static int patch_family(struct call *c, json_t *v, struct op_patch *o, int family)
{
	if (!json_is_string(v))
		return call_fail(c, 422, "invalid_address", "An address is a string.");
	if (json_string_length(v) == 0) {
		if (family == 4)
			o->change.del4 = true;
		else
			o->change.del6 = true;
		return 0;
	}
	return patch_addr(c, json_string_value(v), family, o);
}

static int patch_ipv4(struct call *c, json_t *v, struct op_patch *o)
{
	return patch_family(c, v, o, 4);
}

static int patch_ipv6(struct call *c, json_t *v, struct op_patch *o)
{
	return patch_family(c, v, o, 6);
}

/* "myip": true: the address the caller connected from (behind a trusted
 * proxy, the forwarded one), of whichever family that is. */
static int patch_myip(struct call *c, json_t *v, struct op_patch *o)
{
	if (!json_is_boolean(v))
		return call_fail(c, 422, "invalid_myip", "myip is true or false.");
	return json_is_true(v) ? patch_addr(c, o->client, 0, o) : 0;
}

static const struct {
	const char *key;
	patch_field fn;
} patch_fields[] = {
	{ "ttl", patch_ttl },
	{ "wildcard", patch_wildcard },
	{ "ipv4", patch_ipv4 },
	{ "ipv6", patch_ipv6 },
	{ "myip", patch_myip },
	{ "prefix_of", NULL }, { "iid", NULL }, { "prefix_len", NULL }, { "prefer", NULL },
};

static int op_host_patch(store_t *st, void *arg)
{
	struct op_patch *o = arg;
	struct host h;
	bool changed = false;
	int rc = host_find(st, o->h.name, &h);
	if (rc || h.id != o->h.id)
		return rc ? rc : DZ_ENOENT;
	memcpy(h.user, o->h.user, sizeof h.user);
	if (o->follow && (rc = follow_apply(st, &h, &o->f, o->router, &o->why)) != 0)
		return rc;
	if (o->set_ttl && (rc = host_set_ttl(st, &h, o->ttl)) != 0)
		return rc;
	if (o->set_wildcard && o->wildcard != h.wildcard &&
	    (rc = host_set_wildcard(st, &h, o->wildcard)) != 0)
		return rc;
	const struct host_change *ch = &o->change;
	if ((ch->set_addrs || ch->del4 || ch->del6) &&
	    (rc = host_apply(st, &h, ch, (int64_t)time(NULL), &changed)) != 0)
		return rc;
	if (changed) {
		char at[2 * DD2_ADDR_TEXT + 2] = "";
		dd2_addrs_text(&h.addrs, at, sizeof at);
		if (updatelog_add(st, h.id, h.text, at, o->client, "dashboard", "good", time(NULL)))
			return DZ_EDB;
	}
	o->host = host_json(st, &h, true);
	return 0;
}

int h_host_patch(struct call *c)
{
	struct op_patch o;
	const char *key;
	json_t *v;
	memset(&o, 0, sizeof o);
	if (find_host(c, &o.h))
		return -1;
	o.change.offline = -1;
	snprintf(o.client, sizeof o.client, "%s", http_req_client_text(c->rq));
	if (json_object_size(c->body) == 0)
		return call_fail(c, 400, "bad_request", "Nothing to change.");
	if (follow_json(c, &o.f, o.router, &o.follow))
		return -1;
	json_object_foreach(c->body, key, v) {
		size_t i = 0, n = sizeof patch_fields / sizeof patch_fields[0];
		while (i < n && strcmp(patch_fields[i].key, key) != 0)
			i++;
		if (i < n && !patch_fields[i].fn)
			continue;          /* a prefix field: follow_json took it */
		if (i == n)
			return call_fail(c, 400, "bad_request", "Unknown setting in the body.");
		if (patch_fields[i].fn(c, v, &o))
			return -1;
	}
	return call_write(c, op_host_patch, &o, sizeof o, host_patch_done);
}

static int host_patch_done(struct call *c, int rc, void *arg)
{
	struct op_patch *o = arg;
	if (rc) {
		json_decref(o->host);
		o->host = NULL;
	}
	if (rc && o->why)
		return follow_fail(c, rc, o->why);
	if (rc == DZ_ENOENT)
		return call_fail(c, 404, "not_found", "No such host.");
	if (rc == DZ_EINVAL)
		return call_fail(c, 422, "invalid_wildcard", "The name is too long for a wildcard "
		                 "below it.");
	if (rc)
		return call_internal(c, rc);
	log_info("api: %s changed host %s", c->sess.user, o->h.text);
	call_ok(c, 200, json_pack("{s:o}", "host", o->host));
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
		return call_internal(c, rc);
	char tid[SECRET_TID_LEN + 1];
	memcpy(tid, o->token, SECRET_TID_LEN);
	tid[SECRET_TID_LEN] = 0;
	json_t *out = json_pack("{s:s,s:s}", "token", o->token, "id", tid);
	if (rotate)
		json_object_set_new(out, "revoked", json_integer(o->revoked));
	explicit_bzero(o->token, sizeof o->token);
	call_ok(c, 201, out);
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
	return call_write(c, fn, &o, sizeof o, after);
}

int h_token_new(struct call *c)
{
	return token_write(c, op_token_new, token_new_done);
}

int h_token_rotate(struct call *c)
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

int h_token_del(struct call *c)
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
		return call_fail(c, 404, "not_found", "No such token.");
	memcpy(probe, c->seg[3], n);
	if (!secret_token_wellformed(probe))
		return call_fail(c, 404, "not_found", "No such token.");
	struct op_revoke o = { h.id, c->seg[3], 0 };
	return call_write(c, op_token_revoke, &o, sizeof o, token_del_done);
}

static int token_del_done(struct call *c, int rc, void *arg)
{
	const struct op_revoke *o = arg;
	if (rc)
		return call_internal(c, rc);
	if (o->n == 0)
		return call_fail(c, 404, "not_found", "No such token.");
	call_ok(c, 204, NULL);
	return 0;
}

int h_history(struct call *c)
{
	struct host h;
	char buf[32];
	long limit = HISTORY_DEFAULT;
	if (find_host(c, &h))
		return -1;
	const char *q = http_req_query(c->rq);
	const char *all = api_query_param(q, "all", buf, sizeof buf);
	bool every = all && strcmp(all, "0") != 0;
	const char *lim = api_query_param(q, "limit", buf, sizeof buf);
	if (lim) {
		char *end;
		errno = 0;
		limit = strtol(lim, &end, 10);
		if (errno || *end || end == lim || limit < 1 || limit > HISTORY_MAX)
			return call_fail(c, 400, "bad_request", "limit is a number from 1 to 500.");
	}
	json_t *arr = json_array();
	arr = api_rows_done(arr, updatelog_list(c->st, h.id, every ? UPDATELOG_ALL : UPDATELOG_GOOD,
	                                    (unsigned)limit, log_row, arr));
	if (!arr)
		return call_internal(c, DZ_EDB);
	call_ok(c, 200, json_pack("{s:o}", "history", arr));
	return 0;
}

