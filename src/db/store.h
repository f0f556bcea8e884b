/* The store: SQLite (WAL) holding zones, records and everything else, and
 * the change journal that keeps the in-memory zone table in step with it.
 * This header is the connection and its transactions; one module per table
 * family owns that family's SQL (zones.h, journal.h, accounts.h, tokens.h,
 * host.h, sessions.h, updatelog.h, tdstore.h), and only src/db/ speaks SQL.
 *
 * Every change is written inside a transaction (store_begin ..
 * store_commit).  Record changes append journal rows in the same
 * transaction, and store_commit bumps the SOA serial of each zone touched,
 * so the journal is the one path from any writer (the daemon, a CLI
 * command, an import) to every running server: store_sync applies what
 * the journal says to a zone table. */
#ifndef DZ_STORE_H
#define DZ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/textbuf.h"


typedef struct store store_t;

/* Open (creating if needed, mode 0600) the database at `path`, switch it
 * to WAL, run pending migrations.  On failure returns DZ_EDB and, if errbuf is not
 * NULL, a message in it. */
int store_open(const char *path, store_t **out, char *errbuf, size_t errlen);
void store_close(store_t *st);
/* Can this process (its effective ids: call after dropping privileges)
 * use the store at path: write its directory (SQLite makes the -wal and
 * -shm files there) and read and write each of its files that exists?
 * 0, or DZ_EIO with a message naming the path, the uid and the reason. */
int store_access(const char *path, char *errbuf, size_t errlen);
/* Add the store's size on disk (the database file and its -wal, by stat)
 * to a /metrics scrape (a metrics_fn; arg is the database path; any
 * thread, no SQLite call). */
void store_metrics(void *arg, textbuf_t *o);
/* Copy the whole database, consistently, into a new file `path` (made
 * 0600; an existing file is an error), through SQLite's online backup:
 * safe while a server writes, which waits for one step of the copy at
 * most.  0, or DZ_EIO/DZ_EDB with a message in errbuf (and no file left
 * behind). */
int store_backup(store_t *st, const char *path, char *errbuf, size_t errlen);
/* Let this connection's commits return once their WAL frames are written,
 * before they are on disk (synchronous=NORMAL), and give a descriptor of
 * the WAL file: fdatasync on it, from any thread, makes every commit that
 * had returned before the call durable, as synchronous=FULL would have
 * made each one (NORMAL still syncs around checkpoints).  For a writer
 * that syncs a group of commits on another thread while it runs the next.
 * The caller closes the descriptor.  0, or DZ_EIO/DZ_EDB with nothing
 * changed. */
int store_defer_sync(store_t *st, int *wal_fd);

/* The last SQLite error message of this connection (for messages). */
const char *store_errmsg(store_t *st);

/* Transactions.  store_begin takes the write lock (BEGIN IMMEDIATE).
 * store_commit bumps the serial of every zone touched in the transaction
 * (journalled), then commits: when it returns 0 the change is durable. */
int store_begin(store_t *st);
int store_commit(store_t *st);
void store_rollback(store_t *st);
/* THE transaction helper: run fn(st, arg) between store_begin and
 * store_commit; roll back if it (or the commit) fails.  fn's result, or
 * DZ_EDB.  For callers without a committer (the CLI, tests, the
 * dashboard's fallback); the daemon's writes go through src/write/commit.h,
 * which runs the same kind of function in its group transaction. */
int store_txn(store_t *st, int (*fn)(store_t *st, void *arg), void *arg);
/* Bulk mode for the current transaction (imports): record changes are not
 * journalled one by one; the commit journals a reload of each zone
 * touched instead.  Ends with the transaction. */
void store_set_bulk(store_t *st, bool on);
/* Mark a zone as changed in the current transaction (serial bump at
 * commit).  Record functions below do it themselves. */
int store_touch_zone(store_t *st, int64_t zone_id);
/* Mark a signed zone for a whole re-sign at this transaction's commit
 * (src/db/signer.h: after a key change); touches it.  0 or DZ_ENOMEM. */
int store_resign_zone(store_t *st, int64_t zone_id);
/* DNSSEC signature validity and the time left at which signatures are
 * re-made, in seconds (config dnssec-validity, dnssec-refresh; defaults
 * SIGNER_VALIDITY_DEFAULT, SIGNER_REFRESH_DEFAULT). */
void store_set_sign_times(store_t *st, uint32_t validity, uint32_t refresh);
void store_sign_times(store_t *st, uint32_t *validity, uint32_t *refresh);
/* True while bulk mode is on (store_set_bulk). */
bool store_bulk(store_t *st);
/* True inside store_begin .. store_commit/store_rollback. */
bool store_in_txn(store_t *st);

/* A read snapshot (BEGIN .. COMMIT, or a savepoint inside an open
 * transaction): every query between the two sees one state of the store.
 * store_read_begin: 0 or DZ_EDB. */
int store_read_begin(store_t *st);
void store_read_end(store_t *st);
/* One job of a group transaction (a savepoint): store_job_end with undo
 * rolls the job's writes back, keeping the others'.  The zones the job
 * touched are still bumped at commit.  store_job_begin: 0, or DZ_EDB (also
 * when no transaction is open: a SAVEPOINT outside one would start a
 * transaction of its own).  store_job_end: 0, or DZ_EDB when the savepoint
 * could not be undone or released, or SQLite has rolled the whole
 * transaction back by itself (SQLITE_FULL, IOERR, NOMEM, an interrupt):
 * the group's other jobs are then lost too, and the caller must fail the
 * group (store_rollback) rather than commit what is left. */
int store_job_begin(store_t *st);
int store_job_end(store_t *st, bool undo);
/* Checkpoint the WAL every `frames` pages (SQLite's default: 1000).
 * 0 or DZ_EDB. */
int store_checkpoint_every(store_t *st, unsigned frames);

/* True if another connection committed since the last call (cheap:
 * PRAGMA data_version). */
bool store_changed(store_t *st);

#endif
