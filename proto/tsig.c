/* TSIG (RFC 8945).  The digest layouts follow §4.3 (requests and first
 * replies: prior MAC, message, all TSIG variables) and §5.3.1 (later
 * messages of a multi-message reply: prior MAC, message, timers only), as
 * NSD's tsig.c and Knot's tsig-op.c compute them.  The message is hashed
 * with its ID replaced by the TSIG RR's Original ID and ARCOUNT counting
 * the records before the TSIG RR only. */
#include "proto/tsig.h"

#include <string.h>
#include <strings.h>

#include <mbedtls/base64.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "proto/dnsmsg.h"
#include "proto/errors.h"
#include "proto/rdata.h"
#include "proto/wire.h"

/* Algorithms ------------------------------------------------------------- */

static const struct alg_info {
	enum tsig_alg alg;
	const char *text;
	const uint8_t *wire;
	mbedtls_md_type_t md;
	size_t size;
} algs[] = {
	{ TSIG_HMAC_MD5, "hmac-md5",
	  (const uint8_t *)"\010hmac-md5\007sig-alg\003reg\003int", MBEDTLS_MD_MD5, 16 },
	{ TSIG_HMAC_SHA1, "hmac-sha1", (const uint8_t *)"\011hmac-sha1", MBEDTLS_MD_SHA1, 20 },
	{ TSIG_HMAC_SHA224, "hmac-sha224", (const uint8_t *)"\013hmac-sha224",
	  MBEDTLS_MD_SHA224, 28 },
	{ TSIG_HMAC_SHA256, "hmac-sha256", (const uint8_t *)"\013hmac-sha256",
	  MBEDTLS_MD_SHA256, 32 },
	{ TSIG_HMAC_SHA384, "hmac-sha384", (const uint8_t *)"\013hmac-sha384",
	  MBEDTLS_MD_SHA384, 48 },
	{ TSIG_HMAC_SHA512, "hmac-sha512", (const uint8_t *)"\013hmac-sha512",
	  MBEDTLS_MD_SHA512, 64 },
};
#define NALGS (sizeof algs / sizeof algs[0])

static const struct alg_info *alg_get(enum tsig_alg alg)
{
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			return &algs[i];
	return NULL;
}

const uint8_t *tsig_alg_wire(enum tsig_alg alg)
{
	const struct alg_info *a = alg_get(alg);
	return a ? a->wire : NULL;
}

const char *tsig_alg_text(enum tsig_alg alg)
{
	const struct alg_info *a = alg_get(alg);
	return a ? a->text : NULL;
}

size_t tsig_alg_size(enum tsig_alg alg)
{
	const struct alg_info *a = alg_get(alg);
	return a ? a->size : 0;
}

int tsig_alg_parse(const char *text, size_t len, enum tsig_alg *alg)
{
	if (len && text[len - 1] == '.')
		len--;
	for (size_t i = 0; i < NALGS; i++) {
		if (strlen(algs[i].text) == len && strncasecmp(algs[i].text, text, len) == 0) {
			*alg = algs[i].alg;
			return 0;
		}
	}
	/* MD5's registered name, as BIND writes it */
	if (len == 24 && strncasecmp(text, "hmac-md5.sig-alg.reg.int", len) == 0) {
		*alg = TSIG_HMAC_MD5;
		return 0;
	}
	return DZ_EINVAL;
}

/* Keys ------------------------------------------------------------------- */

/* The next whitespace-separated word of *p: its start and length (0 at the
 * end). */
static size_t next_word(const char **p, const char **word)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	*word = s;
	while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
		s++;
	*p = s;
	return (size_t)(s - *word);
}

static void say(char *err, size_t errlen, const char *what)
{
	if (errlen) {
		size_t n = strlen(what);
		if (n >= errlen)
			n = errlen - 1;
		memcpy(err, what, n);
		err[n] = 0;
	}
}

