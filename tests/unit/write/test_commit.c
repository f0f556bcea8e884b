/* Unit tests for src/write/commit.c, the group committer: the real
 * committer (its thread and its syncer) on a scratch store, with jobs
 * that write rows of a table of the test's own (ctest) or records of a
 * zone the test made.  Each test waits for what it needs with a deadline
 * (a lost done fails the test instead of hanging it).
 *
 * Batches are made deterministic with gates: a job whose run waits (it
 * holds the committer while others queue up), and a job whose done waits
 * (it holds the syncer, so the committer keeps its transaction open and
 * takes every job that arrives).  The batches are counted with the
 * committer's dynzone_commit_batch_jobs histogram (commit_metrics).
 *
 * Threads: main submits and checks; submitter threads (test 2) and a
 * stopper thread (test 5) only submit or stop; runs execute on the
 * committer thread, dones on the syncer (or, refused, on the submitter).
 * The done connection (`dconn`) is used by dones only, under `mu`. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <urcu/urcu-memb.h>

#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/db/load.h"
#include "src/db/zones.h"
#include "src/write/commit.h"
#include "tests/unit/db/dbtest.h"

#define WAIT_MS 10000       /* the longest any wait may take */
#define NTHREADS 8
#define PER_THREAD 200

enum { J_ROW, J_ROW_FAIL, J_GATE, J_REC, J_REC_FAIL, J_HOLD_DONE, J_NOP, J_ABORT };

