/* The SQLite store and its change journal. */
#include "src/db/store.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "proto/rdata.h"

#define STMT_CACHE 96
#define TOUCH_MAX 64

struct store {
	sqlite3 *db;
	struct { const char *sql; sqlite3_stmt *st; } cache[STMT_CACHE];
	unsigned ncache;
	int64_t touched[TOUCH_MAX];
	unsigned ntouched;
	bool touch_all;           /* more zones touched than we track */
	bool in_txn;
	bool bulk;                /* journal whole-zone reloads, not rows */
	int64_t data_version;
};

/* Numbered migrations, applied in order; PRAGMA user_version is the number
 * of the last one applied.  Append only: never edit a released one. */
static const char *const migrations[] = {
	/* 1: zones, records, the change journal */
	"CREATE TABLE zones("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  apex BLOB NOT NULL UNIQUE,"          /* lowercase wire form */
	"  name TEXT NOT NULL,"
	"  mname BLOB NOT NULL, rname BLOB NOT NULL,"
	"  serial INTEGER NOT NULL, refresh INTEGER NOT NULL,"
	"  retry INTEGER NOT NULL, expire INTEGER NOT NULL,"
	"  minimum INTEGER NOT NULL, soa_ttl INTEGER NOT NULL,"
	"  default_ttl INTEGER NOT NULL DEFAULT 60,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE records("
	"  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,"
	"  owner BLOB NOT NULL,"                /* lowercase wire form */
	"  type INTEGER NOT NULL,"
	"  rdata BLOB NOT NULL,"
	"  loc TEXT NOT NULL DEFAULT '',"
	"  ttl INTEGER NOT NULL,"
	"  ttd INTEGER NOT NULL DEFAULT 0,"
	"  host_id INTEGER,"
	"  PRIMARY KEY(zone_id, owner, type, rdata, loc)) WITHOUT ROWID;"
	"CREATE INDEX records_host ON records(host_id) WHERE host_id IS NOT NULL;"
	"CREATE TABLE journal("
	"  id INTEGER PRIMARY KEY,"
	"  zone_id INTEGER NOT NULL,"
	"  serial INTEGER NOT NULL,"
	"  op INTEGER NOT NULL,"
	"  owner BLOB, type INTEGER, ttl INTEGER, rdata BLOB,"
	"  time INTEGER NOT NULL);",
	/* 2: users, the zones opened to them, their dynamic hosts, update
	 * tokens (hash only) and the update log */
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL UNIQUE,"
	"  password TEXT NOT NULL,"             /* argon2id encoded form */
	"  admin INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE zone_access("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,"
	"  max_hosts INTEGER,"                  /* NULL: no cap */
	"  PRIMARY KEY(user_id, zone_id)) WITHOUT ROWID;"
	"CREATE INDEX zone_access_zone ON zone_access(zone_id);"
	"CREATE TABLE hosts("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  name BLOB NOT NULL UNIQUE,"          /* lowercase wire form */
	"  text TEXT NOT NULL,"                 /* presentation, trailing dot */
	"  ttl INTEGER NOT NULL,"
	"  ipv4 BLOB, ipv6 BLOB,"               /* last addresses set (kept offline) */
	"  offline INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER);"                   /* last change */
	"CREATE INDEX hosts_user ON hosts(user_id);"
	"CREATE INDEX hosts_zone ON hosts(zone_id);"
	"CREATE TABLE tokens("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  tid TEXT NOT NULL UNIQUE,"           /* public id: the token's first characters */
	"  hash BLOB NOT NULL,"                 /* SHA-256 of the whole token */
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  created INTEGER NOT NULL,"
	"  last_used INTEGER);"
	"CREATE INDEX tokens_user ON tokens(user_id);"
	"CREATE TABLE token_hosts("
	"  token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,"
	"  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  PRIMARY KEY(token_id, host_id)) WITHOUT ROWID;"
	"CREATE INDEX token_hosts_host ON token_hosts(host_id);"
	"CREATE TABLE host_txt("                /* ACME TXT values, oldest first */
	"  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  value BLOB NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  UNIQUE(host_id, value));"
	"CREATE TABLE update_log("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  host_id INTEGER REFERENCES hosts(id) ON DELETE CASCADE,"
	"  host TEXT NOT NULL,"                 /* as the request named it */
	"  addrs TEXT NOT NULL,"
	"  client TEXT NOT NULL,"
	"  agent TEXT NOT NULL,"
	"  result TEXT NOT NULL);"
	"CREATE INDEX update_log_host ON update_log(host_id, time);"
	"CREATE INDEX update_log_time ON update_log(time);",
	/* 3: tinydns data kept for the data.cdb export only (see src/tinydns/export.h):
	 * records dynzone does not serve, and `%` location lines */
	"CREATE TABLE tinydns_extra("
	"  id INTEGER PRIMARY KEY,"
	"  owner BLOB NOT NULL,"                /* lowercase wire form, '*' kept */
	"  type INTEGER NOT NULL,"
	"  rdata BLOB NOT NULL,"
	"  loc TEXT NOT NULL DEFAULT '',"
	"  ttl INTEGER NOT NULL,"
	"  ttd INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE(owner, type, rdata, loc, ttd));"
	"CREATE TABLE tinydns_loc("
	"  id INTEGER PRIMARY KEY,"
	"  code BLOB NOT NULL,"                 /* 2 bytes, 00 00: none */
	"  prefix BLOB NOT NULL,"               /* IPv4 prefix bytes */
	"  UNIQUE(prefix, code));",
	/* 4: dashboard sessions (the id's hash only) and invite codes */
	"CREATE TABLE sessions("
	"  key BLOB PRIMARY KEY,"               /* SHA-256 of the cookie value */
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  extended INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_user ON sessions(user_id, created);"
	"CREATE INDEX sessions_expires ON sessions(expires);"
	"CREATE TABLE invites("
	"  hash BLOB PRIMARY KEY,"              /* SHA-256 of the code */
	"  created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  used_by INTEGER REFERENCES users(id) ON DELETE SET NULL,"
	"  used INTEGER) WITHOUT ROWID;",
	/* 5: two indexes that cost a page write per update and served no
	 * query: nothing looks records up by host_id, and the logs are pruned
	 * oldest-id first (store_log_prune), not by a time index */
	"DROP INDEX IF EXISTS records_host; DROP INDEX IF EXISTS update_log_time;",
};

