/* tinydns `data` lines and `data.cdb` records.  The parser follows
 * tinydns-data.c of Debian's djbdns 1.05-15 rule for rule, quirks included
 * (numbers wrap, junk after a number is ignored, TTD digits other than
 * [0-9a-f] count as 0, an `x` without a dot gets ".ns." + the raw owner
 * text appended before it is parsed). */
#include "proto/tinydns.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "proto/textbuf.h"
#include "proto/wire.h"

#define NFIELDS 15 /* tinydns-data splits at most 15 fields after the type */
#define TXT_CHUNK 127
#define BADNAME "bad name (label over 63 or name over 255 bytes)"

/* Text ------------------------------------------------------------------ */

typedef struct field {
	const char *s;
	size_t n;
} field_t;

/* Up to three pieces of text read as one string: tinydns-data joins
 * "x" ".ns." "owner" before it parses the name, so an escape may run from
 * one piece into the next. */
typedef struct src {
	field_t seg[3];
	unsigned nseg, si;
	size_t pos;
} src_t;

static void src_init(src_t *s, const field_t *f)
{
	s->seg[0] = *f;
	s->nseg = 1;
	s->si = 0;
	s->pos = 0;
}

static void src_append(src_t *s, const char *text, size_t n)
{
	s->seg[s->nseg].s = text;
	s->seg[s->nseg].n = n;
	s->nseg++;
}

static int src_peek(src_t *s, uint8_t *c)
{
	while (s->si < s->nseg && s->pos >= s->seg[s->si].n) {
		s->si++;
		s->pos = 0;
	}
	if (s->si >= s->nseg)
		return 0;
	*c = (uint8_t)s->seg[s->si].s[s->pos];
	return 1;
}

static int src_get(src_t *s, uint8_t *c)
{
	if (!src_peek(s, c))
		return 0;
	s->pos++;
	return 1;
}

/* The next byte with tinydns-data's escapes decoded: '\' and 1-3 octal
 * digits is that byte (mod 256), '\' and any other byte is that byte, a
 * lone '\' at the end ends the text.  Returns 0 at the end, 1 for a plain
 * byte, 2 for an escaped one. */
static int src_unescape(src_t *s, uint8_t *out)
{
	uint8_t c, d;
	if (!src_get(s, &c))
		return 0;
	if (c != '\\') {
		*out = c;
		return 1;
	}
	if (!src_get(s, &c))
		return 0;
	if (c >= '0' && c <= '7') {
		unsigned v = (unsigned)(c - '0');
		for (int k = 0; k < 2 && src_peek(s, &d) && d >= '0' && d <= '7'; k++) {
			v = v * 8 + (unsigned)(d - '0');
			s->pos++;
		}
		c = (uint8_t)v;
	}
	*out = c;
	return 2;
}

/* dns_domain_fromdot: unescaped dots separate labels, empty labels are
 * dropped.  Returns the wire length, or 0 for a label over 63 bytes or a
 * name over 255. */
static size_t name_parse(uint8_t out[DNAME_MAX], src_t *s)
{
	uint8_t label[DLABEL_MAX];
	size_t ll = 0, n = 0;
	uint8_t c;
	int r;

	for (;;) {
		r = src_unescape(s, &c);
		if (r == 1 && c == '.') {
			if (!ll)
				continue;
		} else if (r != 0) {
			if (ll >= DLABEL_MAX)
				return 0;
			label[ll++] = c;
			continue;
		}
		if (ll) {
			if (n + ll + 1 > DNAME_MAX)
				return 0;
			out[n++] = (uint8_t)ll;
			memcpy(out + n, label, ll);
			n += ll;
			ll = 0;
		}
		if (r == 0)
			break;
	}
	if (n + 1 > DNAME_MAX)
		return 0;
	out[n++] = 0;
	return n;
}

static size_t name_field(uint8_t out[DNAME_MAX], const field_t *f)
{
	src_t s;
	src_init(&s, f);
	return name_parse(out, &s);
}

/* A target name: without a dot in its text it becomes x.<infix>.owner,
 * joined as text (so "x\" + ".ns." escapes the dot, as in tinydns-data). */
static size_t target_field(uint8_t out[DNAME_MAX], const field_t *x,
                           const char *infix, const field_t *owner)
{
	src_t s;
	src_init(&s, x);
	if (!memchr(x->s, '.', x->n)) {
		src_append(&s, infix, strlen(infix));
		src_append(&s, owner->s, owner->n);
	}
	return name_parse(out, &s);
}

