/* RR types and RDATA: presentation text <-> wire form.
 *
 * Parsing goes token by token (rr_lex_*) and writes through the checked
 * cursor, so an over-long RDATA is caught by the cursor, not by arithmetic
 * here.  Every parsed RDATA is finally run through the same check that
 * rdata_to_text uses, so whatever we accept we can print natively again. */
#include "proto/hex.h"
#include "proto/rdata.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <strings.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/textbuf.h"
#include "proto/wire.h"
#include "proto/zonefile.h"

/* Type mnemonics ---------------------------------------------------------- */

static const struct {
	uint16_t type;
	char name[12];
} rr_names[] = {
	{ RR_A, "A" }, { RR_NS, "NS" }, { RR_CNAME, "CNAME" },
	{ RR_SOA, "SOA" }, { RR_PTR, "PTR" }, { RR_MX, "MX" },
	{ RR_TXT, "TXT" }, { RR_AAAA, "AAAA" }, { RR_SRV, "SRV" },
	{ RR_CAA, "CAA" }, { RR_HINFO, "HINFO" }, { RR_NAPTR, "NAPTR" },
	{ RR_DNAME, "DNAME" }, { RR_DS, "DS" }, { RR_SSHFP, "SSHFP" },
	{ RR_TLSA, "TLSA" }, { RR_SPF, "SPF" }, { RR_URI, "URI" },
	{ 3, "MD" }, { 4, "MF" }, { 7, "MB" }, { 8, "MG" }, { 9, "MR" },
	{ 10, "NULL" }, { 11, "WKS" }, { 14, "MINFO" }, { 17, "RP" },
	{ 18, "AFSDB" }, { 24, "SIG" }, { 25, "KEY" }, { 29, "LOC" },
	{ 36, "KX" }, { 37, "CERT" }, { RR_OPT, "OPT" }, { 42, "APL" },
	{ 45, "IPSECKEY" }, { RR_RRSIG, "RRSIG" }, { RR_NSEC, "NSEC" },
	{ RR_DNSKEY, "DNSKEY" }, { 49, "DHCID" }, { 50, "NSEC3" },
	{ 51, "NSEC3PARAM" }, { 53, "SMIMEA" }, { 55, "HIP" }, { 59, "CDS" },
	{ 60, "CDNSKEY" }, { 61, "OPENPGPKEY" }, { 62, "CSYNC" },
	{ 63, "ZONEMD" }, { RR_SVCB, "SVCB" }, { RR_HTTPS, "HTTPS" },
	{ 108, "EUI48" }, { 109, "EUI64" }, { RR_TKEY, "TKEY" },
	{ RR_TSIG, "TSIG" }, { RR_IXFR, "IXFR" }, { RR_AXFR, "AXFR" },
	{ RR_MAILB, "MAILB" }, { RR_MAILA, "MAILA" }, { RR_ANY, "ANY" },
	{ 32769, "DLV" },
};
#define RR_NAMES (sizeof rr_names / sizeof rr_names[0])

/* Decimal digits only, at most `max`.  0 or DZ_EFORMAT (not a number) or
 * DZ_EINVAL (out of range). */
static int parse_uint(const char *s, size_t n, uint32_t max, uint32_t *v)
{
	uint64_t acc = 0;
	if (n == 0)
		return DZ_EFORMAT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return DZ_EFORMAT;
		acc = acc * 10 + (uint64_t)(s[i] - '0');
		if (acc > 0xffffffffull)
			acc = 0x100000000ull;  /* keep scanning for non-digits */
	}
	if (acc > max)
		return DZ_EINVAL;
	*v = (uint32_t)acc;
	return 0;
}

int rr_type_from_text(const char *text, size_t len, uint16_t *type)
{
	uint32_t v;
	for (size_t i = 0; i < RR_NAMES; i++) {
		if (strlen(rr_names[i].name) == len &&
		    strncasecmp(text, rr_names[i].name, len) == 0) {
			*type = rr_names[i].type;
			return 0;
		}
	}
	if (len > 4 && strncasecmp(text, "TYPE", 4) == 0 &&
	    parse_uint(text + 4, len - 4, 65535, &v) == 0) {
		*type = (uint16_t)v;
		return 0;
	}
	return DZ_EINVAL;
}

const char *rr_type_to_text(uint16_t type, char buf[16])
{
	for (size_t i = 0; i < RR_NAMES; i++)
		if (rr_names[i].type == type)
			return rr_names[i].name;
	snprintf(buf, 16, "TYPE%u", (unsigned)type);
	return buf;
}

int rr_type_is_data(uint16_t type)
{
	/* 0 is reserved, OPT lives only in messages, 128-255 are meta/q-types
	 * (RFC 6895 section 3.1). */
	return type != 0 && type != RR_OPT && (type < 128 || type > 255);
}

/* Tokenizer --------------------------------------------------------------- */

void rr_lex_init(rr_lex_t *lx, const char *text, size_t len, unsigned line)
{
	lx->p = text;
	lx->end = text + len;
	lx->line = line;
	lx->tok_line = line;
	lx->paren = 0;
	lx->at_eol = 0;
	lx->tok = text;
	lx->toklen = 0;
	lx->errmsg = NULL;
}

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static inline bool ends_word(char c)
{
	return is_blank(c) || c == '\n' || c == '(' || c == ')' || c == ';' ||
	       c == '"';
}

static enum rr_tok lex_error(rr_lex_t *lx, const char *msg)
{
	lx->errmsg = msg;
	lx->at_eol = 0;
	return RR_TOK_ERR;
}

/* Step over the character after a backslash at p (if any). */
static inline const char *lex_escape(rr_lex_t *lx, const char *p)
{
	p++;
	if (p < lx->end) {
		if (*p == '\n')
			lx->line++;
		p++;
	}
	return p;
}

