/* The authoritative answer logic.  Hot path: no allocation, no locks, no
 * system calls.  Owner names are written as compression pointers into the
 * question wherever they are the query name or one of its suffixes; the
 * rest of each RR is a copy of bytes prepared by the zone table. */
/* liburcu's read-side lock inline (its static headers): through the
 * shared library each lock and unlock cost a call and a TLS lookup */
#define _LGPL_SOURCE
#include "src/dns/answer.h"

#include <string.h>

#include "proto/dnsmsg.h"
#include "proto/nsec3.h"
#include "proto/rdata.h"

#define MAX_CNAME_CHAIN 8

struct actx {
	const ztable_t *zt;
	const struct zone *z;
	const dns_query_t *q;
	wire_t w;
	size_t limit;          /* w.len minus room kept for the OPT record */
	wire_ctab_t ct;
	uint16_t an, ns, ar;
	bool tc;
	/* DNSSEC (the functions under "DNSSEC" below) */
	bool dnssec;           /* DO set and the zone signed: add RRSIGs, proofs */
	bool nsec3;            /* ... and the zone denies with NSEC3 */
	bool n3ok;             /* ... whose parameters we can hash with */
	struct nsec3_param n3p;
	bool wild;             /* zone_find's last match was a wildcard's */
	uint8_t ce_off;        /* ... and its closest encloser's offset in sname */
	uint8_t sname_len;
	uint8_t nproof;
	const struct znode *proof[4];   /* NSEC owners already in the authority */
	uint8_t sname[DNAME_MAX];       /* the name zone_find last looked for */
};

static bool dnssec_sigs(struct actx *a, uint16_t ptr, const uint8_t *owner,
                        const struct znode *n, uint16_t type, uint16_t *count);
static void dnssec_neg_soa_sigs(struct actx *a, const struct znode *apex);
static void dnssec_nodata(struct actx *a, const struct znode *n);
static void dnssec_nxdomain(struct actx *a);
static void dnssec_wild(struct actx *a);
static void dnssec_referral(struct actx *a, const struct znode *cut,
                            uint16_t ptr, const uint8_t *owner);

/* Compression pointer to the suffix of the query name with `labels`
 * labels (the question starts at offset 12). */
static uint16_t qptr(const dns_query_t *q, unsigned labels)
{
	unsigned off = labels == 0 ? q->qname_len - 1u
	             : q->label_off[q->nlabels - labels];
	return (uint16_t)(0xC000 | (DNS_HDR + off));
}

/* Write every RR of a set with the given owner (a pointer, or a name to
 * write with compression when ptr is 0).  Returns false, writing nothing,
 * if the set does not fit. */
static bool put_set(struct actx *a, uint16_t ptr, const uint8_t *owner,
                    const struct znode *n, const struct zset *s)
{
	size_t start = wire_pos(&a->w);
	const uint8_t *p = zn_data(n) + s->off, *end = p + s->len;
	wire_t *w = &a->w;
	size_t save_len = w->len;

	w->len = a->limit;
	while (p < end) {
		uint16_t rdlen = wire_load_u16(p + 8);
		size_t rrlen = 10 + (size_t)rdlen;
		if (ptr)
			wire_write_u16(w, ptr);
		else
			wire_write_name(w, owner, &a->ct);
		wire_write_bytes(w, p, rrlen);
		p += rrlen;
	}
	w->len = save_len;
	if (w->err) {
		w->err = 0;
		wire_seek(w, start);
		return false;
	}
	return true;
}

static bool put_answer(struct actx *a, uint16_t ptr, const uint8_t *owner,
                       const struct znode *n, const struct zset *s)
{
	if (!put_set(a, ptr, owner, n, s)) {
		a->tc = true;
		return false;
	}
	a->an += s->count;
	return !a->dnssec || dnssec_sigs(a, ptr, owner, n, s->type, &a->an);
}

/* The SOA a negative answer carries (RFC 2308).  If it does not fit, the
 * answer is truncated: without the SOA a resolver cannot cache the
 * negative answer, so it must retry over TCP (RFC 2181 §9). */
