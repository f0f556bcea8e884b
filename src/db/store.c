/* The SQLite connection: opening, migrations, the statement cache, the
 * step and transaction helpers. */
#include "src/db/store.h"
#include "src/db/served.h"
#include "src/db/sql.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "src/db/journal.h"
#include "src/db/signer.h"
#include "src/common/grow.h"
#include "src/metrics/metrics.h"

#define STMT_CACHE 96

struct store {
	sqlite3 *db;
	struct { const char *sql; sqlite3_stmt *st; } cache[STMT_CACHE];
	unsigned ncache;
	int64_t *touched;         /* zones touched in this transaction */
	size_t ntouched, touch_cap;
	int64_t *resign;          /* zones to re-sign whole at commit */
	size_t nresign, resign_cap;
	int64_t journal_first;    /* the journal's last id before this transaction */
	uint32_t sign_validity, sign_refresh;
	bool in_txn;
	bool bulk;                /* journal whole-zone reloads, not rows */
	int64_t data_version;
	/* served_all remembered (src/db/served.h) at the database's data
	 * version served_ver (SQLITE_FCNTL_DATA_VERSION: any connection's
	 * commit moves it); served_known false after this connection wrote
	 * a row with a location or a TTD, which no version shows yet, and
	 * after a rollback, which undoes rows the answer may have seen. */
	bool served_known, served_all;
	unsigned served_ver;
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
	/* 6: user names are one whatever their case ('ADMIN' beside 'admin'
	 * was possible); lookups use this index (COLLATE NOCASE: names are
	 * ASCII).  A store that already holds two such names fails here,
	 * naming the constraint: rename one with the old version first. */
	"CREATE UNIQUE INDEX users_name_nocase ON users(name COLLATE NOCASE);",
	/* 7: where an IXFR starts (the SOA row of the client's serial) without
	 * a scan of the journal; one small row per commit and zone, so the
	 * partial index costs updates next to nothing */
	"CREATE INDEX journal_soa ON journal(zone_id, serial) WHERE op = 3;",
	/* 8: IPv6 prefixes (issue #16): a router's last LAN prefix, and hosts
	 * that follow it (AAAA = prefix | iid).  Deleting the router keeps
	 * its followers' last addresses and drops the link (SET NULL). */
	"ALTER TABLE hosts ADD COLUMN prefix_of INTEGER REFERENCES hosts(id) ON DELETE SET NULL;"
	"ALTER TABLE hosts ADD COLUMN iid BLOB;"                 /* 16 bytes */
	"ALTER TABLE hosts ADD COLUMN prefix_len INTEGER NOT NULL DEFAULT 64;"
	"ALTER TABLE hosts ADD COLUMN prefer INTEGER NOT NULL DEFAULT 0;"  /* 0 prefix, 1 own */
	"ALTER TABLE hosts ADD COLUMN lan_prefix BLOB;"          /* 16 bytes, host bits 0 */
	"ALTER TABLE hosts ADD COLUMN lan_len INTEGER;"
	/* and a wildcard below a host (*.host with its A and AAAA; the
	 * records themselves carry host_id like the host's own) */
	"ALTER TABLE hosts ADD COLUMN wildcard INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX hosts_prefix_of ON hosts(prefix_of) WHERE prefix_of IS NOT NULL;",
	/* 9 (issue #16): hosts an administrator blocked (`dynzone host
	 * block`); their updates are answered abuse.  A table of its own, not
	 * a hosts column: the update path reads it only for the hosts it
	 * updates, and it goes with its host */
	"CREATE TABLE host_blocks("
	"  host_id INTEGER PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,"
	"  since INTEGER NOT NULL,"
	"  reason TEXT NOT NULL);",
	/* 10: DNSSEC (src/db/signer.h): each signed zone's keys (private parts
	 * only here), its NSEC chain in canonical order (ckey: see
	 * dnssec_canon_key) for indexed predecessor and successor lookups,
	 * and the RRSIGs by expiration for the re-signing job */
	"CREATE TABLE dnssec_keys("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,"
	"  role INTEGER NOT NULL,"              /* 1 CSK, 2 KSK, 3 ZSK */
	"  state INTEGER NOT NULL,"             /* 1 published, 2 active, 3 retired */
	"  algorithm INTEGER NOT NULL,"
	"  flags INTEGER NOT NULL,"
	"  tag INTEGER NOT NULL,"
	"  public BLOB NOT NULL,"
	"  private BLOB NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  changed INTEGER NOT NULL);"
	"CREATE INDEX dnssec_keys_zone ON dnssec_keys(zone_id);"
	"CREATE TABLE dnssec_chain("
	"  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,"
	"  ckey BLOB NOT NULL,"
	"  owner BLOB NOT NULL,"
	"  PRIMARY KEY(zone_id, ckey)) WITHOUT ROWID;"
	"CREATE INDEX records_rrsig_expiry ON records(substr(rdata, 9, 4)) WHERE type = 46;",
	/* 11: an NSEC3 zone's hashed chain (RFC 5155): every name that gets an
	 * NSEC3 (the names of dnssec_chain and the empty non-terminals above
	 * them) by its hash, for indexed predecessor and successor lookups;
	 * owner is the unhashed name */
	"CREATE TABLE dnssec_nsec3("
	"  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,"
	"  ckey BLOB NOT NULL,"
	"  owner BLOB NOT NULL,"
	"  PRIMARY KEY(zone_id, ckey)) WITHOUT ROWID;"
	/* a whole-zone signing done in batches (src/db/signer.h
	 * signer_continue): the zone is incomplete while it has a row here;
	 * phase 1 signs the names in dnssec_todo, phase 2 makes their chain
	 * records */
	"CREATE TABLE dnssec_pending("
	"  zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,"
	"  phase INTEGER NOT NULL);"
	"CREATE TABLE dnssec_todo("
	"  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,"
	"  owner BLOB NOT NULL,"
	"  PRIMARY KEY(zone_id, owner)) WITHOUT ROWID;",
	/* 12: the RRSIG expiry index without `type = 46`: a partial index
	 * whose condition compares type with a constant makes SQLite's
	 * planner read the bound value of every `type = ?` on records, so it
	 * re-prepared each such statement (every update's deletes and
	 * counts) whenever the type bound changed.  A range it cannot match
	 * against `type = ?` keeps the index to RRSIGs; the re-sign query
	 * (signer.c) spells the same range. */
	"DROP INDEX records_rrsig_expiry;"
	"CREATE INDEX records_rrsig_expiry ON records(substr(rdata, 9, 4)) "
	"WHERE type >= 46 AND type <= 46;",
	/* 13: the rows of records with a tinydns location or a TTD, few or
	 * none: whether there is one tells the zone table loader and AXFR
	 * that every row is served (src/db/served.h) without a scan, so they
	 * read as fast as before the rule.  (`<>`, not `=`: no `loc = ?` of
	 * a record statement can match the condition, so the planner never
	 * reads bound values for it; see 12.) */
	("CREATE INDEX records_tagged ON records(zone_id, loc, ttd) "
	 "WHERE loc <> '' OR ttd <> 0;"),
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

/* Create `path` empty and private (0600) if it does not exist; an existing
 * file keeps its mode (the operator's choice).  0, or DZ_EIO with errno. */
static int create_private(const char *path)
{
	if (strcmp(path, ":memory:") == 0 || path[0] == 0)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		return close(fd) ? DZ_EIO : 0;
	return errno == EEXIST ? 0 : DZ_EIO;
}

int store_access(const char *path, char *errbuf, size_t errlen)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char dir[4096], file[4096 + 8];
	size_t n = strnlen(path, sizeof dir);
	if (n == 0 || n >= sizeof dir || strcmp(path, ":memory:") == 0)
		return 0;
	memcpy(dir, path, n + 1);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	/* SQLite makes and removes the -wal and -shm files beside the store:
	 * the directory must be writable, and each file that exists too */
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS)) {
		snprintf(errbuf, errlen, "%s: uid %u cannot write the store's directory %s: %s",
		         path, (unsigned)geteuid(), dir, strerror(errno));
		return DZ_EIO;
	}
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		snprintf(file, sizeof file, "%s%s", path, sfx[i]);
		if (faccessat(AT_FDCWD, file, R_OK | W_OK, AT_EACCESS) && errno != ENOENT) {
			snprintf(errbuf, errlen, "uid %u cannot read and write %s: %s",
			         (unsigned)geteuid(), file, strerror(errno));
			return DZ_EIO;
		}
	}
	return 0;
}

