/* The group committer: one writer thread with its own store connection
 * and a queue of jobs.  The thread takes every job queued (up to a cap),
 * runs them all in one transaction (BEGIN IMMEDIATE .. COMMIT).  A second
 * thread, the syncer, then makes the batch durable with one fdatasync of
 * the WAL, shared by every batch committed since its last one, while the
 * committer applies the journal to the zone table (store_sync); once both
 * are done the syncer calls each job's `done`.  Meanwhile the committer
 * already runs the next batch,
 * and keeps its transaction open, taking every job that arrives, until
 * the syncer is free (those jobs would wait for its next fdatasync
 * anyway, so they share one COMMIT instead of paying one each).
 * So a job's effect is durable and already served by DNS when its
 * submitter hears back, N concurrent updates cost one commit, and the
 * disk's flush latency is not paid between batches.  (DNS may serve a
 * change up to one fdatasync before it is durable; its submitter has not
 * been told yet, and hears 911 if the sync fails; after a failed sync no
 * job is run or acknowledged until the daemon restarts.)
 *
 * The committer's thread is the only one that applies commits to the
 * zone table: after each batch, and, when idle, every sync interval if
 * another process (a `dynzone record add` from a shell) has written.
 *
 * `serve` starts one committer and hands it to every front end (updates,
 * the dashboard, housekeeping); it stops it after the front ends have
 * handed in their last jobs.  A job to be run later (a slow-down) waits
 * on a timer (src/write/timer.h) and is submitted when due. */
#ifndef DZ_COMMIT_H
#define DZ_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/textbuf.h"
#include "src/db/store.h"
#include "src/zonetable/zone.h"

typedef struct committer committer_t;

struct commit_job {
	/* Runs on the committer thread inside the batch's transaction.  A
	 * non-zero return undoes this job's own writes (a savepoint) and is
	 * passed on to done. */
	int (*run)(struct commit_job *job, store_t *st);
	/* Runs on the syncer thread (the committer thread if there is none)
	 * once the batch is committed, on disk and the zone table synced.
	 * rc: run's result, or DZ_EDB if the commit or the sync failed.
	 * From commit_submit, on the submitter's thread: DZ_ENOTSUP if the
	 * committer had stopped, DZ_EDB if an earlier sync had failed.  Must
	 * not block; the job belongs to its submitter again from here on. */
	void (*done)(struct commit_job *job, int rc);
	/* private */
	struct commit_job *next;
	int rc;
};

#define COMMIT_MAX_BATCH 512     /* jobs in one transaction, by default */

/* Open a store connection on `db` and start the threads.  max_batch caps
 * the jobs per transaction; sync_ms is how often an idle committer looks
 * for other processes' commits (sync-interval); sign_validity and
 * sign_refresh (dnssec-validity, dnssec-refresh) are the signatures'
 * times from the first commit on.  zt must be loaded
 * already and outlive the committer.  0, or DZ_EDB/DZ_ENOMEM/DZ_EIO with
 * a message in err. */
int commit_start(committer_t **out, const char *db, ztable_t *zt,
                 unsigned max_batch, unsigned sync_ms, uint32_t sign_validity,
                 uint32_t sign_refresh, char *err, size_t errlen);
/* Queue a job (any thread).  The job must stay valid until its done. */
void commit_submit(committer_t *c, struct commit_job *job);
/* Finish every queued job, stop the threads and close the connection.
 * Later submits get DZ_ENOTSUP at once.  Call after the timers have
 * stopped (so held jobs have been submitted) and after the front ends'
 * last submits.  NULL is a no-op. */
void commit_stop(committer_t *c);
/* Add the committer's histograms (jobs per batch, commit latency) to a
 * /metrics scrape (a metrics_fn; arg is the committer; any thread). */
void commit_metrics(void *arg, textbuf_t *o);
/* Free a stopped committer (NULL: no-op). */
void commit_free(committer_t *c);

#endif
