/* The embedded HTTP(S) server and its router. */
#include "src/http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/errors.h"
#include "proto/iptext.h"
#include "src/common/cidr.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/rand.h"

#include <mbedtls/pk.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#define PEM_MAX (256 * 1024)
#define URI_MAX 8192

struct listener {
	http_t *h;
	int fd;                   /* ours until a daemon takes it */
	bool tls, quiesced;
	struct MHD_Daemon *d;
	char text[64];
};

/* A connection being watched for the request deadline. */
struct conn_slot {
	struct conn_slot *prev, *next;
	int fd;
	uint64_t deadline;         /* clock_ms; 0: none (a request is being answered) */
	char client[IPTEXT_MAX];
};

#define REAP_MS 1000           /* how often the deadline is looked at */

/* An HTTPS daemon replaced on reload: quiesced (it accepts nothing), still
 * serving the connections it had, stopped once they are gone. */
struct retired {
	struct retired *next;
	struct MHD_Daemon *d;
	char *cert, *key;          /* what it was started with */
};

struct http {
	/* connections and their request deadlines (see reap) */
	pthread_mutex_t slots_lock;
	struct conn_slot *slots;
	timers_t *timers;
	struct timer reaper;
	struct listener l[2 * CONF_MAX_LISTEN];
	unsigned nl;
	struct http_route routes[HTTP_ROUTES_MAX];
	unsigned nroutes;
	char *cert, *key;
	const char *cert_path, *key_path;   /* the config's, read again on reload */
	struct retired *retired;
	struct cidr proxies[CONF_MAX_LIST];
	unsigned nproxies;
	unsigned threads, max_conn, per_ip, timeout, mem_limit;
};

enum rq_state { RQ_NEW, RQ_BODY, RQ_SUSPENDING, RQ_SUSPENDED, RQ_RESUMED, RQ_DONE };

struct http_req {
	http_t *h;
	struct MHD_Connection *conn;
	const struct http_route *route;
	pthread_mutex_t lock;
	enum rq_state state;
	bool tls, uri_too_long;
	const char *method;
	char *uri;                 /* raw: path '\0' query */
	const char *query;
	char *body;
	size_t body_len;
	struct sockaddr_storage client;
	char client_text[IPTEXT_MAX];
	/* the reply */
	bool replied, close;
	unsigned status;
	char ctype[64];
	char *reply;
	size_t reply_len;
	unsigned nh;
	char *hname[HTTP_HEADERS_MAX], *hval[HTTP_HEADERS_MAX];
	void *data;
	void (*free_fn)(void *);
};

/* Addresses and proxies ------------------------------------------------ */

static bool trusted(const http_t *h, const struct sockaddr *sa)
{
	uint8_t a[16];
	int fam = cidr_sa_bytes(sa, a);
	for (unsigned i = 0; i < h->nproxies; i++)
		if (cidr_match(&h->proxies[i], fam, a))
			return true;
	return false;
}

/* Set rq->client from an address of either family (v4-mapped -> v4). */
static void set_client(http_req_t *rq, const struct sockaddr *sa)
{
	uint8_t a[16];
	int fam = cidr_sa_bytes(sa, a);
	memset(&rq->client, 0, sizeof rq->client);
	if (fam == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&rq->client;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a, 4);
		ip4_text(a, rq->client_text);
	} else if (fam == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&rq->client;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a, 16);
		ip6_text(a, rq->client_text);
	} else {
		rq->client.ss_family = AF_UNSPEC;
		snprintf(rq->client_text, sizeof rq->client_text, "unknown");
	}
}

