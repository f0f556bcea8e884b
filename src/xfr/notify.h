/* NOTIFY (RFC 1996) to the secondaries named by `notify` lines.
 *
 * Threads and ownership.  The hook (notify_zone) runs where the serving
 * process learns that a zone's serial changed: the journal follower
 * (store_sync, on the committer's thread), which applies the SOA rows of
 * the daemon's own commits and of other processes' (a `dynzone record
 * add` from a shell) alike; the new serial is in the zone table by then.
 * The hook only marks the zone's targets and arms their timers.  Sending
 * and retrying run on the timer thread (src/write/timer.h): no thread of
 * our own, one UDP socket (IPv6, dual-stack) for every target.  A NOTIFY
 * goes out at once, then again after 1, 2, 4 and 8 s until the secondary
 * answers (replies are read, without waiting, each time a timer fires);
 * changes while one is outstanding are coalesced into the next.  With a
 * key the NOTIFY is signed (TSIG) and only a reply that verifies counts. */
#ifndef DZ_NOTIFY_H
#define DZ_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "src/common/config.h"
#include "src/write/timer.h"
#include "src/zonetable/zone.h"

typedef struct notifier notifier_t;

#define NOTIFY_TRIES 5

/* Parse the notify lines (a bad address or unknown key name is an error
 * naming the line), open the socket.  *out is NULL when there are no
 * lines.  0, or DZ_EINVAL/DZ_EIO/DZ_ENOMEM with a message in err. */
int notify_open(notifier_t **out, const struct config *c, char *err, size_t errlen);
/* Start: hook into zt (its serial_changed) and send through ts, and send
 * a NOTIFY for every zone already loaded (the serials a restart brings).
 * Call after the table is loaded and before the committer starts; ts and
 * zt must outlive the notifier. */
void notify_start(notifier_t *n, ztable_t *zt, timers_t *ts);
/* The hook: zone_id's serial changed (writer thread, zt->wlock held). */
void notify_zone(void *n, uint32_t zone_id);
/* Free; call after timer_stop (every timer has fired) and after the
 * committer stopped.  NULL is a no-op. */
void notify_close(notifier_t *n);

#endif
