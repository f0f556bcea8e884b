/* proto/tsig.c: keys, round trips per algorithm, a captured BIND vector,
 * each TSIG error, multi-message chains and malformed TSIG RRs.
 * (ok() evaluates its condition twice: calls that change state go in is_int.) */
#include "proto/tsig.h"

#include "proto/dnsmsg.h"
#include "proto/rdata.h"
#include "tests/unit/tap.h"

#define NOW 1796412374u   /* the time in the captured vector */

/* Captured from `dig -y hmac-sha256:vector.key.:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==
 * www.example.org A` (DiG 9.18.49) sent to a python UDP listener that printed
 * the datagram: BIND's own signer, with an EDNS cookie before the TSIG RR. */
static const char vector_hex[] =
	"2a2f0120000100000000000203777777076578616d706c65036f7267000001000100002904d0"
	"00000000000c000a00080b30a0c681f818e706766563746f72036b65790000fa00ff00000000"
	"003d0b686d61632d7368613235360000006b1313d6012c0020696839732ff838514945603318"
	"e2503dfbf68b5b557f0e71a25e1c19ba254b232a2f00000000";

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		unsigned v = 0;
		for (int i = 0; i < 2; i++) {
			char c = h[i];
			v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
		}
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* A query for www.example.org A with id 0x1234. */
static size_t make_query(uint8_t *buf, size_t cap)
{
	wire_t w;
	wire_init(&w, buf, cap);
	wire_write_u16(&w, 0x1234);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 1);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 0);
	wire_write_bytes(&w, "\3www\7example\3org", 17);
	wire_write_u16(&w, RR_A);
	wire_write_u16(&w, CLASS_IN);
	return w.pos;
}

/* A reply to it: QR set, one A record (id kept). */
static size_t make_reply(uint8_t *buf, size_t cap, const uint8_t *q, size_t qlen, uint8_t b)
{
	memcpy(buf, q, qlen);
	wire_t w;
	wire_init(&w, buf, cap);
	wire_seek(&w, qlen);
	wire_write_bytes(&w, "\300\014", 2);
	wire_write_u16(&w, RR_A);
	wire_write_u16(&w, CLASS_IN);
	wire_write_u32(&w, 60);
	wire_write_u16(&w, 4);
	wire_write_bytes(&w, (uint8_t[]){ 192, 0, 2, b }, 4);
	wire_store_u16(buf + 2, DNS_QR | DNS_AA);
	wire_store_u16(buf + 6, 1);
	wire_store_u16(buf + 10, 0);
	return w.pos;
}

static void round_trip(const char *line, const char *what)
{
	struct tsig_key k;
	struct tsig_keyring kr = { 1, &k };
	struct tsig_ctx cli, srv;
	struct tsig_rr rr;
	uint8_t q[600], r[700];
	char err[100];

	ok(tsig_key_parse(line, &k, err, sizeof err) == 0, "%s: key parses", what);
	size_t ql = make_query(q, sizeof q);
	is_int(tsig_sign_request(&cli, &k, q, &ql, sizeof q, NOW), 0, "%s: request signed", what);
	is_int(tsig_find(q, ql, &rr), 1, "%s: TSIG RR found", what);
	is_int(rr.mac_len, tsig_alg_size(k.alg), "%s: full-length MAC", what);
	is_int(tsig_verify_request(q, ql, &rr, &kr, NOW + 10, &srv), 0, "%s: request verifies", what);
	/* three messages of a multi-message reply */
	for (uint8_t i = 0; i < 3; i++) {
		size_t rl = make_reply(r, sizeof r, q, 12 + 21, i);
		is_int(tsig_sign_reply(&srv, r, &rl, sizeof r, NOW + 11 + i), 0,
		       "%s: reply %u signed", what, i);
		/* a flipped byte in the message, then in the MAC */
		struct tsig_ctx c2 = cli;
		uint8_t t[700];
		memcpy(t, r, rl);
		t[12 + 21 + 15] ^= 1;
		is_int(tsig_verify_reply(&c2, t, rl, NOW + 12), TSIG_BADSIG,
		       "%s: reply %u with a changed address BADSIG", what, i);
		memcpy(t, r, rl);
		t[rl - 10] ^= 1;
		is_int(tsig_verify_reply(&c2, t, rl, NOW + 12), TSIG_BADSIG,
		       "%s: reply %u with a changed MAC BADSIG", what, i);
		is_int(tsig_verify_reply(&cli, r, rl, NOW + 12), 0, "%s: reply %u verifies", what, i);
	}
	/* the chain: a reply verified out of turn fails */
	size_t rl = make_reply(r, sizeof r, q, 12 + 21, 9);
	tsig_sign_reply(&srv, r, &rl, sizeof r, NOW);
	tsig_sign_reply(&srv, r, &(size_t){ make_reply(r, sizeof r, q, 12 + 21, 9) }, sizeof r, NOW);
	is_int(tsig_verify_reply(&cli, r, rl, NOW), TSIG_BADSIG, "%s: skipped message BADSIG", what);
	q[14] ^= 0x20;   /* "wWw": case is covered */
	is_int(tsig_verify_request(q, ql, &rr, &kr, NOW, &srv), TSIG_BADSIG,
	       "%s: tampered request BADSIG", what);
}

