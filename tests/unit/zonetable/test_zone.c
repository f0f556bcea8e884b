/* The zone table and the answer logic, without sockets. */
#include "src/dns/answer.h"
#include "proto/dnsmsg.h"
#include "proto/rdata.h"
#include "tests/unit/tap.h"
#include "tests/unit/zfixture.h"

static uint8_t resp[65535];
static struct answer_stats st;

struct reply { size_t len; int rcode; uint16_t flags, qd, an, ns, ar; };

/* A query for name/type (EDNS size edns, 0: none; DO set if dnssec and
 * edns) and the reply's header. */
static struct reply ask_opt(ztable_t *zt, const char *name, uint16_t type, int edns, bool tcp,
                            bool dnssec)
{
	uint8_t q[512];
	size_t ql = fx_query(q, sizeof q, name, type, 0, edns);
	if (dnssec && edns)
		q[ql - 4] = 0x80;   /* the OPT TTL's DO bit */
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

static struct reply ask(ztable_t *zt, const char *name, uint16_t type, int edns, bool tcp)
{
	return ask_opt(zt, name, type, edns, tcp, false);
}

/* The signed zone "sig.test." (id 3): records from their text forms. */
static uint8_t sig_rd[64][512];
static int sig_nrd;

static struct zrr sig_rr(uint16_t type, const char *text)
{
	size_t len = 0;
	const char *why = NULL;
	uint8_t *rd = sig_rd[sig_nrd++];
	if (rdata_from_text(type, text, strlen(text), NULL, rd, 512, &len, &why))
		printf("# bad test record %s: %s\n", text, why);
	bool nsec = type == RR_NSEC || (type == RR_RRSIG && strncmp(text, "NSEC", 4) == 0);
	return (struct zrr){ type, nsec ? 30 : 300, (uint16_t)len, rd };
}

#define SIG(t) "13 2 300 20300101000000 20200101000000 1 sig.test. AQID"

static void sig_zone(ztable_t *zt)
{
	uint8_t apex[DNAME_MAX], owner[DNAME_MAX];
	struct zsoa soa;
	fx_soa(&soa, apex, "sig.test.", 1);
	fx_name(soa.rname, "h.sig.test.");
	struct zrr top[] = {
		sig_rr(RR_NS, "ns1.sig.test."), sig_rr(RR_RRSIG, "NS " SIG()),
		sig_rr(RR_DNSKEY, "257 3 13 AQID"), sig_rr(RR_RRSIG, "DNSKEY " SIG()),
		sig_rr(RR_RRSIG, "SOA " SIG()),
		sig_rr(RR_NSEC, "a.sig.test. NS SOA RRSIG NSEC DNSKEY"), sig_rr(RR_RRSIG, "NSEC " SIG()),
	};
	struct zrr a[] = {
		sig_rr(RR_RRSIG, "A 13 3 300 20300101000000 20200101000000 1 sig.test. AQID"),
		sig_rr(RR_A, "192.0.2.1"),
		sig_rr(RR_NSEC, "c.sig.test. A RRSIG NSEC"),
		sig_rr(RR_RRSIG, "NSEC 13 3 30 20300101000000 20200101000000 1 sig.test. AQID"),
	};
	struct zrr c[] = {
		sig_rr(RR_TXT, "\"c\""), sig_rr(RR_RRSIG, "TXT 13 3 300 20300101000000 20200101000000 1 sig.test. AQID"),
		sig_rr(RR_NSEC, "sig.test. TXT RRSIG NSEC"),
		sig_rr(RR_RRSIG, "NSEC 13 3 30 20300101000000 20200101000000 1 sig.test. AQID"),
	};
	zt_write_begin(zt);
	is_int(zt_set_zone(zt, 3, apex, &soa, top, sizeof top / sizeof top[0]), 0, "signed zone sig.test.");
	fx_name(owner, "a.sig.test.");
	is_int(zt_set_name(zt, 3, owner, a, 4), 0, "a.sig.test.: A, NSEC and their RRSIGs");
	fx_name(owner, "c.sig.test.");
	is_int(zt_set_name(zt, 3, owner, c, 4), 0, "c.sig.test.: TXT, NSEC and their RRSIGs");
	zt_write_end(zt);
}

/* The owner of the NSEC covering `name` in zone 3, as text. */
static const char *cover(ztable_t *zt, const char *name)
{
	static char text[DNAME_MAX * 4];
	uint8_t n[DNAME_MAX];
	fx_name(n, name);
	urcu_memb_read_lock();
	const struct zone *z = zt_zone_by_id(zt, 3);
	const struct znode *c = z ? zt_chain_find(zt, z, n) : NULL;
	if (!c || dname_to_text(zn_name(c), text, sizeof text) < 0)
		snprintf(text, sizeof text, "(none)");
	urcu_memb_read_unlock();
	return text;
}

/* ask() with the DO bit (EDNS size edns). */
static struct reply ask_do(ztable_t *zt, const char *name, uint16_t type, int edns, bool tcp)
{
	return ask_opt(zt, name, type, edns, tcp, true);
}

static void test_signed(ztable_t *zt)
{
	struct reply r;
	uint8_t n[DNAME_MAX];
	sig_zone(zt);

	urcu_memb_read_lock();
	const struct znode *a = zt_lookup(zt, 3, n, fx_name(n, "a.sig.test."));
	const struct zset *sa = a ? zn_find_sig(a, RR_A) : NULL, *sn = a ? zn_find_sig(a, RR_NSEC) : NULL;
	ok(sa && sn && sa != sn && sa->count == 1 && sn->count == 1 && sn->ttl == 30,
	   "one RRSIG set per covered type, each with its own TTL");
	ok(a && !zn_find_sig(a, RR_AAAA), "no RRSIG set for a type not signed");
	const struct znode *ap = zt_lookup(zt, 3, n, fx_name(n, "sig.test."));
	const struct zset *neg = ap ? zn_neg_soa_sig(ap) : NULL;
	ok(neg && neg->count == 1 && neg->ttl == 30, "the SOA's RRSIG copy for negative answers has TTL 30");
	urcu_memb_read_unlock();

	is_str(cover(zt, "b.sig.test."), "a.sig.test.", "b is covered by a's NSEC");
	is_str(cover(zt, "zzz.sig.test."), "c.sig.test.", "zzz is covered by the last NSEC");
	is_str(cover(zt, "x.a.sig.test."), "a.sig.test.", "below a: still a's NSEC (canonical order)");
	is_str(cover(zt, "*.sig.test."), "sig.test.", "the wildcard: the apex's NSEC");
	is_str(cover(zt, "c.sig.test."), "c.sig.test.", "an owner finds its own NSEC");

	r = ask_do(zt, "a.sig.test.", RR_A, 1232, false);
	ok(r.rcode == 0 && r.an == 2 && r.ns == 0, "DO: A and its RRSIG");
	r = ask(zt, "a.sig.test.", RR_A, 1232, false);
	ok(r.rcode == 0 && r.an == 1, "no DO: only the A");
	r = ask_do(zt, "b.sig.test.", RR_A, 1232, false);
	ok(r.rcode == RCODE_NXDOMAIN && r.ns == 6 && !(r.flags & DNS_AD),
	   "DO NXDOMAIN: SOA, two NSEC and three RRSIGs, AD clear (ns %u)", r.ns);
	r = ask_do(zt, "a.sig.test.", RR_TXT, 1232, false);
	ok(r.rcode == 0 && r.an == 0 && r.ns == 4, "DO NODATA: SOA, a's NSEC, RRSIGs (ns %u)", r.ns);
	r = ask_do(zt, "sig.test.", RR_DNSKEY, 1232, false);
	ok(r.rcode == 0 && r.an == 2, "DO DNSKEY: the key and its RRSIG");
	r = ask_do(zt, "a.sig.test.", RR_RRSIG, 1232, false);
	ok(r.rcode == 0 && r.an == 2, "qtype RRSIG: every covered type's set");
	r = ask_do(zt, "a.sig.test.", RR_ANY, 1232, true);
	ok(r.rcode == 0 && r.an == 4, "DO ANY over TCP: A, NSEC and their RRSIGs once each (an %u)", r.an);
	r = ask_do(zt, "nope.dyn.test.", RR_A, 1232, false);
	ok(r.rcode == RCODE_NXDOMAIN && r.ns == 1, "DO in an unsigned zone changes nothing");

	/* the index follows names as they come and go, at the end of the batch */
	zt_write_begin(zt);
	fx_name(n, "c.sig.test.");
	is_int(zt_set_name(zt, 3, n, NULL, 0), 0, "c.sig.test. removed");
	is_str(cover(zt, "zzz.sig.test."), "a.sig.test.",
	       "a removed owner is stepped over even before the batch ends");
	zt_write_end(zt);
	is_str(cover(zt, "zzz.sig.test."), "a.sig.test.", "then zzz is covered by a's NSEC");
	struct zrr b[] = { sig_rr(RR_A, "192.0.2.2"), sig_rr(RR_NSEC, "sig.test. A RRSIG NSEC") };
	zt_write_begin(zt);
	fx_name(n, "b.sig.test.");
	is_int(zt_set_name(zt, 3, n, b, 1), 0, "b.sig.test. added without NSEC");
	is_int(zt_set_name(zt, 3, n, b, 2), 0, "then with NSEC, in the same batch");
	zt_write_end(zt);
	is_str(cover(zt, "bb.sig.test."), "b.sig.test.", "the last change of the batch counts");
	fx_name(n, "sig.test.");
	zt_write_begin(zt);
	zt_del_zone(zt, 3);
	zt_write_end(zt);
	is_str(cover(zt, "bb.sig.test."), "(none)", "the zone and its chain are gone");
}

/* The name index grows past its first size (rebuilt while names are
 * in it), and names deleted and added again reuse their slots (churn
 * that fills the table with deleted slots makes it rebuild clean). */
static void test_growth(ztable_t *zt)
{
	char name[64];
	const uint16_t a[] = { RR_A };
	const char *ip[] = { "192.0.2.7" };
	int bad = 0, n = 20000;

	zt_write_begin(zt);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "g%d.grow.dyn.test.", i);
		bad += fx_set(zt, 1, name, 1, a, ip) != 0;
	}
	zt_write_end(zt);
	for (int i = 0; i < n; i += 97) {
		snprintf(name, sizeof name, "g%d.grow.dyn.test.", i);
		bad += ask(zt, name, RR_A, 0, false).an != 1;
	}
	is_int(bad, 0, "20,000 names added: each one found after the table grew");
	for (int round = 0; round < 3; round++) {
		zt_write_begin(zt);
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof name, "g%d.grow.dyn.test.", i);
			if (i % 2 == 0)
				fx_set(zt, 1, name, 0, NULL, NULL);
			snprintf(name, sizeof name, "c%d-%d.grow.dyn.test.", round, i);
			bad += fx_set(zt, 1, name, 1, a, ip) != 0;
			snprintf(name, sizeof name, "c%d-%d.grow.dyn.test.", round, i);
			fx_set(zt, 1, name, 0, NULL, NULL);
			snprintf(name, sizeof name, "g%d.grow.dyn.test.", i);
			if (i % 2 == 0)
				bad += fx_set(zt, 1, name, 1, a, ip) != 0;
		}
		zt_write_end(zt);
	}
	int miss = 0, extra = 0;
	for (int i = 0; i < n; i += 7) {
		snprintf(name, sizeof name, "g%d.grow.dyn.test.", i);
		miss += ask(zt, name, RR_A, 0, false).an != 1;
		snprintf(name, sizeof name, "c2-%d.grow.dyn.test.", i);
		extra += ask(zt, name, RR_A, 0, false).rcode != RCODE_NXDOMAIN;
	}
	ok(!bad && !miss && !extra, "after churn: all kept names found, removed ones gone");
	zt_write_begin(zt);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "g%d.grow.dyn.test.", i);
		fx_set(zt, 1, name, 0, NULL, NULL);
	}
	zt_write_end(zt);
	is_int(ask(zt, "grow.dyn.test.", RR_A, 0, false).rcode, RCODE_NXDOMAIN,
	       "the last child gone, the ENT above it is gone too");
}

