/* The one clock of the daemon's timers, limits and deadlines. */
#ifndef DZ_CLOCK_H
#define DZ_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Monotonic milliseconds (CLOCK_MONOTONIC; only differences mean
 * anything). */
uint64_t clock_ms(void);
/* The same in microseconds. */
uint64_t clock_us(void);
/* Seconds from t0 to t1 (CLOCK_MONOTONIC readings), for logs. */
double clock_seconds(const struct timespec *t0, const struct timespec *t1);
/* Initialise a condition variable whose timed waits count on this clock
 * (so that setting the wall clock moves no deadline). */
void clock_cond_init(pthread_cond_t *cond);
/* Wait on cond (made by clock_cond_init; mu held) until clock_ms()
 * reaches `at`, or a signal.  Returns like pthread_cond_timedwait. */
int clock_cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *mu, uint64_t at);

#endif