/* One X-Forwarded-For entry as an address. */
static bool xff_addr(const char *s, size_t n, struct sockaddr_storage *out)
{
	char buf[INET6_ADDRSTRLEN + 2];
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(out, 0, sizeof *out);
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, buf, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

#define XFF_MAX 2048           /* bytes of X-Forwarded-For looked at */

struct xff_lines {
	char buf[XFF_MAX + 1];
	size_t len;
	bool cut;                  /* too long: only the rightmost entries kept */
};

/* Append n bytes to the list; past XFF_MAX the left end goes. */
static void xff_append(struct xff_lines *x, const char *p, size_t n)
{
	if (n >= XFF_MAX) {
		p += n - XFF_MAX;
		n = XFF_MAX;
		x->len = 0;
		x->cut = true;
	} else if (x->len + n > XFF_MAX) {
		size_t drop = x->len + n - XFF_MAX;
		memmove(x->buf, x->buf + drop, x->len - drop);
		x->len -= drop;
		x->cut = true;
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	x->buf[x->len] = 0;
}

/* MHD's header iterator: every X-Forwarded-For line, in order. */
static enum MHD_Result xff_collect(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct xff_lines *x = cls;
	if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) {
		if (x->len)
			xff_append(x, ",", 1);
		xff_append(x, value, strlen(value));
	}
	return MHD_YES;
}

/* The client: the peer, or behind trusted proxies the rightmost address
 * of X-Forwarded-For that is not a trusted proxy itself. */
static void resolve_client(http_req_t *rq)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct sockaddr_storage peer;
	memset(&peer, 0, sizeof peer);
	if (ci && ci->client_addr) {
		size_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
		                                                   : sizeof(struct sockaddr_in);
		memcpy(&peer, ci->client_addr, len);
	}
	set_client(rq, (const struct sockaddr *)&peer);
	if (!rq->h->nproxies || !trusted(rq->h, (const struct sockaddr *)&peer))
		return;
	/* every X-Forwarded-For line, in order, as one list: a proxy that
	 * adds its own line after the client's must still be read from the
	 * right */
	struct xff_lines x = { .len = 0 };
	MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, xff_collect, &x);
	const char *xff = x.buf;
	if (x.cut) {
		/* the leftmost entry may be cut short: never read it */
		const char *comma = strchr(xff, ',');
		xff = comma ? comma + 1 : xff + x.len;
	}
	if (xff == x.buf + x.len)
		return;
	const char *end = xff + x.len;
	struct sockaddr_storage cand;
	while (end > xff) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		if (!xff_addr(start, (size_t)(end - start), &cand))
			return;           /* garbage: keep what we have */
		set_client(rq, (const struct sockaddr *)&cand);
		if (!trusted(rq->h, (const struct sockaddr *)&cand))
			return;
		end = start > xff ? start - 1 : xff;
	}
}

/* Requests --------------------------------------------------------------- */

const char *http_req_method(const http_req_t *rq) { return rq->method; }
const char *http_req_path(const http_req_t *rq) { return rq->uri; }
const char *http_req_query(const http_req_t *rq) { return rq->query; }
bool http_req_tls(const http_req_t *rq) { return rq->tls; }
const char *http_req_client_text(const http_req_t *rq) { return rq->client_text; }
void *http_req_data(const http_req_t *rq) { return rq->data; }

const struct sockaddr *http_req_client(const http_req_t *rq)
{
	return (const struct sockaddr *)&rq->client;
}

const char *http_req_header(const http_req_t *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_req_body(const http_req_t *rq, size_t *len)
{
	*len = rq->body_len;
	return rq->body;
}

void http_req_set_data(http_req_t *rq, void *data, void (*free_fn)(void *))
{
	rq->data = data;
	rq->free_fn = free_fn;
}

int http_reply_header(http_req_t *rq, const char *name, const char *value)
{
	if (rq->nh >= HTTP_HEADERS_MAX)
		return DZ_ELIMIT;
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return DZ_ENOMEM;
	}
	rq->hname[rq->nh] = n;
	rq->hval[rq->nh] = v;
	rq->nh++;
	return 0;
}

int http_reply(http_req_t *rq, unsigned status, const char *ctype,
               const char *body, size_t len, bool close)
{
	if (len > HTTP_BODY_MAX)
		return DZ_ELIMIT;
	char *b = malloc(len ? len : 1);
	if (!b)
		return DZ_ENOMEM;
	memcpy(b, body, len);
	free(rq->reply);
	rq->reply = b;
	rq->reply_len = len;
	rq->status = status;
	snprintf(rq->ctype, sizeof rq->ctype, "%s", ctype ? ctype : "text/plain");
	rq->close = close;
	rq->replied = true;
	return 0;
}

