/* proto/dyndns2: query parsing as real clients send it, credentials,
 * addresses, reply lines. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "tests/unit/tap.h"

static struct dd2_req r;

static int parse(const char *q)
{
	dd2_req_init(&r);
	return dd2_parse_query(&r, q, strlen(q));
}

static const char *addrs(void)
{
	static char buf[128];
	if (dd2_addrs_text(&r.addrs, buf, sizeof buf) < 0)
		return "(error)";
	return buf;
}

static void test_decode(void)
{
	char out[16];
	size_t n;
	is_int(dd2_decode("a%3Ab+c", 7, out, sizeof out, &n), 0, "decode escapes and plus");
	is_str(out, "a:b c", "decoded text");
	is_int(dd2_decode("%3a%3A", 6, out, sizeof out, &n), 0, "lower and upper hex");
	is_str(out, "::", "decoded colons");
	is_int(dd2_decode("%4", 2, out, sizeof out, &n), DZ_EFORMAT, "short escape refused");
	is_int(dd2_decode("%zz", 3, out, sizeof out, &n), DZ_EFORMAT, "bad hex refused");
	is_int(dd2_decode("a%00b", 5, out, sizeof out, &n), DZ_EFORMAT, "encoded NUL refused");
	is_int(dd2_decode("0123456789abcdef", 16, out, sizeof out, &n), DZ_ESPACE, "cap respected");
	is_int(dd2_decode("", 0, out, sizeof out, &n), 0, "empty");
	is_int(n, 0, "empty length");
}

static void test_addr(void)
{
	struct dd2_addr a;
	is_int(dd2_addr_parse("192.0.2.1", 9, &a), 0, "v4");
	is_int(a.family, 4, "v4 family");
	is_int(dd2_addr_parse("2001:db8::1/64", 14, &a), 0, "v6 with prefix");
	is_int(a.family, 6, "v6 family");
	ok(a.a[0] == 0x20 && a.a[1] == 0x01 && a.a[15] == 1, "prefix dropped, address kept");
	is_int(dd2_addr_parse("192.0.2.1/24", 12, &a), 0, "v4 with prefix");
	is_int(dd2_addr_parse("192.0.2.1/33", 12, &a), DZ_EFORMAT, "v4 prefix > 32 refused");
	is_int(dd2_addr_parse("2001:db8::1/129", 15, &a), DZ_EFORMAT, "v6 prefix > 128 refused");
	is_int(dd2_addr_parse("2001:db8::1/", 12, &a), DZ_EFORMAT, "empty prefix refused");
	is_int(dd2_addr_parse("2001:db8::1/6x", 14, &a), DZ_EFORMAT, "bad prefix refused");
	is_int(dd2_addr_parse("::ffff:192.0.2.7", 16, &a), 0, "v4-mapped");
	ok(a.family == 4 && a.a[3] == 7, "v4-mapped becomes v4");
	is_int(dd2_addr_parse("0.0.0.0", 7, &a), DZ_EFORMAT, "0.0.0.0 refused");
	is_int(dd2_addr_parse("::", 2, &a), DZ_EFORMAT, ":: refused");
	is_int(dd2_addr_parse("224.0.0.1", 9, &a), DZ_EFORMAT, "v4 multicast refused");
	is_int(dd2_addr_parse("ff02::1", 7, &a), DZ_EFORMAT, "v6 multicast refused");
	is_int(dd2_addr_parse("1.2.3", 5, &a), DZ_EFORMAT, "short v4 refused");
	is_int(dd2_addr_parse("1.2.3.256", 9, &a), DZ_EFORMAT, "octet > 255 refused");
	is_int(dd2_addr_parse("example.org", 11, &a), DZ_EFORMAT, "a name is not an address");
	is_int(dd2_addr_parse("", 0, &a), DZ_EFORMAT, "empty refused");
	is_int(dd2_addr_parse(" 192.0.2.9 ", 11, &a), 0, "blanks around trimmed");
	is_int(dd2_addr_parse("::1", 3, &a), 0, "v6 loopback taken");
}

static void test_query(void)
{
	is_int(parse("hostname=h.dyn.example&myip=192.0.2.1"), 0, "plain v4 update");
	is_int(r.nhosts, 1, "one host");
	is_str(r.hosts[0], "h.dyn.example", "host text");
	is_str(addrs(), "192.0.2.1", "v4 kept");
	ok(r.addr_given, "address given");
	is_int(r.offline, -1, "offline not given");

	is_int(parse("hostname=a.x.test,b.x.test&myip=2001:db8::5,192.0.2.5"), 0, "v6 first then v4");
	is_int(r.nhosts, 2, "two hosts");
	is_str(r.hosts[1], "b.x.test", "second host in order");
	is_str(addrs(), "192.0.2.5,2001:db8::5", "both families");

	is_int(parse("hostname=a.x.test&myip=2001%3adb8%3a%3a5"), 0, "percent-encoded v6 (inadyn custom)");
	is_str(addrs(), "2001:db8::5", "decoded v6");

	is_int(parse("hostname=a.x.test&myip=192.0.2.5%2C2001%3Adb8%3A%3A6"), 0, "encoded comma list");
	is_str(addrs(), "192.0.2.5,2001:db8::6", "encoded list parsed");

	is_int(parse("hostname=a.x.test&myip="), 0, "empty myip (ddclient usev6=)");
	ok(!r.addr_given, "empty myip: no address given");
	is_int(parse("hostname=a.x.test"), 0, "myip absent");
	ok(!r.addr_given, "absent myip: no address given");

	is_int(parse("hostname=a.x.test&myipv6=2001:db8::7"), 0, "myipv6");
	is_str(addrs(), "2001:db8::7", "myipv6 kept");
	is_int(parse("hostname=a.x.test&myip6=2001:db8::8&myip=192.0.2.8"), 0, "myip6 with myip");
	is_str(addrs(), "192.0.2.8,2001:db8::8", "both from two parameters");
	is_int(parse("hostname=a.x.test&ipv6=2001:db8::9"), 0, "ipv6=");
	is_str(addrs(), "2001:db8::9", "ipv6 kept");
	is_int(parse("hostname=a.x.test&myipv6=192.0.2.1"), DZ_EFORMAT, "v4 in myipv6 refused");
	ok(r.why != NULL, "with a reason");
	is_int(parse("hostname=a.x.test&myip=192.0.2.1,192.0.2.2"), DZ_EFORMAT, "two different v4 refused");
	is_int(parse("hostname=a.x.test&myip=192.0.2.1&myip=192.0.2.1"), 0, "the same v4 twice is fine");
	is_int(parse("hostname=a.x.test&myip=2001:db8::1/64"), 0, "v6 prefix (FRITZ!Box)");
	is_str(addrs(), "2001:db8::1", "prefix stripped");
	is_int(parse("hostname=a.x.test&myip=999.1.1.1"), DZ_EFORMAT, "garbage address refused");
	is_int(parse("hostname=a.x.test&myip=1.2.3.4%"), DZ_EFORMAT, "bad escape refused");

	is_int(parse("hostname=a.x.test&offline=YES"), 0, "offline=YES");
	is_int(r.offline, 1, "offline set");
	is_int(parse("hostname=a.x.test&offline=no"), 0, "offline=no");
	is_int(r.offline, 0, "offline cleared");
	is_int(parse("hostname=a.x.test&offline=maybe"), DZ_EFORMAT, "offline=maybe refused");

	is_int(parse("hostname=a.x.test&system=dyndns&wildcard=NOCHG&mx=&backmx=NO&myip=192.0.2.1"), 0,
	       "legacy parameters accepted");
	is_str(addrs(), "192.0.2.1", "and ignored");
	is_int(parse("hostname=a.x.test&unknown=1&=x&novalue"), 0, "unknown and odd parameters ignored");

	is_int(parse("hostname=_acme-challenge.a.x.test&txt=abc&txt=def"), 0, "two txt values");
	is_int(r.ntxt, 2, "both kept");
	is_str(r.txt[1], "def", "in order");
	ok(r.txt_given, "txt given");
	is_int(parse("hostname=a.x.test&txt="), 0, "empty txt");
	ok(r.txt_given && r.ntxt == 0, "empty txt means remove");
	is_int(parse("hostname=a.x.test&txt=a&txt=a"), 0, "duplicate txt");
	is_int(r.ntxt, 1, "kept once");
	{
		char q[400];
		memcpy(q, "txt=", 4);
		memset(q + 4, 'x', 256);
		q[260] = 0;
		is_int(parse(q), DZ_EFORMAT, "txt over 255 bytes refused");
	}
	is_int(parse("txt=1&txt=2&txt=3&txt=4&txt=5"), DZ_EFORMAT, "too many txt values refused");

	is_int(parse("hostname=a.x.test&username=a.x.test&password=tok"), 0, "credentials in the query");
	is_str(r.user, "a.x.test", "query user");
	is_str(r.pass, "tok", "query password");
	is_int(parse("user=u&pass=p"), 0, "user/pass aliases");
	is_str(r.pass, "p", "pass alias");

	{
		char q[2048] = "hostname=";
		size_t qn = strlen(q);
		for (int i = 0; i < DD2_HOSTS_MAX + 3; i++)
			qn += (size_t)snprintf(q + qn, sizeof q - qn, "%sh%d.x.test", i ? "," : "", i);
		is_int(parse(q), 0, "long host list parses");
		ok(r.too_many, "too many hosts flagged");
		is_int(r.nhosts, DD2_HOSTS_MAX, "capped");
	}
	is_int(parse("hostname=a.x.test,,b.x.test,"), 0, "empty list items skipped");
	is_int(r.nhosts, 2, "two hosts");
	is_int(parse("myip=192.0.2.1"), 0, "no hostname");
	ok(!r.hostname_given && r.nhosts == 0, "no hostname noted");
	{
		char *big = malloc(DD2_QUERY_MAX + 2);
		memset(big, 'a', DD2_QUERY_MAX + 1);
		big[DD2_QUERY_MAX + 1] = 0;
		is_int(parse(big), DZ_ELIMIT, "over-long query refused");
		free(big);
	}
	is_int(parse("HostName=a.x.test&MYIP=192.0.2.3"), 0, "keys in any case");
	is_str(addrs(), "192.0.2.3", "MYIP taken");
}

static void test_hostname(void)
{
	uint8_t w[DNAME_MAX];
	is_int(dd2_hostname("Host.Dyn.Example", 16, w), 18, "fqdn");
	ok(memcmp(w, "\4host\3dyn\7example", 18) == 0, "lowercased wire form");
	is_int(dd2_hostname("host.dyn.example.", 17, w), 18, "trailing dot");
	is_int(dd2_hostname("host", 4, w), 0, "single label is not an fqdn");
	is_int(dd2_hostname("a..b", 4, w), 0, "empty label");
	is_int(dd2_hostname("a b.c", 5, w), 0, "blank refused");
	is_int(dd2_hostname("a\\.b.c", 6, w), 0, "escapes refused");
	is_int(dd2_hostname("_acme-challenge.a.b", 19, w), 21, "underscore allowed");
	is_int(dd2_hostname("", 0, w), 0, "empty");
	is_int(dd2_hostname(".", 1, w), 0, "root");
	char l64[80];
	memset(l64, 'x', 64);
	memcpy(l64 + 64, ".ab", 4);
	is_int(dd2_hostname(l64, 67, w), 0, "64-byte label refused");
}

static void test_basic(void)
{
	char u[DD2_CRED_LEN], p[DD2_CRED_LEN];
	/* "h.x.test:s3cr:et" */
	is_int(dd2_basic_auth("Basic aC54LnRlc3Q6czNjcjpldA==", u, sizeof u, p, sizeof p), 0, "basic");
	is_str(u, "h.x.test", "user");
	is_str(p, "s3cr:et", "password keeps later colons");
	is_int(dd2_basic_auth("basic   aC54LnRlc3Q6czNjcjpldA", u, sizeof u, p, sizeof p), 0,
	       "scheme any case, padding optional");
	is_int(dd2_basic_auth("Bearer abc", u, sizeof u, p, sizeof p), DZ_EFORMAT, "not basic");
	is_int(dd2_basic_auth("Basic !!!", u, sizeof u, p, sizeof p), DZ_EFORMAT, "bad base64");
	is_int(dd2_basic_auth("Basic dXNlcg==", u, sizeof u, p, sizeof p), DZ_EFORMAT, "no colon");
	is_int(dd2_basic_auth("Basic aC54LnRlc3Q6czNjcjpldA==", u, 4, p, sizeof p), DZ_ESPACE, "user cap");
	is_int(dd2_basic_auth("Basic", u, sizeof u, p, sizeof p), DZ_EFORMAT, "empty");
}

