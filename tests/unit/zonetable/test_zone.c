/* The zone table and the answer logic, without sockets. */
#include "src/dns/answer.h"
#include "proto/dnsmsg.h"
#include "tests/unit/tap.h"
#include "tests/unit/zfixture.h"

static uint8_t resp[65535];
static struct answer_stats st;

struct reply { size_t len; int rcode; uint16_t flags, qd, an, ns, ar; };

static struct reply ask(ztable_t *zt, const char *name, uint16_t type, int edns, bool tcp)
{
	uint8_t q[512];
	size_t ql = fx_query(q, sizeof q, name, type, 0, edns);
	struct reply r = { 0 };
	r.len = answer_query(zt, q, ql, resp, sizeof resp, tcp, &st);
	wire_t w;
	wire_init(&w, resp, r.len);
	(void)wire_read_u16(&w);
	r.flags = wire_read_u16(&w);
	r.rcode = r.flags & 0xF;
	r.qd = wire_read_u16(&w);
	r.an = wire_read_u16(&w);
	r.ns = wire_read_u16(&w);
	r.ar = wire_read_u16(&w);
	return r;
}

int main(void)
{
	zt_thread_register();
	ztable_t *zt = fx_table();
	struct reply r;

	r = ask(zt, "h1.dyn.test.", RR_A, 0, false);
	ok(r.len > 0 && r.rcode == 0 && r.an == 1 && (r.flags & DNS_AA), "A answer, AA");
	r = ask(zt, "H1.DYN.test.", RR_AAAA, 0, false);
	ok(r.an == 1 && memcmp(resp + 12, "\2H1\3DYN", 7) == 0, "AAAA, query case echoed");
	is_int(resp[12 + 13 + 4], 0xC0, "answer owner is a pointer to the question");
	r = ask(zt, "nope.dyn.test.", RR_A, 0, false);
	ok(r.rcode == RCODE_NXDOMAIN && r.an == 0 && r.ns == 1, "NXDOMAIN with SOA");
	r = ask(zt, "h1.dyn.test.", RR_MX, 0, false);
	ok(r.rcode == 0 && r.an == 0 && r.ns == 1, "NODATA with SOA");
	r = ask(zt, "b.dyn.test.", RR_A, 0, false);
	ok(r.rcode == 0 && r.an == 0 && r.ns == 1, "empty non-terminal is NODATA");
	r = ask(zt, "a.b.dyn.test.", RR_TXT, 0, false);
	ok(r.rcode == 0 && r.an == 0, "deeper empty non-terminal is NODATA");
	r = ask(zt, "foo.w.dyn.test.", RR_A, 0, false);
	ok(r.rcode == 0 && r.an == 1, "wildcard synthesised");
	r = ask(zt, "a.b.w.dyn.test.", RR_A, 0, false);
	ok(r.rcode == 0 && r.an == 1, "wildcard matches deeper names");
	r = ask(zt, "foo.w.dyn.test.", RR_AAAA, 0, false);
	ok(r.rcode == 0 && r.an == 0 && r.ns == 1, "wildcard NODATA");
	r = ask(zt, "w.dyn.test.", RR_A, 0, false);
	ok(r.rcode == 0 && r.an == 0, "wildcard parent is an ENT, not a match");
	r = ask(zt, "y.x.a.b.dyn.test.", RR_A, 0, false);
	ok(r.rcode == RCODE_NXDOMAIN, "no wildcard at the closest encloser: NXDOMAIN");
	r = ask(zt, "alias.dyn.test.", RR_AAAA, 0, false);
	ok(r.rcode == 0 && r.an == 2, "CNAME followed inside the zone");
	r = ask(zt, "mx.dyn.test.", RR_MX, 0, false);
	ok(r.an == 1 && r.ar == 2, "MX target A and AAAA in additional");
	r = ask(zt, "dyn.test.", RR_NS, 0, false);
	ok(r.an == 1 && r.ar == 1, "NS with glue");
	r = ask(zt, "host.sub.dyn.test.", RR_A, 0, false);
	ok(r.rcode == 0 && !(r.flags & DNS_AA) && r.an == 0 && r.ns == 1 && r.ar == 1,
	   "referral below a delegation, glue, no AA");
	r = ask(zt, "sub.dyn.test.", RR_DS, 0, false);
	ok((r.flags & DNS_AA) && r.ns == 1, "DS at the cut answered by the parent");
	r = ask(zt, "example.org.", RR_A, 0, false);
	ok(r.rcode == RCODE_REFUSED && !(r.flags & DNS_AA), "outside: REFUSED");
	r = ask(zt, "dyn.test.", RR_SOA, 512, false);
	ok(r.an == 1 && r.ar == 1, "EDNS: OPT echoed");
	r = ask(zt, "big.dyn.test.", RR_AAAA, 0, false);
	ok((r.flags & DNS_TC) && r.an == 0, "20 AAAA do not fit 512: TC");
	r = ask(zt, "big.dyn.test.", RR_AAAA, 1232, false);
	ok(!(r.flags & DNS_TC) && r.an == 20, "they fit with EDNS 1232");
	r = ask(zt, "big.dyn.test.", RR_AAAA, 0, true);
	ok(!(r.flags & DNS_TC) && r.an == 20, "and over TCP");
	r = ask(zt, "h1.dyn.test.", RR_ANY, 0, false);
	ok(r.rcode == 0 && r.an == 1, "ANY over UDP: one RRset (RFC 8482)");
	r = ask(zt, "h1.dyn.test.", RR_ANY, 0, true);
	ok(r.rcode == 0 && r.an == 2, "ANY over TCP: all");
	r = ask(zt, "h1.dyn.test.", 65280, 0, false);
	ok(r.rcode == 0 && r.ns == 1, "unknown type: NODATA");
	r = ask(zt, "h1.dyn.test.", RR_AXFR, 0, false);
	ok(r.rcode == RCODE_REFUSED, "AXFR refused");

	/* malformed and odd packets */
	uint8_t q[512];
	size_t ql = fx_query(q, sizeof q, "h1.dyn.test.", RR_A, DNS_QR, 0);
	is_int(answer_query(zt, q, ql, resp, sizeof resp, false, &st), 0, "QR=1 dropped");
	ql = fx_query(q, sizeof q, "h1.dyn.test.", RR_A, 0, 0);
	size_t len = answer_query(zt, q, ql - 3, resp, sizeof resp, false, &st);
	ok(len >= 12 && (resp[3] & 0xF) == RCODE_FORMERR, "truncated question: FORMERR");
	ql = fx_query(q, sizeof q, "h1.dyn.test.", RR_A, 5 << 11, 0);
	len = answer_query(zt, q, ql, resp, sizeof resp, false, &st);
	ok(len >= 12 && (resp[3] & 0xF) == RCODE_NOTIMP, "UPDATE opcode: NOTIMP");
	ql = fx_query(q, sizeof q, "h1.dyn.test.", RR_A, 0, 0);
	q[ql++] = 0;
	len = answer_query(zt, q, ql, resp, sizeof resp, false, &st);
	ok((resp[3] & 0xF) == RCODE_FORMERR, "trailing garbage: FORMERR");
	ql = fx_query(q, sizeof q, "h1.dyn.test.", RR_A, 0, 1232);
	q[ql - 11 + 6] = 1;   /* EDNS version 1 */
	len = answer_query(zt, q, ql, resp, sizeof resp, false, &st);
	ok(len > 12 && (resp[3] & 0xF) == 0 && resp[len - 11 + 5] == 1 && resp[11] == 1,
	   "EDNS version 1: BADVERS (extended rcode 1 in OPT)");
	is_int(answer_query(zt, q, 5, resp, sizeof resp, false, &st), 0, "5 bytes: dropped");

	/* replacing a name swaps the node; removing it keeps ENTs right */
	zt_write_begin(zt);
	fx_set(zt, 1, "h1.dyn.test.", 1, (uint16_t[]){ RR_A }, (const char *[]){ "192.0.2.2" });
	fx_set(zt, 1, "x.a.b.dyn.test.", 0, NULL, NULL);
	zt_write_end(zt);
	r = ask(zt, "h1.dyn.test.", RR_AAAA, 0, false);
	ok(r.an == 0 && r.ns == 1, "replaced node has only the new set");
	r = ask(zt, "b.dyn.test.", RR_A, 0, false);
	is_int(r.rcode, RCODE_NXDOMAIN, "ENT gone with its last child");

	/* the wildcard count that lets a miss skip the wildcard lookup */
	struct zone *z = zt_zone_by_id(zt, 1);
	is_int(z->nwild, 1, "one wildcard name in the fixture (*.w)");
	zt_write_begin(zt);
	fx_set(zt, 1, "*.dyn.test.", 1, (uint16_t[]){ RR_A }, (const char *[]){ "192.0.2.9" });
	fx_set(zt, 1, "a.*.w.dyn.test.", 1, (uint16_t[]){ RR_A }, (const char *[]){ "192.0.2.8" });
	zt_write_end(zt);
	is_int(z->nwild, 2, "a wildcard at the apex counts; a name below one does not");
	r = ask(zt, "nope.dyn.test.", RR_A, 0, false);
	ok(r.rcode == 0 && r.an == 1, "a miss under the apex now gets the apex wildcard");
	zt_write_begin(zt);
	fx_set(zt, 1, "*.dyn.test.", 0, NULL, NULL);
	fx_set(zt, 1, "*.w.dyn.test.", 0, NULL, NULL);
	zt_write_end(zt);
	is_int(z->nwild, 1, "*.w stays as the ENT above a.*.w");
	r = ask(zt, "foo.w.dyn.test.", RR_A, 0, false);
	ok(r.rcode == 0 && r.an == 0, "an empty wildcard ENT matches with no data (RFC 4592)");
	zt_write_begin(zt);
	fx_set(zt, 1, "a.*.w.dyn.test.", 0, NULL, NULL);
	zt_write_end(zt);
	is_int(z->nwild, 0, "its last child gone, so is the wildcard ENT");
	r = ask(zt, "nope.dyn.test.", RR_A, 0, false);
	is_int(r.rcode, RCODE_NXDOMAIN, "no wildcards left: a miss is NXDOMAIN");

	/* a negative answer whose SOA does not fit is truncated, not sent
	 * without its SOA: a zone with 200-byte SOA names, a 200-byte qname */
	{
		char lab[64], mname[256], rname[256], qname[256];
		uint8_t apex[DNAME_MAX];
		struct zsoa soa = { .serial = 1, .refresh = 3600, .retry = 600,
		                    .expire = 86400, .minimum = 30, .ttl = 3600 };
		memset(lab, 'm', 63);
		lab[63] = 0;
		snprintf(mname, sizeof mname, "%s.%s.%s.long.test.", lab, lab, lab);
		snprintf(rname, sizeof rname, "r%s.%s.%s.long.test.", lab + 1, lab, lab + 1);
		snprintf(qname, sizeof qname, "q%s.%s.%s.long.test.", lab + 1, lab, lab + 1);
		fx_name(apex, "long.test.");
		fx_name(soa.mname, mname);
		fx_name(soa.rname, rname);
		zt_write_begin(zt);
		is_int(zt_set_zone(zt, 2, apex, &soa, NULL, 0), 0, "a zone with long SOA names");
		zt_write_end(zt);
		r = ask(zt, qname, RR_A, 0, false);
		ok((r.flags & DNS_TC) && r.rcode == RCODE_NXDOMAIN && r.ns == 0,
		   "its NXDOMAIN over 512 bytes: TC, no authority (%u bytes)", (unsigned)r.len);
		r = ask(zt, qname, RR_A, 1232, false);
		ok(!(r.flags & DNS_TC) && r.rcode == RCODE_NXDOMAIN && r.ns == 1,
		   "with EDNS 1232 the SOA fits (%u bytes)", (unsigned)r.len);
		r = ask(zt, qname, RR_A, 0, true);
		ok(!(r.flags & DNS_TC) && r.ns == 1, "and over TCP");
	}

	zt_free(zt);
	zt_thread_unregister();
	return tap_done();
}
