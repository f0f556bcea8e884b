/* rdata: type mnemonics, presentation <-> wire for every supported type,
 * every error message, the tokenizer and the wire checks. */
#include <stdlib.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "proto/zonefile.h"
#include "tests/unit/tap.h"

static uint8_t origin[DNAME_MAX];

/* Test input for a TAP description: one line, at most 60 characters. */
static const char *show(const char *s, char buf[80])
{
	size_t o = 0;
	for (; *s && o < 60; s++) {
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = 0;
	return buf;
}

/* "c0 00 02 01" or "c0000201" -> bytes; returns the count. */
static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *h; h++) {
		int v;
		if (*h >= '0' && *h <= '9')
			v = *h - '0';
		else if (*h >= 'a' && *h <= 'f')
			v = *h - 'a' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else if (n < cap) {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

/* type, text in, wire (hex), text out (NULL: same as in).  Relative names
 * are relative to example.org. */
static const struct good {
	uint16_t type;
	const char *in, *wire, *out;
} good[] = {
	{ RR_A, "192.0.2.1", "c0000201", NULL },
	{ RR_A, "\\# 4 c0000201", "c0000201", "192.0.2.1" },
	{ RR_A, "  ( 10.0.0.255 ) ; comment", "0a0000ff", "10.0.0.255" },
	{ RR_AAAA, "2001:db8::1", "20010db8000000000000000000000001", NULL },
	{ RR_AAAA, "2001:DB8:0:0:0:0:0:1", "20010db8000000000000000000000001", "2001:db8::1" },
	{ RR_AAAA, "::ffff:192.0.2.1", "00000000000000000000ffffc0000201", NULL },
	{ RR_AAAA, "::", "00000000000000000000000000000000", NULL },
	{ RR_NS, "ns1.example.org.", "036e7331 076578616d706c65 036f7267 00", NULL },
	{ RR_NS, "ns1", "036e7331 076578616d706c65 036f7267 00", "ns1.example.org." },
	{ RR_NS, "NS1.Example.ORG.", "034e5331 074578616d706c65 034f5247 00", NULL },
	{ RR_CNAME, "@", "076578616d706c65 036f7267 00", "example.org." },
	{ RR_CNAME, "a\\.b\\032c.example.", "0561 2e 62 20 63 076578616d706c65 00", NULL },
	{ RR_PTR, "host.example.net.", "04686f7374 076578616d706c65 036e6574 00", NULL },
	{ RR_DNAME, ".", "00", NULL },
	{ RR_MX, "10 mail.example.org.", "000a 046d61696c 076578616d706c65 036f7267 00", NULL },
	{ RR_MX, "0 .", "0000 00", NULL },
	{ RR_MX, "65535 mail", "ffff 046d61696c 076578616d706c65 036f7267 00", "65535 mail.example.org." },
	{ RR_SRV, "0 5 5060 sip.example.org.",
	  "0000 0005 13c4 03736970 076578616d706c65 036f7267 00", NULL },
	{ RR_SOA, "ns1.example.org. hostmaster.example.org. 2024010101 7200 3600 1209600 3600",
	  "036e7331 076578616d706c65 036f7267 00 0a686f73746d6173746572 076578616d706c65 036f7267 00"
	  "78a3f175 00001c20 00000e10 00127500 00000e10", NULL },
	{ RR_SOA, "ns1 hostmaster (\n 1 ; serial\n 2h 1H 2w 1d )",
	  "036e7331 076578616d706c65 036f7267 00 0a686f73746d6173746572 076578616d706c65 036f7267 00"
	  "00000001 00001c20 00000e10 00127500 00015180",
	  "ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 86400" },
	{ RR_TXT, "\"v=spf1 -all\" \"second string\"",
	  "0b763d73706631202d616c6c 0d7365636f6e6420737472696e67", NULL },
	{ RR_TXT, "hello world", "0568656c6c6f 05776f726c64", "\"hello\" \"world\"" },
	{ RR_TXT, "\"a;b(c)\"", "06 613b622863 29", NULL },
	{ RR_TXT, "\"\"", "00", NULL },
	{ RR_TXT, "\"q\\\"b\\\\s\"", "05 71 22 62 5c 73", NULL },
	{ RR_TXT, "\"\\228\\189\\160\"", "03e4bda0", NULL },
	{ RR_TXT, "\"tab\\009x\\127\"", "0674616209 78 7f", NULL },
	{ RR_TXT, "\\065\\066 x\\ y", "024142 03782079", "\"AB\" \"x y\"" },
	{ RR_TXT, "\"a\"\"b\"", "0161 0162", "\"a\" \"b\"" },
	{ RR_SPF, "\"v=spf1 mx -all\"", "0e763d73706631206d78202d616c6c", NULL },
	{ RR_HINFO, "\"INTEL-386\" Unix", "09494e54454c2d333836 04556e6978", "\"INTEL-386\" \"Unix\"" },
	{ RR_NAPTR, "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.org.",
	  "0064 000a 0153 075349502b443255 00 045f736970 045f756470 076578616d706c65 036f7267 00", NULL },
	{ RR_NAPTR, "100 50 \"u\" \"E2U+sip\" \"!^.*$!sip:info@example.org!\" .",
	  "0064 0032 0175 0745 32552b736970 1b215e2e2a24217369703a696e666f406578616d706c652e6f726721 00", NULL },
	{ RR_CAA, "0 issue \"letsencrypt.org\"",
	  "00 05 6973737565 6c657473656e63727970742e6f7267", NULL },
	{ RR_CAA, "0 issue letsencrypt.org", "00 05 6973737565 6c657473656e63727970742e6f7267",
	  "0 issue \"letsencrypt.org\"" },
	{ RR_CAA, "128 iodef \"mailto:s@example.org\"",
	  "80 05 696f646566 6d61696c746f3a73406578616d706c652e6f7267", NULL },
	{ RR_CAA, "0 issue \";\"", "00 05 6973737565 3b", NULL },
	{ RR_CAA, "0 issue \"\"", "00 05 6973737565", NULL },
	{ RR_URI, "10 1 \"ftp://ftp1.example.com/public\"",
	  "000a 0001 6674703a2f2f667470312e6578616d706c652e636f6d2f7075626c6963", NULL },
	{ RR_SSHFP, "1 1 0123456789abcdef0123456789abcdef01234567",
	  "01 01 0123456789abcdef0123456789abcdef01234567",
	  "1 1 0123456789ABCDEF0123456789ABCDEF01234567" },
	{ RR_SSHFP, "4 0 ab", "04 00 ab", "4 0 AB" },
	{ RR_TLSA, "3 1 1 ( 0c72ac70b745ac19998811b131d662c9\n ac69dbdbe7cb23e5b514b56664c5d3d6 )",
	  "03 01 01 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6",
	  "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6" },
	{ RR_DS, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
	  "ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118", NULL },
	{ RR_DS, "1 13 99 0a", "0001 0d 63 0a", "1 13 99 0A" },
	{ 65280, "\\# 4 0A000001", "0a000001", NULL },
	{ 65280, "\\# 0", "", NULL },
	{ 10, "\\# 3 ab cd ef", "abcdef", "\\# 3 ABCDEF" },
	{ RR_DNSKEY, "\\# 5 0100030101", "0100030101", "256 3 1 AQ==" },
	{ RR_DNSKEY, "257 3 13 ( AQID\n BA== )", "0101 03 0d 01020304", "257 3 13 AQIDBA==" },
	{ RR_CDNSKEY, "0 3 0 AA==", "0000 03 00 00", NULL },
	{ RR_RRSIG, "A 13 3 300 20270103212302 20261204212302 24576 dyn.test. AQID",
	  "0001 0d 03 0000012c 6b3abc36 6b132f36 6000 0364796e 0474657374 00 010203", NULL },
	{ RR_RRSIG, "TYPE65280 13 0 0 1 2 0 . AQ==",
	  "ff00 0d 00 00000000 00000001 00000002 0000 00 01",
	  "TYPE65280 13 0 0 19700101000001 19700101000002 0 . AQ==" },
	{ RR_NSEC, "host.dyn.test. A AAAA RRSIG NSEC",
	  "04686f7374 0364796e 0474657374 00 0006 400000080003", NULL },
	{ RR_NSEC, "a. TYPE1234 A", "0161 00 0001 40 041b 000000000000000000000000000000000000000000000000000020",
	  "a. A TYPE1234" },
	{ RR_NSEC3, "1 0 0 - COB3I52HHNVM9K8B8U5I4PK0CLMFBO82 A RRSIG",
	  "01 00 0000 00 14 66163914518dff64d10b478b226680656cf5e102 0006 400000000002", NULL },
	{ RR_NSEC3, "1 1 10 aabb cob3i52hhnvm9k8b8u5i4pk0clmfbo82",
	  "01 01 000a 02 aabb 14 66163914518dff64d10b478b226680656cf5e102",
	  "1 1 10 AABB COB3I52HHNVM9K8B8U5I4PK0CLMFBO82" },
	{ RR_NSEC3PARAM, "1 0 0 -", "01 00 0000 00", NULL },
	{ RR_NSEC3PARAM, "1 0 10 AABB", "01 00 000a 02 aabb", NULL },
	{ RR_CDS, "0 0 0 00", "0000 00 00 00", NULL },
	{ RR_CDS, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
	  "ec45 05 01 2bb183af5f22588179a53b0a98631fad1a292118", NULL },
};

/* type, text, expected message */
static const struct bad {
	uint16_t type;
	const char *in, *msg;
} bad[] = {
	{ RR_A, "192.0.2", "bad IPv4 address" },
	{ RR_A, "192.0.2.256", "bad IPv4 address" },
	{ RR_A, "192.0.2.01", "bad IPv4 address" },
	{ RR_A, "0x7f.1.1.1", "bad IPv4 address" },
	{ RR_A, "\"192.0.2.1\"", "bad IPv4 address" },
	{ RR_A, "1111111111111111111111111111111111111111111111111", "bad IPv4 address" },
	{ RR_A, "", "missing IPv4 address" },
	{ RR_A, "1.2.3.4 5.6.7.8", "too many fields" },
	{ RR_A, "1.2.3.4\n5.6.7.8", "text after the end of the record" },
	{ RR_AAAA, "2001:db8::g", "bad IPv6 address" },
	{ RR_AAAA, "1.2.3.4", "bad IPv6 address" },
	{ RR_AAAA, "2001:db8:::1", "bad IPv6 address" },
	{ RR_MX, "65536 mail.", "MX preference out of range" },
	{ RR_MX, "99999999999999999999 mail.", "MX preference out of range" },
	{ RR_MX, "-1 mail.", "bad MX preference" },
	{ RR_MX, "10", "missing MX exchange" },
	{ RR_MX, "", "missing MX preference" },
	{ RR_NS, "a..b.", "empty label" },
	{ RR_NS, ".a", "empty label" },
	{ RR_NS, "bad\\", "bad escape in name" },
	{ RR_NS, "bad\\25", "bad escape in name" },
	{ RR_NS, "bad\\256.", "bad escape in name" },
	{ RR_NS, "\"quoted.\"", "bad NS name" },
	{ RR_SRV, "0 0 70000 x.", "SRV port out of range" },
	{ RR_SRV, "0 x 1 x.", "bad SRV weight" },
	{ RR_SOA, "a. b. 1 2 3 4", "missing SOA minimum" },
	{ RR_SOA, "a. b. 4294967296 2 3 4 5", "SOA serial out of range" },
	{ RR_SOA, "a. b. 1 1x 3 4 5", "bad SOA refresh" },
	{ RR_SOA, "a. b. 1 1h30 3 4 5", "bad SOA refresh" },
	{ RR_SOA, "a. b. 1 2 3 4 5 6", "too many fields" },
	{ RR_TXT, "\"unterminated", "unterminated quoted string" },
	{ RR_TXT, "\"line\nbreak\"", "unterminated quoted string" },
	{ RR_TXT, "", "missing TXT string" },
	{ RR_TXT, "; only a comment", "missing TXT string" },
	{ RR_TXT, "\"a\\300\"", "bad escape" },
	{ RR_TXT, "\"a\\1\"", "bad escape" },
	{ RR_TXT, "a )", "unbalanced ')'" },
	{ RR_TXT, "( a", "missing ')'" },
	{ RR_TXT, "\\# 0", "RDATA malformed for its type" },
	{ RR_HINFO, "\"x\"", "missing HINFO os" },
	{ RR_HINFO, "a b c", "too many fields" },
	{ RR_NAPTR, "1 2 \"a\" \"b\" \"c\"", "missing NAPTR replacement" },
	{ RR_CAA, "256 issue \"x\"", "CAA flags out of range" },
	{ RR_CAA, "0 is-sue \"x\"", "bad CAA tag" },
	{ RR_CAA, "0 \"issue\" \"x\"", "bad CAA tag" },
	{ RR_CAA, "0 issue", "missing CAA value" },
	{ RR_CAA, "0 issue \"a\" \"b\"", "too many fields" },
	{ RR_URI, "1 1 \"\"", "empty URI target" },
	{ RR_URI, "1 1", "missing URI target" },
	{ RR_SSHFP, "1 1 abc", "odd number of hex digits" },
	{ RR_SSHFP, "1 1 zz", "bad hex digit" },
	{ RR_SSHFP, "1 1 \"ab\"", "bad hex digit" },
	{ RR_SSHFP, "1 1 0123", "SSHFP fingerprint length does not match its type" },
	{ RR_SSHFP, "1 256 ab", "SSHFP fingerprint type out of range" },
	{ RR_DS, "1 8 2 abcd", "DS digest length does not match its type" },
	{ RR_DS, "1 8 2", "missing DS digest" },
	{ RR_TLSA, "3 1 1", "missing TLSA data" },
	{ RR_TLSA, "3 1 2 abcd", "TLSA data length does not match its matching type" },
	{ RR_A, "\\# 3 c00002", "RDATA malformed for its type" },
	{ RR_A, "\\# 4 c00002", "generic RDATA length does not match its data" },
	{ RR_A, "\\# 4 c0000201ff", "generic RDATA length does not match its data" },
	{ 65280, "\\# 65536", "generic RDATA length out of range" },
	{ 65280, "\\#", "missing generic RDATA length" },
	{ 65280, "\\# 1 g0", "bad hex digit" },
	{ 65280, "0a000001", "no text form for this type; use \\# generic form" },
	{ RR_DNSKEY, "257 3 13 AwEAAa==", "bad base64" },
	{ RR_DNSKEY, "257 3 13 A=A", "bad base64" },
	{ RR_DNSKEY, "257 3 13", "missing DNSKEY public key" },
	{ RR_RRSIG, "A 13 3 300 20271303212302 20261204212302 1 a. AQ==", "RRSIG expiration out of range" },
	{ RR_RRSIG, "FOO 13 3 300 1 2 1 a. AQ==", "bad RRSIG type covered" },
	{ RR_RRSIG, "A 13 3 300 1 2 1 a.", "missing RRSIG signature" },
	{ RR_NSEC, "a. A BOGUS", "bad type in bit map" },
	{ RR_NSEC3, "1 0 0 abc X A", "bad NSEC3 salt" },
	{ RR_NSEC3, "1 0 0 - WXYZ A", "bad NSEC3 next hashed owner" },
	{ RR_NSEC3PARAM, "1 0 0", "missing NSEC3 salt" },
	{ RR_NSEC3PARAM, "\\# 5 0100000002", "RDATA malformed for its type" },
};

static void test_good(void)
{
	static uint8_t got[RDATA_MAX], again[RDATA_MAX];
	uint8_t want[512];
	char text[2048], tb[16];
	const char *msg;
	size_t n, n2;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		const struct good *g = &good[i];
		const char *tn = rr_type_to_text(g->type, tb);
		const char *out = g->out ? g->out : g->in;
		char inb[80];
		const char *in = show(g->in, inb);
		size_t wl = unhex(g->wire, want, sizeof want);
		msg = NULL;
		int rc = rdata_from_text(g->type, g->in, strlen(g->in), origin, got,
		                         sizeof got, &n, &msg);
		ok(rc == 0, "%s %s parses", tn, in);
		if (rc)
			printf("#   %s\n", msg ? msg : "(no message)");
		is_mem(got, rc ? 0 : n, want, wl, "%s %s wire form", tn, in);
		is_int(rdata_check(g->type, got, n), 0, "%s %s passes rdata_check", tn, in);
		int tl = rdata_to_text(g->type, got, n, text, sizeof text);
		is_str(tl < 0 ? "(error)" : text, out, "%s %s prints like dig", tn, in);
		is_int(tl, strlen(out), "%s %s text length", tn, in);
		/* the printed form is absolute: it needs no origin */
		rc = rdata_from_text(g->type, text, (size_t)tl, NULL, again,
		                     sizeof again, &n2, &msg);
		is_mem(again, rc ? 0 : n2, got, n, "%s %s round trip", tn, in);
	}
}

static void test_bad(void)
{
	uint8_t out[RDATA_MAX];
	char tb[16];
	size_t n;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const struct bad *b = &bad[i];
		char inb[80];
		const char *in = show(b->in, inb);
		const char *msg = NULL;
		int rc = rdata_from_text(b->type, b->in, strlen(b->in), origin, out,
		                         sizeof out, &n, &msg);
		is_int(rc, DZ_EFORMAT, "%s '%s' refused", rr_type_to_text(b->type, tb), in);
		is_str(msg, b->msg, "%s '%s' says why", rr_type_to_text(b->type, tb), in);
	}
}