int tsig_key_parse(const char *line, struct tsig_key *k, char *err, size_t errlen)
{
	const char *p = line, *name, *alg, *secret, *extra;
	size_t nl = next_word(&p, &name);
	size_t al = next_word(&p, &alg);
	size_t sl = next_word(&p, &secret);
	size_t xl = next_word(&p, &extra);
	uint8_t wire[DNAME_MAX];
	static const uint8_t root[1] = { 0 };

	memset(k, 0, sizeof *k);
	if (!nl || !al || !sl || xl) {
		say(err, errlen, "expected NAME ALGORITHM BASE64SECRET");
		return DZ_EINVAL;
	}
	/* a name without the trailing dot is taken as absolute, as BIND's
	 * and Knot's key names are */
	if (nl == 1 && name[0] == '.') {
		say(err, errlen, "the key name may not be the root");
		return DZ_EINVAL;
	}
	if (!dname_from_text(wire, name, nl, root) || (nl == 1 && name[0] == '@')) {
		say(err, errlen, "bad key name");
		return DZ_EINVAL;
	}
	dname_copy_lower(k->name, wire);
	if (dname_to_text(k->name, k->text, sizeof k->text) < 0) {
		say(err, errlen, "bad key name");
		return DZ_EINVAL;
	}
	if (tsig_alg_parse(alg, al, &k->alg)) {
		say(err, errlen, "unknown algorithm (hmac-sha256, hmac-sha384, hmac-sha512, "
		                 "hmac-sha224, hmac-sha1, hmac-md5)");
		goto fail;
	}
	size_t out = 0;
	int rc = mbedtls_base64_decode(k->secret, sizeof k->secret, &out,
	                               (const unsigned char *)secret, sl);
	if (rc == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) {
		say(err, errlen, "secret longer than 128 bytes");
		goto fail;
	}
	if (rc) {
		say(err, errlen, "secret is not valid base64");
		goto fail;
	}
	if (out < TSIG_SECRET_MIN) {
		say(err, errlen, "secret shorter than 16 bytes");
		goto fail;
	}
	k->secret_len = out;
	return 0;
fail:
	mbedtls_platform_zeroize(k, sizeof *k);
	return DZ_EINVAL;
}

int tsig_key_format(const struct tsig_key *k, char *out, size_t cap)
{
	const char *alg = tsig_alg_text(k->alg);
	size_t tl = strlen(k->text), al = alg ? strlen(alg) : 0;
	size_t b64 = 0;
	if (!alg || cap < tl + al + 3)
		return -1;
	memcpy(out, k->text, tl);
	out[tl] = ' ';
	memcpy(out + tl + 1, alg, al);
	out[tl + 1 + al] = ' ';
	size_t at = tl + al + 2;
	if (mbedtls_base64_encode((unsigned char *)out + at, cap - at, &b64, k->secret,
	                          k->secret_len))
		return -1;
	return (int)(at + b64);
}

const struct tsig_key *tsig_keyring_find(const struct tsig_keyring *kr, const uint8_t *name)
{
	for (unsigned i = 0; kr && i < kr->n; i++)
		if (dname_equal_ci(kr->k[i].name, name))
			return &kr->k[i];
	return NULL;
}

/* Finding and parsing the TSIG RR ---------------------------------------- */

int tsig_parse(const uint8_t *msg, size_t len, size_t off, struct tsig_rr *rr)
{
	wire_t w;
	wire_init(&w, (uint8_t *)msg, len);
	wire_seek(&w, off);
	memset(rr, 0, sizeof *rr);
	rr->off = off;
	if (!wire_read_name(&w, rr->name))
		return -1;
	dname_lower(rr->name);
	uint16_t type = wire_read_u16(&w);
	uint16_t cls = wire_read_u16(&w);
	(void)wire_read_u32(&w);          /* TTL: 0, not checked */
	uint16_t rdlen = wire_read_u16(&w);
	if (w.err || type != RR_TSIG || cls != CLASS_ANY || wire_avail(&w) != rdlen)
		return -1;
	if (!wire_read_name(&w, rr->alg_name))
		return -1;
	dname_lower(rr->alg_name);
	uint64_t hi = wire_read_u16(&w);
	rr->time = hi << 32 | wire_read_u32(&w);
	rr->fudge = wire_read_u16(&w);
	rr->mac_len = wire_read_u16(&w);
	if (rr->mac_len > TSIG_MAC_MAX)
		return -1;
	wire_read_bytes(&w, rr->mac, rr->mac_len);
	rr->orig_id = wire_read_u16(&w);
	rr->error = wire_read_u16(&w);
	rr->other_len = wire_read_u16(&w);
	if (rr->other_len > sizeof rr->other)
		return -1;
	wire_read_bytes(&w, rr->other, rr->other_len);
	/* the RDATA ends where rdlen said, and the message with it */
	if (w.err || wire_avail(&w) != 0)
		return -1;
	return 0;
}

