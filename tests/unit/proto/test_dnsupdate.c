/* dnsupdate: UPDATE section parsing (§3.1-3.4.1 rcodes), compressed RDATA
 * names, and allow-update scope rules. */
#include <stdlib.h>

#include "proto/dnsmsg.h"
#include "proto/dnsupdate.h"
#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "tests/unit/tap.h"

static uint8_t msg[4096];
static wire_t w;
static uint16_t counts[4];

static void name(const char *text)
{
	uint8_t n[DNAME_MAX];
	size_t l = dname_from_text(n, text, strlen(text), NULL);
	wire_write_bytes(&w, n, l);
}

static void begin(const char *zone)
{
	wire_init(&w, msg, sizeof msg);
	wire_write_u16(&w, 0x1234);
	wire_write_u16(&w, OPCODE_UPDATE << 11);
	for (int i = 0; i < 4; i++)
		wire_write_u16(&w, 0);
	memset(counts, 0, sizeof counts);
	counts[0] = 1;
	name(zone);
	wire_write_u16(&w, RR_SOA);
	wire_write_u16(&w, CLASS_IN);
}

/* section 1 prerequisite, 2 update */
static void rr(int section, const char *owner, uint16_t type, uint16_t cls, uint32_t ttl,
               const void *rd, uint16_t rdlen)
{
	name(owner);
	wire_write_u16(&w, type);
	wire_write_u16(&w, cls);
	wire_write_u32(&w, ttl);
	wire_write_u16(&w, rdlen);
	wire_write_bytes(&w, rd, rdlen);
	counts[section]++;
}

static int parse(struct dnsupd *u)
{
	for (int i = 0; i < 4; i++)
		wire_patch_u16(&w, 4 + 2 * (size_t)i, counts[i]);
	return dnsupd_parse(msg, wire_pos(&w), 0, u);
}

static const uint8_t txt[] = "\005hello";

