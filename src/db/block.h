/* Hosts an administrator has blocked (table host_blocks): their updates
 * are answered `abuse`, the one dyndns2 reply that tells a client to stop
 * for good, and change nothing.  Rate limits never block a host; they
 * are short-term and answered 911 (src/write/limits.h, src/update/).
 * A row goes with its host (ON DELETE CASCADE).  Functions run on the
 * caller's connection, inside its transaction if one is open. */
#ifndef DZ_BLOCK_H
#define DZ_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "src/db/store.h"

/* Block a host, with a reason for the admin's records (replaces an
 * earlier one).  0 or DZ_EDB. */
int block_set(store_t *st, int64_t host_id, const char *reason, int64_t now);
/* Unblock a host; *was tells whether it was blocked.  0 or DZ_EDB. */
int block_clear(store_t *st, int64_t host_id, bool *was);
/* Is the host blocked?  0 with *blocked set, or DZ_EDB. */
int block_get(store_t *st, int64_t host_id, bool *blocked);

#endif
