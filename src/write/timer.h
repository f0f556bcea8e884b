/* Timers: "call this back at monotonic time T", for the whole daemon, on
 * one thread that `serve` owns.
 *
 * This is the one way to hold something for later: the failed-auth
 * slow-down of /nic/update, the held dashboard log-ins and the periodic
 * housekeeping all arm a timer here.  A timer is a small struct inside
 * whatever it holds (a request's job); waiting costs no thread, and a
 * held HTTP request stays suspended (http_suspend) until its timer fires
 * and hands it on.  Timers due at the same time fire in the order armed.
 *
 * A fire callback runs on the timer thread and must not block: it hands
 * the work on (commit_submit, a queue of workers) and returns. */
#ifndef DZ_TIMER_H
#define DZ_TIMER_H

#include <stddef.h>
#include <stdint.h>

typedef struct timers timers_t;

struct timer {
	/* Called once per timer_at, on the timer thread (or, from
	 * timer_stop, on the thread that stops them).  The timer belongs to
	 * its owner again from here on and may be armed again. */
	void (*fire)(struct timer *t);
	/* private */
	uint64_t at;
	struct timer *next;
};

/* Start the timer thread.  0, or DZ_ENOMEM/DZ_EIO with a message in err. */
int timer_start(timers_t **out, char *err, size_t errlen);
/* Arm t to fire at clock_ms() time `at` (any thread; a time already past
 * fires at once, on the timer thread): once clock_ms() has passed it, so
 * that `at` = clock_ms() + d fires no less than d ms after the call.  t
 * must stay valid and unarmed until it fires.  0, or DZ_ENOTSUP if the timers have stopped (t is then
 * not armed: the caller does the work at once or refuses it). */
int timer_at(timers_t *ts, struct timer *t, uint64_t at);
/* Fire every armed timer now, without waiting for its time, and stop the
 * thread; later timer_at calls get DZ_ENOTSUP.  Call before the services
 * that the callbacks hand work to stop.  NULL is a no-op. */
void timer_stop(timers_t *ts);
/* Free stopped timers (NULL: no-op). */
void timer_free(timers_t *ts);

#endif
