/* /metrics and /healthz. */
#include "src/http/status.h"

#include <stdio.h>
#include <stdlib.h>

#include "proto/errors.h"
#include "proto/textbuf.h"
#include "src/common/cidr.h"

struct status {
	const metrics_t *m;
	unsigned nallow;
	struct cidr allow[CONF_MAX_LIST];
};

/* False (and the 403 sent) for a client outside metrics-allow. */
static bool allowed(const status_t *s, http_req_t *rq)
{
	const struct sockaddr *sa = http_req_client(rq);
	for (unsigned i = 0; i < s->nallow; i++)
		if (cidr_match_sa(&s->allow[i], sa))
			return true;
	http_reply(rq, 403, "text/plain", "forbidden\n", 10, false);
	return false;
}

static void metrics_get(http_req_t *rq, void *arg)
{
	const status_t *s = arg;
	if (!allowed(s, rq))
		return;
	char *buf = malloc(STATUS_BODY_MAX);
	if (!buf) {
		http_reply(rq, 503, "text/plain", "out of memory\n", 14, true);
		return;
	}
	textbuf_t o;
	textbuf_init(&o, buf, STATUS_BODY_MAX);
	metrics_render(s->m, &o);
	if (o.err)
		http_reply(rq, 500, "text/plain", "metrics too large\n", 18, false);
	else
		http_reply(rq, 200, "text/plain; version=0.0.4; charset=utf-8", buf, o.len, false);
	free(buf);
}

static void healthz_get(http_req_t *rq, void *arg)
{
	const status_t *s = arg;
	if (!allowed(s, rq))
		return;
	http_reply_header(rq, "Cache-Control", "no-store");
	if (metrics_ready(s->m))
		http_reply(rq, 200, "text/plain", "ok\n", 3, false);
	else
		http_reply(rq, 503, "text/plain", "starting or stopping\n", 21, false);
}

int status_start(status_t **out, http_t *h, const struct config *c, const metrics_t *m,
                 char *err, size_t errlen)
{
	static const char *const loopback[] = { "127.0.0.0/8", "::1" };
	int rc = DZ_ENOMEM;
	status_t *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s)
		goto fail;
	s->m = m;
	for (unsigned i = 0; i < c->metrics_allow.n; i++) {
		if (cidr_parse(c->metrics_allow.s[i], &s->allow[s->nallow])) {
			snprintf(err, errlen, "%s:%u: metrics-allow '%s': not ADDRESS or ADDRESS/BITS",
			         c->file ? c->file : "command line", c->metrics_allow.line[i],
			         c->metrics_allow.s[i]);
			rc = DZ_EINVAL;
			goto fail;
		}
		s->nallow++;
	}
	for (unsigned i = 0; !c->metrics_allow.n && i < 2; i++)
		cidr_parse(loopback[i], &s->allow[s->nallow++]);
	struct http_route r[] = {
		{ "GET", "/metrics", metrics_get, s, 0 },
		{ "GET", "/healthz", healthz_get, s, 0 },
	};
	for (unsigned i = 0; i < 2; i++)
		if ((rc = http_route_add(h, &r[i]))) {
			snprintf(err, errlen, "metrics: too many HTTP routes");
			goto fail;
		}
	*out = s;
	return 0;
fail:
	free(s);
	return rc;
}

void status_free(status_t *s)
{
	free(s);
}
