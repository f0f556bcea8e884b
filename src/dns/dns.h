/* The DNS service: UDP workers (one SO_REUSEPORT socket per worker and
 * address, recvmmsg/sendmmsg batches) and a TCP thread (RFC 7766: length
 * framing, pipelining, idle timeout, connection cap), all answering from
 * the zone table.  Queries carrying TSIG are verified and their answers
 * signed on the same threads (signed.h); DNS UPDATE messages on the same
 * sockets go to src/dns/ddns.h. */
#ifndef DZ_DNS_H
#define DZ_DNS_H

#include "src/dns/answer.h"
#include "src/common/config.h"
#include "src/write/commit.h"
#include "src/zonetable/zone.h"

typedef struct dns_service dns_service_t;

/* Create the service and bind every socket (call before dropping
 * privileges).  c must outlive the service: queries signed with TSIG are
 * checked against c->tsig_keys (see signed.h).  On failure returns a DZ_E* code with a message in err. */
int dns_open(dns_service_t **out, const struct config *c, ztable_t *zt,
             char *err, size_t errlen);
/* Hand AXFR and IXFR queries arriving over TCP to the transfer service
 * x (src/xfr/xfr.h), which must outlive the DNS threads; without one they
 * are REFUSED.  Call before dns_start. */
struct xfr;
void dns_set_xfr(dns_service_t *d, struct xfr *x);
/* Hand DNS UPDATE (src/dns/ddns.h) the committer its changes go
 * through; until then UPDATE messages get SERVFAIL.  cm must outlive
 * every DNS thread's last request, or be stopped first (then UPDATEs
 * get SERVFAIL again). */
void dns_set_committer(dns_service_t *d, committer_t *cm);
/* Start the threads.  0 or DZ_EIO. */
int dns_start(dns_service_t *d);
/* Add the DNS numbers to a /metrics scrape (a metrics_fn; arg is the
 * service): queries by transport, type and rcode, truncated answers, UDP
 * drops, TCP connections, and DNS UPDATE's (ddns_metrics).  The per-thread
 * counters are summed here, on the scraping thread. */
void dns_metrics(void *arg, textbuf_t *o);
/* Stop the threads, close the sockets, free the service. */
void dns_close(dns_service_t *d);

#endif
