/* The zones and records tables. */
#include "src/db/zones.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "proto/wire.h"
#include "proto/rdata.h"
#include "src/common/grow.h"
#include "src/db/journal.h"
#include "src/db/served.h"
#include "src/db/sql.h"
#include "src/db/tdstore.h"

/* Zones ---------------------------------------------------------------- */

static const char ZONE_COLS[] =
	"SELECT id, apex, name, mname, rname, serial, refresh, retry, expire, "
	"minimum, soa_ttl, default_ttl FROM zones ";

static void blob_name(sqlite3_stmt *s, int col, uint8_t *out)
{
	const uint8_t *b = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	if (!b || n == 0 || n > DNAME_MAX || dname_len(b, n) != n) {
		out[0] = 0;
		return;
	}
	memcpy(out, b, n);
}

/* Bind a SOA's fields, mname to minimum and its TTL, from ?first on. */
static void zone_bind_soa(sqlite3_stmt *s, int first, const struct zsoa *soa)
{
	const int64_t v[] = { soa->serial, soa->refresh, soa->retry, soa->expire,
	                      soa->minimum, soa->ttl };
	sqlite3_bind_blob(s, first, soa->mname, (int)dname_len(soa->mname, DNAME_MAX),
	                  SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, first + 1, soa->rname, (int)dname_len(soa->rname, DNAME_MAX),
	                  SQLITE_TRANSIENT);
	for (int i = 0; i < 6; i++)
		sqlite3_bind_int64(s, first + 2 + i, v[i]);
}

static void zone_row(sqlite3_stmt *s, struct store_zone *z)
{
	const unsigned char *name;
	z->id = sqlite3_column_int64(s, 0);
	blob_name(s, 1, z->apex);
	name = sqlite3_column_text(s, 2);
	snprintf(z->name, sizeof z->name, "%s", name ? (const char *)name : "");
	blob_name(s, 3, z->soa.mname);
	blob_name(s, 4, z->soa.rname);
	z->soa.serial = (uint32_t)sqlite3_column_int64(s, 5);
	z->soa.refresh = (uint32_t)sqlite3_column_int64(s, 6);
	z->soa.retry = (uint32_t)sqlite3_column_int64(s, 7);
	z->soa.expire = (uint32_t)sqlite3_column_int64(s, 8);
	z->soa.minimum = (uint32_t)sqlite3_column_int64(s, 9);
	z->soa.ttl = (uint32_t)sqlite3_column_int64(s, 10);
	z->default_ttl = (uint32_t)sqlite3_column_int64(s, 11);
}

int store_zone_add(store_t *st, const uint8_t *apex, const struct zsoa *soa,
                   uint32_t default_ttl, int64_t *id)
{
	uint8_t lapex[DNAME_MAX];
	char text[1024];
	size_t alen = dname_copy_lower(lapex, apex);
	if (dname_to_text(lapex, text, sizeof text) < 0)
		return DZ_EINVAL;
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO zones(apex, name, mname, rname, serial, refresh, retry, "
		"expire, minimum, soa_ttl, default_ttl, created) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 1, lapex, (int)alen, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_TRANSIENT);
	zone_bind_soa(s, 3, soa);
	sqlite3_bind_int64(s, 11, default_ttl);
	sqlite3_bind_int64(s, 12, (int64_t)time(NULL));
	int rc = store_done(s);
	if (rc)
		return rc;
	int64_t zid = store_last_id(st);
	if (id)
		*id = zid;
	/* the SOA journal row (written at commit) tells servers the zone is new */
	return store_touch_zone(st, zid);
}

static int zone_query_one(store_t *st, const char *sql, int64_t id,
                          const uint8_t *blob, size_t bloblen,
                          struct store_zone *out)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return DZ_EDB;
	if (blob)
		sqlite3_bind_blob(s, 1, blob, (int)bloblen, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		zone_row(s, out);
	return store_row_end(s, rc);
}

int store_zone_get(store_t *st, int64_t id, struct store_zone *out)
{
	static char sql[256];
	if (!sql[0])
		snprintf(sql, sizeof sql, "%sWHERE id = ?1", ZONE_COLS);
	return zone_query_one(st, sql, id, NULL, 0, out);
}

int store_zone_find(store_t *st, const uint8_t *name, struct store_zone *out)
{
	static char sql[256];
	uint8_t l[DNAME_MAX];
	if (!sql[0])
		snprintf(sql, sizeof sql, "%sWHERE apex = ?1", ZONE_COLS);
	dname_copy_lower(l, name);
	for (const uint8_t *p = l; p; p = dname_parent(p)) {
		int rc = zone_query_one(st, sql, 0, p, dname_len(p, DNAME_MAX), out);
		if (rc != DZ_ENOENT)
			return rc;
	}
	return DZ_ENOENT;
}

int store_zone_set_soa(store_t *st, int64_t id, const struct zsoa *soa)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"UPDATE zones SET mname=?2, rname=?3, serial=?4, refresh=?5, retry=?6, "
		"expire=?7, minimum=?8, soa_ttl=?9 WHERE id = ?1", id);
	if (!s)
		return DZ_EDB;
	zone_bind_soa(s, 2, soa);
	int rc = store_done(s);
	return rc ? rc : store_touch_zone(st, id);
}