int main(void)
{
	struct tsig_key k, k2;
	char err[200], out[400];

	/* keys */
	ok(tsig_key_parse("Key.Example. HMAC-SHA256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==",
	                  &k, err, sizeof err) == 0, "key line parses");
	ok(dname_equal(k.name, (const uint8_t *)"\3key\7example"), "name lowercased");
	is_str(k.text, "key.example.", "text form");
	is_int(k.alg, TSIG_HMAC_SHA256, "algorithm");
	is_int(k.secret_len, 28, "secret decoded");
	is_int(tsig_key_format(&k, out, sizeof out), 65, "formatted");
	is_str(out, "key.example. hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==",
	       "format round trip");
	ok(tsig_key_parse(out, &k2, err, sizeof err) == 0 && k2.secret_len == k.secret_len &&
	   memcmp(k2.secret, k.secret, k.secret_len) == 0, "formatted line parses back");
	is_int(tsig_key_format(&k, out, 20), -1, "format: short buffer");
	ok(tsig_key_parse("nodot hmac-md5.sig-alg.reg.int. c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==",
	                  &k2, err, sizeof err) == 0 && k2.alg == TSIG_HMAC_MD5 &&
	   strcmp(k2.text, "nodot.") == 0, "MD5's long name; a name without dot is absolute");
	is_int(tsig_key_parse("k hmac-sha256 c2hvcnQ=", &k2, err, sizeof err), DZ_EINVAL,
	       "short secret refused");
	is_str(err, "secret shorter than 16 bytes", "short secret: reason");
	is_int(tsig_key_parse("k hmac-sha999 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==", &k2, err,
	                      sizeof err), DZ_EINVAL, "unknown algorithm refused");
	is_int(tsig_key_parse("k hmac-sha256 !!!notbase64!!!", &k2, err, sizeof err), DZ_EINVAL,
	       "bad base64 refused");
	ok(strstr(err, "notbase64") == NULL, "the secret is not in the message");
	is_int(tsig_key_parse("k hmac-sha256", &k2, err, sizeof err), DZ_EINVAL, "missing secret");
	is_int(tsig_key_parse("k hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ== x", &k2, err,
	                      sizeof err), DZ_EINVAL, "extra word refused");
	is_int(tsig_key_parse("a..b hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==", &k2, err,
	                      sizeof err), DZ_EINVAL, "bad name refused");
	char big[400] = "k hmac-sha256 ";
	memset(big + 14, 'A', 200);
	is_int(tsig_key_parse(big, &k2, err, sizeof err), DZ_EINVAL, "secret > 128 bytes refused");

	/* round trips: every algorithm */
	round_trip("k1. hmac-md5 MDEyMzQ1Njc4OWFiY2RlZg==", "md5");
	round_trip("k1. hmac-sha1 MDEyMzQ1Njc4OWFiY2RlZmdoaWo=", "sha1");
	round_trip("k1. hmac-sha224 MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnM=", "sha224");
	round_trip("k1. hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==", "sha256");
	round_trip("k1. hmac-sha384 MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4OWFi",
	           "sha384");
	round_trip("k1. hmac-sha512 MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4OWFi"
	           "Y2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDE=", "sha512");

	/* BIND's signature */
	uint8_t v[300], r[1000];
	size_t vl = unhex(vector_hex, v);
	struct tsig_rr rr;
	struct tsig_ctx ctx;
	ok(tsig_key_parse("vector.key. hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==", &k,
	                  err, sizeof err) == 0, "vector key");
	struct tsig_keyring kr = { 1, &k };
	is_int(tsig_find(v, vl, &rr), 1, "vector: TSIG found");
	is_int(rr.time, NOW, "vector: time signed");
	is_int(rr.fudge, 300, "vector: fudge");
	is_int(rr.orig_id, 0x2a2f, "vector: original id");
	is_int(tsig_verify_request(v, vl, &rr, &kr, NOW, &ctx), 0, "vector: BIND's MAC verifies");
	is_int(tsig_verify_request(v, vl, &rr, &kr, NOW + 301, &ctx), TSIG_BADTIME,
	       "vector: 301 s later BADTIME");
	/* BADTIME: signed, with the request's time and ours in Other Data */
	size_t rl = 12;
	memcpy(r, v, 12);
	wire_store_u16(r + 4, 0);
	wire_store_u16(r + 10, 0);
	is_int(tsig_sign_reply(&ctx, r, &rl, sizeof r, NOW + 301), 0, "BADTIME reply signed");
	is_int(r[3] & 0xF, RCODE_NOTAUTH, "BADTIME reply: NOTAUTH");
	struct tsig_rr rr2;
	is_int(tsig_find(r, rl, &rr2), 1, "BADTIME reply carries TSIG");
	ok(rr2.error == TSIG_BADTIME && rr2.mac_len == 32 && rr2.time == NOW && rr2.other_len == 6 &&
	   wire_load_u32(rr2.other + 2) == NOW + 301, "BADTIME: signed, request time, our time");

	/* unknown key, wrong algorithm */
	struct tsig_key other;
	tsig_key_parse("other. hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==", &other, err,
	               sizeof err);
	struct tsig_keyring kr2 = { 1, &other };
	is_int(tsig_verify_request(v, vl, &rr, &kr2, NOW, &ctx), TSIG_BADKEY, "unknown key BADKEY");
	rl = 12;
	wire_store_u16(r + 10, 0);
	is_int(tsig_sign_reply(&ctx, r, &rl, sizeof r, NOW), 0, "BADKEY reply");
	ok(tsig_find(r, rl, &rr2) == 1 && rr2.error == TSIG_BADKEY && rr2.mac_len == 0 &&
	   dname_equal(rr2.name, (const uint8_t *)"\6vector\3key"), "BADKEY: unsigned, key named");
	tsig_key_parse("vector.key. hmac-sha512 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==", &other,
	               err, sizeof err);
	is_int(tsig_verify_request(v, vl, &rr, &kr2, NOW, &ctx), TSIG_BADKEY,
	       "same name, other algorithm: BADKEY");
	/* truncated MAC */
	struct tsig_rr tr = rr;
	tr.mac_len = 16;
	is_int(tsig_verify_request(v, vl, &tr, &kr, NOW, &ctx), TSIG_BADTRUNC, "truncated: BADTRUNC");
	tr.mac_len = 8;
	is_int(tsig_verify_request(v, vl, &tr, &kr, NOW, &ctx), TSIG_BADSIG, "too short: BADSIG");
	/* wrong secret */
	tsig_key_parse("vector.key. hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0Pw==", &other,
	               err, sizeof err);
	is_int(tsig_verify_request(v, vl, &rr, &kr2, NOW, &ctx), TSIG_BADSIG, "wrong secret BADSIG");

	/* malformed */
	uint8_t m[300];
	memcpy(m, v, vl);
	is_int(tsig_find(m, vl - 1, &rr2), -1, "short RDATA: -1");
	m[vl] = 0;
	is_int(tsig_find(m, vl + 1, &rr2), -1, "trailing byte: -1");
	wire_store_u16(m + 10, 3);
	is_int(tsig_find(m, vl, &rr2), -1, "ARCOUNT beyond the message: -1");
	wire_store_u16(m + 10, 2);
	size_t rdl_at = rr.off + 12 + 9;    /* owner "\6vector\3key\0" is 12 bytes */
	wire_store_u16(m + rdl_at, (uint16_t)(wire_load_u16(m + rdl_at) + 1));
	is_int(tsig_find(m, vl, &rr2), -1, "RDLENGTH too long: -1");
	memcpy(m, v, vl);
	size_t maclen_at = rr.off + 12 + 10 + 13 + 8;
	wire_store_u16(m + maclen_at, 65);
	is_int(tsig_find(m, vl, &rr2), -1, "MAC size > 64: -1");
	memcpy(m, v, vl);
	wire_store_u16(m + rr.off + 14, CLASS_IN);
	is_int(tsig_find(m, vl, &rr2), -1, "class IN: -1");
	/* TSIG not last: put the TSIG RR first, the OPT after it */
	size_t opt_off = 12 + 21, opt_len = rr.off - opt_off, tsig_len = vl - rr.off;
	memcpy(m, v, opt_off);
	memcpy(m + opt_off, v + rr.off, tsig_len);
	memcpy(m + opt_off + tsig_len, v + opt_off, opt_len);
	is_int(tsig_find(m, vl, &rr2), -1, "TSIG not last: -1");
	/* TSIG in the answer section */
	memcpy(m, v, vl);
	wire_store_u16(m + 6, 1);
	wire_store_u16(m + 10, 1);
	memcpy(m + opt_off, v + rr.off, tsig_len);
	memcpy(m + opt_off + tsig_len, v + opt_off, opt_len);
	is_int(tsig_find(m, vl, &rr2), -1, "TSIG in the answer section: -1");
	wire_store_u16(m + 6, 0);
	wire_store_u16(m + 10, 0);
	is_int(tsig_find(m, opt_off, &rr2), 0, "no TSIG: 0");
	is_int(tsig_find(m, 5, &rr2), -1, "shorter than a header: -1");

	/* a reply signed by someone else's context does not verify */
	struct tsig_ctx cli;
	uint8_t q[600];
	size_t ql = make_query(q, sizeof q);
	tsig_sign_request(&cli, &k, q, &ql, sizeof q, NOW);
	rl = make_reply(r, sizeof r, q, 12 + 21, 1);
	is_int(tsig_verify_reply(&cli, r, rl, NOW), -1, "unsigned reply: -1");
	is_int(tsig_sign_request(&cli, &k, q, &ql, ql + 10, NOW), DZ_ESPACE, "no room: DZ_ESPACE");
	return tap_done();
}