int tsig_find(const uint8_t *msg, size_t len, struct tsig_rr *rr)
{
	wire_t w;
	wire_init(&w, (uint8_t *)msg, len);
	wire_skip(&w, 4);
	unsigned qd = wire_read_u16(&w), an = wire_read_u16(&w);
	unsigned ns = wire_read_u16(&w), ar = wire_read_u16(&w);
	for (unsigned i = 0; i < qd && !w.err; i++) {
		wire_skip_name(&w);
		wire_skip(&w, 4);
	}
	unsigned total = an + ns + ar;
	for (unsigned i = 0; i < total && !w.err; i++) {
		size_t start = wire_pos(&w);
		wire_skip_name(&w);
		uint16_t type = wire_read_u16(&w);
		wire_skip(&w, 6);
		uint16_t rdlen = wire_read_u16(&w);
		wire_skip(&w, rdlen);
		if (w.err || type != RR_TSIG)
			continue;
		/* last, and in the additional section (§5.1) */
		if (i != total - 1 || ar == 0)
			return -1;
		return tsig_parse(msg, len, start, rr) ? -1 : 1;
	}
	return w.err ? -1 : 0;
}

/* Digests ---------------------------------------------------------------- */

/* What follows the message in the digest: all the TSIG variables (§4.3.3)
 * or, for later messages of a multi-message reply, the timers only. */
struct vars {
	const uint8_t *name, *alg_name;
	uint64_t time;
	uint16_t fudge, error, other_len;
	const uint8_t *other;
};

static size_t vars_write(const struct vars *v, bool timers_only, uint8_t *buf, size_t cap)
{
	wire_t w;
	wire_init(&w, buf, cap);
	if (!timers_only) {
		wire_write_bytes(&w, v->name, dname_len(v->name, DNAME_MAX));
		wire_write_u16(&w, CLASS_ANY);
		wire_write_u32(&w, 0);
		wire_write_bytes(&w, v->alg_name, dname_len(v->alg_name, DNAME_MAX));
	}
	wire_write_u16(&w, (uint16_t)(v->time >> 32));
	wire_write_u32(&w, (uint32_t)v->time);
	wire_write_u16(&w, v->fudge);
	if (!timers_only) {
		wire_write_u16(&w, v->error);
		wire_write_u16(&w, v->other_len);
		wire_write_bytes(&w, v->other, v->other_len);
	}
	return w.err ? 0 : w.pos;
}

/* HMAC(prior MAC (len + MAC, if prior), header with ID = id and ARCOUNT
 * less ar_less, msg[12, off), variables) into out.  0 or DZ_EINVAL. */
static int digest(const struct tsig_key *k, const uint8_t *prior, size_t prior_len,
                  bool with_prior, const uint8_t *msg, size_t off, uint16_t id,
                  unsigned ar_less, const struct vars *v, bool timers_only, uint8_t *out)
{
	const struct alg_info *a = alg_get(k->alg);
	const mbedtls_md_info_t *md = a ? mbedtls_md_info_from_type(a->md) : NULL;
	uint8_t hdr[DNS_HDR], vbuf[2 * DNAME_MAX + 32], plen[2];
	mbedtls_md_context_t c;
	int ok = 0;

	if (!md || off < DNS_HDR)
		return DZ_EINVAL;
	size_t vlen = vars_write(v, timers_only, vbuf, sizeof vbuf);
	if (!vlen)
		return DZ_EINVAL;
	memcpy(hdr, msg, DNS_HDR);
	wire_store_u16(hdr, id);
	wire_store_u16(hdr + 10, (uint16_t)(wire_load_u16(hdr + 10) - ar_less));
	wire_store_u16(plen, (uint16_t)prior_len);

	mbedtls_md_init(&c);
	if (mbedtls_md_setup(&c, md, 1) || mbedtls_md_hmac_starts(&c, k->secret, k->secret_len))
		goto fail;
	if (with_prior && (mbedtls_md_hmac_update(&c, plen, 2) ||
	                   mbedtls_md_hmac_update(&c, prior, prior_len)))
		goto fail;
	if (mbedtls_md_hmac_update(&c, hdr, DNS_HDR) ||
	    mbedtls_md_hmac_update(&c, msg + DNS_HDR, off - DNS_HDR) ||
	    mbedtls_md_hmac_update(&c, vbuf, vlen) || mbedtls_md_hmac_finish(&c, out))
		goto fail;
	ok = 1;
fail:
	mbedtls_md_free(&c);
	return ok ? 0 : DZ_EINVAL;
}

