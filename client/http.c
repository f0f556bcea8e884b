/* A minimal HTTP/1.1 GET client; see http.h. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/base64.h>

#include "tls.h"
#include "util.h"

#ifndef DU_VERSION
#define DU_VERSION "0"
#endif
#define USER_AGENT "dynzone-update/" DU_VERSION
#define REQ_MAX (URL_TEXT_MAX + URL_HOST_MAX + 2048)
#define CRED_MAX 520          /* user:password for Basic auth */

/* ---- URLs ---------------------------------------------------------------- */

int http_parse_url(const char *text, struct url *u)
{
	const char *p = text, *host, *hend, *port = NULL, *pend;
	size_t hl;

	memset(u, 0, sizeof *u);
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return DZ_EFORMAT;
	if (strncasecmp(p, "https://", 8) == 0) {
		u->tls = true;
		p += 8;
	} else if (strncasecmp(p, "http://", 7) == 0) {
		p += 7;
	} else {
		return DZ_EFORMAT;
	}
	pend = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(pend - p)))
		return DZ_EFORMAT;   /* credentials belong in the config, not URLs */
	if (*p == '[') {
		host = p + 1;
		hend = memchr(host, ']', (size_t)(pend - host));
		if (!hend)
			return DZ_EFORMAT;
		if (hend + 1 < pend) {
			if (hend[1] != ':')
				return DZ_EFORMAT;
			port = hend + 2;
		}
	} else {
		host = p;
		hend = memchr(p, ':', (size_t)(pend - p));
		if (hend)
			port = hend + 1;
		else
			hend = pend;
	}
	hl = (size_t)(hend - host);
	if (hl == 0)
		return DZ_EFORMAT;
	if (util_copy(u->host, sizeof u->host, host, hl) < 0)
		return DZ_ESPACE;
	if (port) {
		unsigned long long v;
		if (util_parse_uint(port, (size_t)(pend - port), 65535, &v) < 0 || v == 0)
			return DZ_EFORMAT;
		snprintf(u->port, sizeof u->port, "%u", (unsigned)v & 0xffff);
	} else {
		memcpy(u->port, u->tls ? "443" : "80", u->tls ? 4 : 3);
	}
	/* The target: path and query, never the fragment. */
	textbuf_t b;
	textbuf_init(&b, u->target, sizeof u->target);
	if (*pend != '/')
		textbuf_str(&b, "/");
	textbuf_add(&b, pend, strcspn(pend, "#"));
	return b.err;
}

/* ---- replies ------------------------------------------------------------- */

/* Case-insensitive: does header line [s, e) start with `name:`?  Then point
 * *val at the trimmed value. */
static bool header_is(const char *s, const char *e, const char *name,
                      const char **val, const char **vend)
{
	size_t n = strlen(name);
	if ((size_t)(e - s) <= n || strncasecmp(s, name, n) != 0 || s[n] != ':')
		return false;
	s += n + 1;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*val = s;
	*vend = e;
	return true;
}

static long parse_retry_after(const char *v, size_t n, int64_t now)
{
	unsigned long long secs;
	char date[64];
	struct tm tm;

	if (util_parse_uint(v, n, 10ULL * 365 * 86400, &secs) == 0)
		return (long)secs;
	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT". */
	if (util_copy(date, sizeof date, v, n) < 0)
		return -1;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return -1;
	int64_t when = (int64_t)timegm(&tm);
	return when > now ? (long)(when - now) : 0;
}

