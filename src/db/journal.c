/* The change journal and the update log: appends and pruning. */
#include "src/db/journal.h"

#include <time.h>

#include "proto/errors.h"
#include "src/db/sql.h"

int journal_rr(store_t *st, int op, int64_t zone_id, const uint8_t *owner,
                      size_t olen, int type, uint32_t ttl, const uint8_t *rd,
                      size_t rdlen)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"INSERT INTO journal(zone_id, serial, op, owner, type, ttl, rdata, time) "
		"VALUES(?1, (SELECT serial FROM zones WHERE id = ?1), ?2, ?3, ?4, ?5, ?6, ?7)",
		zone_id, op);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 3, owner, (int)olen, SQLITE_STATIC);
	if (type >= 0)
		sqlite3_bind_int(s, 4, type);
	sqlite3_bind_int64(s, 5, ttl);
	if (rd)
		sqlite3_bind_blob(s, 6, rdlen ? rd : (const uint8_t *)"", (int)rdlen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (int64_t)time(NULL));
	return store_done(s);
}

/* A zone-wide journal row (SOA, deletion, reload) at the zone's serial. */
static int journal_zone_op(store_t *st, int64_t zone_id, int op)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"INSERT INTO journal(zone_id, serial, op, time) "
		"SELECT id, serial, ?3, ?2 FROM zones WHERE id = ?1",
		zone_id, (int64_t)time(NULL), op);
	if (!s)
		return DZ_EDB;
	return store_done(s) ? DZ_EDB : 0;
}

int journal_bump(store_t *st, int64_t zone_id)
{
	/* RFC 1982 arithmetic: +1 modulo 2^32, skipping 0 which some
	 * secondaries treat as "unset" */
	if (store_run(st, "UPDATE zones SET serial = CASE WHEN serial >= 4294967295 THEN 1 "
	              "ELSE serial + 1 END WHERE id = ?1", zone_id, 0) ||
	    journal_zone_op(st, zone_id, JOURNAL_SOA))
		return DZ_EDB;
	return store_bulk(st) ? journal_zone_op(st, zone_id, JOURNAL_ZONE_RELOAD) : 0;
}

int journal_zone_del(store_t *st, int64_t zone_id)
{
	return journal_zone_op(st, zone_id, JOURNAL_ZONE_DEL);
}

/* Logs ----------------------------------------------------------------- */

int store_log_prune(store_t *st, enum store_log which, int64_t before, unsigned max,
                    unsigned *n)
{
	/* rows go in in time order, so the old ones are the lowest ids: look
	 * at most `max` ids past the oldest for the first row to keep, and
	 * never delete the newest row (ids must not be reused: its id is the
	 * high mark that followers and the export watch) */
	static const char *const sql[] = {
		[STORE_LOG_JOURNAL] =
			"DELETE FROM journal WHERE id < min(coalesce("
			"(SELECT id FROM journal WHERE id < (SELECT min(id) FROM journal) + ?2 "
			"AND time >= ?1 ORDER BY id LIMIT 1), "
			"(SELECT min(id) FROM journal) + ?2), (SELECT max(id) FROM journal))",
		[STORE_LOG_UPDATES] =
			"DELETE FROM update_log WHERE id < min(coalesce("
			"(SELECT id FROM update_log WHERE id < (SELECT min(id) FROM update_log) + ?2 "
			"AND time >= ?1 ORDER BY id LIMIT 1), "
			"(SELECT min(id) FROM update_log) + ?2), (SELECT max(id) FROM update_log))",
	};
	*n = 0;
	if ((unsigned)which >= sizeof sql / sizeof sql[0])
		return DZ_EINVAL;
	sqlite3_stmt *s = STORE_PREP(st, sql[which], before, max);
	if (!s)
		return DZ_EDB;
	if (store_done(s))
		return DZ_EDB;
	*n = store_changes(st);
	return 0;
}

