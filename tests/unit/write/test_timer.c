/* Unit tests for the timer thread (src/write/timer.h): timers fire at
 * their time, in time order, on the timer thread; timer_stop fires what
 * is left at once; arming after the stop is refused. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "proto/errors.h"
#include "src/common/clock.h"
#include "src/write/timer.h"
#include "tests/unit/tap.h"

struct probe {
	struct timer t;
	uint64_t fired_at, fired_us;
	int order;
	pthread_t thread;
};

static atomic_int seq, fired;

/* fired is counted last, so a reader that saw it sees the probe's fields */
static void probe_fire(struct timer *t)
{
	struct probe *p = (struct probe *)((char *)t - offsetof(struct probe, t));
	p->fired_at = clock_ms();
	p->fired_us = clock_us();
	p->thread = pthread_self();
	p->order = atomic_fetch_add(&seq, 1) + 1;
	atomic_fetch_add(&fired, 1);
}

static void sleep_ms(long ms)
{
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&d, NULL);
}

/* Wait (up to 5 s) until n probes have fired. */
static void wait_fired(int n)
{
	for (int i = 0; i < 500 && atomic_load(&fired) < n; i++)
		sleep_ms(10);
}

int main(void)
{
	timers_t *ts = NULL;
	char err[128];
	struct probe a = { .t.fire = probe_fire }, b = { .t.fire = probe_fire },
	             c = { .t.fire = probe_fire }, d = { .t.fire = probe_fire },
	             e = { .t.fire = probe_fire };

	is_int(timer_start(&ts, err, sizeof err), 0, "the timer thread starts");
	uint64_t t0 = clock_ms();
	/* armed out of order: they fire by time */
	is_int(timer_at(ts, &b.t, t0 + 120), 0, "arm b at +120 ms");
	is_int(timer_at(ts, &a.t, t0 + 40), 0, "arm a at +40 ms");
	is_int(timer_at(ts, &c.t, t0), 0, "arm c now");
	wait_fired(3);
	is_int(atomic_load(&fired), 3, "all three fired");
	is_int(c.order, 1, "the one due now first");
	is_int(a.order, 2, "then +40");
	is_int(b.order, 3, "then +120");
	ok(a.fired_at >= t0 + 40, "a not before its time");
	ok(b.fired_at >= t0 + 120, "b not before its time");
	ok(!pthread_equal(a.thread, pthread_self()), "on the timer thread");

	/* a timer can be armed again once it fired */
	is_int(timer_at(ts, &a.t, clock_ms() + 10), 0, "a armed again");
	wait_fired(4);
	is_int(a.order, 4, "and fires again");

	/* stop: what is armed fires at once, on the stopping thread */
	uint64_t t1 = clock_ms();
	is_int(timer_at(ts, &d.t, t1 + 60000), 0, "arm d a minute ahead");
	is_int(timer_at(ts, &e.t, t1 + 30000), 0, "and e half a minute ahead");
	timer_stop(ts);
	is_int(atomic_load(&fired), 6, "timer_stop fires both");
	ok(e.order == 5 && d.order == 6, "in time order");
	ok(d.fired_at < t1 + 5000, "without waiting for their time");
	ok(pthread_equal(d.thread, pthread_self()), "on the thread that stops them");
	is_int(timer_at(ts, &a.t, clock_ms()), DZ_ENOTSUP, "arming after the stop is refused");
	timer_free(ts);

	/* a time made of clock_ms() + d (clock_ms truncates to the ms) never
	 * fires less than d after it was armed: a held request is held at
	 * least as long as it says; ten tries, each armed somewhere inside
	 * its millisecond */
	is_int(timer_start(&ts, err, sizeof err), 0, "a second timer thread starts");
	uint64_t least = UINT64_MAX;
	for (int i = 0; i < 10; i++) {
		struct probe f = { .t.fire = probe_fire };
		int before = atomic_load(&fired);
		uint64_t armed_us = clock_us();
		if (timer_at(ts, &f.t, clock_ms() + 5))
			break;
		wait_fired(before + 1);
		if (atomic_load(&fired) != before + 1)
			break;
		if (f.fired_us - armed_us < least)
			least = f.fired_us - armed_us;
		sleep_ms(1 + i % 3);
	}
	ok(least != UINT64_MAX && least >= 5000,
	   "armed at clock_ms() + 5: fired at least 5 ms later (shortest %llu us)",
	   (unsigned long long)least);
	timer_stop(ts);
	timer_free(ts);
	timer_free(NULL);
	timer_stop(NULL);
	return tap_done();
}
