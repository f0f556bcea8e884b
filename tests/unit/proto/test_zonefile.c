/* zonefile: BIND-style syntax, TTL rules, error reporting and recovery,
 * and the time to parse a million records. */
#include <stdlib.h>
#include <time.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "proto/zonefile.h"
#include "tests/unit/tap.h"

#define MAXREC 64

/* What the callbacks saw, as text. */
typedef struct seen {
	int nrec, nerr;
	int stop_at;   /* return -42 from the record callback at this record */
	struct {
		unsigned line;
		char owner[300], type[16], rdata[600];
		uint32_t ttl;
	} rec[MAXREC];
	struct {
		unsigned line;
		char msg[100];
	} err[MAXREC];
} seen_t;

static int on_record(void *ctx, const zf_record_t *rr)
{
	seen_t *s = ctx;
	char tb[16];
	if (s->nrec >= MAXREC)
		return -1;
	ok(rr->rclass == CLASS_IN && dname_len(rr->owner, rr->owner_len) == rr->owner_len &&
	   rdata_check(rr->type, rr->rdata, rr->rdlen) == 0,
	   "record at line %u is well formed", rr->line);
	s->rec[s->nrec].line = rr->line;
	s->rec[s->nrec].ttl = rr->ttl;
	dname_to_text(rr->owner, s->rec[s->nrec].owner, sizeof s->rec[0].owner);
	snprintf(s->rec[s->nrec].type, sizeof s->rec[0].type, "%s",
	         rr_type_to_text(rr->type, tb));
	if (rdata_to_text(rr->type, rr->rdata, rr->rdlen, s->rec[s->nrec].rdata,
	                  sizeof s->rec[0].rdata) < 0)
		snprintf(s->rec[s->nrec].rdata, sizeof s->rec[0].rdata, "(too long)");
	s->nrec++;
	return s->nrec == s->stop_at ? -42 : 0;
}

static void on_error(void *ctx, unsigned line, const char *msg)
{
	seen_t *s = ctx;
	if (s->nerr >= MAXREC)
		return;
	s->err[s->nerr].line = line;
	snprintf(s->err[s->nerr].msg, sizeof s->err[0].msg, "%s", msg);
	s->nerr++;
}

static int parse(const char *text, const char *origin_text, uint32_t dttl,
                 seen_t *s)
{
	uint8_t origin[DNAME_MAX];
	zf_opts_t o = { .origin = NULL, .default_ttl = dttl };
	if (origin_text) {
		dname_from_text(origin, origin_text, strlen(origin_text), NULL);
		o.origin = origin;
	}
	memset(s, 0, sizeof *s);
	return zonefile_parse(text, strlen(text), &o, on_record, on_error, s);
}

/* Expected records: line, owner, ttl, type, rdata. */
typedef struct want {
	unsigned line;
	const char *owner;
	uint32_t ttl;
	const char *type, *rdata;
} want_t;

static void expect(const seen_t *s, const want_t *w, int n, const char *what)
{
	is_int(s->nrec, n, "%s: %d records", what, n);
	for (int i = 0; i < n && i < s->nrec; i++) {
		int same = s->rec[i].line == w[i].line && s->rec[i].ttl == w[i].ttl &&
		           !strcmp(s->rec[i].owner, w[i].owner) &&
		           !strcmp(s->rec[i].type, w[i].type) &&
		           !strcmp(s->rec[i].rdata, w[i].rdata);
		ok(same, "%s: record %d (%s %s)", what, i + 1, w[i].owner, w[i].type);
		if (!same)
			printf("#   got  %u %s %u %s %s\n#   want %u %s %u %s %s\n",
			       s->rec[i].line, s->rec[i].owner, s->rec[i].ttl,
			       s->rec[i].type, s->rec[i].rdata, w[i].line, w[i].owner,
			       w[i].ttl, w[i].type, w[i].rdata);
	}
}

