/* DNSSEC record formats, canonical forms and ECDSA P-256 signatures. */
#include "proto/dnssec.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "proto/errors.h"
#include "proto/wire.h"

/* Keys ----------------------------------------------------------------- */

/* A P-256 key pair in mbedTLS form, loaded from k (private part if it
 * has one).  0 or DZ_EINVAL. */
static int load_pair(const struct dnssec_key *k, mbedtls_ecp_keypair *kp)
{
	uint8_t pt[1 + DNSSEC_PUB_LEN];
	mbedtls_ecp_keypair_init(kp);
	if (k->alg != DNSSEC_ALG_ECDSAP256SHA256 ||
	    mbedtls_ecp_group_load(&kp->grp, MBEDTLS_ECP_DP_SECP256R1))
		return DZ_EINVAL;
	pt[0] = 0x04;                  /* uncompressed point */
	memcpy(pt + 1, k->pub, DNSSEC_PUB_LEN);
	if (mbedtls_ecp_point_read_binary(&kp->grp, &kp->Q, pt, sizeof pt) ||
	    mbedtls_ecp_check_pubkey(&kp->grp, &kp->Q))
		return DZ_EINVAL;
	if (k->has_priv && (mbedtls_mpi_read_binary(&kp->d, k->priv, DNSSEC_PRIV_LEN) ||
	                    mbedtls_ecp_check_privkey(&kp->grp, &kp->d)))
		return DZ_EINVAL;
	return 0;
}

int dnssec_key_generate(struct dnssec_key *k, uint16_t flags,
                        int (*rng)(void *ctx, unsigned char *buf, size_t len), void *ctx)
{
	mbedtls_ecp_keypair kp;
	uint8_t pt[1 + DNSSEC_PUB_LEN];
	size_t olen = 0;
	int rc = DZ_EIO;
	memset(k, 0, sizeof *k);
	mbedtls_ecp_keypair_init(&kp);
	if (mbedtls_ecp_group_load(&kp.grp, MBEDTLS_ECP_DP_SECP256R1) ||
	    mbedtls_ecp_gen_keypair(&kp.grp, &kp.d, &kp.Q, rng, ctx) ||
	    mbedtls_ecp_point_write_binary(&kp.grp, &kp.Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen,
	                                   pt, sizeof pt) || olen != sizeof pt ||
	    mbedtls_mpi_write_binary(&kp.d, k->priv, DNSSEC_PRIV_LEN))
		goto fail;
	memcpy(k->pub, pt + 1, DNSSEC_PUB_LEN);
	k->flags = flags;
	k->alg = DNSSEC_ALG_ECDSAP256SHA256;
	k->has_priv = true;
	rc = 0;
fail:
	mbedtls_ecp_keypair_free(&kp);
	if (rc)
		dnssec_key_wipe(k);
	return rc;
}

int dnssec_key_check(const struct dnssec_key *k)
{
	mbedtls_ecp_keypair kp;
	int rc = load_pair(k, &kp);
	if (!rc && k->has_priv) {
		/* Q must be d*G: compare with a pair made from d alone */
		mbedtls_ecp_point q;
		mbedtls_ecp_point_init(&q);
		if (mbedtls_ecp_mul(&kp.grp, &q, &kp.d, &kp.grp.G, NULL, NULL) ||
		    mbedtls_ecp_point_cmp(&q, &kp.Q))
			rc = DZ_EINVAL;
		mbedtls_ecp_point_free(&q);
	}
	mbedtls_ecp_keypair_free(&kp);
	return rc;
}

void dnssec_key_wipe(struct dnssec_key *k)
{
	mbedtls_platform_zeroize(k->priv, sizeof k->priv);
	k->has_priv = false;
}

int dnssec_signer_init(struct dnssec_signer *s, const struct dnssec_key *k)
{
	if (!k->has_priv)
		return DZ_EINVAL;
	int rc = load_pair(k, &s->kp);
	if (rc) {
		mbedtls_ecp_keypair_free(&s->kp);
		return rc;
	}
	s->key = *k;
	return 0;
}

void dnssec_signer_free(struct dnssec_signer *s)
{
	mbedtls_ecp_keypair_free(&s->kp);
	dnssec_key_wipe(&s->key);
}

size_t dnssec_dnskey_rdata(const struct dnssec_key *k, uint8_t *out, size_t cap)
{
	wire_t w;
	wire_init(&w, out, cap);
	wire_write_u16(&w, k->flags);
	wire_write_u8(&w, 3);
	wire_write_u8(&w, k->alg);
	wire_write_bytes(&w, k->pub, DNSSEC_PUB_LEN);
	return w.err ? 0 : wire_pos(&w);
}

