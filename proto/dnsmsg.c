/* DNS query parsing and response framing.  After NSD's query.c: reject
 * early and cap what the sender controls. */
#include "proto/dnsmsg.h"

#include "proto/name.h"
#include "proto/rdata.h"

static void read_question(wire_t *w, dns_query_t *q)
{
	size_t start = wire_pos(w);
	size_t n = wire_read_name(w, q->qname);
	if (w->err || n == 0)
		return;
	q->qname_compressed = (wire_pos(w) - start) != n;
	q->qname_len = (uint8_t)n;
	/* lowercase (the whole name at once), then index the labels */
	dname_lower_len(q->qname, n);
	unsigned lab = 0;
	for (size_t i = 0; q->qname[i]; i += 1 + (size_t)q->qname[i])
		q->label_off[lab++] = (uint8_t)i;
	q->nlabels = (uint8_t)lab;
	q->qtype = wire_read_u16(w);
	q->qclass = wire_read_u16(w);
	if (!w->err)
		q->question_end = (uint16_t)wire_pos(w);
}

/* Walk the answer/authority/additional sections; find the OPT record. */
static int read_records(wire_t *w, dns_query_t *q, unsigned an, unsigned ns,
                        unsigned ar)
{
	unsigned total = an + ns + ar;
	for (unsigned i = 0; i < total; i++) {
		size_t start = wire_pos(w);
		uint8_t owner0 = wire_peek_u8(w);   /* 0: the root name */
		wire_skip_name(w);
		uint16_t type = wire_read_u16(w);
		uint16_t cls = wire_read_u16(w);
		uint32_t ttl = wire_read_u32(w);
		uint16_t rdlen = wire_read_u16(w);
		const uint8_t *rdata = wire_read_ptr(w, rdlen);
		if (w->err)
			return RCODE_FORMERR;
		if (type == RR_TSIG) {
			/* the last record, in the additional section (§5.1) */
			if (i != total - 1 || i < an + ns)
				return RCODE_FORMERR;
			q->tsig_off = (uint16_t)start;
			continue;
		}
		if (type != RR_OPT)
			continue;
		/* OPT: only in the additional section, only once, owner root */
		if (i < an + ns || q->edns || owner0 != 0)
			return RCODE_FORMERR;
		q->edns = true;
		q->edns_size = cls < DNS_UDP_MIN ? DNS_UDP_MIN : cls;
		q->edns_version = (uint8_t)(ttl >> 16);
		q->edns_flags = (uint16_t)ttl;
		/* options are length-checked even though all are ignored */
		wire_t o;
		wire_init(&o, (uint8_t *)rdata, rdlen);
		while (wire_avail(&o) > 0) {
			(void)wire_read_u16(&o);
			uint16_t olen = wire_read_u16(&o);
			wire_skip(&o, olen);
		}
		if (o.err)
			return RCODE_FORMERR;
	}
	return 0;
}

dns_verdict_t dns_query_parse(const uint8_t *pkt, size_t len, dns_query_t *q,
                              int *rcode)
{
	wire_t w;
	wire_init(&w, (uint8_t *)pkt, len);
	q->question_end = 0;
	q->qname_len = 0;
	q->edns = false;
	q->edns_version = 0;
	q->edns_size = DNS_UDP_MIN;
	q->edns_flags = 0;
	q->tsig_off = 0;
	*rcode = 0;

	if (len < DNS_HDR)
		return DNS_DROP;
	/* the header in one read: len >= DNS_HDR was checked */
	const uint8_t *h = wire_read_ptr(&w, DNS_HDR);
	q->id = wire_load_u16(h);
	q->flags = wire_load_u16(h + 2);
	if (q->flags & DNS_QR)
		return DNS_DROP;
	unsigned qd = wire_load_u16(h + 4), an = wire_load_u16(h + 6);
	unsigned ns = wire_load_u16(h + 8), ar = wire_load_u16(h + 10);

	if (DNS_OPCODE(q->flags) != OPCODE_QUERY) {
		/* NOTIMP whatever the rest holds (RFC 8906 §8.1.4); the
		 * question is echoed if there is one and it parses */
		if (qd == 1) {
			read_question(&w, q);
			if (w.err)
				q->question_end = 0;
			/* and its OPT found, so the NOTIMP carries one (RFC 6891 §7) */
			else if (ar <= 4 && an + ns <= 64)
				(void)read_records(&w, q, an, ns, ar);
		}
		*rcode = RCODE_NOTIMP;
		return DNS_ERROR;
	}

	if (qd != 1) {
		/* still find the OPT, if the rest parses, so that the FORMERR
		 * carries one (RFC 6891 §7: an OPT in a request gets one back) */
		for (unsigned i = 0; i < qd && i < 64; i++) {
			wire_skip_name(&w);
			wire_skip(&w, 4);
		}
		if (qd <= 64 && !w.err && ar <= 4 && an + ns <= 64)
			(void)read_records(&w, q, an, ns, ar);
		*rcode = RCODE_FORMERR;
		return DNS_ERROR;
	}
	read_question(&w, q);
	if (w.err) {
		*rcode = RCODE_FORMERR;
		return DNS_ERROR;
	}
	/* a query carries nothing in answer/authority (NOTIFY and UPDATE may;
	 * they were answered NOTIMP above) and at most a few additional
	 * records (OPT, TSIG) */
	if (ar > 4 || an + ns > 64) {
		*rcode = RCODE_FORMERR;
		return DNS_ERROR;
	}
	int rc = read_records(&w, q, an, ns, ar);
	if (!rc && wire_avail(&w) != 0)
		rc = RCODE_FORMERR;        /* trailing garbage */
	if (rc) {
		*rcode = rc;
		return DNS_ERROR;
	}
	/* an IXFR query carries the client's SOA in authority (RFC 1995 §3) */
	if (an != 0 || ns > (q->qtype == RR_IXFR ? 1u : 0u)) {
		*rcode = RCODE_FORMERR;
		return DNS_ERROR;
	}
	if (q->edns && q->edns_version > 0) {
		*rcode = RCODE_BADVERS;
		return DNS_ERROR;
	}
	return DNS_ANSWER;
}

