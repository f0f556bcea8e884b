/* The change journal (table journal) and the update log's pruning.
 *
 * Every committed change appends journal rows in its transaction: a row
 * per record added or deleted, a SOA row per zone bumped at commit, a
 * zone deletion or whole-zone reload.  Followers (src/db/load.h) apply
 * the rows newer than what they have. */
#ifndef DZ_JOURNAL_H
#define DZ_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "src/db/store.h"

/* Journal operations. */
enum { JOURNAL_ADD = 1, JOURNAL_DEL = 2, JOURNAL_SOA = 3, JOURNAL_ZONE_DEL = 4,
       JOURNAL_ZONE_RELOAD = 5 };

/* Append a record's add or delete (type < 0: every type; rd NULL: every
 * rdata).  0 or DZ_EDB. */
int journal_rr(store_t *st, int op, int64_t zone_id, const uint8_t *owner,
               size_t olen, int type, uint32_t ttl, const uint8_t *rd, size_t rdlen);
/* Bump a zone's serial (RFC 1982, skipping 0) and journal it (and, in
 * bulk mode, a reload of the zone).  Called by store_commit.  0 or
 * DZ_EDB. */
int journal_bump(store_t *st, int64_t zone_id);
/* Journal a zone's deletion (before its row goes).  0 or DZ_EDB. */
int journal_zone_del(store_t *st, int64_t zone_id);

/* The append-only logs: the change journal and the update log. */
enum store_log { STORE_LOG_JOURNAL, STORE_LOG_UPDATES };
/* Delete, oldest first, at most `max` rows of a log whose time is before
 * `before` (epoch seconds); the newest row always stays.  *n: rows
 * deleted (== max: there may be more).  Inside the caller's transaction if
 * one is open.  0, DZ_EINVAL or DZ_EDB. */
int store_log_prune(store_t *st, enum store_log which, int64_t before, unsigned max,
                    unsigned *n);

#endif
