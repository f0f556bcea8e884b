/* Unit tests for the Prometheus text renderer (src/metrics/metrics.h):
 * HELP/TYPE lines, labelled samples, cumulative histogram buckets with
 * scaled bounds and sum, the sources in order, and a buffer too small
 * reported through the text buffer's sticky error. */
#include <string.h>

#include "proto/errors.h"
#include "src/metrics/metrics.h"
#include "tests/unit/tap.h"

static void src_a(void *arg, textbuf_t *o)
{
	metrics_counter(o, "a_total", "A things", *(uint64_t *)arg);
}

static void src_b(void *arg, textbuf_t *o)
{
	(void)arg;
	metrics_gauge(o, "b", "B now", 7);
}

int main(void)
{
	char buf[4096];
	textbuf_t o;

	textbuf_init(&o, buf, sizeof buf);
	metrics_family(&o, "q_total", "counter", "Queries");
	metrics_sample(&o, "q_total", "type=\"A\"", 3);
	metrics_sample(&o, "q_total", NULL, 4);
	is_str(buf, "# HELP q_total Queries\n# TYPE q_total counter\n"
	            "q_total{type=\"A\"} 3\nq_total 4\n", "family and samples");

	static const uint64_t b[] = { 1, 4, 16 };
	struct metrics_hist h;
	memset(&h, 0, sizeof h);
	metrics_hist_observe(&h, b, 3, 1);
	metrics_hist_observe(&h, b, 3, 3);
	metrics_hist_observe(&h, b, 3, 4);
	metrics_hist_observe(&h, b, 3, 100);
	textbuf_init(&o, buf, sizeof buf);
	metrics_histogram(&o, "n", "N", &h, b, 3, 1);
	is_str(buf, "# HELP n N\n# TYPE n histogram\nn_bucket{le=\"1\"} 1\n"
	            "n_bucket{le=\"4\"} 3\nn_bucket{le=\"16\"} 3\nn_bucket{le=\"+Inf\"} 4\n"
	            "n_sum 108\nn_count 4\n", "histogram buckets are cumulative, +Inf is the count");

	static const uint64_t us[] = { 250, 1000000 };
	memset(&h, 0, sizeof h);
	metrics_hist_observe(&h, us, 2, 1500);
	textbuf_init(&o, buf, sizeof buf);
	metrics_histogram(&o, "t_seconds", "T", &h, us, 2, 1000000);
	ok(strstr(buf, "t_seconds_bucket{le=\"0.000250\"} 0\n") &&
	   strstr(buf, "t_seconds_bucket{le=\"1.000000\"} 1\n") &&
	   strstr(buf, "t_seconds_sum 0.001500\n"), "microseconds shown as seconds");

	metrics_t m;
	uint64_t v = 5;
	metrics_init(&m);
	ok(!metrics_ready(&m), "a new registry is not ready");
	metrics_set_ready(&m, true);
	ok(metrics_ready(&m), "set ready");
	is_int(metrics_add(&m, src_b, NULL), 0, "add a source");
	is_int(metrics_add(&m, src_a, &v), 0, "add another");
	textbuf_init(&o, buf, sizeof buf);
	metrics_render(&m, &o);
	ok(o.err == 0 && strstr(buf, "# TYPE b gauge\nb 7\n") &&
	   strstr(buf, "a_total 5\n") > strstr(buf, "b 7\n"), "sources rendered in order");
	textbuf_init(&o, buf, 20);
	metrics_render(&m, &o);
	is_int(o.err, DZ_ESPACE, "too small a buffer: DZ_ESPACE");
	for (unsigned i = m.n; i < METRICS_SOURCES_MAX; i++)
		metrics_add(&m, src_b, NULL);
	is_int(metrics_add(&m, src_b, NULL), DZ_ELIMIT, "the source list is capped");
	return tap_done();
}
