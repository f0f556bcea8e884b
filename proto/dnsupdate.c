/* DNS UPDATE parsing and scope rules (RFC 2136 §2-§3.4.1). */
#include "proto/dnsupdate.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/dnsmsg.h"
#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"

/* Copy the RDATA at the cursor (rdlen bytes) into the pool, expanding
 * the names RFC 3597 §4 lets a sender compress (the RFC 1035 types we
 * serve).  The cursor covers the whole message, so pointers resolve.
 * 0, DZ_EFORMAT or DZ_ELIMIT (pool full). */
static int copy_rdata(wire_t *w, uint16_t type, uint16_t rdlen, struct dnsupd *u,
                      struct dnsupd_rr *r)
{
	size_t start = wire_pos(w), end = start + rdlen;
	uint8_t buf[DNAME_MAX * 2 + 20];
	size_t n = 0;
	unsigned names = 0, head = 0, tail = 0;

	switch (type) {
	case RR_NS: case RR_CNAME: case RR_PTR: names = 1; break;
	case RR_MX: names = 1; head = 2; break;
	case RR_SOA: names = 2; tail = 20; break;
	default: break;
	}
	if (u->pool_len + DNAME_MAX * 2 + 20 + rdlen > DNSUPD_POOL_MAX)
		return DZ_ELIMIT;
	r->rdoff = (uint32_t)u->pool_len;
	if (!names) {
		wire_read_bytes(w, u->pool + u->pool_len, rdlen);
		n = rdlen;
	} else {
		wire_read_bytes(w, buf, head);
		n = head;
		for (unsigned i = 0; i < names; i++)
			n += wire_read_name(w, buf + n);
		wire_read_bytes(w, buf + n, tail);
		n += tail;
		if (w->err || wire_pos(w) != end)
			return DZ_EFORMAT;
		memcpy(u->pool + u->pool_len, buf, n);
	}
	if (w->err)
		return DZ_EFORMAT;
	r->rdlen = (uint16_t)n;
	u->pool_len += n;
	return 0;
}

/* One record of the prerequisite (update false) or update section. */
static int read_rr(wire_t *w, struct dnsupd *u, bool update)
{
	struct dnsupd_rr *r = &u->rr[u->nprereq + u->nupdate];
	uint8_t owner[DNAME_MAX];
	if (!wire_read_name(w, owner))
		return RCODE_FORMERR;
	dname_copy_lower(r->owner, owner);
	r->type = wire_read_u16(w);
	uint16_t cls = wire_read_u16(w);
	r->ttl = wire_read_u32(w);
	uint16_t rdlen = wire_read_u16(w);
	if (w->err || wire_avail(w) < rdlen)
		return RCODE_FORMERR;
	if (!dname_is_sub(r->owner, u->zone))
		return RCODE_NOTZONE;
	bool any = r->type == RR_ANY;
	bool data = rr_type_is_data(r->type);
	/* a meta type other than ANY (AXFR, OPT, TSIG...) is never right */
	if (!data && !any)
		return RCODE_FORMERR;
	/* the SOA and the apex NS set are the operator's, not UPDATE's */
	bool apex = dname_equal(r->owner, u->zone);
	if (update && (r->type == RR_SOA || (apex && (r->type == RR_NS ||
	    (any && cls == CLASS_ANY)))))
		return RCODE_REFUSED;
	r->rdlen = 0;
	r->rdoff = 0;
	switch (cls) {
	case CLASS_ANY:
		if (r->ttl != 0 || rdlen != 0)
			return RCODE_FORMERR;
		r->op = update ? (any ? DNSUPD_U_DEL_NAME : DNSUPD_U_DEL_RRSET)
		               : (any ? DNSUPD_P_NAME_IN_USE : DNSUPD_P_RRSET_EXISTS);
		return 0;
	case CLASS_NONE:
		if (r->ttl != 0 || (!update && rdlen != 0))
			return RCODE_FORMERR;
		if (!update) {
			r->op = any ? DNSUPD_P_NAME_UNUSED : DNSUPD_P_RRSET_ABSENT;
			return 0;
		}
		if (any)
			return RCODE_FORMERR;
		r->op = DNSUPD_U_DEL_RR;
		break;
	case CLASS_IN:
		if (any || (!update && r->ttl != 0))
			return RCODE_FORMERR;
		r->op = update ? DNSUPD_U_ADD : DNSUPD_P_RRSET_EQUALS;
		break;
	default:
		return RCODE_FORMERR;
	}
	int rc = copy_rdata(w, r->type, rdlen, u, r);
	if (rc == DZ_ELIMIT)
		return RCODE_REFUSED;
	if (rc || rdata_check(r->type, dnsupd_rdata(u, r), r->rdlen))
		return RCODE_FORMERR;
	return 0;
}