void dns_resp_begin(wire_t *w, const uint8_t *pkt, const dns_query_t *q,
                    uint16_t extra_flags, int rcode)
{
	uint16_t f = DNS_QR | (q->flags & (0x7800 | DNS_RD | DNS_CD));
	f |= extra_flags;
	f = (uint16_t)((f & ~0xF) | (rcode & 0xF));
	/* the header in one write (one bounds check instead of six) */
	uint8_t h[DNS_HDR] = { 0 };
	wire_store_u16(h, q->id);
	wire_store_u16(h + 2, f);
	wire_store_u16(h + 4, q->question_end ? 1 : 0);
	wire_write_bytes(w, h, sizeof h);
	if (q->question_end) {
		if (q->qname_compressed) {
			/* never echo a pointer we did not write: write the name
			 * out in full (original case is lost only for this
			 * pathological case) */
			wire_write_bytes(w, q->qname, q->qname_len);
			wire_write_u16(w, q->qtype);
			wire_write_u16(w, q->qclass);
		} else {
			wire_write_bytes(w, pkt + DNS_HDR, q->question_end - DNS_HDR);
		}
	}
}

void dns_resp_set_counts(wire_t *w, uint16_t an, uint16_t ns, uint16_t ar)
{
	wire_patch_u16(w, 6, an);
	wire_patch_u16(w, 8, ns);
	wire_patch_u16(w, 10, ar);
}

void dns_resp_add_flags(wire_t *w, uint16_t flags)
{
	wire_patch_u16(w, 2, wire_peek_u16_at(w, 2) | flags);
}

void dns_resp_set_rcode(wire_t *w, int rcode)
{
	wire_patch_u16(w, 2, (uint16_t)((wire_peek_u16_at(w, 2) & ~0xF) | (rcode & 0xF)));
}

void dns_resp_write_opt(wire_t *w, int rcode, uint16_t flags)
{
	wire_write_u8(w, 0);
	wire_write_u16(w, RR_OPT);
	wire_write_u16(w, EDNS_OUR_SIZE);
	wire_write_u32(w, ((uint32_t)(rcode >> 4) << 24) | (flags & EDNS_DO));
	wire_write_u16(w, 0);
}

size_t dns_resp_error(uint8_t *buf, size_t cap, const uint8_t *pkt,
                      const dns_query_t *q, int rcode)
{
	wire_t w;
	wire_init(&w, buf, cap);
	dns_resp_begin(&w, pkt, q, 0, rcode);
	if (q->edns || rcode == RCODE_BADVERS) {
		dns_resp_write_opt(&w, rcode, q->edns_flags);
		dns_resp_set_counts(&w, 0, 0, 1);
	}
	return w.err ? 0 : w.pos;
}

int dns_ixfr_serial(const uint8_t *pkt, size_t len, const dns_query_t *q, uint32_t *serial)
{
	wire_t w;
	wire_init(&w, (uint8_t *)pkt, len);
	if (q->qtype != RR_IXFR || !q->question_end || len < DNS_HDR)
		return DZ_EFORMAT;
	wire_seek(&w, 8);
	unsigned ns = wire_read_u16(&w);
	wire_seek(&w, q->question_end);
	if (ns != 1 || w.err)
		return DZ_EFORMAT;
	wire_skip_name(&w);
	uint16_t type = wire_read_u16(&w);
	wire_skip(&w, 6);                   /* class, TTL */
	uint16_t rdlen = wire_read_u16(&w);
	size_t end = wire_pos(&w) + rdlen;
	wire_skip_name(&w);                 /* MNAME */
	wire_skip_name(&w);                 /* RNAME */
	*serial = wire_read_u32(&w);
	if (w.err || type != RR_SOA || wire_pos(&w) + 16 != end)
		return DZ_EFORMAT;
	return 0;
}

uint16_t dns_peek_qtype(const uint8_t *pkt, size_t len)
{
	wire_t w;
	wire_init(&w, (uint8_t *)pkt, len);
	wire_skip(&w, 2);
	uint16_t flags = wire_read_u16(&w);
	uint16_t qd = wire_read_u16(&w);
	wire_skip(&w, 6);
	wire_skip_name(&w);
	uint16_t qtype = wire_read_u16(&w);
	if (w.err || qd != 1 || (flags & DNS_QR) || DNS_OPCODE(flags) != OPCODE_QUERY)
		return 0;
	return qtype;
}

size_t dns_notify_build(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *zone)
{
	wire_t w;
	wire_init(&w, buf, cap);
	wire_write_u16(&w, id);
	wire_write_u16(&w, (uint16_t)(OPCODE_NOTIFY << 11) | DNS_AA);
	wire_write_u16(&w, 1);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 0);
	wire_write_name(&w, zone, NULL);
	wire_write_u16(&w, RR_SOA);
	wire_write_u16(&w, CLASS_IN);
	return w.err ? 0 : wire_pos(&w);
}

int dns_reply_header(const uint8_t *pkt, size_t len, uint16_t *id, int *opcode)
{
	wire_t w;
	wire_init(&w, (uint8_t *)pkt, len);
	*id = wire_read_u16(&w);
	uint16_t flags = wire_read_u16(&w);
	if (w.err || len < DNS_HDR || !(flags & DNS_QR))
		return -1;
	*opcode = DNS_OPCODE(flags);
	return flags & 0xF;
}
