/* Outgoing zone transfers: AXFR (RFC 5936) and IXFR (RFC 1995) over TCP.
 *
 * Threads and ownership.  The DNS TCP thread (src/dns/dns.c) never runs a
 * transfer: when a complete AXFR or IXFR query arrives on a connection
 * whose earlier answers have all been sent, it takes the connection out
 * of its epoll set and hands the descriptor and the query's bytes to
 * xfr_take, which returns at once.  From then on this module owns the
 * descriptor.  Each transfer runs on a thread of its own (at most
 * xfr-max at a time; the TCP thread answers REFUSED over the cap), which
 *   - checks allow-transfer (address prefixes, or a TSIG key the request
 *     must verify with; every message of the reply is then signed),
 *   - opens a store connection of its own and reads the zone inside ONE
 *     read transaction (src/db/transfer.h; SQLite WAL: the SOA serial and
 *     the records agree, and writers are never blocked),
 *   - streams messages of up to XFR_MSG bytes through a send buffer
 *     capped at 1 MiB, each written within xfr-timeout seconds or the
 *     secondary is dropped,
 *   - shuts its side of the connection, waits briefly for the peer's FIN
 *     and closes (connections are not handed back).
 * No lock that queries or updates take is held; nothing buffers a whole
 * zone. */
#ifndef DZ_XFR_H
#define DZ_XFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/textbuf.h"
#include "src/common/config.h"

typedef struct xfr xfr_t;

#define XFR_MSG 16384            /* bytes of records per message */

/* Parse allow-transfer against the keyring (an unknown key name or a bad
 * address is an error naming the line) and set up the service for the
 * store at c->db.  c must outlive the service.  0, or DZ_EINVAL/DZ_ENOMEM
 * with a message in err. */
int xfr_open(xfr_t **out, const struct config *c, char *err, size_t errlen);
/* True if the message is an AXFR or IXFR query (cheap; any thread). */
bool xfr_is_request(const uint8_t *msg, size_t len);
/* Take connection fd with the transfer query msg[0..len) (copied) and
 * start its transfer on a thread of its own; the service owns fd from a
 * 0 return on.  DZ_ELIMIT when xfr-max transfers run already, DZ_ENOTSUP
 * after xfr_close began, DZ_ENOMEM/DZ_EIO: fd stays the caller's.
 * Called by the DNS TCP thread; never blocks on a transfer. */
int xfr_take(xfr_t *x, int fd, const uint8_t *msg, size_t len);
/* Add the transfer counters (AXFR and IXFR sent, refused, failed) to a
 * /metrics scrape (a metrics_fn; arg is the service; any thread). */
void xfr_metrics(void *arg, textbuf_t *o);
/* Stop: cut every running transfer short (its socket is shut down),
 * join the threads, free the service.  NULL is a no-op. */
void xfr_close(xfr_t *x);

#endif