/* The UDP fast path: wherever it answers, its reply is the full path's,
 * byte for byte, and counted alike; it leaves to the full path what it
 * does not handle. */
static size_t fast_cmp(ztable_t *zt, const uint8_t *q, size_t ql, int *taken, int *same)
{
	static uint8_t a[EDNS_OUR_SIZE], b[EDNS_OUR_SIZE];
	struct answer_stats s1 = { 0 }, s2 = { 0 };
	urcu_memb_read_lock();
	size_t fl = answer_udp_fast(zt, q, ql, a, &s1);
	urcu_memb_read_unlock();
	size_t sl = answer_query(zt, q, ql, b, sizeof b, false, &s2);
	if (fl) {
		(*taken)++;
		*same += fl == sl && memcmp(a, b, fl) == 0 && memcmp(&s1, &s2, sizeof s1) == 0;
	}
	return fl;
}

/* OPT RDATA variants put after a query's OPT: the options' bytes, and the
 * RDLENGTH to claim (0: their length); `regular` if dns_query_parse
 * accepts them (the fast path may answer), else its FORMERR. */
struct optv {
	uint8_t len;
	uint8_t rdlen;
	bool regular;
	uint8_t data[40];
};

#define COOKIE8 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8
static const struct optv optv[] = {
	{ 0, 0, true, { 0 } },                                    /* none */
	{ 12, 0, true, { COOKIE8 } },                             /* client cookie */
	{ 28, 0, true, { 0, 10, 0, 24, 1, 2, 3, 4, 5, 6, 7, 8,    /* with a server cookie */
	                 1, 0, 0, 0, 0x67, 0x89, 0xab, 0xcd, 9, 8, 7, 6, 5, 4, 3, 2 } },
	{ 20, 0, true, { 0, 12, 0, 16 } },                        /* padding */
	{ 24, 0, true, { COOKIE8, 0, 12, 0, 8 } },                /* two options */
	{ 4, 0, true, { 0, 8 } },                                 /* an empty option */
	{ 2, 0, false, { 0, 10 } },                               /* truncated header */
	{ 14, 0, false, { COOKIE8, 0, 12 } },                     /* ... after an option */
	{ 12, 0, false, { 0, 10, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8 } }, /* longer than RDATA */
	{ 12, 13, false, { COOKIE8 } },                           /* RDATA past the end */
	{ 12, 11, false, { COOKIE8 } },                           /* RDATA short of it */
};