static void test_realistic(void)
{
	static seen_t s;
	const char *zone =
		"; example.org, as a hosting company would write it\n"
		"$ORIGIN example.org.\n"
		"$TTL 1h\n"
		"@\tIN\tSOA\tns1 hostmaster (\n"
		"\t\t2024010101 ; serial\n"
		"\t\t2h         ; refresh (2 hours)\n"
		"\t\t1h         ; retry\n"
		"\t\t2w         ; expire\n"
		"\t\t5m )       ; minimum\n"
		"\n"
		"\tIN\tNS\tns1\n"
		"\tIN\tNS\tns2.example.net.\n"
		"\t\tMX\t10 mail\n"
		"\t3600 IN TXT \"v=spf1 mx -all\" \"; not a comment (\"\n"
		"ns1\tIN\tA\t192.0.2.1\n"
		"\tIN\tAAAA\t2001:DB8::1\n"
		"mail\t300\tIN\tA\t192.0.2.2 ; the mail host\n"
		"www\tin\t300\tcname\t@\n"
		"_sip._udp  SRV 0 5 5060 sip\n"
		"           txt unquoted words\n"
		"big TXT ( \"part one\" ; first\n"
		"          \"part two\" ) ; second\n"
		"$ORIGIN sub\n"
		"host A 192.0.2.3\r\n"
		"@ CAA 0 issue \"letsencrypt.org\"\n"
		"@ CLASS1 TYPE65280 \\# 2 abcd\n"
		"* 1D IN A 192.0.2.9";
	static const want_t w[] = {
		{ 4, "example.org.", 3600, "SOA",
		  "ns1.example.org. hostmaster.example.org. 2024010101 7200 3600 1209600 300" },
		{ 11, "example.org.", 3600, "NS", "ns1.example.org." },
		{ 12, "example.org.", 3600, "NS", "ns2.example.net." },
		{ 13, "example.org.", 3600, "MX", "10 mail.example.org." },
		{ 14, "example.org.", 3600, "TXT", "\"v=spf1 mx -all\" \"; not a comment (\"" },
		{ 15, "ns1.example.org.", 3600, "A", "192.0.2.1" },
		{ 16, "ns1.example.org.", 3600, "AAAA", "2001:db8::1" },
		{ 17, "mail.example.org.", 300, "A", "192.0.2.2" },
		{ 18, "www.example.org.", 300, "CNAME", "example.org." },
		{ 19, "_sip._udp.example.org.", 3600, "SRV", "0 5 5060 sip.example.org." },
		{ 20, "_sip._udp.example.org.", 3600, "TXT", "\"unquoted\" \"words\"" },
		{ 21, "big.example.org.", 3600, "TXT", "\"part one\" \"part two\"" },
		{ 24, "host.sub.example.org.", 3600, "A", "192.0.2.3" },
		{ 25, "sub.example.org.", 3600, "CAA", "0 issue \"letsencrypt.org\"" },
		{ 26, "sub.example.org.", 3600, "TYPE65280", "\\# 2 ABCD" },
		{ 27, "*.sub.example.org.", 86400, "A", "192.0.2.9" },
	};
	is_int(parse(zone, NULL, 0, &s), 0, "realistic zone: no errors");
	for (int i = 0; i < s.nerr; i++)
		printf("#   line %u: %s\n", s.err[i].line, s.err[i].msg);
	expect(&s, w, (int)(sizeof w / sizeof w[0]), "realistic zone");
}

