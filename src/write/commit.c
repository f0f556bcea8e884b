/* The group committer. */
#include "src/write/commit.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/errors.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/thread.h"
#include "src/db/load.h"
#include "src/metrics/metrics.h"

/* Counters, logged when the committer stops. */
struct commit_stats {
	uint64_t jobs;             /* jobs finished */
	uint64_t batches;          /* transactions committed */
	uint64_t failed;           /* transactions that failed */
	uint64_t syncs;            /* fdatasyncs of the WAL by the syncer */
	unsigned largest;          /* most jobs in one batch */
};

/* The committer thread's histograms (one writer: src/metrics/metrics.h):
 * jobs per batch, and microseconds the committer worked on a batch, from
 * BEGIN to the zone table synced (not the time its transaction waited
 * open for the syncer, nor the fdatasync after it, which the syncer
 * overlaps with the next batch). */
static const uint64_t batch_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 };
static const uint64_t latency_bounds[] = { 100, 250, 500, 1000, 2500, 5000, 10000, 25000,
                                           50000, 100000, 250000, 1000000 };
#define NBOUNDS(a) ((unsigned)(sizeof a / sizeof a[0]))

struct committer {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started, stopping, stopped;
	struct commit_job *head, **tail;   /* in arrival order */
	store_t *st;
	ztable_t *zt;
	unsigned max_batch;
	/* Idle, the committer looks every sync_ms for commits of other
	 * processes (the CLI); resync: a batch's own sync failed, so the
	 * next look syncs whatever data_version says.  Committer thread. */
	unsigned sync_ms;
	bool resync;
	struct commit_stats stats;
	struct metrics_hist batch_size, latency;
	/* The syncer: committed batches wait here for the fdatasync of the
	 * WAL that makes them durable, while the committer runs the next.
	 * wal_fd < 0: commits are synchronous=FULL and done is called on the
	 * committer thread. */
	int wal_fd;
	pthread_t syncer;
	bool syncer_started, sync_stopping;
	/* An fdatasync failed: after that, a sync that succeeds does not
	 * prove earlier writes reached the disk (Linux reports a writeback
	 * error once), so no update is acknowledged until a restart lets
	 * SQLite recover from what the disk really has. */
	bool sync_failed;
	pthread_cond_t sync_cond;
	struct commit_job *sync_head, **sync_tail;
	bool syncing;              /* the syncer is in an fdatasync */
	/* The committer hands a batch to the syncer as soon as it is
	 * committed, then applies it to the zone table while the fdatasync
	 * runs; the syncer answers a batch only once it is applied too:
	 * handed counts the batches handed on, applied those applied (or
	 * failed: nothing to apply). */
	uint64_t handed, applied;
	bool sync_waits;           /* the syncer waits on sync_cond for applied */
	bool holding;              /* the committer holds a batch open until the
	                              syncer is free (waits on cond for it) */
};

/* The batch the committer is building: one transaction, its jobs in
 * order.  While the syncer is busy the transaction stays open and takes
 * every job that arrives: they would all wait for the syncer's next
 * fdatasync anyway, so one COMMIT (one set of WAL pages, one zone table
 * sync) serves them all instead of one each.  It is committed as soon as
 * the syncer is free, when it holds max_batch jobs, or at stop.
 * Committer thread only. */
struct batch {
	struct commit_job *head, **tail;
	unsigned n;
	bool failed;               /* BEGIN failed or the transaction was lost:
	                              every job gets DZ_EDB */
	bool alone;                /* one job, no savepoint (see batch_add) */
	uint64_t busy_us;          /* time spent running it (not waiting) */
};

#define CHECKPOINT_FRAMES 10000   /* WAL frames (pages) between checkpoints */

/* Call every done of a list; rc, if set, overrides the jobs' own. */
static void finish(struct commit_job *list, int rc)
{
	while (list) {
		struct commit_job *j = list;
		list = j->next;
		j->next = NULL;
		j->done(j, rc ? rc : j->rc);
	}
}