void http_suspend(http_req_t *rq)
{
	pthread_mutex_lock(&rq->lock);
	rq->state = RQ_SUSPENDING;
	pthread_mutex_unlock(&rq->lock);
}

void http_resume(http_req_t *rq)
{
	pthread_mutex_lock(&rq->lock);
	enum rq_state was = rq->state;
	/* RQ_RESUMED before MHD may run the connection again: were it set
	 * after, MHD's thread could call on_request while the state still
	 * said suspended, get no reply and poll again at once until this
	 * thread ran (on one core, a whole time slice of busy polling).
	 * RQ_SUSPENDING: the handler has not returned yet and will see this
	 * and reply without suspending. */
	rq->state = RQ_RESUMED;
	if (was == RQ_SUSPENDED)
		MHD_resume_connection(rq->conn);
	pthread_mutex_unlock(&rq->lock);
}

/* The state, as the committer thread last left it. */
static enum rq_state req_state(http_req_t *rq)
{
	pthread_mutex_lock(&rq->lock);
	enum rq_state s = rq->state;
	pthread_mutex_unlock(&rq->lock);
	return s;
}

static void req_free(http_req_t *rq)
{
	if (!rq)
		return;
	if (rq->free_fn)
		rq->free_fn(rq->data);
	for (unsigned i = 0; i < rq->nh; i++) {
		free(rq->hname[i]);
		free(rq->hval[i]);
	}
	free(rq->reply);
	free(rq->body);
	free(rq->uri);
	pthread_mutex_destroy(&rq->lock);
	free(rq);
}

/* MHD callbacks ------------------------------------------------------------ */

/* Called first for every request, with the URI as received: the raw query
 * string is taken from here (MHD would decode it). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct listener *l = cls;
	size_t n = strnlen(uri, URI_MAX + 1);
	http_req_t *rq = calloc(1, sizeof *rq);
	if (!rq)
		return NULL;
	rq->h = l->h;
	rq->tls = l->tls;
	rq->conn = conn;
	pthread_mutex_init(&rq->lock, NULL);
	if (n > URI_MAX)
		n = 0;         /* answered 414 by the handler */
	rq->uri_too_long = n == 0 && uri[0];
	rq->uri = malloc(n + 2);
	if (!rq->uri) {
		req_free(rq);
		return NULL;
	}
	memcpy(rq->uri, uri, n);
	rq->uri[n] = 0;
	rq->uri[n + 1] = 0;
	char *q = strchr(rq->uri, '?');
	if (q) {
		*q = 0;
		rq->query = q + 1;
	} else {
		rq->query = rq->uri + n + 1;
	}
	return rq;
}

/* Request deadlines ----------------------------------------------------------
 *
 * libmicrohttpd's timeout is for idle gaps: a client sending one header line
 * every few seconds keeps its connection for ever, and enough of them take
 * every connection.  So each connection gets a deadline instead, http-timeout
 * seconds from its start (or from the end of its last request) for a whole
 * request, head and body, to arrive; the timer thread closes (shutdown) the
 * ones past it every second.  While a request is answered (a handler, a
 * suspended request waiting for its commit) there is no deadline.
 * libmicrohttpd tells us of a connection's end (NOTIFY_CLOSED) before it
 * closes the descriptor, and the slot goes under slots_lock: a shutdown
 * under that lock never reaches a descriptor that was closed and reused. */

