/* Metrics in the Prometheus text exposition format (version 0.0.4), and
 * the registry of the services that have numbers to show.
 *
 * Why a folder of its own, at the bottom beside common/: every level has
 * numbers (the committer in write/, the zone table, the DNS and HTTP
 * services), and each adds them itself through one small function
 * (`dns_metrics`, `commit_metrics`, ...) that writes with the calls
 * below.  This module owns the format (names, HELP/TYPE lines, labels,
 * cumulative histogram buckets); the services own their counters; the
 * HTTP side (src/http/status.c) only serves the text.  It includes
 * nothing from src/ but common/, so any folder may use it.
 *
 * Counting without locks.  A counter has one writer thread (a DNS worker
 * its own struct answer_stats, the TCP thread its connection counts, the
 * committer its histograms): METRICS_INC is a relaxed load and store, a
 * plain increment in the machine code (no lock prefix, no fence), and the
 * scrape reads with METRICS_GET from another thread; relaxed atomics
 * only make that read well defined (no torn values, no data race for
 * ThreadSanitizer).  A counter with several writers (HTTP threads, the
 * syncer) uses METRICS_ADD, an atomic add; none is on the query path. */
#ifndef DZ_METRICS_H
#define DZ_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/textbuf.h"

#define METRICS_INC(x) \
	__atomic_store_n(&(x), __atomic_load_n(&(x), __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED)
#define METRICS_ADD(x, n) ((void)__atomic_fetch_add(&(x), (n), __ATOMIC_RELAXED))
#define METRICS_GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* Start a metric family: its # HELP and # TYPE lines.  type: "counter",
 * "gauge" or "histogram".  Names and help are the caller's constants. */
void metrics_family(textbuf_t *o, const char *name, const char *type, const char *help);
/* One sample of the current family: name{labels} v.  labels is the text
 * between the braces (`type="A"`, constants only) or NULL. */
void metrics_sample(textbuf_t *o, const char *name, const char *labels, uint64_t v);
/* A family with one sample. */
void metrics_counter(textbuf_t *o, const char *name, const char *help, uint64_t v);
void metrics_gauge(textbuf_t *o, const char *name, const char *help, uint64_t v);

/* A histogram with one writer thread: counts per bucket (not yet
 * cumulative), the sum of observed values in integer units, and the count.
 * bounds[] are the upper bounds in the same units, ascending; the last
 * bucket (+Inf) is implicit. */
#define METRICS_BUCKETS_MAX 16
struct metrics_hist {
	uint64_t bucket[METRICS_BUCKETS_MAX + 1];
	uint64_t sum, count;
};
/* Observe v (the single writer thread only). */
void metrics_hist_observe(struct metrics_hist *h, const uint64_t *bounds, unsigned nb,
                          uint64_t v);
/* Render it: le and _sum are the units divided by `scale` (1 for counts,
 * 1000000 for microseconds shown as seconds). */
void metrics_histogram(textbuf_t *o, const char *name, const char *help,
                       const struct metrics_hist *h, const uint64_t *bounds, unsigned nb,
                       uint64_t scale);

/* The registry: the functions that add their numbers to a scrape, and
 * whether the server is ready (for /healthz).  Created by serve, which
 * adds a source for each service it starts (before the HTTP server
 * starts: the list is not locked) and sets it ready once everything
 * runs. */
typedef void (*metrics_fn)(void *arg, textbuf_t *o);
#define METRICS_SOURCES_MAX 16
typedef struct metrics {
	struct { metrics_fn fn; void *arg; } src[METRICS_SOURCES_MAX];
	unsigned n;
	int ready;   /* METRICS_GET/metrics_set_ready */
} metrics_t;

/* An empty registry, not ready. */
void metrics_init(metrics_t *m);
/* Add a source (before the scrapes begin).  0 or DZ_ELIMIT. */
int metrics_add(metrics_t *m, metrics_fn fn, void *arg);
/* Ready or not (any thread). */
void metrics_set_ready(metrics_t *m, bool ready);
bool metrics_ready(const metrics_t *m);
/* Render every source into o, in the order added (any thread; the
 * sources read their counters with METRICS_GET).  o->err says whether it
 * all fit. */
void metrics_render(const metrics_t *m, textbuf_t *o);

#endif
