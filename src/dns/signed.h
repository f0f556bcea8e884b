/* Answering a DNS message that carries a TSIG RR (RFC 8945).
 *
 * dns.c sends a message here only when dns_query_parse noted a TSIG RR
 * (q->tsig_off): unsigned queries never pay for it.  Everything here is
 * CPU work on the calling thread (a UDP worker or the TCP epoll thread):
 * one HMAC over the request and one over the reply, no locks, no I/O, no
 * allocation.  The keyring is the config's (cfg->tsig_keys), read-only
 * once the service runs.
 *
 * The zone-transfer, NOTIFY and UPDATE code (on whatever thread answers
 * them) uses the two halves directly:
 *     struct tsig_ctx t;
 *     int rc = signed_check(keys, msg, len, q->tsig_off, &t);
 *     if (rc < 0) -> FORMERR, unsigned
 *     rc > 0 (BADKEY, BADSIG, BADTIME, BADTRUNC): reply with header and
 *            question only, then signed_finish (it sets NOTAUTH and adds
 *            the error RR; only BADTIME's is signed)
 *     rc == 0: build each reply message leaving signed_reserve(&t) bytes
 *            free, then signed_finish on every message in turn (an AXFR's
 *            later messages chain the previous MAC, §5.3.1).
 * The tsig_ctx belongs to the one exchange and lives on its stack or in
 * its transfer state. */
#ifndef DZ_SIGNED_H
#define DZ_SIGNED_H

#include <stddef.h>
#include <stdint.h>

#include "proto/dnsmsg.h"
#include "proto/tsig.h"
#include "src/dns/answer.h"

/* Parse and check the TSIG RR at msg[tsig_off] against kr, at the wall
 * clock's time.  0 if it verifies; TSIG_BADKEY, TSIG_BADSIG, TSIG_BADTIME
 * or TSIG_BADTRUNC if not (ctx is then set up for signed_finish to send
 * the error); -1 if the RR is malformed (answer FORMERR, unsigned).
 * Failures are logged at debug level with the key's name, escaped. */
int signed_check(const struct tsig_keyring *kr, const uint8_t *msg, size_t len,
                 size_t tsig_off, struct tsig_ctx *ctx);

/* Bytes the TSIG RR of a reply made through ctx takes: what to leave free
 * when building a reply (at most TSIG_RR_MAX). */
size_t signed_reserve(const struct tsig_ctx *ctx);

/* Append the reply's TSIG RR to buf[0..*len) (cap bytes in all) at the
 * wall clock's time: signed for a verified request and for BADTIME, the
 * bare error for the others (RCODE set to NOTAUTH).  0, or DZ_ESPACE
 * if the RR does not fit. */
int signed_finish(struct tsig_ctx *ctx, uint8_t *buf, size_t *len, size_t cap);

/* The whole answer to a QUERY carrying TSIG (q, verdict and rcode from
 * dns_query_parse, q->tsig_off != 0), like answer_parsed: verified, then
 * answered by the normal path with room left for the TSIG RR (a truncated
 * UDP reply still carries it, TC set) and signed; a request that fails the
 * check gets NOTAUTH with the TSIG error.  The response length, or 0 for
 * no reply. */
size_t signed_answer(const struct tsig_keyring *kr, const ztable_t *zt, const uint8_t *pkt,
                     size_t len, const dns_query_t *q, dns_verdict_t verdict, int rcode,
                     uint8_t *out, size_t cap, bool tcp, struct answer_stats *st);

#endif