int store_zone_del(store_t *st, int64_t id)
{
	struct store_zone z;
	int rc = store_zone_get(st, id, &z);
	if (rc)
		return rc;
	if (journal_zone_del(st, id))
		return DZ_EDB;
	/* the zone's export-only tinydns rows go with it */
	if (tdstore_extra_del_zone(st, id, z.apex, NULL))
		return DZ_EDB;
	if (store_run(st, "DELETE FROM records WHERE zone_id = ?1", id, 0) ||
	    store_run(st, "DELETE FROM zones WHERE id = ?1", id, 0))
		return DZ_EDB;
	return store_changes(st) ? 0 : DZ_ENOENT;
}

int store_zone_list(store_t *st, store_zone_cb cb, void *ctx)
{
	static char sql[256];
	struct store_zone z;
	int rc = 0, src;
	if (!sql[0])
		snprintf(sql, sizeof sql, "%sORDER BY name", ZONE_COLS);
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		zone_row(s, &z);
		if ((rc = cb(ctx, &z)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

/* Records -------------------------------------------------------------- */

/* The number a query about one record key gives (a count, a TTL): the
 * statement binds ?1 zone, ?2 owner (lowercased here), ?3 type, ?4 rdata
 * and (if loc is not NULL) ?5 location.  -1 on a store error. */
static long long count_rdata(store_t *st, const char *sql, int64_t zone_id,
                             const uint8_t *owner, uint16_t type, const uint8_t *rd,
                             size_t rdlen, const char *loc)
{
	uint8_t lo[DNAME_MAX];
	size_t olen = dname_copy_lower(lo, owner);
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_blob(s, 2, lo, (int)olen, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, type);
	sqlite3_bind_blob(s, 4, rdlen ? rd : (const uint8_t *)"", (int)rdlen, SQLITE_STATIC);
	if (loc)
		sqlite3_bind_text(s, 5, loc, -1, SQLITE_STATIC);
	return store_count(s);
}

/* The journal says what changes in the served records (src/db/served.h),
 * which IXFR sends and the zone table follows.  A row added without a
 * location may take the place of a served row of the same record with the
 * default location (a tinydns import's): the same RR, perhaps another TTL.
 * That row's TTL (-2: there is none; -1: a store error). */
static const char TWIN_TTL[] =
	"SELECT coalesce((SELECT ttl FROM records WHERE zone_id = ?1 AND owner = ?2 "
	"AND type = ?3 AND rdata = ?4 AND loc <> '' AND " SERVED("records") "), -2)";
/* And a row added with a location or a TTD may not be served at all. */
static const char ROW_SERVED[] =
	"SELECT count(*) FROM records WHERE zone_id = ?1 AND owner = ?2 AND type = ?3 "
	"AND rdata = ?4 AND loc = ?5 AND " SERVED("records");

int store_record_add(store_t *st, const struct store_rr *rr)
{
	uint8_t lo[DNAME_MAX];
	size_t olen = dname_copy_lower(lo, rr->owner);
	const uint8_t *rd = rr->rdlen ? rr->rdata : (const uint8_t *)"";
	bool located = (rr->loc && rr->loc[0]) || rr->ttd;
	long long twin = -2;
	if (!store_bulk(st) && !located) {
		bool all;
		if (store_served_all(st, &all))
			return DZ_EDB;
		/* a twin has a location: none while no row has one */
		if (!all && (twin = count_rdata(st, TWIN_TTL, rr->zone_id, lo, rr->type, rd,
		                                rr->rdlen, NULL)) == -1)
			return DZ_EDB;
	}
	sqlite3_stmt *s = STORE_PREP(st,
		"INSERT INTO records(zone_id, owner, type, rdata, loc, ttl, ttd, host_id) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7,?8)", rr->zone_id);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 2, lo, (int)olen, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, rr->type);
	sqlite3_bind_blob(s, 4, rd, (int)rr->rdlen, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rr->loc ? rr->loc : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, rr->ttl);
	sqlite3_bind_int64(s, 7, (int64_t)rr->ttd);
	if (rr->host_id)
		sqlite3_bind_int64(s, 8, rr->host_id);
	int rc = store_done(s);
	if (!rc && located)
		store_served_forget(st);
	if (rc || store_bulk(st))
		return rc ? rc : store_touch_zone(st, rr->zone_id);
	long long served = located ? count_rdata(st, ROW_SERVED, rr->zone_id, lo, rr->type, rd,
	                                         rr->rdlen, rr->loc ? rr->loc : "") : 1;
	if (served < 0)
		return DZ_EDB;
	if (twin >= 0)
		rc = journal_rr(st, JOURNAL_DEL, rr->zone_id, lo, olen, rr->type, (uint32_t)twin,
		                rd, rr->rdlen);
	if (!rc && served)
		rc = journal_rr(st, JOURNAL_ADD, rr->zone_id, lo, olen, rr->type, rr->ttl,
		                rd, rr->rdlen);
	return rc ? rc : store_touch_zone(st, rr->zone_id);
}

/* Bind ?1 zone, ?2 owner (lowercase wire, must outlive the step) and, if
 * type >= 0, ?3 type: the key of the record statements below.  s (NULL
 * from a failed prepare: false). */
static bool bind_owner(sqlite3_stmt *s, int64_t zone_id, const uint8_t *lo, size_t olen,
                       int type)
{
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_blob(s, 2, lo, (int)olen, SQLITE_STATIC);
	if (type >= 0)
		sqlite3_bind_int(s, 3, type);
	return true;
}

/* The rows a delete removes, read before it: their keys, and what the
 * journal needs.  Held in one buffer: per row, type (2 bytes), ttl (4),
 * rdata length (2), loc length (1), served (1: src/db/served.h), rdata,
 * loc.  nserved: how many were served. */
#define DEL_ROW_HEAD 10
struct del_rows {
	uint8_t *buf;
	size_t len, cap;
	unsigned n, nserved;
};

static int del_rows_read(store_t *st, sqlite3_stmt *s, struct del_rows *r)
{
	int rc = 0, src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *rd = sqlite3_column_blob(s, 1);
		size_t rdlen = (size_t)sqlite3_column_bytes(s, 1);
		const char *loc = (const char *)sqlite3_column_text(s, 3);
		size_t loclen = (size_t)sqlite3_column_bytes(s, 3);
		size_t need = DEL_ROW_HEAD + rdlen + loclen;
		if (rdlen > 65535 || loclen > 255) {
			rc = DZ_EINVAL;            /* no such row is ever written */
			break;
		}
		uint8_t *nb = grow_bytes(r->buf, &r->cap, r->len, need, 512);
		if (!nb) {
			rc = DZ_ENOMEM;
			break;
		}
		r->buf = nb;
		uint8_t *p = r->buf + r->len;
		wire_store_u16(p, (uint16_t)sqlite3_column_int(s, 0));
		wire_store_u32(p + 2, (uint32_t)sqlite3_column_int64(s, 2));
		wire_store_u16(p + 6, (uint16_t)rdlen);
		p[8] = (uint8_t)loclen;
		p[9] = sqlite3_column_int(s, 4) != 0;
		if (rdlen)
			memcpy(p + DEL_ROW_HEAD, rd, rdlen);
		if (loclen)
			memcpy(p + DEL_ROW_HEAD + rdlen, loc, loclen);
		r->len += need;
		r->n++;
		r->nserved += p[9];
	}
	return store_rows_end(s, rc, src);
}

/* One of three statements on records at (zone, lo), bound: all of them
 * (type < 0), those of one type (rd NULL), or one record by its RDATA. */
static sqlite3_stmt *rows_stmt(store_t *st, const char *const sql[3], int64_t zone_id,
                               const uint8_t *lo, size_t olen, int type,
                               const uint8_t *rd, size_t rdlen)
{
	sqlite3_stmt *s = store_stmt(st, sql[type < 0 ? 0 : !rd ? 1 : 2]);
	if (!bind_owner(s, zone_id, lo, olen, type))
		return NULL;
	if (rd)
		sqlite3_bind_blob(s, 4, rdlen ? rd : (const uint8_t *)"", (int)rdlen, SQLITE_STATIC);
	return s;
}

int store_record_del(store_t *st, int64_t zone_id, const uint8_t *owner,
                     int type, const uint8_t *rd, size_t rdlen, unsigned *ndel)
{
	uint8_t lo[DNAME_MAX];
	size_t olen = dname_copy_lower(lo, owner);
	sqlite3_stmt *s;
	if (ndel)
		*ndel = 0;
	if (store_bulk(st)) {
		/* an import: nothing journalled, and whole names at a time */
		static const char *const del[3] = {
			"DELETE FROM records WHERE zone_id=?1 AND owner=?2",
			"DELETE FROM records WHERE zone_id=?1 AND owner=?2 AND type=?3",
			"DELETE FROM records WHERE zone_id=?1 AND owner=?2 AND type=?3 AND rdata=?4",
		};
		s = rows_stmt(st, del, zone_id, lo, olen, type, rd, rdlen);
		if (!s || store_done(s))
			return DZ_EDB;
		if (ndel)
			*ndel = store_changes(st);
		return 0;
	}
	/* Read the rows, then delete each by its whole primary key.  With
	 * the foreign key on zone_id, SQLite deletes by a key prefix in two
	 * passes through a temporary b-tree (a third of a host update's
	 * instructions); by the whole key it is one seek.  The journal gets
	 * each served record with its TTL (an outgoing IXFR needs the exact
	 * records deleted: src/db/transfer.h; the journal follower takes them
	 * too), except one exact record, journalled once whatever its
	 * locations; a row not served (src/db/served.h) is no news. */
#define DEL_SEL(served) "SELECT type, rdata, ttl, loc, " served \
	                " FROM records WHERE zone_id=?1 AND owner=?2"
	/* [every row served] */
	static const char *const sel[2][3] = {
		{ DEL_SEL(SERVED("records")), DEL_SEL(SERVED("records")) " AND type=?3",
		  DEL_SEL(SERVED("records")) " AND type=?3 AND rdata=?4" },
		{ DEL_SEL("1"), DEL_SEL("1") " AND type=?3", DEL_SEL("1") " AND type=?3 AND rdata=?4" },
	};
#undef DEL_SEL
	bool all;
	if (store_served_all(st, &all) ||
	    !(s = rows_stmt(st, sel[all], zone_id, lo, olen, type, rd, rdlen)))
		return DZ_EDB;
	struct del_rows rows = { 0 };
	int rc = del_rows_read(st, s, &rows);
	sqlite3_stmt *d = rc ? NULL : store_stmt(st, "DELETE FROM records WHERE zone_id=?1 "
	                                         "AND owner=?2 AND type=?3 AND rdata=?4 AND loc=?5");
	if (!rc && !d)
		rc = DZ_EDB;
	for (size_t off = 0; !rc && off < rows.len;) {
		const uint8_t *p = rows.buf + off;
		uint16_t rtype = wire_load_u16(p), rl = wire_load_u16(p + 6);
		uint8_t ll = p[8];
		bool served = p[9];
		const uint8_t *rrd = p + DEL_ROW_HEAD;
		off += DEL_ROW_HEAD + rl + ll;
		bind_owner(d, zone_id, lo, olen, rtype);
		sqlite3_bind_blob(d, 4, rl ? rrd : (const uint8_t *)"", rl, SQLITE_STATIC);
		sqlite3_bind_text(d, 5, (const char *)rrd + rl, ll, SQLITE_STATIC);
		if (store_done(d))
			rc = DZ_EDB;
		else if (!rd && served)
			rc = journal_rr(st, JOURNAL_DEL, zone_id, lo, olen, rtype, wire_load_u32(p + 2),
			                rrd, rl);
	}
	unsigned n = rows.n, nserved = rows.nserved;
	free(rows.buf);
	if (rc)
		return rc;
	if (ndel)
		*ndel = n;
	if (!n)
		return 0;
	rc = rd && nserved ? journal_rr(st, JOURNAL_DEL, zone_id, lo, olen, type, 0, rd, rdlen) : 0;
	return rc ? rc : store_touch_zone(st, zone_id);
}

int store_rrset_ttl(store_t *st, int64_t zone_id, const uint8_t *owner, uint16_t type,
                    uint32_t ttl, unsigned *nset)
{
	uint8_t lo[DNAME_MAX];
	size_t olen = dname_copy_lower(lo, owner);
	int rc = 0, src;
	*nset = 0;
	/* each served record that changes: its deletion and its new TTL,
	 * journalled exactly (IXFR, the signer and the zone table take them
	 * as usual) */
	sqlite3_stmt *s;
	if (!store_bulk(st)) {
		s = store_stmt(st, "SELECT rdata, ttl FROM records WHERE zone_id=?1 AND owner=?2 "
		               "AND type=?3 AND ttl<>?4 AND " SERVED("records"));
		if (!bind_owner(s, zone_id, lo, olen, type))
			return DZ_EDB;
		sqlite3_bind_int64(s, 4, ttl);
		while ((src = sqlite3_step(s)) == SQLITE_ROW) {
			const uint8_t *rd = sqlite3_column_blob(s, 0);
			size_t rdlen = (size_t)sqlite3_column_bytes(s, 0);
			if (!rd)
				rd = (const uint8_t *)"";
			uint32_t old = (uint32_t)sqlite3_column_int64(s, 1);
			if ((rc = journal_rr(st, JOURNAL_DEL, zone_id, lo, olen, type, old, rd, rdlen)) ||
			    (rc = journal_rr(st, JOURNAL_ADD, zone_id, lo, olen, type, ttl, rd, rdlen)))
				break;
		}
		if ((rc = store_rows_end(s, rc, src)) != 0)
			return rc;
	}
	s = store_stmt(st, "UPDATE records SET ttl=?4 WHERE zone_id=?1 AND owner=?2 AND type=?3 "
	               "AND ttl<>?4");
	if (!bind_owner(s, zone_id, lo, olen, type))
		return DZ_EDB;
	sqlite3_bind_int64(s, 4, ttl);
	if (store_done(s))
		return DZ_EDB;
	*nset = store_changes(st);
	return *nset ? store_touch_zone(st, zone_id) : 0;
}

static void rr_row(sqlite3_stmt *s, struct store_rr *rr)
{
	rr->zone_id = sqlite3_column_int64(s, 0);
	rr->owner = sqlite3_column_blob(s, 1);
	rr->type = (uint16_t)sqlite3_column_int(s, 2);
	rr->rdata = sqlite3_column_blob(s, 3);
	rr->rdlen = (size_t)sqlite3_column_bytes(s, 3);
	rr->loc = (const char *)sqlite3_column_text(s, 4);
	rr->ttl = (uint32_t)sqlite3_column_int64(s, 5);
	rr->ttd = (uint64_t)sqlite3_column_int64(s, 6);
	rr->host_id = sqlite3_column_int64(s, 7);
}

static bool rr_row_valid(sqlite3_stmt *s)
{
	return store_col_name(s, 1) && sqlite3_column_bytes(s, 3) <= 65535;
}

int store_record_list(store_t *st, int64_t zone_id, store_rr_cb cb, void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, zone_id > 0
		? "SELECT zone_id, owner, type, rdata, loc, ttl, ttd, host_id FROM records "
		  "WHERE zone_id = ?1 ORDER BY zone_id, owner, type"
		: "SELECT zone_id, owner, type, rdata, loc, ttl, ttd, host_id FROM records "
		  "ORDER BY zone_id, owner, type");
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	if (zone_id > 0)
		sqlite3_bind_int64(s, 1, zone_id);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_rr rr;
		if (!rr_row_valid(s))
			continue;
		rr_row(s, &rr);
		if ((rc = cb(ctx, &rr)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}


long long store_record_count(store_t *st, int64_t zone_id, const uint8_t *owner,
                             int type, bool other)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM records WHERE zone_id = ?1",
		"SELECT count(*) FROM records WHERE zone_id = ?1 AND owner = ?3",
		"SELECT count(*) FROM records WHERE zone_id = ?1 AND owner = ?3 AND type = ?2",
		"SELECT count(*) FROM records WHERE zone_id = ?1 AND owner = ?3 AND type <> ?2",
	};
	uint8_t lo[DNAME_MAX];
	size_t olen = 0;
	int which = 0;
	if (owner) {
		olen = dname_copy_lower(lo, owner);
		which = type < 0 ? 1 : other ? 3 : 2;
	}
	sqlite3_stmt *s = store_stmt(st, sql[which]);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, zone_id);
	if (which >= 2)
		sqlite3_bind_int(s, 2, type);
	if (owner)
		sqlite3_bind_blob(s, 3, lo, (int)olen, SQLITE_STATIC);
	return store_count(s);
}

