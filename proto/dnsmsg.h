/* DNS messages: parsing a query and writing the fixed parts of a response.
 * Pure code over caller buffers; every byte goes through the cursor. */
#ifndef DZ_DNSMSG_H
#define DZ_DNSMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/wire.h"

enum dns_rcode {
	RCODE_NOERROR = 0, RCODE_FORMERR = 1, RCODE_SERVFAIL = 2,
	RCODE_NXDOMAIN = 3, RCODE_NOTIMP = 4, RCODE_REFUSED = 5,
	RCODE_YXDOMAIN = 6, RCODE_YXRRSET = 7, RCODE_NXRRSET = 8,   /* RFC 2136 */
	RCODE_NOTAUTH = 9, RCODE_NOTZONE = 10, RCODE_BADVERS = 16,
};
enum dns_opcode { OPCODE_QUERY = 0, OPCODE_NOTIFY = 4, OPCODE_UPDATE = 5 };

/* Header flag bits (in the 16-bit flags word). */
#define DNS_QR 0x8000
#define DNS_AA 0x0400
#define DNS_TC 0x0200
#define DNS_RD 0x0100
#define DNS_RA 0x0080
#define DNS_AD 0x0020
#define DNS_CD 0x0010
#define DNS_OPCODE(f) (((f) >> 11) & 0xF)

#define DNS_HDR 12
#define DNS_UDP_MIN 512
#define EDNS_OUR_SIZE 1232     /* what we advertise and cap UDP replies at */
#define EDNS_DO 0x8000

typedef struct dns_query {
	uint16_t id;
	uint16_t flags;               /* as received */
	uint16_t qtype, qclass;
	uint8_t qname[DNAME_MAX];     /* lowercased, uncompressed */
	uint8_t qname_len;            /* wire length, root label included */
	uint8_t nlabels;              /* labels, root not counted */
	uint8_t label_off[128];       /* offset of each label in qname */
	uint16_t question_end;        /* packet offset just past the question */
	bool qname_compressed;        /* question used a pointer: echo as is */
	/* EDNS(0) */
	bool edns;                    /* an OPT record was present */
	uint8_t edns_version;
	uint16_t edns_size;           /* requestor's payload size (>= 512) */
	uint16_t edns_flags;          /* DO bit etc. */
	/* TSIG (RFC 8945): where its RR starts, 0 if none.  The parse only
	 * notes it, checking it is the last record of the additional section
	 * (else FORMERR); proto/tsig.h's tsig_parse reads it. */
	uint16_t tsig_off;
} dns_query_t;

typedef enum dns_verdict {
	DNS_ANSWER = 0,     /* well formed query: answer it */
	DNS_DROP,           /* not worth a reply (a response, or < 12 bytes) */
	DNS_ERROR,          /* reply with only a header (+question): rcode set */
} dns_verdict_t;

/* Parse a query.  Fills *q as far as it can.  Returns DNS_DROP for packets
 * that get no reply (QR set, shorter than a header), DNS_ERROR with
 * *rcode set (FORMERR, NOTIMP, BADVERS) for queries answered with an error,
 * DNS_ANSWER otherwise (then *rcode is 0).  A query that is well formed
 * but asks something we refuse (class, type) is still DNS_ANSWER: the
 * caller decides. */
dns_verdict_t dns_query_parse(const uint8_t *pkt, size_t len, dns_query_t *q,
                              int *rcode);

/* Begin a response in `w` (already wire_init'ed over the output buffer):
 * header with the query's id, QR set, opcode and RD and CD copied, and the
 * question copied from `pkt` as received (keeping its case) if `q` parsed
 * that far (q->question_end != 0).  Counts are zero; fix them with
 * dns_resp_set_counts. */
void dns_resp_begin(wire_t *w, const uint8_t *pkt, const dns_query_t *q,
                    uint16_t extra_flags, int rcode);

/* Set ANCOUNT, NSCOUNT, ARCOUNT of the response in `w`. */
void dns_resp_set_counts(wire_t *w, uint16_t an, uint16_t ns, uint16_t ar);

/* Add flag bits to the response header (e.g. DNS_TC). */
void dns_resp_add_flags(wire_t *w, uint16_t flags);

/* Set the 4-bit rcode of the response header. */
void dns_resp_set_rcode(wire_t *w, int rcode);

/* Write an OPT pseudo-record: our payload size, extended rcode bits
 * (rcode >> 4), version 0, flags (only DO is kept). */
void dns_resp_write_opt(wire_t *w, int rcode, uint16_t flags);

/* A whole error response (header + question + OPT if the query had one)
 * into buf; returns its length (0 if it does not fit). */
size_t dns_resp_error(uint8_t *buf, size_t cap, const uint8_t *pkt,
                      const dns_query_t *q, int rcode);

/* The QTYPE of a query with one question and opcode QUERY, without
 * parsing the rest; 0 for anything else (a response, a malformed
 * header or question). */
uint16_t dns_peek_qtype(const uint8_t *pkt, size_t len);

/* The serial of the SOA an IXFR query carries in its authority section
 * (RFC 1995 §3), for a query dns_query_parse passed as DNS_ANSWER.  0,
 * or DZ_EFORMAT if it has none or it is malformed. */
int dns_ixfr_serial(const uint8_t *pkt, size_t len, const dns_query_t *q, uint32_t *serial);

/* A NOTIFY (RFC 1996) for zone (wire form): header with id, opcode
 * NOTIFY, AA, and the question ZONE SOA IN.  Its length, 0 if cap is too
 * small. */
size_t dns_notify_build(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *zone);
/* The id, opcode and rcode of a response; -1 if it is no response. */
int dns_reply_header(const uint8_t *pkt, size_t len, uint16_t *id, int *opcode);

#endif