static struct conn_slot *conn_slot(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Set a connection's deadline (0: none) from an MHD thread. */
static void conn_deadline(http_t *h, struct MHD_Connection *conn, uint64_t at)
{
	struct conn_slot *s = conn_slot(conn);
	if (!s)
		return;
	pthread_mutex_lock(&h->slots_lock);
	s->deadline = at;
	pthread_mutex_unlock(&h->slots_lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	http_t *h = cls;
	struct conn_slot *s = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ca =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		s = calloc(1, sizeof *s);
		if (!s || !fd) {
			free(s);
			return;    /* unwatched: libmicrohttpd's idle timeout still holds */
		}
		s->fd = fd->connect_fd;
		s->deadline = clock_ms() + 1000ull * h->timeout;
		if (ca && ca->client_addr) {
			const struct sockaddr *sa = ca->client_addr;
			if (sa->sa_family == AF_INET6)
				ip6_text(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, s->client);
			else if (sa->sa_family == AF_INET)
				ip4_text((const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr,
				         s->client);
		}
		pthread_mutex_lock(&h->slots_lock);
		s->next = h->slots;
		if (h->slots)
			h->slots->prev = s;
		h->slots = s;
		pthread_mutex_unlock(&h->slots_lock);
		*socket_context = s;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && s) {
		pthread_mutex_lock(&h->slots_lock);
		if (s->prev)
			s->prev->next = s->next;
		else
			h->slots = s->next;
		if (s->next)
			s->next->prev = s->prev;
		pthread_mutex_unlock(&h->slots_lock);
		free(s);
		*socket_context = NULL;
	}
}

/* Timer thread: close the connections past their deadline, then look
 * again in a second. */
static void reap(struct timer *t)
{
	http_t *h = (http_t *)((char *)t - offsetof(http_t, reaper));
	uint64_t now = clock_ms();
	unsigned n = 0;
	char last[IPTEXT_MAX] = "";
	pthread_mutex_lock(&h->slots_lock);
	for (struct conn_slot *s = h->slots; s; s = s->next) {
		if (s->deadline && now >= s->deadline) {
			shutdown(s->fd, SHUT_RDWR);
			s->deadline = 0;
			memcpy(last, s->client, sizeof last);
			n++;
		}
	}
	pthread_mutex_unlock(&h->slots_lock);
	if (n)
		log_info("http: closed %u connection%s that sent no whole request in %u s "
		         "(the last from %s)", n, n == 1 ? "" : "s", h->timeout, last);
	timer_at(h->timers, &h->reaper, now + REAP_MS);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	http_t *h = cls;
	req_free(*con_cls);
	*con_cls = NULL;
	/* the next request on this connection has its own http-timeout */
	conn_deadline(h, conn, clock_ms() + 1000ull * h->timeout);
}

static const struct http_route *find_route(const http_t *h, const char *method,
                                          const char *path, bool *wrong_method)
{
	*wrong_method = false;
	for (unsigned i = 0; i < h->nroutes; i++) {
		const struct http_route *r = &h->routes[i];
		size_t pl = strlen(r->path);
		bool match = pl && r->path[pl - 1] == '*'
			? strncmp(path, r->path, pl - 1) == 0
			: strcmp(path, r->path) == 0;
		if (!match)
			continue;
		if (r->method && strcmp(r->method, method) != 0 &&
		    !(strcmp(r->method, "GET") == 0 && strcmp(method, "HEAD") == 0)) {
			*wrong_method = true;
			continue;
		}
		return r;
	}
	return NULL;
}

static enum MHD_Result send_reply(http_req_t *rq)
{
	if (!rq->replied)
		http_reply(rq, 500, "text/plain", "internal error\n", 15, true);
	if (!rq->replied)
		return MHD_NO;
	struct MHD_Response *resp = MHD_create_response_from_buffer(rq->reply_len, rq->reply,
	                                                            MHD_RESPMEM_MUST_FREE);
	if (!resp)
		return MHD_NO;
	rq->reply = NULL;       /* MHD owns it now */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rq->ctype);
	for (unsigned i = 0; i < rq->nh; i++)
		MHD_add_response_header(resp, rq->hname[i], rq->hval[i]);
	if (rq->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result r = MHD_queue_response(rq->conn, rq->status, resp);
	MHD_destroy_response(resp);
	rq->state = RQ_DONE;
	return r;
}

static enum MHD_Result simple(http_req_t *rq, unsigned status, const char *text)
{
	http_reply(rq, status, "text/plain", text, strlen(text), true);
	return send_reply(rq);
}

struct clen {
	unsigned n;
	bool differ;
	const char *first;
};

static enum MHD_Result clen_collect(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
	struct clen *cl = cls;
	if (key && strcasecmp(key, "Content-Length") == 0) {
		if (cl->n++ == 0)
			cl->first = value;
		else if (!value || !cl->first || strcmp(value, cl->first) != 0)
			cl->differ = true;
	}
	return MHD_YES;
}

enum { BODY_OK, BODY_BAD, BODY_TOO_LARGE };

/* Look at the framing before any body is read (RFC 9112 §6.3): two
 * different Content-Lengths are refused, and so is a length over the
 * route's cap, at once (before any 100 Continue), so a client never gets
 * to send a body we would drop; so is Content-Length together with
 * Transfer-Encoding.  Each answer closes the connection. */
static int body_length_check(http_req_t *rq)
{
	struct clen cl = { 0, false, NULL };
	MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, clen_collect, &cl);
	if (cl.differ)
		return BODY_BAD;
	/* both framings at once: a request smuggler's tool (§6.3 item 3) */
	if (cl.first && MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
	                                            "Transfer-Encoding"))
		return BODY_BAD;
	if (!cl.first)
		return BODY_OK;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(cl.first, &end, 10);
	if (errno || end == cl.first || *end || cl.first[0] == '-')
		return BODY_BAD;
	return n > rq->route->max_body ? BODY_TOO_LARGE : BODY_OK;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	http_req_t *rq = *con_cls;
	if (!rq)
		return MHD_NO;     /* out of memory in on_uri: drop the connection */
	if (rq->state == RQ_NEW) {
		rq->conn = conn;
		rq->method = method;
		resolve_client(rq);
		if (rq->uri_too_long)
			return simple(rq, 414, "URI too long\n");
		bool wrong_method;
		rq->route = find_route(rq->h, method, rq->uri, &wrong_method);
		if (!rq->route)
			return wrong_method ? simple(rq, 405, "method not allowed\n")
			                    : simple(rq, 404, "not found\n");
		switch (body_length_check(rq)) {
		case BODY_BAD:
			return simple(rq, 400, "conflicting message framing\n");
		case BODY_TOO_LARGE:
			return simple(rq, 413, "request body too large\n");
		default:
			break;
		}
		rq->state = RQ_BODY;
		return MHD_YES;
	}
	if (rq->state == RQ_BODY && *upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (rq->body_len + n > rq->route->max_body) {
			/* a chunked body past the cap: answer now and close, never
			 * read the rest */
			return simple(rq, 413, "request body too large\n");
		}
		char *nb = realloc(rq->body, rq->body_len + n + 1);
		if (!nb)
			return MHD_NO;
		memcpy(nb + rq->body_len, upload_data, n);
		rq->body = nb;
		rq->body_len += n;
		rq->body[rq->body_len] = 0;
		return MHD_YES;
	}
	if (rq->state == RQ_BODY) {
		/* the whole request is in: no deadline while it is answered */
		conn_deadline(rq->h, conn, 0);
		rq->route->fn(rq, rq->route->arg);
		pthread_mutex_lock(&rq->lock);
		if (rq->state == RQ_SUSPENDING) {
			MHD_suspend_connection(conn);
			rq->state = RQ_SUSPENDED;
			pthread_mutex_unlock(&rq->lock);
			return MHD_YES;
		}
		pthread_mutex_unlock(&rq->lock);
		return send_reply(rq);
	}
	if (req_state(rq) == RQ_RESUMED)
		return send_reply(rq);
	/* RQ_DONE: called again after the reply was queued; a body still
	 * coming is dropped */
	*upload_size = 0;
	return MHD_YES;
}

