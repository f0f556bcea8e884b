/* Unit tests for the transfer and NOTIFY parts of proto/dnsmsg.c: an IXFR
 * query with its SOA in authority parses (other queries with authority
 * records stay FORMERR), its serial is read, malformed ones are rejected;
 * dns_peek_qtype; a NOTIFY's bytes; reading a reply's header. */
#include "proto/dnsmsg.h"
#include "proto/errors.h"
#include "proto/rdata.h"
#include "tests/unit/tap.h"

static const uint8_t zone[] = { 3, 'd', 'y', 'n', 4, 't', 'e', 's', 't', 0 };

/* A query for dyn.test of qtype with nscount SOA records (serial) in
 * authority; mangle 1: four bytes too many in the SOA (RDLENGTH counts them). */
static size_t query(uint8_t *buf, size_t cap, uint16_t qtype, unsigned ns, uint32_t serial,
                    int mangle)
{
	wire_t w;
	wire_init(&w, buf, cap);
	wire_write_u16(&w, 0x1234);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 1);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, (uint16_t)ns);
	wire_write_u16(&w, 0);
	wire_write_bytes(&w, zone, sizeof zone);
	wire_write_u16(&w, qtype);
	wire_write_u16(&w, CLASS_IN);
	for (unsigned i = 0; i < ns; i++) {
		wire_write_u16(&w, 0xC00C);      /* the question's name */
		wire_write_u16(&w, RR_SOA);
		wire_write_u16(&w, CLASS_IN);
		wire_write_u32(&w, 0);
		wire_write_u16(&w, (uint16_t)(2 + 20 + 4 * mangle));
		wire_write_u8(&w, 0);             /* MNAME . */
		wire_write_u8(&w, 0);             /* RNAME . */
		wire_write_u32(&w, serial);
		for (int k = 0; k < 4 + mangle; k++)
			wire_write_u32(&w, 0);
	}
	return w.err ? 0 : wire_pos(&w);
}

int main(void)
{
	uint8_t buf[512];
	dns_query_t q;
	int rcode;
	uint32_t serial = 0;

	size_t len = query(buf, sizeof buf, RR_IXFR, 1, 4242, 0);
	dns_verdict_t v = dns_query_parse(buf, len, &q, &rcode);
	is_int(v, DNS_ANSWER, "an IXFR query with its SOA in authority parses");
	int rc = dns_ixfr_serial(buf, len, &q, &serial);
	ok(rc == 0 && serial == 4242, "its serial is read (%u)", serial);
	is_int(dns_peek_qtype(buf, len), RR_IXFR, "peek: IXFR");

	len = query(buf, sizeof buf, RR_A, 1, 1, 0);
	v = dns_query_parse(buf, len, &q, &rcode);
	ok(v == DNS_ERROR && rcode == RCODE_FORMERR, "an A query with authority records: FORMERR");
	len = query(buf, sizeof buf, RR_IXFR, 2, 1, 0);
	v = dns_query_parse(buf, len, &q, &rcode);
	ok(v == DNS_ERROR && rcode == RCODE_FORMERR, "an IXFR query with two SOAs: FORMERR");
	len = query(buf, sizeof buf, RR_IXFR, 0, 0, 0);
	v = dns_query_parse(buf, len, &q, &rcode);
	rc = dns_ixfr_serial(buf, len, &q, &serial);
	ok(v == DNS_ANSWER && rc == DZ_EFORMAT, "an IXFR query without a SOA: no serial");
	len = query(buf, sizeof buf, RR_IXFR, 1, 7, 1);
	v = dns_query_parse(buf, len, &q, &rcode);
	rc = dns_ixfr_serial(buf, len, &q, &serial);
	ok(v == DNS_ANSWER && rc == DZ_EFORMAT, "a SOA whose RDLENGTH does not match: no serial");

	len = query(buf, sizeof buf, RR_AXFR, 0, 0, 0);
	is_int(dns_peek_qtype(buf, len), RR_AXFR, "peek: AXFR");
	is_int(dns_peek_qtype(buf, 11), 0, "peek: a short header is 0");
	is_int(dns_peek_qtype(buf, len - 3), 0, "peek: a cut question is 0");
	buf[2] |= 0x80;
	is_int(dns_peek_qtype(buf, len), 0, "peek: a response is 0");

	len = dns_notify_build(buf, sizeof buf, 0xBEEF, zone);
	is_int(len, 12 + sizeof zone + 4, "NOTIFY: header and question");
	v = dns_query_parse(buf, len, &q, &rcode);
	ok(v == DNS_ERROR && rcode == RCODE_NOTIMP && DNS_OPCODE(q.flags) == OPCODE_NOTIFY &&
	   (q.flags & DNS_AA) && q.qtype == RR_SOA && q.id == 0xBEEF,
	   "it parses as a NOTIFY for the zone's SOA, AA set (and we answer NOTIMP to one)");
	is_int(dns_notify_build(buf, 20, 1, zone), 0, "NOTIFY: 0 when it does not fit");

	uint16_t id = 0;
	int op = -1;
	len = dns_notify_build(buf, sizeof buf, 0xBEEF, zone);
	is_int(dns_reply_header(buf, len, &id, &op), -1, "a query is no reply");
	buf[2] |= 0x80;
	buf[3] |= RCODE_REFUSED;
	rc = dns_reply_header(buf, len, &id, &op);
	ok(rc == RCODE_REFUSED && id == 0xBEEF && op == OPCODE_NOTIFY, "a reply's id, opcode, rcode");
	is_int(dns_reply_header(buf, 11, &id, &op), -1, "a short reply: -1");
	return tap_done();
}