uint16_t dnssec_key_tag(const uint8_t *dnskey, size_t len)
{
	uint32_t ac = 0;
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? dnskey[i] : (uint32_t)dnskey[i] << 8;
	ac += (ac >> 16) & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

/* One-shot SHA-256 over up to two pieces.  0 or DZ_EIO. */
static int sha256_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
	mbedtls_md_context_t md;
	int rc = DZ_EIO;
	mbedtls_md_init(&md);
	if (!mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0) &&
	    !mbedtls_md_starts(&md) && !mbedtls_md_update(&md, a, alen) &&
	    !mbedtls_md_update(&md, b, blen) && !mbedtls_md_finish(&md, out))
		rc = 0;
	mbedtls_md_free(&md);
	return rc;
}

size_t dnssec_ds_rdata(const uint8_t *owner, const uint8_t *dnskey, size_t len,
                       uint8_t *out, size_t cap)
{
	uint8_t lo[DNAME_MAX], dig[32];
	size_t olen = dname_len(owner, DNAME_MAX);
	if (!olen || len < 4 || cap < DNSSEC_DS_LEN)
		return 0;
	dname_copy_lower(lo, owner);
	if (sha256_2(lo, olen, dnskey, len, dig))
		return 0;
	wire_t w;
	wire_init(&w, out, cap);
	wire_write_u16(&w, dnssec_key_tag(dnskey, len));
	wire_write_u8(&w, dnskey[3]);
	wire_write_u8(&w, DNSSEC_DIGEST_SHA256);
	wire_write_bytes(&w, dig, sizeof dig);
	return w.err ? 0 : wire_pos(&w);
}

/* Canonical RDATA ------------------------------------------------------- */

/* Lowercase the name at rd[*at] (bounded by len) and move past it.
 * 0 or DZ_EFORMAT. */
static int lower_name_at(uint8_t *rd, size_t len, size_t *at)
{
	size_t n = *at < len ? dname_len(rd + *at, len - *at) : 0;
	if (!n)
		return DZ_EFORMAT;
	dname_lower(rd + *at);
	*at += n;
	return 0;
}

/* Move past a character-string at rd[*at].  0 or DZ_EFORMAT. */
static int skip_string(const uint8_t *rd, size_t len, size_t *at)
{
	if (*at >= len || *at + 1 + rd[*at] > len)
		return DZ_EFORMAT;
	*at += 1u + rd[*at];
	return 0;
}

int dnssec_rdata_canon(uint16_t type, uint8_t *rd, size_t len)
{
	size_t at = 0;
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 39:
		return lower_name_at(rd, len, &at);          /* one name */
	case 6: case 14: case 17:                         /* SOA, MINFO, RP: two */
		if (lower_name_at(rd, len, &at))
			return DZ_EFORMAT;
		return lower_name_at(rd, len, &at);
	case 15: case 18: case 21: case 36:               /* MX, AFSDB, RT, KX */
		at = 2;
		return lower_name_at(rd, len, &at);
	case 26:                                          /* PX: two after 2 */
		at = 2;
		if (lower_name_at(rd, len, &at))
			return DZ_EFORMAT;
		return lower_name_at(rd, len, &at);
	case 33:                                          /* SRV */
		at = 6;
		return lower_name_at(rd, len, &at);
	case 35:                                          /* NAPTR */
		at = 4;
		for (int i = 0; i < 3; i++)
			if (skip_string(rd, len, &at))
				return DZ_EFORMAT;
		return lower_name_at(rd, len, &at);
	case 46:                                          /* RRSIG */
		at = 18;
		return lower_name_at(rd, len, &at);
	default:
		return 0;
	}
}

/* Signing ------------------------------------------------------------- */

static int rd_cmp(const void *a, const void *b)
{
	const struct dnssec_rd *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->rd, y->rd, n);
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Write the RRSIG RDATA's fields before the signature. */
static void write_sig_fields(wire_t *w, const struct dnssec_sig_fields *f)
{
	wire_write_u16(w, f->covered);
	wire_write_u8(w, f->alg);
	wire_write_u8(w, f->labels);
	wire_write_u32(w, f->orig_ttl);
	wire_write_u32(w, f->expiration);
	wire_write_u32(w, f->inception);
	wire_write_u16(w, f->tag);
	wire_write_bytes(w, f->signer, dname_len(f->signer, DNAME_MAX));
}

/* The labels field for owner: its labels, not counting a leading '*'. */
static uint8_t sig_labels(const uint8_t *owner)
{
	unsigned n = dname_labels(owner);
	return (uint8_t)(dname_is_wildcard(owner) ? n - 1 : n);
}