static void put_neg_soa(struct actx *a)
{
	const struct znode *apex = rcu_dereference(a->z->apex_node);
	const struct zset *s = zn_find_set(apex, ZSET_NEG_SOA);
	if (!s)
		return;
	if (put_set(a, qptr(a->q, a->z->apex_labels), NULL, apex, s))
		a->ns += s->count;
	else
		a->tc = true;
	if (a->dnssec)
		dnssec_neg_soa_sigs(a, apex);
}

/* Additional section: A and AAAA of in-zone names that NS, MX and SRV
 * records in `s` point at.  Best effort: what does not fit is left out. */
static void put_additional(struct actx *a, const struct znode *n,
                           const struct zset *s)
{
	const uint8_t *p = zn_data(n) + s->off, *end = p + s->len;
	while (p < end) {
		uint16_t rdlen = wire_load_u16(p + 8);
		int off = s->type == RR_NS ? 0 : s->type == RR_MX ? 2 : 6;
		if ((size_t)off >= rdlen)
			off = -1;
		if (off >= 0) {
			uint8_t tname[DNAME_MAX];
			size_t tlen = dname_len(p + 10 + off, (size_t)rdlen - (size_t)off);
			if (tlen && dname_is_sub(p + 10 + off, a->z->apex)) {
				dname_copy_lower(tname, p + 10 + off);
				const struct znode *t = zt_lookup(a->zt, a->z->id, tname, tlen);
				for (int k = 0; t && k < 2; k++) {
					const struct zset *g = zn_find_set(t, k ? RR_AAAA : RR_A);
					if (g && put_set(a, 0, p + 10 + off, t, g))
						a->ar += g->count;
				}
			}
		}
		p += 10 + (size_t)rdlen;
	}
}

enum zfind { ZF_NONE, ZF_NODE, ZF_DELEG };

/* RFC 1034 §4.3.2 step 3 for `name` (lowercase wire, `len` bytes, labels
 * at `off[0..nlabels)`) in zone a->z: a delegation on the way down (except
 * for DS at the cut itself: that is the parent's), else the name, else the
 * wildcard at its closest encloser (RFC 4592).  *out gets the node, or the
 * cut for ZF_DELEG with *cut_labels its label count. */
static enum zfind zone_find(struct actx *a, const uint8_t *name,
                            size_t len, const uint8_t *off, unsigned nlabels,
                            const struct znode **out, unsigned *cut_labels)
{
	const struct zone *z = a->z;
	const ztable_t *zt = a->zt;
	unsigned below = nlabels - z->apex_labels;   /* labels under apex */

	a->wild = false;
	if (a->dnssec) {
		memcpy(a->sname, name, len);
		a->sname_len = (uint8_t)len;
		a->ce_off = 0;
	}

	if (z->ndeleg) {
		for (unsigned i = below; i-- > 0;) {
			const struct znode *n = zt_lookup(zt, z->id, name + off[i],
			                                  len - off[i]);
			if (!n)
				break;
			if ((n->flags & ZN_DELEG) && !(i == 0 && a->q->qtype == RR_DS)) {
				*out = n;
				*cut_labels = nlabels - i;
				return ZF_DELEG;
			}
		}
	}
	if ((*out = zt_lookup(zt, z->id, name, len)) != NULL)
		return ZF_NODE;
	for (unsigned i = 1; i <= below; i++) {
		unsigned o = i == nlabels ? (unsigned)len - 1u : off[i];
		size_t celen = len - o;
		const struct znode *ce = i == below ? rcu_dereference(z->apex_node)
		                       : zt_lookup(zt, z->id, name + o, celen);
		if (!ce)
			continue;
		a->ce_off = (uint8_t)o;
		uint8_t wname[DNAME_MAX];
		if (celen + 2 > DNAME_MAX || !__atomic_load_n(&z->nwild, __ATOMIC_RELAXED))
			break;
		wname[0] = 1;
		wname[1] = '*';
		memcpy(wname + 2, name + o, celen);
		*out = zt_lookup(zt, z->id, wname, celen + 2);
		a->wild = *out != NULL;
		return *out ? ZF_NODE : ZF_NONE;
	}
	return ZF_NONE;
}

/* A referral to the delegation at node `cut`, its owner written as `ptr`
 * or `owner`. */