int store_backup(store_t *st, const char *path, char *errbuf, size_t errlen)
{
	sqlite3 *dst = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return DZ_EIO;
	}
	close(fd);
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", st->db, "main");
	if (!b)
		goto fail;
	/* a few hundred pages at a time: writers (the running server) wait
	 * for a step at most, never for the whole copy */
	int rc;
	while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(20);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE)
		goto fail;
	/* a standalone file: no -wal beside it */
	if (exec(dst, "PRAGMA journal_mode=DELETE"))
		goto fail;
	sqlite3_close(dst);
	return 0;
fail:
	seterr(errbuf, errlen, path, dst);
	sqlite3_close(dst);
	unlink(path);
	return DZ_EDB;
}

/* Waiting for another connection's write lock: up to 10 s, trying every
 * 2 ms (SQLite's own busy timeout backs off to a try every 100 ms, so a
 * writer that takes short turns back to back, like a batched signing,
 * would keep the server's committer out). */
static int busy_wait(void *arg, int tries)
{
	(void)arg;
	if (tries >= 5000)
		return 0;
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	return 1;
}

/* Before SQLite's first use in the process: no memory statistics.  Nothing
 * reads them (sqlite3_status), and keeping them takes a process-wide mutex
 * around every one of SQLite's allocations, about 200 lock/unlock pairs per
 * HTTP update. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, store_t **out, char *errbuf, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	store_t *st = calloc(1, sizeof *st);
	if (!st) {
		seterr(errbuf, errlen, path, NULL);
		return DZ_ENOMEM;
	}
	/* a new database is made 0600 first: SQLite would make it 0644, and
	 * its -wal and -shm files copy the database's mode */
	if (create_private(path)) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		seterr(errbuf, errlen, path, st->db);
		goto fail;
	}
	sqlite3_busy_handler(st->db, busy_wait, NULL);
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
	st->sign_validity = SIGNER_VALIDITY_DEFAULT;
	st->sign_refresh = SIGNER_REFRESH_DEFAULT;
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
	free(st->touched);
	free(st->resign);
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
	/* callers pass string literals: the pointer finds the statement in
	 * one pass; the text only where a literal was duplicated */
	unsigned i = 0;
	while (i < st->ncache && st->cache[i].sql != sql)
		i++;
	if (i == st->ncache)
		for (i = 0; i < st->ncache && strcmp(st->cache[i].sql, sql) != 0; i++)
			;
	if (i < st->ncache) {
		sqlite3_reset(st->cache[i].st);
		sqlite3_clear_bindings(st->cache[i].st);
		return st->cache[i].st;
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

sqlite3_stmt *store_prep(store_t *st, const char *sql, const int64_t *v, size_t n)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	for (size_t i = 0; s && i < n; i++)
		sqlite3_bind_int64(s, (int)i + 1, v[i]);
	return s;
}