static void test_errors(void)
{
	static seen_t s;
	const char *zone =
		"ok1 A 192.0.2.1\n"                           /* 1 */
		"bad A 192.0.2.256\n"                         /* 2 */
		"$INCLUDE other.zone\n"                       /* 3 */
		"x FOO bar\n"                                 /* 4 */
		"y MX 70000 mail\n"                           /* 5 */
		"z TXT \"unterminated\n"                      /* 6 */
		"ok2 A 192.0.2.2\n"                           /* 7 */
		"s SOA a. b. ( 1 2 3\n"                       /* 8 */
		"   4 ) ; the minimum is missing\n"           /* 9 */
		"$GENERATE 1-10 h$ A 10.0.0.$\n"              /* 10 */
		"w CH A 1.2.3.4\n"                            /* 11 */
		"t IN ANY \\# 0\n"                            /* 12 */
		"u 1x A 1.2.3.4\n"                            /* 13 */
		"u 2147483648 A 1.2.3.4\n"                    /* 14 */
		"$TTL\n"                                      /* 15 */
		"$TTL 1 2\n"                                  /* 16 */
		"$FOO bar\n"                                  /* 17 */
		"a..b A 1.2.3.4\n"                            /* 18 */
		"  A 1.2.3.4\n"                               /* 19 */
		"v A 1.2.3.4 )\n"                             /* 20 */
		"m IN\n"                                      /* 21 */
		"\"q\" A 1.2.3.4\n"                           /* 22 */
		"n A 1.2.3.4 5.6.7.8\n"                       /* 23 */
		"p ( A\n"                                     /* 24: good */
		"  ) 1.2.3.4\n"                               /* 25 */
		"$ORIGIN\n"                                   /* 26 */
		"$ORIGIN a..b.\n"                             /* 27 */
		"r OPT \\# 0\n"                               /* 28 */
		"ok3 A 192.0.2.3\n"                           /* 29 */
		"q TXT ( \"open\n";                           /* 30 */
	static const struct { unsigned line; const char *msg; } e[] = {
		{ 2, "bad IPv4 address" },
		{ 3, "$INCLUDE is not supported" },
		{ 4, "unknown type FOO" },
		{ 5, "MX preference out of range" },
		{ 6, "unterminated quoted string" },
		{ 9, "missing SOA minimum" },
		{ 10, "$GENERATE is not supported" },
		{ 11, "only class IN is supported" },
		{ 12, "type ANY cannot be stored in a zone" },
		{ 13, "bad TTL" },
		{ 14, "bad TTL" },
		{ 15, "missing $TTL value" },
		{ 16, "too many fields" },
		{ 17, "unknown directive $FOO" },
		{ 18, "empty label" },
		{ 19, "no previous owner name" },
		{ 20, "unbalanced ')'" },
		{ 21, "missing type" },
		{ 22, "bad owner name" },
		{ 23, "too many fields" },
		{ 26, "missing $ORIGIN name" },
		{ 27, "empty label" },
		{ 28, "type OPT cannot be stored in a zone" },
		{ 30, "unterminated quoted string" },
	};
	static const want_t w[] = {
		{ 1, "ok1.example.", 3600, "A", "192.0.2.1" },
		{ 7, "ok2.example.", 3600, "A", "192.0.2.2" },
		{ 24, "p.example.", 3600, "A", "1.2.3.4" },  /* parentheses */
		{ 29, "ok3.example.", 3600, "A", "192.0.2.3" },
	};
	int n = (int)(sizeof e / sizeof e[0]);
	int rc = parse(zone, "example.", 0, &s);
	is_int(rc, n, "bad zone: every bad line counted");
	is_int(s.nerr, n, "bad zone: every bad line reported");
	for (int i = 0; i < n && i < s.nerr; i++) {
		int same = s.err[i].line == e[i].line && !strcmp(s.err[i].msg, e[i].msg);
		ok(same, "line %u: %s", e[i].line, e[i].msg);
		if (!same)
			printf("#   got line %u: %s\n", s.err[i].line, s.err[i].msg);
	}
	expect(&s, w, (int)(sizeof w / sizeof w[0]), "bad zone, good lines");
}