static void answer_referral(struct actx *a, const struct znode *cut,
                            uint16_t ptr, const uint8_t *owner)
{
	const struct zset *s = zn_find_set(cut, RR_NS);
	if (!put_set(a, ptr, owner, cut, s)) {
		a->tc = true;
		return;
	}
	a->ns += s->count;
	if (a->dnssec)
		dnssec_referral(a, cut, ptr, owner);
	put_additional(a, cut, s);
}

/* The answer for a name that exists (node n, owner written as `ptr` or
 * `owner`).  Follows CNAMEs inside the zone, to names, wildcards and
 * delegations alike, stopping at a loop.  Sets the rcode. */
static int answer_node(struct actx *a, const struct znode *n, uint16_t ptr,
                       const uint8_t *owner, bool tcp)
{
	const dns_query_t *q = a->q;
	const struct znode *seen[MAX_CNAME_CHAIN + 1];
	seen[0] = n;
	for (int hop = 0; ; hop++) {
		if (q->qtype == RR_ANY) {
			/* RFC 8482: over UDP one RRset is enough; TCP gets all */
			bool any = false;
			for (unsigned i = 0; i < n->nsets; i++) {
				const struct zset *s = &n->sets[i];
				if (s->type == ZSET_NEG_SOA ||
				    (a->dnssec && s->type == RR_RRSIG))
					continue;
				if (!put_answer(a, ptr, owner, n, s))
					return RCODE_NOERROR;
				any = true;
				if (!tcp)
					break;
			}
			if (!any) {
				put_neg_soa(a);
				if (a->dnssec)
					dnssec_nodata(a, n);
			}
			return RCODE_NOERROR;
		}
		const struct zset *s = zn_find_set(n, q->qtype);
		if (s && s->type == RR_RRSIG) {
			/* one set per covered type: all of them */
			for (unsigned i = 0; i < n->nsets; i++)
				if (n->sets[i].type == RR_RRSIG &&
				    !put_answer(a, ptr, owner, n, &n->sets[i]))
					break;
			return RCODE_NOERROR;
		}
		if (s) {
			if (put_answer(a, ptr, owner, n, s) &&
			    (s->type == RR_NS || s->type == RR_MX || s->type == RR_SRV))
				put_additional(a, n, s);
			if (a->dnssec && a->wild)
				dnssec_wild(a);
			return RCODE_NOERROR;
		}
		if (!(n->flags & ZN_CNAME)) {
			put_neg_soa(a);
			if (a->dnssec)
				dnssec_nodata(a, n);
			return RCODE_NOERROR;
		}
		s = zn_find_set(n, RR_CNAME);
		if (!put_answer(a, ptr, owner, n, s))
			return RCODE_NOERROR;
		if (a->dnssec && a->wild)
			dnssec_wild(a);
		/* chase the target if it is in this zone (not in a zone
		 * below it that we also serve) */
		const uint8_t *target = zn_data(n) + s->off + 10;
		uint8_t lt[DNAME_MAX], off[128];
		size_t tlen = dname_copy_lower(lt, target);
		unsigned nl = 0;
		for (size_t i = 0; lt[i]; i += 1 + (size_t)lt[i])
			off[nl++] = (uint8_t)i;
		if (hop >= MAX_CNAME_CHAIN || !dname_is_sub(lt, a->z->apex) ||
		    zt_find_zone(a->zt, lt, tlen, off, nl) != a->z)
			return RCODE_NOERROR;
		const struct znode *t;
		unsigned cut;
		switch (zone_find(a, lt, tlen, off, nl, &t, &cut)) {
		case ZF_NONE:
			put_neg_soa(a);
			if (a->dnssec)
				dnssec_nxdomain(a);
			return RCODE_NXDOMAIN;
		case ZF_DELEG:
			answer_referral(a, t, 0, target + off[nl - cut]);
			return RCODE_NOERROR;
		case ZF_NODE:
			break;
		}
		for (int k = 0; k <= hop; k++)
			if (seen[k] == t)
				return RCODE_NOERROR;   /* a loop: what was written is all */
		seen[hop + 1] = t;
		n = t;
		ptr = 0;
		owner = target;
	}
}