static enum rr_tok lex_qstring(rr_lex_t *lx)
{
	const char *p = lx->p + 1;
	lx->tok = p;
	while (p < lx->end && *p != '"' && *p != '\n')
		p = *p == '\\' ? lex_escape(lx, p) : p + 1;
	if (p >= lx->end || *p == '\n') {
		/* Leave the newline for the next call: it ends the line. */
		lx->toklen = (size_t)(p - lx->tok);
		lx->p = p;
		return lex_error(lx, "unterminated quoted string");
	}
	lx->toklen = (size_t)(p - lx->tok);
	lx->p = p + 1;
	return RR_TOK_QSTRING;
}

enum rr_tok rr_lex_next(rr_lex_t *lx)
{
	for (;;) {
		if (lx->p >= lx->end) {
			lx->tok_line = lx->line;
			lx->toklen = 0;
			if (lx->paren) {
				lx->paren = 0;
				return lex_error(lx, "missing ')'");
			}
			lx->at_eol = 1;
			return RR_TOK_EOL;
		}
		char c = *lx->p;
		if (is_blank(c)) {
			lx->p++;
		} else if (c == ';') {
			const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
			lx->p = nl ? nl : lx->end;
		} else if (c == '\n') {
			lx->p++;
			lx->line++;
			if (!lx->paren) {
				lx->tok_line = lx->line - 1;
				lx->toklen = 0;
				lx->at_eol = 1;
				return RR_TOK_EOL;
			}
		} else if (c == '(') {
			lx->paren++;
			lx->p++;
		} else if (c == ')') {
			lx->p++;
			if (!lx->paren) {
				lx->tok_line = lx->line;
				return lex_error(lx, "unbalanced ')'");
			}
			lx->paren--;
		} else {
			break;
		}
	}
	lx->tok_line = lx->line;
	lx->at_eol = 0;
	if (*lx->p == '"')
		return lex_qstring(lx);
	const char *p = lx->p;
	lx->tok = p;
	while (p < lx->end && !ends_word(*p))
		p = *p == '\\' ? lex_escape(lx, p) : p + 1;
	lx->toklen = (size_t)(p - lx->tok);
	lx->p = p;
	return RR_TOK_WORD;
}

void rr_lex_skip_line(rr_lex_t *lx)
{
	while (!lx->at_eol)
		rr_lex_next(lx);
}

/* Names -------------------------------------------------------------------- */

/* Why dname_from_text refused `text`: only called on failure, so it need
 * not be fast; it walks the text the way dname_from_text does, counting
 * label and name lengths. */
static const char *name_problem(const char *s, size_t n, const uint8_t *origin)
{
	size_t label = 0, total = 1, i = 0;
	bool absolute = false;
	if (n == 0)
		return "empty name";
	if (n == 1 && s[0] == '@')
		return "relative name and no origin";
	while (i < n) {
		if (s[i] == '.') {
			if (label == 0)
				return "empty label";
			total += 1 + label;
			label = 0;
			absolute = ++i == n;
			continue;
		}
		if (s[i] == '\\') {
			uint32_t v;
			if (i + 1 >= n)
				return "bad escape in name";
			if (s[i + 1] >= '0' && s[i + 1] <= '9') {
				if (i + 4 > n || parse_uint(s + i + 1, 3, 255, &v))
					return "bad escape in name";
				i += 4;
			} else {
				i += 2;
			}
		} else {
			i++;
		}
		if (++label > DLABEL_MAX)
			return "label longer than 63 bytes";
	}
	total += label ? 1 + label : 0;
	if (!absolute && !origin)
		return "relative name and no origin";
	if (!absolute)
		total += dname_len(origin, DNAME_MAX) - 1;
	if (total > DNAME_MAX)
		return "name longer than 255 bytes";
	return "bad name";
}

size_t rdata_name_from_text(uint8_t out[DNAME_MAX], const char *text,
                            size_t len, const uint8_t *origin,
                            const char **errmsg)
{
	size_t n = dname_from_text(out, text, len, origin);
	if (n == 0 && errmsg)
		*errmsg = name_problem(text, len, origin);
	return n;
}

/* Wire checks ------------------------------------------------------------- */

/* Length of the uncompressed name at rd[pos], 0 if none fits. */
static size_t name_at(const uint8_t *rd, size_t len, size_t pos)
{
	return pos < len ? dname_len(rd + pos, len - pos) : 0;
}

/* Step over `count` <character-string>s at *pos; false if they do not fit.
 * count 0: as many as there are up to len (at least one). */