/* scan_ulong: leading decimal digits, wrapping like unsigned long.
 * Returns how many digits were read (0: none, *u = 0). */
static size_t scan_u64(const char *s, size_t n, uint64_t *u)
{
	uint64_t r = 0;
	size_t i = 0;
	while (i < n && (uint8_t)(s[i] - '0') < 10) {
		r = r * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	*u = r;
	return i;
}

static uint64_t num_or(const field_t *f, uint64_t dflt)
{
	uint64_t u;
	return scan_u64(f->s, f->n, &u) ? u : dflt;
}

/* ip4_scan: four numbers (each mod 256) joined by dots; junk after the
 * fourth is ignored. */
static bool ip4_scan(const field_t *f, uint8_t ip[4])
{
	size_t i = 0, d;
	uint64_t u;
	for (int k = 0; k < 4; k++) {
		if (k) {
			if (i >= f->n || f->s[i] != '.')
				return false;
			i++;
		}
		d = scan_u64(f->s + i, f->n - i, &u);
		if (!d)
			return false;
		ip[k] = (uint8_t)u;
		i += d;
	}
	return true;
}

/* ttdparse: the first 16 characters as hex; anything but [0-9a-f] is 0. */
static uint64_t ttd_parse(const field_t *f)
{
	uint64_t v = 0;
	for (size_t i = 0; i < 16; i++) {
		unsigned d = 0;
		if (i < f->n) {
			char c = f->s[i];
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
		}
		v = (v << 4) | d;
	}
	return v;
}

static void loc_parse(const field_t *f, uint8_t loc[2])
{
	loc[0] = f->n > 0 ? (uint8_t)f->s[0] : 0;
	loc[1] = f->n > 1 ? (uint8_t)f->s[1] : 0;
}

/* Parsing --------------------------------------------------------------- */

void tinydns_parser_init(tinydns_parser_t *p, int64_t mtime)
{
	static const uint8_t rest[16] = {
		0, 0, 0x40, 0,          /* refresh 16384 */
		0, 0, 0x08, 0,          /* retry 2048 */
		0, 0x10, 0, 0,          /* expire 1048576 */
		0, 0, 0x0a, 0,          /* minimum 2560 */
	};
	uint32_t serial = (uint32_t)(uint64_t)mtime;
	wire_store_u32(p->soa_default, serial ? serial : 1);
	memcpy(p->soa_default + 4, rest, sizeof rest);
}

/* What every record of one line shares. */
typedef struct line {
	tinydns_parser_t *p;
	const tinydns_sink_t *sink;
	uint64_t ttd;
	uint8_t loc[2];
} line_t;

static int emit(line_t *l, const uint8_t *owner, uint16_t type, uint32_t ttl,
                const uint8_t *rd, size_t rdlen)
{
	tinydns_rr_t rr;
	if (!l->sink->rr)
		return 0;
	dname_copy_lower(l->p->owner, owner);
	rr.owner = l->p->owner;
	rr.wildcard = dname_is_wildcard(l->p->owner);
	rr.type = type;
	memcpy(rr.loc, l->loc, 2);
	rr.ttl = ttl;
	rr.ttd = l->ttd;
	rr.rdata = rd;
	rr.rdlen = rdlen;
	return l->sink->rr(l->sink->ctx, &rr);
}

/* Common tail of most lines: TTL (default dflt), TTD, location at fields
 * i, i+1, i+2.  Returns the TTL as scanned (64 bits: `.` lines test the
 * unwrapped value). */
static uint64_t tail_parse(line_t *l, const field_t *f, int i, uint64_t dflt)
{
	l->ttd = ttd_parse(&f[i + 1]);
	loc_parse(&f[i + 2], l->loc);
	return num_or(&f[i], dflt);
}

/* dns_name4_domain: d.c.b.a.in-addr.arpa */
static size_t ptr_name(uint8_t out[DNAME_MAX], const uint8_t ip[4])
{
	size_t n = 0;
	for (int k = 3; k >= 0; k--) {
		int len = snprintf((char *)out + n + 1, 4, "%u", (unsigned)ip[k]);
		out[n] = (uint8_t)len;
		n += 1 + (size_t)len;
	}
	memcpy(out + n, "\7in-addr\4arpa", 14);
	return n + 14;
}

static int parse_soa_line(line_t *l, const field_t *f, const char **why)
{
	tinydns_parser_t *p = l->p;
	uint8_t soa[20];
	size_t n0, n1, n2;
	uint32_t ttl;
	wire_t w;

	n0 = name_field(p->d1, &f[0]);
	for (int k = 0; k < 5; k++)
		wire_store_u32(soa + 4 * k, (uint32_t)num_or(&f[3 + k], wire_load_u32(p->soa_default + 4 * k)));
	ttl = (uint32_t)tail_parse(l, f, 8, TINYDNS_TTL_NEGATIVE);
	n1 = name_field(p->d2, &f[1]);
	n2 = name_field(p->d3, &f[2]);
	if (!n0 || !n1 || !n2) {
		*why = BADNAME;
		return DZ_EFORMAT;
	}
	wire_init(&w, p->rdata, sizeof p->rdata);
	wire_write_bytes(&w, p->d2, n1);
	wire_write_bytes(&w, p->d3, n2);
	wire_write_bytes(&w, soa, sizeof soa);
	return emit(l, p->d1, RR_SOA, ttl, p->rdata, w.pos);
}

/* `.` and `&`: [SOA], NS, [glue A]. */
static int parse_ns_line(line_t *l, char kind, const field_t *f, const char **why)
{
	tinydns_parser_t *p = l->p;
	size_t n1, n2, soalen = 0;
	uint8_t ip[4];
	int rc;

	n1 = name_field(p->d1, &f[0]);
	uint64_t ttl = tail_parse(l, f, 3, TINYDNS_TTL_NS);
	n2 = target_field(p->d2, &f[2], ".ns.", &f[0]);
	if (!n1 || !n2) {
		*why = BADNAME;
		return DZ_EFORMAT;
	}
	if (kind == '.') {
		/* rname is "hostmaster" + the zone, unchecked (may pass 255) */
		wire_t w;
		wire_init(&w, p->rdata, sizeof p->rdata);
		wire_write_bytes(&w, p->d2, n2);
		wire_write_bytes(&w, "\12hostmaster", 11);
		wire_write_bytes(&w, p->d1, n1);
		wire_write_bytes(&w, p->soa_default, 20);
		soalen = w.pos;
		rc = emit(l, p->d1, RR_SOA, ttl ? TINYDNS_TTL_NEGATIVE : 0, p->rdata, soalen);
		if (rc)
			return rc;
	}
	rc = emit(l, p->d1, RR_NS, (uint32_t)ttl, p->d2, n2);
	if (rc || !ip4_scan(&f[1], ip))
		return rc;
	return emit(l, p->d2, RR_A, (uint32_t)ttl, ip, 4);
}

static int parse_a_line(line_t *l, char kind, const field_t *f, const char **why)
{
	tinydns_parser_t *p = l->p;
	uint8_t ip[4];
	size_t n1;
	int rc;

	n1 = name_field(p->d1, &f[0]);
	if (!n1) {
		*why = BADNAME;
		return DZ_EFORMAT;
	}
	uint32_t ttl = (uint32_t)tail_parse(l, f, 2, TINYDNS_TTL_POSITIVE);
	if (!ip4_scan(&f[1], ip))
		return 0;
	rc = emit(l, p->d1, RR_A, ttl, ip, 4);
	if (rc || kind != '=')
		return rc;
	ptr_name(p->d3, ip);
	return emit(l, p->d3, RR_PTR, ttl, p->d1, n1);
}

/* `@` (MX) and `S` (SRV): a record with a target, then the target's A. */
static int parse_target_line(line_t *l, char kind, const field_t *f, const char **why)
{
	tinydns_parser_t *p = l->p;
	uint8_t ip[4], fixed[6];
	size_t n1, n2, nfixed;
	uint16_t type;
	uint32_t ttl;
	wire_t w;
	int rc;

	n1 = name_field(p->d1, &f[0]);
	if (kind == '@') {
		ttl = (uint32_t)tail_parse(l, f, 4, TINYDNS_TTL_POSITIVE);
		n2 = target_field(p->d2, &f[2], ".mx.", &f[0]);
		wire_store_u16(fixed, (uint16_t)num_or(&f[3], 0));
		nfixed = 2;
		type = RR_MX;
	} else {
		uint64_t port;
		ttl = (uint32_t)tail_parse(l, f, 6, TINYDNS_TTL_POSITIVE);
		n2 = target_field(p->d2, &f[2], ".srv.", &f[0]);
		/* Debian's patch: fields 5 and 6 land in priority and weight */
		wire_store_u16(fixed, (uint16_t)num_or(&f[4], 0));
		wire_store_u16(fixed + 2, (uint16_t)num_or(&f[5], 0));
		if (!scan_u64(f[3].s, f[3].n, &port)) {
			*why = "SRV line without a port";
			return DZ_EFORMAT;
		}
		wire_store_u16(fixed + 4, (uint16_t)port);
		nfixed = 6;
		type = RR_SRV;
	}
	if (!n1 || !n2) {
		*why = BADNAME;
		return DZ_EFORMAT;
	}
	wire_init(&w, p->rdata, sizeof p->rdata);
	wire_write_bytes(&w, fixed, nfixed);
	wire_write_bytes(&w, p->d2, n2);
	rc = emit(l, p->d1, type, ttl, p->rdata, w.pos);
	if (rc || !ip4_scan(&f[1], ip))
		return rc;
	return emit(l, p->d2, RR_A, ttl, ip, 4);
}

/* TXT rdata: the decoded text cut into strings of at most 127 bytes. */
static int txt_rdata(tinydns_parser_t *p, const field_t *text, size_t *len)
{
	src_t s;
	size_t n = 0, lenpos = 0, chunk = 0;
	uint8_t c;

	src_init(&s, text);
	while (src_unescape(&s, &c)) {
		if (n + (chunk ? 1 : 2) > sizeof p->rdata)
			return DZ_ELIMIT;
		if (chunk == 0) {
			lenpos = n++;
			p->rdata[lenpos] = 0;
		}
		p->rdata[n++] = c;
		p->rdata[lenpos] = (uint8_t)++chunk;
		if (chunk == TXT_CHUNK)
			chunk = 0;
	}
	*len = n;
	return 0;
}

/* Generic rdata: the decoded text as is. */
static int raw_rdata(tinydns_parser_t *p, const field_t *text, size_t *len)
{
	src_t s;
	size_t n = 0;
	uint8_t c;

	src_init(&s, text);
	while (src_unescape(&s, &c)) {
		if (n >= sizeof p->rdata)
			return DZ_ELIMIT;
		p->rdata[n++] = c;
	}
	*len = n;
	return 0;
}

static const char *generic_refused(uint16_t type)
{
	switch (type) {
	case RR_AXFR: return "type AXFR prohibited";
	case 0: return "type 0 prohibited";
	case RR_SOA: return "type SOA prohibited";
	case RR_NS: return "type NS prohibited";
	case RR_CNAME: return "type CNAME prohibited";
	case RR_PTR: return "type PTR prohibited";
	case RR_MX: return "type MX prohibited";
	}
	return NULL;
}

/* `'` TXT and `:` generic. */
static int parse_data_line(line_t *l, char kind, const field_t *f, const char **why)
{
	tinydns_parser_t *p = l->p;
	uint16_t type = RR_TXT;
	uint32_t ttl;
	size_t rdlen;
	int rc;

	if (!name_field(p->d1, &f[0])) {
		*why = BADNAME;
		return DZ_EFORMAT;
	}
	if (kind == '\'') {
		ttl = (uint32_t)tail_parse(l, f, 2, TINYDNS_TTL_POSITIVE);
		rc = txt_rdata(p, &f[1], &rdlen);
	} else {
		uint64_t u;
		ttl = (uint32_t)tail_parse(l, f, 3, TINYDNS_TTL_POSITIVE);
		scan_u64(f[1].s, f[1].n, &u);
		type = (uint16_t)u;
		if ((*why = generic_refused(type)) != NULL)
			return DZ_EFORMAT;
		rc = raw_rdata(p, &f[2], &rdlen);
	}
	if (rc) {
		*why = "record data longer than 65535 bytes";
		return rc;
	}
	return emit(l, p->d1, type, ttl, p->rdata, rdlen);
}

static int parse_loc_line(line_t *l, const field_t *f, const char **why)
{
	tinydns_parser_t *p = l->p;
	tinydns_loc_t loc;
	size_t i = 0, n = 0, d;
	uint64_t u;

	loc_parse(&f[0], loc.code);
	/* ipprefix_cat: numbers (mod 256) separated by any run of dots */
	for (;;) {
		if (i < f[1].n && f[1].s[i] == '.') {
			i++;
			continue;
		}
		d = scan_u64(f[1].s + i, f[1].n - i, &u);
		if (!d)
			break;
		if (n >= sizeof p->prefix) {
			*why = "location prefix longer than 255 bytes";
			return DZ_ELIMIT;
		}
		p->prefix[n++] = (uint8_t)u;
		i += d;
	}
	if (!l->sink->loc)
		return 0;
	loc.prefix = p->prefix;
	loc.plen = n;
	return l->sink->loc(l->sink->ctx, &loc);
}

int tinydns_parse_line(tinydns_parser_t *p, const char *text, size_t len,
                       const tinydns_sink_t *sink, const char **why)
{
	field_t f[NFIELDS];
	const char *dummy;
	line_t l;
	size_t j = 1;

	if (!why)
		why = &dummy;
	*why = NULL;
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
		len--;
	if (!len || text[0] == '#' || text[0] == '-')
		return 0;

	for (int i = 0; i < NFIELDS; i++) {
		if (j >= len) {
			f[i].s = text + len;
			f[i].n = 0;
			continue;
		}
		const char *colon = memchr(text + j, ':', len - j);
		size_t k = colon ? (size_t)(colon - (text + j)) : len - j;
		f[i].s = text + j;
		f[i].n = k;
		j += k + 1;
	}

	l.p = p;
	l.sink = sink;
	l.ttd = 0;
	l.loc[0] = l.loc[1] = 0;
	switch (text[0]) {
	case '%':
		return parse_loc_line(&l, f, why);
	case 'Z':
		return parse_soa_line(&l, f, why);
	case '.':
	case '&':
		return parse_ns_line(&l, text[0], f, why);
	case '+':
	case '=':
		return parse_a_line(&l, text[0], f, why);
	case '@':
	case 'S':
		return parse_target_line(&l, text[0], f, why);
	case '^':
	case 'C': {
		size_t n1 = name_field(p->d1, &f[0]);
		size_t n2 = name_field(p->d2, &f[1]);
		uint32_t ttl = (uint32_t)tail_parse(&l, f, 2, TINYDNS_TTL_POSITIVE);
		if (!n1 || !n2) {
			*why = BADNAME;
			return DZ_EFORMAT;
		}
		return emit(&l, p->d1, text[0] == 'C' ? RR_CNAME : RR_PTR, ttl, p->d2, n2);
	}
	case '\'':
	case ':':
		return parse_data_line(&l, text[0], f, why);
	}
	*why = "unrecognized leading character";
	return DZ_EFORMAT;
}

/* Encoding -------------------------------------------------------------- */

int tinydns_rr_encode(const tinydns_rr_t *rr, uint8_t *key, size_t kcap,
                      size_t *klen, uint8_t *val, size_t vcap, size_t *vlen)
{
	size_t olen = dname_len(rr->owner, DNAME_MAX);
	const uint8_t *k = rr->owner;
	bool has_loc = rr->loc[0] || rr->loc[1];
	uint8_t marker = has_loc ? '>' : '=';
	wire_t w;

	if (!olen || rr->wildcard != dname_is_wildcard(rr->owner) ||
	    rr->rdlen > TINYDNS_RDATA_MAX)
		return DZ_EINVAL;
	if (rr->wildcard) {
		k += 2;
		olen -= 2;
		marker -= 19; /* '=' -> '*', '>' -> '+' */
	}
	if (olen > kcap)
		return DZ_ESPACE;
	*klen = dname_copy_lower(key, k);

	wire_init(&w, val, vcap);
	wire_write_u16(&w, rr->type);
	wire_write_u8(&w, marker);
	if (has_loc)
		wire_write_bytes(&w, rr->loc, 2);
	wire_write_u32(&w, rr->ttl);
	wire_write_u32(&w, (uint32_t)(rr->ttd >> 32));
	wire_write_u32(&w, (uint32_t)rr->ttd);
	wire_write_bytes(&w, rr->rdata, rr->rdlen);
	if (w.err)
		return w.err;
	*vlen = w.pos;
	return 0;
}

int tinydns_loc_encode(const tinydns_loc_t *loc, uint8_t *key, size_t kcap,
                       size_t *klen, uint8_t *val, size_t vcap, size_t *vlen)
{
	if (loc->plen > TINYDNS_PREFIX_MAX)
		return DZ_EINVAL;
	if (kcap < 2 + loc->plen || vcap < 2)
		return DZ_ESPACE;
	key[0] = 0;
	key[1] = '%';
	memcpy(key + 2, loc->prefix, loc->plen);
	*klen = 2 + loc->plen;
	memcpy(val, loc->code, 2);
	*vlen = 2;
	return 0;
}

/* Rendering ------------------------------------------------------------- */

/* A byte as itself when `plain`, else as \NNN (always three digits, so a
 * digit after it is not taken into the escape). */
static void t_byte(textbuf_t *t, uint8_t b, bool plain)
{
	if (plain) {
		textbuf_char(t, (char)b);
		return;
	}
	textbuf_char(t, '\\');
	textbuf_char(t, (char)('0' + (b >> 6)));
	textbuf_char(t, (char)('0' + ((b >> 3) & 7)));
	textbuf_char(t, (char)('0' + (b & 7)));
}

static bool name_plain(uint8_t b)
{
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
	       (b >= '0' && b <= '9') || b == '-' || b == '_' || b == '*';
}

static bool text_plain(uint8_t b)
{
	return b >= 0x20 && b <= 0x7e && b != ':' && b != '\\';
}

/* A valid wire name as text; `dot`: end with '.' so the text always has a
 * dot and the `x` rule never applies. */
static void t_name(textbuf_t *t, const uint8_t *name, bool dot)
{
	if (!*name) {
		textbuf_char(t, '.');
		return;
	}
	while (*name) {
		uint8_t l = *name++;
		for (uint8_t i = 0; i < l; i++)
			t_byte(t, name[i], name_plain(name[i]));
		name += l;
		if (*name || dot)
			textbuf_char(t, '.');
	}
}

static void t_text(textbuf_t *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t_byte(t, p[i], text_plain(p[i]));
}

/* A location code as the first 1-2 bytes of a field; it must be the last
 * text of the line or be followed by ':' (`colon`). */
static int t_loc(textbuf_t *t, const uint8_t loc[2], bool colon)
{
	size_t n = loc[1] ? 2 : 1;
	if (!loc[0])
		return DZ_ENOTSUP;
	for (size_t i = 0; i < n; i++)
		if (loc[i] == ':' || loc[i] == '\n')
			return DZ_ENOTSUP;
	for (size_t i = 0; i < n; i++)
		textbuf_char(t, (char)loc[i]);
	/* trailing blanks of a line are cut: protect them with an empty field */
	if (colon || loc[n - 1] == ' ' || loc[n - 1] == '\t')
		textbuf_char(t, ':');
	return 0;
}

/* ":ttl[:ttd[:loc]]" */
static int t_tail(textbuf_t *t, const tinydns_rr_t *rr)
{
	bool has_loc = rr->loc[0] || rr->loc[1];
	textbuf_char(t, ':');
	textbuf_uint(t, rr->ttl);
	if (!rr->ttd && !has_loc)
		return 0;
	textbuf_char(t, ':');
	if (rr->ttd)
		textbuf_fmt(t, "%016" PRIx64, rr->ttd);
	if (!has_loc)
		return 0;
	textbuf_char(t, ':');
	return t_loc(t, rr->loc, false);
}

/* True if rd is exactly `fixed` bytes then one name. */
static bool fixed_then_name(const uint8_t *rd, size_t len, size_t fixed)
{
	return len > fixed && dname_len(rd + fixed, len - fixed) == len - fixed;
}

/* True if rd is strings cut exactly as tinydns-data cuts a `'` line. */
static bool txt_canonical(const uint8_t *rd, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t l = rd[i];
		if (l == 0 || l > TXT_CHUNK || i + 1 + l > len)
			return false;
		if (l < TXT_CHUNK && i + 1 + l != len)
			return false;
		i += 1 + l;
	}
	return true;
}

