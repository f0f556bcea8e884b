/* proto/dnssec.c: the RFC 6605 §6.1 example (key tag, DS, the RFC's own
 * RRSIG checked), sign/verify round trips (a wildcard, a changed RR
 * failing), canonical RDATA, type bitmaps, the RFC 5155 NSEC3 hash
 * vector and canonical name order (RFC 4034 §6.1's example list). */
#include "proto/dnssec.h"

#include <stdlib.h>

#include <mbedtls/base64.h>

#include "proto/errors.h"
#include "tests/unit/tap.h"

static size_t b64(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	if (mbedtls_base64_decode(out, cap, &n, (const unsigned char *)s, strlen(s)))
		return 0;
	return n;
}

static size_t name(const char *text, uint8_t out[DNAME_MAX])
{
	return dname_from_text(out, text, strlen(text), NULL);
}

static int fake_rng(void *ctx, unsigned char *buf, size_t len)
{
	unsigned *state = ctx;
	for (size_t i = 0; i < len; i++) {
		*state = *state * 1103515245u + 12345u;
		buf[i] = (unsigned char)(*state >> 16);
	}
	return 0;
}

static void rfc6605(void)
{
	/* RFC 6605 §6.1 */
	struct dnssec_key k = { .flags = 257, .alg = 13, .has_priv = true };
	uint8_t dk[128], ds[64], apex[DNAME_MAX], www[DNAME_MAX], sig[256];
	uint8_t pub[80];
	is_int(b64("GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=", k.priv, sizeof k.priv), 32,
	       "private key decodes");
	is_int(b64("GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+"
	           "Wi9xMWyQLc8NAA==", pub, sizeof pub), 64, "public key decodes");
	memcpy(k.pub, pub, 64);
	is_int(dnssec_key_check(&k), 0, "the pair belongs together");
	size_t dkl = dnssec_dnskey_rdata(&k, dk, sizeof dk);
	is_int(dkl, 68, "DNSKEY RDATA length");
	is_int(dnssec_key_tag(dk, dkl), 55648, "key tag 55648");
	name("example.net.", apex);
	is_int(dnssec_ds_rdata(apex, dk, dkl, ds, sizeof ds), 36, "DS length");
	static const uint8_t want[] = {
		0xd9, 0x60, 13, 2,
		0xb4, 0xc8, 0xc1, 0xfe, 0x2e, 0x74, 0x77, 0x12, 0x7b, 0x27, 0x11, 0x56, 0x56, 0xad,
		0x62, 0x56, 0xf4, 0x24, 0x62, 0x5b, 0xf5, 0xc1, 0xe2, 0x77, 0x0c, 0xe6, 0xd6, 0xe3,
		0x7d, 0xf6, 0x1d, 0x17 };
	is_mem(ds, 36, want, 36, "DS digest as in the RFC");

	/* the RFC's RRSIG over www.example.net A 192.0.2.1 */
	name("www.example.net.", www);
	uint8_t a[4] = { 192, 0, 2, 1 };
	struct dnssec_rd rr = { a, 4 };
	struct dnssec_sig_fields f = { .covered = 1, .alg = 13, .labels = 3, .orig_ttl = 3600,
	                               .expiration = 1284026679, .inception = 1281607479,
	                               .tag = 55648, .signer = apex };
	wire_t w;
	wire_init(&w, sig, sizeof sig);
	wire_write_u16(&w, f.covered); wire_write_u8(&w, 13); wire_write_u8(&w, 3);
	wire_write_u32(&w, 3600); wire_write_u32(&w, f.expiration); wire_write_u32(&w, f.inception);
	wire_write_u16(&w, 55648); wire_write_bytes(&w, apex, 13);
	size_t fl = wire_pos(&w);
	is_int(b64("qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7Zwm"
	           "wWep666VCw==", sig + fl, 64), 64, "signature decodes");
	is_int(dnssec_verify(dk, dkl, sig, fl + 64, www, &rr, 1), 0, "the RFC's RRSIG verifies");
	a[3] = 2;
	is_int(dnssec_verify(dk, dkl, sig, fl + 64, www, &rr, 1), DZ_EAUTH,
	       "a changed address fails");
	a[3] = 1;

	/* our own signature over the same RRset, twice: deterministic */
	uint8_t s1[DNSSEC_RRSIG_MAX], s2[DNSSEC_RRSIG_MAX];
	struct dnssec_signer sg;
	is_int(dnssec_signer_init(&sg, &k), 0, "signer ready");
	int l1 = dnssec_sign(&sg, &f, www, &rr, 1, s1, sizeof s1);
	int l2 = dnssec_sign(&sg, &f, www, &rr, 1, s2, sizeof s2);
	dnssec_signer_free(&sg);
	is_int(l1, (int)fl + 64, "signed");
	is_mem(s1, (size_t)l1, s2, (size_t)l2, "RFC 6979: the same signature twice");
	is_int(dnssec_verify(dk, dkl, s1, (size_t)l1, www, &rr, 1), 0, "ours verifies");
	is_mem(s1, fl, sig, fl, "same fields as the RFC's");
	dnssec_key_wipe(&k);
	is_int(dnssec_signer_init(&sg, &k), DZ_EINVAL, "no private key: no signer");
}