static bool skip_strings(const uint8_t *rd, size_t len, size_t *pos,
                         unsigned count)
{
	unsigned seen = 0;
	while (*pos < len && (count == 0 || seen < count)) {
		*pos += 1 + (size_t)rd[*pos];
		if (*pos > len)
			return false;
		seen++;
	}
	return count ? seen == count : seen > 0;
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* For hash-carrying types: the length a known hash type must have, or 0. */
static size_t hash_len(uint16_t type, uint8_t alg)
{
	switch (type) {
	case RR_DS:     /* RFC 4034, 4509, 6605 digest types */
	case RR_CDS:
		return alg == 1 ? 20 : alg == 2 ? 32 : alg == 4 ? 48 : 0;
	case RR_SSHFP:  /* RFC 4255, 6594 fingerprint types */
		return alg == 1 ? 20 : alg == 2 ? 32 : 0;
	case RR_TLSA:   /* RFC 6698 matching types: 0 is the full data */
		return alg == 1 ? 32 : alg == 2 ? 64 : 0;
	}
	return 0;
}

/* True for the types rdata_to_text prints in their own syntax. */
static bool has_presentation(uint16_t type)
{
	switch (type) {
	case RR_A: case RR_NS: case RR_CNAME: case RR_SOA: case RR_PTR:
	case RR_HINFO: case RR_MX: case RR_TXT: case RR_AAAA: case RR_SRV:
	case RR_NAPTR: case RR_DNAME: case RR_DS: case RR_SSHFP: case RR_TLSA:
	case RR_SPF: case RR_URI: case RR_CAA:
	case RR_DNSKEY: case RR_CDNSKEY: case RR_RRSIG: case RR_NSEC:
	case RR_NSEC3: case RR_NSEC3PARAM: case RR_CDS:
		return true;
	}
	return false;
}

/* An RFC 4034 §4.1.2 type bit map: windows in increasing order, each 1 to
 * 32 bytes long.  Empty is allowed (NSEC3 of an empty non-terminal). */
static bool bitmap_ok(const uint8_t *p, size_t len)
{
	size_t pos = 0;
	int last = -1;
	while (pos < len) {
		if (len - pos < 2 || (int)p[pos] <= last || p[pos + 1] == 0 ||
		    p[pos + 1] > 32 || len - pos - 2 < p[pos + 1])
			return false;
		last = p[pos];
		pos += 2 + (size_t)p[pos + 1];
	}
	return true;
}

/* rdata_check with a reason: NULL if well formed. */
static const char *check(uint16_t type, const uint8_t *rd, size_t len)
{
	size_t pos = 0, n, fixed;
	const char *bad = "RDATA malformed for its type";
	if (len > RDATA_MAX)
		return "RDATA longer than 65535 bytes";
	switch (type) {
	case RR_A:
		return len == 4 ? NULL : bad;
	case RR_AAAA:
		return len == 16 ? NULL : bad;
	case RR_NS: case RR_CNAME: case RR_PTR: case RR_DNAME:
	case RR_MX: case RR_SRV:
		fixed = type == RR_MX ? 2 : type == RR_SRV ? 6 : 0;
		n = name_at(rd, len, fixed);
		return n && fixed + n == len ? NULL : bad;
	case RR_SOA:
		n = name_at(rd, len, 0);
		fixed = n ? name_at(rd, len, n) : 0;
		return fixed && n + fixed + 20 == len ? NULL : bad;
	case RR_TXT: case RR_SPF:
		return skip_strings(rd, len, &pos, 0) && pos == len ? NULL : bad;
	case RR_HINFO:
		return skip_strings(rd, len, &pos, 2) && pos == len ? NULL : bad;
	case RR_NAPTR:
		pos = 4;
		if (len < pos || !skip_strings(rd, len, &pos, 3))
			return bad;
		n = name_at(rd, len, pos);
		return n && pos + n == len ? NULL : bad;
	case RR_CAA:
		if (len < 2 || rd[1] == 0 || 2 + (size_t)rd[1] > len)
			return bad;
		for (size_t i = 0; i < rd[1]; i++)
			if (!is_alnum(rd[2 + i]))
				return "bad CAA tag";
		return NULL;
	case RR_URI:
		return len > 4 ? NULL : bad;
	case RR_DNSKEY: case RR_CDNSKEY:
		return len > 4 ? NULL : bad;
	case RR_RRSIG:
		n = name_at(rd, len, 18);
		return n && 18 + n < len ? NULL : bad;
	case RR_NSEC:
		n = name_at(rd, len, 0);
		return n && bitmap_ok(rd + n, len - n) ? NULL : bad;
	case RR_NSEC3:
		if (len < 6 || (pos = 5 + (size_t)rd[4]) >= len || rd[pos] == 0 ||
		    len - pos - 1 < rd[pos])
			return bad;
		pos += 1 + (size_t)rd[pos];
		return bitmap_ok(rd + pos, len - pos) ? NULL : bad;
	case RR_NSEC3PARAM:
		return len >= 5 && 5 + (size_t)rd[4] == len ? NULL : bad;
	case RR_DS: case RR_CDS: case RR_SSHFP: case RR_TLSA:
		/* fixed part, then a hash whose type is its last byte */
		fixed = type == RR_DS || type == RR_CDS ? 4 : type == RR_SSHFP ? 2 : 3;
		if (len <= fixed)
			return bad;
		n = hash_len(type, rd[fixed - 1]);
		if (n && len - fixed != n)
			return type == RR_DS || type == RR_CDS ? "DS digest length does not match its type" :
			       type == RR_SSHFP ? "SSHFP fingerprint length does not match its type" :
			       "TLSA data length does not match its matching type";
		return NULL;
	}
	return NULL;
}

int rdata_check(uint16_t type, const uint8_t *rd, size_t len)
{
	return check(type, rd, len) ? DZ_EFORMAT : 0;
}

int rdata_target_offset(uint16_t type, const uint8_t *rd, size_t len)
{
	size_t at = type == RR_NS ? 0 : type == RR_MX ? 2 : type == RR_SRV ? 6 : len;
	if (at >= len || !name_at(rd, len, at))
		return -1;
	return (int)at;
}

/* Parsing ------------------------------------------------------------------ */

/* The three messages for a field: FIELD("MX preference") gives
 * "missing MX preference", "bad MX preference", "MX preference out of range". */
#define FIELD(n) "missing " n, "bad " n, n " out of range"

typedef struct rp {
	rr_lex_t *lx;
	enum rr_tok t;         /* current token, if `have` */
	bool have;
	const uint8_t *origin;
	wire_t w;
	const char *err;       /* first error */
	uint8_t nib;           /* pending hex digit, if `odd` */
	bool odd;
} rp_t;

static enum rr_tok rp_peek(rp_t *r)
{
	if (!r->have) {
		r->t = rr_lex_next(r->lx);
		r->have = true;
	}
	return r->t;
}

static int rp_fail(rp_t *r, const char *msg)
{
	if (!r->err)
		r->err = msg;
	return -1;
}

/* Take the next token, which must be a word (a quoted string is `bad`). */
static int rp_word(rp_t *r, const char *missing, const char *bad)
{
	enum rr_tok t = rp_peek(r);
	if (t == RR_TOK_ERR)
		return rp_fail(r, r->lx->errmsg);
	if (t == RR_TOK_EOL)
		return rp_fail(r, missing);
	r->have = false;
	return t == RR_TOK_WORD ? 0 : rp_fail(r, bad);
}

static int rp_num(rp_t *r, uint32_t max, uint32_t *v, const char *missing,
                  const char *bad, const char *range)
{
	if (rp_word(r, missing, bad))
		return -1;
	int rc = parse_uint(r->lx->tok, r->lx->toklen, max, v);
	return rc == 0 ? 0 : rp_fail(r, rc == DZ_EINVAL ? range : bad);
}

/* An unsigned integer field of `size` bytes (1, 2 or 4), written out. */
static int rp_uint(rp_t *r, unsigned size, const char *missing,
                   const char *bad, const char *range)
{
	uint32_t v;
	if (rp_num(r, size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1, &v,
	           missing, bad, range))
		return -1;
	if (size == 1)
		wire_write_u8(&r->w, (uint8_t)v);
	else if (size == 2)
		wire_write_u16(&r->w, (uint16_t)v);
	else
		wire_write_u32(&r->w, v);
	return 0;
}

/* A 32-bit time value; TTL units (1h30m) are allowed as BIND does in SOA. */
static int rp_period(rp_t *r, const char *missing, const char *bad,
                     const char *range)
{
	uint32_t v;
	if (rp_word(r, missing, bad))
		return -1;
	if (zonefile_ttl(r->lx->tok, r->lx->toklen, &v))
		return rp_fail(r, bad);
	wire_write_u32(&r->w, v);
	return 0;
}

static int rp_name(rp_t *r, const char *missing, const char *bad,
                   const char *range)
{
	uint8_t name[DNAME_MAX];
	const char *why = bad;
	if (rp_word(r, missing, bad))
		return -1;
	size_t n = rdata_name_from_text(name, r->lx->tok, r->lx->toklen,
	                                r->origin, &why);
	if (n == 0)
		return rp_fail(r, why);
	wire_write_bytes(&r->w, name, n);
	return 0;
}

/* Write the raw token's bytes with \X and \DDD escapes resolved.  Returns
 * the number of bytes, or -1 on a bad escape. */
static long rp_unescape(rp_t *r, const char *s, size_t n)
{
	long count = 0;
	for (size_t i = 0; i < n; count++) {
		uint8_t c = (uint8_t)s[i++];
		if (c == '\\') {
			uint32_t v;
			if (i >= n)
				return -1;
			if (s[i] >= '0' && s[i] <= '9') {
				if (i + 3 > n || parse_uint(s + i, 3, 255, &v))
					return -1;
				c = (uint8_t)v;
				i += 3;
			} else {
				c = (uint8_t)s[i++];
			}
		}
		wire_write_u8(&r->w, c);
	}
	return count;
}

/* The next token, quoted or not, as text with escapes resolved.  With
 * `counted`, as a <character-string> (length byte, at most 255 bytes);
 * otherwise the bytes alone. */
static int rp_text(rp_t *r, bool counted, const char *missing,
                   const char *toolong)
{
	enum rr_tok t = rp_peek(r);
	size_t at = r->w.pos;
	if (t == RR_TOK_ERR)
		return rp_fail(r, r->lx->errmsg);
	if (t == RR_TOK_EOL)
		return rp_fail(r, missing);
	r->have = false;
	if (counted)
		wire_write_u8(&r->w, 0);
	long n = rp_unescape(r, r->lx->tok, r->lx->toklen);
	if (n < 0)
		return rp_fail(r, "bad escape");
	if (counted) {
		if (n > 255)
			return rp_fail(r, toolong);
		if (!r->w.err)
			r->w.base[at] = (uint8_t)n;
	}
	return 0;
}

/* Hex digits from the rest of the line's words (blanks between digits are
 * allowed, as BIND does).  At least one byte unless `may_be_empty`. */
static int rp_hex_rest(rp_t *r, bool may_be_empty, const char *missing)
{
	size_t start = r->w.pos;
	for (;;) {
		enum rr_tok t = rp_peek(r);
		if (t == RR_TOK_EOL)
			break;
		if (rp_word(r, missing, "bad hex digit"))
			return -1;
		for (size_t i = 0; i < r->lx->toklen; i++) {
			int v = hex_digit(r->lx->tok[i]);
			if (v < 0)
				return rp_fail(r, "bad hex digit");
			if (r->odd)
				wire_write_u8(&r->w, (uint8_t)(r->nib << 4 | v));
			else
				r->nib = (uint8_t)v;
			r->odd = !r->odd;
		}
	}
	if (r->odd)
		return rp_fail(r, "odd number of hex digits");
	if (!may_be_empty && r->w.pos == start && !r->w.err)
		return rp_fail(r, missing);
	return 0;
}

static int rp_ip(rp_t *r, int af)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t addr[16];
	const char *bad = af == AF_INET ? "bad IPv4 address" : "bad IPv6 address";
	if (rp_word(r, af == AF_INET ? "missing IPv4 address" :
	            "missing IPv6 address", bad))
		return -1;
	/* inet_pton stops at a NUL: one inside the token must not hide
	 * what follows it */
	if (r->lx->toklen >= sizeof buf || memchr(r->lx->tok, 0, r->lx->toklen))
		return rp_fail(r, bad);
	memcpy(buf, r->lx->tok, r->lx->toklen);
	buf[r->lx->toklen] = 0;
	if (inet_pton(af, buf, addr) != 1)
		return rp_fail(r, bad);
	wire_write_bytes(&r->w, addr, af == AF_INET ? 4 : 16);
	return 0;
}