static void test_ttl_rules(void)
{
	static seen_t s;
	const char *zone =
		"@ SOA a. b. 1 2 3 4 300\n"
		"a A 192.0.2.1\n"
		"b 60 A 192.0.2.2\n"
		"c A 192.0.2.3\n"
		"$TTL 120\n"
		"d A 192.0.2.4\n"
		"e 30 A 192.0.2.5\n"
		"f A 192.0.2.6\n";
	static const want_t w[] = {
		{ 1, "z.", 300, "SOA", "a. b. 1 2 3 4 300" },
		{ 2, "a.z.", 300, "A", "192.0.2.1" },
		{ 3, "b.z.", 60, "A", "192.0.2.2" },
		{ 4, "c.z.", 60, "A", "192.0.2.3" },
		{ 6, "d.z.", 120, "A", "192.0.2.4" },
		{ 7, "e.z.", 30, "A", "192.0.2.5" },
		{ 8, "f.z.", 120, "A", "192.0.2.6" },
	};
	is_int(parse(zone, "z.", 0, &s), 0, "TTL rules: no errors");
	expect(&s, w, 7, "TTL rules");

	is_int(parse("a A 192.0.2.1\n", "z.", 0, &s), 0, "no TTL anywhere");
	is_int(s.rec[0].ttl, 3600, "3600 when nothing says otherwise");
	is_int(parse("a A 192.0.2.1\n$TTL 5\nb A 192.0.2.1\n", "z.", 86400, &s), 0,
	       "caller's default TTL");
	ok(s.rec[0].ttl == 86400 && s.rec[1].ttl == 5, "default until $TTL");
	is_int(parse("a 2147483647 A 192.0.2.1\n$TTL 2147483648\n", "z.", 0, &s), 1,
	       "TTL limit 2^31-1");
	is_str(s.err[0].msg, "bad $TTL value", "$TTL over the limit");
}

static void test_syntax(void)
{
	static seen_t s;
	/* class before or after TTL, any case, tabs, CRLF, comments inside
	 * parentheses, no newline at the end, a quoted string with ';' '(' */
	const char *zone =
		"A1 IN 60 a 192.0.2.1\r\n"
		"a2 60 in A 192.0.2.2\r\n"
		"a3\t\tCLASS1\t\tMX\t(\t5 ; pref\n\t\t\tmx ; host\n )\r\n"
		"a4 1h30m TXT \"semi;colon (paren) \\\"quote\\\"\" \\; ; real comment\n"
		"a5 SPF ( \"v=spf1 -all\" )\n"
		"\n   ; indented comment\n\t\n"
		"A6 3600 IN hinfo \"PC\" \"Linux\"\n"
		"a7 naptr 1 2 \"u\" \"E2U+sip\" \"!^$!sip:x@y!\" .\n"
		"a8 ds 60485 5 1 ( 2BB183AF5F22588179A53B0A98631FAD1A292118 )\n"
		"a9 sshfp 1 1 0123456789abcdef0123456789abcdef01234567\n"
		"b1 uri 10 1 \"https://example.org/\"\n"
		"b2 tlsa 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6\n"
		"b3 dname other.example.\n"
		"b4 ptr b4.x.\n"
		"b5 a \\# 4 c0000205\n"
		"b6.example.org. A 192.0.2.6";
	static const want_t w[] = {
		{ 1, "A1.o.", 60, "A", "192.0.2.1" },
		{ 2, "a2.o.", 60, "A", "192.0.2.2" },
		{ 3, "a3.o.", 60, "MX", "5 mx.o." },
		{ 6, "a4.o.", 5400, "TXT", "\"semi;colon (paren) \\\"quote\\\"\" \";\"" },
		{ 7, "a5.o.", 5400, "SPF", "\"v=spf1 -all\"" },  /* RFC 1035: last TTL */
		{ 11, "A6.o.", 3600, "HINFO", "\"PC\" \"Linux\"" },
		{ 12, "a7.o.", 3600, "NAPTR", "1 2 \"u\" \"E2U+sip\" \"!^$!sip:x@y!\" ." },
		{ 13, "a8.o.", 3600, "DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118" },
		{ 14, "a9.o.", 3600, "SSHFP", "1 1 0123456789ABCDEF0123456789ABCDEF01234567" },
		{ 15, "b1.o.", 3600, "URI", "10 1 \"https://example.org/\"" },
		{ 16, "b2.o.", 3600, "TLSA",
		  "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6" },
		{ 17, "b3.o.", 3600, "DNAME", "other.example." },
		{ 18, "b4.o.", 3600, "PTR", "b4.x." },
		{ 19, "b5.o.", 3600, "A", "192.0.2.5" },
		{ 20, "b6.example.org.", 3600, "A", "192.0.2.6" },
	};
	is_int(parse(zone, "o.", 0, &s), 0, "liberal syntax: no errors");
	for (int i = 0; i < s.nerr; i++)
		printf("#   line %u: %s\n", s.err[i].line, s.err[i].msg);
	expect(&s, w, (int)(sizeof w / sizeof w[0]), "liberal syntax");

	/* origins */
	is_int(parse("www A 192.0.2.1\n@ A 192.0.2.1\nabs. A 192.0.2.1\n", NULL, 0, &s), 2,
	       "no origin: relative owners refused");
	ok(s.nrec == 1 && !strcmp(s.rec[0].owner, "abs."), "absolute owner taken");
	is_str(s.err[0].msg, "relative name and no origin", "and says why");
	is_int(parse("$ORIGIN org.\n$ORIGIN example\nwww CNAME @\n$ORIGIN .\nx. A 192.0.2.1\n",
	             NULL, 0, &s), 0, "$ORIGIN relative to the last");
	ok(s.nrec == 2 && !strcmp(s.rec[0].owner, "www.example.org.") &&
	   !strcmp(s.rec[0].rdata, "example.org."), "$ORIGIN applies to owner and RDATA");
	ok(s.nrec == 2 && !strcmp(s.rec[1].owner, "x."), "$ORIGIN .");

	/* the callback can stop the parse */
	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	const char *three = "a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n";
	uint8_t o[DNAME_MAX] = { 0 };
	zf_opts_t opts = { .origin = o };
	is_int(zonefile_parse(three, strlen(three), &opts, on_record, on_error, &s), -42,
	       "callback's return stops the parse");
	is_int(s.nrec, 2, "no record after the stop");

	/* no callbacks, no options */
	is_int(zonefile_parse("x. A 1.2.3.4\ny. A 1\n", 20, NULL, NULL, NULL, NULL), 1,
	       "NULL callbacks and options");
	is_int(zonefile_parse("", 0, NULL, NULL, NULL, NULL), 0, "empty text");
	static const uint8_t badorigin[] = { 70, 'x', 0 };
	opts.origin = badorigin;
	is_int(zonefile_parse(three, strlen(three), &opts, NULL, NULL, NULL), DZ_EINVAL,
	       "invalid origin refused");
}

