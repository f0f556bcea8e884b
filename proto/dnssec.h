/* DNSSEC record formats and signing (RFC 4034, RFC 5155, RFC 6605):
 * canonical names, RDATA and RRsets, RRSIG making and checking with
 * ECDSA P-256/SHA-256 (algorithm 13, deterministic signatures per
 * RFC 6979), DNSKEY RDATA and key tags, DS/CDS (SHA-256), NSEC type
 * bitmaps, and a byte key whose
 * memcmp order is the canonical name order (RFC 4034 §6.1).
 *
 * Pure code over caller buffers, no globals: the crypto comes from
 * mbedTLS; randomness (key generation only) from the caller's function.
 * Private key bytes live only in a struct dnssec_key the caller owns and
 * wipes (dnssec_key_wipe). */
#ifndef DZ_DNSSEC_H
#define DZ_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ecp.h>

#include "proto/name.h"

enum {
	DNSSEC_ALG_ECDSAP256SHA256 = 13,
	DNSSEC_DIGEST_SHA256 = 2,
	DNSSEC_FLAG_ZONE = 0x0100,
	DNSSEC_FLAG_SEP = 0x0001,
	DNSSEC_KSK_FLAGS = 257,      /* zone key + SEP: a KSK or CSK */
	DNSSEC_ZSK_FLAGS = 256,
	DNSSEC_PUB_LEN = 64,         /* P-256 point x||y */
	DNSSEC_PRIV_LEN = 32,
	DNSSEC_SIG_LEN = 64,         /* r||s */
	DNSSEC_DNSKEY_LEN = 4 + 64,
	DNSSEC_DS_LEN = 4 + 32,
	/* RRSIG RDATA: 18 fixed bytes, the signer, the signature */
	DNSSEC_RRSIG_MAX = 18 + DNAME_MAX + 64,
	/* a canonical order key: each label byte at most twice, a 0 per label */
	DNSSEC_CKEY_MAX = 2 * DNAME_MAX,
	/* an NSEC type bitmap: 256 windows of 2 + 32 bytes at most */
	DNSSEC_BITMAP_MAX = 256 * 34,
};

struct dnssec_key {
	uint16_t flags;              /* 256 ZSK, 257 KSK/CSK */
	uint8_t alg;                 /* 13 */
	uint8_t pub[DNSSEC_PUB_LEN];
	uint8_t priv[DNSSEC_PRIV_LEN];
	bool has_priv;
};

/* Make a new P-256 key pair with `flags`; rng(ctx, buf, len) fills buf
 * with len random bytes and returns 0.  0, or DZ_EIO (rng or mbedTLS
 * failed). */
int dnssec_key_generate(struct dnssec_key *k, uint16_t flags,
                        int (*rng)(void *ctx, unsigned char *buf, size_t len), void *ctx);
/* Check that pub (and priv, if has_priv) form a valid P-256 key and
 * belong together.  0 or DZ_EINVAL. */
int dnssec_key_check(const struct dnssec_key *k);
/* Zero the private part. */
void dnssec_key_wipe(struct dnssec_key *k);

/* A key ready to sign many RRsets: the key in mbedTLS form, whose group
 * keeps its precomputed multiples of the generator from one signature to
 * the next (a fresh load per signature costs several times the
 * signature).  The caller owns it: dnssec_signer_init, then
 * dnssec_signer_free (which wipes the private part). */
struct dnssec_signer {
	struct dnssec_key key;
	mbedtls_ecp_keypair kp;
};
/* 0, or DZ_EINVAL (no private part, or not a valid P-256 pair); on
 * failure nothing is left to free. */
int dnssec_signer_init(struct dnssec_signer *s, const struct dnssec_key *k);
void dnssec_signer_free(struct dnssec_signer *s);

/* The DNSKEY RDATA of k (flags, protocol 3, algorithm, public key) into
 * out (DNSSEC_DNSKEY_LEN bytes always do).  Its length, or 0 if cap is
 * too small. */
