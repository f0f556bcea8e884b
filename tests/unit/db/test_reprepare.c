/* The store's cached statements stay prepared (defect "every update
 * re-prepared three statements"): a partial index whose condition was
 * `type = 46` made SQLite's planner read the bound value of each
 * `type = ?` on records, so every delete, count and journal read of a
 * host update was compiled again whenever the type bound changed (27% of
 * an update's instructions).  Here a run of adds, deletes and counts with
 * the types an update alternates between must re-prepare nothing, and
 * the re-sign query must still be answered from the RRSIG expiry index. */
#include <stdio.h>

#include "proto/rdata.h"
#include "src/db/zones.h"
#include "tests/unit/db/dbtest.h"

static int64_t reprepares(store_t *st)
{
	int64_t n = 0;
	for (sqlite3_stmt *s = sqlite3_next_stmt(store_db(st), NULL); s;
	     s = sqlite3_next_stmt(store_db(st), s))
		n += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_REPREPARE, 0);
	return n;
}

static int64_t add_zone(store_t *st, const uint8_t *apex)
{
	uint8_t ns[DNAME_MAX];
	struct zsoa soa;
	int64_t id = 0;
	store_zone_soa_defaults(&soa, apex, dbt_name("ns.example", ns), 3600, 1);
	if (store_begin(st) || store_zone_add(st, apex, &soa, STORE_ZONE_HOST_TTL, &id) ||
	    store_commit(st))
		return 0;
	return id;
}

/* One host update's record work: replace the A, the AAAA and the TXT. */
static int churn(store_t *st, int64_t zid, const uint8_t *owner, unsigned i)
{
	static const uint16_t types[] = { RR_A, RR_AAAA, RR_TXT };
	uint8_t rd[16] = { 198, 51, 100, (uint8_t)i };
	static const size_t lens[] = { 4, 16, 4 };
	int rc = store_begin(st);
	for (size_t t = 0; !rc && t < 3; t++) {
		struct store_rr rr = { .zone_id = zid, .owner = owner, .type = types[t], .ttl = 60,
		                       .rdata = rd, .rdlen = lens[t], .loc = "" };
		rd[0] = t == 2 ? 3 : rd[0];       /* TXT: one string of three bytes */
		if (store_record_del(st, zid, owner, types[t], NULL, 0, NULL) ||
		    store_record_add(st, &rr) || store_record_count(st, zid, owner, types[t], false) != 1)
			rc = -1;
		rd[0] = 198;
	}
	return rc ? (store_rollback(st), rc) : store_commit(st);
}

int main(void)
{
	char db[128], err[256] = "";
	store_t *st = NULL;
	tmpdb_path("db-reprepare", db, sizeof db);
	int open_rc = store_open(db, &st, err, sizeof err);
	ok(open_rc == 0, "a store (%s)", err);
	if (!st)
		return tap_done();
	uint8_t apex[DNAME_MAX], owner[DNAME_MAX];
	int64_t zid = add_zone(st, dbt_name("dyn.example", apex));
	ok(zid > 0, "a zone");
	dbt_name("h1.dyn.example", owner);
	int bad = 0;
	for (unsigned i = 0; i < 3; i++)         /* first use prepares */
		bad |= churn(st, zid, owner, i);
	int64_t before = reprepares(st);
	for (unsigned i = 3; i < 50; i++)
		bad |= churn(st, zid, owner, i);
	is_int(bad, 0, "50 updates of A, AAAA and TXT committed");
	is_int((int)(reprepares(st) - before), 0,
	       "no cached statement was re-prepared by the next 47 updates");

	/* the re-sign job's query still walks the expiry index in order */
	sqlite3_stmt *s = NULL;
	int prc = sqlite3_prepare_v2(store_db(st),
		"EXPLAIN QUERY PLAN SELECT zone_id, owner, substr(rdata, 1, 2) FROM records "
		"WHERE type >= 46 AND type <= 46 AND substr(rdata, 9, 4) < ?1 "
		"ORDER BY substr(rdata, 9, 4) LIMIT ?2", -1, &s, NULL);
	char plan[512] = "";
	size_t used = 0;
	while (prc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW && used < sizeof plan - 1) {
		int w = snprintf(plan + used, sizeof plan - used, "%s; ", sqlite3_column_text(s, 3));
		used += w > 0 ? (size_t)w : 0;
		used = used < sizeof plan ? used : sizeof plan - 1;
	}
	sqlite3_finalize(s);
	ok(strstr(plan, "INDEX records_rrsig_expiry") && !strstr(plan, "TEMP B-TREE"),
	   "the re-sign query uses records_rrsig_expiry, in order (%s)", plan);
	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