static int count_record(void *ctx, const zf_record_t *rr)
{
	(*(unsigned long *)ctx)++;
	return 0;
}

static void test_speed(void)
{
	const unsigned n = 1000000;
	size_t cap = (size_t)n * 48, len = 0;
	char *text = malloc(cap);
	unsigned long count = 0;
	struct timespec t0, t1;
	uint8_t origin[DNAME_MAX];

	if (!text) {
		ok(0, "allocate the speed test text");
		return;
	}
	len += (size_t)snprintf(text, cap, "$TTL 300\n");
	for (unsigned i = 0; i < n; i++) {
		int w;
		switch (i % 4) {
		case 0:
			w = snprintf(text + len, cap - len, "h%u IN A 10.%u.%u.%u\n", i,
			             (i >> 16) & 255, (i >> 8) & 255, i & 255);
			break;
		case 1:
			w = snprintf(text + len, cap - len, "\tIN AAAA 2001:db8::%x:%x\n",
			             i >> 16, i & 0xffff);
			break;
		case 2:
			w = snprintf(text + len, cap - len, "m%u 60 MX 10 mail\n", i);
			break;
		default:
			w = snprintf(text + len, cap - len, "t%u TXT \"v=spf1 -all\"\n", i);
			break;
		}
		len += (size_t)w;
	}
	dname_from_text(origin, "dyn.example.org.", 16, NULL);
	zf_opts_t o = { .origin = origin };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = zonefile_parse(text, len, &o, count_record, NULL, &count);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	            (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	is_int(rc, 0, "1M generated records parse without error");
	is_int(count, n, "and all 1M arrive");
	printf("# parsed %u records (%zu bytes) in %.1f ms, %.0f ns/record\n", n, len,
	       ms, ms * 1e6 / n);
	free(text);
}

int main(void)
{
	test_realistic();
	test_errors();
	test_ttl_rules();
	test_syntax();
	test_speed();
	return tap_done();
}