/* RFC 3597: \# LEN HEX... (the "\#" already taken). */
static int rp_generic(rp_t *r)
{
	uint32_t n;
	if (rp_num(r, RDATA_MAX, &n, FIELD("generic RDATA length")) ||
	    rp_hex_rest(r, true, "missing generic RDATA"))
		return -1;
	if (!r->w.err && r->w.pos != n)
		return rp_fail(r, "generic RDATA length does not match its data");
	return 0;
}

static int rp_strings(rp_t *r, const char *missing, const char *toolong)
{
	if (rp_text(r, true, missing, toolong))
		return -1;
	while (rp_peek(r) != RR_TOK_EOL)
		if (rp_text(r, true, missing, toolong))
			return -1;
	return 0;
}

static int rp_caa_tag(rp_t *r)
{
	if (rp_word(r, "missing CAA tag", "bad CAA tag"))
		return -1;
	const char *s = r->lx->tok;
	size_t n = r->lx->toklen;
	if (n == 0 || n > 255)
		return rp_fail(r, "bad CAA tag");
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((uint8_t)s[i]))
			return rp_fail(r, "bad CAA tag");
	wire_write_u8(&r->w, (uint8_t)n);
	wire_write_bytes(&r->w, s, n);
	return 0;
}

/* Base64 (RFC 4648) from the rest of the line's words, blanks allowed
 * between them, '=' padding only at the end. */
