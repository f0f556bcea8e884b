/* DuckDNS: GET /update?domains=NAME&token=T&ip=V4&ipv6=V6, answer OK or KO.
 * DuckDNS fills a missing IPv4 from the connection, so both families always
 * go in one request.  The host name may be given with or without the
 * .duckdns.org suffix. */
#include <stdio.h>
#include <string.h>

#include "updproto.h"
#include "util.h"

#define SUFFIX ".duckdns.org"

static int prepare(struct host_conf *h, char *err, size_t cap)
{
	struct url u;
	if (!*h->token) {
		snprintf(err, cap, "duckdns needs token or token-file");
		return DZ_EINVAL;
	}
	if (h->src[0].kind == SRC_CHECKIP && !*h->src[0].arg) {
		snprintf(err, cap, "duckdns has no check-IP service: set ipv4 = "
		         "checkip URL (or interface, command, off)");
		return DZ_EINVAL;
	}
	if (!*h->server)
		memcpy(h->server, "https://www.duckdns.org", sizeof "https://www.duckdns.org");
	if (http_parse_url(h->server, &u) < 0) {
		snprintf(err, cap, "bad server URL");
		return DZ_EINVAL;
	}
	return 0;
}

static bool combined(const struct host_conf *h)
{
	(void)h;
	return true;
}

static int build(const struct host_conf *h, const char *v4, const char *v6,
                 struct upd_call *call)
{
	textbuf_t url, shown;
	char sub[CONF_NAME_MAX];
	size_t n = strlen(h->name);

	if (n > sizeof SUFFIX - 1 && strcmp(h->name + n - (sizeof SUFFIX - 1), SUFFIX) == 0)
		n -= sizeof SUFFIX - 1;
	if (util_copy(sub, sizeof sub, h->name, n) < 0)
		return DZ_ESPACE;
	updproto_begin(h, call, &url, &shown, "/update?domains=");
	updproto_put(&url, &shown, sub, true, false);
	updproto_put(&url, &shown, "&token=", false, false);
	updproto_put(&url, &shown, h->token, true, true);
	updproto_put(&url, &shown, "&ip=", false, false);
	updproto_put(&url, &shown, v4 ? v4 : "", true, false);
	if (v6) {
		updproto_put(&url, &shown, "&ipv6=", false, false);
		updproto_put(&url, &shown, v6, true, false);
	}
	call->user = NULL;
	call->pass = NULL;
	return url.err ? url.err : shown.err;
}

static enum upd_result parse(const struct host_conf *h, const struct http_resp *r)
{
	(void)h;
	if (r->status == 200 && strncmp(r->body, "OK", 2) == 0)
		return UPD_GOOD;
	/* KO: wrong token or domain; asking again will not help. */
	if (r->status == 200 && strncmp(r->body, "KO", 2) == 0)
		return UPD_BADAUTH;
	return updproto_dyndns2_reply(r);
}

const struct updproto updproto_duckdns = {
	.name = "duckdns",
	.prepare = prepare,
	.combined = combined,
	.build = build,
	.parse = parse,
};