static void test_reply(void)
{
	char buf[256];
	size_t n = 0;
	struct dd2_addrs a = { 0 };
	struct dd2_addr x;
	dd2_addr_parse("192.0.2.1", 9, &x);
	dd2_addrs_add(&a, &x);
	dd2_addr_parse("2001:db8::1", 11, &x);
	dd2_addrs_add(&a, &x);
	buf[0] = 0;
	is_int(dd2_reply_line(buf, sizeof buf, &n, DD2_GOOD, &a), 0, "good line");
	is_int(dd2_reply_line(buf, sizeof buf, &n, DD2_NOHOST, &a), 0, "nohost line");
	is_int(dd2_reply_line(buf, sizeof buf, &n, DD2_911, NULL), 0, "911 line");
	is_str(buf, "good 192.0.2.1,2001:db8::1\r\nnohost\r\n911\r\n", "reply text, CRLF");
	is_int(n, strlen(buf), "length tracked");
	char small[10];
	size_t m = 0;
	small[0] = 0;
	is_int(dd2_reply_line(small, sizeof small, &m, DD2_GOOD, &a), DZ_ESPACE, "small buffer");
	is_int(m, 0, "unchanged on failure");
	is_str(dd2_code_text(DD2_BADAGENT), "badagent", "code text");
	is_int(dd2_code_from_word("BadAuth", 7), DD2_BADAUTH, "code from a word, any case");
	is_int(dd2_code_from_word("911", 3), DD2_911, "911 from its word");
	is_int(dd2_code_from_word("goodx", 4), DD2_GOOD, "only n bytes are read");
	is_int(dd2_code_from_word("goo", 3), -1, "a prefix is no code");
	is_int(dd2_code_from_word("", 0), -1, "nor is nothing");
	{
		int all = 1;
		for (int c = 0; c < DD2_NCODES; c++) {
			const char *t = dd2_code_text((enum dd2_code)c);
			all &= dd2_code_from_word(t, strlen(t)) == c;
		}
		ok(all, "every code's word reads back as the code");
	}
	is_int(dd2_code_status(DD2_BADAUTH), 401, "badauth is 401");
	is_int(dd2_code_status(DD2_ABUSE), 200, "abuse is 200");
	struct dd2_addrs b = a;
	ok(dd2_addrs_equal(&a, &b), "equal sets");
	b.has6 = false;
	ok(!dd2_addrs_equal(&a, &b), "different sets");
}