static int answer_in_zone(struct actx *a, bool tcp, bool *aa)
{
	const dns_query_t *q = a->q;
	const struct znode *n;
	unsigned cut;

	switch (zone_find(a, q->qname, q->qname_len, q->label_off, q->nlabels,
	                  &n, &cut)) {
	case ZF_DELEG:
		*aa = false;
		answer_referral(a, n, qptr(q, cut), NULL);
		return RCODE_NOERROR;
	case ZF_NODE:
		return answer_node(a, n, qptr(q, q->nlabels), NULL, tcp);
	case ZF_NONE:
		break;
	}
	put_neg_soa(a);
	if (a->dnssec)
		dnssec_nxdomain(a);
	return RCODE_NXDOMAIN;
}

/* DNSSEC (RFC 4035 §3.1) ---------------------------------------------------
 *
 * With the DO bit, for a zone whose apex has a DNSKEY RRset: every RRset
 * given goes out with its stored RRSIGs, and negative, wildcard and
 * referral answers carry the NSEC (or NSEC3, RFC 5155 §7.2) records that
 * prove them.  Nothing is
 * signed here; AD stays clear (we are authoritative, not a validator).  What
 * does not fit truncates the answer. */

static void dnssec_begin(struct actx *a)
{
	const struct znode *apex = rcu_dereference(a->z->apex_node);
	a->dnssec = a->q->edns && (a->q->edns_flags & EDNS_DO) && (apex->flags & ZN_DNSKEY);
	a->wild = false;
	a->nproof = 0;
	const struct zset *p = a->dnssec ? zn_find_set(apex, RR_NSEC3PARAM) : NULL;
	a->nsec3 = p != NULL;
	a->n3ok = p && nsec3_param_read(zn_data(apex) + p->off + 10,
	                                wire_load_u16(zn_data(apex) + p->off + 8), &a->n3p) == 0;
}

/* Set s (NULL: nothing to do) of node n, owner as given, counted in
 * *count.  False (and TC) if it does not fit. */
static bool put_counted(struct actx *a, uint16_t ptr, const uint8_t *owner,
                        const struct znode *n, const struct zset *s, uint16_t *count)
{
	if (!s)
		return true;
	if (!put_set(a, ptr, owner, n, s)) {
		a->tc = true;
		return false;
	}
	*count += s->count;
	return true;
}

/* The RRSIGs at n covering `type`, owner as for the set, counted in
 * *count.  False (and TC) if they do not fit; true if there are none. */
static bool dnssec_sigs(struct actx *a, uint16_t ptr, const uint8_t *owner,
                        const struct znode *n, uint16_t type, uint16_t *count)
{
	return put_counted(a, ptr, owner, n, zn_find_sig(n, type), count);
}

/* The RRSIGs of the negative answer's SOA (with its TTL). */
static void dnssec_neg_soa_sigs(struct actx *a, const struct znode *apex)
{
	put_counted(a, qptr(a->q, a->z->apex_labels), NULL, apex, zn_neg_soa_sig(apex), &a->ns);
}

/* The NSEC (or NSEC3: type) at node n (owner: its own name) and its
 * RRSIGs, once per answer, in the authority section.  False if n has none. */
static bool dnssec_proof(struct actx *a, const struct znode *n, uint16_t type)
{
	const struct zset *s = n ? zn_find_set(n, type) : NULL;
	if (!s)
		return false;
	for (unsigned i = 0; i < a->nproof; i++)
		if (a->proof[i] == n)
			return true;
	if (a->nproof < sizeof a->proof / sizeof a->proof[0])
		a->proof[a->nproof++] = n;
	if (put_counted(a, 0, zn_name(n), n, s, &a->ns))
		dnssec_sigs(a, 0, zn_name(n), n, type, &a->ns);
	return true;
}

static void dnssec_nsec(struct actx *a, const struct znode *n)
{
	dnssec_proof(a, n, RR_NSEC);
}

/* NSEC3 (RFC 5155 §7.2): the NSEC3 whose owner is the hash of lname
 * (match) or the one whose span covers that hash (cover). */
static void n3_proof(struct actx *a, const uint8_t *lname, bool match)
{
	uint8_t owner[DNAME_MAX];
	if (!a->n3ok || !nsec3_owner(lname, a->z->apex, &a->n3p, owner))
		return;
	const struct znode *n = match ? zt_lookup(a->zt, a->z->id, owner,
	                                          dname_len(owner, DNAME_MAX))
	                              : zt_chain_find(a->zt, a->z, owner);
	dnssec_proof(a, n, RR_NSEC3);
}

