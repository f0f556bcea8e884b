/* proto/tinydns: every line type, every error, encoding, rendering; and
 * src/tinydns/cdbout's publishing rules.  Expected bytes come from
 * /work/shared/reference/tinydns-cdb.md §6 (checked against tinydns-data). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdb.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/tinydns.h"
#include "proto/wire.h"
#include "src/tinydns/cdbout.h"
#include "tests/unit/tap.h"

#define MTIME 1700000000
#define NREC 8

typedef struct rec {
	uint8_t key[TINYDNS_KEY_MAX];
	size_t klen;
	uint8_t val[TINYDNS_VAL_MAX];
	size_t vlen;
	bool wildcard, is_loc;
	uint8_t owner[DNAME_MAX];
} rec_t;

typedef struct col {
	rec_t r[NREC];
	int n;
	int stop;       /* return this from the sink (test of the stop path) */
} col_t;

static int col_rr(void *ctx, const tinydns_rr_t *rr)
{
	col_t *c = ctx;
	if (c->stop)
		return c->stop;
	if (c->n >= NREC)
		return DZ_ELIMIT;
	rec_t *r = &c->r[c->n++];
	r->wildcard = rr->wildcard;
	r->is_loc = false;
	memcpy(r->owner, rr->owner, dname_len(rr->owner, DNAME_MAX));
	return tinydns_rr_encode(rr, r->key, sizeof r->key, &r->klen, r->val, sizeof r->val, &r->vlen);
}

static int col_loc(void *ctx, const tinydns_loc_t *loc)
{
	col_t *c = ctx;
	if (c->n >= NREC)
		return DZ_ELIMIT;
	rec_t *r = &c->r[c->n++];
	r->is_loc = true;
	return tinydns_loc_encode(loc, r->key, sizeof r->key, &r->klen, r->val, sizeof r->val, &r->vlen);
}

static tinydns_parser_t parser;
static col_t col;
static const char *why;

static int parse(const char *line)
{
	tinydns_sink_t sink = { col_rr, col_loc, &col };
	col.n = 0;
	col.stop = 0;
	why = NULL;
	return tinydns_parse_line(&parser, line, strlen(line), &sink, &why);
}

/* "00 06 3d ..." -> bytes; returns the count. */
static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	while (*s) {
		if (*s == ' ' || *s == '|') {
			s++;
			continue;
		}
		char b[3] = { s[0], s[1], 0 };
		out[n++] = (uint8_t)strtoul(b, NULL, 16);
		s += 2;
	}
	return n;
}

static bool rec_is(int i, const char *key, const char *val)
{
	uint8_t k[TINYDNS_KEY_MAX], v[1024];
	size_t kl = unhex(key, k), vl = unhex(val, v);
	if (i >= col.n)
		return false;
	const rec_t *r = &col.r[i];
	bool same = r->klen == kl && memcmp(r->key, k, kl) == 0 &&
	            r->vlen == vl && memcmp(r->val, v, vl) == 0;
	if (!same) {
		printf("#   record %d key:", i);
		for (size_t j = 0; j < r->klen; j++)
			printf(" %02x", r->key[j]);
		printf("\n#   value:");
		for (size_t j = 0; j < r->vlen; j++)
			printf(" %02x", r->val[j]);
		printf("\n");
	}
	return same;
}

#define DYN "03 64 79 6e 07 65 78 61 6d 70 6c 65 04 74 65 73 74 00"
#define HOST "04 68 6f 73 74 " DYN
#define ZTTD "00 00 00 00 00 00 00 00"

