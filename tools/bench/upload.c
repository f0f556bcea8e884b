/*
 * upload: the dyndns2 update load generator for the DNS benchmark.
 *
 *   upload ADDR PORT RATE SECONDS HOSTFILE
 *
 * Sends RATE requests per second for SECONDS seconds to http://ADDR:PORT as
 * `GET /nic/update?hostname=H&myip=A` with Basic auth (user H, password the
 * host's token), taking hosts round robin from HOSTFILE (`host token` lines).
 * Like real clients it opens one connection per request and sends
 * `Connection: close`.  Requests are paced open-loop (request i is due at
 * i/RATE seconds); at most UP_INFLIGHT are outstanding, and a request that
 * falls due while all slots are busy is counted as `behind` and skipped, so
 * a slow server shows up as missed rate rather than as a slower clock.
 * Every address sent differs from the host's previous one, so each accepted
 * update is a real change (`good`), not `nochg`.
 *
 * Prints one line of key=value counts and latencies on stdout; exits 0 if it
 * ran (whatever the server answered), 2 on bad usage, 1 on a local failure.
 * Built by tools/bench/dns with `cc -O2 -I<repo>` into the bench work dir.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"

#define UP_INFLIGHT 256          /* concurrent connections */
#define UP_HOSTS_MAX 100000      /* lines read from HOSTFILE */
#define UP_NAME_MAX 254          /* host name, with NUL */
#define UP_TOKEN_MAX 256         /* token, with NUL */
#define UP_AUTH_MAX 700          /* base64 of "host:token", with NUL */
#define UP_REQ_MAX 1536          /* one request */
#define UP_RESP_MAX 1024         /* kept of one response; the rest is read and dropped */
#define UP_SAMPLES_MAX (1u << 21) /* latency samples kept */
#define UP_TIMEOUT_S 5.0         /* per request */
#define UP_RATE_MAX 100000
#define UP_SECONDS_MAX 3600

struct host {
	char name[UP_NAME_MAX];
	char auth[UP_AUTH_MAX];
};

enum slot_state { SLOT_FREE, SLOT_CONNECTING, SLOT_WRITING, SLOT_READING };

struct slot {
	enum slot_state state;
	int fd;
	double started;
	char req[UP_REQ_MAX];
	size_t req_len;
	size_t req_off;
	char resp[UP_RESP_MAX];
	size_t resp_len;
};

struct counts {
	unsigned long sent, completed, good, nochg, badauth, abuse, other;
	unsigned long http_errors, conn_errors, timeouts, behind;
	char first_other[80];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses a decimal in [lo, hi] into *out. */
static int parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return DZ_EINVAL;
	*out = v;
	return 0;
}

/* Writes base64(in[0..len)) with a NUL into out[0..cap). */
static int base64_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t need = (len + 2) / 3 * 4 + 1;
	size_t i;
	size_t o = 0;

	if (need > cap)
		return DZ_ESPACE;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}

/* Reads `host token` lines into a new array (*hosts, caller frees). */
static int read_hosts(const char *path, struct host **hosts, size_t *n)
{
	char line[UP_NAME_MAX + UP_TOKEN_MAX + 8];
	char cred[UP_NAME_MAX + UP_TOKEN_MAX];
	struct host *h = NULL;
	size_t count = 0;
	FILE *f;
	int err = 0;

	f = fopen(path, "r");
	if (f == NULL)
		return DZ_EIO;
	h = calloc(UP_HOSTS_MAX, sizeof *h);
	if (h == NULL) {
		err = DZ_ENOMEM;
		goto fail;
	}
	while (fgets(line, sizeof line, f) != NULL && count < UP_HOSTS_MAX) {
		size_t nl = strcspn(line, " \t\r\n");
		size_t ts = nl + strspn(line + nl, " \t");
		size_t tl = strcspn(line + ts, " \t\r\n");
		int k;

		if (nl == 0 || tl == 0)
			continue; /* blank or malformed line */
		if (nl >= UP_NAME_MAX || tl >= UP_TOKEN_MAX) {
			err = DZ_EFORMAT;
			goto fail;
		}
		memcpy(h[count].name, line, nl);
		h[count].name[nl] = '\0';
		k = snprintf(cred, sizeof cred, "%s:%.*s", h[count].name, (int)tl, line + ts);
		if (k < 0 || (size_t)k >= sizeof cred) {
			err = DZ_ESPACE;
			goto fail;
		}
		err = base64_encode((const unsigned char *)cred, (size_t)k,
				    h[count].auth, sizeof h[count].auth);
		if (err != 0)
			goto fail;
		count++;
	}
	if (count == 0) {
		err = DZ_ENOENT;
		goto fail;
	}
	fclose(f);
	*hosts = h;
	*n = count;
	return 0;
fail:
	free(h);
	fclose(f);
	return err;
}

static void slot_close(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = SLOT_FREE;
}

