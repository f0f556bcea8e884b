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

void updproto_put(textbuf_t *url, textbuf_t *shown, const char *s,
                  bool encode, bool secret)
{
	if (encode)
		util_urlenc(url, s);
	else
		textbuf_str(url, s);
	if (secret)
		textbuf_str(shown, "***");
	else if (encode)
		util_urlenc(shown, s);
	else
		textbuf_str(shown, s);
}

void updproto_begin(const struct host_conf *h, struct upd_call *call,
                    textbuf_t *url, textbuf_t *shown, const char *path)
{
	size_t sl = strlen(h->server);
	while (sl > 0 && h->server[sl - 1] == '/')
		sl--;
	textbuf_init(url, call->url, sizeof call->url);
	textbuf_init(shown, call->shown, sizeof call->shown);
	textbuf_add(url, h->server, sl);
	textbuf_add(shown, h->server, sl);
	textbuf_str(url, path);
	textbuf_str(shown, path);
}
