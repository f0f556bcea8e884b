/* dynzone-update: the configuration file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/conf.h"
#include "client/updproto.h"
#include "tests/unit/tap.h"

static struct conf c;
static char err[300];

static int parse(const char *text)
{
	return conf_parse(&c, text, strlen(text), err, sizeof err);
}

static void good_file(void)
{
	const char *text =
		"# comment\n"
		"cache = /tmp/x/cache\n"
		"server = https://dyn.example.org/\n"
		"check-interval = 600\n"
		"\n"
		"[host H1.Dyn.Example.Org.]\n"
		"token = abc_DEF-123\n"
		"ipv6 = interface eth0\n"
		"ipv6-prefer = temporary\n"
		"[host h2.dyn.example.org]\n"
		"  token = t2  \r\n"
		"ipv4 = command /usr/local/bin/wan-ip --v4\n"
		"ipv6 = off\n"
		"combined = no\n"
		"timeout = 5\n"
		"[host x.duckdns.org]\n"
		"protocol = duckdns\n"
		"token = d\n"
		"ipv4 = checkip https://checkip.example.net/\n"
		"[host t.example.com]\n"
		"protocol = template\n"
		"url = https://u.example.com/up?h=%h&a=%a&k=%t\n"
		"ipv4 = interface\n";
	is_int(parse(text), 0, "a full file parses");
	if (err[0])
		printf("#   %s\n", err);
	is_int(c.nhosts, 4, "four hosts");
	is_str(c.cache, "/tmp/x/cache", "cache path");
	const struct host_conf *h = &c.hosts[0];
	is_str(h->name, "h1.dyn.example.org", "name lowercased, no trailing dot");
	is_str(h->protocol, "dyndns2", "dyndns2 is the default protocol");
	is_str(h->username, "h1.dyn.example.org", "the user name defaults to the host");
	is_str(h->path, "/nic/update", "the update path defaults to /nic/update");
	is_int(h->src[0].kind, SRC_CHECKIP, "IPv4 defaults to check-IP");
	is_str(h->src[0].arg, "https://dyn.example.org/checkip",
	       "...at the server's /checkip");
	is_int(h->src[1].kind, SRC_INTERFACE, "ipv6 = interface eth0");
	is_str(h->src[1].arg, "eth0", "interface name kept");
	ok(h->v6_temporary, "ipv6-prefer = temporary");
	is_int(h->check_interval, 600, "a global default reaches the host");
	ok(h->combined, "combined defaults to yes");
	h = &c.hosts[1];
	is_str(h->token, "t2", "values are trimmed, CR too");
	is_int(h->src[0].kind, SRC_COMMAND, "command source");
	is_str(h->src[0].arg, "/usr/local/bin/wan-ip --v4", "command keeps its arguments");
	is_int(h->src[1].kind, SRC_OFF, "ipv6 = off");
	ok(!h->combined, "combined = no");
	is_int(h->timeout, 5, "timeout");
	ok(c.inline_token, "inline tokens are noticed (for the permission warning)");
	h = &c.hosts[2];
	ok(h->proto == updproto_find("duckdns"), "duckdns protocol resolved");
	is_str(h->server, "https://dyn.example.org/", "a global server applies to any protocol");
	h = &c.hosts[3];
	ok(!h->proto->combined(h), "a template with %%a sends one family per request");
	is_str(h->src[0].arg, "", "interface without a name means any");
	ok(c.hosts[0].ident != c.hosts[1].ident, "hosts have different idents");
}

static void ident(void)
{
	uint64_t a, b;
	parse("server = https://s/\n[host a.example]\ntoken = one\n");
	a = c.hosts[0].ident;
	parse("server = https://s/\n[host a.example]\ntoken = one\ncheck-interval = 99\n");
	b = c.hosts[0].ident;
	ok(a == b, "check-interval does not change what the server sees");
	parse("server = https://s/\n[host a.example]\ntoken = one\n");
	uint64_t w = c.hosts[0].whole;
	parse("server = https://s/\n[host a.example]\ntoken = one\nallow-plain-http = yes\n");
	ok(w != c.hosts[0].whole, "but any setting changes the whole-config hash");
	parse("server = https://s/\n[host a.example]\ntoken = two\n");
	ok(a != c.hosts[0].ident, "a new token changes the ident (lifts a stop)");
	parse("server = https://t/\n[host a.example]\ntoken = one\n");
	ok(a != c.hosts[0].ident, "a new server changes the ident");
}

static void errors(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "server = https://s\n[host a.example]\ntoken = x\nfoo = 1\n", "line 4: unknown key 'foo'" },
		{ "server = https://s\n", "no [host NAME] section" },
		{ "cache = /c\n[host a.example]\ntoken = x\n", "line 2: [host a.example]: dyndns2 needs server" },
		{ "[host a..b]\n", "line 1: bad host name" },
		{ "[hots a]\n", "line 1: sections are [host NAME]" },
		{ "[host a.example\n", "line 1: missing ']'" },
		{ "server = https://s\n[host a.example]\ntoken = x\n[host A.example.]\ntoken = y\n", "line 4: host a.example appears twice" },
		{ "server = https://s\n[host a.example]\ntoken = x\ntimeout = 0\n", "line 4: timeout: want" },
		{ "server = https://s\n[host a.example]\ntoken = x\ntimeout = 5s\n", "line 4: timeout: want" },
		{ "server = https://s\n[host a.example]\ntoken = x\ncombined = maybe\n", "line 4: combined: want yes or no" },
		{ "server = https://s\n[host a.example]\ntoken = x\nipv4 = dns\n", "line 4: address source must be" },
		{ "server = https://s\n[host a.example]\ntoken = x\nipv4 = command\n", "line 4: 'command' needs a command" },
		{ "server = https://s\n[host a.example]\ntoken = x\nipv4 = off\nipv6 = off\n", "both off" },
		{ "server = https://s\n[host a.example]\ntoken = x\nprotocol = gnudip\n", "unknown protocol 'gnudip'" },
		{ "server = https://s\n[host a.example]\n", "dyndns2 needs token" },
		{ "[host a.example]\ntoken = x\n", "dyndns2 needs server" },
		{ "server = ftp://s\n[host a.example]\ntoken = x\n", "dyndns2 needs server" },
		{ "server = https://s\n[host a.example]\ntoken = x y\n", "space or control" },
		{ "[host a.example]\nprotocol = template\nurl = https://x/?a=%4\nipv4 = interface\n", "url has no %6 or %a" },
		{ "[host a.example]\nprotocol = template\nurl = https://x/?a=%4&b=%6\n", "no default check-IP" },
		{ "[host a.example]\nprotocol = template\nurl = https://x/?a=%q\nipv4 = off\n", "placeholders" },
		{ "[host a.duckdns.org]\nprotocol = duckdns\ntoken = x\n", "duckdns has no check-IP" },
		{ "server = https://s\n[host a.example]\ntoken = x\ncache = /x\n", "cache belongs before" },
		{ "server = https://s\n[host a.example]\ntoken-file = /nonexistent/t\n", "token-file /nonexistent/t" },
		{ "server = https://s\n[host a.example]\ntoken = x\nipv4 = checkip ftp://x/\n", "bad check-IP URL" },
		{ "server = https://s\nnonsense\n", "line 2: expected key = value" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int ret = parse(bad[i].text);
		ok(ret < 0 && strstr(err, bad[i].want),
		   "rejected: %s", bad[i].want);
		if (ret >= 0 || !strstr(err, bad[i].want))
			printf("#   got %d \"%s\"\n", ret, err);
	}
	char big[CONF_LINE_MAX + 20];
	memset(big, 'x', sizeof big);
	memcpy(big, "token = ", 8);
	big[sizeof big - 1] = '\0';
	ok(parse(big) < 0 && strstr(err, "line too long"), "over-long line rejected");

	char many[CONF_HOSTS_MAX * 40 + 100];
	size_t n = 0;
	n += (size_t)snprintf(many + n, sizeof many - n, "server = https://s\ntoken = x\n");
	for (int i = 0; i <= CONF_HOSTS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "[host h%d.example]\n", i);
	is_int(parse(many), DZ_ELIMIT, "more than %d hosts is refused", CONF_HOSTS_MAX);
}

static void token_file(void)
{
	char path[] = "/tmp/test_client_conf.XXXXXX", text[200];
	int fd = mkstemp(path);
	ok(fd >= 0, "temp token file");
	ssize_t w = write(fd, "s3cret-token\nsecond line\n", 25);
	is_int(w, 25, "written");
	close(fd);
	snprintf(text, sizeof text, "server = https://s\n[host a.example]\ntoken-file = %s\n", path);
	is_int(parse(text), 0, "token-file parses");
	is_str(c.hosts[0].token, "s3cret-token", "the first line is the token");
	ok(!c.inline_token, "a token-file is not an inline token");
	conf_wipe(&c);
	is_str(c.hosts[0].token, "", "conf_wipe clears tokens");
	unlink(path);
}

int main(void)
{
	good_file();
	ident();
	errors();
	token_file();
	return tap_done();
}