static int render_rr(textbuf_t *t, const tinydns_rr_t *rr)
{
	const uint8_t *rd = rr->rdata;
	size_t len = rr->rdlen;

	switch (rr->type) {
	case RR_A:
		if (len != 4)
			break;
		textbuf_char(t, '+');
		t_name(t, rr->owner, false);
		for (int i = 0; i < 4; i++) {
			textbuf_char(t, i ? '.' : ':');
			textbuf_uint(t, rd[i]);
		}
		return t_tail(t, rr);
	case RR_NS:
	case RR_CNAME:
	case RR_PTR:
		if (!fixed_then_name(rd, len, 0))
			return DZ_ENOTSUP;
		textbuf_char(t, rr->type == RR_NS ? '&' : rr->type == RR_CNAME ? 'C' : '^');
		t_name(t, rr->owner, false);
		textbuf_str(t, rr->type == RR_NS ? "::" : ":");
		t_name(t, rd, true);
		return t_tail(t, rr);
	case RR_MX:
		if (!fixed_then_name(rd, len, 2))
			return DZ_ENOTSUP;
		textbuf_char(t, '@');
		t_name(t, rr->owner, false);
		textbuf_str(t, "::");
		t_name(t, rd + 2, true);
		textbuf_char(t, ':');
		textbuf_uint(t, wire_load_u16(rd));
		return t_tail(t, rr);
	case RR_SRV:
		if (!fixed_then_name(rd, len, 6))
			break;
		textbuf_char(t, 'S');
		t_name(t, rr->owner, false);
		textbuf_str(t, "::");
		t_name(t, rd + 6, true);
		for (int i = 0; i < 3; i++) {   /* port, priority, weight */
			textbuf_char(t, ':');
			textbuf_uint(t, wire_load_u16(rd + (i == 0 ? 4 : i == 1 ? 0 : 2)));
		}
		return t_tail(t, rr);
	case RR_SOA: {
		size_t m = len ? dname_len(rd, len) : 0;
		size_t r = m && m < len ? dname_len(rd + m, len - m) : 0;
		if (!m || !r || m + r + 20 != len)
			return DZ_ENOTSUP;
		textbuf_char(t, 'Z');
		t_name(t, rr->owner, false);
		textbuf_char(t, ':');
		t_name(t, rd, true);
		textbuf_char(t, ':');
		t_name(t, rd + m, true);
		for (int i = 0; i < 5; i++) {
			textbuf_char(t, ':');
			textbuf_uint(t, wire_load_u32(rd + m + r + 4 * (size_t)i));
		}
		return t_tail(t, rr);
	}
	case RR_TXT:
		if (!txt_canonical(rd, len))
			break;
		textbuf_char(t, '\'');
		t_name(t, rr->owner, false);
		textbuf_char(t, ':');
		for (size_t i = 0; i < len; i += 1 + rd[i])
			t_text(t, rd + i + 1, rd[i]);
		return t_tail(t, rr);
	}
	if (generic_refused(rr->type))
		return DZ_ENOTSUP;
	textbuf_char(t, ':');
	t_name(t, rr->owner, false);
	textbuf_char(t, ':');
	textbuf_uint(t, rr->type);
	textbuf_char(t, ':');
	t_text(t, rd, len);
	return t_tail(t, rr);
}

