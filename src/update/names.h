/* The update names (issue #16, `update-name`): a client behind both IPv4
 * and IPv6 can only send its own address over the family it connected
 * with, so dynzone publishes, in its own zone, names that resolve to one
 * family each.  `update-name = update.dyn.example.org` publishes
 *   update.dyn.example.org   A and AAAA
 *   update4.dyn.example.org  A only
 *   update6.dyn.example.org  AAAA only
 * (the first label with 4 or 6 appended), with the addresses of the
 * http-listen and https-listen lines that are not wildcards, or the
 * addresses written after the name (`update-name = NAME ADDR...`, for
 * listeners on 0.0.0.0 or [::]).  A client then updates over update4 and
 * over update6, and /checkip answers over either. */
#ifndef DZ_UPDATE_NAMES_H
#define DZ_UPDATE_NAMES_H

#include <stddef.h>

#include "src/common/config.h"
#include "src/db/store.h"

/* Make the store hold exactly those A and AAAA records (static, TTL 300)
 * at the three names, in one transaction on st; run by `serve` on its
 * start-up connection before it loads the zone table, so a restart with
 * an unchanged setting writes nothing.  No update-name: nothing to do.
 * 0, or DZ_EINVAL (a bad name or address, no zone holds the name, no
 * address to publish) / DZ_EDB with a message naming the key in err. */
int updname_publish(store_t *st, const struct config *c, char *err, size_t errlen);

#endif
