/* Housekeeping: the periodic jobs that keep the store from growing
 * without end, run by the committer whatever front ends the server has.
 *
 * At start and then every HOUSEKEEP_EVERY_MS, a timer (src/write/timer.h)
 * submits one job to the committer (src/write/commit.h).  In that job's
 * transaction, on the committer thread, every task runs: the built-in one
 * prunes the change journal (rows older than a day) and the update log
 * (older than update-log-days), at most HOUSEKEEP_CHUNK rows of each, the
 * newest row always kept; a second re-signs the DNSSEC signatures that
 * expire within dnssec-refresh (src/db/signer.h), HOUSEKEEP_RESIGN_CHUNK
 * RRsets at most, and a batch (HOUSEKEEP_SIGN_NAMES names) of a pending
 * whole-zone signing (signer_continue); rounds come at least four times per
 * dnssec-refresh;
 * front ends add their own (housekeep_add).
 * While a task says it is behind, the next job follows at once, a chunk
 * per transaction, so a backlog never holds the writer long.
 *
 * `serve` creates it after the committer and the timers, stops it before
 * them, and frees it after the committer has stopped. */
#ifndef DZ_HOUSEKEEP_H
#define DZ_HOUSEKEEP_H

#include <stddef.h>
#include <stdint.h>

#include "src/common/config.h"
#include "src/db/store.h"
#include "src/write/commit.h"
#include "src/write/timer.h"

#define HOUSEKEEP_EVERY_MS 60000   /* between rounds when not behind (at most) */
#define HOUSEKEEP_RESIGN_CHUNK 500 /* RRsets re-signed per round: tens of ms */
#define HOUSEKEEP_SIGN_NAMES 200   /* names of a pending whole-zone signing per round */
#define HOUSEKEEP_CHUNK 5000       /* rows per log per round: a few ms */
#define HOUSEKEEP_JOURNAL_S 86400  /* the change journal keeps a day */
#define HOUSEKEEP_TASKS 8

typedef struct housekeep housekeep_t;

/* A task: runs on the committer thread inside the round's transaction,
 * with `now` in epoch seconds.  1 if it is behind (run another round at
 * once), 0 if done, or a negative DZ_E* code (logged; next round as
 * usual).  Its writes stay even if it fails. */
typedef int (*housekeep_fn)(store_t *st, int64_t now, void *arg);

/* Arm the first round (at once) with the log retention of c.  cm and ts
 * must outlive the housekeeping.  0, or DZ_ENOMEM/DZ_ENOTSUP (timers
 * stopped) with a message in err. */
int housekeep_start(housekeep_t **out, const struct config *c, committer_t *cm,
                    timers_t *ts, char *err, size_t errlen);
/* Add a task (any thread, before housekeep_stop); arg must outlive the
 * housekeeping.  0 or DZ_ELIMIT (more than HOUSEKEEP_TASKS). */
int housekeep_add(housekeep_t *hk, housekeep_fn fn, void *arg);
/* Start no more rounds (a round in flight still finishes).  Call before
 * timer_stop.  NULL is a no-op. */
void housekeep_stop(housekeep_t *hk);
/* Free, after commit_stop (NULL: no-op). */
void housekeep_free(housekeep_t *hk);

#endif