/* The name one label longer than the closest encloser (the "next closer
 * name", §7.2.1), inside a->sname. */
static const uint8_t *n3_next_closer(const struct actx *a)
{
	size_t o = 0;
	while (o + 1 + a->sname[o] < a->ce_off)
		o += 1 + (size_t)a->sname[o];
	return a->sname + o;
}

/* The closest encloser proof (§7.2.1): the NSEC3 matching the closest
 * encloser and the one covering the next closer name. */
static void n3_ce_proof(struct actx *a)
{
	n3_proof(a, a->sname + a->ce_off, true);
	if (a->ce_off)
		n3_proof(a, n3_next_closer(a), false);
}

/* The NSEC covering a name that does not exist (its predecessor). */
static void dnssec_cover(struct actx *a, const uint8_t *lname)
{
	dnssec_nsec(a, zt_chain_find(a->zt, a->z, lname));
}

/* NXDOMAIN (RFC 4035 §3.1.3.2): the NSEC covering the name and the one
 * covering the wildcard at its closest encloser (NSEC3: the closest
 * encloser proof and the NSEC3 covering the wildcard, §7.2.2). */
static void dnssec_nxdomain(struct actx *a)
{
	uint8_t wname[DNAME_MAX];
	size_t celen = (size_t)a->sname_len - a->ce_off;
	if (a->nsec3)
		n3_ce_proof(a);
	else
		dnssec_cover(a, a->sname);
	if (celen + 2 > DNAME_MAX)
		return;
	wname[0] = 1;
	wname[1] = '*';
	memcpy(wname + 2, a->sname + a->ce_off, celen);
	if (a->nsec3)
		n3_proof(a, wname, false);
	else
		dnssec_cover(a, wname);
}

/* A wildcard answer (§3.1.3.3): the NSEC proving no closer name exists. */
static void dnssec_wild(struct actx *a)
{
	if (a->nsec3)
		n3_proof(a, n3_next_closer(a), false);
	else
		dnssec_cover(a, a->sname);
}

/* NODATA (§3.1.3.1, §3.1.3.4): the name's NSEC (its type map lacks the
 * type); for a wildcard match the wildcard's NSEC and the proof that the
 * name itself does not exist; an empty non-terminal has no NSEC of its
 * own: the one covering it. */
static void dnssec_nodata(struct actx *a, const struct znode *n)
{
	if (a->nsec3) {
		/* §7.2.3, §7.2.5: the name's (or wildcard's) NSEC3; for a
		 * wildcard also the closest encloser proof */
		n3_proof(a, zn_name(n), true);
		if (a->wild)
			n3_ce_proof(a);
		return;
	}
	if (zn_find_set(n, RR_NSEC))
		dnssec_nsec(a, n);
	else
		dnssec_cover(a, zn_name(n));
	if (a->wild)
		dnssec_wild(a);
}

/* A referral (§3.1.4): the DS RRset and its RRSIGs, or the NSEC at the
 * cut proving there is none. */
static void dnssec_referral(struct actx *a, const struct znode *cut,
                            uint16_t ptr, const uint8_t *owner)
{
	const struct zset *ds = zn_find_set(cut, RR_DS);
	if (!ds) {
		if (a->nsec3)
			n3_proof(a, zn_name(cut), true);   /* §7.2.7 */
		else
			dnssec_nsec(a, cut);
		return;
	}
	if (put_counted(a, ptr, owner, cut, ds, &a->ns))
		dnssec_sigs(a, ptr, owner, cut, RR_DS, &a->ns);
}

size_t answer_query(const ztable_t *zt, const uint8_t *pkt, size_t len,
                    uint8_t *out, size_t cap, bool tcp,
                    struct answer_stats *st)
{
	dns_query_t q;
	int rcode;
	dns_verdict_t v = dns_query_parse(pkt, len, &q, &rcode);
	return answer_parsed(zt, pkt, &q, v, rcode, out, cap, tcp, 0, st);
}