/* SHA-256 of the signed data (RFC 4034 §3.1.8.1): the RRSIG fields (in
 * fields, fl bytes), then each distinct RR of the sorted set in
 * canonical form.  The owner in the RRs is the signed one: lowercase,
 * and for a wildcard expansion the wildcard itself (§3.1.8.1 (5)).
 * 0, DZ_EFORMAT or DZ_EIO. */
static int signed_hash(const uint8_t *fields, size_t fl, const struct dnssec_sig_fields *f,
                       const uint8_t *owner, struct dnssec_rd *rrs, size_t n, uint8_t out[32])
{
	uint8_t lo[DNAME_MAX], *name = lo;
	uint8_t hdr[10];
	size_t nlen = dname_copy_lower(lo, owner);
	unsigned have = dname_labels(lo);
	if (!nlen || f->labels > have)
		return DZ_EFORMAT;
	/* the owner cut to `labels` labels, with a '*' label in front */
	if (f->labels < have) {
		const uint8_t *p = lo;
		for (unsigned i = f->labels; i < have; i++)
			p = dname_parent(p);
		size_t plen = dname_len(p, DNAME_MAX);
		if (plen + 2 > DNAME_MAX)
			return DZ_EFORMAT;
		memmove(lo + 2, p, plen);
		lo[0] = 1;
		lo[1] = '*';
		nlen = plen + 2;
	}
	qsort(rrs, n, sizeof *rrs, rd_cmp);
	mbedtls_md_context_t md;
	int rc = DZ_EIO;
	mbedtls_md_init(&md);
	if (mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 0) ||
	    mbedtls_md_starts(&md) || mbedtls_md_update(&md, fields, fl))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (i && rd_cmp(&rrs[i - 1], &rrs[i]) == 0)
			continue;                     /* an RRset is a set */
		wire_t w;
		wire_init(&w, hdr, sizeof hdr);
		wire_write_u16(&w, f->covered);
		wire_write_u16(&w, 1);                /* IN */
		wire_write_u32(&w, f->orig_ttl);
		wire_write_u16(&w, rrs[i].len);
		if (mbedtls_md_update(&md, name, nlen) || mbedtls_md_update(&md, hdr, sizeof hdr) ||
		    mbedtls_md_update(&md, rrs[i].rd, rrs[i].len))
			goto fail;
	}
	if (mbedtls_md_finish(&md, out))
		goto fail;
	rc = 0;
fail:
	mbedtls_md_free(&md);
	return rc;
}

int dnssec_sign(struct dnssec_signer *sg, struct dnssec_sig_fields *f,
                const uint8_t *owner, struct dnssec_rd *rrs, size_t n,
                uint8_t *out, size_t cap)
{
	mbedtls_hmac_drbg_context drbg;
	mbedtls_mpi r, s;
	uint8_t hash[32], seed[DNSSEC_PRIV_LEN + 32];
	wire_t w;
	int rc;
	f->labels = sig_labels(owner);
	f->alg = sg->key.alg;
	wire_init(&w, out, cap);
	write_sig_fields(&w, f);
	if (w.err || wire_avail(&w) < DNSSEC_SIG_LEN)
		return DZ_ESPACE;
	size_t fl = wire_pos(&w);
	if ((rc = signed_hash(out, fl, f, owner, rrs, n, hash)) != 0)
		return rc;
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	mbedtls_hmac_drbg_init(&drbg);
	/* the signature is RFC 6979's (k from the key and the hash); mbedTLS
	 * wants a second generator only to blind its arithmetic, seeded
	 * here from the same secret so proto/ needs no entropy source */
	rc = DZ_EIO;
	memcpy(seed, sg->key.priv, DNSSEC_PRIV_LEN);
	memcpy(seed + DNSSEC_PRIV_LEN, hash, 32);
	if (mbedtls_hmac_drbg_seed_buf(&drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	                               seed, sizeof seed) ||
	    mbedtls_ecdsa_sign_det_ext(&sg->kp.grp, &r, &s, &sg->kp.d, hash, sizeof hash,
	                               MBEDTLS_MD_SHA256, mbedtls_hmac_drbg_random, &drbg) ||
	    mbedtls_mpi_write_binary(&r, out + fl, 32) ||
	    mbedtls_mpi_write_binary(&s, out + fl + 32, 32))
		goto fail;
	rc = (int)(fl + DNSSEC_SIG_LEN);
fail:
	mbedtls_platform_zeroize(seed, sizeof seed);
	mbedtls_hmac_drbg_free(&drbg);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return rc;
}