static int scope(const char *t)
{
	struct dd2_addr a;
	if (dd2_addr_parse(t, strlen(t), &a))
		return -1;
	return (int)dd2_addr_scope(a.a, a.family);
}

static void test_policy(void)
{
	is_int(scope("192.0.2.1"), DD2_GLOBAL, "documentation v4 is global");
	is_int(scope("8.8.8.8"), DD2_GLOBAL, "a public v4");
	is_int(scope("127.0.0.1"), DD2_LOOPBACK, "127.0.0.1 loopback");
	is_int(scope("127.255.0.9"), DD2_LOOPBACK, "127/8 loopback");
	is_int(scope("::1"), DD2_LOOPBACK, "::1 loopback");
	is_int(scope("::ffff:127.0.0.1"), DD2_LOOPBACK, "v4-mapped loopback");
	is_int(scope("169.254.3.4"), DD2_LINKLOCAL, "169.254/16 link-local");
	is_int(scope("fe80::1"), DD2_LINKLOCAL, "fe80::/10 link-local");
	is_int(scope("febf::1"), DD2_LINKLOCAL, "febf:: is still fe80::/10");
	is_int(scope("fec0::1"), DD2_GLOBAL, "fec0:: is not");
	is_int(scope("255.255.255.255"), DD2_BROADCAST, "broadcast");
	is_int(scope("0.1.2.3"), DD2_BROADCAST, "this network (0/8)");
	is_int(scope("10.9.8.7"), DD2_PRIVATE, "10/8 private");
	is_int(scope("172.16.0.1"), DD2_PRIVATE, "172.16/12 private");
	is_int(scope("172.31.255.1"), DD2_PRIVATE, "172.31 private");
	is_int(scope("172.32.0.1"), DD2_GLOBAL, "172.32 is not");
	is_int(scope("192.168.1.1"), DD2_PRIVATE, "192.168/16 private");
	is_int(scope("100.64.0.1"), DD2_PRIVATE, "100.64/10 (CGNAT) private");
	is_int(scope("100.128.0.1"), DD2_GLOBAL, "100.128 is not");
	is_int(scope("fd12:3456::1"), DD2_PRIVATE, "fd00::/8 ULA");
	is_int(scope("fc00::1"), DD2_PRIVATE, "fc00::/7 ULA");
	is_int(scope("2001:db8::1"), DD2_GLOBAL, "documentation v6 is global");
	ok(dd2_name_special("h.dyn.test"), ".test is special-use");
	ok(dd2_name_special("h.dyn.localhost."), ".localhost (trailing dot)");
	ok(dd2_name_special("x.INVALID"), ".invalid in any case");
	ok(dd2_name_special("a.example"), ".example");
	ok(dd2_name_special("home.example.org"), "example.org");
	ok(dd2_name_special("example.com"), "example.com itself");
	ok(!dd2_name_special("home.dyn.example.de"), "example.de is not");
	ok(!dd2_name_special("home.myexample.org"), "myexample.org is not (whole labels)");
	ok(!dd2_name_special("home.test.org"), "test.org is not");
	ok(dd2_name_under("a.b.dyn.org", "dyn.org."), "under a zone");
	ok(dd2_name_under("dyn.org", "DYN.org"), "the zone itself, any case");
	ok(!dd2_name_under("xdyn.org", "dyn.org"), "not a suffix of a label");
	ok(!dd2_name_under("dyn.org", ""), "not under an empty zone");
}

