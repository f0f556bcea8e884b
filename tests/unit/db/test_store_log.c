/* Unit tests for store_log_prune: the journal and the update log lose their
 * old rows oldest first, a chunk at a time, and always keep the newest row;
 * and for migrations 5 (the two write-only indexes are gone) and 6 (user
 * names unique whatever their case). */
#include "proto/errors.h"
#include "src/db/store.h"
#include "src/db/sql.h"
#include "tests/unit/tap.h"
#include "tests/unit/tmpdb.h"
#include "src/db/journal.h"

static long long one(store_t *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	long long n = s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	if (s)
		sqlite3_reset(s);
	return n;
}

/* n journal rows with times t0, t0+1, ... */
static void journal_rows(store_t *st, int n, int64_t t0)
{
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO journal(zone_id, serial, op, time) VALUES(1, 1, 3, ?1)");
	for (int i = 0; s && i < n; i++) {
		sqlite3_bind_int64(s, 1, t0 + i);
		sqlite3_step(s);
		sqlite3_reset(s);
	}
}

static void test_journal(store_t *st)
{
	unsigned n = 99;
	is_int(store_log_prune(st, STORE_LOG_JOURNAL, 2000, 10, &n), 0, "an empty journal prunes");
	is_int(n, 0, "and loses nothing");

	journal_rows(st, 100, 1000);          /* times 1000 .. 1099 */
	is_int(store_log_prune(st, STORE_LOG_JOURNAL, 1050, 30, &n), 0, "prune to t=1050, 30 at most");
	is_int(n, 30, "a full chunk of 30 goes");
	is_int(one(st, "SELECT min(time) FROM journal"), 1030, "the oldest 30, in order");
	is_int(store_log_prune(st, STORE_LOG_JOURNAL, 1050, 30, &n), 0, "again");
	is_int(n, 20, "the 20 left before t=1050 go: less than a chunk");
	is_int(one(st, "SELECT min(time) FROM journal"), 1050, "the first row kept is t=1050");
	is_int(store_log_prune(st, STORE_LOG_JOURNAL, 1050, 30, &n), 0, "and again");
	is_int(n, 0, "nothing more is old enough");

	long long top = one(st, "SELECT max(id) FROM journal");
	is_int(store_log_prune(st, STORE_LOG_JOURNAL, 5000, 1000, &n), 0, "everything is old");
	is_int(n, 49, "all but one go");
	is_int(one(st, "SELECT count(*) FROM journal"), 1, "one row is left");
	is_int(one(st, "SELECT max(id) FROM journal"), top, "the newest: its id stays the high mark");
	journal_rows(st, 1, 6000);
	is_int(one(st, "SELECT max(id) FROM journal"), top + 1, "so ids are not reused");

	/* a clock that went back: an old row after a newer one stays until
	 * the rows before it are old too */
	journal_rows(st, 1, 7000);
	journal_rows(st, 1, 100);
	journal_rows(st, 1, 7001);
	is_int(store_log_prune(st, STORE_LOG_JOURNAL, 6500, 100, &n), 0, "prune past a clock step");
	is_int(n, 2, "the rows before the first new one go");
	is_int(one(st, "SELECT count(*) FROM journal WHERE time = 100"), 1,
	       "the stray old row after it stays for now");
}

static void test_update_log(store_t *st)
{
	unsigned n = 0;
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO update_log(time, host, addrs, client, agent, result) "
		"VALUES(?1, 'h.example', '', '127.0.0.1', 'test', 'good')");
	for (int i = 0; s && i < 10; i++) {
		sqlite3_bind_int64(s, 1, 100 + i);
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	is_int(store_log_prune(st, STORE_LOG_UPDATES, 105, 100, &n), 0, "the update log prunes");
	is_int(n, 5, "its rows before t=105");
	is_int(one(st, "SELECT count(*) FROM update_log"), 5, "5 are left");
	is_int(store_log_prune(st, 7, 105, 100, &n), DZ_EINVAL, "an unknown log is refused");
}

int main(void)
{
	char db[128], err[256] = "";
	store_t *st = NULL;
	tmpdb_path("store-log", db, sizeof db);
	ok(store_open(db, &st, err, sizeof err) == 0, "a store (%s)", err);
	if (st) {
		is_int(one(st, "PRAGMA user_version"), 13, "the schema is at migration 13");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name = 'records_tagged'"), 1,
		       "with the index of records with a location or a TTD");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name = 'hosts_prefix_of'"), 1,
		       "with the prefix hosts' columns and index");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name = 'host_blocks'"), 1,
		       "with the table of blocked hosts");
		is_int(one(st, "SELECT count(*) FROM pragma_table_info('hosts') WHERE name = 'wildcard'"),
		       1, "and the hosts' wildcard column");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name IN ('dnssec_keys', "
		               "'dnssec_chain', 'records_rrsig_expiry')"), 3,
		       "with the DNSSEC keys, chain and expiry index");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name = 'records_rrsig_expiry' "
		               "AND sql LIKE '%type >= 46 AND type <= 46'"), 1,
		       "the expiry index on a range, not type = 46 (migration 12)");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name = 'journal_soa'"), 1,
		       "with the partial index on the journal's SOA rows");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name = "
		               "'users_name_nocase'"), 1, "with the case-blind user name index");
		is_int(one(st, "SELECT count(*) FROM sqlite_master WHERE name IN "
		               "('records_host', 'update_log_time')"), 0,
		       "without the records_host and update_log_time indexes");
		test_journal(st);
		test_update_log(st);
		store_close(st);
	}
	tmpdb_remove(db);
	return tap_done();
}
