/* The dyndns2 update API (GET /nic/update and every update-path) and
 * GET /checkip, on the HTTP server.
 *
 * A request is parsed and rate-limited on the HTTP thread, then handed,
 * suspended, to the group committer (src/write/commit.h), which checks the token,
 * applies every host's change and its update_log row in the batch's
 * transaction, commits, syncs the zone table, and only then lets the
 * reply go: `good` means durable and already served. */
#ifndef DZ_UPDATE_H
#define DZ_UPDATE_H

#include <stddef.h>

#include "src/write/commit.h"
#include "src/write/timer.h"
#include "src/common/config.h"
#include "src/http/http.h"
#include "src/metrics/metrics.h"

typedef struct update_service update_t;

/* Add the update and checkip routes to h.  Updates are run by `cm`; a
 * request from an address with recent failed log-ins waits on a timer of
 * `ts` (suspended; no thread waits) before it is submitted.  Both belong
 * to the caller and must outlive every request: stop the timers, then the
 * committer, after http_quiesce and before http_close.  0, or a DZ_E*
 * code with a message in err. */
int update_start(update_t **out, http_t *h, const struct config *c, committer_t *cm,
                 timers_t *ts, char *err, size_t errlen);
/* Add the update counters (replies by result, failed authentications) to
 * a /metrics scrape (a metrics_fn; arg is the service; any thread). */
void update_metrics(void *arg, textbuf_t *o);
/* Free the service, after http_close (NULL: no-op). */
void update_free(update_t *u);

#endif
