/* Administrators' endpoints: zones, users, grants and invites. */
#include "src/api/call.h"

#include <string.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/common/log.h"
#include "src/db/accounts.h"
#include "src/db/host.h"

static int zone_add_done(struct call *c, int rc, void *arg);

/* Admin ---------------------------------------------------------------------- */

static int zone_name_row(void *ctx, const char *zone)
{
	char name[1024];
	api_name_text(zone, name, sizeof name);
	json_array_append_new(ctx, json_string(name));
	return api_arr_full(ctx);
}

static int zone_row(void *ctx, const struct store_zone *z)
{
	struct call *c = ctx;
	char name[1024];
	long long n = host_count(c->st, 0, z->id);
	int hosts = n > 0 ? (int)n : 0;
	api_name_text(z->name, name, sizeof name);
	json_array_append_new(c->out, json_pack("{s:s,s:I,s:i,s:I,s:b}", "name", name,
		"serial", (json_int_t)z->soa.serial, "hosts", hosts,
		"default_ttl", (json_int_t)z->default_ttl, "open", api_signup_zone(c->a, z)));
	return json_array_size(c->out) >= LIST_MAX;
}

int h_zones(struct call *c)
{
	c->out = json_array();
	int rc = store_zone_list(c->st, zone_row, c);
	json_t *arr = c->out;
	c->out = NULL;
	if (rc < 0) {
		json_decref(arr);
		return call_internal(c, rc);
	}
	call_ok(c, 200, json_pack("{s:o}", "zones", arr));
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

int h_zone_add(struct call *c)
{
	const char *name = api_jstr(c->body, "name"), *ns = api_jstr(c->body, "ns");
	struct op_zone o;
	memset(&o, 0, sizeof o);
	if (!name || !dd2_hostname(name, strlen(name), o.apex))
		return call_fail(c, 422, "invalid_name", "A zone name is letters, digits and hyphens "
		            "in at least two labels.");
	if (!ns || !dd2_hostname(ns, strlen(ns), o.ns))
		return call_fail(c, 422, "invalid_ns", "Give the name server's host name.");
	if (dname_is_sub(o.ns, o.apex))
		return call_fail(c, 422, "invalid_ns", "A name server inside the new zone needs glue: "
		            "create the zone with `dynzone zone add --ns NAME=ADDR`.");
	o.now = c->now;
	return call_write(c, op_zone_add, &o, sizeof o, zone_add_done);
}

static int zone_add_done(struct call *c, int rc, void *arg)
{
	const char *name = api_jstr(c->body, "name");
	if (rc == DZ_EEXIST)
		return call_fail(c, 409, "exists", "That zone exists already.");
	if (rc == DZ_EINVAL)
		return call_fail(c, 422, "invalid_name", "That zone name is too long.");
	if (rc)
		return call_internal(c, rc);
	log_info("api: %s added zone %s", c->sess.user, name);
	call_ok(c, 201, json_pack("{s:{s:s}}", "zone", "name", name));
	return 0;
}

static int user_row(void *ctx, const struct account_info *a)
{
	json_array_append_new(ctx, json_pack("{s:I,s:o,s:b,s:I,s:i}",
		"id", (json_int_t)a->id, "name", api_str_json(a->name), "admin", a->admin,
		"created", (json_int_t)a->created, "hosts", (int)a->nhosts));
	return api_arr_full(ctx);
}

int h_users(struct call *c)
{
	json_t *arr = json_array();
	arr = api_rows_done(arr, accounts_list(c->st, user_row, arr));
	if (!arr)
		return call_internal(c, DZ_EDB);
	/* the zones of each, once the list is read (one statement at a time) */
	size_t i;
	json_t *u;
	json_array_foreach(arr, i, u) {
		json_int_t id = json_integer_value(json_object_get(u, "id"));
		json_t *zones = json_array();
		zones = api_rows_or_empty(zones, accounts_zones(c->st, id, zone_name_row, zones));
		json_object_set_new(u, "zones", zones);
		json_object_del(u, "id");
	}
	call_ok(c, 200, json_pack("{s:o}", "users", arr));
	return 0;
}

/* The user of path segment 1 and the zone named `zone`. */
static int grant_target(struct call *c, const char *zone, int64_t *user_id,
                        struct store_zone *z)
{
	uint8_t apex[DNAME_MAX];
	int rc = accounts_find(c->st, c->seg[1], user_id, NULL);
	if (rc == DZ_ENOENT)
		return call_fail(c, 404, "not_found", "No such user.");
	if (rc)
		return call_internal(c, rc);
	if (!zone || !dd2_hostname(zone, strlen(zone), apex))
		return call_fail(c, 404, "not_found", "No such zone.");
	rc = api_zone_exact(c->st, apex, z);
	if (rc == DZ_ENOENT)
		return call_fail(c, 404, "not_found", "No such zone.");
	return rc ? call_internal(c, rc) : 0;
}

int h_grant(struct call *c)
{
	int64_t user_id;
	struct store_zone z;
	json_t *max = json_object_get(c->body, "max_hosts");
	if (max && !json_is_null(max) &&
	    (!json_is_integer(max) || json_integer_value(max) < 0 ||
	     json_integer_value(max) > 1000000))
		return call_fail(c, 422, "invalid_value", "max_hosts is a number from 0 (no cap) up.");
	if (grant_target(c, api_jstr(c->body, "zone"), &user_id, &z))
		return -1;
	if (accounts_grant(c->st, user_id, z.id, max ? (unsigned)json_integer_value(max) : 0))
		return call_internal(c, DZ_EDB);
	call_ok(c, 204, NULL);
	return 0;
}

int h_revoke(struct call *c)
{
	int64_t user_id;
	struct store_zone z;
	if (grant_target(c, c->seg[3], &user_id, &z))
		return -1;
	int rc = accounts_revoke(c->st, user_id, z.id);
	if (rc == DZ_ENOENT)
		return call_fail(c, 404, "not_found", "That user has no grant for that zone.");
	if (rc)
		return call_internal(c, DZ_EDB);
	call_ok(c, 204, NULL);
	return 0;
}

int h_invite(struct call *c)
{
	char code[SECRET_TOKEN_LEN + 1];
	int rc = session_invite_create(c->st, c->sess.user_id, c->now, code);
	if (rc)
		return call_internal(c, rc);
	call_ok(c, 201, json_pack("{s:s,s:I}", "code", code,
	                     "expires", (json_int_t)(c->now + SESSION_INVITE_DAYS * 86400LL)));
	explicit_bzero(code, sizeof code);
	return 0;
}