long long store_record_count_except(store_t *st, int64_t zone_id, const uint8_t *owner,
                                    uint16_t type, const uint8_t *rd, size_t rdlen,
                                    const char *loc)
{
	return count_rdata(st, "SELECT count(*) FROM records WHERE zone_id = ?1 AND owner = ?2 "
	                   "AND NOT (type = ?3 AND rdata = ?4 AND loc = ?5)",
	                   zone_id, owner, type, rd, rdlen, loc ? loc : "");
}

long long store_record_count_rdata(store_t *st, int64_t zone_id, const uint8_t *owner,
                                   uint16_t type, const uint8_t *rd, size_t rdlen)
{
	return count_rdata(st, "SELECT count(*) FROM records WHERE zone_id = ?1 AND owner = ?2 "
	                   "AND type = ?3 AND rdata = ?4", zone_id, owner, type, rd, rdlen, NULL);
}

int store_zone_soa_defaults(struct zsoa *soa, const uint8_t *apex, const uint8_t *ns,
                            uint32_t ttl, int64_t now)
{
	if (dname_len(apex, DNAME_MAX) + 11 > DNAME_MAX)
		return DZ_EINVAL;
	memset(soa, 0, sizeof *soa);
	memcpy(soa->mname, ns, dname_len(ns, DNAME_MAX));
	memcpy(soa->rname, "\012hostmaster", 11);
	dname_copy_lower(soa->rname + 11, apex);
	soa->serial = (uint32_t)now;
	soa->refresh = 3600;
	soa->retry = 600;
	soa->expire = 1209600;
	soa->minimum = 60;
	soa->ttl = ttl;
	return 0;
}

size_t store_zone_soa_rdata(const struct zsoa *soa, uint32_t serial, uint8_t *out, size_t cap)
{
	wire_t w;
	wire_init(&w, out, cap);
	wire_write_bytes(&w, soa->mname, dname_len(soa->mname, DNAME_MAX));
	wire_write_bytes(&w, soa->rname, dname_len(soa->rname, DNAME_MAX));
	wire_write_u32(&w, serial);
	wire_write_u32(&w, soa->refresh);
	wire_write_u32(&w, soa->retry);
	wire_write_u32(&w, soa->expire);
	wire_write_u32(&w, soa->minimum);
	return w.err ? 0 : wire_pos(&w);
}