static enum answer_qt qtype_slot(uint16_t t)
{
	switch (t) {
	case RR_A: return AQT_A;
	case RR_AAAA: return AQT_AAAA;
	case RR_TXT: return AQT_TXT;
	case RR_SOA: return AQT_SOA;
	case RR_NS: return AQT_NS;
	case RR_ANY: return AQT_ANY;
	default: return AQT_OTHER;
	}
}

size_t answer_parsed(const ztable_t *zt, const uint8_t *pkt, const dns_query_t *q,
                     dns_verdict_t verdict, int rcode, uint8_t *out, size_t cap,
                     bool tcp, size_t reserve, struct answer_stats *st)
{
	struct actx a;

	METRICS_INC(st->queries);
	if (verdict != DNS_DROP)
		METRICS_INC(st->qtype[qtype_slot(q->qtype)]);
	switch (verdict) {
	case DNS_DROP:
		METRICS_INC(st->dropped);
		return 0;
	case DNS_ERROR:
		if (rcode == RCODE_NOTIMP)
			METRICS_INC(st->notimp);
		else
			METRICS_INC(st->formerr);
		return dns_resp_error(out, cap, pkt, q, rcode);
	case DNS_ANSWER:
		break;
	}

	/* meta queries we do not serve here */
	switch (q->qtype) {
	case RR_OPT: case RR_TSIG: case RR_TKEY: case 0:
		METRICS_INC(st->formerr);
		return dns_resp_error(out, cap, pkt, q, RCODE_FORMERR);
	case RR_MAILA: case RR_MAILB:
		METRICS_INC(st->notimp);
		return dns_resp_error(out, cap, pkt, q, RCODE_NOTIMP);
	case RR_AXFR: case RR_IXFR:
		METRICS_INC(st->refused);
		return dns_resp_error(out, cap, pkt, q, RCODE_REFUSED);
	}
	if (q->qclass != CLASS_IN && q->qclass != CLASS_ANY) {
		METRICS_INC(st->refused);
		return dns_resp_error(out, cap, pkt, q, RCODE_REFUSED);
	}

	size_t max = tcp ? 65535 : (q->edns ? q->edns_size : DNS_UDP_MIN);
	if (!tcp && max > EDNS_OUR_SIZE)
		max = EDNS_OUR_SIZE;
	if (max > cap)
		max = cap;
	/* what the reply may fill: the OPT and a TSIG RR are added after */
	size_t tail = (q->edns ? 11 : 0) + reserve;
	if (max < DNS_HDR + tail)
		return 0;
	wire_init(&a.w, out, max);
	a.limit = max - tail;
	a.zt = zt;
	a.q = q;
	a.an = a.ns = a.ar = 0;
	a.tc = false;
	a.ct.n = 0;
	for (unsigned i = 0; i < q->nlabels && a.ct.n < WIRE_CTAB_MAX; i++)
		a.ct.off[a.ct.n++] = (uint16_t)(DNS_HDR + q->label_off[i]);

	urcu_memb_read_lock();
	a.z = zt_find_zone(zt, q->qname, q->qname_len, q->label_off, q->nlabels);
	if (!a.z) {
		urcu_memb_read_unlock();
		METRICS_INC(st->refused);
		return dns_resp_error(out, cap, pkt, q, RCODE_REFUSED);
	}
	dnssec_begin(&a);
	bool aa = q->qclass == CLASS_IN;
	dns_resp_begin(&a.w, pkt, q, 0, 0);
	size_t qend = wire_pos(&a.w);
	rcode = answer_in_zone(&a, tcp, &aa);
	urcu_memb_read_unlock();

	if (a.tc) {
		/* clean truncation: header and question only, retry over TCP */
		METRICS_INC(st->truncated);
		wire_seek(&a.w, qend);
		a.an = a.ns = a.ar = 0;
		dns_resp_add_flags(&a.w, DNS_TC);
	}
	if (aa)
		dns_resp_add_flags(&a.w, DNS_AA);
	dns_resp_set_rcode(&a.w, rcode);
	if (q->edns) {
		a.w.len = max;
		dns_resp_write_opt(&a.w, 0, q->edns_flags);
		a.ar++;
	}
	dns_resp_set_counts(&a.w, a.an, a.ns, a.ar);
	if (a.w.err)
		return 0;
	if (rcode == RCODE_NXDOMAIN)
		METRICS_INC(st->nxdomain);
	else
		METRICS_INC(st->noerror);
	return wire_pos(&a.w);
}

