/* The dyndns2 protocol (Dyn's, as dynzone, ddclient and inadyn speak it):
 * GET /nic/update?hostname=H&myip=IP[,IP6] with Basic auth. */
#include <stdio.h>
#include <string.h>

#include "updproto.h"
#include "util.h"

static int prepare(struct host_conf *h, char *err, size_t cap)
{
	struct url u;
	if (!*h->server || http_parse_url(h->server, &u) < 0) {
		snprintf(err, cap, "dyndns2 needs server = http(s)://HOST[:PORT]");
		return DZ_EINVAL;
	}
	if (!*h->token) {
		snprintf(err, cap, "dyndns2 needs token or token-file");
		return DZ_EINVAL;
	}
	if (!*h->path)
		memcpy(h->path, "/nic/update", sizeof "/nic/update");
	if (!*h->username && util_copy_str(h->username, sizeof h->username, h->name) < 0)
		return DZ_EINVAL;
	return 0;
}

static bool combined(const struct host_conf *h)
{
	return h->combined;
}

static int build(const struct host_conf *h, const char *v4, const char *v6,
                 struct upd_call *call)
{
	textbuf_t url, shown;

	updproto_begin(h, call, &url, &shown, h->path);
	updproto_put(&url, &shown, strchr(h->path, '?') ? "&hostname=" : "?hostname=",
	             false, false);
	updproto_put(&url, &shown, h->name, true, false);
	updproto_put(&url, &shown, "&myip=", false, false);
	if (v4)
		updproto_put(&url, &shown, v4, true, false);
	if (v4 && v6)
		updproto_put(&url, &shown, ",", false, false);
	if (v6)
		updproto_put(&url, &shown, v6, true, false);
	/* unencoded, as a FRITZ!Box sends it: ':' and '/' are query characters */
	if (call->lanprefix) {
		updproto_put(&url, &shown, "&ip6lanprefix=", false, false);
		updproto_put(&url, &shown, call->lanprefix, false, false);
	}
	call->user = h->username;
	call->pass = h->token;
	return url.err ? url.err : shown.err;
}

static enum upd_result parse(const struct host_conf *h, const struct http_resp *r)
{
	(void)h;
	return updproto_dyndns2_reply(r);
}

const struct updproto updproto_dyndns2 = {
	.name = "dyndns2",
	.prepare = prepare,
	.combined = combined,
	.build = build,
	.parse = parse,
};