static void test_lines(void)
{
	is_int(parse(".dyn.example.test:192.0.2.53:a:3600"), 0, ". line parses");
	is_int(col.n, 3, ". line gives SOA, NS, glue A");
	ok(rec_is(0, DYN, "00 06 | 3d | 00 00 0a 00 |" ZTTD
	          "01 61 02 6e 73 " DYN
	          "0a 68 6f 73 74 6d 61 73 74 65 72 " DYN
	          "65 53 f1 00 00 00 40 00 00 00 08 00 00 10 00 00 00 00 0a 00"),
	   "SOA: x -> x.ns.fqdn, hostmaster, mtime serial, TTL 2560");
	ok(rec_is(1, DYN, "00 02 3d 00 00 0e 10" ZTTD "01 61 02 6e 73 " DYN), "NS");
	ok(rec_is(2, "01 61 02 6e 73 " DYN, "00 01 3d 00 00 0e 10" ZTTD "c0 00 02 35"), "glue A");

	parse(".z.test");
	ok(col.n == 2 && rec_is(1, "01 7a 04 74 65 73 74 00",
	                        "00 02 3d 00 03 f4 80" ZTTD "02 6e 73 01 7a 04 74 65 73 74 00"),
	   ". defaults: NS TTL 259200, x empty -> ns.fqdn, no A");
	ok(col.r[0].val[3] == 0 && col.r[0].val[5] == 0x0a, ". default: SOA TTL 2560");
	parse(".z.test::ns:0");
	ok(col.n == 2 && memcmp(col.r[0].val + 3, "\0\0\0\0", 4) == 0, ". TTL 0 makes the SOA TTL 0");
	parse(".z.test::ns:4294967296");
	ok(memcmp(col.r[0].val + 3, "\0\0\x0a\0", 4) == 0 && memcmp(col.r[1].val + 3, "\0\0\0\0", 4) == 0,
	   ". TTL 2^32: SOA sees non-zero, NS gets it wrapped to 0");

	is_int(parse("&dyn.example.test::ns2.example.net:3600"), 0, "& line");
	ok(col.n == 1 && rec_is(0, DYN, "00 02 3d 00 00 0e 10" ZTTD
	                        "03 6e 73 32 07 65 78 61 6d 70 6c 65 03 6e 65 74 00"), "& NS, no SOA, no A");
	parse("&z.test::a\\");
	ok(col.n == 1 && rec_is(0, "01 7a 04 74 65 73 74 00",
	                        "00 02 3d 00 03 f4 80" ZTTD "04 61 2e 6e 73 01 7a 04 74 65 73 74 00"),
	   "& x ending in a backslash escapes the joined dot, as in tinydns-data");

	is_int(parse("+host.dyn.example.test:192.0.2.10:300"), 0, "+ line");
	ok(col.n == 1 && rec_is(0, HOST, "00 01 3d 00 00 01 2c" ZTTD "c0 00 02 0a"), "+ A record");
	parse("+a.z:1.2.3");
	is_int(col.n, 0, "+ with a 3-part address writes nothing");
	parse("+a.z:256.1.2.3junk");
	ok(col.n == 1 && memcmp(col.r[0].val + 15, "\0\1\2\3", 4) == 0, "+ octets wrap, junk after ignored");
	parse("+a.z:1.2.3.4");
	ok(col.n == 1 && memcmp(col.r[0].val + 3, "\0\1\x51\x80", 4) == 0, "+ default TTL 86400");
	parse("+a.z:1.2.3.4:4294967297");
	ok(memcmp(col.r[0].val + 3, "\0\0\0\1", 4) == 0, "TTL wraps mod 2^32");
	parse("+a.z:1.2.3.4:300x");
	ok(memcmp(col.r[0].val + 3, "\0\0\1\x2c", 4) == 0, "junk after a TTL ignored");
	parse("+a.z:1.2.3.4: 300");
	ok(memcmp(col.r[0].val + 3, "\0\1\x51\x80", 4) == 0, "a TTL not starting with a digit is the default");
	parse("+a.z:1.2.3.4:300 \t \n");
	ok(col.n == 1 && memcmp(col.r[0].val + 3, "\0\0\1\x2c", 4) == 0, "trailing blanks cut");

	is_int(parse("=Host.dyn.example.test:192.0.2.10:300"), 0, "= line");
	ok(col.n == 2 && rec_is(0, HOST, "00 01 3d 00 00 01 2c" ZTTD "c0 00 02 0a"), "= A");
	ok(rec_is(1, "02 31 30 01 32 01 30 03 31 39 32 07 69 6e 2d 61 64 64 72 04 61 72 70 61 00",
	          "00 0c 3d 00 00 01 2c" ZTTD "04 48 6f 73 74 " DYN),
	   "= PTR under in-addr.arpa, target case kept");

	is_int(parse(":host.dyn.example.test:28:\\040\\001\\015\\270\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\001:300"),
	       0, ": AAAA");
	ok(rec_is(0, HOST, "00 1c 3d 00 00 01 2c" ZTTD "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"), ": rdata from octal");
	parse(":a.z:65537:xy\\q\\:");
	ok(col.n == 1 && rec_is(0, "01 61 01 7a 00", "00 01 3d 00 01 51 80" ZTTD "78 79 71"),
	   ": type wraps mod 65536; \\X is X; fields split before escapes: \\: is a lone \\ (dropped)");
	static const char *refused[] = { "0", "", "2", "5", "6", "12", "15", "252", "65538" };
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		char l[64];
		snprintf(l, sizeof l, ":a.z:%s:x", refused[i]);
		int rc = parse(l);
		ok(rc == DZ_EFORMAT && col.n == 0 && why && strstr(why, "prohibited"), ": type \"%s\" refused (%s)", refused[i], why ? why : "");
	}

	is_int(parse("'host.dyn.example.test:hello world\\072x:300"), 0, "' line");
	ok(rec_is(0, HOST, "00 10 3d 00 00 01 2c" ZTTD "0d 68 65 6c 6c 6f 20 77 6f 72 6c 64 3a 78"), "' TXT one string");
	char big[400];
	big[0] = '\'';
	memcpy(big + 1, "a.z:", 4);
	memset(big + 5, 'x', 300);
	memcpy(big + 305, ":60", 4);
	parse(big);
	ok(col.n == 1 && col.r[0].vlen == 15 + 303 && col.r[0].val[15] == 127 &&
	   col.r[0].val[15 + 128] == 127 && col.r[0].val[15 + 256] == 46, "' 300 bytes -> 127+127+46");
	parse("'a.z:\\777\\0101\\q\\");
	ok(rec_is(0, "01 61 01 7a 00", "00 10 3d 00 01 51 80" ZTTD "04 ff 08 31 71"),
	   "' escapes: \\777 wraps, 3 digits at most, \\q, lone \\ dropped");
	parse("'a.z::60");
	ok(col.n == 1 && col.r[0].vlen == 15, "' empty text: empty rdata");

	is_int(parse("+*.wild.dyn.example.test:192.0.2.20:60"), 0, "wildcard");
	ok(rec_is(0, "04 77 69 6c 64 " DYN, "00 01 2a 00 00 00 3c" ZTTD "c0 00 02 14"), "wildcard: key without *, marker *");
	ok(col.r[0].wildcard && col.r[0].owner[0] == 1 && col.r[0].owner[1] == '*', "wildcard: owner keeps the * label");

	parse("+MiXeD.Dyn.Example.Test:192.0.2.50:300");
	ok(rec_is(0, "05 6d 69 78 65 64 " DYN, "00 01 3d 00 00 01 2c" ZTTD "c0 00 02 32"), "mixed case key lowercased");
	parse("+a\\056B\\101.z:1.2.3.4");
	ok(rec_is(0, "04 61 2e 62 61 01 7a 00", "00 01 3d 00 01 51 80" ZTTD "01 02 03 04"),
	   "name escapes: \\056 inside a label, \\101 lowercased");
	parse("+a..b..:1.2.3.4");
	ok(rec_is(0, "01 61 01 62 00", "00 01 3d 00 01 51 80" ZTTD "01 02 03 04"), "empty labels dropped");
	parse("+:1.2.3.4");
	ok(rec_is(0, "00", "00 01 3d 00 01 51 80" ZTTD "01 02 03 04"), "empty owner is the root");

	is_int(parse("Calias.dyn.example.test:host.dyn.example.test:300"), 0, "C line");
	ok(rec_is(0, "05 61 6c 69 61 73 " DYN, "00 05 3d 00 00 01 2c" ZTTD HOST), "CNAME");
	is_int(parse("^10.2.0.192.in-addr.arpa:Host.dyn.example.test"), 0, "^ line");
	ok(rec_is(0, "02 31 30 01 32 01 30 03 31 39 32 07 69 6e 2d 61 64 64 72 04 61 72 70 61 00",
	          "00 0c 3d 00 01 51 80" ZTTD "04 48 6f 73 74 " DYN), "PTR, target case kept");

	is_int(parse("@dyn.example.test:192.0.2.25:mx:10:300"), 0, "@ line");
	ok(col.n == 2 && rec_is(0, DYN, "00 0f 3d 00 00 01 2c" ZTTD "00 0a 02 6d 78 02 6d 78 " DYN), "MX x -> x.mx.fqdn");
	ok(rec_is(1, "02 6d 78 02 6d 78 " DYN, "00 01 3d 00 00 01 2c" ZTTD "c0 00 02 19"), "MX target A");
	parse("@z::mail.example.net.");
	ok(col.n == 1 && rec_is(0, "01 7a 00", "00 0f 3d 00 01 51 80" ZTTD
	                        "00 00 04 6d 61 69 6c 07 65 78 61 6d 70 6c 65 03 6e 65 74 00"),
	   "MX with a dotted name, no distance, no A");

	is_int(parse("S_sip._udp.srv.test:192.0.2.1:sip.srv.test.:5060:10:20:300"), 0, "S line");
	ok(col.n == 2 && rec_is(0, "04 5f 73 69 70 04 5f 75 64 70 03 73 72 76 04 74 65 73 74 00",
	                        "00 21 3d 00 00 01 2c" ZTTD "00 0a 00 14 13 c4 03 73 69 70 03 73 72 76 04 74 65 73 74 00"),
	   "SRV: fields 5, 6 are priority, weight; then port");
	ok(rec_is(1, "03 73 69 70 03 73 72 76 04 74 65 73 74 00", "00 01 3d 00 00 01 2c" ZTTD "c0 00 02 01"), "SRV target A");
	parse("Ss.z::sip:5060");
	ok(col.n == 1 && rec_is(0, "01 73 01 7a 00", "00 21 3d 00 01 51 80" ZTTD
	                        "00 00 00 00 13 c4 03 73 69 70 03 73 72 76 01 73 01 7a 00"),
	   "SRV x -> x.srv.fqdn, priority and weight default 0");
	is_int(parse("Ss.z::sip.z.::1:2"), DZ_EFORMAT, "SRV without a port refused");
	ok(col.n == 0 && why && strstr(why, "port"), "SRV port reason: %s", why ? why : "");

	is_int(parse("Zstatic.test:ns.static.test.:admin.static.test.:2024010101:7200:1800:604800:300:600"), 0, "Z line");
	ok(rec_is(0, "06 73 74 61 74 69 63 04 74 65 73 74 00",
	          "00 06 3d 00 00 02 58" ZTTD "02 6e 73 06 73 74 61 74 69 63 04 74 65 73 74 00 05 61 64 6d 69 6e 06 73 74 61 74 69 63 04 74 65 73 74 00 78 a3 f1 75 00 00 1c 20 00 00 07 08 00 09 3a 80 00 00 01 2c"),
	   "Z SOA, names literal");
	parse("Zz:ns:hm");
	ok(rec_is(0, "01 7a 00", "00 06 3d 00 00 0a 00" ZTTD "02 6e 73 00 02 68 6d 00 "
	          "65 53 f1 00 00 00 40 00 00 00 08 00 00 10 00 00 00 00 0a 00"), "Z defaults: mtime serial, 16384 2048 1048576 2560, TTL 2560");

	is_int(parse("%in:127.0.0"), 0, "%% line");
	ok(col.n == 1 && col.r[0].is_loc && rec_is(0, "00 25 7f 00 00", "69 6e"), "%% key is NUL, %%, prefix bytes");
	parse("%ex");
	ok(rec_is(0, "00 25", "65 78"), "%% without prefix");
	parse("%x:10..1");
	ok(rec_is(0, "00 25 0a 01", "78 00"), "%% 1-char code, dot runs skipped");
	parse("%lo:300.1.2.3.4.5");
	ok(rec_is(0, "00 25 2c 01 02 03 04 05", "6c 6f"), "%% numbers wrap, no limit of 4");

	parse("+loc.dyn.example.test:192.0.2.30:300::in");
	ok(rec_is(0, "03 6c 6f 63 " DYN, "00 01 3e 69 6e 00 00 01 2c" ZTTD "c0 00 02 1e"), "location marker >");
	parse("+*.lw.z.test:192.0.2.5:60::in");
	ok(rec_is(0, "02 6c 77 01 7a 04 74 65 73 74 00", "00 01 2b 69 6e 00 00 00 3c" ZTTD "c0 00 02 05"), "wildcard + location marker +");
	parse("+a.z:1.2.3.4:0::x");
	ok(memcmp(col.r[0].val + 2, ">x\0", 3) == 0, "1-char location x\\0");

	parse("+ttd.z:192.0.2.40:0:400000006b1058c0");
	ok(rec_is(0, "03 74 74 64 01 7a 00", "00 01 3d 00 00 00 00 40 00 00 00 6b 10 58 c0 c0 00 02 28"), "TTD hex");
	parse("+ttd.z:192.0.2.40:0:400000006B1058C0");
	ok(memcmp(col.r[0].val + 7, "\x40\0\0\0\x60\x10\x58\0", 8) == 0, "TTD uppercase digits count as 0");
	parse("+ttd.z:192.0.2.40:0:1");
	ok(memcmp(col.r[0].val + 7, "\x10\0\0\0\0\0\0\0", 8) == 0, "short TTD fills from the left");

	parse("+a.z:1.2.3.4:1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16");
	ok(col.n == 1 && col.r[0].val[2] == '>' && col.r[0].val[3] == '3', "fields past the 15th ignored");
	parse(".dyn.example.test:2001:db8::1:a");
	ok(col.n == 2 && rec_is(1, DYN, "00 02 3e 61 00 00 03 f4 80 10 00 00 00 00 00 00 00 "
	                        "03 64 62 38 02 6e 73 " DYN), "IPv6 in a . line: garbage as in tinydns-data");

	static const char *none[] = { "", "   ", "\n", "# comment", "-+a.z:1.2.3.4", "#+a.z:1.2.3.4" };
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		int rc = parse(none[i]);
		ok(rc == 0 && col.n == 0, "no records from blank, comment or - line %zu", i);
	}
}