static void body_add(struct http_resp *r, const char *p, size_t n)
{
	size_t room = HTTP_BODY_MAX - r->body_len;
	if (n > room)
		n = room;   /* only the start of a long body matters to us */
	memcpy(r->body + r->body_len, p, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

static int parse_chunked(const char *p, const char *end, struct http_resp *r)
{
	for (;;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		unsigned long long size = 0;
		int digits = 0;
		if (!eol)
			return DZ_EFORMAT;
		for (; p < eol; p++, digits++) {
			int d;
			if (*p >= '0' && *p <= '9') d = *p - '0';
			else if (*p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
			else if (*p >= 'A' && *p <= 'F') d = *p - 'A' + 10;
			else break;
			if (digits >= 8)
				return DZ_ELIMIT;
			size = size * 16 + (unsigned)d;
		}
		if (digits == 0)
			return DZ_EFORMAT;
		p = eol + 1;
		if (size == 0)
			return 0;   /* trailers, if any, are ignored */
		if (size > (unsigned long long)(end - p))
			return DZ_EFORMAT;
		body_add(r, p, (size_t)size);
		p += size;
		if (p < end && *p == '\r')
			p++;
		if (p >= end || *p != '\n')
			return DZ_EFORMAT;
		p++;
	}
}

/* End of the header block (just past the blank line), or NULL. */
static const char *headers_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return buf + i + 2;
		if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
			return buf + i + 3;
	}
	return NULL;
}

int http_parse_response(const char *buf, size_t len, int64_t now,
                        struct http_resp *r)
{
	const char *end = buf + len, *hend = headers_end(buf, len), *p, *eol;
	const char *v, *ve;
	long long clen = -1;
	bool chunked = false;

	r->status = 0;
	r->retry_after = -1;
	r->body_len = 0;
	r->body[0] = '\0';
	if (!hend || len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return DZ_EFORMAT;
	for (int i = 9; i < 12; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return DZ_EFORMAT;
		r->status = r->status * 10 + (buf[i] - '0');
	}
	if (r->status < 100)
		return DZ_EFORMAT;
	p = memchr(buf, '\n', len) + 1;
	for (; p < hend; p = eol + 1) {
		unsigned long long n;
		eol = memchr(p, '\n', (size_t)(hend - p));
		if (header_is(p, eol, "Retry-After", &v, &ve)) {
			r->retry_after = parse_retry_after(v, (size_t)(ve - v), now);
		} else if (header_is(p, eol, "Content-Length", &v, &ve)) {
			if (util_parse_uint(v, (size_t)(ve - v), HTTP_RESP_MAX, &n) < 0)
				return DZ_EFORMAT;
			clen = (long long)n;
		} else if (header_is(p, eol, "Transfer-Encoding", &v, &ve)) {
			chunked = ve - v >= 7 && strncasecmp(ve - 7, "chunked", 7) == 0;
		}
	}
	if (chunked)
		return parse_chunked(hend, end, r);
	if (clen >= 0) {
		if (clen > end - hend)
			return DZ_EFORMAT;   /* cut short */
		end = hend + clen;
	}
	body_add(r, hend, (size_t)(end - hend));
	return 0;
}

/* Whether `buf` already holds a whole reply framed by Content-Length (so we
 * need not wait for the server to close). */
static bool reply_complete(const char *buf, size_t len)
{
	const char *hend = headers_end(buf, len), *p, *eol, *v, *ve;
	unsigned long long n;
	if (!hend)
		return false;
	for (p = buf; p < hend; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(hend - p));
		if (header_is(p, eol, "Content-Length", &v, &ve) &&
		    util_parse_uint(v, (size_t)(ve - v), HTTP_RESP_MAX, &n) == 0)
			return n <= (size_t)(buf + len - hend);
	}
	return false;
}

/* ---- connections --------------------------------------------------------- */

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)(const void *)sa;
		const uint8_t *a = s->sin6_addr.s6_addr;
		return IN6_IS_ADDR_LOOPBACK(&s->sin6_addr) ||
		       (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr) && a[12] == 127);
	}
	return false;
}

static void addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	const void *a = sa->sa_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (!inet_ntop(sa->sa_family, a, out, (socklen_t)cap))
		util_copy_str(out, cap, "?");
}

