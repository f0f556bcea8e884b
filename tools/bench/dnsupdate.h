/*
 * dnsupdate.h: the DNS side of the update benchmark's load generator.
 *
 * RFC 2136 UPDATE messages signed with TSIG HMAC-SHA256 (RFC 8945), the
 * one A query sent after each accepted update, and the checks of their
 * replies.  Everything goes through the checked cursor of proto/wire.h.
 *
 * Header-only (every function `static inline`) on purpose: tools/bench/dns
 * builds upload.c alone with `cc -I<repo> upload.c`, no other sources and
 * no libraries, so nothing here may need a .c file or a link flag.  That is
 * also why SHA-256 is here: it is FIPS 180-4 as written, checked against
 * the RFC 4231 HMAC vectors by `upload -T`, and by every signed update a
 * server accepts.
 */
#ifndef DZ_BENCH_DNSUPDATE_H
#define DZ_BENCH_DNSUPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/wire.h"

#define DNSUPDATE_NAME_MAX 255     /* wire name, root label included */
#define DNSUPDATE_KEY_MAX 128      /* TSIG secret bytes */
#define DNSUPDATE_MSG_MAX 1232     /* one message either way */
#define DNSUPDATE_FUDGE 300        /* TSIG time fudge, seconds */
#define DNSUPDATE_RR_MAX 64        /* answer records looked at */

enum {
	DNSUPDATE_T_A = 1,
	DNSUPDATE_T_SOA = 6,
	DNSUPDATE_T_TSIG = 250,
	DNSUPDATE_C_IN = 1,
	DNSUPDATE_C_ANY = 255,
	DNSUPDATE_OP_UPDATE = 5,
};

/* SHA-256 and HMAC-SHA256 ------------------------------------------------ */

struct dnsupdate_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
};

/* Rotate right. */
static inline uint32_t dnsupdate_ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