static int rp_b64_rest(rp_t *r, const char *missing)
{
	size_t start = r->w.pos;
	uint32_t acc = 0;
	unsigned bits = 0, pad = 0;
	while (rp_peek(r) != RR_TOK_EOL) {
		if (rp_word(r, missing, "bad base64"))
			return -1;
		for (size_t i = 0; i < r->lx->toklen; i++) {
			char c = r->lx->tok[i];
			int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 :
			        c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
			if (c == '=') {
				pad++;
				continue;
			}
			if (v < 0 || pad)
				return rp_fail(r, "bad base64");
			acc = acc << 6 | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				wire_write_u8(&r->w, (uint8_t)(acc >> bits));
			}
		}
	}
	if (pad > 2 || bits >= 6 || (acc & ((1u << bits) - 1)))
		return rp_fail(r, "bad base64");
	if (r->w.pos == start && !r->w.err)
		return rp_fail(r, missing);
	return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* An RRSIG time (RFC 4034 §3.2): YYYYMMDDHHmmSS in UTC, or a number of
 * seconds; written as seconds modulo 2^32. */
static int rp_sigtime(rp_t *r, const char *missing, const char *bad,
                      const char *range)
{
	uint32_t v, f[6];
	static const uint8_t width[6] = { 4, 2, 2, 2, 2, 2 };
	static const uint32_t maxv[6] = { 9999, 12, 31, 23, 59, 59 };
	if (rp_word(r, missing, bad))
		return -1;
	const char *t = r->lx->tok;
	if (r->lx->toklen != 14) {
		if (parse_uint(t, r->lx->toklen, 0xffffffffu, &v))
			return rp_fail(r, bad);
		wire_write_u32(&r->w, v);
		return 0;
	}
	for (int i = 0; i < 6; t += width[i], i++)
		if (parse_uint(t, width[i], maxv[i], &f[i]) || (i < 3 && i > 0 && f[i] == 0))
			return rp_fail(r, range);
	int64_t secs = days_from_civil(f[0], f[1], f[2]) * 86400 +
	               f[3] * 3600 + f[4] * 60 + f[5];
	wire_write_u32(&r->w, (uint32_t)((uint64_t)secs & 0xffffffffu));
	return 0;
}

/* A type bit map from the rest of the line's words (type mnemonics). */
static int rp_bitmap(rp_t *r)
{
	uint8_t map[8192] = { 0 };
	uint16_t t;
	while (rp_peek(r) != RR_TOK_EOL) {
		if (rp_word(r, "missing type", "bad type in bit map"))
			return -1;
		if (rr_type_from_text(r->lx->tok, r->lx->toklen, &t))
			return rp_fail(r, "bad type in bit map");
		map[t >> 3] |= (uint8_t)(0x80 >> (t & 7));
	}
	for (unsigned win = 0; win < 256; win++) {
		unsigned n = 32;
		while (n && !map[win * 32 + n - 1])
			n--;
		if (!n)
			continue;
		wire_write_u8(&r->w, (uint8_t)win);
		wire_write_u8(&r->w, (uint8_t)n);
		wire_write_bytes(&r->w, map + win * 32, n);
	}
	return 0;
}

/* An NSEC3 salt: "-" for none, else hex; written with its length byte. */
static int rp_salt(rp_t *r)
{
	if (rp_word(r, "missing NSEC3 salt", "bad NSEC3 salt"))
		return -1;
	const char *s = r->lx->tok;
	size_t n = r->lx->toklen;
	if (n == 1 && s[0] == '-') {
		wire_write_u8(&r->w, 0);
		return 0;
	}
	if (n % 2 || n > 510)
		return rp_fail(r, "bad NSEC3 salt");
	wire_write_u8(&r->w, (uint8_t)(n / 2));
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return rp_fail(r, "bad NSEC3 salt");
		wire_write_u8(&r->w, (uint8_t)(hi << 4 | lo));
	}
	return 0;
}

/* The NSEC3 next hashed owner in base32hex (RFC 4648 §7, no padding),
 * written with its length byte. */
static int rp_b32hex(rp_t *r)
{
	if (rp_word(r, "missing NSEC3 next hashed owner", "bad NSEC3 next hashed owner"))
		return -1;
	const char *s = r->lx->tok;
	size_t n = r->lx->toklen, at = r->w.pos;
	uint32_t acc = 0;
	unsigned bits = 0, out = 0;
	wire_write_u8(&r->w, 0);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'v' ? c - 'a' + 10 :
		        c >= 'A' && c <= 'V' ? c - 'A' + 10 : -1;
		if (v < 0)
			return rp_fail(r, "bad NSEC3 next hashed owner");
		acc = acc << 5 | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			wire_write_u8(&r->w, (uint8_t)(acc >> bits));
			out++;
		}
	}
	if (out == 0 || out > 255 || (acc & ((1u << bits) - 1)))
		return rp_fail(r, "bad NSEC3 next hashed owner");
	if (!r->w.err)
		r->w.base[at] = (uint8_t)out;
	return 0;
}