static const char *v6(const uint8_t *a)
{
	static char buf[64];
	return inet_ntop(AF_INET6, a, buf, sizeof buf) ? buf : "(error)";
}

static void test_prefix(void)
{
	uint8_t p[16], iid[16], out[16];
	unsigned pl = 0;
	is_int(parse("hostname=r.dyn.test&myip=192.0.2.1,2001:db8::1&ip6lanprefix=2001:db8:1:2::/64"),
	       0, "FRITZ!Box template, unencoded");
	ok(r.prefix_given && r.prefix_len == 64, "prefix and length kept");
	is_str(v6(r.prefix), "2001:db8:1:2::", "prefix text");
	is_str(addrs(), "192.0.2.1,2001:db8::1", "myip is the router's own, not the prefix");
	is_int(parse("hostname=r.dyn.test&ipv6prefix=2001%3Adb8%3A1%3A3%3A%3A%2F56"), 0,
	       "dynv6 name, percent-encoded");
	ok(r.prefix_len == 56 && !r.addr_given, "length 56, no address");
	is_int(parse("hostname=r.dyn.test&ip6lanprefix="), 0, "empty prefix ignored");
	ok(!r.prefix_given, "empty is not given");
	is_int(parse("ip6lanprefix=192.0.2.0/24"), DZ_EFORMAT, "IPv4 prefix refused");
	is_str(r.why, "not an IPv6 prefix", "why");
	is_int(parse("ip6lanprefix=2001:db8::/129"), DZ_EFORMAT, "length over 128 refused");
	is_int(parse("ip6lanprefix=2001:db8::/0"), DZ_EFORMAT, "length 0 refused");
	is_int(parse("ip6lanprefix=2001:db8::/64&ipv6prefix=2001:db8:1::/64"), DZ_EFORMAT,
	       "two prefixes refused");
	is_int(dd2_prefix_parse("2001:db8:1:2:3:4:5:6/60", 23, p, &pl), 0, "host bits");
	is_str(v6(p), "2001:db8:1::", "host bits cleared");
	is_int(dd2_prefix_parse("2a01:4f8:1:2::", 14, p, &pl), 0, "no length");
	is_int(pl, 64, "length defaults to 64");
	ok(dd2_prefix_refused(p) == NULL, "global unicast accepted");
	inet_pton(AF_INET6, "fd12:3456:789a:1::", p);
	is_str(dd2_prefix_refused(p), "ULA", "ULA refused");
	inet_pton(AF_INET6, "fe80::", p);
	is_str(dd2_prefix_refused(p), "link-local", "link-local refused");
	inet_pton(AF_INET6, "2001:db8:1::", p);
	is_str(dd2_prefix_refused(p), "documentation", "documentation refused");
	inet_pton(AF_INET6, "::1", p);
	is_str(dd2_prefix_refused(p), "not global unicast", "loopback refused");
	inet_pton(AF_INET6, "2001:db8:1:2::", p);
	inet_pton(AF_INET6, "::11:22ff:fe33:4455", iid);
	dd2_prefix_join(p, 64, iid, out);
	is_str(v6(out), "2001:db8:1:2:11:22ff:fe33:4455", "prefix | iid");
	inet_pton(AF_INET6, "2001:db8:1:ff00::", p);
	inet_pton(AF_INET6, "::ab:0:0:0:1", iid);
	dd2_prefix_join(p, 60, iid, out);
	is_str(v6(out), "2001:db8:1:ff0b::1", "a /60 keeps the iid's low bits of the nibble");
	char buf[64];
	size_t n = 0;
	is_int(dd2_reply_text(buf, sizeof buf, &n, DD2_BADAGENT, "ULA prefix refused"), 0, "text line");
	is_str(buf, "badagent ULA prefix refused\r\n", "code, text, CRLF");
}

int main(void)
{
	test_prefix();
	test_decode();
	test_addr();
	test_policy();
	test_query();
	test_hostname();
	test_basic();
	test_reply();
	return tap_done();
}
