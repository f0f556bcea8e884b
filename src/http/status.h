/* GET /metrics (Prometheus text format, src/metrics/metrics.h) and GET
 * /healthz (200 "ok" once the zones are loaded and every service runs,
 * 503 while starting or stopping) on every HTTP listener.
 *
 * Both answer only clients inside a metrics-allow prefix (by default
 * loopback: 127.0.0.0/8 and ::1), others get 403.  The client is the one
 * http_req_client names (behind a trusted-proxy, the forwarded address).
 * A scrape runs on an HTTP pool thread: it renders into a buffer of
 * STATUS_BODY_MAX bytes, reads every counter with a relaxed load, and
 * takes no lock that the DNS threads or the committer take. */
#ifndef DZ_STATUS_H
#define DZ_STATUS_H

#include <stddef.h>

#include "src/common/config.h"
#include "src/http/http.h"
#include "src/metrics/metrics.h"

#define STATUS_BODY_MAX (256 * 1024)

typedef struct status status_t;

/* Parse metrics-allow and add the two routes to h (before http_start).
 * m (the sources and the ready flag) must outlive the server.  0, or
 * DZ_EINVAL (a bad metrics-allow value, named in err) or DZ_ENOMEM. */
int status_start(status_t **out, http_t *h, const struct config *c, const metrics_t *m,
                 char *err, size_t errlen);
/* Free, after http_close (NULL: no-op). */
void status_free(status_t *s);

#endif