static void test_errors(void)
{
	static const char *lead[] = { "6a.z:20010db8000000000000000000000001", "3a.z:x", "Xa", "*a", " +a.z:1.2.3.4" };
	for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
		int rc = parse(lead[i]);
		ok(rc == DZ_EFORMAT && why && strcmp(why, "unrecognized leading character") == 0,
		   "leading character refused: %.2s", lead[i]);
	}

	char l[700];
	memset(l, 0, sizeof l);
	l[0] = '+';
	memset(l + 1, 'a', 64);
	memcpy(l + 65, ".z:1.2.3.4", 11);
	is_int(parse(l), DZ_EFORMAT, "64-byte label refused");
	ok(why && strstr(why, "bad name"), "label reason: %s", why ? why : "");
	memcpy(l + 64, ".z:1.2.3.4", 11);
	is_int(parse(l), 0, "63-byte label taken");
	/* 4 labels of 63: 257 bytes of wire name; 63, 63, 63, 61: 255 */
	static const int lens[2][4] = { { 63, 63, 63, 63 }, { 63, 63, 63, 61 } };
	for (int k = 0; k < 2; k++) {
		size_t o = 1;
		memset(l, 0, sizeof l);
		l[0] = '+';
		for (int i = 0; i < 4; i++) {
			memset(l + o, 'b', (size_t)lens[k][i]);
			o += (size_t)lens[k][i];
			l[o++] = '.';
		}
		memcpy(l + o, ":1.2.3.4", 9);
		if (k == 0)
			is_int(parse(l), DZ_EFORMAT, "257-byte name refused");
		else
			ok(parse(l) == 0 && col.n == 1 && col.r[0].klen == 255, "255-byte name taken");
	}

	/* the bad name goes between each prefix and suffix */
	static const char *badname[][2] = { { "&z::", "" }, { "@z::", "" }, { "Ss.z::", ":1" }, { "Cz:", "" },
		{ "^z:", "" }, { "Zz:", ":x" }, { "Zz:x:", "" }, { "'", ":t" }, { ":", ":16:t" }, { ".", "" } };
	memset(l, 'c', 64);
	l[64] = 0;
	for (size_t i = 0; i < sizeof badname / sizeof badname[0]; i++) {
		char line[sizeof l + 16];
		snprintf(line, sizeof line, "%s%s%s", badname[i][0], l, badname[i][1]);
		ok(parse(line) == DZ_EFORMAT && col.n == 0, "bad name in \"%.6s...\" refused", line);
	}
	/* the ".ns." rule can make a name too long */
	char longzone[300];
	memset(longzone, 0, sizeof longzone);
	memcpy(longzone, "&", 2);
	for (int i = 0; i < 3; i++) {
		memset(longzone + 1 + i * 64, 'd', 63);
		longzone[1 + i * 64 + 63] = '.';
	}
	memcpy(longzone + 193, "e::", 3);
	memset(longzone + 196, 'p', 60);   /* 61 + 3 (ns) + 195 = 259 bytes */
	is_int(parse(longzone), DZ_EFORMAT, "x.ns.fqdn over 255 bytes refused");

	/* caps */
	size_t n = 70000;
	char *t = malloc(n + 16);
	memcpy(t, "'a.z:", 5);
	memset(t + 5, 'x', n);
	t[5 + n] = 0;
	is_int(parse(t), DZ_ELIMIT, "TXT over 65535 bytes of rdata refused");
	ok(col.n == 0 && why != NULL, "TXT cap reason: %s", why ? why : "");
	memcpy(t, "'a.z:", 5);
	t[5 + 64516] = 0;   /* 64516 bytes -> 508 strings of 127: 65024 + 508 = 65532 */
	is_int(parse(t), 0, "TXT just under the cap taken");
	memcpy(t, ":a.z:99:", 8);
	memset(t + 8, 'y', 65536);
	t[8 + 65536] = 0;
	is_int(parse(t), DZ_ELIMIT, "generic rdata over 65535 refused");
	t[8 + 65535] = 0;
	is_int(parse(t), 0, "generic rdata of 65535 taken");
	ok(col.n == 1 && col.r[0].vlen == 15 + 65535, "65535 bytes encoded");
	memcpy(t, "%lo:", 4);
	for (int i = 0; i < 256; i++)
		memcpy(t + 4 + 2 * i, "1.", 2);
	t[4 + 512] = 0;
	is_int(parse(t), DZ_ELIMIT, "location prefix over 255 bytes refused");
	t[4 + 510] = 0;
	is_int(parse(t), 0, "location prefix of 255 bytes taken");
	free(t);

	/* the sink can stop a line */
	tinydns_sink_t sink = { col_rr, col_loc, &col };
	col.n = 0;
	col.stop = -42;
	is_int(tinydns_parse_line(&parser, "+a.z:1.2.3.4", 12, &sink, NULL), -42, "sink's return stops the line");
	tinydns_sink_t empty = { NULL, NULL, NULL };
	is_int(tinydns_parse_line(&parser, "=a.z:1.2.3.4", 12, &empty, NULL), 0, "NULL callbacks drop records");
	is_int(tinydns_parse_line(&parser, "%a:1", 4, &empty, NULL), 0, "NULL loc callback");

	/* NUL bytes are ordinary bytes */
	is_int(tinydns_parse_line(&parser, "+a\0b.z:1.2.3.4", 14, &sink, NULL), -42, "NUL inside a name is a byte");
	col.stop = 0;
	col.n = 0;
	tinydns_parse_line(&parser, "+a\0b.z:1.2.3.4", 14, &sink, NULL);
	ok(rec_is(0, "03 61 00 62 01 7a 00", "00 01 3d 00 01 51 80" ZTTD "01 02 03 04"), "NUL kept in the label");
}

