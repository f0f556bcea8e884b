/* Answering one query from the zone table: the whole of the authoritative
 * logic (RFC 1034 §4.3.2 with RFC 2308 negative answers, RFC 4592
 * wildcards, RFC 6891 EDNS, RFC 8482 ANY, RFC 8906 behaviours, RFC 4035 /
 * RFC 5155 DNSSEC answers with the DO bit from stored RRSIG/NSEC/NSEC3). */
#ifndef DZ_ANSWER_H
#define DZ_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/dnsmsg.h"
#include "src/metrics/metrics.h"
#include "src/zonetable/zone.h"

/* Query types counted on their own in struct answer_stats. */
enum answer_qt { AQT_A, AQT_AAAA, AQT_TXT, AQT_SOA, AQT_NS, AQT_ANY, AQT_OTHER, AQT_N };

/* Counters a DNS thread keeps for its own queries (one writer each:
 * METRICS_INC, src/metrics/metrics.h); dns_metrics sums them over the
 * threads when /metrics is scraped.  queries counts every message given
 * to answer_*, qtype only those parsed well enough to have a type;
 * dropped: given no reply. */
struct answer_stats {
	uint64_t queries, noerror, nxdomain, refused, formerr, notimp, notauth, dropped,
	         truncated;
	uint64_t rrl_dropped, rrl_slipped;   /* UDP workers: response rate limiting */
	uint64_t qtype[AQT_N];
};

/* Answer the query in pkt[0..len) into out (capacity cap; over TCP pass
 * 65535, over UDP any buffer of at least 512 bytes: the size limit comes
 * from the query's EDNS).  Must be called from an RCU-registered thread;
 * takes the read-side lock itself.  Returns the response length, or 0 if
 * the packet gets no reply. */
size_t answer_query(const ztable_t *zt, const uint8_t *pkt, size_t len,
                    uint8_t *out, size_t cap, bool tcp,
                    struct answer_stats *st);
/* The same for a message dns_query_parse has already parsed into *q (its
 * verdict and rcode passed on), leaving `reserve` bytes of the size limit
 * free at the end (for a TSIG RR, see signed.h).  0: no reply. */
size_t answer_parsed(const ztable_t *zt, const uint8_t *pkt, const dns_query_t *q,
                     dns_verdict_t verdict, int rcode, uint8_t *out, size_t cap,
                     bool tcp, size_t reserve, struct answer_stats *st);

/* The fast path for the common UDP query: one question of class IN, an
 * uncompressed name, no other record but an OPT (version 0, any options
 * that pass the full path's length checks, DO set only if the zone is not
 * signed: no DNSKEY at its apex, ZN_DNSKEY), opcode QUERY, a type with no
 * special handling (not ANY, AXFR/IXFR, RRSIG, NS, MX, SRV or a meta
 * type), in a zone without delegations or, in one with them, for a
 * name at most one label below the apex that is not itself a delegation
 * point, and for a miss without wildcards.  The reply's OPT echoes DO, as
 * the full path's does.  It parses, looks the
 * name up once and copies the RRset (or the negative SOA) into out
 * (at least EDNS_OUR_SIZE bytes), writing exactly what answer_parsed
 * would, and counts the query in *st.  Returns the response length, or 0
 * for any other query (or one whose answer would be truncated): answer
 * it with answer_query / answer_parsed, which count it then.  The caller
 * (a UDP worker) holds the RCU read-side lock. */
size_t answer_udp_fast(const ztable_t *zt, const uint8_t *pkt, size_t len,
                       uint8_t *out, struct answer_stats *st);

#endif
