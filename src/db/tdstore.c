/* The tinydns_extra and tinydns_loc tables. */
#include "src/db/tdstore.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "src/db/served.h"
#include "src/db/sql.h"
#include "src/db/zones.h"
#include "src/common/grow.h"

static const uint8_t *blob_or_empty(const void *p)
{
	return p ? p : (const uint8_t *)"";
}

int tdstore_extra_add(store_t *st, const struct tdstore_extra *x)
{
	sqlite3_stmt *s = store_stmt(st,
		"INSERT OR IGNORE INTO tinydns_extra(owner, type, rdata, loc, ttl, ttd) "
		"VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 1, x->owner, (int)dname_len(x->owner, DNAME_MAX), SQLITE_STATIC);
	sqlite3_bind_int(s, 2, x->type);
	sqlite3_bind_blob(s, 3, x->rdlen ? x->rdata : (const uint8_t *)"", (int)x->rdlen,
	                  SQLITE_STATIC);
	sqlite3_bind_text(s, 4, x->loc ? x->loc : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, x->ttl);
	sqlite3_bind_int64(s, 6, (int64_t)x->ttd);
	if (store_done(s))
		return DZ_EDB;
	return store_changes(st) ? 0 : DZ_EEXIST;
}

int tdstore_extra_list(store_t *st, int (*cb)(void *ctx, const struct tdstore_extra *x),
                       void *ctx)
{
	sqlite3_stmt *s = store_stmt(st,
		"SELECT owner, type, rdata, loc, ttl, ttd FROM tinydns_extra ORDER BY id");
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = store_col_name(s, 0);
		if (!o)
			continue;
		const unsigned char *loc = sqlite3_column_text(s, 3);
		struct tdstore_extra x = {
			.owner = o,
			.type = (uint16_t)sqlite3_column_int(s, 1),
			.rdata = blob_or_empty(sqlite3_column_blob(s, 2)),
			.rdlen = (size_t)sqlite3_column_bytes(s, 2),
			.loc = loc ? (const char *)loc : "",
			.ttl = (uint32_t)sqlite3_column_int64(s, 4),
			.ttd = (uint64_t)sqlite3_column_int64(s, 5),
		};
		if ((rc = cb(ctx, &x)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

/* Rows under a zone's apex, gathered before any is deleted (a
 * statement's rows must not change under it). */
struct extra_row {
	int64_t id;
	uint8_t owner[DNAME_MAX];
};

int tdstore_extra_del_zone(store_t *st, int64_t zone_id, const uint8_t *apex, unsigned *n)
{
	struct extra_row *v = NULL;
	size_t nv = 0, cap = 0;
	uint8_t la[DNAME_MAX];
	int rc = 0, src;
	dname_copy_lower(la, apex);
	if (n)
		*n = 0;
	sqlite3_stmt *s = store_stmt(st, "SELECT id, owner FROM tinydns_extra");
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = sqlite3_column_blob(s, 1);
		int olen = sqlite3_column_bytes(s, 1);
		if (!o || olen <= 0 || olen > DNAME_MAX || dname_len(o, (size_t)olen) != (size_t)olen)
			continue;
		if (!dname_equal(o, la) && !dname_is_sub(o, la))
			continue;
		struct extra_row *nr = grow_array(v, &cap, nv, sizeof *nr, 16);
		if (!nr) {
			rc = DZ_ENOMEM;
			break;
		}
		v = nr;
		v[nv].id = sqlite3_column_int64(s, 0);
		memcpy(v[nv].owner, o, (size_t)olen);
		nv++;
	}
	if (!rc && src != SQLITE_DONE)
		rc = DZ_EDB;
	sqlite3_reset(s);
	for (size_t i = 0; i < nv && !rc; i++) {
		/* a row inside a more specific zone stays with that zone */
		struct store_zone z;
		if (store_zone_find(st, v[i].owner, &z) != 0 || z.id != zone_id)
			continue;
		if ((rc = store_run(st, "DELETE FROM tinydns_extra WHERE id = ?1", v[i].id, 0)) != 0)
			break;
		if (n)
			(*n)++;
	}
	free(v);
	return rc;
}

int tdstore_loc_add(store_t *st, const tinydns_loc_t *loc)
{
	sqlite3_stmt *s = store_stmt(st,
		"INSERT OR IGNORE INTO tinydns_loc(code, prefix) VALUES(?1, ?2)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 1, loc->code, 2, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, loc->plen ? loc->prefix : (const uint8_t *)"",
	                  (int)loc->plen, SQLITE_STATIC);
	if (store_done(s))
		return DZ_EDB;
	return store_changes(st) ? 0 : DZ_EEXIST;
}

int tdstore_loc_list(store_t *st, int (*cb)(void *ctx, const tinydns_loc_t *loc), void *ctx)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT code, prefix FROM tinydns_loc ORDER BY id");
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *code = sqlite3_column_blob(s, 0);
		tinydns_loc_t loc = { .prefix = blob_or_empty(sqlite3_column_blob(s, 1)),
		                      .plen = (size_t)sqlite3_column_bytes(s, 1) };
		if (!code || sqlite3_column_bytes(s, 0) != 2)
			continue;
		memcpy(loc.code, code, 2);
		if ((rc = cb(ctx, &loc)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

int tdstore_loc_default(store_t *st, uint8_t code[2])
{
	sqlite3_stmt *s = store_stmt(st, SERVED_LOC_DEFAULT_CODE);
	if (!s)
		return DZ_EDB;
	int src = sqlite3_step(s);
	bool found = src == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 2;
	if (found)
		memcpy(code, sqlite3_column_blob(s, 0), 2);
	sqlite3_reset(s);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		return DZ_EDB;
	return found ? 0 : DZ_ENOENT;
}

int tdstore_generation(store_t *st, int64_t gen[3])
{
	sqlite3_stmt *s = store_stmt(st,
		"SELECT (SELECT coalesce(max(id), 0) FROM journal),"
		"       (SELECT coalesce(max(id), 0) FROM tinydns_extra),"
		"       (SELECT coalesce(max(id), 0) FROM tinydns_loc)");
	int rc = DZ_EDB;
	if (s && sqlite3_step(s) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++)
			gen[i] = sqlite3_column_int64(s, i);
		rc = 0;
	}
	if (s)
		sqlite3_reset(s);
	return rc;
}
