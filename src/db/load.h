/* Zone table synchronisation: the loader and the journal follower.  Both
 * take zt->wlock and read in one snapshot of the store, and both put in
 * the table exactly the records src/db/served.h says are served (the
 * rows an AXFR sends). */
#ifndef DZ_LOAD_H
#define DZ_LOAD_H

#include <stdbool.h>

#include "src/db/store.h"
#include "src/zonetable/zone.h"

/* Load every zone into an empty table.  0 or DZ_EDB/DZ_ENOMEM. */
int store_load(store_t *st, ztable_t *zt);
/* Apply journal rows newer than zt->journal_pos (takes zt->wlock).  *n
 * (if not NULL) gets the number of names rebuilt. */
int store_sync(store_t *st, ztable_t *zt, unsigned *n);
#endif