static void seterr(char *buf, size_t len, const char *what, sqlite3 *db)
{
	if (buf && len)
		snprintf(buf, len, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : DZ_EDB;
}

static int migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
	sqlite3_stmt *st;
	int version = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	int n = (int)(sizeof migrations / sizeof migrations[0]);
	if (version > n) {
		if (errbuf)
			snprintf(errbuf, errlen, "database schema version %d is newer than "
			         "this dynzone (%d)", version, n);
		return DZ_EDB;
	}
	for (int v = version; v < n; v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (exec(db, "BEGIN IMMEDIATE") ||
		    exec(db, migrations[v]) || exec(db, pragma) || exec(db, "COMMIT")) {
			if (errbuf)
				snprintf(errbuf, errlen, "migration %d: %s", v + 1, sqlite3_errmsg(db));
			exec(db, "ROLLBACK");
			return DZ_EDB;
		}
	}
	return 0;
fail:
	seterr(errbuf, errlen, "schema", db);
	return DZ_EDB;
}

int store_open(const char *path, store_t **out, char *errbuf, size_t errlen)
{
	store_t *st = calloc(1, sizeof *st);
	if (!st) {
		seterr(errbuf, errlen, path, NULL);
		return DZ_ENOMEM;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		seterr(errbuf, errlen, path, st->db);
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 1);
	/* WAL with synchronous=FULL: a commit is on disk when it returns */
	if (exec(st->db, "PRAGMA journal_mode=WAL") ||
	    exec(st->db, "PRAGMA synchronous=FULL") ||
	    exec(st->db, "PRAGMA foreign_keys=ON") ||
	    exec(st->db, "PRAGMA temp_store=MEMORY")) {
		seterr(errbuf, errlen, path, st->db);
		goto fail;
	}
	if (migrate(st->db, errbuf, errlen))
		goto fail;
	store_changed(st);
	*out = st;
	return 0;
fail:
	store_close(st);
	return DZ_EDB;
}

void store_close(store_t *st)
{
	if (!st)
		return;
	for (unsigned i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].st);
	sqlite3_close(st->db);
	free(st);
}

int store_defer_sync(store_t *st, int *wal_fd)
{
	const char *db = sqlite3_db_filename(st->db, "main");
	char path[4096];
	if (!db || !db[0] || snprintf(path, sizeof path, "%s-wal", db) >= (int)sizeof path)
		return DZ_EIO;
	/* the WAL file exists: store_open read the schema in WAL mode */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return DZ_EIO;
	/* its directory entry may be new: make it durable once, as SQLite's
	 * first sync of a new WAL file would */
	char *slash = strrchr(path, '/');
	if (slash) {
		*slash = 0;
		int dfd = open(slash == path ? "/" : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || fsync(dfd)) {
			if (dfd >= 0)
				close(dfd);
			close(fd);
			return DZ_EIO;
		}
		close(dfd);
	}
	if (exec(st->db, "PRAGMA synchronous=NORMAL")) {
		close(fd);
		return DZ_EDB;
	}
	*wal_fd = fd;
	return 0;
}