static void roundtrip(void)
{
	struct dnssec_key k;
	unsigned seed = 7;
	uint8_t dk[128], apex[DNAME_MAX], wild[DNAME_MAX], sig[DNSSEC_RRSIG_MAX];
	is_int(dnssec_key_generate(&k, 256, fake_rng, &seed), 0, "key made");
	is_int(dnssec_key_check(&k), 0, "and valid");
	size_t dkl = dnssec_dnskey_rdata(&k, dk, sizeof dk);
	name("dyn.example.", apex);
	name("*.dyn.example.", wild);
	uint8_t t1[] = "\003one", t2[] = "\003two";
	struct dnssec_rd rrs[3] = { { t2, 4 }, { t1, 4 }, { t2, 4 } };
	struct dnssec_sig_fields f = { .covered = 16, .orig_ttl = 60, .expiration = 2000000000,
	                               .inception = 1000000000, .signer = apex,
	                               .tag = dnssec_key_tag(dk, dkl) };
	struct dnssec_signer sg;
	is_int(dnssec_signer_init(&sg, &k), 0, "signer ready");
	int l = dnssec_sign(&sg, &f, wild, rrs, 3, sig, sizeof sig);
	dnssec_signer_free(&sg);
	ok(l > 0, "wildcard TXT set signed");
	is_int(sig[3], 2, "labels do not count the '*'");
	/* a resolver checks an expansion with the expanded owner */
	uint8_t host[DNAME_MAX];
	name("a.b.dyn.example.", host);
	struct dnssec_rd two[2] = { { t1, 4 }, { t2, 4 } };
	is_int(dnssec_verify(dk, dkl, sig, (size_t)l, host, two, 2), 0,
	       "an expansion verifies, duplicates counted once");
	is_int(dnssec_verify(dk, dkl, sig, (size_t)l, host, two, 1), DZ_EAUTH,
	       "a missing RR fails");
	struct dnssec_sig_fields g;
	is_int(dnssec_rrsig_parse(sig, (size_t)l, &g), 0, "RRSIG parses");
	ok(g.covered == 16 && g.expiration == 2000000000 && dname_equal(g.signer, apex),
	   "fields read back");
	dnssec_key_wipe(&k);
}