/* The fast path ----------------------------------------------------------- */

/* Query types whose answer is the set copied, or NODATA: not the meta
 * types answer_parsed refuses, nor those answer_node treats apart (ANY,
 * RRSIG: every covered type; NS, MX, SRV: additional records). */
static bool fast_type(uint16_t t)
{
	switch (t) {
	case 0: case RR_OPT: case RR_TSIG: case RR_TKEY: case RR_MAILA: case RR_MAILB:
	case RR_AXFR: case RR_IXFR: case RR_ANY: case RR_RRSIG:
	case RR_NS: case RR_MX: case RR_SRV:
		return false;
	default:
		return true;
	}
}

/* memcpy for the short runs of a fast answer (a question, an RR), inline:
 * sixteen bytes at a time, the last sixteen overlapping; n >= 4. */
static inline void copy_short(uint8_t *dst, const uint8_t *src, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;
	if (n >= 16) {
		dname_v16 v;
		for (size_t i = 0; i + 16 < n; i += 16) {
			memcpy(&v, src + i, 16);
			memcpy(dst + i, &v, 16);
		}
		memcpy(&v, src + n - 16, 16);
		memcpy(dst + n - 16, &v, 16);
	} else if (n >= 8) {
		memcpy(&a, src, 8);
		memcpy(&b, src + n - 8, 8);
		memcpy(dst, &a, 8);
		memcpy(dst + n - 8, &b, 8);
	} else {
		memcpy(&x, src, 4);
		memcpy(&y, src + n - 4, 4);
		memcpy(dst, &x, 4);
		memcpy(dst + n - 4, &y, 4);
	}
}

