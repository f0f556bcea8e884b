/* Zone transfers' reads: the zone row, and the journal condensed into one
 * difference sequence (src/db/transfer.h). */
#include "src/db/transfer.h"

#include <string.h>

#include "proto/errors.h"
#include "src/db/journal.h"
#include "src/db/served.h"
#include "src/db/sql.h"

int store_xfr_zone(store_t *st, const uint8_t *apex, struct store_zone *z)
{
	int rc = store_zone_find(st, apex, z);
	if (rc)
		return rc;
	return dname_equal_ci(z->apex, apex) ? 0 : DZ_ENOENT;
}

int store_xfr_records(store_t *st, int64_t zone_id, store_rr_cb cb, void *ctx)
{
#define XFR_RECORDS(cond) "SELECT owner, type, ttl, rdata FROM records " \
	                  "WHERE zone_id = ?1" cond " ORDER BY zone_id, owner, type"
	static const char *const sql[2] = { XFR_RECORDS(" AND " SERVED("records")),
	                                    XFR_RECORDS("") };
#undef XFR_RECORDS
	bool all;
	int rc = store_served_all(st, &all), src;
	if (rc)
		return rc;
	sqlite3_stmt *s = STORE_PREP(st, sql[all], zone_id);
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = store_col_name(s, 0);
		const uint8_t *rd = sqlite3_column_blob(s, 3);
		int rdlen = sqlite3_column_bytes(s, 3);
		if (!o || rdlen > 65535)
			continue;
		struct store_rr rr = {
			.zone_id = zone_id,
			.owner = o,
			.type = (uint16_t)sqlite3_column_int(s, 1),
			.ttl = (uint32_t)sqlite3_column_int64(s, 2),
			.rdata = rd ? rd : (const uint8_t *)"",
			.rdlen = (size_t)rdlen,
			.loc = "",
		};
		if ((rc = cb(ctx, &rr)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

int store_xfr_ixfr_start(store_t *st, int64_t zone_id, uint32_t from, int64_t *pos)
{
	int64_t at, bad;
	/* the latest SOA row at that serial: after a wrap of the serial
	 * space the older one is history */
	_Static_assert(JOURNAL_SOA == 3, "journal_soa is a partial index on op = 3");
	int rc = STORE_INT(st, "SELECT max(id) FROM journal WHERE zone_id = ?1 AND op = 3 "
	                   "AND serial = ?2 HAVING max(id) IS NOT NULL",
	                   &at, zone_id, (int64_t)from);
	if (rc)
		return rc;
	/* a bulk commit (an import) journals its reload right after its SOA
	 * row, at the same serial: that reload made `from`, it is not news */
	rc = STORE_INT(st, "SELECT count(*) FROM journal WHERE zone_id = ?1 AND id > ?2 "
	               "AND (op = ?3 OR (op = ?4 AND serial <> ?6) "
	               "OR (op = ?5 AND (type IS NULL OR rdata IS NULL)))",
	               &bad, zone_id, at, JOURNAL_ZONE_DEL, JOURNAL_ZONE_RELOAD, JOURNAL_DEL,
	               (int64_t)from);
	if (rc)
		return rc;
	if (bad)
		return DZ_ENOENT;
	*pos = at;
	return 0;
}

int store_xfr_diff(store_t *st, int64_t zone_id, int64_t pos, bool adds,
                   store_rr_cb cb, void *ctx)
{
	/* per distinct record: its first and last journal row after pos.
	 * First a deletion: it was there at the old serial (delete it); last
	 * an addition: it is there now (add it, with its newest TTL).  Added
	 * then deleted: neither. */
	sqlite3_stmt *s = STORE_PREP(st,
		"SELECT j.owner, j.type, j.rdata, j.ttl, f.ttl FROM "
		"(SELECT min(id) AS lo, max(id) AS hi FROM journal "
		" WHERE zone_id = ?1 AND id > ?2 AND op IN (?3, ?4) "
		" GROUP BY owner, type, rdata) g "
		"JOIN journal j ON j.id = g.hi JOIN journal f ON f.id = g.lo "
		"WHERE (?5 AND j.op = ?3) OR (NOT ?5 AND f.op = ?4) "
		"ORDER BY j.owner, j.type",
		zone_id, pos, JOURNAL_ADD, JOURNAL_DEL, adds);
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = store_col_name(s, 0);
		if (!o || sqlite3_column_type(s, 1) == SQLITE_NULL || sqlite3_column_bytes(s, 2) > 65535)
			continue;
		struct store_rr rr = {
			.zone_id = zone_id,
			.owner = o,
			.type = (uint16_t)sqlite3_column_int(s, 1),
			.ttl = (uint32_t)sqlite3_column_int64(s, adds ? 3 : 4),
			.rdata = sqlite3_column_blob(s, 2),
			.rdlen = (size_t)sqlite3_column_bytes(s, 2),
			.loc = "",
		};
		if (!rr.rdata)
			rr.rdata = (const uint8_t *)"";
		if ((rc = cb(ctx, &rr)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}