/* MHD's messages (format strings from the library itself) */
__attribute__((format(printf, 2, 0)))
static void on_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	log_debug("http: %s", msg);
}

/* Setup ------------------------------------------------------------------ */

static int read_pem(const char *path, char **out, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	char *buf = NULL;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return DZ_EIO;
	}
	if (fstat(fd, &sb) || sb.st_size <= 0 || sb.st_size > PEM_MAX) {
		snprintf(err, errlen, "%s: empty, unreadable or larger than %d bytes", path, PEM_MAX);
		goto fail;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	size_t got = 0;
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", path, n ? strerror(errno) : "short read");
			goto fail;
		}
		got += (size_t)n;
	}
	buf[got] = 0;
	close(fd);
	*out = buf;
	return 0;
fail:
	free(buf);
	close(fd);
	return DZ_EIO;
}

#if MBEDTLS_VERSION_MAJOR >= 3
static int pk_rng(void *unused, unsigned char *buf, size_t len)
{
	(void)unused;
	return rand_bytes(buf, len) ? -1 : 0;
}
#endif

/* Parse the PEM certificate chain and key and check that the key is the
 * certificate's, before libmicrohttpd is given them: a daemon that fails
 * to start on a shared listen socket closes it, which a reload must not
 * risk.  0, or DZ_EINVAL with a message naming the files. */
