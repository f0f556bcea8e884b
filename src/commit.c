/* The group committer. */
#include "src/commit.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "src/log.h"

struct committer {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool started, stopping, stopped;
	struct commit_job *head, **tail;   /* ready, in arrival order */
	struct commit_job *held;           /* waiting for not_before */
	store_t *st;
	ztable_t *zt;
	unsigned max_batch;
	struct commit_stats stats;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int sql(store_t *st, const char *q)
{
	sqlite3_stmt *s = store_stmt(st, q);
	if (!s)
		return DZ_EDB;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : DZ_EDB;
}

/* Run one batch (list linked by next) and call every done. */
static void run_batch(committer_t *c, struct commit_job *batch, unsigned n)
{
	int txn = store_begin(c->st);
	for (struct commit_job *j = batch; j; j = j->next) {
		if (txn) {
			j->rc = DZ_EDB;
			continue;
		}
		if (sql(c->st, "SAVEPOINT job")) {
			j->rc = DZ_EDB;
			continue;
		}
		j->rc = j->run(j, c->st);
		if (j->rc)
			sql(c->st, "ROLLBACK TO job");
		sql(c->st, "RELEASE job");
	}
	if (!txn && store_commit(c->st)) {
		log_err("update commit failed: %s", store_errmsg(c->st));
		txn = DZ_EDB;
	}
	if (txn) {
		for (struct commit_job *j = batch; j; j = j->next)
			j->rc = DZ_EDB;
	} else if (store_sync(c->st, c->zt, NULL)) {
		/* committed and durable; the daemon's follower applies it on
		 * its next tick */
		log_err("applying updates to the zone table: %s", store_errmsg(c->st));
	}
	pthread_mutex_lock(&c->lock);
	if (txn)
		c->stats.failed++;
	else
		c->stats.batches++;
	c->stats.jobs += n;
	if (n > c->stats.largest)
		c->stats.largest = n;
	pthread_mutex_unlock(&c->lock);
	while (batch) {
		struct commit_job *j = batch;
		batch = j->next;
		j->next = NULL;
		j->done(j, j->rc);
	}
}

static void *committer_main(void *arg)
{
	committer_t *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		uint64_t now = now_ms(), wake = 0;
		/* held jobs that are due (all of them when stopping) join the
		 * ready queue */
		for (struct commit_job **pp = &c->held; *pp;) {
			struct commit_job *j = *pp;
			if (c->stopping || j->not_before <= now) {
				*pp = j->next;
				j->next = NULL;
				*c->tail = j;
				c->tail = &j->next;
			} else {
				if (!wake || j->not_before < wake)
					wake = j->not_before;
				pp = &j->next;
			}
		}
		if (!c->head) {
			if (c->stopping)
				break;
			if (wake) {
				struct timespec ts;
				clock_gettime(CLOCK_MONOTONIC, &ts);
				uint64_t d = wake - now;
				ts.tv_sec += (time_t)(d / 1000);
				ts.tv_nsec += (long)(d % 1000) * 1000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
				pthread_cond_timedwait(&c->cond, &c->lock, &ts);
			} else {
				pthread_cond_wait(&c->cond, &c->lock);
			}
			continue;
		}
		/* take up to max_batch jobs */
		struct commit_job *batch = c->head, *last = c->head;
		unsigned n = 1;
		while (last->next && n < c->max_batch) {
			last = last->next;
			n++;
		}
		c->head = last->next;
		if (!c->head)
			c->tail = &c->head;
		last->next = NULL;
		pthread_mutex_unlock(&c->lock);
		run_batch(c, batch, n);
		pthread_mutex_lock(&c->lock);
	}
	c->stopped = true;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int commit_start(committer_t **out, const char *db, ztable_t *zt,
                 unsigned max_batch, char *err, size_t errlen)
{
	committer_t *c = calloc(1, sizeof *c);
	pthread_condattr_t ca;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	c->tail = &c->head;
	c->zt = zt;
	c->max_batch = max_batch ? max_batch : 1;
	if (store_open(db, &c->st, err, errlen))
		goto fail;
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
	if (c->stopping) {
		pthread_mutex_unlock(&c->lock);
		job->done(job, DZ_ENOTSUP);
		return;
	}
	if (job->not_before) {
		job->next = c->held;
		c->held = job;
	} else {
		*c->tail = job;
		c->tail = &job->next;
	}
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void commit_stop(committer_t *c)
{
	if (!c || !c->started)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	c->started = false;
	store_close(c->st);
	c->st = NULL;
	log_debug("committer: %llu jobs in %llu transactions (largest %u), %llu failed",
	          (unsigned long long)c->stats.jobs, (unsigned long long)c->stats.batches,
	          c->stats.largest, (unsigned long long)c->stats.failed);
}

void commit_free(committer_t *c)
{
	if (!c)
		return;
	commit_stop(c);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void commit_get_stats(committer_t *c, struct commit_stats *out)
{
	pthread_mutex_lock(&c->lock);
	*out = c->stats;
	pthread_mutex_unlock(&c->lock);
}