static int connect_one(const struct addrinfo *ai, int64_t deadline_ms)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
	                ai->ai_protocol);
	int soerr = 0;
	socklen_t sl = sizeof soerr;

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	if (util_wait_fd(fd, POLLOUT, deadline_ms) < 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		goto fail;
	if (soerr) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

/* Connect to the first address of `u` that answers.  Returns the socket,
 * or a negative DZ_E* code with r->why set. */
static int dial(const struct url *u, const struct http_opts *o,
                int64_t deadline_ms, struct http_resp *r)
{
	struct addrinfo hints = { .ai_family = o->family, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	int fd = -1, refused = 0, tried = 0, gai, err = 0;
	char where[64] = "";

	gai = getaddrinfo(u->host, u->port, &hints, &res);
	if (gai != 0) {
		util_fmt(r->why, sizeof r->why, "cannot resolve %s: %s", u->host,
		         gai_strerror(gai));
		return DZ_EIO;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (!u->tls && o->secret && !o->allow_plain && !is_loopback(ai->ai_addr)) {
			refused++;
			continue;
		}
		/* Leave time for the next address if this one is a black hole. */
		int64_t left = deadline_ms - util_mono_ms();
		int64_t until = ai->ai_next ? util_mono_ms() + left / 2 : deadline_ms;
		tried++;
		addr_text(ai->ai_addr, where, sizeof where);
		fd = connect_one(ai, until);
		if (fd >= 0)
			break;
		err = errno;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		return fd;
	if (refused && !tried) {
		util_fmt(r->why, sizeof r->why,
		         "refusing to send a token over plain HTTP to %s (not loopback; "
		         "use https or set allow-plain-http = yes)", u->host);
		return DZ_EAUTH;
	}
	util_fmt(r->why, sizeof r->why, "cannot connect to %s port %s (%s): %s",
	         u->host, u->port, where, strerror(err));
	return DZ_EIO;
}

static int build_request(const struct url *u, const struct http_opts *o,
                         char *req, size_t cap, size_t *len)
{
	textbuf_t b;
	bool v6 = strchr(u->host, ':') != NULL;
	bool dflt = strcmp(u->port, u->tls ? "443" : "80") == 0;

	textbuf_init(&b, req, cap);
	textbuf_fmt(&b, "GET %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", u->target,
	           v6 ? "[" : "", u->host, v6 ? "]" : "", dflt ? "" : ":",
	           dflt ? "" : u->port);
	textbuf_str(&b, "User-Agent: " USER_AGENT "\r\nAccept: text/plain\r\n"
	               "Connection: close\r\n");
	if (o->user) {
		char cred[CRED_MAX], enc[CRED_MAX * 4 / 3 + 8];
		size_t elen = 0;
		textbuf_t c;
		textbuf_init(&c, cred, sizeof cred);
		textbuf_fmt(&c, "%s:%s", o->user, o->pass ? o->pass : "");
		int ret = c.err ? -1 : mbedtls_base64_encode((unsigned char *)enc,
		                  sizeof enc, &elen, (const unsigned char *)cred, c.len);
		util_wipe(cred, sizeof cred);
		if (ret != 0)
			return DZ_ESPACE;
		textbuf_str(&b, "Authorization: Basic ");
		textbuf_add(&b, enc, elen);
		textbuf_str(&b, "\r\n");
		util_wipe(enc, sizeof enc);
	}
	textbuf_str(&b, "\r\n");
	*len = b.len;
	return b.err;
}

int http_get(const struct url *u, const struct http_opts *o,
             struct http_resp *r)
{
	char req[REQ_MAX], buf[HTTP_RESP_MAX];
	size_t reqlen = 0, got = 0;
	struct tls *tls = NULL;
	int64_t deadline = util_mono_ms() + (int64_t)(o->timeout ? o->timeout : 30) * 1000;
	int fd = -1, err;

	r->why[0] = '\0';
	r->status = 0;
	r->retry_after = -1;
	r->body_len = 0;
	r->body[0] = '\0';
	err = build_request(u, o, req, sizeof req, &reqlen);
	if (err < 0) {
		util_fmt(r->why, sizeof r->why, "request too long");
		goto fail;
	}
	fd = dial(u, o, deadline, r);
	if (fd < 0) {
		err = fd;
		goto fail;
	}
	if (u->tls) {
		err = tls_start(&tls, fd, deadline, u->host, o->ca_file, r->why,
		                sizeof r->why);
		/* An untrusted certificate may be renewed or fixed: to the caller
		 * it is a failed connection (back off), not a refusal (stop). */
		if (err == DZ_EAUTH)
			err = DZ_EIO;
		if (err < 0)
			goto fail;
		err = tls_send(tls, req, reqlen);
	} else {
		size_t off = 0;
		err = 0;
		while (off < reqlen && err == 0) {
			ssize_t n = -1;
			err = util_wait_fd(fd, POLLOUT, deadline);
			if (err == 0)
				n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
			else if (err == 0 && errno != EINTR && errno != EAGAIN)
				err = DZ_EIO;
		}
	}
	if (err < 0) {
		util_fmt(r->why, sizeof r->why, "sending to %s: %s", u->host,
		         strerror(errno));
		goto fail;
	}
	for (;;) {
		long n;
		if (got == sizeof buf) {
			util_fmt(r->why, sizeof r->why, "reply from %s over %zu bytes",
			         u->host, sizeof buf);
			err = DZ_ELIMIT;
			goto fail;
		}
		if (tls) {
			n = tls_recv(tls, buf + got, sizeof buf - got);
		} else if (util_wait_fd(fd, POLLIN, deadline) < 0) {
			n = -1;
		} else {
			n = recv(fd, buf + got, sizeof buf - got, 0);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
		}
		if (n < 0) {
			util_fmt(r->why, sizeof r->why, "reading from %s: %s", u->host,
			         errno == ETIMEDOUT ? "timed out" : strerror(errno));
			err = DZ_EIO;
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (reply_complete(buf, got))
			break;
	}
	err = http_parse_response(buf, got, util_now(), r);
	if (err < 0) {
		util_fmt(r->why, sizeof r->why, got ? "malformed HTTP reply from %s"
		         : "no reply from %s (connection closed)", u->host);
		goto fail;
	}
	tls_end(tls);
	close(fd);
	util_wipe(req, sizeof req);
	return 0;

fail:
	tls_end(tls);
	if (fd >= 0)
		close(fd);
	util_wipe(req, sizeof req);
	return err;
}