static void test_serial(void)
{
	tinydns_parser_t *p = malloc(sizeof *p);
	tinydns_parser_init(p, 0);
	tinydns_sink_t sink = { col_rr, col_loc, &col };
	col.n = 0;
	col.stop = 0;
	tinydns_parse_line(p, "Zz:a:b", 6, &sink, NULL);
	ok(col.n == 1 && memcmp(col.r[0].val + 15 + 6, "\0\0\0\1", 4) == 0, "mtime 0 gives serial 1");
	tinydns_parser_init(p, 0x100000002LL);
	col.n = 0;
	tinydns_parse_line(p, "Zz:a:b", 6, &sink, NULL);
	ok(col.n == 1 && memcmp(col.r[0].val + 15 + 6, "\0\0\0\2", 4) == 0, "serial is mtime mod 2^32");
	free(p);
}

static void test_encode(void)
{
	uint8_t key[TINYDNS_KEY_MAX], val[64];
	size_t kl, vl;
	tinydns_rr_t rr = { (const uint8_t *)"\1*\1Z", true, 1, { 0, 0 }, 60, 0x4000000000000001ULL,
	                    (const uint8_t *)"\1\2\3\4", 4 };
	is_int(tinydns_rr_encode(&rr, key, sizeof key, &kl, val, sizeof val, &vl), 0, "encode");
	ok(kl == 3 && memcmp(key, "\1z", 3) == 0, "encode: key lowercased, * stripped");
	ok(vl == 19 && memcmp(val, "\0\1*\0\0\0\x3c\x40\0\0\0\0\0\0\1\1\2\3\4", 19) == 0, "encode: value");
	rr.wildcard = false;
	is_int(tinydns_rr_encode(&rr, key, sizeof key, &kl, val, sizeof val, &vl), DZ_EINVAL, "encode: wildcard flag must match owner");
	rr.wildcard = true;
	is_int(tinydns_rr_encode(&rr, key, 2, &kl, val, sizeof val, &vl), DZ_ESPACE, "encode: key buffer too small");
	is_int(tinydns_rr_encode(&rr, key, sizeof key, &kl, val, 18, &vl), DZ_ESPACE, "encode: value buffer too small");
	rr.owner = (const uint8_t *)"\100abc";
	rr.wildcard = false;
	is_int(tinydns_rr_encode(&rr, key, sizeof key, &kl, val, sizeof val, &vl), DZ_EINVAL, "encode: bad owner");
	rr.owner = (const uint8_t *)"";
	rr.rdlen = TINYDNS_RDATA_MAX + 1;
	is_int(tinydns_rr_encode(&rr, key, sizeof key, &kl, val, sizeof val, &vl), DZ_EINVAL, "encode: rdata over the cap");

	tinydns_loc_t loc = { { 'i', 'n' }, (const uint8_t *)"\x7f", 1 };
	is_int(tinydns_loc_encode(&loc, key, sizeof key, &kl, val, sizeof val, &vl), 0, "loc encode");
	ok(kl == 3 && memcmp(key, "\0%\x7f", 3) == 0 && vl == 2 && memcmp(val, "in", 2) == 0, "loc key and value");
	is_int(tinydns_loc_encode(&loc, key, 2, &kl, val, sizeof val, &vl), DZ_ESPACE, "loc: small key buffer");
	loc.plen = TINYDNS_PREFIX_MAX + 1;
	is_int(tinydns_loc_encode(&loc, key, sizeof key, &kl, val, sizeof val, &vl), DZ_EINVAL, "loc: prefix over the cap");
}

