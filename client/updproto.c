/* The table of update protocols, and what they share; see updproto.h. */
#include "updproto.h"

#include <string.h>

extern const struct updproto updproto_dyndns2;
extern const struct updproto updproto_template;
extern const struct updproto updproto_duckdns;

static const struct updproto *const protocols[] = {
	&updproto_dyndns2,
	&updproto_template,
	&updproto_duckdns,
};

const struct updproto *updproto_find(const char *name)
{
	for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++)
		if (strcmp(protocols[i]->name, name) == 0)
			return protocols[i];
	return NULL;
}

const char *updproto_names(void)
{
	return "dyndns2, template, duckdns";
}

enum upd_result updproto_dyndns2_reply(const struct http_resp *r)
{
	const char *p = r->body;
	int code;

	if (r->status == 401 || r->status == 403)
		return UPD_BADAUTH;
	/* The first word of the first non-empty line. */
	p += strspn(p, " \t\r\n");
	code = policy_result_from_word(p, strcspn(p, " \t\r\n"));
	if (code >= 0)
		return (enum upd_result)code;
	if (r->status == 429 || r->status >= 500)
		return UPD_SERVER;
	return UPD_BADREPLY;
}

void updproto_put(struct strbuf *url, struct strbuf *shown, const char *s,
                  bool encode, bool secret)
{
	if (encode)
		strbuf_urlenc(url, s);
	else
		strbuf_str(url, s);
	if (secret)
		strbuf_str(shown, "***");
	else if (encode)
		strbuf_urlenc(shown, s);
	else
		strbuf_str(shown, s);
}

void updproto_begin(const struct host_conf *h, struct upd_call *call,
                    struct strbuf *url, struct strbuf *shown, const char *path)
{
	size_t sl = strlen(h->server);
	while (sl > 0 && h->server[sl - 1] == '/')
		sl--;
	strbuf_init(url, call->url, sizeof call->url);
	strbuf_init(shown, call->shown, sizeof call->shown);
	strbuf_add(url, h->server, sl);
	strbuf_add(shown, h->server, sl);
	strbuf_str(url, path);
	strbuf_str(shown, path);
}
