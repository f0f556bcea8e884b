/* Unit tests for src/db/served.h, the one rule for what dynzone serves
 * from the records table (no TTD; no tinydns location, or the default one
 * unless the same record has a row without), through every reader that
 * uses it: the AXFR walk (store_xfr_records), the zone table loader and
 * follower (store_load, store_sync), and the journal the writers keep for
 * IXFR (store_record_add and store_record_del journal changes of the
 * served records only). */
#include <urcu/urcu-memb.h>

#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/db/load.h"
#include "src/db/served.h"
#include "src/db/tdstore.h"
#include "src/db/transfer.h"
#include "src/db/zones.h"
#include "tests/unit/db/dbtest.h"

/* An A record at owner with a location ("" none), TTL and TTD. */
static int add_a(store_t *st, int64_t zid, const char *owner, const char *addr,
                 const char *loc, uint32_t ttl, uint64_t ttd)
{
	uint8_t o[DNAME_MAX], rd[16];
	size_t rdlen = 0;
	if (rdata_from_text(RR_A, addr, strlen(addr), NULL, rd, sizeof rd, &rdlen, NULL))
		return -1;
	struct store_rr rr = { .zone_id = zid, .owner = dbt_name(owner, o), .type = RR_A,
	                       .ttl = ttl, .rdata = rd, .rdlen = rdlen, .loc = loc, .ttd = ttd };
	return store_record_add(st, &rr);
}

static int del_a(store_t *st, int64_t zid, const char *owner, const char *addr)
{
	uint8_t o[DNAME_MAX], rd[16];
	size_t rdlen = 0;
	if (rdata_from_text(RR_A, addr, strlen(addr), NULL, rd, sizeof rd, &rdlen, NULL))
		return -1;
	return store_record_del(st, zid, dbt_name(owner, o), RR_A, rd, rdlen, NULL);
}

static const char *axfr(store_t *st, int64_t zid, struct dbt_seen *s)
{
	memset(s, 0, sizeof *s);
	if (store_xfr_records(st, zid, dbt_seen_cb, s))
		return "(error)";
	return s->list;
}

/* The condensed difference from journal position pos: its deletions and
 * its additions are dels and adds. */
static void ixfr_is(store_t *st, int64_t zid, int64_t pos, const char *dels, const char *adds,
                    const char *what)
{
	struct dbt_seen d = { 0 }, a = { 0 };
	int rc = store_xfr_diff(st, zid, pos, false, dbt_seen_cb, &d);
	rc = rc ? rc : store_xfr_diff(st, zid, pos, true, dbt_seen_cb, &a);
	is_int(rc, 0, "%s: the difference walks", what);
	is_str(d.list, dels, "%s: deletions", what);
	is_str(a.list, adds, "%s: additions", what);
}

/* What the zone table serves at name for A: "count/ttl", or "-". */
static const char *zt_a(ztable_t *zt, int64_t zid, const char *name, char out[32])
{
	uint8_t o[DNAME_MAX];
	dbt_name(name, o);
	urcu_memb_read_lock();
	const struct znode *n = zt_lookup(zt, (uint32_t)zid, o, dname_len(o, DNAME_MAX));
	const struct zset *set = n ? zn_find_set(n, RR_A) : NULL;
	if (set)
		snprintf(out, 32, "%u/%u", set->count, set->ttl);
	else
		snprintf(out, 32, "-");
	urcu_memb_read_unlock();
	return out;
}

/* The journal follower applies what is new; then name's A in the table
 * is want. */
static void synced_is(store_t *st, ztable_t *zt, int64_t zid, const char *name,
                      const char *want, const char *what)
{
	char b[32];
	is_int(store_sync(st, zt, NULL), 0, "%s: the follower applies the journal", what);
	is_str(zt_a(zt, zid, name, b), want, "%s", what);
}

/* The last journal position. */
static int64_t jpos(store_t *st)
{
	return dbt_one(st, "SELECT coalesce(max(id), 0) FROM journal");
}

