/* Answering one query from the zone table: the whole of the authoritative
 * logic (RFC 1034 §4.3.2 with RFC 2308 negative answers, RFC 4592
 * wildcards, RFC 6891 EDNS, RFC 8482 ANY, RFC 8906 behaviours). */
#ifndef DZ_ANSWER_H
#define DZ_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/zonetable/zone.h"

/* Counters a worker keeps (plain, per thread).  Nothing reads them yet:
 * they are there for the metrics endpoint DESIGN.md plans. */
struct answer_stats {
	uint64_t queries, noerror, nxdomain, refused, formerr, notimp, dropped,
	         truncated;
};

/* Answer the query in pkt[0..len) into out (capacity cap; over TCP pass
 * 65535, over UDP any buffer of at least 512 bytes: the size limit comes
 * from the query's EDNS).  Must be called from an RCU-registered thread;
 * takes the read-side lock itself.  Returns the response length, or 0 if
 * the packet gets no reply. */
size_t answer_query(const ztable_t *zt, const uint8_t *pkt, size_t len,
                    uint8_t *out, size_t cap, bool tcp,
                    struct answer_stats *st);

/* answer_query for a query that may carry a TSIG RR (RFC 8945): one
 * that verifies against keys is answered and the answer signed (room for
 * the TSIG RR is kept inside cap, truncating sooner); a bad signature,
 * unknown key or stale time gets NOTAUTH with the TSIG error.  Without a
 * TSIG RR (or with no keys configured) it is answer_query.  A secondary's
 * signed SOA query (BIND checks the reply's signature) takes this path.
 * Runs on the caller's thread: an HMAC, no lock, no I/O. */
struct tsig_keyring;
size_t answer_signed(const ztable_t *zt, const struct tsig_keyring *keys,
                     const uint8_t *pkt, size_t len, uint8_t *out, size_t cap,
                     bool tcp, struct answer_stats *st);

#endif