/* Render every record of `line` and parse the rendering back: each
 * rendered line must give exactly the same single cdb record. */
static int roundtrip(const char *line, char *first, size_t firstcap)
{
	col_t orig;
	char out[2048];
	size_t n;
	int rc;

	if ((rc = parse(line)) != 0)
		return rc;
	orig = col;
	for (int i = 0; i < orig.n; i++) {
		/* rebuild the record from its encoding */
		const rec_t *r = &orig.r[i];
		if (r->is_loc) {
			tinydns_loc_t loc = { { r->val[0], r->val[1] }, r->key + 2, r->klen - 2 };
			rc = tinydns_loc_to_line(&loc, out, sizeof out, &n);
		} else {
			bool hasloc = r->val[2] == '>' || r->val[2] == '+';
			size_t h = hasloc ? 17 : 15;
			tinydns_rr_t rr = {
				r->owner, r->wildcard, wire_load_u16(r->val),
				{ hasloc ? r->val[3] : 0, hasloc ? r->val[4] : 0 },
				wire_load_u32(r->val + h - 12),
				(uint64_t)wire_load_u32(r->val + h - 8) << 32 | wire_load_u32(r->val + h - 4),
				r->val + h, r->vlen - h,
			};
			rc = tinydns_rr_to_line(&rr, out, sizeof out, &n);
		}
		if (rc)
			return rc;
		if (strlen(out) != n)
			return -100;
		if (i == 0 && first)
			snprintf(first, firstcap, "%s", out);
		if ((rc = parse(out)) != 0)
			return rc;
		if (col.n != 1 || col.r[0].klen != r->klen || col.r[0].vlen != r->vlen ||
		    memcmp(col.r[0].key, r->key, r->klen) || memcmp(col.r[0].val, r->val, r->vlen)) {
			printf("#   rendered \"%s\" differs\n", out);
			return -101;
		}
	}
	col = orig;
	return 0;
}