/* Limits that need long inputs built at run time. */
static void test_limits(void)
{
	static char text[300000];
	static uint8_t out[RDATA_MAX];
	const char *msg = NULL;
	size_t n, len;
	uint8_t root[1] = { 0 };

	is_int(rdata_from_text(RR_A, "1.2.3.4\0x", 9, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "NUL inside an address refused");

	/* 255 bytes is the most a <character-string> holds */
	text[0] = '"';
	memset(text + 1, 'x', 255);
	text[256] = '"';
	ok(rdata_from_text(RR_TXT, text, 257, NULL, out, sizeof out, &n, &msg) == 0 &&
	   n == 256, "TXT string of 255 bytes");
	text[256] = 'x';
	text[257] = '"';
	is_int(rdata_from_text(RR_TXT, text, 258, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "TXT string of 256 bytes refused");
	is_str(msg, "TXT string longer than 255 bytes", "and says why");
	/* an unquoted word is one string, with the same limit */
	is_int(rdata_from_text(RR_TXT, text + 1, 256, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "unquoted TXT word of 256 bytes refused");

	/* 257 strings of 255 bytes (257 * 256 bytes of wire) pass 65535 */
	len = 0;
	for (int i = 0; i < 257; i++) {
		text[len++] = '"';
		memset(text + len, 'y', 255);
		len += 255;
		text[len++] = '"';
		text[len++] = ' ';
	}
	msg = NULL;
	is_int(rdata_from_text(RR_TXT, text, len, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "RDATA over 65535 bytes refused");
	is_str(msg, "RDATA longer than 65535 bytes", "and says why");
	len -= 258;
	is_int(rdata_from_text(RR_TXT, text, len, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "256 * 256 bytes (65536) refused too");
	len -= 258;
	ok(rdata_from_text(RR_TXT, text, len, NULL, out, sizeof out, &n, &msg) == 0 &&
	   n == 255 * 256, "255 strings (65280 bytes) fit");

	/* a buffer smaller than the RDATA is the caller's cap, not bad input */
	msg = NULL;
	is_int(rdata_from_text(RR_MX, "10 mail.example.org.", 20, NULL, out, 5, &n, &msg),
	       DZ_ESPACE, "small buffer: DZ_ESPACE");
	is_str(msg, "RDATA does not fit in the buffer", "and says why");

	/* labels and names */
	memset(text, 'a', 64);
	memcpy(text + 64, ".", 2);
	is_int(rdata_from_text(RR_NS, text, 65, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "64-byte label refused");
	is_str(msg, "label longer than 63 bytes", "and says why");
	is_int(rdata_from_text(RR_NS, text + 1, 64, NULL, out, sizeof out, &n, &msg),
	       0, "63-byte label taken");
	len = 0;
	for (int i = 0; i < 4; i++) {   /* 4 * 64 + 1 = 257 bytes of wire */
		memset(text + len, 'b', 63);
		text[len + 63] = '.';
		len += 64;
	}
	is_int(rdata_from_text(RR_NS, text, len, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "257-byte name refused");
	is_str(msg, "name longer than 255 bytes", "and says why");
	/* 3 * 64 + 62 + 1 = 255: the longest name */
	is_int(rdata_from_text(RR_NS, text + 2, len - 2, NULL, out, sizeof out, &n, &msg),
	       0, "255-byte name taken");
	is_int(n, 255, "its wire length");
	/* relative names need an origin, and fit with it */
	is_int(rdata_from_text(RR_NS, "ns1", 3, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "relative name without origin refused");
	is_str(msg, "relative name and no origin", "and says why");
	is_int(rdata_from_text(RR_NS, "@", 1, NULL, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "@ without origin refused");
	is_int(rdata_from_text(RR_NS, "ns1", 3, root, out, sizeof out, &n, &msg),
	       0, "relative name under the root");
	is_int(rdata_from_text(RR_NS, text + 2, len - 3, origin, out, sizeof out, &n, &msg),
	       DZ_EFORMAT, "relative name too long with its origin");
	is_str(msg, "name longer than 255 bytes", "and says why");
}

static void test_types(void)
{
	uint16_t t = 0;
	char buf[16];

	ok(rr_type_from_text("aaaa", 4, &t) == 0 && t == RR_AAAA, "aaaa is AAAA");
	ok(rr_type_from_text("Caa", 3, &t) == 0 && t == RR_CAA, "Caa is CAA");
	ok(rr_type_from_text("TYPE65280", 9, &t) == 0 && t == 65280, "TYPE65280");
	ok(rr_type_from_text("type1", 5, &t) == 0 && t == RR_A, "type1 is A");
	ok(rr_type_from_text("AAAAX", 4, &t) == 0 && t == RR_AAAA, "length bounds the text");
	is_int(rr_type_from_text("FOO", 3, &t), DZ_EINVAL, "FOO unknown");
	is_int(rr_type_from_text("AA", 2, &t), DZ_EINVAL, "prefix of a mnemonic unknown");
	is_int(rr_type_from_text("A\0", 2, &t), DZ_EINVAL, "embedded NUL unknown");
	is_int(rr_type_from_text("TYPE65536", 9, &t), DZ_EINVAL, "TYPE65536 unknown");
	is_int(rr_type_from_text("TYPE", 4, &t), DZ_EINVAL, "TYPE alone unknown");
	is_int(rr_type_from_text("TYPE1x", 6, &t), DZ_EINVAL, "TYPE1x unknown");
	is_int(rr_type_from_text("", 0, &t), DZ_EINVAL, "empty unknown");
	is_str(rr_type_to_text(RR_CAA, buf), "CAA", "CAA mnemonic");
	is_str(rr_type_to_text(RR_NSEC, buf), "NSEC", "NSEC mnemonic");
	is_str(rr_type_to_text(65280, buf), "TYPE65280", "unknown as TYPEnnn");
	for (uint32_t v = 0; v <= 0xffff; v++) {
		const char *s = rr_type_to_text((uint16_t)v, buf);
		if (rr_type_from_text(s, strlen(s), &t) != 0 || t != v) {
			ok(0, "type %u mnemonic round trip (%s)", v, s);
			break;
		}
		if (v == 0xffff)
			ok(1, "every type number round-trips through its mnemonic");
	}
	ok(rr_type_is_data(RR_A) && rr_type_is_data(RR_CAA) && rr_type_is_data(65280),
	   "A, CAA, TYPE65280 are data");
	ok(!rr_type_is_data(RR_OPT) && !rr_type_is_data(RR_ANY) &&
	   !rr_type_is_data(RR_AXFR) && !rr_type_is_data(RR_IXFR) &&
	   !rr_type_is_data(RR_TSIG) && !rr_type_is_data(RR_TKEY) &&
	   !rr_type_is_data(RR_MAILA) && !rr_type_is_data(RR_MAILB) &&
	   !rr_type_is_data(0), "meta types and 0 are not data");
}

static void test_wire(void)
{
	char text[256];
	uint8_t buf[64];

	/* malformed RDATA of known types prints in the generic form */
	static const uint8_t a3[] = { 1, 2, 3 };
	is_int(rdata_check(RR_A, a3, 3), DZ_EFORMAT, "3-byte A is malformed");
	rdata_to_text(RR_A, a3, 3, text, sizeof text);
	is_str(text, "\\# 3 010203", "and prints generically");
	static const uint8_t mxptr[] = { 0, 10, 0xc0, 0x0c };
	is_int(rdata_check(RR_MX, mxptr, 4), DZ_EFORMAT, "compressed MX exchange refused");
	static const uint8_t mxlong[] = { 0, 10, 0, 1 };
	is_int(rdata_check(RR_MX, mxlong, 4), DZ_EFORMAT, "bytes after the MX name refused");
	static const uint8_t txtshort[] = { 5, 'a', 'b' };
	is_int(rdata_check(RR_TXT, txtshort, 3), DZ_EFORMAT, "TXT string past the end refused");
	is_int(rdata_check(RR_TXT, txtshort, 0), DZ_EFORMAT, "empty TXT refused");
	static const uint8_t hinfo3[] = { 1, 'a', 1, 'b', 1, 'c' };
	is_int(rdata_check(RR_HINFO, hinfo3, 6), DZ_EFORMAT, "HINFO with 3 strings refused");
	is_int(rdata_check(RR_HINFO, hinfo3, 4), 0, "HINFO with 2 strings taken");
	static const uint8_t caa0[] = { 0, 0, 'x' };
	is_int(rdata_check(RR_CAA, caa0, 3), DZ_EFORMAT, "empty CAA tag refused");
	static const uint8_t soa[] = { 0, 0, 0,0,0,1, 0,0,0,2, 0,0,0,3, 0,0,0,4, 0,0,0,5 };
	is_int(rdata_check(RR_SOA, soa, sizeof soa), 0, "SOA with root names");
	is_int(rdata_check(RR_SOA, soa, sizeof soa - 1), DZ_EFORMAT, "short SOA refused");
	rdata_to_text(RR_SOA, soa, sizeof soa, text, sizeof text);
	is_str(text, ". . 1 2 3 4 5", "SOA prints");
	is_int(rdata_check(65280, soa, 3), 0, "unknown types take anything");

	/* short output buffers */
	static const uint8_t a4[] = { 192, 0, 2, 1 };
	is_int(rdata_to_text(RR_A, a4, 4, text, 10), 9, "A in 10 bytes");
	is_int(rdata_to_text(RR_A, a4, 4, text, 9), -1, "A in 9 bytes: -1");
	is_int(rdata_to_text(RR_A, a4, 4, text, 0), -1, "zero cap: -1");
	size_t n;
	rdata_from_text(RR_MX, "10 mail.example.org.", 20, NULL, buf, sizeof buf, &n, NULL);
	is_int(rdata_to_text(RR_MX, buf, n, text, 21), 20, "MX fits exactly");
	is_int(rdata_to_text(RR_MX, buf, n, text, 20), -1, "MX one byte short: -1");
	is_int(rdata_to_text(RR_MX, buf, n, text, 5), -1, "MX name does not fit: -1");

	/* additional-section targets */
	is_int(rdata_target_offset(RR_MX, buf, n), 2, "MX target at 2");
	is_int(rdata_target_offset(RR_MX, buf, 2), -1, "MX without a name: -1");
	is_int(rdata_target_offset(RR_NS, buf + 2, n - 2), 0, "NS target at 0");
	rdata_from_text(RR_SRV, "1 2 3 t.", 8, NULL, buf, sizeof buf, &n, NULL);
	is_int(rdata_target_offset(RR_SRV, buf, n), 6, "SRV target at 6");
	is_int(rdata_target_offset(RR_A, a4, 4), -1, "A has no target");
}

/* Next token, checked against kind, text (NULL: any) and line (0: any).
 * (tap.h's ok() evaluates its condition twice, so the call is made here.) */
static void lex_is(rr_lex_t *lx, enum rr_tok kind, const char *text,
                   unsigned line, const char *what)
{
	enum rr_tok t = rr_lex_next(lx);
	ok(t == kind && (!text || (lx->toklen == strlen(text) &&
	                           memcmp(lx->tok, text, lx->toklen) == 0)) &&
	   (!line || lx->tok_line == line), "%s", what);
	if (t != kind)
		printf("#   token kind %d, want %d\n", (int)t, (int)kind);
}

static void test_lex(void)
{
	rr_lex_t lx;
	const char *t = "a \"b c\" ( d\n e ) ; x\n\nf\\ g\\\nh\"i\" )";
	rr_lex_init(&lx, t, strlen(t), 1);
	lex_is(&lx, RR_TOK_WORD, "a", 1, "word");
	lex_is(&lx, RR_TOK_QSTRING, "b c", 1, "quoted string");
	lex_is(&lx, RR_TOK_WORD, "d", 1, "d on line 1");
	lex_is(&lx, RR_TOK_WORD, "e", 2, "newline inside parentheses is a blank");
	lex_is(&lx, RR_TOK_EOL, NULL, 2, "comment then end of line");
	ok(lx.at_eol, "at_eol set");
	lex_is(&lx, RR_TOK_EOL, NULL, 3, "empty line");
	lex_is(&lx, RR_TOK_WORD, "f\\ g\\\nh", 4, "escaped blank and newline stay in the word");
	is_int(lx.line, 5, "escaped newline counted");
	lex_is(&lx, RR_TOK_QSTRING, "i", 5, "quote ends a word");
	lex_is(&lx, RR_TOK_ERR, NULL, 5, "unbalanced ) reported");
	is_str(lx.errmsg, "unbalanced ')'", "with its reason");
	lex_is(&lx, RR_TOK_EOL, NULL, 5, "end of text is end of line");
	lex_is(&lx, RR_TOK_EOL, NULL, 5, "and stays so");

	t = "a ( b \"c\nd\" e\n) f\ng";
	rr_lex_init(&lx, t, strlen(t), 1);
	lex_is(&lx, RR_TOK_WORD, "a", 1, "a");
	lex_is(&lx, RR_TOK_WORD, "b", 1, "b");
	lex_is(&lx, RR_TOK_ERR, NULL, 1, "newline in a quoted string");
	is_str(lx.errmsg, "unterminated quoted string", "with its reason");
	rr_lex_skip_line(&lx);
	lex_is(&lx, RR_TOK_WORD, "g", 4, "skipping goes past the closing parenthesis");

	t = "x (";
	rr_lex_init(&lx, t, strlen(t), 1);
	lex_is(&lx, RR_TOK_WORD, "x", 1, "x");
	lex_is(&lx, RR_TOK_ERR, NULL, 1, "open parenthesis at the end");
	is_str(lx.errmsg, "missing ')'", "with its reason");
	lex_is(&lx, RR_TOK_EOL, NULL, 1, "then the end");
}

static void test_names(void)
{
	uint8_t n[DNAME_MAX];
	const char *msg = NULL;
	is_int(rdata_name_from_text(n, "a.b.", 4, NULL, &msg), 5, "name parses");
	is_int(rdata_name_from_text(n, "", 0, NULL, &msg), 0, "empty refused");
	is_str(msg, "empty name", "empty name reason");
	is_int(rdata_name_from_text(n, "a\\.b", 4, NULL, &msg), 0, "escaped dot keeps it relative");
	is_str(msg, "relative name and no origin", "relative reason");
	is_int(rdata_name_from_text(n, "a\\\\.", 4, NULL, &msg), 4, "escaped backslash then dot");
}

static void test_ttl(void)
{
	static const struct { const char *s; int rc; uint32_t v; } t[] = {
		{ "3600", 0, 3600 }, { "0", 0, 0 }, { "1h30m", 0, 5400 },
		{ "2W", 0, 1209600 }, { "1w1d1h1m1s", 0, 694861 }, { "90s", 0, 90 },
		{ "4294967295", 0, 4294967295u }, { "4294967296", DZ_EFORMAT, 0 },
		{ "7102w", DZ_EFORMAT, 0 }, { "1h30", DZ_EFORMAT, 0 },
		{ "", DZ_EFORMAT, 0 }, { "h", DZ_EFORMAT, 0 }, { "1x", DZ_EFORMAT, 0 },
		{ "-1", DZ_EFORMAT, 0 }, { "1hh", DZ_EFORMAT, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint32_t v = 12345;
		int rc = zonefile_ttl(t[i].s, strlen(t[i].s), &v);
		ok(rc == t[i].rc && (rc || v == t[i].v), "TTL '%s'", t[i].s);
		if (rc == 0 && v != t[i].v)
			printf("#   got %u\n", v);
	}
}

int main(void)
{
	dname_from_text(origin, "example.org.", 12, NULL);
	test_good();
	test_bad();
	test_limits();
	test_types();
	test_wire();
	test_lex();
	test_names();
	test_ttl();
	return tap_done();
}