sqlite3_stmt *store_prep_key(store_t *st, const char *sql, const void *key, size_t klen,
                             const int64_t *v, size_t n)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return NULL;
	sqlite3_bind_blob(s, 1, key, (int)klen, SQLITE_STATIC);
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_int64(s, (int)i + 2, v[i]);
	return s;
}

int store_row_end(sqlite3_stmt *s, int src)
{
	sqlite3_reset(s);
	return src == SQLITE_ROW ? 0 : src == SQLITE_DONE ? DZ_ENOENT : DZ_EDB;
}

long long store_count(sqlite3_stmt *s)
{
	long long n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

int store_int(store_t *st, const char *sql, const int64_t *v, size_t n, int64_t *out)
{
	sqlite3_stmt *s = store_prep(st, sql, v, n);
	if (!s)
		return DZ_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	return store_row_end(s, rc);
}

int store_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return DZ_EEXIST;
	return DZ_EDB;
}

int store_run(store_t *st, const char *sql, int64_t a, int64_t b)
{
	int64_t v[] = { a, b };
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return DZ_EDB;
	/* ?2 only if the statement has it */
	s = store_prep(st, sql, v, sqlite3_bind_parameter_count(s) >= 2 ? 2 : 1);
	return s ? store_done(s) : DZ_EDB;
}