static void test_render(void)
{
	static const struct { const char *line, *want; } cases[] = {
		{ "+host.dyn.example.test:192.0.2.10:300", "+host.dyn.example.test:192.0.2.10:300" },
		{ "+*.wild.z:192.0.2.20:60::in", "+*.wild.z:192.0.2.20:60::in" },
		{ "+a.z:1.2.3.4:0:400000006b1058c0:x", "+a.z:1.2.3.4:0:400000006b1058c0:x" },
		{ "&z::NS2.Example.Net:3600", "&z::NS2.Example.Net.:3600" },
		{ ".z:1.2.3.4:a:3600", "Zz:a.ns.z.:hostmaster.z.:1700000000:16384:2048:1048576:2560:2560" },
		{ "Calias.z:host.z:300", "Calias.z:host.z.:300" },
		{ "^4.3.2.1.in-addr.arpa:h.z", "^4.3.2.1.in-addr.arpa:h.z.:86400" },
		{ "@z:1.2.3.4:mx:10:300", "@z::mx.mx.z.:10:300" },
		{ "S_sip._udp.srv.test:192.0.2.1:sip.srv.test.:5060:10:20:300", "S_sip._udp.srv.test::sip.srv.test.:5060:10:20:300" },
		{ "'t.z:hello world\\072x\\001:300", "'t.z:hello world\\072x\\001:300" },
		{ ":h.z:28:\\040\\001\\015\\270\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\001:300",
		  ":h.z:28: \\001\\015\\270\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\001:300" },
		{ ":h.z:1:abc", ":h.z:1:abc:86400" },
		{ "%in:127.0.0", "%in:127.0.0" },
		{ "%ex", "%ex:" },
		{ "%:1", "%:1" },
		{ "+.:1.2.3.4", "+.:1.2.3.4:86400" },
		{ "+a\\056b\\072\\040.z:1.2.3.4", "+a\\056b\\072\\040.z:1.2.3.4:86400" },
		{ "+a.z:1.2.3.4:5::a ", "+a.z:1.2.3.4:5::a" },
		{ "+a.z:1.2.3.4:5::a :", "+a.z:1.2.3.4:5::a :" },
		{ "Zz:ns:hm:0:0:0:0:0:0", "Zz:ns.:hm.:0:0:0:0:0:0" },
	};
	char first[2048];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		first[0] = 0;
		int rc = roundtrip(cases[i].line, first, sizeof first);
		ok(rc == 0, "round trip: %s (rc %d)", cases[i].line, rc);
		is_str(first, cases[i].want, "rendered: %s", cases[i].line);
	}
	static const char *more[] = {
		".dyn.example.test:192.0.2.53:a:3600", "=Host.z:10.0.0.1", "@z::mx.example.net.",
		"Ss.z:1.1.1.1:sip:5060", "+*.q.z:1.2.3.4:7:4000000000000000", "%x:10.1",
		"'t.z:\\000\\377\\\\", ".dyn.example.test:2001:db8::1:a",
	};
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		is_int(roundtrip(more[i], NULL, 0), 0, "round trip: %s", more[i]);
	char big[400];
	memcpy(big, "'a.z:", 5);
	memset(big + 5, 'x', 300);
	big[305] = 0;
	is_int(roundtrip(big, NULL, 0), 0, "round trip: 300-byte TXT");

	/* records no specific line can say */
	char out[256];
	size_t n;
	tinydns_rr_t rr = { (const uint8_t *)"\1z", false, 16, { 0, 0 }, 5, 0, (const uint8_t *)"\1a\1b", 4 };
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), 0, "TXT split unlike tinydns-data");
	is_str(out, ":z:16:\\001a\\001b:5", "... goes out as a generic line");
	uint8_t s132[133];
	memset(s132, 'q', sizeof s132);
	s132[0] = 132;
	tinydns_rr_t longstr = { (const uint8_t *)"\1z", false, 16, { 0, 0 }, 5, 0, s132, sizeof s132 };
	is_int(tinydns_rr_to_line(&longstr, out, sizeof out, &n), 0, "TXT string over 127 bytes");
	ok(strncmp(out, ":z:16:\\204qqq", 13) == 0, "... goes out as a generic line (found by the fuzzer)");
	rr.type = 1;
	rr.rdlen = 3;
	tinydns_rr_to_line(&rr, out, sizeof out, &n);
	is_str(out, ":z:1:\\001a\\001:5", "A of 3 bytes as a generic line");
	rr.type = 2;
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), DZ_ENOTSUP, "malformed NS cannot be rendered");
	rr.type = 6;
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), DZ_ENOTSUP, "malformed SOA cannot be rendered");
	rr.type = 15;
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), DZ_ENOTSUP, "malformed MX cannot be rendered");
	rr.type = 33;
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), 0, "malformed SRV as a generic line");
	rr.type = 0;
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), DZ_ENOTSUP, "type 0 cannot be rendered");
	rr.type = 99;
	rr.loc[0] = ':';
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), DZ_ENOTSUP, "location with ':' cannot be rendered");
	rr.loc[0] = 0;
	rr.loc[1] = 'x';
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), DZ_ENOTSUP, "location with a NUL first byte cannot be rendered");
	rr.loc[1] = 0;
	is_int(tinydns_rr_to_line(&rr, out, 8, &n), DZ_ESPACE, "small output buffer");
	is_int(tinydns_rr_to_line(&rr, out, 0, &n), DZ_ESPACE, "zero output buffer");
	rr.owner = (const uint8_t *)"\100";
	is_int(tinydns_rr_to_line(&rr, out, sizeof out, &n), DZ_EINVAL, "bad owner");
	tinydns_loc_t loc = { { 'a', ':' }, NULL, 0 };
	is_int(tinydns_loc_to_line(&loc, out, sizeof out, &n), DZ_ENOTSUP, "%% with ':' in the code cannot be rendered");
}

