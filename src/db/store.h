/* The store: SQLite (WAL) holding zones, records and everything else, and
 * the change journal that keeps the in-memory zone table in step with it.
 *
 * Every change is written inside a transaction (store_begin ..
 * store_commit).  Record changes append journal rows in the same
 * transaction, and store_commit bumps the SOA serial of each zone touched,
 * so the journal is the one path from any writer (the daemon, a CLI
 * command, an import) to every running server: store_sync applies what
 * the journal says to a zone table. */
#ifndef DZ_STORE_H
#define DZ_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto/name.h"
#include "src/zonetable/zone.h"

typedef struct store store_t;

struct store_zone {
	int64_t id;
	uint8_t apex[DNAME_MAX];    /* lowercase wire */
	char name[1024];            /* presentation, trailing dot */
	struct zsoa soa;
	uint32_t default_ttl;       /* TTL of dynamic hosts' records */
};

struct store_rr {
	int64_t zone_id;
	const uint8_t *owner;       /* lowercase wire */
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	size_t rdlen;
	int64_t host_id;            /* 0 for static records */
	uint64_t ttd;               /* tinydns time-to-die (0: none) */
	const char *loc;            /* tinydns location ("" none) */
};

/* Journal operations. */
enum { JOURNAL_ADD = 1, JOURNAL_DEL = 2, JOURNAL_SOA = 3, JOURNAL_ZONE_DEL = 4,
       JOURNAL_ZONE_RELOAD = 5 };

/* Open (creating if needed) the database at `path`, switch it to WAL,
 * run pending migrations.  On failure returns DZ_EDB and, if errbuf is not
 * NULL, a message in it. */
int store_open(const char *path, store_t **out, char *errbuf, size_t errlen);
void store_close(store_t *st);
/* Let this connection's commits return once their WAL frames are written,
 * before they are on disk (synchronous=NORMAL), and give a descriptor of
 * the WAL file: fdatasync on it, from any thread, makes every commit that
 * had returned before the call durable, as synchronous=FULL would have
 * made each one (NORMAL still syncs around checkpoints).  For a writer
 * that syncs a group of commits on another thread while it runs the next.
 * The caller closes the descriptor.  0, or DZ_EIO/DZ_EDB with nothing
 * changed. */
int store_defer_sync(store_t *st, int *wal_fd);

/* The append-only logs: the change journal and the update log. */
enum store_log { STORE_LOG_JOURNAL, STORE_LOG_UPDATES };
/* Delete, oldest first, at most `max` rows of a log whose time is before
 * `before` (epoch seconds); the newest row always stays.  *n: rows
 * deleted (== max: there may be more).  Inside the caller's transaction if
 * one is open.  0, DZ_EINVAL or DZ_EDB. */
int store_log_prune(store_t *st, enum store_log which, int64_t before, unsigned max,
                    unsigned *n);

/* The underlying connection, for modules that keep their own tables
 * (users, hosts, tokens...).  Use prepared statements only. */
sqlite3 *store_db(store_t *st);
/* The last SQLite error message. */
const char *store_errmsg(store_t *st);
/* A statement cached on this connection (prepared once, reset on return).
 * NULL on error.  The caller binds, steps, and need not finalize. */
sqlite3_stmt *store_stmt(store_t *st, const char *sql);

/* Transactions.  store_begin takes the write lock (BEGIN IMMEDIATE).
 * store_commit bumps the serial of every zone touched in the transaction
 * (journalled), then commits: when it returns 0 the change is durable. */
int store_begin(store_t *st);
int store_commit(store_t *st);
void store_rollback(store_t *st);
/* Bulk mode for the current transaction (imports): record changes are not
 * journalled one by one; the commit journals a reload of each zone
 * touched instead.  Ends with the transaction. */
void store_set_bulk(store_t *st, bool on);
/* Mark a zone as changed in the current transaction (serial bump at
 * commit).  Record functions below do it themselves. */
int store_touch_zone(store_t *st, int64_t zone_id);

/* Zones.  store_zone_add fails with DZ_EEXIST if the apex exists. */
int store_zone_add(store_t *st, const uint8_t *apex, const struct zsoa *soa,
                   uint32_t default_ttl, int64_t *id);
int store_zone_get(store_t *st, int64_t id, struct store_zone *out);
/* The most specific zone containing `name` (any case); DZ_ENOENT if none. */
int store_zone_find(store_t *st, const uint8_t *name, struct store_zone *out);
/* Replace the SOA fields (serial is then bumped at commit as usual). */
int store_zone_set_soa(store_t *st, int64_t id, const struct zsoa *soa);
int store_zone_del(store_t *st, int64_t id);
typedef int (*store_zone_cb)(void *ctx, const struct store_zone *z);
int store_zone_list(store_t *st, store_zone_cb cb, void *ctx);

/* Records.  `owner` may be in any case (it is stored lowercased) and must
 * be inside the zone.  store_record_add returns DZ_EEXIST for an identical
 * record (same owner, type, rdata, location). */
int store_record_add(store_t *st, const struct store_rr *rr);
/* Delete records at owner: all of them (type < 0), of one type (rd NULL),
 * or one exact record.  *ndel (if not NULL) gets the count. */
int store_record_del(store_t *st, int64_t zone_id, const uint8_t *owner,
                     int type, const uint8_t *rd, size_t rdlen,
                     unsigned *ndel);
typedef int (*store_rr_cb)(void *ctx, const struct store_rr *rr);
/* Every record of one zone (zone_id > 0) or of all, ordered by zone and
 * owner.  A non-zero return from cb stops the walk and is returned. */
int store_record_list(store_t *st, int64_t zone_id, store_rr_cb cb, void *ctx);

/* Zone table synchronisation. */
/* Load every zone into an empty table.  0 or DZ_EDB/DZ_ENOMEM. */
int store_load(store_t *st, ztable_t *zt);
/* Apply journal rows newer than zt->journal_pos (takes zt->wlock).  *n
 * (if not NULL) gets the number of names rebuilt. */
int store_sync(store_t *st, ztable_t *zt, unsigned *n);
/* True if another connection committed since the last call (cheap:
 * PRAGMA data_version). */
bool store_changed(store_t *st);

#endif
