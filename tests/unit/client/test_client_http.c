/* dynzone-update: URLs, HTTP replies, and what each protocol sends and
 * reads. */
#include <stdio.h>
#include <string.h>

#include "client/conf.h"
#include "client/http.h"
#include "client/updproto.h"
#include "client/util.h"
#include "tests/unit/tap.h"

static void urls(void)
{
	struct url u;
	is_int(http_parse_url("https://dyn.example.org/nic/update?a=b#frag", &u), 0, "https URL");
	ok(u.tls, "https means TLS");
	is_str(u.host, "dyn.example.org", "host");
	is_str(u.port, "443", "default https port");
	is_str(u.target, "/nic/update?a=b", "path and query, no fragment");
	is_int(http_parse_url("http://[::1]:8053", &u), 0, "IPv6 literal with port");
	is_str(u.host, "::1", "brackets stripped");
	is_str(u.port, "8053", "port");
	is_str(u.target, "/", "empty path is /");
	ok(!u.tls, "http is plain");
	is_int(http_parse_url("HTTP://h?x=1", &u), 0, "query without a path");
	is_str(u.target, "/?x=1", "gets a /");
	is_str(u.port, "80", "default http port");
	is_int(http_parse_url("ftp://h/", &u), DZ_EFORMAT, "ftp refused");
	is_int(http_parse_url("https://user:pw@h/", &u), DZ_EFORMAT, "credentials in URL refused");
	is_int(http_parse_url("https://h:0/", &u), DZ_EFORMAT, "port 0 refused");
	is_int(http_parse_url("https://h:65536/", &u), DZ_EFORMAT, "port 65536 refused");
	is_int(http_parse_url("https://h:8x/", &u), DZ_EFORMAT, "port with junk refused");
	is_int(http_parse_url("https://[::1/", &u), DZ_EFORMAT, "unclosed [ refused");
	is_int(http_parse_url("https:///x", &u), DZ_EFORMAT, "empty host refused");
	is_int(http_parse_url("https://h/a b", &u), DZ_EFORMAT, "space refused");
	char longurl[URL_TEXT_MAX + 50];
	memset(longurl, 'a', sizeof longurl);
	memcpy(longurl, "http://h/", 9);
	longurl[sizeof longurl - 1] = '\0';
	is_int(http_parse_url(longurl, &u), DZ_ESPACE, "over-long URL refused");
}

static int resp(const char *text, struct http_resp *r)
{
	return http_parse_response(text, strlen(text), 1000000000, r);
}

static void replies(void)
{
	struct http_resp r;
	is_int(resp("HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\ngood 192.0.2.1extra", &r), 0,
	       "reply with Content-Length");
	is_int(r.status, 200, "status");
	is_str(r.body, "good 192.0.2.1", "body cut at Content-Length");
	is_int(r.retry_after, -1, "no Retry-After");
	is_int(resp("HTTP/1.0 503 Busy\nretry-after:  120 \n\n911\n", &r), 0, "LF-only reply");
	is_int(r.status, 503, "503");
	is_int(r.retry_after, 120, "Retry-After seconds (any case, trimmed)");
	is_str(r.body, "911\n", "body to the end");
	/* 1000000000 is Sun, 09 Sep 2001 01:46:40 GMT. */
	is_int(resp("HTTP/1.1 429 x\r\nRetry-After: Sun, 09 Sep 2001 01:56:40 GMT\r\n\r\n", &r), 0,
	       "Retry-After as a date");
	is_int(r.retry_after, 600, "date converted to seconds from now");
	resp("HTTP/1.1 429 x\r\nRetry-After: soon\r\n\r\n", &r);
	is_int(r.retry_after, -1, "unreadable Retry-After ignored");
	is_int(resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	            "5\r\nnochg\r\n0a;x=y\r\n 192.0.2.1\r\n0\r\n\r\n", &r), 0, "chunked reply");
	is_str(r.body, "nochg 192.0.2.1", "chunks joined");
	is_int(resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	            "ff\r\nshort\r\n", &r), DZ_EFORMAT, "chunk longer than the data refused");
	is_int(resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	            "fffffffff\r\n", &r), DZ_ELIMIT, "huge chunk size refused");
	is_int(resp("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", &r), DZ_EFORMAT,
	       "body shorter than Content-Length refused");
	is_int(resp("HTTP/1.1 200 OK\r\nContent-Length: 5", &r), DZ_EFORMAT,
	       "no end of headers refused");
	is_int(resp("SMTP 220 hello\r\n\r\n", &r), DZ_EFORMAT, "not HTTP refused");
	is_int(resp("HTTP/1.1 2x0 OK\r\n\r\n", &r), DZ_EFORMAT, "bad status refused");

	static char big[HTTP_BODY_MAX * 2 + 100];
	int n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n\r\n");
	memset(big + n, 'x', sizeof big - (size_t)n - 1);
	is_int(resp(big, &r), 0, "a long body is read");
	is_int(r.body_len, HTTP_BODY_MAX, "but kept only up to the cap");
}

