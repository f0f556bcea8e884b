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
#include "src/common/config.h"
#include "src/http/http.h"
#include "src/zonetable/zone.h"

typedef struct update_service update_t;

/* Start the committer (its own store connection on c->db) and add the
 * update and checkip routes to h.  0, or a DZ_E* code with a message in
 * err. */
int update_start(update_t **out, http_t *h, const struct config *c, ztable_t *zt,
                 char *err, size_t errlen);
/* Finish the updates in flight and stop the committer (call after
 * http_quiesce, before http_close).  NULL is a no-op. */
void update_stop(update_t *u);
/* Free a stopped service (NULL: no-op). */
void update_free(update_t *u);
/* The committer, for other modules that write through it. */
committer_t *update_committer(update_t *u);

#endif
