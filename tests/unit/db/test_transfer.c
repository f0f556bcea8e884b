/* Unit tests for src/db/transfer.c (and the exact deletions zones.c
 * journals for it): where an IXFR starts, when it must fall back to AXFR,
 * and the condensed difference (added-then-deleted records drop out,
 * deleted-then-added ones appear on both sides, a type-wide deletion
 * lists each record it removed). */
#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/db/journal.h"
#include "src/db/transfer.h"
#include "src/db/zones.h"
#include "tests/unit/db/dbtest.h"

static int add_a(store_t *st, int64_t zid, const char *owner, const char *addr)
{
	uint8_t o[DNAME_MAX], rd[16];
	size_t rdlen = 0;
	if (rdata_from_text(RR_A, addr, strlen(addr), NULL, rd, sizeof rd, &rdlen, NULL))
		return -1;
	struct store_rr rr = { .zone_id = zid, .owner = dbt_name(owner, o), .type = RR_A,
	                       .ttl = 60, .rdata = rd, .rdlen = rdlen, .loc = "" };
	return store_record_add(st, &rr);
}

static void diff(store_t *st, int64_t zid, int64_t pos, bool adds, struct dbt_seen *s)
{
	memset(s, 0, sizeof *s);
	int rc = store_xfr_diff(st, zid, pos, adds, dbt_seen_cb, s);
	is_int(rc, 0, "diff (%s) walks", adds ? "adds" : "dels");
}

int main(void)
{
	char db[128], err[256] = "";
	store_t *st = NULL;
	uint8_t apex[DNAME_MAX], o[DNAME_MAX];
	struct zsoa soa;
	struct store_zone z;
	struct dbt_seen s;
	int64_t zid = 0, pos = 0;
	tmpdb_path("db-transfer", db, sizeof db);
	int rc = store_open(db, &st, err, sizeof err);
	is_int(rc, 0, "a store (%s)", err);
	if (!st)
		return tap_done();
	store_zone_soa_defaults(&soa, dbt_name("x.test", apex), dbt_name("ns.x.test", o), 3600, 100);
	rc = store_begin(st) || store_zone_add(st, apex, &soa, 60, &zid) ||
	     add_a(st, zid, "a.x.test", "192.0.2.1") || add_a(st, zid, "b.x.test", "192.0.2.2") ||
	     add_a(st, zid, "b.x.test", "192.0.2.3") || store_commit(st);
	is_int(rc, 0, "zone with records");
	rc = store_xfr_zone(st, dbt_name("X.TEST", o), &z);
	ok(rc == 0 && z.id == zid, "zone by apex, any case");
	rc = store_xfr_zone(st, dbt_name("a.x.test", o), &z);
	is_int(rc, DZ_ENOENT, "a name below is no apex");
	uint32_t s0 = (uint32_t)dbt_one(st, "SELECT serial FROM zones");
	rc = store_xfr_ixfr_start(st, zid, s0 - 1, &pos);
	is_int(rc, DZ_ENOENT, "no journal before the zone");
	rc = store_xfr_ixfr_start(st, zid, s0, &pos);
	ok(rc == 0 && pos > 0, "IXFR from the current serial");

	/* one change: b's A records deleted as a type (journalled one by
	 * one), a c added and deleted again, a re-added with a new TTL */
	uint8_t rd[4] = { 192, 0, 2, 1 };
	rc = store_begin(st) ||
	     store_record_del(st, zid, dbt_name("b.x.test", o), RR_A, NULL, 0, NULL) ||
	     add_a(st, zid, "c.x.test", "192.0.2.9") ||
	     store_record_del(st, zid, dbt_name("c.x.test", o), -1, NULL, 0, NULL) ||
	     store_record_del(st, zid, dbt_name("a.x.test", o), RR_A, rd, 4, NULL) ||
	     add_a(st, zid, "a.x.test", "192.0.2.1") || store_commit(st);
	is_int(rc, 0, "a second commit");
	is_int(dbt_one(st, "SELECT count(*) FROM journal WHERE op = 2 AND (type IS NULL OR rdata IS NULL)"),
	       0, "type-wide and name-wide deletions are journalled record by record");
	diff(st, zid, pos, false, &s);
	is_str(s.list, "a.x.test. 192.0.2.1/0 b.x.test. 192.0.2.2/60 b.x.test. 192.0.2.3/60",
	       "deletions: a (deleted, re-added), both b, not c");
	diff(st, zid, pos, true, &s);
	is_str(s.list, "a.x.test. 192.0.2.1/60", "additions: a again, not c");

	/* a bulk commit (import) in between: fall back, except from its own serial */
	rc = store_begin(st);
	store_set_bulk(st, true);
	rc = rc || add_a(st, zid, "d.x.test", "192.0.2.4") || store_commit(st);
	is_int(rc, 0, "a bulk commit");
	uint32_t s2 = (uint32_t)dbt_one(st, "SELECT serial FROM zones");
	rc = store_xfr_ixfr_start(st, zid, s0, &pos);
	is_int(rc, DZ_ENOENT, "a reload after the serial: AXFR");
	rc = store_xfr_ixfr_start(st, zid, s2, &pos);
	is_int(rc, 0, "the reload that made the serial is no news");
	rc = store_begin(st) || add_a(st, zid, "e.x.test", "192.0.2.5") || store_commit(st);
	is_int(rc, 0, "a commit after the import");
	rc = store_xfr_ixfr_start(st, zid, s2, &pos);
	is_int(rc, 0, "IXFR from the import's serial");
	diff(st, zid, pos, true, &s);
	is_str(s.list, "e.x.test. 192.0.2.5/60", "only what came after it");
	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