static void canon_and_bitmap(void)
{
	uint8_t mx[] = "\000\012\004MAIL\007Example\000";
	is_int(dnssec_rdata_canon(15, mx, sizeof mx - 1), 0, "MX canonical");
	is_mem(mx, sizeof mx - 1, "\000\012\004mail\007example\000", sizeof mx - 1, "MX lowercased");
	uint8_t bad[] = "\000\012\011mail";
	is_int(dnssec_rdata_canon(15, bad, sizeof bad - 1), DZ_EFORMAT, "a cut name fails");
	uint8_t txt[] = "\003ABC";
	dnssec_rdata_canon(16, txt, 4);
	is_mem(txt, 4, "\003ABC", 4, "TXT untouched");

	/* RFC 4034 §4.3: A MX RRSIG NSEC TYPE1234 */
	uint16_t types[] = { 1234, 47, 1, 46, 15 };
	uint8_t out[64], next[DNAME_MAX];
	name("host.example.com.", next);
	size_t n = dnssec_nsec_rdata(next, types, 5, out, sizeof out);
	static const uint8_t want[] = {
		0x04, 'h', 'o', 's', 't', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00,
		0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03,
		0x04, 0x1b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x20 };
	is_mem(out, n, want, sizeof want, "NSEC RDATA as RFC 4034 §4.3");
	is_int(dnssec_nsec_rdata(next, types, 5, out, 20), 0, "small cap");
}

/* Compare two names by their canonical order keys, as the chain table does. */
static int dnssec_ckey_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t ka[DNSSEC_CKEY_MAX], kb[DNSSEC_CKEY_MAX];
	size_t la = dnssec_canon_key(a, ka, sizeof ka), lb = dnssec_canon_key(b, kb, sizeof kb);
	int c = memcmp(ka, kb, la < lb ? la : lb);
	c = c ? c : (la > lb) - (la < lb);
	/* the key order is dname_canon_cmp's order (over lowercase names) */
	uint8_t la_[DNAME_MAX], lb_[DNAME_MAX];
	dname_copy_lower(la_, a);
	dname_copy_lower(lb_, b);
	int d = dname_canon_cmp(la_, lb_);
	if ((c > 0) != (d > 0) || (c < 0) != (d < 0))
		printf("# canon key and dname_canon_cmp disagree\n");
	return (c > 0) != (d > 0) || (c < 0) != (d < 0) ? 0 : c;
}

static void order(void)
{
	/* RFC 4034 §6.1, in order; then a 0 byte and a 1 byte in a label */
	static const char *const names[] = { "example.", "a.example.", "yljkjljk.a.example.",
		"Z.a.example.", "zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.",
		"*.z.example.", "\\200.z.example." };
	size_t n = sizeof names / sizeof names[0];
	uint8_t w[16][DNAME_MAX];
	for (size_t i = 0; i < n; i++)
		ok(name(names[i], w[i]) > 0, "name %zu parses", i);
	int good = 1;
	for (size_t i = 0; i + 1 < n; i++)
		if (dnssec_ckey_cmp(w[i], w[i + 1]) >= 0)
			good = 0, printf("# %s !< %s\n", names[i], names[i + 1]);
	ok(good, "RFC 4034 §6.1 order");
	uint8_t z[DNAME_MAX], zu[DNAME_MAX];
	name("z.example.", z);
	name("Z.EXAMPLE.", zu);
	is_int(dnssec_ckey_cmp(z, zu), 0, "case does not count");
	uint8_t a0[] = "\001a\000", a00[] = "\002a\000\000", ba[] = "\001b\001a\000";
	ok(dnssec_ckey_cmp(a0, a00) < 0 && dnssec_ckey_cmp(ba, a00) < 0,
	   "a < a\\000 and b.a < a\\000 (a 0 byte in a label)");
	uint8_t k1[DNSSEC_CKEY_MAX], k2[DNSSEC_CKEY_MAX];
	size_t l1 = dnssec_canon_key(w[1], k1, sizeof k1), l2 = dnssec_canon_key(w[2], k2, sizeof k2);
	ok(l1 && l2 > l1 && memcmp(k1, k2, l1) == 0, "a descendant's key starts with the name's");
}

int main(void)
{
	rfc6605();
	roundtrip();
	canon_and_bitmap();
	order();
	return tap_done();
}
