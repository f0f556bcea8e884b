/* A minimal HTTP/1.1 client for one GET per connection, over plain TCP or
 * TLS (tls.h).  Every size is capped; the connection closes after the
 * reply.  It refuses to send a secret over plain HTTP to anything but a
 * loopback address unless told otherwise. */
#ifndef DU_HTTP_H
#define DU_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define URL_TEXT_MAX 1024     /* a whole URL */
#define URL_HOST_MAX 256
#define HTTP_BODY_MAX 4096    /* what we keep of a reply body */
#define HTTP_RESP_MAX 16384   /* a whole reply, headers included */

struct url {
	bool tls;                  /* https */
	char host[URL_HOST_MAX];   /* name or address, without [] */
	char port[8];               
	char target[URL_TEXT_MAX]; /* path and query, starting with '/' */
};

struct http_opts {
	int family;            /* AF_UNSPEC, or AF_INET/AF_INET6 to force one */
	unsigned timeout;      /* seconds for the whole exchange */
	const char *ca_file;   /* NULL or "": the system CA store */
	bool secret;           /* the request carries a token */
	bool allow_plain;      /* ...which may go over plain HTTP anyway */
	const char *user;      /* Basic auth user, or NULL for none */
	const char *pass;
};

struct http_resp {
	int status;                   /* e.g. 200 */
	long retry_after;             /* seconds, or -1 if no Retry-After */
	size_t body_len;
	char body[HTTP_BODY_MAX + 1]; /* NUL-terminated; longer bodies cut */
	char why[256];                /* why a request failed, for logs */
};

/* Split an http:// or https:// URL.  Returns 0, DZ_EFORMAT, or DZ_ESPACE
 * if a part exceeds its cap. */
int http_parse_url(const char *text, struct url *u);

/* GET `u` and read the reply into `r` (status, Retry-After, body).
 * Returns 0 once a reply was read, whatever its status; DZ_EIO when no
 * reply came (resolve, connect, TLS, an untrusted certificate, time-out);
 * DZ_EAUTH when `o->secret` would go over plain HTTP to a non-loopback
 * address without `o->allow_plain` (nothing is sent then); DZ_EFORMAT or DZ_ELIMIT for a malformed or oversized reply.
 * r->why explains every failure. */
int http_get(const struct url *u, const struct http_opts *o,
             struct http_resp *r);

/* Parse a complete reply of `len` bytes (as read until the server closed)
 * into `r`; `now` converts a Retry-After date into seconds.  Handles
 * Content-Length and chunked bodies.  Returns 0, DZ_EFORMAT or DZ_ELIMIT. */
int http_parse_response(const char *buf, size_t len, int64_t now,
                        struct http_resp *r);

#endif