static bool mac_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	return mbedtls_ct_memcmp(a, b, n) == 0;
}

static bool time_ok(uint64_t t, uint16_t fudge, uint64_t now)
{
	uint64_t d = t > now ? t - now : now - t;
	return d <= fudge;
}

/* Append a TSIG RR with these variables and MAC to buf[0..*len); ARCOUNT
 * plus one. */
static int append_rr(uint8_t *buf, size_t *len, size_t cap, const struct vars *v,
                     uint16_t orig_id, const uint8_t *mac, size_t mac_len)
{
	wire_t w;
	wire_init(&w, buf, cap);
	wire_seek(&w, *len);
	if (w.err || *len < DNS_HDR)
		return DZ_ESPACE;
	size_t nl = dname_len(v->name, DNAME_MAX), al = dname_len(v->alg_name, DNAME_MAX);
	wire_write_bytes(&w, v->name, nl);
	wire_write_u16(&w, RR_TSIG);
	wire_write_u16(&w, CLASS_ANY);
	wire_write_u32(&w, 0);
	wire_write_u16(&w, (uint16_t)(al + 16 + mac_len + v->other_len));
	wire_write_bytes(&w, v->alg_name, al);
	wire_write_u16(&w, (uint16_t)(v->time >> 32));
	wire_write_u32(&w, (uint32_t)v->time);
	wire_write_u16(&w, v->fudge);
	wire_write_u16(&w, (uint16_t)mac_len);
	wire_write_bytes(&w, mac, mac_len);
	wire_write_u16(&w, orig_id);
	wire_write_u16(&w, v->error);
	wire_write_u16(&w, v->other_len);
	wire_write_bytes(&w, v->other, v->other_len);
	wire_patch_u16(&w, 10, (uint16_t)(wire_peek_u16_at(&w, 10) + 1));
	if (w.err)
		return DZ_ESPACE;
	*len = w.pos;
	return 0;
}

/* The server side -------------------------------------------------------- */

int tsig_verify_request(const uint8_t *msg, size_t len, const struct tsig_rr *rr,
                        const struct tsig_keyring *kr, uint64_t now, struct tsig_ctx *ctx)
{
	uint8_t mac[TSIG_MAC_MAX];
	memset(ctx, 0, sizeof *ctx);
	memcpy(ctx->key_name, rr->name, dname_len(rr->name, DNAME_MAX));
	memcpy(ctx->alg_name, rr->alg_name, dname_len(rr->alg_name, DNAME_MAX));
	ctx->time = rr->time;
	ctx->fudge = rr->fudge;
	ctx->orig_id = rr->orig_id;

	const struct tsig_key *k = tsig_keyring_find(kr, rr->name);
	if (!k || !dname_equal_ci(tsig_alg_wire(k->alg), rr->alg_name))
		return ctx->error = TSIG_BADKEY;
	ctx->key = k;
	/* Truncated MACs are refused: our local minimum is the full length
	 * (§5.2.2.1 lets a server insist).  One that the RFC would allow gets
	 * BADTRUNC, anything else BADSIG. */
	size_t full = tsig_alg_size(k->alg);
	if (rr->mac_len != full) {
		size_t min = full / 2 > 10 ? full / 2 : 10;
		return ctx->error = (rr->mac_len < full && rr->mac_len >= min) ? TSIG_BADTRUNC
		                                                             : TSIG_BADSIG;
	}
	struct vars v = { rr->name, rr->alg_name, rr->time, rr->fudge, rr->error,
	                  rr->other_len, rr->other };
	if (digest(k, NULL, 0, false, msg, rr->off, rr->orig_id, 1, &v, false, mac) ||
	    !mac_equal(mac, rr->mac, full))
		return ctx->error = TSIG_BADSIG;
	memcpy(ctx->mac, rr->mac, full);
	ctx->mac_len = full;
	if (!time_ok(rr->time, rr->fudge, now))
		return ctx->error = TSIG_BADTIME;
	return 0;
}