static int check_pair(const char *cert, const char *key, const char *cpath,
                      const char *kpath, char *err, size_t errlen)
{
	mbedtls_x509_crt crt;
	mbedtls_pk_context pk;
	int rc = DZ_EINVAL;
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&pk);
	if (mbedtls_x509_crt_parse(&crt, (const unsigned char *)cert, strlen(cert) + 1)) {
		snprintf(err, errlen, "%s: no PEM certificate could be read", cpath);
		goto fail;
	}
#if MBEDTLS_VERSION_MAJOR >= 3
	if (mbedtls_pk_parse_key(&pk, (const unsigned char *)key, strlen(key) + 1, NULL, 0,
	                         pk_rng, NULL)) {
#else
	if (mbedtls_pk_parse_key(&pk, (const unsigned char *)key, strlen(key) + 1, NULL, 0)) {
#endif
		snprintf(err, errlen, "%s: no unencrypted PEM private key could be read", kpath);
		goto fail;
	}
#if MBEDTLS_VERSION_MAJOR >= 3
	if (mbedtls_pk_check_pair(&crt.pk, &pk, pk_rng, NULL)) {
#else
	if (mbedtls_pk_check_pair(&crt.pk, &pk)) {
#endif
		snprintf(err, errlen, "%s is not the key of the certificate in %s", kpath, cpath);
		goto fail;
	}
	rc = 0;
fail:
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&crt);
	return rc;
}

static int bind_one(http_t *h, const struct conf_addr *a, bool tls, char *err, size_t errlen)
{
	struct listener *l = &h->l[h->nl];
	int one = 1;
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) || listen(fd, 512))
		goto fail;
	l->h = h;
	l->fd = fd;
	l->tls = tls;
	snprintf(l->text, sizeof l->text, "%s", a->text);
	h->nl++;
	return 0;
fail:
	snprintf(err, errlen, "http%s on %s: %s", tls ? "s" : "", a->text, strerror(errno));
	if (fd >= 0)
		close(fd);
	return DZ_EIO;
}