/* RRSIG type covered: a mnemonic. */
static int rp_type(rp_t *r)
{
	uint16_t t;
	if (rp_word(r, "missing RRSIG type covered", "bad RRSIG type covered"))
		return -1;
	if (rr_type_from_text(r->lx->tok, r->lx->toklen, &t))
		return rp_fail(r, "bad RRSIG type covered");
	wire_write_u16(&r->w, t);
	return 0;
}

/* One type's fields, in its own syntax. */
static int rp_fields(rp_t *r, uint16_t type)
{
	const char *toolong = "character-string longer than 255 bytes";
	switch (type) {
	case RR_A:
		return rp_ip(r, AF_INET);
	case RR_AAAA:
		return rp_ip(r, AF_INET6);
	case RR_NS:
		return rp_name(r, FIELD("NS name"));
	case RR_CNAME:
		return rp_name(r, FIELD("CNAME target"));
	case RR_PTR:
		return rp_name(r, FIELD("PTR name"));
	case RR_DNAME:
		return rp_name(r, FIELD("DNAME target"));
	case RR_MX:
		return rp_uint(r, 2, FIELD("MX preference")) ||
		       rp_name(r, FIELD("MX exchange"));
	case RR_SRV:
		return rp_uint(r, 2, FIELD("SRV priority")) ||
		       rp_uint(r, 2, FIELD("SRV weight")) ||
		       rp_uint(r, 2, FIELD("SRV port")) ||
		       rp_name(r, FIELD("SRV target"));
	case RR_SOA:
		return rp_name(r, FIELD("SOA mname")) ||
		       rp_name(r, FIELD("SOA rname")) ||
		       rp_uint(r, 4, FIELD("SOA serial")) ||
		       rp_period(r, FIELD("SOA refresh")) ||
		       rp_period(r, FIELD("SOA retry")) ||
		       rp_period(r, FIELD("SOA expire")) ||
		       rp_period(r, FIELD("SOA minimum"));
	case RR_TXT:
	case RR_SPF:
		return rp_strings(r, "missing TXT string",
		                  "TXT string longer than 255 bytes");
	case RR_HINFO:
		return rp_text(r, true, "missing HINFO cpu", toolong) ||
		       rp_text(r, true, "missing HINFO os", toolong);
	case RR_NAPTR:
		return rp_uint(r, 2, FIELD("NAPTR order")) ||
		       rp_uint(r, 2, FIELD("NAPTR preference")) ||
		       rp_text(r, true, "missing NAPTR flags", toolong) ||
		       rp_text(r, true, "missing NAPTR services", toolong) ||
		       rp_text(r, true, "missing NAPTR regexp", toolong) ||
		       rp_name(r, FIELD("NAPTR replacement"));
	case RR_CAA:
		return rp_uint(r, 1, FIELD("CAA flags")) || rp_caa_tag(r) ||
		       rp_text(r, false, "missing CAA value", NULL);
	case RR_URI:
		if (rp_uint(r, 2, FIELD("URI priority")) ||
		    rp_uint(r, 2, FIELD("URI weight")) ||
		    rp_text(r, false, "missing URI target", NULL))
			return -1;
		return r->w.pos > 4 || r->w.err ? 0 : rp_fail(r, "empty URI target");
	case RR_DNSKEY: case RR_CDNSKEY:
		return rp_uint(r, 2, FIELD("DNSKEY flags")) ||
		       rp_uint(r, 1, FIELD("DNSKEY protocol")) ||
		       rp_uint(r, 1, FIELD("DNSKEY algorithm")) ||
		       rp_b64_rest(r, "missing DNSKEY public key");
	case RR_RRSIG:
		return rp_type(r) ||
		       rp_uint(r, 1, FIELD("RRSIG algorithm")) ||
		       rp_uint(r, 1, FIELD("RRSIG labels")) ||
		       rp_uint(r, 4, FIELD("RRSIG original TTL")) ||
		       rp_sigtime(r, FIELD("RRSIG expiration")) ||
		       rp_sigtime(r, FIELD("RRSIG inception")) ||
		       rp_uint(r, 2, FIELD("RRSIG key tag")) ||
		       rp_name(r, FIELD("RRSIG signer")) ||
		       rp_b64_rest(r, "missing RRSIG signature");
	case RR_NSEC:
		return rp_name(r, FIELD("NSEC next name")) || rp_bitmap(r);
	case RR_NSEC3:
		return rp_uint(r, 1, FIELD("NSEC3 hash algorithm")) ||
		       rp_uint(r, 1, FIELD("NSEC3 flags")) ||
		       rp_uint(r, 2, FIELD("NSEC3 iterations")) ||
		       rp_salt(r) || rp_b32hex(r) || rp_bitmap(r);
	case RR_NSEC3PARAM:
		return rp_uint(r, 1, FIELD("NSEC3 hash algorithm")) ||
		       rp_uint(r, 1, FIELD("NSEC3 flags")) ||
		       rp_uint(r, 2, FIELD("NSEC3 iterations")) ||
		       rp_salt(r);
	case RR_DS: case RR_CDS:
		return rp_uint(r, 2, FIELD("DS key tag")) ||
		       rp_uint(r, 1, FIELD("DS algorithm")) ||
		       rp_uint(r, 1, FIELD("DS digest type")) ||
		       rp_hex_rest(r, false, "missing DS digest");
	case RR_SSHFP:
		return rp_uint(r, 1, FIELD("SSHFP algorithm")) ||
		       rp_uint(r, 1, FIELD("SSHFP fingerprint type")) ||
		       rp_hex_rest(r, false, "missing SSHFP fingerprint");
	case RR_TLSA:
		return rp_uint(r, 1, FIELD("TLSA usage")) ||
		       rp_uint(r, 1, FIELD("TLSA selector")) ||
		       rp_uint(r, 1, FIELD("TLSA matching type")) ||
		       rp_hex_rest(r, false, "missing TLSA data");
	}
	return rp_fail(r, "no text form for this type; use \\# generic form");
}

