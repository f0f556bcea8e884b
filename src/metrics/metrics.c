/* The Prometheus text format and the registry of sources. */
#include "src/metrics/metrics.h"

#include "proto/errors.h"

void metrics_family(textbuf_t *o, const char *name, const char *type, const char *help)
{
	textbuf_fmt(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_sample(textbuf_t *o, const char *name, const char *labels, uint64_t v)
{
	textbuf_str(o, name);
	if (labels) {
		textbuf_char(o, '{');
		textbuf_str(o, labels);
		textbuf_char(o, '}');
	}
	textbuf_char(o, ' ');
	textbuf_uint(o, v);
	textbuf_char(o, '\n');
}

void metrics_counter(textbuf_t *o, const char *name, const char *help, uint64_t v)
{
	metrics_family(o, name, "counter", help);
	metrics_sample(o, name, NULL, v);
}

void metrics_gauge(textbuf_t *o, const char *name, const char *help, uint64_t v)
{
	metrics_family(o, name, "gauge", help);
	metrics_sample(o, name, NULL, v);
}

void metrics_hist_observe(struct metrics_hist *h, const uint64_t *bounds, unsigned nb,
                          uint64_t v)
{
	unsigned i = 0;
	if (nb > METRICS_BUCKETS_MAX)
		nb = METRICS_BUCKETS_MAX;
	while (i < nb && v > bounds[i])
		i++;
	METRICS_INC(h->bucket[i]);
	__atomic_store_n(&h->sum, __atomic_load_n(&h->sum, __ATOMIC_RELAXED) + v,
	                 __ATOMIC_RELAXED);
	METRICS_INC(h->count);
}

/* A value in units shown divided by scale, exactly ("0.000250", "32"). */
static void scaled(textbuf_t *o, uint64_t v, uint64_t scale)
{
	textbuf_uint(o, v / scale);
	if (scale > 1) {
		unsigned digits = 0;
		for (uint64_t s = scale; s > 1; s /= 10)
			digits++;
		textbuf_fmt(o, ".%0*llu", (int)digits, (unsigned long long)(v % scale));
	}
}

void metrics_histogram(textbuf_t *o, const char *name, const char *help,
                       const struct metrics_hist *h, const uint64_t *bounds, unsigned nb,
                       uint64_t scale)
{
	uint64_t cum = 0;
	if (nb > METRICS_BUCKETS_MAX)
		nb = METRICS_BUCKETS_MAX;
	if (!scale)
		scale = 1;
	metrics_family(o, name, "histogram", help);
	for (unsigned i = 0; i <= nb; i++) {
		cum += METRICS_GET(h->bucket[i]);
		textbuf_fmt(o, "%s_bucket{le=\"", name);
		if (i < nb)
			scaled(o, bounds[i], scale);
		else
			textbuf_str(o, "+Inf");
		textbuf_str(o, "\"} ");
		textbuf_uint(o, cum);
		textbuf_char(o, '\n');
	}
	textbuf_fmt(o, "%s_sum ", name);
	scaled(o, METRICS_GET(h->sum), scale);
	textbuf_char(o, '\n');
	/* the count read last and at least the buckets' total, so a scrape
	 * racing the writer never shows _count below the +Inf bucket */
	uint64_t n = METRICS_GET(h->count);
	textbuf_fmt(o, "%s_count ", name);
	textbuf_uint(o, n > cum ? n : cum);
	textbuf_char(o, '\n');
}

void metrics_init(metrics_t *m)
{
	m->n = 0;
	m->ready = 0;
}

int metrics_add(metrics_t *m, metrics_fn fn, void *arg)
{
	if (m->n >= METRICS_SOURCES_MAX)
		return DZ_ELIMIT;
	m->src[m->n].fn = fn;
	m->src[m->n].arg = arg;
	m->n++;
	return 0;
}

void metrics_set_ready(metrics_t *m, bool ready)
{
	__atomic_store_n(&m->ready, ready ? 1 : 0, __ATOMIC_RELEASE);
}

bool metrics_ready(const metrics_t *m)
{
	return __atomic_load_n(&m->ready, __ATOMIC_ACQUIRE) != 0;
}

void metrics_render(const metrics_t *m, textbuf_t *o)
{
	for (unsigned i = 0; i < m->n; i++)
		m->src[i].fn(m->src[i].arg, o);
}