int store_rows_end(sqlite3_stmt *s, int rc, int src)
{
	sqlite3_reset(s);
	return !rc && src != SQLITE_DONE ? DZ_EDB : rc;
}

unsigned store_changes(store_t *st)
{
	return (unsigned)sqlite3_changes(st->db);
}

int64_t store_last_id(store_t *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

/* BEGIN and COMMIT run for every batch: prepared once, like the rest */
static int step_stmt(store_t *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	return s ? store_done(s) : DZ_EDB;
}

int store_exec(store_t *st, const char *sql)
{
	return step_stmt(st, sql);
}

int store_begin(store_t *st)
{
	if (step_stmt(st, "BEGIN IMMEDIATE"))
		return DZ_EDB;
	st->in_txn = true;
	st->ntouched = 0;
	st->nresign = 0;
	/* where this transaction's journal rows start: the signer re-signs
	 * what they changed (one lookup of the primary key's end) */
	if (store_int(st, "SELECT coalesce(max(id), 0) FROM journal", NULL, 0,
	              &st->journal_first)) {
		store_rollback(st);
		return DZ_EDB;
	}
	return 0;
}

void store_rollback(store_t *st)
{
	if (st->in_txn)
		exec(st->db, "ROLLBACK");
	st->in_txn = false;
	st->bulk = false;
	st->served_known = false;   /* may have seen rows now undone */
}

int store_txn(store_t *st, int (*fn)(store_t *st, void *arg), void *arg)
{
	int rc = store_begin(st);
	if (rc)
		return rc;
	rc = fn(st, arg);
	if (!rc)
		rc = store_commit(st);
	else
		store_rollback(st);
	return rc;
}

int store_touch_zone(store_t *st, int64_t zone_id)
{
	/* the same zone as the last record's is the common case (imports
	 * touch one zone for many records) */
	if (st->ntouched && st->touched[st->ntouched - 1] == zone_id)
		return 0;
	for (size_t i = 0; i < st->ntouched; i++)
		if (st->touched[i] == zone_id)
			return 0;
	int64_t *nt = grow_array(st->touched, &st->touch_cap, st->ntouched, sizeof *nt, 16);
	if (!nt)
		return DZ_ENOMEM;
	st->touched = nt;
	st->touched[st->ntouched++] = zone_id;
	return 0;
}

int store_resign_zone(store_t *st, int64_t zone_id)
{
	for (size_t i = 0; i < st->nresign; i++)
		if (st->resign[i] == zone_id)
			return 0;
	int64_t *nr = grow_array(st->resign, &st->resign_cap, st->nresign, sizeof *nr, 4);
	if (!nr)
		return DZ_ENOMEM;
	st->resign = nr;
	st->resign[st->nresign++] = zone_id;
	return store_touch_zone(st, zone_id);
}

void store_set_sign_times(store_t *st, uint32_t validity, uint32_t refresh)
{
	st->sign_validity = validity;
	st->sign_refresh = refresh;
}

void store_sign_times(store_t *st, uint32_t *validity, uint32_t *refresh)
{
	*validity = st->sign_validity;
	*refresh = st->sign_refresh;
}

void store_set_bulk(store_t *st, bool on)
{
	st->bulk = on;
}

bool store_bulk(store_t *st)
{
	return st->bulk;
}

bool store_in_txn(store_t *st)
{
	return st->in_txn;
}

int store_read_begin(store_t *st)
{
	return exec(st->db, st->in_txn ? "SAVEPOINT snapshot" : "BEGIN");
}

void store_read_end(store_t *st)
{
	exec(st->db, st->in_txn ? "RELEASE snapshot" : "COMMIT");
}

int store_job_begin(store_t *st)
{
	if (sqlite3_get_autocommit(st->db))
		return DZ_EDB;
	return step_stmt(st, "SAVEPOINT job");
}

int store_job_end(store_t *st, bool undo)
{
	int rc = 0;
	if (undo) {
		st->served_known = false;   /* may have seen rows now undone */
		if (step_stmt(st, "ROLLBACK TO job"))
			rc = DZ_EDB;
	}
	if (step_stmt(st, "RELEASE job"))
		rc = DZ_EDB;
	return rc || sqlite3_get_autocommit(st->db) ? DZ_EDB : 0;
}

int store_checkpoint_every(store_t *st, unsigned frames)
{
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA wal_autocheckpoint=%u", frames);
	return exec(st->db, pragma);
}

int store_commit(store_t *st)
{
	int rc = 0;
	/* exactly the zones touched, however many; a signed zone's changes
	 * are signed (and its SOA at the serial the bump gives) first */
	for (size_t i = 0; i < st->ntouched && !rc; i++) {
		int64_t z = st->touched[i];
		bool full = st->bulk;
		for (size_t j = 0; j < st->nresign && !full; j++)
			full = st->resign[j] == z;
		rc = signer_commit(st, z, st->journal_first, full);
		if (!rc)
			rc = journal_bump(st, z);
	}
	if (rc || step_stmt(st, "COMMIT")) {
		store_rollback(st);
		return DZ_EDB;
	}
	st->in_txn = false;
	st->bulk = false;
	/* this commit moved the data version but, unless it wrote a tagged
	 * row (store_served_forget), not the answer; another connection's
	 * commit after it moves the version again when the next transaction
	 * starts */
	unsigned v;
	if (st->served_known &&
	    sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &v) == SQLITE_OK)
		st->served_ver = v;
	return 0;
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

void store_metrics(void *arg, textbuf_t *o)
{
	const char *path = arg;
	char wal[4096];
	struct stat sb;
	uint64_t db = 0, w = 0;
	if (stat(path, &sb) == 0)
		db = (uint64_t)sb.st_size;
	if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) < sizeof wal && stat(wal, &sb) == 0)
		w = (uint64_t)sb.st_size;
	const char *n = "dynzone_store_bytes";
	metrics_family(o, n, "gauge", "Size of the SQLite store's files on disk");
	metrics_sample(o, n, "file=\"db\"", db);
	metrics_sample(o, n, "file=\"wal\"", w);
}

int store_served_all(store_t *st, bool *all)
{
	unsigned v = 0;
	/* only while a read or write transaction holds its snapshot (not
	 * just after a deferred BEGIN) is the version that of the rows the
	 * caller's statements will read */
	bool txn = sqlite3_txn_state(st->db, "main") != SQLITE_TXN_NONE &&
	           sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &v) == SQLITE_OK;
	if (txn && st->served_known && v == st->served_ver) {
		*all = st->served_all;
		return 0;
	}
	int64_t none = 0;
	int rc = store_int(st, "SELECT NOT EXISTS (SELECT 1 FROM records WHERE "
	                   SERVED_TAGGED ")", NULL, 0, &none);
	*all = !rc && none != 0;
	st->served_known = txn && !rc;
	st->served_all = *all;
	st->served_ver = v;
	return rc;
}

void store_served_forget(store_t *st)
{
	st->served_known = false;
}