static enum upd_result dd(int status, const char *body)
{
	struct http_resp r = { .status = status, .retry_after = -1 };
	util_copy_str(r.body, sizeof r.body, body);
	return updproto_dyndns2_reply(&r);
}

static void dyndns2_words(void)
{
	is_int(dd(200, "good 192.0.2.1\r\n"), UPD_GOOD, "good");
	is_int(dd(200, "\r\n  nochg 192.0.2.1"), UPD_NOCHG, "nochg after blank line");
	is_int(dd(401, ""), UPD_BADAUTH, "HTTP 401 is badauth");
	is_int(dd(200, "badauth"), UPD_BADAUTH, "badauth");
	is_int(dd(200, "nohost"), UPD_NOHOST, "nohost");
	is_int(dd(200, "notfqdn"), UPD_NOTFQDN, "notfqdn");
	is_int(dd(200, "abuse"), UPD_ABUSE, "abuse");
	is_int(dd(200, "dnserr"), UPD_DNSERR, "dnserr");
	is_int(dd(500, "911"), UPD_911, "911 on a 500");
	is_int(dd(502, "<html>Bad gateway</html>"), UPD_SERVER, "502 page is a server error");
	is_int(dd(429, ""), UPD_SERVER, "429 without a word is a server error");
	is_int(dd(200, "OK"), UPD_BADREPLY, "unknown word is a bad reply");
	is_int(dd(404, "not found"), UPD_BADREPLY, "404 is a bad reply");
}

static struct conf c;

static struct host_conf *host(const char *text)
{
	char err[300];
	if (conf_parse(&c, text, strlen(text), err, sizeof err) < 0) {
		printf("#   config: %s\n", err);
		return NULL;
	}
	return &c.hosts[0];
}