int http_open(http_t **out, const struct config *c, char *err, size_t errlen)
{
	http_t *h;
	*out = NULL;
	if (c->http_listen.n == 0 && c->https_listen.n == 0)
		return 0;
	h = calloc(1, sizeof *h);
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	pthread_mutex_init(&h->slots_lock, NULL);
	h->threads = (unsigned)c->http_threads;
	h->max_conn = (unsigned)c->http_max_connections;
	h->per_ip = (unsigned)c->http_max_per_ip;
	h->timeout = (unsigned)c->http_timeout;
	h->mem_limit = (unsigned)c->http_max_request;
	for (unsigned i = 0; i < c->trusted_proxy.n; i++) {
		if (cidr_parse(c->trusted_proxy.s[i], &h->proxies[h->nproxies])) {
			snprintf(err, errlen, "trusted-proxy: '%s' is not ADDRESS or ADDRESS/BITS",
			         c->trusted_proxy.s[i]);
			goto fail;
		}
		h->nproxies++;
	}
	if (c->https_listen.n) {
		if (!c->tls_cert || !c->tls_key) {
			snprintf(err, errlen, "https-listen needs tls-cert and tls-key");
			goto fail;
		}
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			snprintf(err, errlen, "this libmicrohttpd has no TLS support");
			goto fail;
		}
		if (read_pem(c->tls_cert, &h->cert, err, errlen) ||
		    read_pem(c->tls_key, &h->key, err, errlen))
			goto fail;
		if (check_pair(h->cert, h->key, c->tls_cert, c->tls_key, err, errlen))
			goto fail;
		h->cert_path = c->tls_cert;
		h->key_path = c->tls_key;
	}
	for (unsigned i = 0; i < c->http_listen.n; i++)
		if (bind_one(h, &c->http_listen.a[i], false, err, errlen))
			goto fail;
	for (unsigned i = 0; i < c->https_listen.n; i++)
		if (bind_one(h, &c->https_listen.a[i], true, err, errlen))
			goto fail;
	*out = h;
	return 0;
fail:
	http_close(h);
	return DZ_EINVAL;
}

int http_route_add(http_t *h, const struct http_route *r)
{
	for (unsigned i = 0; i < h->nroutes; i++) {
		const struct http_route *o = &h->routes[i];
		if (strcmp(o->path, r->path) == 0 &&
		    ((!o->method && !r->method) ||
		     (o->method && r->method && strcmp(o->method, r->method) == 0))) {
			h->routes[i] = *r;
			return 0;
		}
	}
	if (h->nroutes >= HTTP_ROUTES_MAX)
		return DZ_ELIMIT;
	h->routes[h->nroutes++] = *r;
	return 0;
}

static struct MHD_Daemon *start_daemon(http_t *h, struct listener *l, unsigned poll_flag)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | poll_flag | MHD_ALLOW_SUSPEND_RESUME |
	                 MHD_USE_ERROR_LOG | MHD_USE_TURBO | (l->tls ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, h->key },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert },
		{ MHD_OPTION_END, 0, NULL },
	};
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)l->fd,
		MHD_OPTION_THREAD_POOL_SIZE, h->threads,
		MHD_OPTION_CONNECTION_LIMIT, h->max_conn,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, h->per_ip,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)h->mem_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, h->timeout,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
		MHD_OPTION_ARRAY, l->tls ? tls_opts : tls_opts + 2,
		MHD_OPTION_END);
}

static struct MHD_Daemon *start_either(http_t *h, struct listener *l)
{
	struct MHD_Daemon *d = start_daemon(h, l, MHD_USE_EPOLL);
	return d ? d : start_daemon(h, l, MHD_USE_AUTO);
}

int http_start(http_t *h, timers_t *ts, char *err, size_t errlen)
{
	h->timers = ts;
	h->reaper.fire = reap;
	if (timer_at(ts, &h->reaper, clock_ms() + REAP_MS)) {
		snprintf(err, errlen, "http: the timers have stopped");
		return DZ_EIO;
	}
	for (unsigned i = 0; i < h->nl; i++) {
		struct listener *l = &h->l[i];
		l->d = start_either(h, l);
		if (!l->d) {
			snprintf(err, errlen, "cannot start the HTTP%s daemon on %s",
			         l->tls ? "S" : "", l->text);
			return DZ_EIO;
		}
		log_info("http%s on %s", l->tls ? "s" : "", l->text);
	}
	return 0;
}

static void free_key(char *key)
{
	if (key)
		explicit_bzero(key, strlen(key));
	free(key);
}

/* Stop the retired daemons with no connection left (wait: all of them). */
static void sweep_retired(http_t *h, bool wait)
{
	for (struct retired **p = &h->retired; *p;) {
		struct retired *r = *p;
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!wait && (!di || di->num_connections)) {
			p = &r->next;
			continue;
		}
		MHD_stop_daemon(r->d);   /* quiesced: the listen socket stays open */
		free(r->cert);
		free_key(r->key);
		*p = r->next;
		free(r);
	}
}

