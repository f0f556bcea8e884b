/* Update protocols as modules behind one small interface.  A protocol is
 * one file defining a `const struct updproto`; add it to the table in
 * updproto.c and to meson.build.  The engine (run.c) decides what to send
 * and when; a protocol only says how to ask and how to read the answer. */
#ifndef DU_UPDPROTO_H
#define DU_UPDPROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "http.h"
#include "util.h"
#include "policy.h"

/* One request a protocol built. */
struct upd_call {
	char url[URL_TEXT_MAX];    /* the full URL */
	char shown[URL_TEXT_MAX];  /* the same with secrets masked, for logs */
	const char *user;          /* Basic auth (points into the host), or NULL */
	const char *pass;
	/* in, set by the engine before build: the router's LAN prefix
	 * ("2001:db8:1:2::/64") to send along, or NULL.  Protocols without
	 * such a parameter ignore it. */
	const char *lanprefix;
};

struct updproto {
	const char *name;
	/* Check a host's settings and fill protocol defaults (e.g. the
	 * server).  Returns 0, or DZ_EINVAL with a message in `err`. */
	int (*prepare)(struct host_conf *h, char *err, size_t errcap);
	/* True if one request can carry an IPv4 and an IPv6 address. */
	bool (*combined)(const struct host_conf *h);
	/* Build the request setting `v4` and/or `v6` (NULL: not in this
	 * request).  Returns 0 or DZ_ESPACE. */
	int (*build)(const struct host_conf *h, const char *v4, const char *v6,
	             struct upd_call *call);
	/* Read the server's reply. */
	enum upd_result (*parse)(const struct host_conf *h,
	                         const struct http_resp *r);
};

/* The protocol called `name`, or NULL. */
const struct updproto *updproto_find(const char *name);

/* The names of all protocols, comma-separated, for messages. */
const char *updproto_names(void);

/* Shared by the protocols: a dyndns2-style reply (first word of the body:
 * good, nochg, badauth, ...; HTTP 401 is badauth, other 4xx/5xx without a
 * known word are server errors, 429 abuse).  Protocols whose servers answer
 * in dyndns2 words use it as is. */
enum upd_result updproto_dyndns2_reply(const struct http_resp *r);

/* Shared: start building `call`'s URL and its shown copy with h->server
 * (without trailing slashes) followed by `path`. */
void updproto_begin(const struct host_conf *h, struct upd_call *call,
                    textbuf_t *url, textbuf_t *shown, const char *path);

/* Shared: append `s` to a URL under construction, and to its shown copy
 * masked as "***" if `secret`. */
void updproto_put(textbuf_t *url, textbuf_t *shown, const char *s,
                  bool encode, bool secret);

#endif