int dnssec_rrsig_parse(const uint8_t *rd, size_t len, struct dnssec_sig_fields *f)
{
	wire_t w;
	wire_init(&w, (void *)(uintptr_t)rd, len);
	f->covered = wire_read_u16(&w);
	f->alg = wire_read_u8(&w);
	f->labels = wire_read_u8(&w);
	f->orig_ttl = wire_read_u32(&w);
	f->expiration = wire_read_u32(&w);
	f->inception = wire_read_u32(&w);
	f->tag = wire_read_u16(&w);
	if (w.err || !dname_len(rd + 18, len - 18))
		return DZ_EFORMAT;
	f->signer = rd + 18;
	return 0;
}

int dnssec_verify(const uint8_t *dnskey, size_t dklen, const uint8_t *rrsig, size_t siglen,
                  const uint8_t *owner, struct dnssec_rd *rrs, size_t n)
{
	struct dnssec_sig_fields f;
	struct dnssec_key k = { 0 };
	mbedtls_ecp_keypair kp;
	mbedtls_mpi r, s;
	uint8_t hash[32];
	int rc;
	if (dnssec_rrsig_parse(rrsig, siglen, &f) || dklen != DNSSEC_DNSKEY_LEN)
		return DZ_EFORMAT;
	size_t fl = 18 + dname_len(f.signer, siglen - 18);
	if (siglen != fl + DNSSEC_SIG_LEN || f.alg != dnskey[3] ||
	    f.tag != dnssec_key_tag(dnskey, dklen))
		return DZ_EFORMAT;
	if ((rc = signed_hash(rrsig, fl, &f, owner, rrs, n, hash)) != 0)
		return rc;
	k.flags = (uint16_t)(dnskey[0] << 8 | dnskey[1]);
	k.alg = dnskey[3];
	memcpy(k.pub, dnskey + 4, DNSSEC_PUB_LEN);
	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	rc = load_pair(&k, &kp);
	if (rc) {
		rc = DZ_EFORMAT;
		goto fail;
	}
	rc = DZ_EAUTH;
	if (mbedtls_mpi_read_binary(&r, rrsig + fl, 32) ||
	    mbedtls_mpi_read_binary(&s, rrsig + fl + 32, 32) ||
	    mbedtls_ecdsa_verify(&kp.grp, hash, sizeof hash, &kp.Q, &r, &s))
		goto fail;
	rc = 0;
fail:
	mbedtls_ecp_keypair_free(&kp);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return rc;
}

/* NSEC and NSEC3 ------------------------------------------------------- */

size_t dnssec_type_bitmap(const uint16_t *types, size_t n, uint8_t *out, size_t cap)
{
	uint8_t win[32];
	wire_t w;
	wire_init(&w, out, cap);
	for (unsigned hi = 0; hi < 256; hi++) {
		unsigned used = 0;
		memset(win, 0, sizeof win);
		for (size_t i = 0; i < n; i++) {
			if (types[i] >> 8 != hi)
				continue;
			unsigned lo = types[i] & 0xff;
			win[lo >> 3] |= (uint8_t)(0x80 >> (lo & 7));
			if (lo / 8 + 1 > used)
				used = lo / 8 + 1;
		}
		if (!used)
			continue;
		wire_write_u8(&w, (uint8_t)hi);
		wire_write_u8(&w, (uint8_t)used);
		wire_write_bytes(&w, win, used);
	}
	return w.err ? 0 : wire_pos(&w);
}

size_t dnssec_nsec_rdata(const uint8_t *next, const uint16_t *types, size_t n,
                         uint8_t *out, size_t cap)
{
	size_t nl = dname_len(next, DNAME_MAX);
	if (!nl || nl >= cap)
		return 0;
	memcpy(out, next, nl);
	size_t bl = dnssec_type_bitmap(types, n, out + nl, cap - nl);
	return bl ? nl + bl : 0;
}

/* Canonical order ------------------------------------------------------ */

size_t dnssec_canon_key(const uint8_t *name, uint8_t *out, size_t cap)
{
	const uint8_t *lab[128];
	unsigned nl = 0;
	size_t len = dname_len(name, DNAME_MAX);
	if (!len)
		return 0;
	for (const uint8_t *p = name; *p && nl < 128; p += 1 + *p)
		lab[nl++] = p;
	wire_t w;
	wire_init(&w, out, cap);
	while (nl--) {
		const uint8_t *l = lab[nl];
		for (unsigned i = 1; i <= l[0]; i++) {
			uint8_t c = l[i];
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c + 32);
			/* 0 ends a label: 0 and 1 become 1 1 and 1 2, order kept */
			if (c <= 1) {
				wire_write_u8(&w, 1);
				c = (uint8_t)(c + 1);
			}
			wire_write_u8(&w, c);
		}
		wire_write_u8(&w, 0);
	}
	return w.err ? 0 : wire_pos(&w);
}
