/* The embedded HTTP(S) server (libmicrohttpd): one daemon per http-listen
 * and https-listen address, each with an internal epoll thread pool, and a
 * small router: a table of (method, path) -> handler that modules add
 * their routes to before http_start.
 *
 * Caps: connections in all (http-max-connections) and per client address
 * (http-max-per-ip), the memory of one connection, which bounds the
 * request line and headers (http-max-request), request bodies (per route),
 * and a deadline (http-timeout): a connection has that many seconds from
 * its start, or from the end of its last request, to send a whole request,
 * head and body, or the timer thread closes it (a client dripping a byte
 * now and then does not keep it open).
 *
 * A handler runs on a pool thread and must not block.  It either replies
 * at once (http_reply) or suspends the request (http_suspend), hands it to
 * another thread, and that thread replies and calls http_resume: the
 * connection then leaves the event loop until resumed, so a request
 * waiting for a group commit holds no thread at all, and the few pool
 * threads keep serving everyone else.  (A thread-per-connection pool large
 * enough to block in would need one thread per waiting client, and those
 * are exactly the many concurrent updates group commit is for.) */
#ifndef DZ_HTTP_H
#define DZ_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "src/common/config.h"
#include "src/write/timer.h"

typedef struct http http_t;
typedef struct http_req http_req_t;

typedef void (*http_handler)(http_req_t *rq, void *arg);

struct http_route {
	const char *method;   /* "GET", ...; NULL for any method */
	const char *path;     /* exact path, or a prefix ending in '*' */
	http_handler fn;
	void *arg;
	size_t max_body;      /* request body bytes taken (more: 413) */
};

#define HTTP_ROUTES_MAX 64
#define HTTP_HEADERS_MAX 8     /* extra reply headers */
#define HTTP_BODY_MAX (1u << 20)  /* largest reply body */

/* Bind every listen socket (before dropping privileges) and read the TLS
 * certificate and key if HTTPS is configured.  Checks trusted-proxy.
 * *out is NULL (and 0 returned) if no HTTP address is configured.
 * On failure returns DZ_EINVAL/DZ_EIO/DZ_ENOMEM with a message in err. */
int http_open(http_t **out, const struct config *c, char *err, size_t errlen);
/* Add a route (before http_start); the route's strings must outlive the
 * server.  A later route with the same method and path replaces the
 * earlier.  0 or DZ_ELIMIT. */
int http_route_add(http_t *h, const struct http_route *r);
/* Start the daemons, and a timer on ts that closes connections past their
 * request deadline every second (ts must outlive the server; once it
 * stops, only libmicrohttpd's idle timeout is left).  0, or DZ_EIO with a
 * message in err. */
int http_start(http_t *h, timers_t *ts, char *err, size_t errlen);
/* SIGHUP (serve's main thread, after http_start): read tls-cert and
 * tls-key again, as the user the server runs as, and start a new HTTPS
 * daemon with them on each HTTPS listen socket; the old daemon stops
 * accepting and keeps serving the connections it has (keep-alive ones stay
 * on the old certificate) until they end, and is stopped by a later reload
 * or by http_close.  libmicrohttpd 0.9.75 cannot swap the certificate of a
 * running daemon.  If a file cannot be read or the pair is rejected, the
 * old daemons serve on unchanged and DZ_EIO/DZ_EINVAL comes back with a
 * message in err.  0 at once if there is no HTTPS listener. */
int http_reload_tls(http_t *h, char *err, size_t errlen);
/* Stop accepting new connections (the ones open are still served). */
void http_quiesce(http_t *h);
/* Stop the daemons and free.  No request may be left suspended. */
void http_close(http_t *h);

/* The request (strings owned by the request, valid until the reply has
 * been sent).  The method ("GET"), and the path as received, not decoded,
 * without the query. */
const char *http_req_method(const http_req_t *rq);
const char *http_req_path(const http_req_t *rq);
/* The raw query string, not decoded, without '?' ("" if none). */
const char *http_req_query(const http_req_t *rq);
/* A request header (case-insensitive name) or NULL. */
const char *http_req_header(const http_req_t *rq, const char *name);
/* The request body (NULL, 0 if none). */
const char *http_req_body(const http_req_t *rq, size_t *len);
/* The client's address: the peer's, or for a peer listed in
 * trusted-proxy, the last untrusted address of X-Forwarded-For. */
const struct sockaddr *http_req_client(const http_req_t *rq);
/* The same as text ("192.0.2.1", "2001:db8::1"). */
const char *http_req_client_text(const http_req_t *rq);
/* True if the request came over HTTPS. */
bool http_req_tls(const http_req_t *rq);
/* Per-request data for the handler, freed with `free_fn` (if not NULL)
 * when the request is done. */
void http_req_set_data(http_req_t *rq, void *data, void (*free_fn)(void *));
/* The data set with http_req_set_data, or NULL. */
void *http_req_data(const http_req_t *rq);

/* Set the reply (status, content type, body copied).  Call once, from the
 * handler or, for a suspended request, from the thread that resumes it.
 * `close` asks for Connection: close.  0, DZ_ENOMEM or DZ_ELIMIT (body
 * over HTTP_BODY_MAX). */
int http_reply(http_req_t *rq, unsigned status, const char *ctype,
               const char *body, size_t len, bool close);
/* Add a reply header (copied) before http_reply.  0 or DZ_ELIMIT. */
int http_reply_header(http_req_t *rq, const char *name, const char *value);
/* Suspend: call in the handler before handing the request elsewhere. */
void http_suspend(http_req_t *rq);
/* Resume a suspended request once its reply is set (any thread). */
void http_resume(http_req_t *rq);

#endif
