/* Housekeeping rounds on the committer. */
#include "src/write/housekeep.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "proto/errors.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/db/journal.h"
#include "src/db/signer.h"

struct task {
	housekeep_fn fn;
	void *arg;
};

struct housekeep {
	struct commit_job job;     /* first: the committer hands it back */
	struct timer tick;
	committer_t *cm;
	timers_t *ts;
	int64_t log_keep_s;
	uint64_t every_ms;         /* between rounds when not behind */
	atomic_bool stopping;
	bool behind;               /* committer thread, then its done */
	pthread_mutex_t lock;      /* tasks */
	struct task tasks[HOUSEKEEP_TASKS];
	unsigned ntasks;
};

/* The built-in task: old rows of the update log and the journal, a chunk
 * of each at a time. */
static int prune_logs(store_t *st, int64_t now, void *arg)
{
	housekeep_t *hk = arg;
	unsigned nlog = 0, njournal = 0;
	if (store_log_prune(st, STORE_LOG_UPDATES, now - hk->log_keep_s, HOUSEKEEP_CHUNK, &nlog) ||
	    store_log_prune(st, STORE_LOG_JOURNAL, now - HOUSEKEEP_JOURNAL_S, HOUSEKEEP_CHUNK,
	                    &njournal)) {
		log_warn("pruning the logs: %s", store_errmsg(st));
		return DZ_EDB;
	}
	return nlog == HOUSEKEEP_CHUNK || njournal == HOUSEKEEP_CHUNK;
}

/* The built-in DNSSEC task: re-sign the RRsets whose signatures expire
 * soonest, a chunk a round, so a zone signed at once is re-signed spread
 * over rounds and transactions (with the validity the committer's
 * connection was given at commit_start). */
static int resign(store_t *st, int64_t now, void *arg)
{
	(void)arg;
	unsigned n = 0;
	if (signer_refresh(st, now, HOUSEKEEP_RESIGN_CHUNK, &n)) {
		log_warn("re-signing: %s", store_errmsg(st));
		return DZ_EDB;
	}
	if (n)
		log_info("re-signed rrsets=%u", n);
	/* and a batch of a whole-zone signing a commit of ours or a command
	 * cut short left pending */
	unsigned names = 0;
	bool more = false;
	if (signer_continue(st, HOUSEKEEP_SIGN_NAMES, &names, &more)) {
		log_warn("signing: %s", store_errmsg(st));
		return DZ_EDB;
	}
	if (names)
		log_info("signed names=%u pending=%s", names, more ? "yes" : "no");
	return n == HOUSEKEEP_RESIGN_CHUNK || more;
}

static int round_run(struct commit_job *job, store_t *st)
{
	housekeep_t *hk = (housekeep_t *)job;
	int64_t now = (int64_t)time(NULL);
	hk->behind = false;
	pthread_mutex_lock(&hk->lock);
	for (unsigned i = 0; i < hk->ntasks; i++)
		if (hk->tasks[i].fn(st, now, hk->tasks[i].arg) > 0)
			hk->behind = true;
	pthread_mutex_unlock(&hk->lock);
	return 0;
}

/* The next round: at once while behind, else in a minute (syncer
 * thread).  Not after housekeep_stop or timer_stop. */
static void round_done(struct commit_job *job, int rc)
{
	housekeep_t *hk = (housekeep_t *)job;
	if (rc && rc != DZ_ENOTSUP)
		log_warn("housekeeping: %s", dz_strerror(rc));
	if (atomic_load(&hk->stopping) || rc == DZ_ENOTSUP)
		return;
	uint64_t now = clock_ms();
	timer_at(hk->ts, &hk->tick, hk->behind && !rc ? now : now + hk->every_ms);
}

/* Timer thread: submit the round (its done arms the next). */
static void round_due(struct timer *t)
{
	housekeep_t *hk = (housekeep_t *)((char *)t - offsetof(housekeep_t, tick));
	if (!atomic_load(&hk->stopping))
		commit_submit(hk->cm, &hk->job);
}

int housekeep_start(housekeep_t **out, const struct config *c, committer_t *cm,
                    timers_t *ts, char *err, size_t errlen)
{
	housekeep_t *hk = calloc(1, sizeof *hk);
	if (!hk) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	pthread_mutex_init(&hk->lock, NULL);
	hk->job.run = round_run;
	hk->job.done = round_done;
	hk->tick.fire = round_due;
	hk->cm = cm;
	hk->ts = ts;
	hk->log_keep_s = (int64_t)c->update_log_days * 86400;
	/* a round at least four times per refresh period: a signature is
	 * re-made well before it runs out, however short the validity */
	hk->every_ms = HOUSEKEEP_EVERY_MS;
	if ((uint64_t)c->dnssec_refresh * 1000 / 4 < hk->every_ms)
		hk->every_ms = (uint64_t)c->dnssec_refresh * 1000 / 4;
	housekeep_add(hk, prune_logs, hk);
	housekeep_add(hk, resign, NULL);
	if (timer_at(ts, &hk->tick, clock_ms())) {
		snprintf(err, errlen, "housekeeping: the timers have stopped");
		housekeep_free(hk);
		return DZ_ENOTSUP;
	}
	*out = hk;
	return 0;
}

int housekeep_add(housekeep_t *hk, housekeep_fn fn, void *arg)
{
	int rc = DZ_ELIMIT;
	pthread_mutex_lock(&hk->lock);
	if (hk->ntasks < HOUSEKEEP_TASKS) {
		hk->tasks[hk->ntasks++] = (struct task){ fn, arg };
		rc = 0;
	}
	pthread_mutex_unlock(&hk->lock);
	return rc;
}

void housekeep_stop(housekeep_t *hk)
{
	if (hk)
		atomic_store(&hk->stopping, true);
}

void housekeep_free(housekeep_t *hk)
{
	if (!hk)
		return;
	pthread_mutex_destroy(&hk->lock);
	free(hk);
}
