/* The dashboard: its JSON API under /api/v1/ (docs/api.md) and its
 * embedded files (web/) at /.
 *
 * An API request is suspended on the HTTP thread and queued to a small
 * pool of API workers, each with its own store connection: password
 * hashing (argon2id, tens of milliseconds) and the store's reads then never
 * hold an HTTP thread.  Every change to a host, its records or its tokens
 * is run by the group committer (src/write/commit.h), so it is journalled,
 * durable and served before the reply goes out: the worker submits the
 * write and goes on to the next request, and the write's completion, on
 * the committer's syncer thread, sends the reply and resumes the request
 * (no thread waits for a commit); sessions, users, grants and
 * invites are written on the worker's own connection.  A log-in from an
 * account or address with recent failures is held on a timer
 * (src/write/timer.h; no thread waits) before it is looked at.
 *
 * Static files are answered straight from the HTTP thread, from memory,
 * with a strong ETag and a strict Content-Security-Policy. */
#ifndef DZ_API_H
#define DZ_API_H

#include <stddef.h>

#include "src/write/commit.h"
#include "src/write/housekeep.h"
#include "src/write/timer.h"
#include "src/common/config.h"
#include "src/http/http.h"
#include "src/metrics/metrics.h"

#define API_PREFIX "/api/v1/"
#define API_BODY_MAX 16384        /* JSON request body */
#define API_WORKERS 2
#define API_QUEUE_MAX 256         /* requests waiting; more get 503 */

typedef struct api api_t;

/* Check the dashboard's config keys (signup, signup-zones, ...), open the
 * workers' store connections on c->db, start them, and add the /api/v1/
 * and static-file routes to h.  `cm` is the committer that host changes
 * go through (NULL: the workers commit themselves; for tests); held
 * log-ins wait on a timer of `ts`; `hk` (may be NULL) gets the task that
 * deletes expired sessions.  The config, cm, ts and hk must outlive the
 * service.  0, or DZ_EINVAL/DZ_EDB/DZ_ENOMEM/DZ_EIO/DZ_ELIMIT with a
 * message in err. */
int api_start(api_t **out, http_t *h, const struct config *c, committer_t *cm,
              timers_t *ts, housekeep_t *hk, char *err, size_t errlen);
/* Answer every queued request and stop the workers.  Call after
 * http_quiesce and timer_stop (which hands held log-ins back at once) and
 * before the committer stops.  NULL is a no-op. */
void api_stop(api_t *a);
/* Add the dashboard's failed authentications to a /metrics scrape (a
 * metrics_fn; arg is the service; any thread). */
void api_metrics(void *arg, textbuf_t *o);
/* Free a stopped service (NULL: no-op). */
void api_free(api_t *a);

#endif