size_t answer_udp_fast(const ztable_t *zt, const uint8_t *pkt, size_t len,
                       uint8_t *out, struct answer_stats *st)
{
	uint8_t lname[DNAME_MAX], loff[128];

	/* header: QR clear, opcode QUERY, one question, no answer or
	 * authority records, at most one additional (the OPT) */
	if (len < DNS_HDR + 5)
		return 0;
	uint16_t flags = wire_load_u16(pkt + 2);
	unsigned ar = wire_load_u16(pkt + 10);
	if ((flags & (DNS_QR | 0x7800)) || wire_load_u32(pkt + 4) != 0x00010000u ||
	    wire_load_u16(pkt + 8) != 0 || ar > 1)
		return 0;

	/* the question: uncompressed labels (what wire_read_name accepts
	 * without a pointer), then type and class */
	size_t pos = DNS_HDR, qmax = len - 4;
	unsigned nl = 0;
	for (;;) {
		if (pos >= qmax)
			return 0;
		uint8_t c = pkt[pos];
		if (c == 0)
			break;
		if (c > 63 || nl >= sizeof loff)
			return 0;
		loff[nl++] = (uint8_t)(pos - DNS_HDR);
		pos += 1 + (size_t)c;
	}
	size_t nlen = pos + 1 - DNS_HDR, qend = pos + 5;
	uint16_t qtype = wire_load_u16(pkt + pos + 1);
	if (nlen > DNAME_MAX || wire_load_u16(pkt + pos + 3) != CLASS_IN || !fast_type(qtype))
		return 0;

	/* nothing after it but an OPT: owner root, version 0 (else
	 * BADVERS), its options walked with the full path's length checks
	 * (dns_query_parse: each one's header and data inside the RDATA,
	 * the RDATA ending the packet; anything else is its FORMERR) */
	size_t max = DNS_UDP_MIN, limit = DNS_UDP_MIN;
	if (ar) {
		const uint8_t *opt = pkt + qend;
		if (len - qend < 11 || opt[0] != 0 || wire_load_u16(opt + 1) != RR_OPT ||
		    opt[6] != 0 || len - qend - 11 != wire_load_u16(opt + 9))
			return 0;
		for (size_t o = qend + 11; o < len;) {
			if (len - o < 4 || len - o - 4 < wire_load_u16(pkt + o + 2))
				return 0;
			o += 4 + (size_t)wire_load_u16(pkt + o + 2);
		}
		max = wire_load_u16(opt + 3);
		max = max < DNS_UDP_MIN ? DNS_UDP_MIN : max > EDNS_OUR_SIZE ? EDNS_OUR_SIZE : max;
		limit = max - 11;
	} else if (len != qend) {
		return 0;
	}

	dname_lower_copy(lname, pkt + DNS_HDR, nlen);
	const struct zone *z = zt_find_zone(zt, lname, nlen, loff, nl);
	/* REFUSED; or, in a zone with delegations, a name deeper than one
	 * label below the apex: a delegation to look for on the way (one
	 * label below, the name itself is the only candidate: ZN_DELEG) */
	if (!z || (z->ndeleg && nl > z->apex_labels + 1u))
		return 0;
	/* DO is read from the packet where needed rather than kept in a
	 * variable across the calls: fewer spills (callgrind) */
	if (ar && (pkt[qend + 7] & (EDNS_DO >> 8)) &&
	    (rcu_dereference(z->apex_node)->flags & ZN_DNSKEY))
		return 0;        /* DO in a signed zone: RRSIGs and proofs */
	const struct znode *n = zt_lookup(zt, z->id, lname, nlen);
	const struct zset *s = NULL;
	int rcode = RCODE_NOERROR;
	uint16_t an = 0, ns = 0, ptr = 0xC000 | DNS_HDR;
	if (n) {
		if (n->flags & ZN_DELEG)
			return 0;    /* a referral, or DS at the parent side (the
			                flag comes with the node: no count to trust) */
		s = zn_find_set(n, qtype);
		if (!s && (n->flags & ZN_CNAME))
			return 0;    /* a CNAME to follow */
	} else if (__atomic_load_n(&z->nwild, __ATOMIC_RELAXED)) {
		return 0;        /* a wildcard may match */
	} else {
		rcode = RCODE_NXDOMAIN;
	}
	if (s) {
		an = s->count;
	} else {
		/* NODATA or NXDOMAIN: the negative SOA, owner the apex's
		 * suffix of the question */
		n = rcu_dereference(z->apex_node);
		s = zn_find_set(n, ZSET_NEG_SOA);
		ns = s ? s->count : 0;
		ptr = (uint16_t)(0xC000 | (DNS_HDR + (z->apex_labels ? loff[nl - z->apex_labels]
		                                                     : nlen - 1)));
	}
	size_t rrs = s ? s->len + 2u * s->count : 0;
	if (qend + rrs > limit)
		return 0;        /* truncated: the full path does that */

	uint8_t h[DNS_HDR];
	wire_store_u16(h, wire_load_u16(pkt));
	wire_store_u16(h + 2, (uint16_t)(DNS_QR | DNS_AA | (flags & (DNS_RD | DNS_CD)) | rcode));
	wire_store_u16(h + 4, 1);
	wire_store_u16(h + 6, an);
	wire_store_u16(h + 8, ns);
	wire_store_u16(h + 10, (uint16_t)ar);
	memcpy(out, h, DNS_HDR);
	copy_short(out + DNS_HDR, pkt + DNS_HDR, qend - DNS_HDR);
	size_t at = qend;
	if (s) {
		const uint8_t *p = zn_data(n) + s->off, *end = p + s->len;
		while (p < end) {
			size_t rr = 10 + (size_t)wire_load_u16(p + 8);
			wire_store_u16(out + at, ptr);
			copy_short(out + at + 2, p, rr);
			at += 2 + rr;
			p += rr;
		}
	}
	if (ar) {
		/* as dns_resp_write_opt(w, 0, flags): DO echoed */
		static const uint8_t opt[11] = { 0, RR_OPT >> 8, RR_OPT & 0xFF,
		                                 EDNS_OUR_SIZE >> 8, EDNS_OUR_SIZE & 0xFF };
		memcpy(out + at, opt, sizeof opt);
		out[at + 7] = pkt[qend + 7] & (EDNS_DO >> 8);
		at += sizeof opt;
	}
	METRICS_INC(st->queries);
	METRICS_INC(st->qtype[qtype_slot(qtype)]);
	if (rcode == RCODE_NXDOMAIN)
		METRICS_INC(st->nxdomain);
	else
		METRICS_INC(st->noerror);
	return at;
}
