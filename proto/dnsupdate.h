/* DNS UPDATE (RFC 2136) messages: parsing the zone, prerequisite and
 * update sections into a struct dnsupd, the section checks of §3.1-3.4.1
 * that need no zone data, and the scope rules of `allow-update` (which
 * key may change which names and types).  Pure code over caller buffers:
 * checking prerequisites against the zone and applying the changes is
 * the committer job's (src/dns/ddns.c).
 *
 * A struct dnsupd is large (DNSUPD_RR_MAX records with their owners and
 * a pool for their RDATA): allocate it, never put it on a stack. */
#ifndef DZ_DNSUPDATE_H
#define DZ_DNSUPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

#define DNSUPD_RR_MAX 128            /* prerequisites + updates per message */
#define DNSUPD_POOL_MAX 65536        /* bytes of RDATA (names decompressed) */
#define DNSUPD_RULE_TYPES 16         /* types one allow-update rule lists */

/* What one record of the prerequisite or update section asks for. */
enum dnsupd_op {
	/* prerequisites (§2.4) */
	DNSUPD_P_RRSET_EXISTS,       /* class ANY, type T: some RR of T */
	DNSUPD_P_RRSET_EQUALS,       /* class IN: the RRset is exactly these */
	DNSUPD_P_RRSET_ABSENT,       /* class NONE, type T */
	DNSUPD_P_NAME_IN_USE,        /* class ANY, type ANY */
	DNSUPD_P_NAME_UNUSED,        /* class NONE, type ANY */
	/* updates (§2.5) */
	DNSUPD_U_ADD,                /* class IN: add the RR */
	DNSUPD_U_DEL_RRSET,          /* class ANY, type T */
	DNSUPD_U_DEL_NAME,           /* class ANY, type ANY: every RRset */
	DNSUPD_U_DEL_RR,             /* class NONE: the one RR */
};

struct dnsupd_rr {
	enum dnsupd_op op;
	uint8_t owner[DNAME_MAX];    /* lowercase wire, inside the zone */
	uint16_t type;
	uint32_t ttl;
	uint32_t rdoff;              /* RDATA at pool + rdoff (uncompressed) */
	uint16_t rdlen;
};

struct dnsupd {
	uint16_t id;
	uint8_t zone[DNAME_MAX];     /* lowercase wire */
	size_t zone_len;
	size_t zone_end;             /* offset just past the zone section */
	unsigned nprereq, nupdate;   /* rr[0..nprereq) then the updates */
	struct dnsupd_rr rr[DNSUPD_RR_MAX];
	size_t pool_len;
	uint8_t pool[DNSUPD_POOL_MAX];
};

/* True if msg[0..len) is a request (QR clear) with opcode UPDATE: the
 * DNS service's cue to hand it to DNS UPDATE instead of answering it. */
bool dnsupd_is_update(const uint8_t *msg, size_t len);

/* Parse an UPDATE request msg[0..len) (len: up to, not including, a TSIG
 * RR; `cut` is how many records that left off the end of the additional
 * section: 1 for a TSIG RR, else 0).  Checks the header (opcode UPDATE, one zone of type SOA, class
 * IN), every record's class/type/TTL/RDLENGTH combination (§3.2.x and
 * §3.4.1.3), that every owner is inside the zone and that RDATA of added
 * records is well formed (rdata_check, the zone file import's check;
 * names compressed in NS, CNAME, PTR, MX and SOA RDATA are expanded).
 * The additional section may hold only an OPT record.  Returns 0, or the
 * RCODE to answer: FORMERR, NOTAUTH (class not IN), NOTZONE (an owner
 * outside the zone), REFUSED (more records or RDATA than the caps; an
 * update of the SOA, of the apex's NS set, or deleting every RRset at the
 * apex: those are the operator's, made with `dynzone zone` commands).
 * u->id and, if the zone section parsed, u->zone are set either way. */
int dnsupd_parse(const uint8_t *msg, size_t len, unsigned cut, struct dnsupd *u);

/* The RDATA of a record. */
static inline const uint8_t *dnsupd_rdata(const struct dnsupd *u, const struct dnsupd_rr *r)
{
	return u->pool + r->rdoff;
}

/* Write the reply header and zone section for u with rcode into w
 * (already wire_init'ed): id, QR, opcode UPDATE, the zone echoed (no zone
 * section if it did not parse: zone_len 0), all other counts 0. */
void dnsupd_reply(wire_t *w, const struct dnsupd *u, int rcode);

/* One allow-update rule: "ZONE KEYNAME NAME-PATTERN TYPE[,TYPE...]".
 * NAME-PATTERN is a name (that name only) or "*.name" (names strictly
 * below name, not name itself).  Names are absolute, the trailing dot
 * optional (as everywhere in the config).  A TYPE of ANY allows every type, and deleting all RRsets at a
 * name (which otherwise no rule allows). */
struct dnsupd_rule {
	uint8_t zone[DNAME_MAX];     /* lowercase wire */
	uint8_t key[DNAME_MAX];
	uint8_t name[DNAME_MAX];
	bool below;                  /* "*.name" */
	bool any;                    /* TYPE ANY */
	unsigned ntypes;
	uint16_t types[DNSUPD_RULE_TYPES];
};

/* Parse a rule.  0, or DZ_EINVAL with the reason in err (bad name, a
 * pattern outside the zone, unknown or meta type, too many types). */
int dnsupd_rule_parse(const char *text, struct dnsupd_rule *r, char *err, size_t errlen);

/* True if every update record of u (prerequisites are not scoped) is
 * allowed to key (lowercase wire) by one of rules[0..n): same zone, same
 * key, owner matching the pattern, type listed. */
bool dnsupd_allowed(const struct dnsupd *u, const uint8_t *key,
                    const struct dnsupd_rule *rules, unsigned n);

#endif
