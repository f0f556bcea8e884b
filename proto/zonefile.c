/* RFC 1035 master files, parsed from memory.
 *
 * The tokenizer and RDATA parser are rdata.c's (rr_lex_*, rdata_from_lex),
 * so a record here and a value given to `dynzone record add` are read by
 * the same code.  Per record we keep only the owner and one RDATA buffer in
 * the parser state on the caller's stack; nothing is allocated. */
#include "proto/zonefile.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "proto/wire.h"

#define TTL_MAX 0x7fffffffu  /* RFC 2181 section 8 */
#define MSG_MAX 96           /* formatted error messages */

typedef struct zf {
	rr_lex_t lx;
	zf_record_cb cb;
	zf_error_cb ecb;
	void *ctx;
	uint8_t origin[DNAME_MAX];
	bool has_origin;
	uint8_t owner[DNAME_MAX];
	size_t owner_len;        /* 0: no owner yet, or the last one was bad */
	uint32_t dir_ttl;        /* $TTL, or the caller's default */
	bool has_dir_ttl;
	uint32_t last_ttl;       /* last explicit TTL (RFC 1035 semantics) */
	bool has_last_ttl;
	uint32_t soa_min;        /* minimum of the last SOA seen */
	bool has_soa;
	int reported;            /* lines reported through ecb */
	int stop;                /* the record callback's non-zero return */
	uint8_t rdata[RDATA_MAX];
} zf_t;

/* Digits from s[*i] on; false if there are none or the value passes
 * UINT32_MAX. */
static bool scan_uint(const char *s, size_t n, size_t *i, uint32_t *v)
{
	uint64_t acc = 0;
	size_t start = *i;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		acc = acc * 10 + (uint64_t)(s[*i] - '0');
		if (acc > 0xffffffffull)
			return false;
		(*i)++;
	}
	*v = (uint32_t)acc;
	return *i > start;
}

int zonefile_ttl(const char *text, size_t len, uint32_t *ttl)
{
	uint64_t total = 0;
	size_t i = 0;
	bool units = false;
	uint32_t n;

	while (i < len || i == 0) {
		if (!scan_uint(text, len, &i, &n))
			return DZ_EFORMAT;
		if (i == len) {
			/* A bare number is seconds, but only on its own: BIND
			 * refuses "1h30" too. */
			if (units)
				return DZ_EFORMAT;
			total = n;
			break;
		}
		uint64_t unit;
		switch (text[i++]) {
		case 's': case 'S': unit = 1; break;
		case 'm': case 'M': unit = 60; break;
		case 'h': case 'H': unit = 3600; break;
		case 'd': case 'D': unit = 86400; break;
		case 'w': case 'W': unit = 604800; break;
		default: return DZ_EFORMAT;
		}
		units = true;
		total += unit * n;
		if (total > 0xffffffffull)
			return DZ_EFORMAT;
	}
	*ttl = (uint32_t)total;
	return 0;
}

static bool word_is(const rr_lex_t *lx, const char *word)
{
	return strlen(word) == lx->toklen &&
	       strncasecmp(lx->tok, word, lx->toklen) == 0;
}

/* A class mnemonic or CLASSnnn; false if the word is not a class. */
static bool class_from_text(const rr_lex_t *lx, uint16_t *cls)
{
	static const struct {
		uint16_t cls;
		char name[8];
	} classes[] = {
		{ CLASS_IN, "IN" }, { CLASS_CH, "CH" }, { CLASS_CH, "CHAOS" },
		{ 4, "HS" }, { 4, "HESIOD" }, { CLASS_NONE, "NONE" },
		{ CLASS_ANY, "ANY" },
	};
	size_t i = 5;
	uint32_t v;
	for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
		if (word_is(lx, classes[k].name)) {
			*cls = classes[k].cls;
			return true;
		}
	}
	if (lx->toklen > 5 && strncasecmp(lx->tok, "CLASS", 5) == 0 &&
	    scan_uint(lx->tok, lx->toklen, &i, &v) && i == lx->toklen &&
	    v <= 0xffff) {
		*cls = (uint16_t)v;
		return true;
	}
	return false;
}

/* Report a line that cannot be taken and move past it. */
static void zf_report(zf_t *z, const char *msg)
{
	z->reported++;
	if (z->ecb)
		z->ecb(z->ctx, z->lx.tok_line, msg);
	rr_lex_skip_line(&z->lx);
}

/* A token that is not a word: the tokenizer's reason, or `msg`. */
static const char *not_word(const zf_t *z, enum rr_tok t, const char *msg)
{
	return t == RR_TOK_ERR ? z->lx.errmsg : msg;
}

/* "$..." at the start of a line.  Takes effect only if the whole line is
 * good. */
static void zf_directive(zf_t *z)
{
	rr_lex_t *lx = &z->lx;
	char buf[MSG_MAX];
	const char *msg;
	enum rr_tok t;
	uint8_t name[DNAME_MAX];
	size_t n = 0;
	uint32_t ttl = 0;
	bool origin = word_is(lx, "$ORIGIN");

	if (origin || word_is(lx, "$TTL")) {
		if ((t = rr_lex_next(lx)) != RR_TOK_WORD) {
			msg = not_word(z, t, origin ? "missing $ORIGIN name" :
			               "missing $TTL value");
			goto fail;
		}
		if (origin) {
			n = rdata_name_from_text(name, lx->tok, lx->toklen,
			                         z->has_origin ? z->origin : NULL, &msg);
			if (!n)
				goto fail;
		} else if (zonefile_ttl(lx->tok, lx->toklen, &ttl) || ttl > TTL_MAX) {
			msg = "bad $TTL value";
			goto fail;
		}
	} else if (word_is(lx, "$INCLUDE")) {
		msg = "$INCLUDE is not supported";
		goto fail;
	} else if (word_is(lx, "$GENERATE")) {
		msg = "$GENERATE is not supported";
		goto fail;
	} else {
		snprintf(buf, sizeof buf, "unknown directive %.*s",
		         lx->toklen > 32 ? 32 : (int)lx->toklen, lx->tok);
		msg = buf;
		goto fail;
	}
	if ((t = rr_lex_next(lx)) != RR_TOK_EOL) {
		msg = not_word(z, t, "too many fields");
		goto fail;
	}
	if (origin) {
		memcpy(z->origin, name, n);
		z->has_origin = true;
	} else {
		z->dir_ttl = ttl;
		z->has_dir_ttl = true;
	}
	return;
fail:
	zf_report(z, msg);
}