int rdata_from_lex(uint16_t type, rr_lex_t *lx, const uint8_t *origin,
                   uint8_t *out, size_t cap, size_t *outlen,
                   const char **errmsg)
{
	rp_t r = { .lx = lx, .origin = origin };
	const char *why;
	int rc = DZ_EFORMAT;

	wire_init(&r.w, out, cap < RDATA_MAX ? cap : RDATA_MAX);
	if (rp_peek(&r) == RR_TOK_WORD && lx->toklen == 2 &&
	    memcmp(lx->tok, "\\#", 2) == 0) {
		r.have = false;
		if (rp_generic(&r))
			goto fail;
	} else if (rp_fields(&r, type)) {
		goto fail;
	}
	if (r.w.err)
		goto fail;
	switch (rp_peek(&r)) {
	case RR_TOK_EOL:
		break;
	case RR_TOK_ERR:
		rp_fail(&r, lx->errmsg);
		goto fail;
	default:
		rp_fail(&r, "too many fields");
		goto fail;
	}
	why = check(type, out, r.w.pos);
	if (why) {
		rp_fail(&r, why);
		goto fail;
	}
	*outlen = r.w.pos;
	return 0;
fail:
	if (r.w.err == DZ_ESPACE) {
		/* The cursor ran out: our cap or the protocol's? */
		rc = cap < RDATA_MAX ? DZ_ESPACE : DZ_EFORMAT;
		r.err = rc == DZ_ESPACE ? "RDATA does not fit in the buffer" :
		        "RDATA longer than 65535 bytes";
	}
	if (errmsg)
		*errmsg = r.err ? r.err : "malformed RDATA";
	return rc;
}

int rdata_from_text(uint16_t type, const char *text, size_t textlen,
                    const uint8_t *origin, uint8_t *out, size_t cap,
                    size_t *outlen, const char **errmsg)
{
	rr_lex_t lx;
	rr_lex_init(&lx, text, textlen, 1);
	int rc = rdata_from_lex(type, &lx, origin, out, cap, outlen, errmsg);
	if (rc)
		return rc;
	/* One record only: after its end only blanks and comments. */
	while (lx.p < lx.end) {
		if (rr_lex_next(&lx) != RR_TOK_EOL) {
			if (errmsg)
				*errmsg = "text after the end of the record";
			return DZ_EFORMAT;
		}
	}
	return 0;
}

/* Printing ----------------------------------------------------------------- */

/* A number and the text after it. */
static void out_uint(textbuf_t *o, uint32_t v, const char *after)
{
	textbuf_uint(o, v);
	textbuf_str(o, after);
}

static void out_name(textbuf_t *o, const uint8_t *name, const char *after)
{
	char text[4 * DNAME_MAX + 2];   /* every byte as \DDD, at worst */
	int n = dname_to_text(name, text, sizeof text);
	if (n < 0) {
		o->err = DZ_ESPACE;
		return;
	}
	textbuf_add(o, text, (size_t)n);
	textbuf_str(o, after);
}

/* Bytes as a quoted string, as dig prints them: '"' and '\' escaped,
 * non-printing bytes as \DDD. */
static void out_quoted(textbuf_t *o, const uint8_t *p, size_t n)
{
	textbuf_add(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char esc[5];
		if (p[i] < 0x20 || p[i] >= 0x7f) {
			snprintf(esc, sizeof esc, "\\%03u", p[i]);
			textbuf_add(o, esc, 4);
		} else if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			textbuf_add(o, esc, 2);
		} else {
			textbuf_add(o, p + i, 1);
		}
	}
	textbuf_add(o, "\"", 1);
}

/* <character-string>s from *pos: `count` of them, or (0) all to len. */
static void out_strings(textbuf_t *o, const uint8_t *rd, size_t len, size_t *pos,
                        unsigned count, const char *after)
{
	for (unsigned i = 0; *pos < len && (count == 0 || i < count); i++) {
		size_t n = rd[*pos];
		if (i)
			textbuf_add(o, " ", 1);
		out_quoted(o, rd + *pos + 1, n);
		*pos += 1 + n;
	}
	textbuf_str(o, after);
}

static void out_hex(textbuf_t *o, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		char h[2] = { digits[p[i] >> 4], digits[p[i] & 15] };
		textbuf_add(o, h, 2);
	}
}

static void out_b64(textbuf_t *o, const uint8_t *p, size_t n)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { a[v >> 18], a[(v >> 12) & 63],
		              i + 1 < n ? a[(v >> 6) & 63] : '=', i + 2 < n ? a[v & 63] : '=' };
		textbuf_add(o, q, 4);
	}
}

static void out_b32hex(textbuf_t *o, const uint8_t *p, size_t n)
{
	static const char a[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			textbuf_char(o, a[(acc >> bits) & 31]);
		}
	}
	if (bits)
		textbuf_char(o, a[(acc << (5 - bits)) & 31]);
}

/* RRSIG time as YYYYMMDDHHmmSS (seconds since 1970, before 2106). */
static void out_sigtime(textbuf_t *o, uint32_t t, const char *after)
{
	int64_t z = (int64_t)(t / 86400) + 719468;
	int64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
	unsigned s = t % 86400;
	textbuf_fmt(o, "%04u%02u%02u%02u%02u%02u%s", (unsigned)y, m, d, s / 3600,
	            s / 60 % 60, s % 60, after);
}