size_t dnssec_dnskey_rdata(const struct dnssec_key *k, uint8_t *out, size_t cap);
/* The key tag of a DNSKEY RDATA (RFC 4034 Appendix B). */
uint16_t dnssec_key_tag(const uint8_t *dnskey, size_t len);
/* The DS (or CDS: same RDATA) of a DNSKEY at owner with a SHA-256 digest
 * (RFC 4509) into out.  Its length (DNSSEC_DS_LEN), or 0 on a bad owner,
 * a short DNSKEY or a small cap. */
size_t dnssec_ds_rdata(const uint8_t *owner, const uint8_t *dnskey, size_t len,
                       uint8_t *out, size_t cap);

/* The canonical form of one RDATA (RFC 4034 §6.2, with RFC 6840 §5.1:
 * not NSEC's next name): the embedded names of NS, CNAME, SOA, PTR,
 * MINFO, MX, RP, AFSDB, RT, PX, SRV, NAPTR, KX, DNAME and RRSIG
 * lowercased.  In place; rdata must be well formed (rdata_check).
 * 0, or DZ_EFORMAT if a name runs past len. */
int dnssec_rdata_canon(uint16_t type, uint8_t *rd, size_t len);

/* One RR of an RRset to sign or check: its RDATA in canonical form. */
struct dnssec_rd {
	const uint8_t *rd;
	uint16_t len;
};

/* The RRSIG fields other than the signature. */
struct dnssec_sig_fields {
	uint16_t covered;
	uint8_t alg;
	uint8_t labels;              /* owner's labels, not counting a leading '*' */
	uint32_t orig_ttl;
	uint32_t expiration, inception;
	uint16_t tag;
	const uint8_t *signer;       /* the zone apex, lowercase wire */
};

/* Sign the RRset (owner, class IN, type f->covered, TTL f->orig_ttl) of
 * the n RDATAs in rrs (canonical form, any order, duplicates allowed:
 * they are sorted and counted once; rrs is re-ordered) with the signer's
 * key.  The RRSIG RDATA goes into out (DNSSEC_RRSIG_MAX always do);
 * f->labels and f->alg are filled in.  Its length, or a negative DZ_E*
 * (DZ_ESPACE; DZ_EIO: mbedTLS failed). */
int dnssec_sign(struct dnssec_signer *s, struct dnssec_sig_fields *f,
                const uint8_t *owner, struct dnssec_rd *rrs, size_t n,
                uint8_t *out, size_t cap);
/* Check an RRSIG RDATA over the RRset (owner, covered type, the rrs as
 * for dnssec_sign) with the public key in the DNSKEY RDATA dnskey: the
 * algorithm, key tag and signature.  Validity times are not checked
 * (the caller compares them with its clock).  0, DZ_EFORMAT or DZ_EAUTH
 * (the signature does not match). */
int dnssec_verify(const uint8_t *dnskey, size_t dklen, const uint8_t *rrsig, size_t siglen,
                  const uint8_t *owner, struct dnssec_rd *rrs, size_t n);

/* The fields of an RRSIG RDATA (signer points into rd).  0 or DZ_EFORMAT. */
int dnssec_rrsig_parse(const uint8_t *rd, size_t len, struct dnssec_sig_fields *f);

/* An NSEC RDATA: next name (as given: lowercase wire) and the type
 * bitmap of the n types (any order, duplicates allowed) into out.  Its
 * length, or 0 if cap is too small or a name is bad. */
size_t dnssec_nsec_rdata(const uint8_t *next, const uint16_t *types, size_t n,
                         uint8_t *out, size_t cap);
/* The type bitmap alone (RFC 4034 §4.1.2) of the n types into out.  Its
 * length, or 0 if cap is too small. */
size_t dnssec_type_bitmap(const uint16_t *types, size_t n, uint8_t *out, size_t cap);

/* A byte string for name whose memcmp order (shorter first on a common
 * prefix) is the canonical DNS name order: labels from the root down,
 * lowercase, each byte 0 or 1 escaped, each label ended by a 0.  So a
 * name's descendants are exactly the keys that start with its key.  The
 * length written, or 0 on a bad name or a small cap. */
size_t dnssec_canon_key(const uint8_t *name, uint8_t *out, size_t cap);

#endif