sqlite3 *store_db(store_t *st)
{
	return st->db;
}

const char *store_errmsg(store_t *st)
{
	return sqlite3_errmsg(st->db);
}

sqlite3_stmt *store_stmt(store_t *st, const char *sql)
{
	for (unsigned i = 0; i < st->ncache; i++) {
		if (st->cache[i].sql == sql || strcmp(st->cache[i].sql, sql) == 0) {
			sqlite3_reset(st->cache[i].st);
			sqlite3_clear_bindings(st->cache[i].st);
			return st->cache[i].st;
		}
	}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
		return NULL;
	if (st->ncache < STMT_CACHE) {
		st->cache[st->ncache].sql = sql;
		st->cache[st->ncache].st = s;
		st->ncache++;
	}
	/* over the cap the statement leaks until close; the cap is far above
	 * the number of distinct statements in the program */
	return s;
}

/* Step a statement that returns no rows; 0 or DZ_EDB (DZ_EEXIST for a
 * constraint violation). */
static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return DZ_EEXIST;
	return DZ_EDB;
}

/* BEGIN and COMMIT run for every batch: prepared once, like the rest */
static int step_stmt(store_t *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	return s ? step_done(s) : DZ_EDB;
}

int store_begin(store_t *st)
{
	if (step_stmt(st, "BEGIN IMMEDIATE"))
		return DZ_EDB;
	st->in_txn = true;
	st->ntouched = 0;
	st->touch_all = false;
	return 0;
}

void store_rollback(store_t *st)
{
	if (st->in_txn)
		exec(st->db, "ROLLBACK");
	st->in_txn = false;
	st->bulk = false;
}

int store_touch_zone(store_t *st, int64_t zone_id)
{
	for (unsigned i = 0; i < st->ntouched; i++)
		if (st->touched[i] == zone_id)
			return 0;
	if (st->ntouched < TOUCH_MAX)
		st->touched[st->ntouched++] = zone_id;
	else
		st->touch_all = true;
	return 0;
}

void store_set_bulk(store_t *st, bool on)
{
	st->bulk = on;
}

