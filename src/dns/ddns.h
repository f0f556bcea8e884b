/* DNS UPDATE (RFC 2136) for the DNS service: TSIG-signed messages whose
 * key's allow-update scope covers every change are applied through the
 * group committer, atomically with their prerequisites.
 *
 * Threads.  ddns_request runs on a UDP worker or on the TCP thread and
 * never blocks: it checks the TSIG (proto/tsig.h), parses the message
 * (proto/dnsupdate.h) and the scope, and either answers at once (unsigned
 * -> REFUSED, bad MAC -> NOTAUTH/BADSIG, out of scope -> REFUSED, too many
 * pending -> SERVFAIL) or submits a job to the committer and returns.  The
 * job's run (committer thread, inside the batch's transaction) checks the
 * zone, the prerequisites and applies the changes through src/db; its
 * done (syncer thread: the change is durable and served) signs the reply
 * and sends it: over UDP with sendmsg on the worker's socket, from the
 * address the request was sent to; over TCP through the reply hook the
 * DNS service installs (a queue and an eventfd its TCP thread watches).
 *
 * Ownership.  The service holds the allow-update rules and pointers to
 * the config's keyring and the committer; serve owns all three and frees
 * the service after the committer and the DNS threads have stopped.  Each
 * request's job (with its copy of the message) belongs to this module
 * from ddns_request until its done. */
#ifndef DZ_DDNS_H
#define DZ_DDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "src/common/config.h"
#include "src/metrics/metrics.h"
#include "src/write/commit.h"

typedef struct ddns ddns_t;

#define DDNS_PENDING_MAX 64     /* UPDATE messages queued or running */
#define DDNS_REPLY_MAX 1024     /* a reply: header, zone, TSIG RR */

/* Where a request came from and its reply goes. */
struct ddns_from {
	bool tcp;
	/* UDP: the worker's socket, the peer, and the control message that
	 * sends from the address the request was sent to (wildcard-bound
	 * sockets; ctrllen 0 otherwise) */
	int fd;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	_Alignas(size_t) uint8_t ctrl[64];   /* aligned as a struct cmsghdr */
	size_t ctrllen;
	/* TCP: the DNS service's handle for the connection */
	uint64_t conn;
};

/* Hands a TCP reply to the DNS service (called on the syncer thread, or
 * on the TCP thread for an immediate answer: must not block). */
typedef void (*ddns_tcp_reply_fn)(void *ctx, uint64_t conn, const uint8_t *msg, size_t len);

/* Build the service: parse every allow-update line and look its key up
 * in c->tsig_keys.  0, or DZ_EINVAL with "FILE:LINE: allow-update ..." in
 * err.  With no allow-update lines the service still answers (REFUSED). */
int ddns_open(ddns_t **out, const struct config *c, char *err, size_t errlen);
/* Attach the committer (before any request; serve starts it after the DNS
 * threads, which answer SERVFAIL until then). */
void ddns_set_committer(ddns_t *d, committer_t *cm);
/* Install the TCP reply hook (dns_open does, before its threads start). */
void ddns_set_tcp_reply(ddns_t *d, ddns_tcp_reply_fn fn, void *ctx);

/* Take an UPDATE message msg[0..len) (any thread of the DNS service).
 * Returns the length of a reply written to out (cap >= DDNS_REPLY_MAX) to
 * send at once, or 0: no reply now; then *queued says whether one will
 * come from done (else the message was not worth one). */
size_t ddns_request(ddns_t *d, const uint8_t *msg, size_t len, const struct ddns_from *from,
                    uint8_t *out, size_t cap, bool *queued);

/* Add the UPDATE counters (messages by rcode) to a /metrics scrape (any
 * thread). */
void ddns_metrics(const ddns_t *d, textbuf_t *o);
/* Free the service (NULL: no-op), after the committer has stopped. */
void ddns_free(ddns_t *d);

#endif