struct tjob {
	struct commit_job job;
	int kind;
	int64_t key;                /* ctest row key, or record number */
	atomic_int ndone;           /* times done was called */
	atomic_int ran;             /* run has executed */
	int rc;                     /* done's rc (under mu) */
	int seen;                   /* done: the row, seen by another connection */
	int served;                 /* done: a J_REC's name in the zone table */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static unsigned ndone_total;      /* under mu */
static bool run_gate_open;        /* under mu: J_GATE's run may return */
static bool run_gate_in;          /* under mu: J_GATE's run is waiting */
static bool done_gate_open;       /* under mu: J_HOLD_DONE's done may return */
static bool done_gate_in;         /* under mu */
static store_t *dconn;            /* dones' own connection (under mu) */
static int64_t zone_id;
static ztable_t *zt;
static bool zt_has_now(int64_t n);

static struct timespec deadline(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += WAIT_MS / 1000;
	return ts;
}

/* Wait (under mu) until *flag, or the deadline: the flag. */
static bool wait_flag(bool *flag)
{
	struct timespec ts = deadline();
	while (!*flag)
		if (pthread_cond_timedwait(&cv, &mu, &ts))
			break;
	return *flag;
}

static void owner_of(int64_t n, uint8_t *out)
{
	char text[64];
	snprintf(text, sizeof text, "h%lld.ct.test", (long long)n);
	dbt_name(text, out);
}

static int add_record(store_t *st, int64_t n)
{
	uint8_t owner[DNAME_MAX];
	uint8_t rd[4] = { 192, 0, 2, (uint8_t)n };
	owner_of(n, owner);
	struct store_rr rr = { .zone_id = zone_id, .owner = owner, .type = RR_A, .ttl = 60,
	                       .rdata = rd, .rdlen = 4, .loc = "" };
	return store_record_add(st, &rr);
}

static long long row_count(store_t *st, int64_t key)
{
	sqlite3_stmt *s = STORE_PREP(st, "SELECT count(*) FROM ctest WHERE k = ?1", key);
	long long n = s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	if (s)
		sqlite3_reset(s);
	return n;
}

static long long rec_count(store_t *st, int64_t n)
{
	uint8_t owner[DNAME_MAX];
	owner_of(n, owner);
	return store_record_count(st, zone_id, owner, RR_A, false);
}

/* A progress handler that interrupts the statement (J_ABORT). */
static int interrupt_now(void *arg)
{
	(void)arg;
	return 1;
}

/* Committer thread, in the batch's transaction. */
static int job_run(struct commit_job *job, store_t *st)
{
	struct tjob *t = (struct tjob *)job;
	int rc = 0;
	switch (t->kind) {
	case J_ROW:
	case J_HOLD_DONE:
		rc = store_run(st, "INSERT INTO ctest(k) VALUES (?1)", t->key, 0);
		break;
	case J_ROW_FAIL:
		rc = store_run(st, "INSERT INTO ctest(k) VALUES (?1)", t->key, 0);
		rc = rc ? rc : DZ_EINVAL;
		break;
	case J_GATE:
		pthread_mutex_lock(&mu);
		run_gate_in = true;
		pthread_cond_broadcast(&cv);
		wait_flag(&run_gate_open);
		pthread_mutex_unlock(&mu);
		break;
	case J_REC:
		rc = add_record(st, t->key);
		break;
	case J_REC_FAIL:
		rc = store_run(st, "INSERT INTO ctest(k) VALUES (?1)", t->key, 0);
		rc = rc ? rc : add_record(st, t->key);
		rc = rc ? rc : DZ_ELIMIT;
		break;
	case J_ABORT:
		/* an INSERT interrupted in an explicit transaction rolls
		 * the whole transaction back, as SQLITE_FULL, SQLITE_IOERR
		 * or SQLITE_NOMEM may */
		sqlite3_progress_handler(store_db(st), 1, interrupt_now, NULL);
		rc = add_record(st, t->key);
		sqlite3_progress_handler(store_db(st), 0, NULL, NULL);
		rc = rc ? rc : DZ_EINVAL;
		break;
	default:
		break;
	}
	atomic_store(&t->ran, 1);
	return rc;
}

/* The syncer thread (or the submitter, when refused). */
static void job_done(struct commit_job *job, int rc)
{
	struct tjob *t = (struct tjob *)job;
	pthread_mutex_lock(&mu);
	t->rc = rc;
	if (rc == 0 && (t->kind == J_ROW || t->kind == J_HOLD_DONE))
		t->seen = row_count(dconn, t->key) == 1;
	else if (rc == 0 && t->kind == J_REC) {
		t->seen = rec_count(dconn, t->key) == 1;
		t->served = zt_has_now(t->key);
	}
	if (t->kind == J_HOLD_DONE) {
		done_gate_in = true;
		pthread_cond_broadcast(&cv);
		wait_flag(&done_gate_open);
	}
	atomic_fetch_add(&t->ndone, 1);
	ndone_total++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void tjob_init(struct tjob *t, int kind, int64_t key)
{
	memset(t, 0, sizeof *t);
	t->job.run = job_run;
	t->job.done = job_done;
	t->kind = kind;
	t->key = key;
	t->rc = 1;     /* not a DZ_* code: "done not called" */
}

/* Wait until `n` dones in all have been called. */
static bool wait_total(unsigned n)
{
	struct timespec ts = deadline();
	pthread_mutex_lock(&mu);
	while (ndone_total < n)
		if (pthread_cond_timedwait(&cv, &mu, &ts))
			break;
	bool got = ndone_total >= n;
	pthread_mutex_unlock(&mu);
	return got;
}

static void wait_ran(struct tjob *t)
{
	for (int i = 0; i < WAIT_MS && !atomic_load(&t->ran); i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
}

static unsigned submitted;        /* main thread's count of jobs submitted */

static void submit(committer_t *c, struct tjob *t)
{
	submitted++;
	commit_submit(c, &t->job);
}

/* Submit a J_GATE job and wait until its run holds the committer. */
static void gate_close(committer_t *c, struct tjob *g)
{
	tjob_init(g, J_GATE, 0);
	pthread_mutex_lock(&mu);
	run_gate_open = false;
	run_gate_in = false;
	pthread_mutex_unlock(&mu);
	submit(c, g);
	pthread_mutex_lock(&mu);
	wait_flag(&run_gate_in);
	pthread_mutex_unlock(&mu);
}

static void gate_open(void)
{
	pthread_mutex_lock(&mu);
	run_gate_open = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/* Queue jobs (kinds[i], keys[i]) behind a gate, so that the committer
 * takes them together once it opens, and wait for every done. */
static bool gated(committer_t *c, struct tjob *jobs, int n, const int *kinds,
                  const int64_t *keys)
{
	struct tjob g;
	gate_close(c, &g);
	for (int i = 0; i < n; i++) {
		tjob_init(&jobs[i], kinds[i], keys[i]);
		submit(c, &jobs[i]);
	}
	gate_open();
	return wait_total(submitted);
}

/* The batch histogram: transactions (_count) and jobs in them (_sum). */
struct hist { unsigned long long count, sum, le4; };

static unsigned long long metric(const char *text, const char *name)
{
	const char *p = strstr(text, name);
	return p ? strtoull(p + strlen(name), NULL, 10) : ~0ULL;
}

static struct hist hist(committer_t *c)
{
	static char buf[8192];
	textbuf_t o;
	textbuf_init(&o, buf, sizeof buf);
	commit_metrics(c, &o);
	return (struct hist){ metric(buf, "dynzone_commit_batch_jobs_count "),
	                      metric(buf, "dynzone_commit_batch_jobs_sum "),
	                      metric(buf, "dynzone_commit_batch_jobs_bucket{le=\"4\"} ") };
}

static bool zt_has(int64_t n)
{
	uint8_t owner[DNAME_MAX];
	owner_of(n, owner);
	urcu_memb_read_lock();
	bool has = zt_lookup(zt, (uint32_t)zone_id, owner, dname_len(owner, DNAME_MAX)) != NULL;
	urcu_memb_read_unlock();
	return has;
}

/* zt_has from a thread that is not an RCU reader (the syncer): as one
 * for the lookup.  Not under the table's writer lock, which would wait
 * for an apply in progress. */
static bool zt_has_now(int64_t n)
{
	zt_thread_register();
	bool has = zt_has(n);
	zt_thread_unregister();
	return has;
}

/* A zone table serial hook that makes the apply slow (a test may block
 * in it; the server's must not). */
static void slow_serial_hook(void *arg, uint32_t zone)
{
	(void)arg;
	(void)zone;
	nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
}

/* 1 and 6: one job at a time (an idle committer): done once, with run's
 * rc, its row visible to another connection and its name in the zone
 * table by then (sync-interval is an hour: only the batch's own sync can
 * have put it there). */
static void test_single(committer_t *c, store_t *rd)
{
	struct tjob a, r, dup;
	tjob_init(&a, J_ROW, 1);
	submit(c, &a);
	ok(wait_total(submitted), "a row job is done");
	is_int(atomic_load(&a.ndone), 1, "its done was called once");
	is_int(a.rc, 0, "with run's rc 0");
	ok(a.seen, "its row was visible to another connection when done was called");

	ok(!zt_has(1), "h1.ct.test is not in the zone table before the job");
	tjob_init(&r, J_REC, 1);
	submit(c, &r);
	ok(wait_total(submitted), "a record job is done");
	is_int(r.rc, 0, "with rc 0");
	ok(r.seen, "its record was visible to another connection when done was called");
	ok(r.served, "when its done was called, the zone table had the name it added");
	ok(zt_has(1), "after its done, the zone table has the name it added");

	/* the table is applied while the syncer's fdatasync runs: a slow
	 * apply (a serial hook that takes 50 ms, far longer than a sync)
	 * must still come before the done */
	struct tjob slow;
	tjob_init(&slow, J_REC, 90);
	zt->serial_changed = slow_serial_hook;
	submit(c, &slow);
	ok(wait_total(submitted), "a record job with a slow zone table apply is done");
	is_int(slow.rc, 0, "with rc 0");
	ok(slow.served, "its name was in the zone table when its done was called");
	zt->serial_changed = NULL;

	tjob_init(&dup, J_REC, 1);
	submit(c, &dup);
	ok(wait_total(submitted), "the same record again is done");
	is_int(dup.rc, DZ_EEXIST, "with run's own rc (DZ_EEXIST)");
	is_int(atomic_load(&dup.ndone), 1, "once");
	is_int(rec_count(rd, 1), 1, "the record is there once");
}

/* 4: a failing job alone on an idle committer (no savepoint: the whole
 * transaction is rolled back) leaves no row, record, journal row or
 * serial bump behind. */
static void test_alone_fail(committer_t *c, store_t *rd)
{
	struct store_zone z0, z1;
	struct tjob f;
	int zrc = store_zone_get(rd, zone_id, &z0);
	long long j0 = dbt_one(rd, "SELECT max(id) FROM journal");
	struct hist h0 = hist(c);
	tjob_init(&f, J_REC_FAIL, 2);
	submit(c, &f);
	ok(wait_total(submitted), "a failing job alone is done");
	struct hist h1 = hist(c);
	is_int(f.rc, DZ_ELIMIT, "its done gets run's rc");
	ok(h1.count - h0.count == 1 && h1.sum - h0.sum == 1, "it was alone in its transaction");
	is_int(row_count(rd, 2), 0, "its row is not there");
	is_int(rec_count(rd, 2), 0, "its record is not there");
	is_int(dbt_one(rd, "SELECT max(id) FROM journal"), j0, "no journal row was left");
	ok(zrc == 0 && store_zone_get(rd, zone_id, &z1) == 0 && z1.soa.serial == z0.soa.serial,
	   "the zone's serial was not bumped");
	ok(!zt_has(2), "the zone table does not have its name");
}

/* 3: a failing job between two others, in one transaction (a gate holds
 * the committer while they queue): only its writes are undone. */
static void test_batch_fail(committer_t *c, store_t *rd)
{
	struct tjob j[3];
	const struct tjob *a = &j[0], *b = &j[1], *d = &j[2];
	struct hist h0 = hist(c);
	bool fin = gated(c, j, 3, (const int[]){ J_ROW, J_REC_FAIL, J_REC },
	                 (const int64_t[]){ 10, 11, 12 });
	ok(fin, "gate + three jobs done");
	struct hist h1 = hist(c);
	is_int(h1.count - h0.count, 2, "two transactions: the gate's, then one for the three");
	is_int(h1.sum - h0.sum, 4, "four jobs in them");
	is_int(a->rc, 0, "the first job's done: 0");
	is_int(b->rc, DZ_ELIMIT, "the failing job's done: its own rc");
	is_int(d->rc, 0, "the third job's done: 0");
	is_int(row_count(rd, 10), 1, "the first job's row is there");
	is_int(row_count(rd, 11), 0, "the failing job's row is not");
	is_int(rec_count(rd, 11), 0, "nor its record");
	is_int(rec_count(rd, 12), 1, "the third job's record is there");
	ok(!zt_has(11) && zt_has(12), "the zone table has the third job's name, not the failed one's");
}

/* The new path: while the syncer is busy (here: held in a done), the
 * committer keeps one transaction open and runs each job as it arrives,
 * committing them together once the syncer is free. */
static void test_open_batch(committer_t *c, store_t *rd)
{
	struct tjob hold, j2, j3, j4, j5;
	struct hist h0 = hist(c);
	pthread_mutex_lock(&mu);
	done_gate_open = false;
	done_gate_in = false;
	pthread_mutex_unlock(&mu);
	tjob_init(&hold, J_HOLD_DONE, 20);
	submit(c, &hold);
	pthread_mutex_lock(&mu);
	bool held = wait_flag(&done_gate_in);
	pthread_mutex_unlock(&mu);
	ok(held, "the syncer is held in a done");
	/* the syncer is free of fdatasyncs but held: j2 is committed alone
	 * and waits in its queue, which makes the syncer busy */
	tjob_init(&j2, J_ROW, 21);
	submit(c, &j2);
	wait_ran(&j2);
	tjob_init(&j3, J_ROW, 23);
	tjob_init(&j4, J_ROW_FAIL, 24);
	tjob_init(&j5, J_REC, 25);
	submit(c, &j3);
	wait_ran(&j3);
	submit(c, &j4);
	wait_ran(&j4);
	submit(c, &j5);
	wait_ran(&j5);
	ok(atomic_load(&j3.ran) && atomic_load(&j4.ran) && atomic_load(&j5.ran),
	   "three jobs submitted one after the other all ran");
	/* j2's COMMIT may still be under way when its run has returned */
	for (int i = 0; i < WAIT_MS && row_count(rd, 21) != 1; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	is_int(row_count(rd, 21), 1, "the job before them is committed");
	ok(row_count(rd, 23) == 0 && rec_count(rd, 25) == 0,
	   "theirs are not: one transaction is still open");
	pthread_mutex_lock(&mu);
	int pending = atomic_load(&j2.ndone) + atomic_load(&j3.ndone) + atomic_load(&j5.ndone);
	done_gate_open = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	is_int(pending, 0, "none of their dones was called while the syncer was held");
	ok(wait_total(submitted), "all done once the syncer is free");
	struct hist h1 = hist(c);
	is_int(h1.count - h0.count, 3, "three transactions: the held job's, the next one's, "
	       "and one for the three that arrived meanwhile");
	is_int(h1.sum - h0.sum, 5, "five jobs in them");
	ok(hold.rc == 0 && j2.rc == 0 && j3.rc == 0 && j5.rc == 0, "the others' dones get 0");
	is_int(j4.rc, DZ_EINVAL, "the failing one's done gets its rc");
	ok(j3.seen && j5.seen, "their writes were visible to another connection by their done");
	ok(row_count(rd, 23) == 1 && row_count(rd, 24) == 0 && rec_count(rd, 25) == 1,
	   "the failing job alone was undone in the shared transaction");
	ok(zt_has(25), "the zone table has the name added in the shared transaction");
}

/* Defect "a batch SQLite rolled back by itself is half committed": when
 * SQLite rolls the group transaction back in the middle of a batch (here
 * an interrupted INSERT; in production SQLITE_FULL, SQLITE_IOERR or
 * SQLITE_NOMEM may), store_job_end's ROLLBACK TO and RELEASE failed
 * unseen, the next job's SAVEPOINT opened a transaction of its own and its
 * RELEASE committed it, then the COMMIT failed and every done got DZ_EDB,
 * including the later job whose record was now stored, and the zone table
 * did not serve it.  Now the whole batch fails: every done says so and
 * nothing of it is stored or served. */
static void test_sqlite_abort(committer_t *c, store_t *rd)
{
	struct tjob j[3];
	bool fin = gated(c, j, 3, (const int[]){ J_REC, J_ABORT, J_REC },
	                 (const int64_t[]){ 81, 83, 82 });
	ok(fin, "a batch SQLite rolled back midway is done");
	long long na = rec_count(rd, 81), nd = rec_count(rd, 82);
	printf("# dones: %d %d %d; records in the store: %lld %lld; in the zone table: %d %d\n",
	       j[0].rc, j[1].rc, j[2].rc, na, nd, zt_has(81), zt_has(82));
	ok((j[0].rc == 0) == (na == 1), "the job before it: done says 0 iff its record is stored");
	ok((j[2].rc == 0) == (nd == 1), "the job after it: done says 0 iff its record is stored");
	ok(zt_has(81) == (na == 1) && zt_has(82) == (nd == 1),
	   "the zone table serves what the store holds");
}

/* 2: many jobs at once from several threads. */
struct submitter {
	committer_t *c;
	struct tjob *jobs;
};

static void *submitter_main(void *arg)
{
	struct submitter *s = arg;
	for (int i = 0; i < PER_THREAD; i++)
		commit_submit(s->c, &s->jobs[i].job);
	return NULL;
}

static void test_many(committer_t *c, store_t *rd)
{
	enum { N = NTHREADS * PER_THREAD };
	struct tjob *jobs = calloc(N, sizeof *jobs);
	pthread_t th[NTHREADS];
	struct submitter s[NTHREADS];
	struct tjob g;
	if (!jobs) {
		ok(0, "out of memory");
		return;
	}
	for (int i = 0; i < N; i++)
		tjob_init(&jobs[i], J_ROW, 1000 + i);
	struct hist h0 = hist(c);
	long long rows0 = dbt_one(rd, "SELECT count(*) FROM ctest");
	/* first without a gate: the committer takes them as they come */
	int started = 0;
	for (int t = 0; t < NTHREADS; t++) {
		s[t] = (struct submitter){ c, jobs + t * PER_THREAD };
		if (pthread_create(&th[t], NULL, submitter_main, &s[t]) == 0)
			started++;
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	is_int(started, NTHREADS, "submitter threads started");
	submitted += N;
	ok(wait_total(submitted), "%d jobs from %d threads all done", N, NTHREADS);
	struct hist h1 = hist(c);
	int once = 0, zero = 0, seen = 0;
	for (int i = 0; i < N; i++) {
		once += atomic_load(&jobs[i].ndone) == 1;
		zero += jobs[i].rc == 0;
		seen += jobs[i].seen;
	}
	is_int(once, N, "every done called exactly once");
	is_int(zero, N, "every one with rc 0");
	is_int(seen, N, "each after its row was visible to another connection");
	is_int(dbt_one(rd, "SELECT count(*) FROM ctest") - rows0, N, "no row lost");
	is_int(h1.sum - h0.sum, N, "the batches hold every job once");
	ok(h1.count - h0.count < N, "in fewer transactions (%llu) than jobs",
	   h1.count - h0.count);

	/* then with the committer held until all are queued: exactly one
	 * transaction per max_batch (512) */
	for (int i = 0; i < N; i++)
		tjob_init(&jobs[i], J_ROW, 10000 + i);
	h0 = hist(c);
	gate_close(c, &g);
	started = 0;
	for (int t = 0; t < NTHREADS; t++)
		if (pthread_create(&th[t], NULL, submitter_main, &s[t]) == 0)
			started++;
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	submitted += N;
	gate_open();
	ok(wait_total(submitted), "%d queued jobs all done", N);
	h1 = hist(c);
	is_int(h1.count - h0.count, 1 + (N + COMMIT_MAX_BATCH - 1) / COMMIT_MAX_BATCH,
	       "the gate's transaction, then %d jobs in batches of max_batch", N);
	is_int(h1.sum - h0.sum, N + 1, "holding every job once");
	once = 0;
	for (int i = 0; i < N; i++)
		once += atomic_load(&jobs[i].ndone) == 1 && jobs[i].rc == 0 && jobs[i].seen;
	is_int(once, N, "each done once, with 0, after its row was visible");
	is_int(dbt_one(rd, "SELECT count(*) FROM ctest WHERE k >= 10000"), N, "no row lost");
	free(jobs);
}

/* 5: commit_stop with jobs queued behind a gate finishes them all; a
 * submit during and after the stop is refused with DZ_ENOTSUP. */
static committer_t *stop_c;

static void *stopper_main(void *arg)
{
	(void)arg;
	commit_stop(stop_c);
	return NULL;
}

static void test_stop(committer_t *c, store_t *rd)
{
	enum { NQ = 50, NPROBE = 4000 };
	static struct tjob q[NQ], probe[NPROBE];
	struct tjob g, late;
	pthread_t th;
	gate_close(c, &g);
	for (int i = 0; i < NQ; i++) {
		tjob_init(&q[i], J_ROW, 50000 + i);
		submit(c, &q[i]);
	}
	stop_c = c;
	if (pthread_create(&th, NULL, stopper_main, NULL)) {
		ok(0, "stopper thread");
		gate_open();
		return;
	}
	/* probe until the committer is stopping: a refused probe's done
	 * runs at once, on this thread; the others queue behind the gate */
	int np = 0;
	bool refused = false;
	while (np < NPROBE && !refused) {
		tjob_init(&probe[np], J_NOP, 0);
		submit(c, &probe[np]);
		refused = atomic_load(&probe[np].ndone) == 1;
		np++;
		if (!refused)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	ok(refused, "a submit while stopping is refused (after %d probes)", np);
	is_int(probe[np - 1].rc, DZ_ENOTSUP, "with DZ_ENOTSUP");
	gate_open();
	pthread_join(th, NULL);
	ok(wait_total(submitted), "commit_stop returned with every done called");
	int fine = 0;
	for (int i = 0; i < NQ; i++)
		fine += atomic_load(&q[i].ndone) == 1 && q[i].rc == 0 && q[i].seen;
	is_int(fine, NQ, "the jobs queued at stop were all run, committed and done once");
	is_int(dbt_one(rd, "SELECT count(*) FROM ctest WHERE k >= 50000"), NQ, "their rows are there");
	fine = 0;
	for (int i = 0; i < np - 1; i++)
		fine += atomic_load(&probe[i].ndone) == 1 && probe[i].rc == 0;
	is_int(fine, np - 1, "the probes queued before the stop were finished too");
	tjob_init(&late, J_ROW, 60000);
	submit(c, &late);
	ok(atomic_load(&late.ndone) == 1 && late.rc == DZ_ENOTSUP,
	   "a submit after commit_stop: done at once with DZ_ENOTSUP");
	is_int(row_count(rd, 60000), 0, "and it did not run");
}

/* max_batch caps a batch: 20 queued jobs with max_batch 4. */
static void test_max_batch(const char *db)
{
	char err[256] = "";
	committer_t *c = NULL;
	struct tjob jobs[20];
	int kinds[20];
	int64_t keys[20];
	for (int i = 0; i < 20; i++) {
		kinds[i] = J_ROW;
		keys[i] = 70000 + i;
	}
	if (commit_start(&c, db, zt, 4, 3600000, 0, 0, err, sizeof err)) {
		ok(0, "commit_start with max_batch 4: %s", err);
		return;
	}
	struct hist h0 = hist(c);
	bool fin = gated(c, jobs, 20, kinds, keys);
	ok(fin, "max_batch 4: 20 queued jobs done");
	struct hist h1 = hist(c);
	is_int(h1.count - h0.count, 6, "in six transactions (the gate's, then five of four)");
	is_int(h1.le4 - h0.le4, 6, "none larger than four jobs");
	commit_free(c);
}

static int setup(store_t *st, void *arg)
{
	(void)arg;
	uint8_t a[DNAME_MAX], ns[DNAME_MAX];
	struct zsoa soa;
	if (store_exec(st, "CREATE TABLE ctest(k INTEGER PRIMARY KEY)"))
		return DZ_EDB;
	store_zone_soa_defaults(&soa, dbt_name("ct.test", a), dbt_name("ns.ct.test", ns), 3600, 100);
	return store_zone_add(st, a, &soa, STORE_ZONE_HOST_TTL, &zone_id);
}

int main(void)
{
	char db[128], err[256] = "";
	store_t *rd = NULL;
	committer_t *c = NULL;
	/* a line at a time: the checks before a crash or a hang still show */
	setvbuf(stdout, NULL, _IOLBF, 0);
	tmpdb_path("commit", db, sizeof db);
	zt_thread_register();
	zt = zt_new();
	if (store_open(db, &rd, err, sizeof err) || store_open(db, &dconn, err, sizeof err)) {
		ok(0, "open the scratch store: %s", err);
		goto out;
	}
	is_int(store_txn(rd, setup, NULL), 0, "a table and a zone");
	int lrc = zt ? store_load(rd, zt) : DZ_ENOMEM;   /* ok() evaluates twice */
	is_int(lrc, 0, "the zone table loaded");
	/* sync-interval of an hour: the idle look never runs during the test */
	if (commit_start(&c, db, zt, COMMIT_MAX_BATCH, 3600000, 0, 0, err, sizeof err)) {
		ok(0, "commit_start: %s", err);
		goto out;
	}
	test_single(c, rd);
	test_alone_fail(c, rd);
	test_batch_fail(c, rd);
	test_open_batch(c, rd);
	test_sqlite_abort(c, rd);
	test_many(c, rd);
	test_stop(c, rd);
	commit_free(c);
	test_max_batch(db);
out:
	store_close(dconn);
	store_close(rd);
	zt_free(zt);
	zt_thread_unregister();
	tmpdb_remove(db);
	return tap_done();
}