/* The syncer thread: one fdatasync of the WAL for every batch committed
 * since the last one, then their replies.  A batch is acknowledged only
 * after a sync that began after its COMMIT returned. */
static void *syncer_main(void *arg)
{
	thread_name("dz-sync");
	committer_t *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		if (!c->sync_head) {
			if (c->sync_stopping)
				break;
			pthread_cond_wait(&c->sync_cond, &c->lock);
			continue;
		}
		struct commit_job *list = c->sync_head;
		uint64_t seq = c->handed;
		c->sync_head = NULL;
		c->sync_tail = &c->sync_head;
		c->syncing = true;
		bool failed = c->sync_failed;
		pthread_mutex_unlock(&c->lock);
		int rc = failed ? DZ_EDB : 0;
		if (!failed && fdatasync(c->wal_fd)) {
			/* committed, but not known to be on disk: say so, and
			 * take no more updates (see sync_failed) */
			log_err("syncing the database's WAL: %s; refusing updates until restarted",
			        strerror(errno));
			rc = DZ_EDB;
			failed = true;
		}
		/* free: the committer may commit the batch it holds open
		 * while these replies go out */
		pthread_mutex_lock(&c->lock);
		c->sync_failed = failed;
		c->stats.syncs++;
		c->syncing = false;
		if (c->holding)
			pthread_cond_signal(&c->cond);
		/* served before answered: wait for the zone table (usually
		 * applied during the fdatasync) */
		while (c->applied < seq) {
			c->sync_waits = true;
			pthread_cond_wait(&c->sync_cond, &c->lock);
		}
		c->sync_waits = false;
		pthread_mutex_unlock(&c->lock);
		finish(list, rc);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Run jobs (list linked by next, k of them) in the batch's transaction,
 * opening it if needed.  A job alone in a batch that will be committed
 * right after it (may_alone) needs no savepoint: if it fails, the whole
 * transaction is its own to undo; in a batch that may grow, each job has
 * its savepoint.  Committer thread, outside the lock. */
static void batch_add(committer_t *c, struct batch *b, struct commit_job *list,
                      unsigned k, bool may_alone)
{
	uint64_t t0 = clock_us();
	if (!b->n) {
		b->failed = store_begin(c->st) != 0;
		b->alone = may_alone && k == 1;
	}
	for (struct commit_job *j = list; j; j = j->next) {
		if (b->failed) {
			j->rc = DZ_EDB;
			continue;
		}
		if (b->alone) {
			j->rc = j->run(j, c->st);
			continue;
		}
		if (store_job_begin(c->st)) {
			j->rc = DZ_EDB;
			b->failed = true;
			continue;
		}
		j->rc = j->run(j, c->st);
		/* SQLite may have rolled the whole transaction back (disk
		 * full, I/O error): the batch's earlier jobs are gone with
		 * it, so every job fails, none is committed */
		if (store_job_end(c->st, j->rc != 0))
			b->failed = true;
	}
	*b->tail = list;
	while (*b->tail)
		b->tail = &(*b->tail)->next;
	b->n += k;
	b->busy_us += clock_us() - t0;
}

/* Commit the batch, hand it on and apply it to the zone table: to the
 * syncer, whose fdatasync then runs while the committer applies it, or
 * (synchronous commits) applied first, then straight to every done.  The
 * batch is empty again afterwards.  Committer thread, outside the lock. */
static void batch_close(committer_t *c, struct batch *b)
{
	uint64_t t0 = clock_us();
	struct commit_job *batch = b->head;
	unsigned n = b->n;
	int txn = b->failed ? DZ_EDB : 0;
	bool undone = false;
	if (txn) {
		log_err("update batch failed: %s", store_errmsg(c->st));
		store_rollback(c->st);
		c->resync = true;
	} else if (b->alone && batch->rc) {
		store_rollback(c->st);
		undone = true;
	} else if (store_commit(c->st)) {
		log_err("update commit failed: %s", store_errmsg(c->st));
		txn = DZ_EDB;
	}
	if (txn) {
		for (struct commit_job *j = batch; j; j = j->next)
			j->rc = DZ_EDB;
	}
	uint64_t busy_us = b->busy_us;
	*b = (struct batch){ .tail = &b->head };
	pthread_mutex_lock(&c->lock);
	if (txn)
		c->stats.failed++;
	else if (!undone)
		c->stats.batches++;
	c->stats.jobs += n;
	if (n > c->stats.largest)
		c->stats.largest = n;
	bool deferred = c->wal_fd >= 0;
	if (deferred) {
		/* durable after the syncer's next fdatasync; a failed batch
		 * waits too, which costs nothing and keeps replies in order */
		*c->sync_tail = batch;
		while (*c->sync_tail)
			c->sync_tail = &(*c->sync_tail)->next;
		c->handed++;
		pthread_cond_signal(&c->sync_cond);
	}
	pthread_mutex_unlock(&c->lock);
	if (!txn && !undone && store_sync(c->st, c->zt, NULL)) {
		/* committed (durable once synced); the next idle look
		 * applies it (follow) */
		log_err("applying updates to the zone table: %s", store_errmsg(c->st));
		c->resync = true;
	}
	metrics_hist_observe(&c->batch_size, batch_bounds, NBOUNDS(batch_bounds), n);
	metrics_hist_observe(&c->latency, latency_bounds, NBOUNDS(latency_bounds),
	                     busy_us + clock_us() - t0);
	if (!deferred) {
		finish(batch, 0);
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->applied = c->handed;
	if (c->sync_waits)
		pthread_cond_signal(&c->sync_cond);
	pthread_mutex_unlock(&c->lock);
}

/* Apply what other processes committed (a `dynzone record add` from a
 * shell), or what a failed sync left behind: cheap when nobody wrote
 * (PRAGMA data_version).  Committer thread, outside the lock. */
static void follow(committer_t *c)
{
	unsigned n = 0;
	if (!store_changed(c->st) && !c->resync)
		return;
	if (store_sync(c->st, c->zt, &n)) {
		log_err("applying store changes: %s", store_errmsg(c->st));
		return;
	}
	c->resync = false;
	if (n)
		log_debug("applied %u changes", n);
}

static void *committer_main(void *arg)
{
	thread_name("dz-commit");
	committer_t *c = arg;
	uint64_t next_look = clock_ms() + c->sync_ms;
	struct batch b = { .tail = &b.head };
	pthread_mutex_lock(&c->lock);
	for (;;) {
		/* a batch committed now would wait for the syncer's next
		 * fdatasync, as would one committed when it is free */
		bool syncer_busy = c->wal_fd >= 0 && (c->syncing || c->sync_head);
		if (c->head && b.n < c->max_batch && !b.failed) {
			/* take what is queued, up to max_batch in the batch */
			struct commit_job *list = c->head, *last = c->head;
			unsigned k = 1;
			while (last->next && b.n + k < c->max_batch) {
				last = last->next;
				k++;
			}
			c->head = last->next;
			if (!c->head)
				c->tail = &c->head;
			last->next = NULL;
			pthread_mutex_unlock(&c->lock);
			batch_add(c, &b, list, k, !syncer_busy);
			if (!syncer_busy)
				batch_close(c, &b);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (b.n) {
			/* a failed batch is closed at once: nothing joins it */
			if (syncer_busy && b.n < c->max_batch && !c->stopping && !b.failed) {
				c->holding = true;
				pthread_cond_wait(&c->cond, &c->lock);
				c->holding = false;
				continue;
			}
			pthread_mutex_unlock(&c->lock);
			batch_close(c, &b);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (c->stopping)
			break;
		/* a batch syncs everything journalled so far, so only an
		 * idle committer needs to look */
		if (clock_ms() < next_look) {
			clock_cond_wait_until(&c->cond, &c->lock, next_look);
			continue;
		}
		pthread_mutex_unlock(&c->lock);
		follow(c);
		next_look = clock_ms() + c->sync_ms;
		pthread_mutex_lock(&c->lock);
	}
	c->stopped = true;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int commit_start(committer_t **out, const char *db, ztable_t *zt,
                 unsigned max_batch, unsigned sync_ms, uint32_t sign_validity,
                 uint32_t sign_refresh, char *err, size_t errlen)
{
	committer_t *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	clock_cond_init(&c->cond);
	pthread_cond_init(&c->sync_cond, NULL);
	c->tail = &c->head;
	c->sync_tail = &c->sync_head;
	c->wal_fd = -1;
	c->zt = zt;
	c->max_batch = max_batch ? max_batch : 1;
	c->sync_ms = sync_ms ? sync_ms : 1;
	if (store_open(db, &c->st, err, errlen))
		goto fail;
	store_set_sign_times(c->st, sign_validity, sign_refresh);
	/* checkpoint every ~40 MB of WAL, not SQLite's 4 MB: the hot pages
	 * (the journal's and the update log's tails, the zone's serial) are
	 * rewritten by every batch and copied back once per checkpoint (at
	 * 8 clients, 16% more updates/s than at the default) */
	if (store_checkpoint_every(c->st, CHECKPOINT_FRAMES))
		log_warn("committer: %s", store_errmsg(c->st));
	/* fsync on its own thread, so that the next batch runs meanwhile;
	 * if that cannot be set up, every commit syncs (slower, as safe) */
	if (store_defer_sync(c->st, &c->wal_fd) == 0) {
		int rc = pthread_create(&c->syncer, NULL, syncer_main, c);
		if (rc) {
			snprintf(err, errlen, "starting the syncer: %s", strerror(rc));
			goto fail;
		}
		c->syncer_started = true;
	} else {
		log_warn("committer: WAL syncs on the commit thread (%s)", store_errmsg(c->st));
	}
	int rc = pthread_create(&c->thread, NULL, committer_main, c);
	if (rc) {
		snprintf(err, errlen, "starting the committer: %s", strerror(rc));
		goto fail;
	}
	c->started = true;
	*out = c;
	return 0;
fail:
	store_close(c->st);
	c->st = NULL;
	commit_free(c);
	return DZ_EIO;
}

void commit_submit(committer_t *c, struct commit_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->stopping || c->sync_failed) {
		int rc = c->stopping ? DZ_ENOTSUP : DZ_EDB;
		pthread_mutex_unlock(&c->lock);
		job->done(job, rc);
		return;
	}
	*c->tail = job;
	c->tail = &job->next;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Let the syncer finish what it holds, and join it. */
static void stop_syncer(committer_t *c)
{
	if (!c->syncer_started)
		return;
	pthread_mutex_lock(&c->lock);
	c->sync_stopping = true;
	pthread_cond_signal(&c->sync_cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->syncer, NULL);
	c->syncer_started = false;
}

void commit_stop(committer_t *c)
{
	if (!c)
		return;
	if (!c->started) {
		stop_syncer(c);    /* commit_start failed after starting it */
		return;
	}
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	c->started = false;
	stop_syncer(c);
	store_close(c->st);
	c->st = NULL;
	log_debug("committer: %llu jobs in %llu transactions (largest %u), %llu failed, "
	          "%llu WAL syncs",
	          (unsigned long long)c->stats.jobs, (unsigned long long)c->stats.batches,
	          c->stats.largest, (unsigned long long)c->stats.failed,
	          (unsigned long long)c->stats.syncs);
}

void commit_free(committer_t *c)
{
	if (!c)
		return;
	commit_stop(c);
	if (c->wal_fd >= 0)
		close(c->wal_fd);
	pthread_cond_destroy(&c->sync_cond);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void commit_metrics(void *arg, textbuf_t *o)
{
	const committer_t *c = arg;
	metrics_histogram(o, "dynzone_commit_batch_jobs", "Jobs committed in one transaction",
	                  &c->batch_size, batch_bounds, NBOUNDS(batch_bounds), 1);
	metrics_histogram(o, "dynzone_commit_duration_seconds",
	                  "Time the committer worked on a batch, BEGIN to the zone table synced",
	                  &c->latency, latency_bounds, NBOUNDS(latency_bounds), 1000000);
}