/* The TTL of a record that gave none, as BIND chooses it. */
static uint32_t zf_implicit_ttl(const zf_t *z)
{
	if (z->has_dir_ttl)
		return z->dir_ttl;
	if (z->has_last_ttl)
		return z->last_ttl;
	if (z->has_soa)
		return z->soa_min > TTL_MAX ? TTL_MAX : z->soa_min;
	return 3600;
}

/* One logical line: blank, a directive or a record. */
static void zf_line(zf_t *z)
{
	rr_lex_t *lx = &z->lx;
	const uint8_t *origin = z->has_origin ? z->origin : NULL;
	bool blank_owner = *lx->p == ' ' || *lx->p == '\t';
	bool has_ttl = false, has_class = false;
	uint32_t ttl = 0;
	uint16_t type = 0, cls;
	char buf[MSG_MAX], tbuf[16];
	const char *msg;
	size_t rdlen;

	enum rr_tok t = rr_lex_next(lx);
	unsigned line = lx->tok_line;
	if (t == RR_TOK_EOL)
		return;
	if (t == RR_TOK_ERR) {
		msg = lx->errmsg;
		goto fail;
	}
	if (!blank_owner) {
		if (t == RR_TOK_WORD && lx->toklen && lx->tok[0] == '$') {
			zf_directive(z);
			return;
		}
		z->owner_len = 0;
		if (t != RR_TOK_WORD) {
			msg = "bad owner name";
			goto fail;
		}
		z->owner_len = rdata_name_from_text(z->owner, lx->tok, lx->toklen,
		                                    origin, &msg);
		if (!z->owner_len)
			goto fail;
		t = rr_lex_next(lx);
	} else if (!z->owner_len) {
		msg = "no previous owner name";
		goto fail;
	}

	/* [TTL] [class] type, TTL and class in either order */
	for (;; t = rr_lex_next(lx)) {
		if (t != RR_TOK_WORD) {
			msg = not_word(z, t, t == RR_TOK_EOL ? "missing type" : "bad type");
			goto fail;
		}
		if (!has_ttl && lx->tok[0] >= '0' && lx->tok[0] <= '9') {
			if (zonefile_ttl(lx->tok, lx->toklen, &ttl) || ttl > TTL_MAX) {
				msg = "bad TTL";
				goto fail;
			}
			has_ttl = true;
		} else if (!has_class && class_from_text(lx, &cls)) {
			if (cls != CLASS_IN) {
				msg = "only class IN is supported";
				goto fail;
			}
			has_class = true;
		} else if (rr_type_from_text(lx->tok, lx->toklen, &type) == 0) {
			break;
		} else {
			snprintf(buf, sizeof buf, "unknown type %.*s",
			         lx->toklen > 32 ? 32 : (int)lx->toklen, lx->tok);
			msg = buf;
			goto fail;
		}
	}
	if (!rr_type_is_data(type)) {
		snprintf(buf, sizeof buf, "type %s cannot be stored in a zone",
		         rr_type_to_text(type, tbuf));
		msg = buf;
		goto fail;
	}
	if (rdata_from_lex(type, lx, origin, z->rdata, sizeof z->rdata, &rdlen,
	                   &msg))
		goto fail;

	if (type == RR_SOA) {
		z->soa_min = wire_load_u32(z->rdata + rdlen - 4);
		z->has_soa = true;
	}
	if (!has_ttl) {
		ttl = zf_implicit_ttl(z);
	} else if (!z->has_dir_ttl) {
		z->last_ttl = ttl;
		z->has_last_ttl = true;
	}
	if (z->cb) {
		zf_record_t rr = {
			.owner = z->owner, .owner_len = z->owner_len, .type = type,
			.rclass = CLASS_IN, .ttl = ttl, .rdata = z->rdata,
			.rdlen = rdlen, .line = line,
		};
		z->stop = z->cb(z->ctx, &rr);
	}
	return;
fail:
	zf_report(z, msg);
}

int zonefile_parse(const char *text, size_t len, const zf_opts_t *opts,
                   zf_record_cb cb, zf_error_cb ecb, void *ctx)
{
	zf_t z;

	memset(&z, 0, offsetof(zf_t, rdata));
	rr_lex_init(&z.lx, text, len, 1);
	z.cb = cb;
	z.ecb = ecb;
	z.ctx = ctx;
	if (opts && opts->origin) {
		size_t n = dname_len(opts->origin, DNAME_MAX);
		if (!n)
			return DZ_EINVAL;
		memcpy(z.origin, opts->origin, n);
		z.has_origin = true;
	}
	if (opts && opts->default_ttl) {
		z.dir_ttl = opts->default_ttl;
		z.has_dir_ttl = true;
	}
	while (z.lx.p < z.lx.end && !z.stop)
		zf_line(&z);
	return z.stop ? z.stop : z.reported;
}