bool dnsupd_is_update(const uint8_t *msg, size_t len)
{
	wire_t w;
	wire_init(&w, (uint8_t *)msg, len);
	wire_skip(&w, 2);
	uint16_t flags = wire_read_u16(&w);
	return !w.err && len >= DNS_HDR && !(flags & DNS_QR) && DNS_OPCODE(flags) == OPCODE_UPDATE;
}

int dnsupd_parse(const uint8_t *msg, size_t len, unsigned cut, struct dnsupd *u)
{
	wire_t w;
	wire_init(&w, (uint8_t *)msg, len);
	u->id = wire_read_u16(&w);
	u->zone_len = 0;
	u->zone_end = 0;
	u->nprereq = u->nupdate = 0;
	u->pool_len = 0;
	uint16_t flags = wire_read_u16(&w);
	unsigned zo = wire_read_u16(&w), pr = wire_read_u16(&w);
	unsigned up = wire_read_u16(&w), ad = wire_read_u16(&w);
	if (w.err || (flags & DNS_QR) || DNS_OPCODE(flags) != OPCODE_UPDATE || ad < cut)
		return RCODE_FORMERR;
	ad -= cut;
	/* §3.1.1: exactly one zone, of type SOA */
	if (zo != 1)
		return RCODE_FORMERR;
	uint8_t zone[DNAME_MAX];
	size_t zl = wire_read_name(&w, zone);
	uint16_t ztype = wire_read_u16(&w), zclass = wire_read_u16(&w);
	if (w.err || !zl)
		return RCODE_FORMERR;
	u->zone_len = dname_copy_lower(u->zone, zone);
	u->zone_end = wire_pos(&w);
	if (ztype != RR_SOA)
		return RCODE_FORMERR;
	if (zclass != CLASS_IN)
		return RCODE_NOTAUTH;
	if (pr + up > DNSUPD_RR_MAX)
		return RCODE_REFUSED;
	for (unsigned i = 0; i < pr + up; i++) {
		int rc = read_rr(&w, u, i >= pr);
		if (rc)
			return rc;
		if (i < pr)
			u->nprereq++;
		else
			u->nupdate++;
	}
	/* the additional section: an OPT at most (TSIG is cut off already) */
	for (unsigned i = 0; i < ad; i++) {
		uint8_t root = wire_peek_u8(&w);
		wire_skip_name(&w);
		uint16_t type = wire_read_u16(&w);
		wire_skip(&w, 6);
		wire_skip(&w, wire_read_u16(&w));
		if (w.err || type != RR_OPT || root != 0 || i > 0)
			return RCODE_FORMERR;
	}
	if (w.err || wire_avail(&w) != 0)
		return RCODE_FORMERR;
	return 0;
}

void dnsupd_reply(wire_t *w, const struct dnsupd *u, int rcode)
{
	wire_write_u16(w, u->id);
	wire_write_u16(w, (uint16_t)(DNS_QR | (OPCODE_UPDATE << 11) | (rcode & 0xF)));
	wire_write_u16(w, u->zone_len ? 1 : 0);
	wire_write_u16(w, 0);
	wire_write_u16(w, 0);
	wire_write_u16(w, 0);
	if (u->zone_len) {
		wire_write_bytes(w, u->zone, u->zone_len);
		wire_write_u16(w, RR_SOA);
		wire_write_u16(w, CLASS_IN);
	}
}

/* Scope rules ------------------------------------------------------------- */