/* Starts request number seq on slot s: builds it and begins the connect. */
static int slot_start(struct slot *s, const struct addrinfo *ai, const char *hosthdr,
		      const struct host *h, unsigned long seq)
{
	int k;

	k = snprintf(s->req, sizeof s->req,
		     "GET /nic/update?hostname=%s&myip=198.19.%lu.%lu HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "Authorization: Basic %s\r\n"
		     "User-Agent: dynzone-bench-upload/1\r\n"
		     "Connection: close\r\n\r\n",
		     h->name, seq >> 8 & 255, seq & 255, hosthdr, h->auth);
	if (k < 0 || (size_t)k >= sizeof s->req)
		return DZ_ESPACE;
	s->req_len = (size_t)k;
	s->req_off = 0;
	s->resp_len = 0;
	s->started = now_s();
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return DZ_EIO;
	if (connect(s->fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
		slot_close(s);
		return DZ_EIO;
	}
	s->state = SLOT_CONNECTING;
	return 0;
}

/* Classifies a complete response into the counts. */
static void tally(struct counts *c, const struct slot *s)
{
	const char *body;
	const char *sp;
	unsigned long status = 0;
	char word[16];
	size_t wl;

	sp = memchr(s->resp, ' ', s->resp_len);
	if (s->resp_len >= 12 && memcmp(s->resp, "HTTP/1.", 7) == 0 && sp != NULL) {
		char code[4];
		memcpy(code, sp + 1, 3);
		code[3] = '\0';
		if (parse_ulong(code, 100, 599, &status) != 0)
			status = 0;
	}
	body = memmem(s->resp, s->resp_len, "\r\n\r\n", 4);
	if (body == NULL) {
		c->http_errors++;
		return;
	}
	body += 4;
	wl = strcspn(body, " \r\n");
	if (wl >= sizeof word)
		wl = sizeof word - 1;
	memcpy(word, body, wl);
	word[wl] = '\0';
	if (status == 200 && strcmp(word, "good") == 0)
		c->good++;
	else if (status == 200 && strcmp(word, "nochg") == 0)
		c->nochg++;
	else if (strcmp(word, "badauth") == 0)
		c->badauth++;
	else if (strcmp(word, "abuse") == 0)
		c->abuse++;
	else {
		c->other++;
		if (c->first_other[0] == '\0') {
			size_t ll = strcspn(s->resp, "\r\n");
			size_t bl = strcspn(body, "\r\n");
			snprintf(c->first_other, sizeof c->first_other, "%.*s / %.*s",
				 (int)(ll < 40 ? ll : 40), s->resp, (int)(bl < 30 ? bl : 30), body);
			for (char *q = c->first_other; *q != '\0'; q++)
				if (*q == '"' || (unsigned char)*q < 0x20)
					*q = '\''; /* keep the key=value line parseable */
		}
	}
	if (status < 200 || status > 299)
		c->http_errors++;
}

/* Moves slot s on after poll reported revents; records a finished request. */
static void slot_step(struct slot *s, short revents, struct counts *c,
		      uint32_t *samples, size_t *nsamples)
{
	char drop[4096];
	ssize_t r;

	if (s->state == SLOT_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			c->conn_errors++;
			slot_close(s);
			return;
		}
		s->state = SLOT_WRITING;
	}
	if (s->state == SLOT_WRITING && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		r = send(s->fd, s->req + s->req_off, s->req_len - s->req_off, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			c->conn_errors++;
			slot_close(s);
			return;
		}
		s->req_off += (size_t)r;
		if (s->req_off == s->req_len)
			s->state = SLOT_READING;
		return;
	}
	if (s->state != SLOT_READING || !(revents & (POLLIN | POLLERR | POLLHUP)))
		return;
	for (;;) {
		size_t room = sizeof s->resp - 1 - s->resp_len;
		if (room > 0)
			r = recv(s->fd, s->resp + s->resp_len, room, 0);
		else
			r = recv(s->fd, drop, sizeof drop, 0);
		if (r > 0) {
			if (room > 0)
				s->resp_len += (size_t)r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		break;
	}
	if (r < 0) {
		c->conn_errors++;
		slot_close(s);
		return;
	}
	s->resp[s->resp_len] = '\0';
	c->completed++;
	if (*nsamples < UP_SAMPLES_MAX) {
		double us = (now_s() - s->started) * 1e6;
		samples[(*nsamples)++] = us > 4e9 ? UINT32_MAX : (uint32_t)us;
	}
	tally(c, s);
	slot_close(s);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Runs the paced load; fills *c and the latency samples. */
static int run_load(const struct addrinfo *ai, const char *hosthdr, const struct host *hosts,
		    size_t nhosts, unsigned long rate, unsigned long seconds,
		    struct counts *c, uint32_t *samples, size_t *nsamples)
{
	static struct slot slots[UP_INFLIGHT];
	struct pollfd pfd[UP_INFLIGHT];
	int map[UP_INFLIGHT];
	unsigned long total = rate * seconds;
	unsigned long next = 0;
	double t0 = now_s();
	double stop_at = t0 + (double)seconds + UP_TIMEOUT_S;
	size_t i;

	for (i = 0; i < UP_INFLIGHT; i++) {
		slots[i].state = SLOT_FREE;
		slots[i].fd = -1;
	}
	for (;;) {
		double t = now_s();
		unsigned long due = (unsigned long)((t - t0) * (double)rate);
		int active = 0;
		int np = 0;
		int wait_ms;
		int r;

		if (due > total)
			due = total;
		for (i = 0; next < due && i < UP_INFLIGHT; i++) {
			if (slots[i].state != SLOT_FREE)
				continue;
			c->sent++;
			if (slot_start(&slots[i], ai, hosthdr, &hosts[next % nhosts], next) != 0)
				c->conn_errors++;
			next++;
		}
		if (next < due) {
			c->behind += due - next; /* every slot busy: skip, stay on schedule */
			next = due;
		}
		for (i = 0; i < UP_INFLIGHT; i++) {
			struct slot *s = &slots[i];
			if (s->state == SLOT_FREE)
				continue;
			active++;
			if (t - s->started > UP_TIMEOUT_S || t > stop_at) {
				c->timeouts++;
				slot_close(s);
				continue;
			}
			pfd[np].fd = s->fd;
			pfd[np].events = s->state == SLOT_READING ? POLLIN : POLLOUT;
			pfd[np].revents = 0;
			map[np] = (int)i;
			np++;
		}
		if (next >= total && active == 0)
			break;
		if (next < total) {
			double gap = ((double)(next + 1) / (double)rate + t0 - t) * 1000.0;
			wait_ms = gap < 0 ? 0 : gap > 10 ? 10 : (int)gap;
		} else {
			wait_ms = 10;
		}
		r = poll(pfd, (nfds_t)np, wait_ms);
		if (r < 0 && errno != EINTR)
			return DZ_EIO;
		for (i = 0; r > 0 && i < (size_t)np; i++)
			if (pfd[i].revents != 0)
				slot_step(&slots[map[i]], pfd[i].revents, c, samples, nsamples);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct addrinfo hints;
	struct addrinfo *ai = NULL;
	struct host *hosts = NULL;
	uint32_t *samples = NULL;
	size_t nhosts = 0;
	size_t nsamples = 0;
	struct counts c;
	unsigned long port, rate, seconds;
	char hosthdr[80];
	double sum = 0;
	size_t i;
	int err;
	int rc = 1;

	if (argc != 6 || parse_ulong(argv[2], 1, 65535, &port) != 0 ||
	    parse_ulong(argv[3], 1, UP_RATE_MAX, &rate) != 0 ||
	    parse_ulong(argv[4], 1, UP_SECONDS_MAX, &seconds) != 0) {
		fprintf(stderr, "usage: upload ADDR PORT RATE SECONDS HOSTFILE\n");
		return 2;
	}
	memset(&c, 0, sizeof c);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
		fprintf(stderr, "upload: bad address %s port %s\n", argv[1], argv[2]);
		return 2;
	}
	if (ai->ai_family == AF_INET6)
		err = snprintf(hosthdr, sizeof hosthdr, "[%s]:%lu", argv[1], port);
	else
		err = snprintf(hosthdr, sizeof hosthdr, "%s:%lu", argv[1], port);
	if (err < 0 || err >= (int)sizeof hosthdr) {
		fprintf(stderr, "upload: address too long\n");
		goto fail;
	}
	err = read_hosts(argv[5], &hosts, &nhosts);
	if (err != 0) {
		fprintf(stderr, "upload: %s: %s\n", argv[5], dz_strerror(err));
		goto fail;
	}
	samples = calloc(UP_SAMPLES_MAX, sizeof *samples);
	if (samples == NULL)
		goto fail;
	err = run_load(ai, hosthdr, hosts, nhosts, rate, seconds, &c, samples, &nsamples);
	if (err != 0) {
		fprintf(stderr, "upload: %s\n", dz_strerror(err));
		goto fail;
	}
	qsort(samples, nsamples, sizeof *samples, cmp_u32);
	for (i = 0; i < nsamples; i++)
		sum += samples[i];
	printf("sent=%lu completed=%lu good=%lu nochg=%lu badauth=%lu abuse=%lu other=%lu "
	       "http_errors=%lu conn_errors=%lu timeouts=%lu behind=%lu avg_ms=%.3f p99_ms=%.3f "
	       "first_other=\"%s\"\n",
	       c.sent, c.completed, c.good, c.nochg, c.badauth, c.abuse, c.other,
	       c.http_errors, c.conn_errors, c.timeouts, c.behind,
	       nsamples ? sum / (double)nsamples / 1000.0 : 0.0,
	       nsamples ? samples[(nsamples - 1) * 99 / 100] / 1000.0 : 0.0, c.first_other);
	rc = 0;
fail:
	free(samples);
	free(hosts);
	freeaddrinfo(ai);
	return rc;
}