/* The query in q[0..ql) (with an OPT) given DO, EDNS version `ver` and
 * option variant v; its new length. */
static size_t opt_variant(uint8_t *q, size_t ql, bool dnssec, uint8_t ver, const struct optv *v)
{
	q[ql - 5] = ver;
	q[ql - 4] = dnssec ? 0x80 : 0;
	wire_store_u16(q + ql - 2, v->rdlen ? v->rdlen : v->len);
	memcpy(q + ql, v->data, v->len);
	return ql + v->len;
}

static void test_fast(ztable_t *zt)
{
	uint8_t q[600];
	fx_plain(zt);

	static const char *const names[] = {
		"h1.plain.test.", "H1.PlAiN.tEsT.", "plain.test.", "two.plain.test.",
		"nope.plain.test.", "a.nope.plain.test.", "ent.plain.test.", "x.ent.plain.test.",
		"alias.plain.test.", "big.plain.test.", "h1.dyn.test.", "nope.dyn.test.",
		"example.org.", ".", "a.sig.test.", "nope.sig.test.", "ns1.plain.test.",
		"sig.test.", "c.sig.test.",
		/* dyn.test. has a delegation (sub): one label below its apex
		 * the fast path answers unless the name is the delegation */
		"dyn.test.", "sub.dyn.test.", "SUB.dyn.test.", "ns.sub.dyn.test.", "x.sub.dyn.test.",
		"b.dyn.test.", "a.b.dyn.test.", "alias.dyn.test.", "big.dyn.test.",
	};
	static const uint16_t types[] = { RR_A, RR_AAAA, RR_TXT, RR_MX, RR_NS, RR_SOA,
	                                  RR_CNAME, RR_ANY, RR_DS, RR_DNSKEY, RR_RRSIG,
	                                  RR_NSEC, 65280, RR_AXFR, RR_OPT, 0 };
	static const int edns[] = { 0, 100, 512, 600, 1232, 4096 };
	static const uint16_t flags[] = { 0, DNS_RD, DNS_RD | DNS_CD | DNS_AD, DNS_TC, 0x0040,
	                                  1 << 11, DNS_QR };
	int taken = 0, same = 0, n = 0, shapes = 0, do_taken = 0, opt_taken = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
			for (size_t e = 0; e < sizeof edns / sizeof edns[0]; e++)
				for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++) {
					size_t ql = fx_query(q, sizeof q, names[i], types[t], flags[f], edns[e]);
					shapes++;
					fast_cmp(zt, q, ql, &taken, &same);
					/* DO, version and options: the full path answers
					 * BADVERS, FORMERR and DNSSEC (DO in the signed
					 * sig.test.) */
					bool sig = strstr(names[i], "sig.test.") != NULL;
					for (int k = 0; edns[e] && k < 4; k++)
						for (size_t v = k ? 0 : 1; v < sizeof optv / sizeof optv[0]; v++) {
							bool dnssec = k & 1;
							uint8_t ver = (uint8_t)(k >> 1);
							size_t vl = opt_variant(q, ql, dnssec, ver, &optv[v]);
							shapes++;
							size_t fl = fast_cmp(zt, q, vl, &taken, &same);
							if (ver || !optv[v].regular || (dnssec && sig))
								n += fl != 0;
							do_taken += fl && dnssec;
							opt_taken += fl && v;
						}
					ql = fx_query(q, sizeof q, names[i], types[t], flags[f], edns[e]);
					for (size_t cut = 1; cut < 6; cut++)
						n += fast_cmp(zt, q, ql - cut, &taken, &same) != 0;
					q[ql] = 0;
					n += fast_cmp(zt, q, ql + 1, &taken, &same) != 0;
					shapes += 6;
				}
	printf("# %d query shapes\n", shapes);
	ok(do_taken > 1000, "DO in an unsigned zone: the fast path (%d)", do_taken);
	ok(opt_taken > 1000, "EDNS options: the fast path (%d)", opt_taken);
	ok(taken > 1000, "the fast path answers the common shapes (%d)", taken);
	is_int(same, taken, "each of its answers is the full path's, byte for byte");
	is_int(n, 0, "DO in a signed zone, EDNS version 1, irregular options, short or long "
	       "packets: full path");

	/* the ones it must take, and a compressed question it must not */
	size_t ql = fx_query(q, sizeof q, "h1.plain.test.", RR_A, DNS_RD, 0);
	taken = same = 0;
	fast_cmp(zt, q, ql, &taken, &same);
	ql = fx_query(q, sizeof q, "nope.plain.test.", RR_AAAA, 0, 1232);
	fast_cmp(zt, q, ql, &taken, &same);
	is_int(taken, 2, "A, and a miss with EDNS, take the fast path");
	/* in a zone with a delegation: names one label below the apex, not
	 * the delegation itself nor anything below it */
	static const struct { const char *name; uint16_t type; int fast; } dl[] = {
		{ "h1.dyn.test.", RR_A, 1 }, { "nope.dyn.test.", RR_AAAA, 1 },
		{ "dyn.test.", RR_SOA, 1 }, { "sub.dyn.test.", RR_A, 0 },
		{ "sub.dyn.test.", RR_DS, 0 }, { "ns.sub.dyn.test.", RR_A, 0 },
		{ "a.b.dyn.test.", RR_A, 0 },
	};
	for (size_t i = 0; i < sizeof dl / sizeof dl[0]; i++) {
		taken = same = 0;
		ql = fx_query(q, sizeof q, dl[i].name, dl[i].type, 0, 0);
		fast_cmp(zt, q, ql, &taken, &same);
		ok(taken == dl[i].fast && same == taken, "zone with a delegation: %s type %u: %s path",
		   dl[i].name, dl[i].type, dl[i].fast ? "fast" : "full");
	}
	/* DO and a cookie, as resolvers send: answered there, DO echoed */
	static uint8_t a[EDNS_OUR_SIZE];
	struct answer_stats fst = { 0 };
	ql = opt_variant(q, fx_query(q, sizeof q, "h1.plain.test.", RR_AAAA, 0, 1232), true, 0,
	                 &optv[1]);
	urcu_memb_read_lock();
	size_t al = answer_udp_fast(zt, q, ql, a, &fst);
	urcu_memb_read_unlock();
	ok(al > 11 && a[al - 11] == 0 && wire_load_u16(a + al - 10) == RR_OPT &&
	   wire_load_u16(a + al - 4) == EDNS_DO && wire_load_u16(a + al - 2) == 0,
	   "DO and a cookie in an unsigned zone: fast path, DO echoed, no options");
	/* a zone's DNSKEY comes and goes with its apex (the writer's
	 * ZN_DNSKEY): DO answers move to the full path and back */
	int moved = 0;
	ql = opt_variant(q, fx_query(q, sizeof q, "h1.keyed.test.", RR_A, 0, 1232), true, 0,
	                 &optv[1]);
	taken = same = 0;
	for (int k = 0; k < 3; k++) {
		fx_keyed(zt, 6, "keyed.test.", k == 1);
		moved += (fast_cmp(zt, q, ql, &taken, &same) != 0) == (k != 1);
	}
	ok(moved == 3 && same == taken, "DO: fast path while unsigned, full path once signed, "
	   "fast again when unsigned");
	size_t fl = answer_query(zt, q, ql, a, sizeof a, false, &fst);
	fx_keyed(zt, 6, "keyed.test.", true);
	ok(answer_query(zt, q, ql, a, sizeof a, false, &fst) > fl, "... the signed answer has the RRSIG");
	/* version 1: the full path's BADVERS (extended rcode 1 in the OPT) */
	ql = opt_variant(q, fx_query(q, sizeof q, "h1.plain.test.", RR_A, 0, 1232), true, 1,
	                 &optv[1]);
	al = answer_query(zt, q, ql, a, sizeof a, false, &fst);
	ok(al > 11 && (a[3] & 0xF) == 0 && a[al - 6] == 1, "EDNS version 1: BADVERS");
	static const uint8_t comp[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	                                0xC0, 12, 0, 1, 0, 1 };
	is_int(fast_cmp(zt, comp, sizeof comp, &taken, &same), 0, "a pointer in the question: full path");
	/* a NODATA whose SOA does not fit 512 bytes is left to the full path */
	char lab[64], qname[256];
	memset(lab, 'q', 63);
	lab[63] = 0;
	snprintf(qname, sizeof qname, "%s.%s.%s.long.test.", lab, lab, lab);
	ql = fx_query(q, sizeof q, qname, RR_A, 0, 0);
	is_int(fast_cmp(zt, q, ql, &taken, &same), 0, "an answer to truncate: full path");
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

	test_growth(zt);
	test_signed(zt);
	test_fast(zt);

	zt_free(zt);
	zt_thread_unregister();
	return tap_done();
}