int main(void)
{
	char db[128], err[256] = "", b[32];
	store_t *st = NULL;
	uint8_t apex[DNAME_MAX], o[DNAME_MAX];
	struct zsoa soa;
	struct dbt_seen s;
	int64_t zid = 0;
	zt_thread_register();
	ztable_t *zt = zt_new();
	tmpdb_path("db-served", db, sizeof db);
	int rc = store_open(db, &st, err, sizeof err);
	is_int(rc, 0, "a store (%s)", err);
	if (!st || !zt)
		return tap_done();

	is_int(dbt_one(st, "SELECT " SERVED_LOC_DEFAULT_TEXT " IS NULL"), 1,
	       "no %% line: no default location");
	bool all = false;
	ok(store_served_all(st, &all) == 0 && all, "an empty store: every row served (the fast walks)");
	/* as a tinydns import leaves it (bulk: one reload journalled) */
	tinydns_loc_t in = { .code = { 'i', 'n' }, .prefix = (const uint8_t *)"\300\250", .plen = 2 };
	tinydns_loc_t ex = { .code = { 'e', 'x' }, .prefix = (const uint8_t *)"", .plen = 0 };
	tinydns_loc_t ey = { .code = { 'e', 'y' }, .prefix = (const uint8_t *)"", .plen = 0 };
	store_zone_soa_defaults(&soa, dbt_name("x.test", apex), dbt_name("ns.x.test", o), 3600, 100);
	rc = store_begin(st);
	store_set_bulk(st, true);
	rc = rc || store_zone_add(st, apex, &soa, 60, &zid) ||
	     tdstore_loc_add(st, &in) || tdstore_loc_add(st, &ex) || tdstore_loc_add(st, &ey) ||
	     add_a(st, zid, "plain.x.test", "192.0.2.1", "", 300, 0) ||
	     add_a(st, zid, "both.x.test", "192.0.2.2", "", 300, 0) ||
	     add_a(st, zid, "both.x.test", "192.0.2.2", "ex", 30, 0) ||
	     add_a(st, zid, "both.x.test", "192.0.2.3", "ex", 300, 0) ||
	     add_a(st, zid, "both.x.test", "192.0.2.4", "in", 300, 0) ||
	     add_a(st, zid, "both.x.test", "192.0.2.5", "ey", 300, 0) ||
	     add_a(st, zid, "dflt.x.test", "192.0.2.6", "ex", 120, 0) ||
	     add_a(st, zid, "other.x.test", "192.0.2.7", "in", 300, 0) ||
	     add_a(st, zid, "ttd.x.test", "192.0.2.8", "", 300, 1) ||
	     store_commit(st);
	is_int(rc, 0, "a zone as an import leaves it: records with and without locations");
	is_int(dbt_one(st, "SELECT " SERVED_LOC_DEFAULT_TEXT " = 'ex'"), 1,
	       "the default location is the first %% line with an empty prefix");
	is_int(dbt_one(st, "SELECT count(*) FROM records WHERE " SERVED("records")), 4,
	       "four of the nine rows are served");
	ok(store_served_all(st, &all) == 0 && !all, "rows with locations: not every row is served");
	is_str(axfr(st, zid, &s),
	       "both.x.test. 192.0.2.2/300 both.x.test. 192.0.2.3/300 dflt.x.test. 192.0.2.6/120 "
	       "plain.x.test. 192.0.2.1/300",
	       "AXFR: each RR once (the row without a location wins), the default location's, "
	       "no other location, no TTD");
	is_int(store_load(st, zt), 0, "the zone table loads");
	is_str(zt_a(zt, zid, "both.x.test", b), "2/300", "the table serves the same two A at both");
	is_str(zt_a(zt, zid, "dflt.x.test", b), "1/120", "the default location's A alone");
	is_str(zt_a(zt, zid, "other.x.test", b), "-", "another location's: no name");
	is_str(zt_a(zt, zid, "ttd.x.test", b), "-", "a TTD record's: no name");

	/* journalled changes: what is served changes, nothing else */
	int64_t pos = jpos(st);
	rc = store_begin(st) || add_a(st, zid, "dflt.x.test", "192.0.2.6", "", 60, 0) ||
	     store_commit(st);
	is_int(rc, 0, "the default location's record added without a location");
	ixfr_is(st, zid, pos, "dflt.x.test. 192.0.2.6/120", "dflt.x.test. 192.0.2.6/60",
	        "journalled as the old row's RR deleted (its TTL) and added (the new TTL)");
	synced_is(st, zt, zid, "dflt.x.test", "1/60", "the table serves it once, the new TTL");
	rc = store_begin(st) || del_a(st, zid, "dflt.x.test", "192.0.2.6") || store_commit(st);
	is_int(rc, 0, "that record deleted (both rows)");
	ixfr_is(st, zid, pos, "dflt.x.test. 192.0.2.6/120", "",
	        "from before the two changes: the RR deleted, nothing added");
	synced_is(st, zt, zid, "dflt.x.test", "-", "the name is gone from the table");

	pos = jpos(st);
	uint8_t a4[4] = { 192, 0, 2, 4 };
	rc = store_begin(st) || add_a(st, zid, "plain.x.test", "192.0.2.9", "in", 300, 0) ||
	     add_a(st, zid, "plain.x.test", "192.0.2.1", "ex", 300, 0) ||
	     add_a(st, zid, "plain.x.test", "192.0.2.10", "", 300, 5) ||
	     store_record_del(st, zid, dbt_name("both.x.test", o), RR_A, a4, 4, NULL) ||
	     store_commit(st);
	is_int(rc, 0, "rows not served added (another location, a twin, a TTD), one deleted");
	char q[128];
	snprintf(q, sizeof q, "SELECT count(*) FROM journal WHERE op IN (1, 2) AND id > %lld",
	         (long long)pos);
	is_int(dbt_one(st, q), 0, "none of them is journalled");
	ixfr_is(st, zid, pos, "", "", "IXFR over them");
	pos = jpos(st);
	rc = store_begin(st) || store_record_del(st, zid, dbt_name("both.x.test", o), RR_A, NULL, 0, NULL) ||
	     store_commit(st);
	is_int(rc, 0, "both's A records deleted as a type");
	ixfr_is(st, zid, pos, "both.x.test. 192.0.2.2/300 both.x.test. 192.0.2.3/300", "",
	        "IXFR: the two served RRs deleted, once each");
	synced_is(st, zt, zid, "both.x.test", "-", "both is gone from the table");
	store_close(st);
	tmpdb_remove(db);

	/* a one-letter location code: records.loc "e", tinydns_loc 'e' 0 */
	tmpdb_path("db-served1", db, sizeof db);
	rc = store_open(db, &st, err, sizeof err);
	is_int(rc, 0, "a second store (%s)", err);
	if (!st)
		return tap_done();
	tinydns_loc_t e1 = { .code = { 'e', 0 }, .prefix = (const uint8_t *)"", .plen = 0 };
	rc = store_begin(st) || store_zone_add(st, apex, &soa, 60, &zid) || tdstore_loc_add(st, &e1) ||
	     add_a(st, zid, "one.x.test", "192.0.2.11", "e", 300, 0) || store_commit(st);
	is_int(rc, 0, "a record for a one-letter default location");
	is_str(axfr(st, zid, &s), "one.x.test. 192.0.2.11/300", "it is served");
	store_close(st);
	tmpdb_remove(db);

	/* store_served_all remembers its answer in a transaction until the
	 * database changes: a tagged row this connection writes, or another
	 * connection's commit, must show at once */
	store_t *other = NULL;
	tmpdb_path("db-served2", db, sizeof db);
	rc = store_open(db, &st, err, sizeof err) || store_open(db, &other, err, sizeof err);
	is_int(rc, 0, "a third store, two connections (%s)", err);
	if (!st || !other)
		return tap_done();
	rc = store_begin(st) || store_zone_add(st, apex, &soa, 60, &zid) ||
	     add_a(st, zid, "p.x.test", "192.0.2.12", "", 300, 0) || store_commit(st);
	is_int(rc, 0, "a zone with a plain record");
	rc = store_begin(st);
	ok(!rc && store_served_all(st, &all) == 0 && all, "in a transaction: every row served");
	rc = rc || add_a(st, zid, "p.x.test", "192.0.2.13", "in", 300, 0);
	ok(!rc && store_served_all(st, &all) == 0 && !all,
	   "after this connection adds a located row in it: not every row");
	store_rollback(st);
	rc = store_begin(st);
	ok(!rc && store_served_all(st, &all) == 0 && all, "rolled back: every row again");
	rc = rc || add_a(st, zid, "q.x.test", "192.0.2.14", "", 300, 0) || store_commit(st);
	is_int(rc, 0, "a plain record committed by this connection");
	rc = store_begin(other) || add_a(other, zid, "p.x.test", "192.0.2.15", "", 300, 7) ||
	     store_commit(other);
	is_int(rc, 0, "another connection commits a TTD row");
	rc = store_begin(st);
	ok(!rc && store_served_all(st, &all) == 0 && !all,
	   "this connection's next transaction sees it: not every row");
	store_rollback(st);
	store_close(other);
	store_close(st);
	tmpdb_remove(db);
	zt_free(zt);
	zt_thread_unregister();
	return tap_done();
}