static int t_finish(textbuf_t *t, int rc, size_t *outlen)
{
	if (!rc)
		rc = t->err;
	if (rc)
		return rc;
	*outlen = t->len;
	return 0;
}

int tinydns_rr_to_line(const tinydns_rr_t *rr, char *out, size_t cap,
                       size_t *outlen)
{
	textbuf_t t;
	if (!cap)
		return DZ_ESPACE;
	textbuf_init(&t, out, cap);
	if (!dname_len(rr->owner, DNAME_MAX) || rr->rdlen > TINYDNS_RDATA_MAX)
		return DZ_EINVAL;
	return t_finish(&t, render_rr(&t, rr), outlen);
}

int tinydns_loc_to_line(const tinydns_loc_t *loc, char *out, size_t cap,
                        size_t *outlen)
{
	textbuf_t t;
	int rc = 0;
	if (!cap)
		return DZ_ESPACE;
	if (loc->plen > TINYDNS_PREFIX_MAX)
		return DZ_EINVAL;
	textbuf_init(&t, out, cap);
	textbuf_char(&t, '%');
	if (loc->code[0] || loc->code[1])
		rc = t_loc(&t, loc->code, true);
	else
		textbuf_char(&t, ':');
	for (size_t i = 0; i < loc->plen; i++) {
		if (i)
			textbuf_char(&t, '.');
		textbuf_uint(&t, loc->prefix[i]);
	}
	return t_finish(&t, rc, outlen);
}
