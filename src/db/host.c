/* Dynamic hosts in the store. */
#include "src/db/host.h"
#include "src/db/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/db/zones.h"

/* a string literal, so that host_list's statements are compile-time
 * constants too (no shared buffer built at run time) */
#define HOST_COLS \
	"SELECT h.id, h.zone_id, h.user_id, h.name, h.text, h.ttl, h.ipv4, h.ipv6, " \
	"h.offline, h.created, coalesce(h.updated, 0), u.name, " \
	"(SELECT count(*) FROM token_hosts t WHERE t.host_id = h.id), " HOST_PFX_COLS \
	"FROM hosts h JOIN users u ON u.id = h.user_id " HOST_PFX_JOIN

/* the prefix columns (13..): the host's own, then its router's */
#define HOST_PFX_COLS \
	"h.wildcard, h.lan_prefix, h.lan_len, " \
	"(SELECT count(*) FROM hosts f WHERE f.prefix_of = h.id), " \
	"h.prefix_of, r.text, h.iid, h.prefix_len, h.prefer, r.lan_prefix, r.lan_len "
#define HOST_PFX_JOIN "LEFT JOIN hosts r ON r.id = h.prefix_of "

static void col_text(sqlite3_stmt *s, int col, char *out, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static void host_row(sqlite3_stmt *s, struct host *h)
{
	memset(h, 0, sizeof *h);
	h->id = sqlite3_column_int64(s, 0);
	h->zone_id = sqlite3_column_int64(s, 1);
	h->user_id = sqlite3_column_int64(s, 2);
	const uint8_t *n = sqlite3_column_blob(s, 3);
	size_t nl = (size_t)sqlite3_column_bytes(s, 3);
	if (n && nl <= DNAME_MAX && dname_len(n, nl) == nl)
		memcpy(h->name, n, nl);
	col_text(s, 4, h->text, sizeof h->text);
	h->ttl = (uint32_t)sqlite3_column_int64(s, 5);
	if (sqlite3_column_bytes(s, 6) == 4) {
		memcpy(h->addrs.v4, sqlite3_column_blob(s, 6), 4);
		h->addrs.has4 = true;
	}
	if (sqlite3_column_bytes(s, 7) == 16) {
		memcpy(h->addrs.v6, sqlite3_column_blob(s, 7), 16);
		h->addrs.has6 = true;
	}
	h->offline = sqlite3_column_int(s, 8) != 0;
	h->created = sqlite3_column_int64(s, 9);
	h->updated = sqlite3_column_int64(s, 10);
	col_text(s, 11, h->user, sizeof h->user);
	h->ntokens = (unsigned)sqlite3_column_int(s, 12);
	h->wildcard = sqlite3_column_int(s, 13) != 0;
	if (sqlite3_column_bytes(s, 14) == 16) {
		memcpy(h->lan, sqlite3_column_blob(s, 14), 16);
		h->lan_len = (unsigned)sqlite3_column_int(s, 15);
		h->has_lan = h->lan_len >= 1 && h->lan_len <= 128;
	}
	h->nfollowers = (unsigned)sqlite3_column_int(s, 16);
	h->prefix_of = sqlite3_column_int64(s, 17);
	col_text(s, 18, h->router, sizeof h->router);
	if (sqlite3_column_bytes(s, 19) == 16) {
		memcpy(h->iid, sqlite3_column_blob(s, 19), 16);
		h->has_iid = true;
	}
	h->prefix_len = (unsigned)sqlite3_column_int(s, 20);
	h->prefer_own = sqlite3_column_int(s, 21) == 1;
	if (sqlite3_column_bytes(s, 22) == 16) {
		memcpy(h->router_lan, sqlite3_column_blob(s, 22), 16);
		h->router_lan_len = (unsigned)sqlite3_column_int(s, 23);
		h->has_router_lan = h->router_lan_len >= 1 && h->router_lan_len <= 128;
	}
}

int host_find(store_t *st, const uint8_t *name, struct host *out)
{
	uint8_t l[DNAME_MAX];
	size_t len = dname_copy_lower(l, name);
	/* the update path's lookup: the columns of HOST_COLS without the
	 * owner's name and the token count, which only listings show */
	sqlite3_stmt *s = store_prep_key(st,
		"SELECT h.id, h.zone_id, h.user_id, h.name, h.text, h.ttl, h.ipv4, h.ipv6, "
		"h.offline, h.created, coalesce(h.updated, 0), '', 0, " HOST_PFX_COLS
		"FROM hosts h " HOST_PFX_JOIN "WHERE h.name = ?1",
		l, len, NULL, 0);
	if (!s)
		return DZ_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		host_row(s, out);
	return store_row_end(s, rc);
}

int host_list(store_t *st, int64_t user_id, host_cb cb, void *ctx)
{
	static const char sql_all[] = HOST_COLS "ORDER BY h.text";
	static const char sql_user[] = HOST_COLS "WHERE h.user_id = ?1 ORDER BY h.text";
	struct host h;
	int rc = 0, src;
	sqlite3_stmt *s = store_stmt(st, user_id ? sql_user : sql_all);
	if (!s)
		return DZ_EDB;
	if (user_id)
		sqlite3_bind_int64(s, 1, user_id);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		host_row(s, &h);
		if ((rc = cb(ctx, &h)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

/* The host's address records now in the store (first of each family),
 * and whether a CNAME is there. */
static int read_addrs(store_t *st, int64_t zone_id, const uint8_t *owner,
                      struct dd2_addrs *a, bool *cname)
{
	sqlite3_stmt *s = store_stmt(st,
		"SELECT type, rdata FROM records WHERE zone_id = ?1 AND owner = ?2 "
		"AND type IN (1, 5, 28)");
	int rc;
	if (!s)
		return DZ_EDB;
	memset(a, 0, sizeof *a);
	*cname = false;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_blob(s, 2, owner, (int)dname_len(owner, DNAME_MAX), SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int type = sqlite3_column_int(s, 0);
		int n = sqlite3_column_bytes(s, 1);
		const void *rd = sqlite3_column_blob(s, 1);
		if (type == RR_A && n == 4 && !a->has4) {
			memcpy(a->v4, rd, 4);
			a->has4 = true;
		} else if (type == RR_AAAA && n == 16 && !a->has6) {
			memcpy(a->v6, rd, 16);
			a->has6 = true;
		} else if (type == RR_CNAME) {
			*cname = true;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : DZ_EDB;
}

static void bind_addr(sqlite3_stmt *s, int col, bool has, const uint8_t *a, int len)
{
	if (has)
		sqlite3_bind_blob(s, col, a, len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, col);
}

int host_add(store_t *st, const uint8_t *name, int64_t user_id, uint32_t ttl,
             struct host *out)
{
	struct store_zone z;
	struct dd2_addrs a;
	bool cname;
	uint8_t l[DNAME_MAX];
	char text[HOST_TEXT_MAX];
	uint8_t check[DNAME_MAX];
	size_t len = dname_copy_lower(l, name);
	int rc;

	if (dname_to_text(l, text, sizeof text) < 0)
		return DZ_EINVAL;
	/* only names the update API can be asked for */
	if (dd2_hostname(text, strlen(text), check) != len)
		return DZ_EINVAL;
	if ((rc = store_zone_find(st, l, &z)) != 0)
		return rc;
	if (dname_equal(l, z.apex))
		return DZ_EINVAL;
	if ((rc = read_addrs(st, z.id, l, &a, &cname)) != 0)
		return rc;
	if (cname)
		return DZ_EINVAL;
	sqlite3_stmt *s = STORE_PREP(st,
		"INSERT INTO hosts(zone_id, user_id, name, text, ttl, ipv4, ipv6, created) "
		"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", z.id, user_id);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 3, l, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, ttl ? ttl : z.default_ttl);
	bind_addr(s, 6, a.has4, a.v4, 4);
	bind_addr(s, 7, a.has6, a.v6, 16);
	sqlite3_bind_int64(s, 8, (int64_t)time(NULL));
	if ((rc = store_done(s)) != 0)
		return rc;
	int64_t id = sqlite3_last_insert_rowid(store_db(st));
	/* take over the address records already there */
	s = store_stmt(st, "UPDATE records SET host_id = ?3 WHERE zone_id = ?1 AND "
	               "owner = ?2 AND type IN (1, 28)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, z.id);
	sqlite3_bind_blob(s, 2, l, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, id);
	if (store_done(s))
		return DZ_EDB;
	return out ? host_find(st, l, out) : 0;
}

/* _acme-challenge.<host>; 0 if that would be too long. */
static size_t txt_owner(const uint8_t *name, uint8_t out[DNAME_MAX])
{
	static const char label[] = "\017_acme-challenge";
	size_t n = dname_len(name, DNAME_MAX);
	if (n + sizeof label - 1 > DNAME_MAX)
		return 0;
	memcpy(out, label, sizeof label - 1);
	memcpy(out + sizeof label - 1, name, n);
	return n + sizeof label - 1;
}

static bool wild_owner(const uint8_t *name, uint8_t out[DNAME_MAX]);

int host_del(store_t *st, const struct host *h)
{
	uint8_t towner[DNAME_MAX], wild[DNAME_MAX];
	sqlite3_stmt *s;
	if (store_record_del(st, h->zone_id, h->name, RR_A, NULL, 0, NULL) ||
	    store_record_del(st, h->zone_id, h->name, RR_AAAA, NULL, 0, NULL) ||
	    (h->wildcard && wild_owner(h->name, wild) &&
	     (store_record_del(st, h->zone_id, wild, RR_A, NULL, 0, NULL) ||
	      store_record_del(st, h->zone_id, wild, RR_AAAA, NULL, 0, NULL))))
		return DZ_EDB;
	if (txt_owner(h->name, towner) &&
	    store_record_del(st, h->zone_id, towner, RR_TXT, NULL, 0, NULL))
		return DZ_EDB;
	s = store_stmt(st,
		"DELETE FROM tokens WHERE id IN (SELECT token_id FROM token_hosts WHERE host_id = ?1) "
		"AND NOT EXISTS (SELECT 1 FROM token_hosts o WHERE o.token_id = tokens.id "
		"AND o.host_id != ?1)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, h->id);
	if (store_done(s))
		return DZ_EDB;
	s = store_stmt(st, "DELETE FROM hosts WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, h->id);
	return store_done(s) ? DZ_EDB : 0;
}

/* Make the records of one family match: `want` (NULL: none) against
 * `had` (NULL: none). */
/* *.name, the owner of a wildcard host's second set of records; false
 * if the name is too long for it. */
static bool wild_owner(const uint8_t *name, uint8_t out[DNAME_MAX])
{
	size_t len = dname_len(name, DNAME_MAX);
	if (len + 2 > DNAME_MAX)
		return false;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, len);
	return true;
}

/* Make one owner serve `want` (NULL: nothing) as its only record of type. */
static int sync_owner(store_t *st, const struct host *h, const uint8_t *owner, uint16_t type,
                      const uint8_t *want, size_t len)
{
	/* every record of the family at the name: the host owns them */
	if (store_record_del(st, h->zone_id, owner, type, NULL, 0, NULL))
		return DZ_EDB;
	if (!want)
		return 0;
	struct store_rr rr = {
		.zone_id = h->zone_id, .owner = owner, .type = type, .ttl = h->ttl,
		.rdata = want, .rdlen = len, .host_id = h->id, .loc = "",
	};
	return store_record_add(st, &rr) ? DZ_EDB : 0;
}

static int sync_family(store_t *st, const struct host *h, uint16_t type,
                       const uint8_t *had, const uint8_t *want, size_t len)
{
	uint8_t wild[DNAME_MAX];
	if (had && want && memcmp(had, want, len) == 0)
		return 0;
	if (!had && !want)
		return 0;
	int rc = sync_owner(st, h, h->name, type, want, len);
	/* a wildcard host: *.name follows the name */
	if (!rc && h->wildcard && wild_owner(h->name, wild))
		rc = sync_owner(st, h, wild, type, want, len);
	return rc;
}

/* Rewrite the served A and AAAA of the name (and *.name) from h's state,
 * and give its TXT (_acme-challenge.name) h's TTL: after a TTL or
 * wildcard change. */
static int resync(store_t *st, const struct host *h)
{
	uint8_t wild[DNAME_MAX], towner[DNAME_MAX];
	unsigned ntxt;
	const uint8_t *v4 = !h->offline && h->addrs.has4 ? h->addrs.v4 : NULL;
	const uint8_t *v6 = !h->offline && h->addrs.has6 ? h->addrs.v6 : NULL;
	if (!wild_owner(h->name, wild))
		return h->wildcard ? DZ_EINVAL : 0;
	if (sync_owner(st, h, h->name, RR_A, v4, 4) || sync_owner(st, h, h->name, RR_AAAA, v6, 16) ||
	    sync_owner(st, h, wild, RR_A, h->wildcard ? v4 : NULL, 4) ||
	    sync_owner(st, h, wild, RR_AAAA, h->wildcard ? v6 : NULL, 16))
		return DZ_EDB;
	if (txt_owner(h->name, towner) &&
	    store_rrset_ttl(st, h->zone_id, towner, RR_TXT, h->ttl, &ntxt))
		return DZ_EDB;
	return 0;
}

int host_set_ttl(store_t *st, struct host *h, uint32_t ttl)
{
	if (ttl == h->ttl)
		return 0;
	if (store_run(st, "UPDATE hosts SET ttl = ?2 WHERE id = ?1", h->id, ttl))
		return DZ_EDB;
	h->ttl = ttl;
	return resync(st, h);
}

int host_set_wildcard(store_t *st, struct host *h, bool on)
{
	uint8_t wild[DNAME_MAX];
	if (on && !wild_owner(h->name, wild))
		return DZ_EINVAL;
	if (store_run(st, "UPDATE hosts SET wildcard = ?2 WHERE id = ?1", h->id, on))
		return DZ_EDB;
	h->wildcard = on;
	return resync(st, h);
}

/* Delete one TXT value (record and host_txt row). */
static int txt_del(store_t *st, const struct host *h, const uint8_t *owner,
                   const uint8_t *rd, size_t rdlen, unsigned *ndel)
{
	sqlite3_stmt *s = STORE_PREP(st, "DELETE FROM host_txt WHERE host_id = ?1 AND value = ?2",
		h->id);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 2, rd + 1, (int)(rdlen - 1), SQLITE_STATIC);
	if (store_done(s))
		return DZ_EDB;
	return store_record_del(st, h->zone_id, owner, RR_TXT, rd, rdlen, ndel) ? DZ_EDB : 0;
}

static int apply_txt(store_t *st, const struct host *h, const struct host_change *c,
                     int64_t now, bool *changed)
{
	uint8_t owner[DNAME_MAX], rd[DD2_TXT_LEN + 1];
	sqlite3_stmt *s;
	if (!txt_owner(h->name, owner))
		return DZ_EINVAL;
	if (c->ntxt == 0) {
		unsigned n = 0;
		s = store_stmt(st, "DELETE FROM host_txt WHERE host_id = ?1");
		if (!s)
			return DZ_EDB;
		sqlite3_bind_int64(s, 1, h->id);
		if (store_done(s) || store_record_del(st, h->zone_id, owner, RR_TXT, NULL, 0, &n))
			return DZ_EDB;
		*changed |= n > 0;
		return 0;
	}
	for (unsigned i = 0; i < c->ntxt; i++) {
		size_t vl = strnlen(c->txt[i], DD2_TXT_LEN + 1);
		if (vl > DD2_TXT_LEN)
			return DZ_EINVAL;
		s = store_stmt(st, "INSERT INTO host_txt(host_id, value, created) VALUES(?1, ?2, ?3)");
		if (!s)
			return DZ_EDB;
		sqlite3_bind_int64(s, 1, h->id);
		sqlite3_bind_blob(s, 2, c->txt[i], (int)vl, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, now);
		int rc = store_done(s);
		if (rc == DZ_EEXIST)
			continue;      /* already there */
		if (rc)
			return rc;
		rd[0] = (uint8_t)vl;
		memcpy(rd + 1, c->txt[i], vl);
		struct store_rr rr = {
			.zone_id = h->zone_id, .owner = owner, .type = RR_TXT, .ttl = h->ttl,
			.rdata = rd, .rdlen = vl + 1, .host_id = h->id, .loc = "",
		};
		rc = store_record_add(st, &rr);
		if (rc && rc != DZ_EEXIST)
			return DZ_EDB;
		*changed = true;
	}
	/* keep the newest HOST_TXT_MAX (an apex and a wildcard certificate
	 * need two at once; stale ones from failed runs go) */
	for (;;) {
		s = store_stmt(st,
			"SELECT value, (SELECT count(*) FROM host_txt WHERE host_id = ?1) FROM host_txt "
			"WHERE host_id = ?1 ORDER BY created, rowid LIMIT 1");
		if (!s)
			return DZ_EDB;
		sqlite3_bind_int64(s, 1, h->id);
		if (sqlite3_step(s) != SQLITE_ROW || sqlite3_column_int(s, 1) <= HOST_TXT_MAX) {
			sqlite3_reset(s);
			return 0;
		}
		size_t vl = (size_t)sqlite3_column_bytes(s, 0);
		if (vl > DD2_TXT_LEN) {
			sqlite3_reset(s);
			return DZ_EDB;
		}
		rd[0] = (uint8_t)vl;
		memcpy(rd + 1, sqlite3_column_blob(s, 0), vl);
		sqlite3_reset(s);
		if (txt_del(st, h, owner, rd, vl + 1, NULL))
			return DZ_EDB;
	}
}

int host_apply(store_t *st, struct host *h, const struct host_change *c,
               int64_t now, bool *changed)
{
	struct dd2_addrs want = h->addrs;
	bool off = h->offline;
	int rc;

	*changed = false;
	if (c->set_addrs) {
		if (c->addrs.has4) {
			memcpy(want.v4, c->addrs.v4, 4);
			want.has4 = true;
		}
		if (c->addrs.has6) {
			memcpy(want.v6, c->addrs.v6, 16);
			want.has6 = true;
			/* the router's prefix wins over the host's own IPv6 */
			if (!h->prefer_own)
				host_derived(h, want.v6);
		}
		off = false;
	}
	if (c->del4)
		want.has4 = false;
	if (c->del6)
		want.has6 = false;
	if (c->offline >= 0)
		off = c->offline == 1;
	if (c->set_txt && (rc = apply_txt(st, h, c, now, changed)) != 0)
		return rc;
	if (off == h->offline && dd2_addrs_equal(&want, &h->addrs))
		return 0;
	/* what DNS served, and what it should serve */
	bool had4 = !h->offline && h->addrs.has4, had6 = !h->offline && h->addrs.has6;
	bool want4 = !off && want.has4, want6 = !off && want.has6;
	if (sync_family(st, h, RR_A, had4 ? h->addrs.v4 : NULL, want4 ? want.v4 : NULL, 4) ||
	    sync_family(st, h, RR_AAAA, had6 ? h->addrs.v6 : NULL, want6 ? want.v6 : NULL, 16))
		return DZ_EDB;
	sqlite3_stmt *s = STORE_PREP(st,
		"UPDATE hosts SET ipv4 = ?2, ipv6 = ?3, offline = ?4, updated = ?5 WHERE id = ?1",
		h->id);
	if (!s)
		return DZ_EDB;
	bind_addr(s, 2, want.has4, want.v4, 4);
	bind_addr(s, 3, want.has6, want.v6, 16);
	sqlite3_bind_int(s, 4, off);
	sqlite3_bind_int64(s, 5, now);
	if (store_done(s))
		return DZ_EDB;
	h->addrs = want;
	h->offline = off;
	h->updated = now;
	*changed = true;
	return 0;
}

int host_txt_remove(store_t *st, const struct host *h, const uint8_t *value, size_t len,
                    bool *changed)
{
	uint8_t owner[DNAME_MAX], rd[DD2_TXT_LEN + 1];
	unsigned n = 0;
	if (!txt_owner(h->name, owner) || len > DD2_TXT_LEN)
		return DZ_EINVAL;
	rd[0] = (uint8_t)len;
	memcpy(rd + 1, value, len);
	if (txt_del(st, h, owner, rd, len + 1, &n))
		return DZ_EDB;
	*changed = n > 0;
	return 0;
}

long long host_count(store_t *st, int64_t user_id, int64_t zone_id)
{
	sqlite3_stmt *s = store_stmt(st, user_id
		? "SELECT count(*) FROM hosts WHERE zone_id = ?1 AND user_id = ?2"
		: "SELECT count(*) FROM hosts WHERE zone_id = ?1");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, zone_id);
	if (user_id)
		sqlite3_bind_int64(s, 2, user_id);
	return store_count(s);
}

int host_txt_list(store_t *st, int64_t host_id,
                  int (*cb)(void *ctx, const uint8_t *value, size_t len), void *ctx)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"SELECT value FROM host_txt WHERE host_id = ?1 ORDER BY created, value", host_id);
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *v = sqlite3_column_blob(s, 0);
		if ((rc = cb(ctx, v ? v : (const uint8_t *)"", (size_t)sqlite3_column_bytes(s, 0))) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

/* Prefix hosts --------------------------------------------------------------- */

bool host_derived(const struct host *h, uint8_t out[16])
{
	if (!h->prefix_of || !h->has_iid || !h->has_router_lan)
		return false;
	dd2_prefix_join(h->router_lan, h->router_lan_len, h->iid, out);
	return true;
}

/* Bring a follower to its derived address (the router's prefix is in
 * f->router_lan), unless it prefers its own and has one: an own address
 * is one that is not `old` (the address the previous prefix gave). */
static int follow_move(store_t *st, struct host *f, const uint8_t *old, int64_t now,
                       bool *changed)
{
	struct host_change c = { .set_addrs = true, .offline = f->offline ? 1 : -1 };
	*changed = false;
	if (!host_derived(f, c.addrs.v6))
		return 0;
	if (f->prefer_own && f->addrs.has6 && !(old && memcmp(old, f->addrs.v6, 16) == 0))
		return 0;
	c.addrs.has6 = true;
	return host_apply(st, f, &c, now, changed);
}

int host_follow(store_t *st, struct host *h, const struct host_follow *f, int64_t now,
                const char **why)
{
	struct host r;
	int64_t router = h->prefix_of;
	unsigned plen = f->prefix_len ? f->prefix_len : h->prefix_len;
	bool has_iid = f->set_iid || h->has_iid;
	const uint8_t *iid = f->set_iid ? f->iid : h->iid;
	int prefer = f->prefer >= 0 ? f->prefer : h->prefer_own;
	int rc;

	*why = NULL;
	if (plen < 1 || plen > 127) {
		*why = "The prefix length is a number from 1 to 127.";
		return DZ_EINVAL;
	}
	if (f->set_router && f->router) {
		if ((rc = host_find(st, f->router, &r)) != 0) {
			*why = "There is no such router host.";
			return rc;
		}
		if (r.user_id != h->user_id) {
			*why = "A host can only follow a router of the same user.";
			return DZ_EINVAL;
		}
		if (r.id == h->id) {
			*why = "A host cannot follow itself.";
			return DZ_EINVAL;
		}
		if (r.prefix_of) {
			*why = "That router follows a prefix itself: no chains.";
			return DZ_EINVAL;
		}
		if (h->nfollowers) {
			*why = "This host is a router that others follow: no chains.";
			return DZ_EINVAL;
		}
		if (r.id != h->prefix_of && r.nfollowers >= HOST_FOLLOWERS_MAX) {
			*why = "That router has as many followers as it may.";
			return DZ_ELIMIT;
		}
		router = r.id;
		if (r.has_lan && r.lan_len != plen) {
			*why = "The prefix length differs from the router's current prefix.";
			return DZ_EINVAL;
		}
	} else if (f->set_router) {
		router = 0;
	} else if (router && h->has_router_lan && h->router_lan_len != plen) {
		*why = "The prefix length differs from the router's current prefix.";
		return DZ_EINVAL;
	}
	if (router && !has_iid) {
		*why = "A host following a prefix needs its interface identifier (iid).";
		return DZ_EINVAL;
	}
	/* an address the old settings derived is not the host's own */
	uint8_t old[16];
	bool derived = host_derived(h, old);
	sqlite3_stmt *s = STORE_PREP(st,
		"UPDATE hosts SET prefix_of = ?2, prefix_len = ?3, prefer = ?4, iid = ?5 "
		"WHERE id = ?1", h->id);
	if (!s)
		return DZ_EDB;
	if (router)
		sqlite3_bind_int64(s, 2, router);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int(s, 3, (int)plen);
	sqlite3_bind_int(s, 4, prefer);
	bind_addr(s, 5, has_iid, iid, 16);
	if (store_done(s))
		return DZ_EDB;
	if ((rc = host_find(st, h->name, h)) != 0)
		return rc;
	bool changed;
	return follow_move(st, h, derived ? old : NULL, now, &changed);
}

int host_prefix_check(store_t *st, const struct host *r, unsigned plen, unsigned *need)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"SELECT prefix_len FROM hosts WHERE prefix_of = ?1 AND prefix_len != ?2 LIMIT 1",
		r->id, (int64_t)plen);
	if (!s)
		return DZ_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*need = (unsigned)sqlite3_column_int(s, 0);
	rc = store_row_end(s, rc);
	return rc == 0 ? DZ_EINVAL : rc == DZ_ENOENT ? 0 : rc;
}

int host_followers(store_t *st, int64_t router_id, host_cb cb, void *ctx)
{
	static const char sql[] = HOST_COLS "WHERE h.prefix_of = ?1 ORDER BY h.text";
	struct host h;
	int rc = 0, src;
	sqlite3_stmt *s = STORE_PREP(st, sql, router_id);
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		host_row(s, &h);
		if ((rc = cb(ctx, &h)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

struct gather { struct host *v; unsigned n; };

static int gather_cb(void *ctx, const struct host *h)
{
	struct gather *g = ctx;
	if (g->n >= HOST_FOLLOWERS_MAX)
		return 1;
	g->v[g->n++] = *h;
	return 0;
}

int host_prefix_apply(store_t *st, struct host *r, const uint8_t p[16], unsigned plen,
                      int64_t now, bool *changed, host_cb each, void *ctx)
{
	struct gather g = { NULL, 0 };
	int rc = 0;

	*changed = false;
	if (r->has_lan && r->lan_len == plen && memcmp(r->lan, p, 16) == 0)
		return 0;
	/* the followers first gathered, with the old prefix (their updates
	 * write the table the walk reads) */
	if (r->nfollowers && !(g.v = calloc(HOST_FOLLOWERS_MAX, sizeof *g.v)))
		return DZ_ENOMEM;
	if (g.v && (rc = host_followers(st, r->id, gather_cb, &g)) < 0)
		goto fail;
	sqlite3_stmt *s = STORE_PREP(st,
		"UPDATE hosts SET lan_prefix = ?2, lan_len = ?3, updated = ?4 WHERE id = ?1",
		r->id, 0, (int64_t)plen, now);
	rc = DZ_EDB;
	if (!s)
		goto fail;
	sqlite3_bind_blob(s, 2, p, 16, SQLITE_TRANSIENT);
	if (store_done(s))
		goto fail;
	*changed = true;
	for (unsigned i = 0; i < g.n; i++) {
		struct host *f = &g.v[i];
		uint8_t old[16];
		bool had = host_derived(f, old), moved;
		memcpy(f->router_lan, p, 16);
		f->router_lan_len = plen;
		f->has_router_lan = true;
		if ((rc = follow_move(st, f, had ? old : NULL, now, &moved)) != 0)
			goto fail;
		if (moved && each && (rc = each(ctx, f)) != 0)
			goto fail;
	}
	rc = 0;
	memcpy(r->lan, p, 16);
	r->lan_len = plen;
	r->has_lan = true;
	r->updated = now;
fail:
	free(g.v);
	return rc;
}