/* One 64-byte block into the state (FIPS 180-4 6.2.2). */
static inline void dnsupdate_sha256_block(struct dnsupdate_sha256 *s, const uint8_t *p)
{
	static const uint32_t k[64] = {
		0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
		0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
		0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
		0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
		0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
		0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
		0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
		0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
		0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
		0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
		0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
	};
	uint32_t w[64];
	uint32_t v[8];
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = dnsupdate_ror(w[i - 15], 7) ^ dnsupdate_ror(w[i - 15], 18) ^ w[i - 15] >> 3;
		uint32_t s1 = dnsupdate_ror(w[i - 2], 17) ^ dnsupdate_ror(w[i - 2], 19) ^ w[i - 2] >> 10;
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, s->h, sizeof v);
	for (i = 0; i < 64; i++) {
		uint32_t e1 = dnsupdate_ror(v[4], 6) ^ dnsupdate_ror(v[4], 11) ^ dnsupdate_ror(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + e1 + ch + k[i] + w[i];
		uint32_t e0 = dnsupdate_ror(v[0], 2) ^ dnsupdate_ror(v[0], 13) ^ dnsupdate_ror(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
		memmove(v + 1, v, 7 * sizeof v[0]);
		v[4] += t1;
		v[0] = t1 + e0 + maj;
	}
	for (i = 0; i < 8; i++)
		s->h[i] += v[i];
}

/* A fresh SHA-256 state. */
static inline void dnsupdate_sha256_init(struct dnsupdate_sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(s->h, iv, sizeof iv);
	s->bytes = 0;
	s->fill = 0;
}

/* Hash len more bytes. */
static inline void dnsupdate_sha256_add(struct dnsupdate_sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->bytes += len;
	while (len > 0) {
		size_t n = 64 - s->fill < len ? 64 - s->fill : len;
		memcpy(s->block + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill == 64) {
			dnsupdate_sha256_block(s, s->block);
			s->fill = 0;
		}
	}
}

/* Pad, finish and write the 32-byte digest; the state is spent. */
static inline void dnsupdate_sha256_end(struct dnsupdate_sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->bytes * 8;
	uint8_t pad = 0x80;
	uint8_t len[8];
	unsigned i;

	dnsupdate_sha256_add(s, &pad, 1);
	pad = 0;
	while (s->fill != 56)
		dnsupdate_sha256_add(s, &pad, 1);
	for (i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	dnsupdate_sha256_add(s, len, 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

/* HMAC-SHA256 (RFC 2104) over the concatenation of `nparts` pieces. */
static inline void dnsupdate_hmac(const uint8_t *key, size_t keylen, const void *const *parts,
				  const size_t *lens, size_t nparts, uint8_t out[32])
{
	struct dnsupdate_sha256 s;
	uint8_t k[64];
	uint8_t pad[64];
	uint8_t inner[32];
	size_t i;

	memset(k, 0, sizeof k);
	if (keylen > sizeof k) {
		dnsupdate_sha256_init(&s);
		dnsupdate_sha256_add(&s, key, keylen);
		dnsupdate_sha256_end(&s, k);
	} else {
		memcpy(k, key, keylen);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	dnsupdate_sha256_init(&s);
	dnsupdate_sha256_add(&s, pad, 64);
	for (i = 0; i < nparts; i++)
		dnsupdate_sha256_add(&s, parts[i], lens[i]);
	dnsupdate_sha256_end(&s, inner);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	dnsupdate_sha256_init(&s);
	dnsupdate_sha256_add(&s, pad, 64);
	dnsupdate_sha256_add(&s, inner, sizeof inner);
	dnsupdate_sha256_end(&s, out);
}

/* Names ------------------------------------------------------------------- */

/* "h1.bench.test" (a trailing dot is allowed) into lowercase wire form in
 * out[DNSUPDATE_NAME_MAX].  Returns the wire length, or 0 if it is not a
 * plain host name (empty label, label over 63, name over 255). */
static inline size_t dnsupdate_name(const char *text, uint8_t *out)
{
	size_t len = strlen(text);
	size_t o = 0;
	size_t i = 0;

	if (len > 0 && text[len - 1] == '.')
		len--;
	while (i < len) {
		size_t l = 0;
		while (i + l < len && text[i + l] != '.')
			l++;
		if (l == 0 || l > DLABEL_MAX || o + 1 + l + 1 > DNSUPDATE_NAME_MAX)
			return 0;
		out[o++] = (uint8_t)l;
		for (size_t j = 0; j < l; j++) {
			char c = text[i + j];
			out[o++] = (uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		i += l + 1;
	}
	out[o++] = 0;
	return o;
}

/* Skip one possibly compressed name; a pointer ends it. */
static inline void dnsupdate_skip_name(wire_t *w)
{
	for (unsigned labels = 0; labels < 128; labels++) {
		uint8_t l = wire_read_u8(w);
		if (w->err || l == 0)
			return;
		if ((l & 0xC0) == 0xC0) {
			wire_skip(w, 1);
			return;
		}
		if (l > DLABEL_MAX) {
			wire_fail(w, DZ_EFORMAT);
			return;
		}
		wire_skip(w, l);
	}
	wire_fail(w, DZ_EFORMAT);
}

/* Messages ---------------------------------------------------------------- */

/* A TSIG key: its name (wire form, lowercase) and secret. */
struct dnsupdate_key {
	uint8_t name[DNSUPDATE_NAME_MAX];   /* wire, lowercase */
	size_t name_len;
	uint8_t secret[DNSUPDATE_KEY_MAX];
	size_t secret_len;
};

/* Writes a query (id, name in wire form, qtype, class IN, RD clear) into
 * buf[0..cap).  Returns its length, or a negative DZ_ESPACE. */
static inline int dnsupdate_query(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *name,
				  size_t name_len, uint16_t qtype)
{
	wire_t w;

	wire_init(&w, buf, cap);
	wire_write_u16(&w, id);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 1);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 0);
	wire_write_bytes(&w, name, name_len);
	wire_write_u16(&w, qtype);
	wire_write_u16(&w, DNSUPDATE_C_IN);
	return w.err ? w.err : (int)w.pos;
}

/* Writes an UPDATE of `zone` that replaces the A RRset of `host` by the one
 * address addr4 (TTL ttl): "update delete HOST A" then "update add HOST TTL
 * A ADDR", as nsupdate sends it, signed with TSIG hmac-sha256 by `key` at
 * time `now` (seconds since the epoch).  Names in wire form.  Returns the
 * message length, or a negative DZ_ESPACE. */
static inline int dnsupdate_build(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *zone,
				  size_t zone_len, const uint8_t *host, size_t host_len,
				  const uint8_t addr4[4], uint32_t ttl,
				  const struct dnsupdate_key *key, uint64_t now)
{
	/* "hmac-sha256." in wire form, as RFC 8945 names it */
	static const uint8_t alg[] = "\x0bhmac-sha256";
	const size_t alg_len = sizeof alg;
	uint8_t vars[DNSUPDATE_NAME_MAX + sizeof alg + 32];
	uint8_t mac[32];
	wire_t w;
	wire_t v;
	size_t signed_len;

	wire_init(&w, buf, cap);
	wire_write_u16(&w, id);
	wire_write_u16(&w, DNSUPDATE_OP_UPDATE << 11);
	wire_write_u16(&w, 1);  /* ZOCOUNT */
	wire_write_u16(&w, 0);  /* PRCOUNT */
	wire_write_u16(&w, 2);  /* UPCOUNT */
	wire_write_u16(&w, 0);  /* ADCOUNT: the TSIG is added below */
	wire_write_bytes(&w, zone, zone_len);
	wire_write_u16(&w, DNSUPDATE_T_SOA);
	wire_write_u16(&w, DNSUPDATE_C_IN);
	/* delete the RRset: class ANY, TTL 0, no RDATA (RFC 2136 2.5.2) */
	wire_write_bytes(&w, host, host_len);
	wire_write_u16(&w, DNSUPDATE_T_A);
	wire_write_u16(&w, DNSUPDATE_C_ANY);
	wire_write_u32(&w, 0);
	wire_write_u16(&w, 0);
	/* add the new address (RFC 2136 2.5.1) */
	wire_write_bytes(&w, host, host_len);
	wire_write_u16(&w, DNSUPDATE_T_A);
	wire_write_u16(&w, DNSUPDATE_C_IN);
	wire_write_u32(&w, ttl);
	wire_write_u16(&w, 4);
	wire_write_bytes(&w, addr4, 4);
	if (w.err)
		return w.err;
	signed_len = w.pos;

	/* TSIG variables (RFC 8945 4.3.3): key name, class, TTL, algorithm,
	 * time signed, fudge, error, other length */
	wire_init(&v, vars, sizeof vars);
	wire_write_bytes(&v, key->name, key->name_len);
	wire_write_u16(&v, DNSUPDATE_C_ANY);
	wire_write_u32(&v, 0);
	wire_write_bytes(&v, alg, alg_len);
	wire_write_u16(&v, (uint16_t)(now >> 32));
	wire_write_u32(&v, (uint32_t)now);
	wire_write_u16(&v, DNSUPDATE_FUDGE);
	wire_write_u16(&v, 0);
	wire_write_u16(&v, 0);
	if (v.err)
		return v.err;
	{
		const void *parts[2] = { buf, vars };
		const size_t lens[2] = { signed_len, v.pos };
		dnsupdate_hmac(key->secret, key->secret_len, parts, lens, 2, mac);
	}

	wire_write_bytes(&w, key->name, key->name_len);
	wire_write_u16(&w, DNSUPDATE_T_TSIG);
	wire_write_u16(&w, DNSUPDATE_C_ANY);
	wire_write_u32(&w, 0);
	wire_write_u16(&w, (uint16_t)(alg_len + 6 + 2 + 2 + sizeof mac + 2 + 2 + 2));
	wire_write_bytes(&w, alg, alg_len);
	wire_write_u16(&w, (uint16_t)(now >> 32));
	wire_write_u32(&w, (uint32_t)now);
	wire_write_u16(&w, DNSUPDATE_FUDGE);
	wire_write_u16(&w, sizeof mac);
	wire_write_bytes(&w, mac, sizeof mac);
	wire_write_u16(&w, id);  /* original ID */
	wire_write_u16(&w, 0);   /* error */
	wire_write_u16(&w, 0);   /* other length */
	if (w.err)
		return w.err;
	wire_patch_u16(&w, 10, 1);  /* ADCOUNT */
	return (int)w.pos;
}

/* What a reply said. */
struct dnsupdate_reply {
	unsigned rcode;        /* header RCODE */
	unsigned tsig_error;   /* the TSIG record's error field (0 if none) */
	bool has_tsig;
	bool has_addr;         /* an A record in the answer equals the wanted address */
	unsigned answers;      /* A records in the answer */
};

/* Parses msg[0..len) as the reply to the message with `id` and `opcode`.
 * If want4 is not NULL, looks for that address among the answer's A
 * records.  Returns 0, or DZ_EFORMAT if it is not such a reply (wrong id,
 * not a response, truncated); *out is set on 0. */
static inline int dnsupdate_parse(const uint8_t *msg, size_t len, uint16_t id, unsigned opcode,
				  const uint8_t want4[4], struct dnsupdate_reply *out)
{
	wire_t w;
	uint16_t flags, qd, an, ns, ar;

	memset(out, 0, sizeof *out);
	wire_init(&w, (uint8_t *)(uintptr_t)msg, len);
	if (wire_read_u16(&w) != id)
		return DZ_EFORMAT;
	flags = wire_read_u16(&w);
	qd = wire_read_u16(&w);
	an = wire_read_u16(&w);
	ns = wire_read_u16(&w);
	ar = wire_read_u16(&w);
	if (w.err || !(flags & 0x8000) || (flags >> 11 & 15) != opcode)
		return DZ_EFORMAT;
	out->rcode = flags & 15;
	for (unsigned i = 0; i < qd && !w.err; i++) {
		dnsupdate_skip_name(&w);
		wire_skip(&w, 4);
	}
	if ((unsigned)an + ns + ar > DNSUPDATE_RR_MAX)
		return DZ_EFORMAT;
	for (unsigned i = 0; i < (unsigned)an + ns + ar && !w.err; i++) {
		uint16_t type, rdlen;
		const uint8_t *rd;

		dnsupdate_skip_name(&w);
		type = wire_read_u16(&w);
		wire_skip(&w, 6);  /* class, TTL */
		rdlen = wire_read_u16(&w);
		rd = wire_read_ptr(&w, rdlen);
		if (w.err)
			break;
		if (i < an && type == DNSUPDATE_T_A && rdlen == 4) {
			out->answers++;
			if (want4 != NULL && memcmp(rd, want4, 4) == 0)
				out->has_addr = true;
		}
		if (i >= (unsigned)an + ns && type == DNSUPDATE_T_TSIG) {
			/* algorithm name, time 6, fudge 2, MAC size 2, MAC, orig id 2, error 2 */
			wire_t t;
			uint16_t macsize;

			wire_init(&t, (uint8_t *)(uintptr_t)rd, rdlen);
			dnsupdate_skip_name(&t);
			wire_skip(&t, 8);
			macsize = wire_read_u16(&t);
			wire_skip(&t, macsize + 2u);
			out->tsig_error = wire_read_u16(&t);
			if (t.err)
				return DZ_EFORMAT;
			out->has_tsig = true;
		}
	}
	return w.err ? DZ_EFORMAT : 0;
}

#endif
