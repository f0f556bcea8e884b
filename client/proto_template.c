/* A plain URL template, for the many services that take an update as one
 * GET: %h host name, %4 IPv4, %6 IPv6, %a the address of this request, %t
 * the token, %u the user name, %% a percent sign.  If the template holds %a,
 * each family is sent in its own request; otherwise one request carries
 * both.  With a username set, the token also goes as Basic auth. */
#include <stdio.h>
#include <string.h>

#include "updproto.h"
#include "util.h"

static int expand(const struct host_conf *h, const char *v4, const char *v6,
                  struct upd_call *call)
{
	textbuf_t url, shown;
	const char *a = v4 ? v4 : v6;

	textbuf_init(&url, call->url, sizeof call->url);
	textbuf_init(&shown, call->shown, sizeof call->shown);
	for (const char *p = h->url; *p; p++) {
		if (*p != '%') {
			updproto_put(&url, &shown, (char[]){ *p, '\0' }, false, false);
			continue;
		}
		switch (*++p) {
		case 'h': updproto_put(&url, &shown, h->name, true, false); break;
		case '4': updproto_put(&url, &shown, v4 ? v4 : "", true, false); break;
		case '6': updproto_put(&url, &shown, v6 ? v6 : "", true, false); break;
		case 'a': updproto_put(&url, &shown, a ? a : "", true, false); break;
		case 't': updproto_put(&url, &shown, h->token, true, true); break;
		case 'u': updproto_put(&url, &shown, h->username, true, false); break;
		case '%': updproto_put(&url, &shown, "%", false, false); break;
		default: return DZ_EFORMAT;
		}
	}
	call->user = *h->username ? h->username : NULL;
	call->pass = h->token;
	return url.err ? url.err : shown.err;
}

static int prepare(struct host_conf *h, char *err, size_t cap)
{
	struct upd_call call;
	struct url u;
	bool has_a = strstr(h->url, "%a") != NULL;

	if (!*h->url) {
		snprintf(err, cap, "template needs url = ...");
		return DZ_EINVAL;
	}
	if (expand(h, "192.0.2.1", "2001:db8::1", &call) < 0 ||
	    http_parse_url(call.url, &u) < 0) {
		snprintf(err, cap, "url is not an http(s) URL with %%h %%4 %%6 %%a %%t "
		         "%%u %%%% placeholders");
		return DZ_EINVAL;
	}
	util_wipe(&call, sizeof call);
	if (h->src[0].kind != SRC_OFF && !has_a && !strstr(h->url, "%4")) {
		snprintf(err, cap, "url has no %%4 or %%a: set ipv4 = off");
		return DZ_EINVAL;
	}
	if (h->src[1].kind != SRC_OFF && !has_a && !strstr(h->url, "%6")) {
		snprintf(err, cap, "url has no %%6 or %%a: set ipv6 = off");
		return DZ_EINVAL;
	}
	if (h->src[0].kind == SRC_CHECKIP && !*h->src[0].arg) {
		snprintf(err, cap, "template has no default check-IP service: "
		         "set ipv4 = checkip URL (or interface, command, off)");
		return DZ_EINVAL;
	}
	return 0;
}

static bool combined(const struct host_conf *h)
{
	return strstr(h->url, "%a") == NULL;
}

static enum upd_result parse(const struct host_conf *h, const struct http_resp *r)
{
	(void)h;
	/* Servers that answer in dyndns2 words are read as such. */
	enum upd_result res = updproto_dyndns2_reply(r);
	if (res == UPD_BADREPLY && r->status >= 200 && r->status < 300)
		return UPD_GOOD;
	if (res == UPD_BADREPLY && r->status == 404)
		return UPD_NOHOST;
	return res;
}

const struct updproto updproto_template = {
	.name = "template",
	.prepare = prepare,
	.combined = combined,
	.build = expand,
	.parse = parse,
};