/* The next blank-separated word of *p, NUL-terminated into buf. */
static size_t next_word(const char **p, char *buf, size_t cap)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = 0;
	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	*p = s + n;
	if (n >= cap)
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	return n;
}

int dnsupd_rule_parse(const char *text, struct dnsupd_rule *r, char *err, size_t errlen)
{
	char zone[1024], key[1024], pat[1024], types[1024], extra[8];
	const char *p = text;
	memset(r, 0, sizeof *r);
	if (!next_word(&p, zone, sizeof zone) || !next_word(&p, key, sizeof key) ||
	    !next_word(&p, pat, sizeof pat) || !next_word(&p, types, sizeof types) ||
	    next_word(&p, extra, sizeof extra) || *p) {
		snprintf(err, errlen, "expected ZONE KEYNAME NAME-PATTERN TYPE[,TYPE...]");
		return DZ_EINVAL;
	}
	uint8_t tmp[DNAME_MAX];
	if (!dname_from_text(tmp, zone, strlen(zone), (const uint8_t *)"")) {
		snprintf(err, errlen, "'%.200s' is not a zone name", zone);
		return DZ_EINVAL;
	}
	dname_copy_lower(r->zone, tmp);
	if (!dname_from_text(tmp, key, strlen(key), (const uint8_t *)"")) {
		snprintf(err, errlen, "'%.200s' is not a key name", key);
		return DZ_EINVAL;
	}
	dname_copy_lower(r->key, tmp);
	const char *np = pat;
	if (pat[0] == '*' && pat[1] == '.') {
		r->below = true;
		np = pat + 2;
	}
	if (!*np || !dname_from_text(tmp, np, strlen(np), (const uint8_t *)"") ||
	    dname_is_wildcard(tmp)) {
		snprintf(err, errlen, "'%.200s' is not a name or *.name", pat);
		return DZ_EINVAL;
	}
	dname_copy_lower(r->name, tmp);
	if (!dname_is_sub(r->name, r->zone)) {
		snprintf(err, errlen, "'%.200s' is not inside zone %.200s", pat, zone);
		return DZ_EINVAL;
	}
	for (const char *t = types; *t;) {
		const char *e = strchr(t, ',');
		size_t n = e ? (size_t)(e - t) : strlen(t);
		uint16_t ty;
		if (n == 3 && strncasecmp(t, "ANY", 3) == 0) {
			r->any = true;
		} else if (rr_type_from_text(t, n, &ty) || !rr_type_is_data(ty) ||
		           ty == RR_SOA) {
			snprintf(err, errlen, "'%.*s' is not a record type UPDATE may change",
			         (int)(n > 40 ? 40 : n), t);
			return DZ_EINVAL;
		} else if (r->ntypes >= DNSUPD_RULE_TYPES) {
			snprintf(err, errlen, "more than %d types", DNSUPD_RULE_TYPES);
			return DZ_EINVAL;
		} else {
			r->types[r->ntypes++] = ty;
		}
		t += n;
		if (*t == ',')
			t++;
	}
	return 0;
}

static bool rule_allows(const struct dnsupd_rule *r, const struct dnsupd_rr *x)
{
	if (r->below ? !(dname_is_sub(x->owner, r->name) && !dname_equal(x->owner, r->name))
	             : !dname_equal(x->owner, r->name))
		return false;
	if (r->any)
		return true;
	if (x->op == DNSUPD_U_DEL_NAME)
		return false;
	for (unsigned i = 0; i < r->ntypes; i++)
		if (r->types[i] == x->type)
			return true;
	return false;
}

bool dnsupd_allowed(const struct dnsupd *u, const uint8_t *key,
                    const struct dnsupd_rule *rules, unsigned n)
{
	for (unsigned i = u->nprereq; i < u->nprereq + u->nupdate; i++) {
		bool ok = false;
		for (unsigned k = 0; k < n && !ok; k++)
			ok = dname_equal(rules[k].zone, u->zone) && dname_equal(rules[k].key, key) &&
			     rule_allows(&rules[k], &u->rr[i]);
		if (!ok)
			return false;
	}
	return true;
}