/* A type bit map (already checked) as mnemonics, each after a blank. */
static void out_bitmap(textbuf_t *o, const uint8_t *p, size_t len)
{
	char buf[16];
	for (size_t pos = 0; pos + 2 <= len; pos += 2 + (size_t)p[pos + 1])
		for (unsigned i = 0; i < p[pos + 1] * 8u; i++)
			if (p[pos + 2 + i / 8] & (0x80 >> (i % 8))) {
				textbuf_char(o, ' ');
				textbuf_str(o, rr_type_to_text((uint16_t)(p[pos] << 8 | i), buf));
			}
}

static void out_salt(textbuf_t *o, const uint8_t *rd, const char *after)
{
	if (rd[0])
		out_hex(o, rd + 1, rd[0]);
	else
		textbuf_char(o, '-');
	textbuf_str(o, after);
}

static void out_fields(textbuf_t *o, uint16_t type, const uint8_t *rd, size_t len)
{
	char tbuf[16];
	char addr[INET6_ADDRSTRLEN];
	size_t pos = 0, n;

	switch (type) {
	case RR_A:
	case RR_AAAA:
		inet_ntop(type == RR_A ? AF_INET : AF_INET6, rd, addr, sizeof addr);
		textbuf_str(o, addr);
		break;
	case RR_NS: case RR_CNAME: case RR_PTR: case RR_DNAME:
		out_name(o, rd, "");
		break;
	case RR_MX:
		out_uint(o, wire_load_u16(rd), " ");
		out_name(o, rd + 2, "");
		break;
	case RR_SRV:
		out_uint(o, wire_load_u16(rd), " ");
		out_uint(o, wire_load_u16(rd + 2), " ");
		out_uint(o, wire_load_u16(rd + 4), " ");
		out_name(o, rd + 6, "");
		break;
	case RR_SOA:
		out_name(o, rd, " ");
		n = dname_len(rd, len);
		out_name(o, rd + n, " ");
		n += dname_len(rd + n, len - n);
		for (int i = 0; i < 5; i++)
			out_uint(o, wire_load_u32(rd + n + 4 * (size_t)i), i < 4 ? " " : "");
		break;
	case RR_TXT: case RR_SPF: case RR_HINFO:
		out_strings(o, rd, len, &pos, 0, "");
		break;
	case RR_NAPTR:
		out_uint(o, wire_load_u16(rd), " ");
		out_uint(o, wire_load_u16(rd + 2), " ");
		pos = 4;
		out_strings(o, rd, len, &pos, 3, " ");
		out_name(o, rd + pos, "");
		break;
	case RR_CAA:
		out_uint(o, rd[0], " ");
		textbuf_add(o, rd + 2, rd[1]);
		textbuf_add(o, " ", 1);
		out_quoted(o, rd + 2 + rd[1], len - 2 - rd[1]);
		break;
	case RR_URI:
		out_uint(o, wire_load_u16(rd), " ");
		out_uint(o, wire_load_u16(rd + 2), " ");
		out_quoted(o, rd + 4, len - 4);
		break;
	case RR_DNSKEY: case RR_CDNSKEY:
		out_uint(o, wire_load_u16(rd), " ");
		out_uint(o, rd[2], " ");
		out_uint(o, rd[3], " ");
		out_b64(o, rd + 4, len - 4);
		break;
	case RR_RRSIG:
		textbuf_str(o, rr_type_to_text(wire_load_u16(rd), tbuf));
		textbuf_char(o, ' ');
		out_uint(o, rd[2], " ");
		out_uint(o, rd[3], " ");
		out_uint(o, wire_load_u32(rd + 4), " ");
		out_sigtime(o, wire_load_u32(rd + 8), " ");
		out_sigtime(o, wire_load_u32(rd + 12), " ");
		out_uint(o, wire_load_u16(rd + 16), " ");
		out_name(o, rd + 18, " ");
		n = 18 + dname_len(rd + 18, len - 18);
		out_b64(o, rd + n, len - n);
		break;
	case RR_NSEC:
		out_name(o, rd, "");
		n = dname_len(rd, len);
		out_bitmap(o, rd + n, len - n);
		break;
	case RR_NSEC3: case RR_NSEC3PARAM:
		out_uint(o, rd[0], " ");
		out_uint(o, rd[1], " ");
		out_uint(o, wire_load_u16(rd + 2), " ");
		out_salt(o, rd + 4, type == RR_NSEC3 ? " " : "");
		if (type == RR_NSEC3PARAM)
			break;
		n = 5 + (size_t)rd[4];
		out_b32hex(o, rd + n + 1, rd[n]);
		n += 1 + (size_t)rd[n];
		out_bitmap(o, rd + n, len - n);
		break;
	case RR_DS: case RR_CDS: case RR_SSHFP: case RR_TLSA:
		n = type == RR_DS || type == RR_CDS ? 4 : type == RR_SSHFP ? 2 : 3;
		if (type == RR_DS || type == RR_CDS) {
			out_uint(o, wire_load_u16(rd), " ");
			pos = 2;
		}
		for (; pos < n; pos++)
			out_uint(o, rd[pos], " ");
		out_hex(o, rd + n, len - n);
		break;
	}
}

int rdata_to_text(uint16_t type, const uint8_t *rd, size_t len, char *out,
                  size_t cap)
{
	textbuf_t o;
	textbuf_init(&o, out, cap);
	if (has_presentation(type) && !check(type, rd, len)) {
		out_fields(&o, type, rd, len);
	} else {
		textbuf_str(&o, "\\# ");
		out_uint(&o, (uint32_t)len, len ? " " : "");
		out_hex(&o, rd, len);
	}
	return o.err ? -1 : (int)o.len;
}