int main(void)
{
	struct dnsupd *u = malloc(sizeof *u);
	char err[256];

	begin("dyn.example.org.");
	rr(2, "_acme-challenge.h.dyn.example.org.", RR_TXT, CLASS_IN, 60, txt, 6);
	is_int(parse(u), 0, "add TXT parses");
	is_int(u->nupdate, 1, "one update");
	is_int(u->rr[0].op, DNSUPD_U_ADD, "class IN update is an add");
	is_mem(dnsupd_rdata(u, &u->rr[0]), u->rr[0].rdlen, txt, 6, "rdata kept");

	begin("dyn.example.org.");
	rr(1, "a.dyn.example.org.", RR_A, CLASS_ANY, 0, "", 0);
	rr(1, "b.dyn.example.org.", RR_ANY, CLASS_ANY, 0, "", 0);
	rr(1, "c.dyn.example.org.", RR_A, CLASS_NONE, 0, "", 0);
	rr(1, "d.dyn.example.org.", RR_ANY, CLASS_NONE, 0, "", 0);
	rr(1, "e.dyn.example.org.", RR_A, CLASS_IN, 0, "\1\2\3\4", 4);
	rr(2, "f.dyn.example.org.", RR_A, CLASS_ANY, 0, "", 0);
	rr(2, "g.dyn.example.org.", RR_ANY, CLASS_ANY, 0, "", 0);
	rr(2, "h.dyn.example.org.", RR_A, CLASS_NONE, 0, "\1\2\3\4", 4);
	is_int(parse(u), 0, "every prerequisite and delete form parses");
	is_int(u->nprereq, 5, "five prerequisites");
	is_int(u->rr[0].op, DNSUPD_P_RRSET_EXISTS, "ANY/T: RRset exists");
	is_int(u->rr[1].op, DNSUPD_P_NAME_IN_USE, "ANY/ANY: name in use");
	is_int(u->rr[2].op, DNSUPD_P_RRSET_ABSENT, "NONE/T: RRset does not exist");
	is_int(u->rr[3].op, DNSUPD_P_NAME_UNUSED, "NONE/ANY: name not in use");
	is_int(u->rr[4].op, DNSUPD_P_RRSET_EQUALS, "IN/T: value-dependent");
	is_int(u->rr[5].op, DNSUPD_U_DEL_RRSET, "ANY/T: delete RRset");
	is_int(u->rr[6].op, DNSUPD_U_DEL_NAME, "ANY/ANY: delete name");
	is_int(u->rr[7].op, DNSUPD_U_DEL_RR, "NONE/T: delete RR");

	begin("dyn.example.org.");
	rr(2, "x.other.org.", RR_A, CLASS_IN, 60, "\1\2\3\4", 4);
	is_int(parse(u), RCODE_NOTZONE, "owner outside the zone: NOTZONE");
	begin("dyn.example.org.");
	rr(1, "a.dyn.example.org.", RR_A, CLASS_ANY, 5, "", 0);
	is_int(parse(u), RCODE_FORMERR, "prerequisite with a TTL: FORMERR");
	begin("dyn.example.org.");
	rr(2, "a.dyn.example.org.", RR_A, CLASS_IN, 60, "\1\2\3", 3);
	is_int(parse(u), RCODE_FORMERR, "A of 3 bytes: FORMERR (rdata_check)");
	begin("dyn.example.org.");
	rr(2, "a.dyn.example.org.", RR_AXFR, CLASS_IN, 60, "", 0);
	is_int(parse(u), RCODE_FORMERR, "meta type: FORMERR");
	begin("dyn.example.org.");
	rr(2, "a.dyn.example.org.", RR_A, CLASS_CH, 60, "\1\2\3\4", 4);
	is_int(parse(u), RCODE_FORMERR, "class CH update: FORMERR");
	begin("dyn.example.org.");
	wire_patch_u16(&w, 2 + 0, 0);
	counts[0] = 2;
	is_int(parse(u), RCODE_FORMERR, "two zones: FORMERR");
	begin("dyn.example.org.");
	wire_write_bytes(&w, "x", 1);
	is_int(parse(u), RCODE_FORMERR, "trailing byte: FORMERR");

	begin("dyn.example.org.");
	rr(2, "x.dyn.example.org.", RR_SOA, CLASS_ANY, 0, "", 0);
	is_int(parse(u), RCODE_REFUSED, "SOA change: REFUSED");
	begin("dyn.example.org.");
	rr(2, "dyn.example.org.", RR_NS, CLASS_ANY, 0, "", 0);
	is_int(parse(u), RCODE_REFUSED, "apex NS change: REFUSED");
	begin("dyn.example.org.");
	rr(2, "dyn.example.org.", RR_ANY, CLASS_ANY, 0, "", 0);
	is_int(parse(u), RCODE_REFUSED, "deleting everything at the apex: REFUSED");
	begin("dyn.example.org.");
	rr(2, "sub.dyn.example.org.", RR_NS, CLASS_ANY, 0, "", 0);
	is_int(parse(u), 0, "NS below the apex (a delegation) may change");

	/* a CNAME whose target is compressed against the zone name (offset 12) */
	begin("dyn.example.org.");
	name("w.dyn.example.org.");
	wire_write_u16(&w, RR_CNAME);
	wire_write_u16(&w, CLASS_IN);
	wire_write_u32(&w, 60);
	wire_write_u16(&w, 4);
	wire_write_bytes(&w, "\001t\xc0\x0c", 4);
	counts[2]++;
	is_int(parse(u), 0, "compressed CNAME target parses");
	uint8_t want[DNAME_MAX];
	size_t wl = dname_from_text(want, "t.dyn.example.org.", 18, NULL);
	is_mem(dnsupd_rdata(u, &u->rr[0]), u->rr[0].rdlen, want, wl, "target expanded");

	uint8_t reply[512];
	wire_t rw;
	wire_init(&rw, reply, sizeof reply);
	dnsupd_reply(&rw, u, RCODE_REFUSED);
	ok(!rw.err && wire_pos(&rw) == 12 + u->zone_len + 4, "reply: header and zone");
	is_int(reply[3] & 0xF, RCODE_REFUSED, "reply rcode");
	is_int(DNS_OPCODE(wire_load_u16(reply + 2)), OPCODE_UPDATE, "reply opcode UPDATE");

	/* scope rules */
	struct dnsupd_rule rules[3];
	is_int(dnsupd_rule_parse("dyn.example.org acme-h _acme-challenge.h.dyn.example.org TXT",
	                         &rules[0], err, sizeof err), 0, "rule: names without a trailing dot");
	is_int(dnsupd_rule_parse("dyn.example.org. big. *.dyn.example.org. A,AAAA,txt", &rules[1],
	                         err, sizeof err), 0, "rule: *.name and a type list");
	is_int(rules[1].ntypes, 3, "three types");
	is_int(dnsupd_rule_parse("dyn.example.org. k. x.other.org. A", &rules[2], err, sizeof err),
	       DZ_EINVAL, "rule: name outside the zone");
	is_int(dnsupd_rule_parse("dyn.example.org. k. x A,FOO", &rules[2], err, sizeof err),
	       DZ_EINVAL, "rule: unknown type");
	is_int(dnsupd_rule_parse("dyn.example.org. k. x SOA", &rules[2], err, sizeof err),
	       DZ_EINVAL, "rule: SOA is never allowed");
	is_int(dnsupd_rule_parse("dyn.example.org. k. x", &rules[2], err, sizeof err),
	       DZ_EINVAL, "rule: missing types");
	is_int(dnsupd_rule_parse("dyn.example.org. k. *.*.x A", &rules[2], err, sizeof err),
	       DZ_EINVAL, "rule: a wildcard inside the pattern");

	uint8_t acme[DNAME_MAX], big[DNAME_MAX];
	dname_from_text(acme, "acme-h.", 7, NULL);
	dname_from_text(big, "big.", 4, NULL);

	begin("dyn.example.org.");
	rr(2, "_acme-challenge.h.dyn.example.org.", RR_TXT, CLASS_IN, 60, txt, 6);
	parse(u);
	ok(dnsupd_allowed(u, acme, rules, 2), "acme key may add its TXT");
	ok(!dnsupd_allowed(u, big, rules, 1), "other key: not by this rule");
	begin("dyn.example.org.");
	rr(2, "_acme-challenge.h.dyn.example.org.", RR_TXT, CLASS_IN, 60, txt, 6);
	rr(2, "_acme-challenge.h.dyn.example.org.", RR_A, CLASS_IN, 60, "\1\2\3\4", 4);
	parse(u);
	ok(!dnsupd_allowed(u, acme, rules, 2), "one forbidden type refuses the message");
	begin("dyn.example.org.");
	rr(2, "_acme-challenge.other.dyn.example.org.", RR_TXT, CLASS_IN, 60, txt, 6);
	parse(u);
	ok(!dnsupd_allowed(u, acme, rules, 2), "other name: refused");
	ok(dnsupd_allowed(u, big, rules, 2), "*.name: a name below matches");
	begin("dyn.example.org.");
	rr(2, "dyn.example.org.", RR_A, CLASS_IN, 60, "\1\2\3\4", 4);
	parse(u);
	ok(!dnsupd_allowed(u, big, rules, 2), "*.name: the name itself does not match");
	begin("dyn.example.org.");
	rr(2, "x.dyn.example.org.", RR_ANY, CLASS_ANY, 0, "", 0);
	parse(u);
	ok(!dnsupd_allowed(u, big, rules, 2), "delete-all needs type ANY in the rule");

	free(u);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