/* cdbout ---------------------------------------------------------------- */

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static bool cdb_has(const char *path, const char *key, const char *val)
{
	struct cdb c;
	char buf[64];
	bool found = false;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	if (cdb_init(&c, fd) == 0) {
		if (cdb_find(&c, key, (unsigned)strlen(key)) > 0 && cdb_datalen(&c) == strlen(val) &&
		    cdb_read(&c, buf, cdb_datalen(&c), cdb_datapos(&c)) == 0)
			found = memcmp(buf, val, strlen(val)) == 0;
		cdb_free(&c);
	}
	close(fd);
	return found;
}

static void test_cdbout(void)
{
	char dir[] = "/tmp/test_tinydns.XXXXXX", path[400], sub[300];
	cdbout_t c;
	struct stat st;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/data.cdb", dir);
	mode_t old = umask(077);
	is_int(cdbout_open(&c, path), 0, "cdbout_open");
	is_int(count_entries(dir), 1, "a temp file exists while writing");
	is_int(cdbout_add(&c, "k1", 2, "v1", 2), 0, "cdbout_add");
	is_int(cdbout_add(&c, "k2", 2, "v2", 2), 0, "cdbout_add again");
	ok(stat(path, &st) < 0 && errno == ENOENT, "target absent before commit");
	is_int(cdbout_commit(&c), 0, "cdbout_commit");
	umask(old);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "target is mode 0644 whatever the umask");
	is_int(count_entries(dir), 1, "no temp file left after commit");
	ok(cdb_has(path, "k1", "v1") && cdb_has(path, "k2", "v2"), "records readable through libcdb");
	is_int(cdbout_add(&c, "k", 1, "v", 1), DZ_EINVAL, "add after commit refused");
	is_int(cdbout_commit(&c), DZ_EINVAL, "second commit refused");

	is_int(cdbout_open(&c, path), 0, "open over an existing target");
	cdbout_add(&c, "k3", 2, "v3", 2);
	cdbout_abort(&c);
	is_int(count_entries(dir), 1, "abort removes the temp file");
	ok(cdb_has(path, "k1", "v1") && !cdb_has(path, "k3", "v3"), "abort leaves the old target");
	cdbout_abort(&c);
	ok(1, "abort twice is harmless");

	is_int(cdbout_open(&c, path), 0, "open to replace");
	cdbout_add(&c, "k3", 2, "v3", 2);
	is_int(cdbout_commit(&c), 0, "commit replaces");
	ok(cdb_has(path, "k3", "v3") && !cdb_has(path, "k1", "v1"), "new contents in place");

	snprintf(sub, sizeof sub, "%s/target", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof path, "%s/x", sub);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	close(fd);
	is_int(cdbout_open(&c, sub), 0, "open with a directory as target");
	cdbout_add(&c, "k", 1, "v", 1);
	is_int(cdbout_commit(&c), DZ_EIO, "rename over a non-empty directory fails");
	is_int(count_entries(dir), 2, "failed commit removed its temp file");
	unlink(path);
	rmdir(sub);

	snprintf(path, sizeof path, "%s/no/such/dir/data.cdb", dir);
	is_int(cdbout_open(&c, path), DZ_EIO, "open in a missing directory fails");
	char huge[PATH_MAX + 10];
	memset(huge, 'a', sizeof huge - 1);
	huge[sizeof huge - 1] = 0;
	is_int(cdbout_open(&c, huge), DZ_EINVAL, "over-long path refused");

	snprintf(path, sizeof path, "%s/data.cdb", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	tinydns_parser_init(&parser, MTIME);
	test_lines();
	test_errors();
	test_serial();
	test_encode();
	test_render();
	test_cdbout();
	return tap_done();
}