int http_reload_tls(http_t *h, char *err, size_t errlen)
{
	char *old_cert, *old_key, *cert = NULL, *key = NULL;
	struct MHD_Daemon *fresh[2 * CONF_MAX_LISTEN] = { 0 };
	struct retired *rs[2 * CONF_MAX_LISTEN] = { 0 };
	unsigned ntls = 0;
	if (!h || !h->cert_path)
		return 0;
	sweep_retired(h, false);
	for (unsigned i = 0; i < h->nl; i++)
		if (h->l[i].tls && h->l[i].d && !h->l[i].quiesced)
			ntls++;
	if (!ntls)
		return 0;
	if (read_pem(h->cert_path, &cert, err, errlen) ||
	    read_pem(h->key_path, &key, err, errlen) ||
	    check_pair(cert, key, h->cert_path, h->key_path, err, errlen))
		goto fail;
	for (unsigned i = 0; i < ntls; i++) {
		rs[i] = calloc(1, sizeof *rs[i]);
		if (!rs[i]) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	/* new daemons on the same listen sockets, beside the old ones; the
	 * start fails if libmicrohttpd (GnuTLS) rejects the pair */
	old_cert = h->cert;
	old_key = h->key;
	h->cert = cert;
	h->key = key;
	for (unsigned i = 0; i < h->nl; i++) {
		struct listener *l = &h->l[i];
		if (!l->tls || !l->d || l->quiesced)
			continue;
		fresh[i] = start_either(h, l);
		if (!fresh[i]) {
			snprintf(err, errlen, "%s or %s: the certificate or key was rejected",
			         h->cert_path, h->key_path);
			h->cert = old_cert;
			h->key = old_key;
			goto fail_started;
		}
	}
	/* then the old ones stop accepting and finish what they have */
	unsigned k = 0;
	for (unsigned i = 0; i < h->nl; i++) {
		struct listener *l = &h->l[i];
		if (!fresh[i])
			continue;
		MHD_quiesce_daemon(l->d);
		struct retired *r = rs[k++];
		r->d = l->d;
		if (k == 1) {        /* the strings go with the first one */
			r->cert = old_cert;
			r->key = old_key;
		}
		r->next = h->retired;
		h->retired = r;
		l->d = fresh[i];
		log_info("https on %s: certificate reloaded from %s", l->text, h->cert_path);
	}
	while (k < ntls)
		free(rs[k++]);
	sweep_retired(h, false);
	return 0;
fail_started:
	/* a later listener refused what an earlier one took (cannot happen
	 * with one pair for all, but leave nothing half done) */
	for (unsigned i = 0; i < h->nl; i++) {
		if (fresh[i]) {
			MHD_quiesce_daemon(fresh[i]);
			MHD_stop_daemon(fresh[i]);
		}
	}
fail:
	for (unsigned i = 0; i < ntls; i++)
		free(rs[i]);
	free(cert);
	free_key(key);
	return DZ_EINVAL;
}

void http_quiesce(http_t *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < h->nl; i++) {
		struct listener *l = &h->l[i];
		if (l->d && !l->quiesced) {
			/* the listen socket is handed back to us */
			l->fd = MHD_quiesce_daemon(l->d);
			l->quiesced = true;
		}
	}
}

void http_close(http_t *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < h->nl; i++) {
		struct listener *l = &h->l[i];
		if (l->d) {
			MHD_stop_daemon(l->d);
			if (!l->quiesced)
				l->fd = -1;    /* the daemon closed it */
		}
		if (l->fd >= 0)
			close(l->fd);
	}
	sweep_retired(h, true);
	while (h->slots) {          /* none are left once the daemons stop */
		struct conn_slot *s = h->slots;
		h->slots = s->next;
		free(s);
	}
	pthread_mutex_destroy(&h->slots_lock);
	free_key(h->key);
	free(h->cert);
	free(h);
}