int tsig_sign_reply(struct tsig_ctx *ctx, uint8_t *buf, size_t *len, size_t cap,
                    uint64_t now)
{
	uint8_t mac[TSIG_MAC_MAX], other[6];
	struct vars v = { ctx->key_name, ctx->alg_name, now, TSIG_FUDGE, ctx->error, 0, other };

	if (*len < DNS_HDR || *len > cap)
		return DZ_ESPACE;
	if (ctx->error)
		wire_store_u16(buf + 2, (uint16_t)((wire_load_u16(buf + 2) & ~0xF) | RCODE_NOTAUTH));
	if (ctx->error && ctx->error != TSIG_BADTIME) {
		/* BADKEY, BADSIG, BADTRUNC: no MAC (§5.3.2) */
		v.time = ctx->time ? ctx->time : now;
		return append_rr(buf, len, cap, &v, ctx->orig_id, ctx->mac, 0);
	}
	if (ctx->error == TSIG_BADTIME) {
		/* the request's time, so the client can check the MAC, and ours
		 * in Other Data (§5.2.3) */
		v.time = ctx->time;
		v.other_len = 6;
		wire_store_u16(other, (uint16_t)(now >> 32));
		wire_store_u32(other + 2, (uint32_t)now);
	}
	if (!ctx->key)
		return DZ_EINVAL;
	size_t n = tsig_alg_size(ctx->key->alg);
	if (digest(ctx->key, ctx->mac, ctx->mac_len, ctx->mac_len > 0, buf, *len, ctx->orig_id,
	           0, &v, ctx->nmsg > 0, mac))
		return DZ_EINVAL;
	int rc = append_rr(buf, len, cap, &v, ctx->orig_id, mac, n);
	if (rc)
		return rc;
	memcpy(ctx->mac, mac, n);
	ctx->mac_len = n;
	ctx->nmsg++;
	return 0;
}

/* The client side -------------------------------------------------------- */

int tsig_sign_request(struct tsig_ctx *ctx, const struct tsig_key *k, uint8_t *buf,
                      size_t *len, size_t cap, uint64_t now)
{
	memset(ctx, 0, sizeof *ctx);
	if (*len < DNS_HDR || *len > cap || !tsig_alg_wire(k->alg))
		return DZ_ESPACE;
	ctx->key = k;
	memcpy(ctx->key_name, k->name, dname_len(k->name, DNAME_MAX));
	memcpy(ctx->alg_name, tsig_alg_wire(k->alg), dname_len(tsig_alg_wire(k->alg), DNAME_MAX));
	ctx->orig_id = wire_load_u16(buf);
	ctx->time = now;
	ctx->fudge = TSIG_FUDGE;
	uint8_t none[1] = { 0 };
	struct vars v = { ctx->key_name, ctx->alg_name, now, TSIG_FUDGE, 0, 0, none };
	uint8_t mac[TSIG_MAC_MAX];
	size_t n = tsig_alg_size(k->alg);
	if (digest(k, NULL, 0, false, buf, *len, ctx->orig_id, 0, &v, false, mac))
		return DZ_EINVAL;
	int rc = append_rr(buf, len, cap, &v, ctx->orig_id, mac, n);
	if (rc)
		return rc;
	memcpy(ctx->mac, mac, n);
	ctx->mac_len = n;
	return 0;
}

int tsig_verify_reply(struct tsig_ctx *ctx, const uint8_t *msg, size_t len, uint64_t now)
{
	struct tsig_rr rr;
	uint8_t mac[TSIG_MAC_MAX];

	if (!ctx->key || tsig_find(msg, len, &rr) != 1)
		return -1;
	if (!dname_equal_ci(rr.name, ctx->key_name) || !dname_equal_ci(rr.alg_name, ctx->alg_name))
		return TSIG_BADKEY;
	if (rr.mac_len == 0 && (rr.error == TSIG_BADKEY || rr.error == TSIG_BADSIG ||
	                        rr.error == TSIG_BADTRUNC))
		return rr.error;
	size_t n = tsig_alg_size(ctx->key->alg);
	if (rr.mac_len != n)
		return TSIG_BADSIG;
	struct vars v = { rr.name, rr.alg_name, rr.time, rr.fudge, rr.error, rr.other_len,
	                  rr.other };
	if (digest(ctx->key, ctx->mac, ctx->mac_len, true, msg, rr.off, rr.orig_id, 1, &v,
	           ctx->nmsg > 0, mac) ||
	    !mac_equal(mac, rr.mac, n))
		return TSIG_BADSIG;
	memcpy(ctx->mac, mac, n);
	ctx->nmsg++;
	if (rr.error == TSIG_BADTIME || !time_ok(rr.time, rr.fudge, now))
		return TSIG_BADTIME;
	return 0;
}