static int bump_serial(store_t *st, int64_t zone_id)
{
	/* RFC 1982 arithmetic: +1 modulo 2^32, skipping 0 which some
	 * secondaries treat as "unset" */
	sqlite3_stmt *s = store_stmt(st,
		"UPDATE zones SET serial = CASE WHEN serial >= 4294967295 THEN 1 "
		"ELSE serial + 1 END WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, zone_id);
	if (step_done(s))
		return DZ_EDB;
	s = store_stmt(st,
		"INSERT INTO journal(zone_id, serial, op, time) "
		"SELECT id, serial, 3, ?2 FROM zones WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
	if (!st->bulk)
		return step_done(s);
	if (step_done(s))
		return DZ_EDB;
	s = store_stmt(st,
		"INSERT INTO journal(zone_id, serial, op, time) "
		"SELECT id, serial, 5, ?2 FROM zones WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
	return step_done(s);
}

int store_commit(store_t *st)
{
	int rc = 0;
	if (st->touch_all) {
		sqlite3_stmt *s = store_stmt(st, "SELECT id FROM zones");
		int64_t ids[1024];
		unsigned n = 0;
		while (s && sqlite3_step(s) == SQLITE_ROW && n < 1024)
			ids[n++] = sqlite3_column_int64(s, 0);
		if (s)
			sqlite3_reset(s);
		for (unsigned i = 0; i < n && !rc; i++)
			rc = bump_serial(st, ids[i]);
	} else {
		for (unsigned i = 0; i < st->ntouched && !rc; i++)
			rc = bump_serial(st, st->touched[i]);
	}
	if (rc || step_stmt(st, "COMMIT")) {
		store_rollback(st);
		return DZ_EDB;
	}
	st->in_txn = false;
	st->bulk = false;
	return 0;
}

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
	sqlite3_bind_blob(s, 3, soa->mname, (int)dname_len(soa->mname, DNAME_MAX), SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 4, soa->rname, (int)dname_len(soa->rname, DNAME_MAX), SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, soa->serial);
	sqlite3_bind_int64(s, 6, soa->refresh);
	sqlite3_bind_int64(s, 7, soa->retry);
	sqlite3_bind_int64(s, 8, soa->expire);
	sqlite3_bind_int64(s, 9, soa->minimum);
	sqlite3_bind_int64(s, 10, soa->ttl);
	sqlite3_bind_int64(s, 11, default_ttl);
	sqlite3_bind_int64(s, 12, (int64_t)time(NULL));
	int rc = step_done(s);
	if (rc)
		return rc;
	int64_t zid = sqlite3_last_insert_rowid(st->db);
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
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? DZ_ENOENT : DZ_EDB;
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
	sqlite3_stmt *s = store_stmt(st,
		"UPDATE zones SET mname=?2, rname=?3, serial=?4, refresh=?5, retry=?6, "
		"expire=?7, minimum=?8, soa_ttl=?9 WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob(s, 2, soa->mname, (int)dname_len(soa->mname, DNAME_MAX), SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 3, soa->rname, (int)dname_len(soa->rname, DNAME_MAX), SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, soa->serial);
	sqlite3_bind_int64(s, 5, soa->refresh);
	sqlite3_bind_int64(s, 6, soa->retry);
	sqlite3_bind_int64(s, 7, soa->expire);
	sqlite3_bind_int64(s, 8, soa->minimum);
	sqlite3_bind_int64(s, 9, soa->ttl);
	int rc = step_done(s);
	return rc ? rc : store_touch_zone(st, id);
}

int store_zone_del(store_t *st, int64_t id)
{
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO journal(zone_id, serial, op, time) "
		"SELECT id, serial, 4, ?2 FROM zones WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
	if (step_done(s))
		return DZ_EDB;
	s = store_stmt(st, "DELETE FROM records WHERE zone_id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, id);
	if (step_done(s))
		return DZ_EDB;
	s = store_stmt(st, "DELETE FROM zones WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, id);
	if (step_done(s))
		return DZ_EDB;
	return sqlite3_changes(st->db) ? 0 : DZ_ENOENT;
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
	if (!rc && src != SQLITE_DONE)
		rc = DZ_EDB;
	sqlite3_reset(s);
	return rc;
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
	sqlite3_stmt *s = store_stmt(st, sql[which]);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, before);
	sqlite3_bind_int64(s, 2, max);
	if (step_done(s))
		return DZ_EDB;
	*n = (unsigned)sqlite3_changes(st->db);
	return 0;
}

/* Records -------------------------------------------------------------- */

static int journal_rr(store_t *st, int op, int64_t zone_id, const uint8_t *owner,
                      size_t olen, int type, uint32_t ttl, const uint8_t *rd,
                      size_t rdlen)
{
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO journal(zone_id, serial, op, owner, type, ttl, rdata, time) "
		"VALUES(?1, (SELECT serial FROM zones WHERE id = ?1), ?2, ?3, ?4, ?5, ?6, ?7)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_int(s, 2, op);
	sqlite3_bind_blob(s, 3, owner, (int)olen, SQLITE_STATIC);
	if (type >= 0)
		sqlite3_bind_int(s, 4, type);
	sqlite3_bind_int64(s, 5, ttl);
	if (rd)
		sqlite3_bind_blob(s, 6, rdlen ? rd : (const uint8_t *)"", (int)rdlen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (int64_t)time(NULL));
	return step_done(s);
}

int store_record_add(store_t *st, const struct store_rr *rr)
{
	uint8_t lo[DNAME_MAX];
	size_t olen = dname_copy_lower(lo, rr->owner);
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO records(zone_id, owner, type, rdata, loc, ttl, ttd, host_id) "
		"VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, rr->zone_id);
	sqlite3_bind_blob(s, 2, lo, (int)olen, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, rr->type);
	sqlite3_bind_blob(s, 4, rr->rdlen ? rr->rdata : (const uint8_t *)"", (int)rr->rdlen, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rr->loc ? rr->loc : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, rr->ttl);
	sqlite3_bind_int64(s, 7, (int64_t)rr->ttd);
	if (rr->host_id)
		sqlite3_bind_int64(s, 8, rr->host_id);
	int rc = step_done(s);
	if (rc)
		return rc;
	rc = st->bulk ? 0 : journal_rr(st, JOURNAL_ADD, rr->zone_id, lo, olen, rr->type, rr->ttl,
	                rr->rdata, rr->rdlen);
	return rc ? rc : store_touch_zone(st, rr->zone_id);
}

int store_record_del(store_t *st, int64_t zone_id, const uint8_t *owner,
                     int type, const uint8_t *rd, size_t rdlen, unsigned *ndel)
{
	uint8_t lo[DNAME_MAX];
	size_t olen = dname_copy_lower(lo, owner);
	sqlite3_stmt *s;
	if (type < 0)
		s = store_stmt(st, "DELETE FROM records WHERE zone_id=?1 AND owner=?2");
	else if (!rd)
		s = store_stmt(st, "DELETE FROM records WHERE zone_id=?1 AND owner=?2 AND type=?3");
	else
		s = store_stmt(st, "DELETE FROM records WHERE zone_id=?1 AND owner=?2 "
		               "AND type=?3 AND rdata=?4");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_blob(s, 2, lo, (int)olen, SQLITE_STATIC);
	if (type >= 0)
		sqlite3_bind_int(s, 3, type);
	if (rd)
		sqlite3_bind_blob(s, 4, rdlen ? rd : (const uint8_t *)"", (int)rdlen, SQLITE_STATIC);
	if (step_done(s))
		return DZ_EDB;
	unsigned n = (unsigned)sqlite3_changes(st->db);
	if (ndel)
		*ndel = n;
	if (!n)
		return 0;
	int rc = st->bulk ? 0 : journal_rr(st, JOURNAL_DEL, zone_id, lo, olen, type, 0, rd, rdlen);
	return rc ? rc : store_touch_zone(st, zone_id);
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
	int olen = sqlite3_column_bytes(s, 1);
	const uint8_t *o = sqlite3_column_blob(s, 1);
	return o && olen > 0 && olen <= DNAME_MAX &&
	       dname_len(o, (size_t)olen) == (size_t)olen &&
	       sqlite3_column_bytes(s, 3) <= 65535;
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
	if (!rc && src != SQLITE_DONE)
		rc = DZ_EDB;
	sqlite3_reset(s);
	return rc;
}

/* Zone table synchronisation ------------------------------------------ */

/* Records of one name, gathered for the zone table. */
struct rrbuf {
	struct zrr *rr;
	size_t n, cap;
	uint8_t *data;
	size_t dlen, dcap;
};

static int rrbuf_add(struct rrbuf *b, uint16_t type, uint32_t ttl,
                     const uint8_t *rd, size_t rdlen)
{
	if (rdlen > 65535)
		return DZ_EINVAL;
	if (b->n == b->cap) {
		size_t nc = b->cap ? 2 * b->cap : 16;
		struct zrr *nr = realloc(b->rr, nc * sizeof *nr);
		if (!nr)
			return DZ_ENOMEM;
		b->rr = nr;
		b->cap = nc;
	}
	if (b->dlen + rdlen > b->dcap) {
		size_t nc = b->dcap ? 2 * b->dcap : 4096;
		while (nc < b->dlen + rdlen)
			nc *= 2;
		uint8_t *nd = realloc(b->data, nc);
		if (!nd)
			return DZ_ENOMEM;
		b->data = nd;
		b->dcap = nc;
	}
	memcpy(b->data + b->dlen, rd, rdlen);
	/* rdata pointers are fixed up in rrbuf_finish: data may move */
	b->rr[b->n++] = (struct zrr){ type, ttl, (uint16_t)rdlen,
	                              (const uint8_t *)(uintptr_t)b->dlen };
	b->dlen += rdlen;
	return 0;
}

static void rrbuf_finish(struct rrbuf *b)
{
	for (size_t i = 0; i < b->n; i++)
		b->rr[i].rdata = b->data + (uintptr_t)b->rr[i].rdata;
}

static void rrbuf_free(struct rrbuf *b)
{
	free(b->rr);
	free(b->data);
}

/* Read the records at (zone, owner) into b (SOA rows, if any, skipped). */
static int read_name(store_t *st, int64_t zone_id, const uint8_t *owner,
                     size_t olen, struct rrbuf *b)
{
	sqlite3_stmt *s = store_stmt(st,
		"SELECT type, ttl, rdata FROM records WHERE zone_id=?1 AND owner=?2");
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	b->n = b->dlen = 0;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_blob(s, 2, owner, (int)olen, SQLITE_STATIC);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		uint16_t type = (uint16_t)sqlite3_column_int(s, 0);
		if (type == RR_SOA)
			continue;
		const uint8_t *rd = sqlite3_column_blob(s, 2);
		rc = rrbuf_add(b, type, (uint32_t)sqlite3_column_int64(s, 1),
		               rd ? rd : (const uint8_t *)"",
		               (size_t)sqlite3_column_bytes(s, 2));
		if (rc)
			break;
	}
	if (!rc && src != SQLITE_DONE)
		rc = DZ_EDB;
	sqlite3_reset(s);
	rrbuf_finish(b);
	return rc;
}

/* (Re)build a zone's apex node from the store. */
static int load_apex(store_t *st, ztable_t *zt, const struct store_zone *z,
                     struct rrbuf *b)
{
	size_t alen = dname_len(z->apex, DNAME_MAX);
	int rc = read_name(st, z->id, z->apex, alen, b);
	if (rc)
		return rc;
	return zt_set_zone(zt, (uint32_t)z->id, z->apex, &z->soa, b->rr, b->n);
}

static int load_zone_cb(void *ctx, const struct store_zone *z)
{
	void **a = ctx;
	return load_apex(a[0], a[1], z, a[2]);
}

/* Loading names is a pipeline of two threads: a reader steps SQLite and
 * packs rows into chunks, the caller builds nodes from them.  Each side is
 * about half of the work, and the machine has at least two cores. */
#define LOAD_CHUNK (1 << 20)
#define LOAD_QUEUE 4

struct load_chunk {
	struct load_chunk *next;
	size_t used;
	uint8_t data[LOAD_CHUNK];
};

struct load_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct load_chunk *head, *tail;
	unsigned queued;
	bool done, stop;
	int rc;
	store_t *st;
	int64_t zone_id;
};

static void pipe_push(struct load_pipe *p, struct load_chunk *c)
{
	pthread_mutex_lock(&p->mu);
	while (p->queued >= LOAD_QUEUE && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	c->next = NULL;
	if (p->tail)
		p->tail->next = c;
	else
		p->head = c;
	p->tail = c;
	p->queued++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* The next chunk, or NULL at the end. */
static struct load_chunk *pipe_pop(struct load_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	while (!p->head && !p->done)
		pthread_cond_wait(&p->cv, &p->mu);
	struct load_chunk *c = p->head;
	if (c) {
		p->head = c->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return c;
}

/* Row layout in a chunk: zone_id(8) owner_len(1) owner type(2) ttl(4)
 * rdlen(2) rdata. */
static void *load_reader(void *arg)
{
	struct load_pipe *p = arg;
	struct load_chunk *c = NULL;
	int rc = 0, src;
	sqlite3_stmt *s = store_stmt(p->st, p->zone_id
		? "SELECT zone_id, owner, type, ttl, rdata FROM records WHERE zone_id = ?1 "
		  "ORDER BY zone_id, owner"
		: "SELECT zone_id, owner, type, ttl, rdata FROM records ORDER BY zone_id, owner");
	if (!s) {
		rc = DZ_EDB;
		goto out;
	}
	if (p->zone_id)
		sqlite3_bind_int64(s, 1, p->zone_id);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = sqlite3_column_blob(s, 1);
		int olen = sqlite3_column_bytes(s, 1);
		const uint8_t *rd = sqlite3_column_blob(s, 4);
		int rdlen = sqlite3_column_bytes(s, 4);
		if (!o || olen <= 0 || olen > DNAME_MAX || rdlen > 65535 ||
		    dname_len(o, (size_t)olen) != (size_t)olen)
			continue;   /* not a record we can serve */
		size_t need = 8 + 1 + (size_t)olen + 2 + 4 + 2 + (size_t)rdlen;
		if (c && c->used + need > LOAD_CHUNK) {
			pipe_push(p, c);
			c = NULL;
		}
		if (!c) {
			if (p->stop)
				break;
			c = malloc(sizeof *c);
			if (!c) {
				rc = DZ_ENOMEM;
				break;
			}
			c->used = 0;
		}
		uint8_t *w = c->data + c->used;
		int64_t zid = sqlite3_column_int64(s, 0);
		uint16_t type = (uint16_t)sqlite3_column_int(s, 2);
		uint32_t ttl = (uint32_t)sqlite3_column_int64(s, 3);
		uint16_t rl = (uint16_t)rdlen;
		memcpy(w, &zid, 8);
		w[8] = (uint8_t)olen;
		memcpy(w + 9, o, (size_t)olen);
		w += 9 + olen;
		memcpy(w, &type, 2);
		memcpy(w + 2, &ttl, 4);
		memcpy(w + 6, &rl, 2);
		if (rdlen)
			memcpy(w + 8, rd, (size_t)rdlen);
		c->used += need;
	}
	if (!rc && !p->stop && src != SQLITE_DONE)
		rc = DZ_EDB;
	sqlite3_reset(s);
out:
	if (c)
		pipe_push(p, c);
	pthread_mutex_lock(&p->mu);
	p->rc = rc;
	p->done = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Load the names (apex excluded) of one zone, or of all (zone_id 0), in
 * primary key order (zone, owner): one pass, one node per name. */
static int load_names(store_t *st, ztable_t *zt, int64_t zone_id, struct rrbuf *bp)
{
	struct rrbuf b = *bp;
	uint8_t cur[DNAME_MAX];
	size_t curlen = 0;
	int64_t curzone = 0;
	int rc = 0;
	struct load_pipe p = { .st = st, .zone_id = zone_id };
	pthread_t th;

	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if (pthread_create(&th, NULL, load_reader, &p)) {
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv);
		return DZ_EIO;
	}
	b.n = b.dlen = 0;
	struct load_chunk *c;
	while ((c = pipe_pop(&p)) != NULL) {
		const uint8_t *r = c->data, *end = c->data + c->used;
		for (; r <= end; ) {
			bool last = r == end;
			int64_t zid = 0;
			const uint8_t *o = NULL;
			size_t olen = 0;
			if (!last) {
				memcpy(&zid, r, 8);
				olen = r[8];
				o = r + 9;
			}
			/* a name is complete when the next row is another name;
			 * the last row of a chunk waits for the next chunk */
			if (curlen && !last && (zid != curzone || olen != curlen ||
			                        memcmp(o, cur, curlen) != 0)) {
				rrbuf_finish(&b);
				struct zone *z = zt_zone_by_id(zt, (uint32_t)curzone);
				if (z && curlen != z->apex_len) {
					rc = zt_set_name(zt, (uint32_t)curzone, cur, b.rr, b.n);
					if (rc == DZ_EINVAL)
						rc = 0;   /* a bad record: leave the name out */
				}
				b.n = b.dlen = 0;
				curlen = 0;
				if (rc)
					break;
			}
			if (last)
				break;
			if (!curlen) {
				memcpy(cur, o, olen);
				curlen = olen;
				curzone = zid;
			}
			uint16_t type, rdlen;
			uint32_t ttl;
			const uint8_t *f = o + olen;
			memcpy(&type, f, 2);
			memcpy(&ttl, f + 2, 4);
			memcpy(&rdlen, f + 6, 2);
			if (type != RR_SOA && (rc = rrbuf_add(&b, type, ttl, f + 8, rdlen)) != 0)
				break;
			r = f + 8 + rdlen;
		}
		free(c);
		if (rc)
			break;
	}
	if (rc) {
		/* stop the reader and drain what it queued */
		pthread_mutex_lock(&p.mu);
		p.stop = true;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		while ((c = pipe_pop(&p)) != NULL)
			free(c);
	}
	pthread_join(th, NULL);
	if (!rc && curlen) {
		rrbuf_finish(&b);
		struct zone *z = zt_zone_by_id(zt, (uint32_t)curzone);
		if (z && curlen != z->apex_len) {
			rc = zt_set_name(zt, (uint32_t)curzone, cur, b.rr, b.n);
			if (rc == DZ_EINVAL)
				rc = 0;
		}
	}
	if (!rc)
		rc = p.rc;
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	*bp = b;
	return rc;
}

int store_load(store_t *st, ztable_t *zt)
{
	struct rrbuf b = {0};
	int rc;
	sqlite3_stmt *s;

	pthread_mutex_lock(&zt->wlock);
	/* size the hash table once rather than growing it name by name
	 * (a host has an A and an AAAA: about two records a name) */
	s = store_stmt(st, "SELECT count(*) FROM records");
	if (s && sqlite3_step(s) == SQLITE_ROW)
		zt_reserve(zt, (unsigned long)sqlite3_column_int64(s, 0) / 2 + 64);
	if (s)
		sqlite3_reset(s);
	zt_write_begin(zt);
	if (exec(st->db, "BEGIN")) {
		rc = DZ_EDB;
		goto out;
	}
	s = store_stmt(st, "SELECT coalesce(max(id), 0) FROM journal");
	if (!s || sqlite3_step(s) != SQLITE_ROW) {
		rc = DZ_EDB;
		goto out_txn;
	}
	zt->journal_pos = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);

	void *args[3] = { st, zt, &b };
	rc = store_zone_list(st, load_zone_cb, args);
	if (rc)
		goto out_txn;

	rc = load_names(st, zt, 0, &b);
out_txn:
	exec(st->db, rc ? "ROLLBACK" : "COMMIT");
out:
	zt_write_end(zt);
	pthread_mutex_unlock(&zt->wlock);
	rrbuf_free(&b);
	return rc;
}

/* One name (or zone) a journal chunk says changed. */
struct change {
	int64_t zone_id;
	int op;
	uint8_t len;
	uint8_t owner[DNAME_MAX];
};

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	if (x->zone_id != y->zone_id)
		return x->zone_id < y->zone_id ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->owner, y->owner, x->len);
}

#define SYNC_CHUNK 4096

static int apply_change(store_t *st, ztable_t *zt, const struct change *c,
                        struct rrbuf *b)
{
	struct store_zone z;
	if (c->op == JOURNAL_ZONE_DEL) {
		zt_del_zone(zt, (uint32_t)c->zone_id);
		return 0;
	}
	if (c->op == JOURNAL_ZONE_RELOAD) {
		int rc = store_zone_get(st, c->zone_id, &z);
		zt_del_zone(zt, (uint32_t)c->zone_id);
		if (rc)
			return rc == DZ_ENOENT ? 0 : rc;
		rc = load_apex(st, zt, &z, b);
		return rc ? rc : load_names(st, zt, c->zone_id, b);
	}
	int rc = store_zone_get(st, c->zone_id, &z);
	if (rc == DZ_ENOENT) {
		zt_del_zone(zt, (uint32_t)c->zone_id);
		return 0;
	}
	if (rc)
		return rc;
	if (c->op == JOURNAL_SOA || !zt_zone_by_id(zt, (uint32_t)c->zone_id) ||
	    dname_equal(c->owner, z.apex)) {
		rc = load_apex(st, zt, &z, b);
		if (rc || c->op == JOURNAL_SOA || dname_equal(c->owner, z.apex))
			return rc;
	}
	rc = read_name(st, c->zone_id, c->owner, c->len, b);
	if (rc)
		return rc;
	rc = zt_set_name(zt, (uint32_t)c->zone_id, c->owner, b->rr, b->n);
	return rc == DZ_EINVAL ? 0 : rc;
}

int store_sync(store_t *st, ztable_t *zt, unsigned *nnames)
{
	struct change *ch = NULL;
	struct rrbuf b = {0};
	unsigned total = 0;
	int rc = 0;

	ch = malloc(SYNC_CHUNK * sizeof *ch);
	if (!ch)
		return DZ_ENOMEM;
	pthread_mutex_lock(&zt->wlock);
	zt_write_begin(zt);
	if (exec(st->db, st->in_txn ? "SAVEPOINT sync" : "BEGIN")) {
		rc = DZ_EDB;
		goto out;
	}
	for (;;) {
		sqlite3_stmt *s = store_stmt(st,
			"SELECT id, zone_id, op, owner FROM journal WHERE id > ?1 "
			"ORDER BY id LIMIT 4096");
		if (!s) {
			rc = DZ_EDB;
			break;
		}
		sqlite3_bind_int64(s, 1, zt->journal_pos);
		size_t n = 0;
		int64_t last = zt->journal_pos;
		int src;
		while ((src = sqlite3_step(s)) == SQLITE_ROW && n < SYNC_CHUNK) {
			struct change *c = &ch[n];
			last = sqlite3_column_int64(s, 0);
			c->zone_id = sqlite3_column_int64(s, 1);
			c->op = sqlite3_column_int(s, 2);
			const uint8_t *o = sqlite3_column_blob(s, 3);
			int olen = sqlite3_column_bytes(s, 3);
			if (c->op == JOURNAL_ADD || c->op == JOURNAL_DEL) {
				if (!o || olen <= 0 || olen > DNAME_MAX ||
				    dname_len(o, (size_t)olen) != (size_t)olen)
					continue;
				memcpy(c->owner, o, (size_t)olen);
				c->len = (uint8_t)olen;
			} else {
				c->len = 0;
				c->owner[0] = 0;
			}
			n++;
		}
		sqlite3_reset(s);
		if (src != SQLITE_ROW && src != SQLITE_DONE) {
			rc = DZ_EDB;
			break;
		}
		if (last == zt->journal_pos)
			break;
		/* zone deletions first, then SOA changes (which create zones),
		 * then names; each distinct name once */
		qsort(ch, n, sizeof *ch, change_cmp);
		for (int pass = 0; pass < 3 && !rc; pass++) {
			for (size_t i = 0; i < n && !rc; i++) {
				int op = ch[i].op;
				int want = pass == 0 ? op == JOURNAL_ZONE_DEL
				         : pass == 1 ? (op == JOURNAL_SOA || op == JOURNAL_ZONE_RELOAD)
				         : (op == JOURNAL_ADD || op == JOURNAL_DEL);
				if (!want)
					continue;
				if (pass == 2 && i > 0 && change_cmp(&ch[i], &ch[i - 1]) == 0)
					continue;
				if (pass == 1 && op == JOURNAL_SOA && i > 0 &&
				    ch[i - 1].op == JOURNAL_SOA && ch[i - 1].zone_id == ch[i].zone_id)
					continue;
				rc = apply_change(st, zt, &ch[i], &b);
				total++;
			}
		}
		if (rc)
			break;
		zt->journal_pos = last;
	}
	exec(st->db, st->in_txn ? "RELEASE sync" : "COMMIT");
out:
	zt_write_end(zt);
	pthread_mutex_unlock(&zt->wlock);
	rrbuf_free(&b);
	free(ch);
	if (nnames)
		*nnames = total;
	return rc;
}

bool store_changed(store_t *st)
{
	sqlite3_stmt *s = store_stmt(st, "PRAGMA data_version");
	bool changed = false;
	if (s && sqlite3_step(s) == SQLITE_ROW) {
		int64_t v = sqlite3_column_int64(s, 0);
		changed = v != st->data_version;
		st->data_version = v;
	}
	if (s)
		sqlite3_reset(s);
	return changed;
}
