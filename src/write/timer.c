/* The timer thread. */
#include "src/write/timer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "src/common/clock.h"
#include "src/common/thread.h"

struct timers {
	pthread_mutex_t lock;
	pthread_cond_t cond;           /* on CLOCK_MONOTONIC */
	pthread_t thread;
	bool started, stopping;
	struct timer *armed;           /* by time, then by arming order */
};

static void *timer_main(void *arg)
{
	thread_name("dz-timer");
	timers_t *ts = arg;
	pthread_mutex_lock(&ts->lock);
	while (!ts->stopping) {
		struct timer *t = ts->armed;
		if (!t) {
			pthread_cond_wait(&ts->cond, &ts->lock);
			continue;
		}
		/* due once clock_ms() has passed `at`: clock_ms truncates, so
		 * a time armed as clock_ms() + d, reached exactly, could be up
		 * to a millisecond short of d */
		if (t->at >= clock_ms()) {
			clock_cond_wait_until(&ts->cond, &ts->lock, t->at + 1);
			continue;
		}
		ts->armed = t->next;
		t->next = NULL;
		pthread_mutex_unlock(&ts->lock);
		t->fire(t);
		pthread_mutex_lock(&ts->lock);
	}
	pthread_mutex_unlock(&ts->lock);
	return NULL;
}

int timer_start(timers_t **out, char *err, size_t errlen)
{
	timers_t *ts = calloc(1, sizeof *ts);
	if (!ts) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	pthread_mutex_init(&ts->lock, NULL);
	clock_cond_init(&ts->cond);
	int rc = pthread_create(&ts->thread, NULL, timer_main, ts);
	if (rc) {
		snprintf(err, errlen, "starting the timer thread: %s", strerror(rc));
		timer_free(ts);
		return DZ_EIO;
	}
	ts->started = true;
	*out = ts;
	return 0;
}

int timer_at(timers_t *ts, struct timer *t, uint64_t at)
{
	pthread_mutex_lock(&ts->lock);
	if (ts->stopping) {
		pthread_mutex_unlock(&ts->lock);
		return DZ_ENOTSUP;
	}
	t->at = at;
	struct timer **p = &ts->armed;
	while (*p && (*p)->at <= at)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	/* only a new earliest timer changes when the thread must wake */
	if (ts->armed == t)
		pthread_cond_signal(&ts->cond);
	pthread_mutex_unlock(&ts->lock);
	return 0;
}

void timer_stop(timers_t *ts)
{
	if (!ts)
		return;
	pthread_mutex_lock(&ts->lock);
	ts->stopping = true;
	pthread_cond_signal(&ts->cond);
	pthread_mutex_unlock(&ts->lock);
	if (ts->started) {
		pthread_join(ts->thread, NULL);
		ts->started = false;
	}
	/* nobody arms any more: fire what is left, in order, here */
	struct timer *list = ts->armed;
	ts->armed = NULL;
	while (list) {
		struct timer *t = list;
		list = t->next;
		t->next = NULL;
		t->fire(t);
	}
}

void timer_free(timers_t *ts)
{
	if (!ts)
		return;
	timer_stop(ts);
	pthread_cond_destroy(&ts->cond);
	pthread_mutex_destroy(&ts->lock);
	free(ts);
}
