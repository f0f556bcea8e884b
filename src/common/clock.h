/* The one clock of the daemon's timers, limits and deadlines. */
#ifndef DZ_CLOCK_H
#define DZ_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic milliseconds (CLOCK_MONOTONIC; only differences mean
 * anything). */
uint64_t clock_ms(void);
/* Seconds from t0 to t1 (CLOCK_MONOTONIC readings), for logs. */
double clock_seconds(const struct timespec *t0, const struct timespec *t1);

#endif