static void protocols(void)
{
	struct upd_call call = { .lanprefix = NULL };
	struct host_conf *h;

	h = host("server = https://dyn.example.org/\n[host h1.dyn.example.org]\n"
	         "token = tok\nipv4 = interface\n");
	ok(h != NULL, "dyndns2 host");
	if (!h)
		return;
	is_int(h->proto->build(h, "192.0.2.1", "2001:db8::1", &call), 0, "dyndns2 builds");
	is_str(call.url, "https://dyn.example.org/nic/update?hostname=h1.dyn.example.org"
	       "&myip=192.0.2.1,2001:db8::1", "both families in one myip");
	is_str(call.user, "h1.dyn.example.org", "Basic auth user is the host");
	is_str(call.pass, "tok", "Basic auth password is the token");
	ok(!strstr(call.shown, "tok&") && !strstr(call.url, "tok"), "the token is not in the URL");
	h->proto->build(h, NULL, "2001:db8::1", &call);
	is_str(call.url, "https://dyn.example.org/nic/update?hostname=h1.dyn.example.org"
	       "&myip=2001:db8::1", "IPv6 alone");
	call.lanprefix = "2001:db8:1:2::/64";
	h->proto->build(h, "192.0.2.1", "2001:db8::1", &call);
	is_str(call.url, "https://dyn.example.org/nic/update?hostname=h1.dyn.example.org"
	       "&myip=192.0.2.1,2001:db8::1&ip6lanprefix=2001:db8:1:2::/64",
	       "the LAN prefix as ip6lanprefix, unencoded as a FRITZ!Box sends it");
	call.lanprefix = NULL;

	h = host("[host me.duckdns.org]\nprotocol = duckdns\ntoken = s3cr3t\n"
	         "server = http://127.0.0.1:1/\nipv4 = interface\n");
	if (!h)
		return;
	h->proto->build(h, "192.0.2.1", NULL, &call);
	is_str(call.url, "http://127.0.0.1:1/update?domains=me&token=s3cr3t&ip=192.0.2.1",
	       "duckdns: domain without suffix, token in the query");
	is_str(call.shown, "http://127.0.0.1:1/update?domains=me&token=***&ip=192.0.2.1",
	       "duckdns: token masked in logs");
	ok(call.user == NULL, "duckdns: no Basic auth");
	h = host("[host me.duckdns.org]\nprotocol = duckdns\ntoken = s3cr3t\nipv4 = off\n");
	is_str(h ? h->server : "", "https://www.duckdns.org", "duckdns has its server by default");
	if (!h)
		return;
	struct http_resp r = { .status = 200, .retry_after = -1 };
	memcpy(r.body, "KO", 3);
	is_int(h->proto->parse(h, &r), UPD_BADAUTH, "duckdns KO stops");
	memcpy(r.body, "OK", 3);
	is_int(h->proto->parse(h, &r), UPD_GOOD, "duckdns OK is good");

	h = host("[host t.example.com]\nprotocol = template\nusername = me\ntoken = k/y\n"
	         "ipv4 = interface\n"
	         "url = https://u.example/x?h=%h&v4=%4&v6=%6&k=%t&u=%u&p=100%%\n");
	if (!h)
		return;
	ok(h->proto->combined(h), "template without %%a is combined");
	h->proto->build(h, "192.0.2.1", NULL, &call);
	is_str(call.url, "https://u.example/x?h=t.example.com&v4=192.0.2.1&v6=&k=k%2Fy&u=me&p=100%",
	       "template expanded, values encoded, missing family empty");
	is_str(call.shown, "https://u.example/x?h=t.example.com&v4=192.0.2.1&v6=&k=***&u=me&p=100%",
	       "template: token masked");
	is_str(call.user, "me", "template: username set means Basic auth");
	r.status = 204;
	r.body[0] = '\0';
	is_int(h->proto->parse(h, &r), UPD_GOOD, "template: 2xx is good");
	r.status = 200;
	memcpy(r.body, "badauth", 8);
	is_int(h->proto->parse(h, &r), UPD_BADAUTH, "template: dyndns2 words are read");
	r.status = 404;
	r.body[0] = '\0';
	is_int(h->proto->parse(h, &r), UPD_NOHOST, "template: 404 is nohost");
	r.status = 500;
	is_int(h->proto->parse(h, &r), UPD_SERVER, "template: 500 is a server error");
}

static void textbufs(void)
{
	char small[8];
	textbuf_t b;
	textbuf_init(&b, small, sizeof small);
	textbuf_str(&b, "1234");
	textbuf_str(&b, "5678");
	is_int(b.err, DZ_ESPACE, "overflow is sticky");
	textbuf_str(&b, "9");
	is_str(small, "1234", "and nothing more is written");
	char big[64];
	textbuf_init(&b, big, sizeof big);
	util_urlenc(&b, "a b&c=d/2001:db8::1,é~");
	is_str(big, "a%20b%26c%3Dd%2F2001:db8::1,%C3%A9~", "percent-encoding");
}

int main(void)
{
	urls();
	replies();
	dyndns2_words();
	protocols();
	textbufs();
	return tap_done();
}
