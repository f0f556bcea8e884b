/*
 * upload: the update load generator of the benchmarks.
 *
 *   upload [-P dyndns2|pdns|dns] [-c CLIENTS] [-q DNSPORT] [-r RUN]
 *          [-z ZONE] [-k KEYNAME:HEXSECRET] [-a APIKEY]
 *          ADDR PORT RATE SECONDS HOSTFILE
 *   upload -T
 *
 * Sends address updates to ADDR:PORT for SECONDS seconds, for the hosts in
 * HOSTFILE (`host token` lines; the token only matters for dyndns2), in one
 * of three protocols:
 *
 *   dyndns2  `GET /nic/update?hostname=H&myip=A` with Basic auth (user H,
 *            password the host's token), one connection per request and
 *            `Connection: close`, like ddclient and inadyn (the default).
 *   pdns     PowerDNS's HTTP API: `PATCH /api/v1/servers/localhost/zones/
 *            ZONE.` with an rrset REPLACE of H's A record and `X-API-Key`,
 *            one connection per request, as a script with curl would.
 *   dns      RFC 2136 UPDATE over UDP (delete H's A RRset, add the new A),
 *            signed with TSIG hmac-sha256 (-k), as nsupdate sends it; one
 *            UDP socket per client, kept for the whole run.
 *
 * RATE > 0 paces requests open-loop (request i is due at i/RATE seconds,
 * hosts taken round robin, so with fewer hosts than requests in flight two
 * may be for one host and a check may see the other's address); at most
 * CLIENTS (default 256) are outstanding,
 * and a request that falls due while all are busy is counted as `behind`
 * and skipped, so a slow server shows up as missed rate rather than as a
 * slower clock.  RATE 0 is closed-loop, as fast as possible: CLIENTS
 * clients, each with one request outstanding at a time, client c using only
 * the hosts at lines c, c+CLIENTS, c+2*CLIENTS, ... so no two clients ever
 * touch the same host (HOSTFILE needs at least CLIENTS lines).
 *
 * Every address differs from the host's previous one (198.19.RUN.x, x
 * counting per host), so each update is a real change; give each run
 * against the same server its own -r RUN (0..255).
 *
 * With -q DNSPORT, after every accepted update the client at once sends one
 * A query for the host to ADDR:DNSPORT and checks that the new address is
 * in the answer.  A reply without it is a `miss`; the client then asks
 * again every millisecond until the address is served (at most 2 s; still
 * missing then: `never`) and records how long that took.
 *
 * Prints one line of key=value counts, latencies (ms) and its own CPU time
 * (cpu_s: is the load generator the bottleneck?) on stdout; exits 0 if
 * it ran (whatever the server answered), 2 on bad usage, 1 on a local
 * failure.  `upload -T` checks its HMAC-SHA256 against RFC 4231 and prints
 * TAP.  Built from this file alone (`cc -O2 -I<repo> upload.c`) by
 * tools/bench/dns and tools/bench/update into their work directories.
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "tools/bench/dnsupdate.h"

#define UP_SLOTS_MAX 1024        /* clients, or requests in flight */
#define UP_SLOTS_PACED 256       /* default in-flight cap when paced */
#define UP_HOSTS_MAX 1000000     /* lines read from HOSTFILE */
#define UP_NAME_MAX 254          /* host name, with NUL */
#define UP_TOKEN_MAX 256         /* token, with NUL */
#define UP_AUTH_MAX 700          /* base64 of "host:token", with NUL */
#define UP_REQ_MAX 1536          /* one request */
#define UP_RESP_MAX 1024         /* kept of one response; the rest is read and dropped */
#define UP_SAMPLES_MAX (1u << 21) /* latency samples kept */
#define UP_TIMEOUT_S 5.0         /* per request */
#define UP_CHECK_TIMEOUT_S 1.0   /* per check query before it is sent again */
#define UP_SERVED_MAX_S 2.0      /* a check gives up after this */
#define UP_RECHECK_S 0.001       /* pause between check queries after a miss */
#define UP_RATE_MAX 100000
#define UP_SECONDS_MAX 3600
#define UP_APIKEY_MAX 128

enum proto { P_DYNDNS2, P_PDNS, P_DNS };

struct host {
	char name[UP_NAME_MAX];
	char auth[UP_AUTH_MAX];
	uint8_t wire[DNSUPDATE_NAME_MAX];
	size_t wire_len;
	unsigned count;          /* updates built for this host */
};

struct opts {
	enum proto proto;
	unsigned long clients;
	unsigned long dnsport;   /* 0: no check */
	unsigned long run;
	unsigned long rate;      /* 0: closed loop */
	unsigned long seconds;
	char zone_text[UP_NAME_MAX];
	uint8_t zone[DNSUPDATE_NAME_MAX];
	size_t zone_len;
	struct dnsupdate_key key;
	char apikey[UP_APIKEY_MAX];
	char hosthdr[80];
};

enum slot_state {
	SLOT_FREE, SLOT_CONNECTING, SLOT_WRITING, SLOT_READING, SLOT_DNS_WAIT,
	SLOT_CHECK_WAIT, SLOT_CHECK_PAUSE,
};

struct slot {
	enum slot_state state;
	int fd;                  /* the request's TCP connection, or the UDP socket (dns) */
	int cfd;                 /* UDP socket for check queries, -1 until needed */
	size_t host;             /* index into hosts */
	unsigned long done;      /* requests this client started (closed loop) */
	uint8_t addr[4];         /* the address this update sets */
	uint16_t id;             /* DNS message id in flight (update or check) */
	double started;          /* request sent */
	double ok_at;            /* accepted reply received */
	double check_sent;       /* current check query sent, or resend due */
	bool missed;
	char req[UP_REQ_MAX];
	size_t req_len;
	size_t req_off;
	char resp[UP_RESP_MAX];
	size_t resp_len;
};

struct samples {
	uint32_t *v;             /* microseconds */
	size_t n;
};

struct counts {
	unsigned long sent, completed, ok, nochg, badauth, abuse, other;
	unsigned long http_errors, conn_errors, timeouts, behind;
	unsigned long checks, misses, never;
	double first_start, last_done;
	char first_other[80];
	struct samples lat;      /* accepted updates: request to reply */
	struct samples served;   /* accepted reply to the answer with the new address */
};

struct load {
	const struct opts *o;
	const struct addrinfo *ai;      /* update target */
	const struct addrinfo *dns_ai;  /* check target, or NULL */
	struct host *hosts;
	size_t nhosts;
	struct slot *slots;
	size_t nslots;
	uint16_t next_id;
	struct counts c;
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

/* Decodes hex text into out[0..cap); *len is the byte count. */
static int hex_decode(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);

	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return DZ_EINVAL;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
			ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
		if (v < 0)
			return DZ_EINVAL;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(v << 4);
		else
			out[i / 2] |= (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

/* Fills in one host from a `host [token]` line's two fields. */
static int host_set(struct host *h, const char *name, size_t nl, const char *tok, size_t tl)
{
	char cred[UP_NAME_MAX + UP_TOKEN_MAX];
	int k;

	if (nl >= UP_NAME_MAX || tl >= UP_TOKEN_MAX)
		return DZ_EFORMAT;
	memcpy(h->name, name, nl);
	h->name[nl] = '\0';
	h->wire_len = dnsupdate_name(h->name, h->wire);
	if (h->wire_len == 0)
		return DZ_EFORMAT;
	h->count = 0;
	k = snprintf(cred, sizeof cred, "%s:%.*s", h->name, (int)tl, tok);
	if (k < 0 || (size_t)k >= sizeof cred)
		return DZ_ESPACE;
	return base64_encode((const unsigned char *)cred, (size_t)k, h->auth, sizeof h->auth);
}

/* Reads `host token` lines (the token may be left out unless need_token)
 * into a new array (*hosts, caller frees). */
static int read_hosts(const char *path, bool need_token, struct host **hosts, size_t *n)
{
	char line[UP_NAME_MAX + UP_TOKEN_MAX + 8];
	struct host *h = NULL;
	size_t count = 0;
	size_t cap = 0;
	FILE *f;
	int err = 0;

	f = fopen(path, "r");
	if (f == NULL)
		return DZ_EIO;
	while (fgets(line, sizeof line, f) != NULL) {
		size_t nl = strcspn(line, " \t\r\n");
		size_t ts = nl + strspn(line + nl, " \t");
		size_t tl = strcspn(line + ts, " \t\r\n");

		if (nl == 0 || (need_token && tl == 0))
			continue; /* blank or malformed line */
		if (count == UP_HOSTS_MAX) {
			err = DZ_ELIMIT;
			goto fail;
		}
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct host *nh = realloc(h, ncap * sizeof *h);
			if (nh == NULL) {
				err = DZ_ENOMEM;
				goto fail;
			}
			h = nh;
			cap = ncap;
		}
		err = host_set(&h[count], line, nl, line + ts, tl);
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

static void sample_add(struct samples *s, double seconds)
{
	double us = seconds * 1e6;

	if (s->n < UP_SAMPLES_MAX)
		s->v[s->n++] = us > 4e9 ? UINT32_MAX : us < 0 ? 0 : (uint32_t)us;
}

static void other_note(struct counts *c, const char *text, size_t len)
{
	if (c->first_other[0] != '\0')
		return;
	snprintf(c->first_other, sizeof c->first_other, "%.*s", (int)len, text);
	for (char *q = c->first_other; *q != '\0'; q++)
		if (*q == '"' || (unsigned char)*q < 0x20)
			*q = '\''; /* keep the key=value line parseable */
}

static void slot_close(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = SLOT_FREE;
}

/* A UDP socket connected to ai. */
static int udp_open(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return DZ_EIO;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		return DZ_EIO;
	}
	return fd;
}

/* Builds the HTTP request of slot s for its host and address. */
static int build_http(struct load *l, struct slot *s)
{
	const struct opts *o = l->o;
	const struct host *h = &l->hosts[s->host];
	char ip[16];
	char body[512];
	int k;
	int b;

	snprintf(ip, sizeof ip, "%u.%u.%u.%u", s->addr[0], s->addr[1], s->addr[2], s->addr[3]);
	if (o->proto == P_DYNDNS2) {
		k = snprintf(s->req, sizeof s->req,
			     "GET /nic/update?hostname=%s&myip=%s HTTP/1.1\r\n"
			     "Host: %s\r\n"
			     "Authorization: Basic %s\r\n"
			     "User-Agent: dynzone-bench-upload/2\r\n"
			     "Connection: close\r\n\r\n",
			     h->name, ip, o->hosthdr, h->auth);
	} else {
		b = snprintf(body, sizeof body,
			     "{\"rrsets\":[{\"name\":\"%s.\",\"type\":\"A\",\"ttl\":300,"
			     "\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"%s\","
			     "\"disabled\":false}]}]}", h->name, ip);
		if (b < 0 || (size_t)b >= sizeof body)
			return DZ_ESPACE;
		k = snprintf(s->req, sizeof s->req,
			     "PATCH /api/v1/servers/localhost/zones/%s. HTTP/1.1\r\n"
			     "Host: %s\r\n"
			     "X-API-Key: %s\r\n"
			     "User-Agent: dynzone-bench-upload/2\r\n"
			     "Content-Type: application/json\r\n"
			     "Content-Length: %d\r\n"
			     "Connection: close\r\n\r\n%s",
			     o->zone_text, o->hosthdr, o->apikey, b, body);
	}
	if (k < 0 || (size_t)k >= sizeof s->req)
		return DZ_ESPACE;
	s->req_len = (size_t)k;
	return 0;
}

/* Starts an update of host `hi` on slot s: the next address, the request,
 * the connect (HTTP) or the datagram (dns). */
static int slot_start(struct load *l, struct slot *s, size_t hi)
{
	const struct opts *o = l->o;
	struct host *h = &l->hosts[hi];
	int err;

	s->host = hi;
	h->count++;
	s->addr[0] = 198;
	s->addr[1] = 19;
	s->addr[2] = (uint8_t)o->run;
	s->addr[3] = (uint8_t)(h->count % 254 + 1);
	s->req_off = 0;
	s->resp_len = 0;
	s->missed = false;
	s->started = now_s();
	if (l->c.first_start == 0)
		l->c.first_start = s->started;
	l->c.sent++;
	if (o->proto == P_DNS) {
		int n;
		if (s->fd < 0 && (s->fd = udp_open(l->ai)) < 0)
			return DZ_EIO;
		s->id = l->next_id++;
		n = dnsupdate_build((uint8_t *)s->req, sizeof s->req, s->id, o->zone, o->zone_len,
				    h->wire, h->wire_len, s->addr, 300, &o->key,
				    (uint64_t)time(NULL));
		if (n < 0)
			return n;
		if (send(s->fd, s->req, (size_t)n, 0) != n)
			return DZ_EIO;
		s->state = SLOT_DNS_WAIT;
		return 0;
	}
	err = build_http(l, s);
	if (err != 0)
		return err;
	s->fd = socket(l->ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return DZ_EIO;
	if (connect(s->fd, l->ai->ai_addr, l->ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
		slot_close(s);
		return DZ_EIO;
	}
	s->state = SLOT_CONNECTING;
	return 0;
}

/* Sends slot s's check query (again). */
static void check_send(struct load *l, struct slot *s)
{
	const struct host *h = &l->hosts[s->host];
	uint8_t q[DNSUPDATE_MSG_MAX];
	int n;

	s->id = l->next_id++;
	n = dnsupdate_query(q, sizeof q, s->id, h->wire, h->wire_len, DNSUPDATE_T_A);
	s->check_sent = now_s();
	s->state = SLOT_CHECK_WAIT;
	if (n > 0)
		(void)send(s->cfd, q, (size_t)n, 0); /* a lost one is sent again on timeout */
}

/* The update on slot s was accepted: count it, then check DNS or finish. */
static void accepted(struct load *l, struct slot *s)
{
	double t = now_s();

	l->c.ok++;
	sample_add(&l->c.lat, t - s->started);
	s->ok_at = t;
	if (l->dns_ai == NULL)
		return;
	if (s->cfd < 0 && (s->cfd = udp_open(l->dns_ai)) < 0) {
		l->c.conn_errors++;
		return;
	}
	l->c.checks++;
	check_send(l, s);
}

/* A request on slot s ended (with or without a check): free the slot; the
 * update UDP socket of the dns protocol stays open for the next one. */
static void finish(struct load *l, struct slot *s)
{
	l->c.last_done = now_s();
	if (l->o->proto == P_DNS)
		s->state = SLOT_FREE;
	else
		slot_close(s);
}

/* Classifies a complete HTTP response; true if the update was accepted. */
static bool tally_http(struct load *l, const struct slot *s)
{
	struct counts *c = &l->c;
	const char *body;
	const char *sp;
	unsigned long status = 0;
	char word[16];
	size_t wl;
	bool ok = false;

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
		return false;
	}
	body += 4;
	wl = strcspn(body, " \r\n");
	if (wl >= sizeof word)
		wl = sizeof word - 1;
	memcpy(word, body, wl);
	word[wl] = '\0';
	if (l->o->proto == P_PDNS && status == 204)
		ok = true;
	else if (l->o->proto == P_DYNDNS2 && status == 200 && strcmp(word, "good") == 0)
		ok = true;
	else if (status == 200 && strcmp(word, "nochg") == 0)
		c->nochg++;
	else if (strcmp(word, "badauth") == 0)
		c->badauth++;
	else if (strcmp(word, "abuse") == 0)
		c->abuse++;
	else {
		char note[80];
		size_t ll = strcspn(s->resp, "\r\n");
		size_t bl = strcspn(body, "\r\n");
		c->other++;
		snprintf(note, sizeof note, "%.*s / %.*s", (int)(ll < 40 ? ll : 40), s->resp,
			 (int)(bl < 36 ? bl : 36), body);
		other_note(c, note, strlen(note));
	}
	if (status < 200 || status > 299)
		c->http_errors++;
	return ok;
}

/* Reads datagrams from fd until the reply to `id` (parsed into *r: 1), none
 * is left (0) or the socket reports an error (DZ_EIO, e.g. ICMP port
 * unreachable: no server).  Late replies to earlier messages are dropped. */
static int recv_reply(int fd, uint16_t id, unsigned opcode, const uint8_t *want4,
		      struct dnsupdate_reply *r)
{
	uint8_t msg[DNSUPDATE_MSG_MAX];
	ssize_t n;

	for (;;) {
		n = recv(fd, msg, sizeof msg, 0);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : DZ_EIO;
		if (dnsupdate_parse(msg, (size_t)n, id, opcode, want4, r) == 0)
			return 1;
	}
}

/* Reads what came on slot s's check socket. */
static void check_step(struct load *l, struct slot *s)
{
	struct dnsupdate_reply r;

	if (recv_reply(s->cfd, s->id, 0, s->addr, &r) <= 0)
		return; /* nothing yet, or an error: the timeout resends */
	if (r.rcode == 0 && r.has_addr) {
		sample_add(&l->c.served, now_s() - s->ok_at);
		finish(l, s);
		return;
	}
	if (!s->missed) {
		s->missed = true;
		l->c.misses++;
	}
	s->state = SLOT_CHECK_PAUSE;
	s->check_sent = now_s() + UP_RECHECK_S;
}

/* Reads the reply to slot s's UPDATE. */
static void dns_step(struct load *l, struct slot *s)
{
	struct dnsupdate_reply r;
	char note[64];
	int got = recv_reply(s->fd, s->id, DNSUPDATE_OP_UPDATE, NULL, &r);

	if (got == 0)
		return;
	if (got < 0) {
		l->c.conn_errors++;
		finish(l, s);
		return;
	}
	l->c.completed++;
	if (r.rcode == 0 && r.tsig_error == 0 && r.has_tsig) {
		accepted(l, s);
		if (s->state != SLOT_CHECK_WAIT)
			finish(l, s);
		return;
	}
	l->c.other++;
	snprintf(note, sizeof note, "rcode %u, tsig %s error %u", r.rcode,
		 r.has_tsig ? "with" : "without", r.tsig_error);
	other_note(&l->c, note, strlen(note));
	finish(l, s);
}

/* Moves HTTP slot s on after poll reported revents. */
static void http_step(struct load *l, struct slot *s, short revents)
{
	char drop[4096];
	ssize_t r;

	if (s->state == SLOT_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			l->c.conn_errors++;
			finish(l, s);
			return;
		}
		s->state = SLOT_WRITING;
	}
	if (s->state == SLOT_WRITING && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		r = send(s->fd, s->req + s->req_off, s->req_len - s->req_off, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			l->c.conn_errors++;
			finish(l, s);
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
		l->c.conn_errors++;
		finish(l, s);
		return;
	}
	s->resp[s->resp_len] = '\0';
	l->c.completed++;
	close(s->fd);
	s->fd = -1;
	if (tally_http(l, s)) {
		accepted(l, s);
		if (s->state == SLOT_CHECK_WAIT)
			return;
	}
	finish(l, s);
}

/* The next host for slot i: round robin overall when paced, else the
 * client's own share of the list. */
static size_t next_host(const struct load *l, size_t i, unsigned long seq)
{
	size_t share;

	if (l->o->rate > 0)
		return seq % l->nhosts;
	share = (l->nhosts - i + l->nslots - 1) / l->nslots;
	return i + (l->slots[i].done++ % share) * l->nslots;
}

/* Starts what is due: every free client before `end` (closed loop), or
 * the paced requests up to now. */
static void start_due(struct load *l, double t, double t0, unsigned long total,
		      unsigned long *next)
{
	unsigned long due = total;
	size_t i;

	if (l->o->rate > 0) {
		due = (unsigned long)((t - t0) * (double)l->o->rate);
		if (due > total)
			due = total;
	} else if (t - t0 >= (double)l->o->seconds) {
		return;
	}
	for (i = 0; i < l->nslots && (l->o->rate == 0 || *next < due); i++) {
		struct slot *s = &l->slots[i];
		if (s->state != SLOT_FREE)
			continue;
		if (slot_start(l, s, next_host(l, i, *next)) != 0) {
			l->c.conn_errors++;
			finish(l, s);
		}
		(*next)++;
	}
	if (l->o->rate > 0 && *next < due) {
		l->c.behind += due - *next; /* every slot busy: skip, stay on schedule */
		*next = due;
	}
}

/* Runs the load until SECONDS are over and every request has ended. */
static int run_load(struct load *l)
{
	struct pollfd pfd[UP_SLOTS_MAX];
	int map[UP_SLOTS_MAX];
	const struct opts *o = l->o;
	unsigned long total = o->rate > 0 ? o->rate * o->seconds : 0;
	unsigned long next = 0;
	double t0 = now_s();
	double stop_at = t0 + (double)o->seconds + UP_TIMEOUT_S + UP_SERVED_MAX_S;
	size_t i;

	for (;;) {
		double t = now_s();
		double wake = t + 0.01;
		bool more = o->rate > 0 ? next < total : t - t0 < (double)o->seconds;
		int active = 0;
		int np = 0;
		int r;

		start_due(l, t, t0, total, &next);
		for (i = 0; i < l->nslots; i++) {
			struct slot *s = &l->slots[i];
			if (s->state == SLOT_FREE)
				continue;
			active++;
			if (s->state == SLOT_CHECK_PAUSE || s->state == SLOT_CHECK_WAIT) {
				if (t - s->ok_at > UP_SERVED_MAX_S || t > stop_at) {
					l->c.never++;
					finish(l, s);
					continue;
				}
				if (s->state == SLOT_CHECK_PAUSE && t >= s->check_sent)
					check_send(l, s);
				else if (s->state == SLOT_CHECK_WAIT &&
					 t - s->check_sent > UP_CHECK_TIMEOUT_S) {
					if (!s->missed) /* the first query went unanswered */
						l->c.misses++;
					s->missed = true;
					check_send(l, s);
				}
				if (s->state == SLOT_CHECK_PAUSE) {
					if (s->check_sent < wake)
						wake = s->check_sent;
					continue;
				}
			} else if (t - s->started > UP_TIMEOUT_S || t > stop_at) {
				l->c.timeouts++;
				if (o->proto == P_DNS)
					finish(l, s); /* keep the socket; a late reply has an old id */
				else
					slot_close(s);
				continue;
			}
			pfd[np].fd = s->state == SLOT_CHECK_WAIT ? s->cfd : s->fd;
			pfd[np].events = s->state == SLOT_CONNECTING || s->state == SLOT_WRITING ?
					 POLLOUT : POLLIN;
			pfd[np].revents = 0;
			map[np] = (int)i;
			np++;
		}
		if (!more && active == 0)
			break;
		if (o->rate > 0 && next < total) {
			double due = (double)(next + 1) / (double)o->rate + t0;
			if (due < wake)
				wake = due;
		}
		r = poll(pfd, (nfds_t)np, wake <= t ? 0 : (int)((wake - t) * 1000.0 + 0.999));
		if (r < 0 && errno != EINTR)
			return DZ_EIO;
		for (i = 0; r > 0 && i < (size_t)np; i++) {
			struct slot *s = &l->slots[map[i]];
			if (pfd[i].revents == 0)
				continue;
			if (s->state == SLOT_CHECK_WAIT)
				check_step(l, s);
			else if (s->state == SLOT_DNS_WAIT)
				dns_step(l, s);
			else
				http_step(l, s, pfd[i].revents);
		}
	}
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The q-th quantile (0..1) of sorted samples, in ms. */
static double quantile_ms(const struct samples *s, double q)
{
	if (s->n == 0)
		return 0.0;
	return s->v[(size_t)((double)(s->n - 1) * q)] / 1000.0;
}

static void report(const struct load *l)
{
	const struct counts *c = &l->c;
	static const char *const names[] = { "dyndns2", "pdns", "dns" };
	double elapsed = c->last_done > c->first_start ? c->last_done - c->first_start : 0.0;
	double sum = 0;
	double cpu = 0;
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	for (size_t i = 0; i < c->lat.n; i++)
		sum += c->lat.v[i];
	printf("proto=%s clients=%zu sent=%lu completed=%lu ok=%lu good=%lu nochg=%lu badauth=%lu "
	       "abuse=%lu other=%lu http_errors=%lu conn_errors=%lu timeouts=%lu behind=%lu "
	       "elapsed_s=%.3f ups=%.1f avg_ms=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	       "checks=%lu misses=%lu never=%lu served_p50_ms=%.3f served_max_ms=%.3f "
	       "cpu_s=%.3f first_other=\"%s\"\n",
	       names[l->o->proto], l->nslots, c->sent, c->completed, c->ok,
	       l->o->proto == P_DYNDNS2 ? c->ok : 0, c->nochg, c->badauth, c->abuse, c->other,
	       c->http_errors, c->conn_errors, c->timeouts, c->behind, elapsed,
	       elapsed > 0 ? (double)c->ok / elapsed : 0.0,
	       c->lat.n ? sum / (double)c->lat.n / 1000.0 : 0.0, quantile_ms(&c->lat, 0.50),
	       quantile_ms(&c->lat, 0.99), quantile_ms(&c->lat, 1.0), c->checks, c->misses,
	       c->never, quantile_ms(&c->served, 0.50), quantile_ms(&c->served, 1.0), cpu,
	       c->first_other);
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block), and one
 * UPDATE built and parsed back; prints TAP; 0 if all pass. */
static int self_test(void)
{
	static const struct {
		const char *key, *data, *mac;
		size_t keylen;
	} v[] = {
		{ "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b",
		  "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 20 },
		{ "Jefe", "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 4 },
		{ NULL, "Test Using Larger Than Block-Size Key - Hash Key First",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 131 },
	};
	uint8_t longkey[131];
	int failed = 0;
	unsigned n = 0;

	memset(longkey, 0xaa, sizeof longkey);
	printf("1..%zu\n", sizeof v / sizeof v[0] + 1);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const void *parts[1] = { v[i].data };
		const size_t lens[1] = { strlen(v[i].data) };
		uint8_t mac[32];
		char hex[65];
		dnsupdate_hmac(v[i].key ? (const uint8_t *)v[i].key : longkey, v[i].keylen,
			       parts, lens, 1, mac);
		for (size_t j = 0; j < 32; j++)
			snprintf(hex + 2 * j, 3, "%02x", mac[j]);
		failed |= strcmp(hex, v[i].mac) != 0;
		printf("%s %u - HMAC-SHA256 RFC 4231 vector %zu\n",
		       strcmp(hex, v[i].mac) == 0 ? "ok" : "not ok", ++n, i);
	}
	{
		struct dnsupdate_key key = { .secret_len = 32 };
		struct dnsupdate_reply r;
		uint8_t zone[DNSUPDATE_NAME_MAX], host[DNSUPDATE_NAME_MAX], msg[DNSUPDATE_MSG_MAX];
		const uint8_t a[4] = { 198, 19, 1, 2 };
		size_t zl = dnsupdate_name("bench.test", zone);
		size_t hl = dnsupdate_name("H1.Bench.Test.", host);
		int len;
		bool ok;

		key.name_len = dnsupdate_name("bench-key", key.name);
		len = dnsupdate_build(msg, sizeof msg, 77, zone, zl, host, hl, a, 300, &key, 1);
		msg[2] |= 0x80; /* make it look like the response */
		ok = len > 0 && hl == 15 && host[1] == 'h' &&
		     dnsupdate_parse(msg, (size_t)len, 77, DNSUPDATE_OP_UPDATE, NULL, &r) == 0 &&
		     r.has_tsig && r.tsig_error == 0 && r.rcode == 0;
		failed |= !ok;
		printf("%s %u - UPDATE with TSIG builds and parses back\n", ok ? "ok" : "not ok", ++n);
	}
	return failed;
}

/* Parses the options and arguments into *o and the host file path. */
static int parse_args(int argc, char **argv, struct opts *o, const char **hostfile)
{
	const char *key = NULL;
	unsigned long port;
	int ch;

	memset(o, 0, sizeof *o);
	o->clients = 0;
	while ((ch = getopt(argc, argv, "P:c:q:r:z:k:a:")) != -1) {
		switch (ch) {
		case 'P':
			if (strcmp(optarg, "dyndns2") == 0)
				o->proto = P_DYNDNS2;
			else if (strcmp(optarg, "pdns") == 0)
				o->proto = P_PDNS;
			else if (strcmp(optarg, "dns") == 0)
				o->proto = P_DNS;
			else
				return DZ_EINVAL;
			break;
		case 'c':
			if (parse_ulong(optarg, 1, UP_SLOTS_MAX, &o->clients) != 0)
				return DZ_EINVAL;
			break;
		case 'q':
			if (parse_ulong(optarg, 1, 65535, &o->dnsport) != 0)
				return DZ_EINVAL;
			break;
		case 'r':
			if (parse_ulong(optarg, 0, 255, &o->run) != 0)
				return DZ_EINVAL;
			break;
		case 'z':
			if (snprintf(o->zone_text, sizeof o->zone_text, "%s", optarg) >=
			    (int)sizeof o->zone_text)
				return DZ_EINVAL;
			o->zone_len = dnsupdate_name(optarg, o->zone);
			if (o->zone_len == 0)
				return DZ_EINVAL;
			break;
		case 'k':
			key = optarg;
			break;
		case 'a':
			if (snprintf(o->apikey, sizeof o->apikey, "%s", optarg) >=
			    (int)sizeof o->apikey)
				return DZ_EINVAL;
			break;
		default:
			return DZ_EINVAL;
		}
	}
	if (argc - optind != 5 || parse_ulong(argv[optind + 1], 1, 65535, &port) != 0 ||
	    parse_ulong(argv[optind + 2], 0, UP_RATE_MAX, &o->rate) != 0 ||
	    parse_ulong(argv[optind + 3], 1, UP_SECONDS_MAX, &o->seconds) != 0)
		return DZ_EINVAL;
	if (o->proto != P_DYNDNS2 && o->zone_len == 0)
		return DZ_EINVAL;  /* pdns and dns need -z */
	if (o->proto == P_PDNS && o->apikey[0] == '\0')
		return DZ_EINVAL;
	if (o->proto == P_DNS) {
		const char *colon = key ? strchr(key, ':') : NULL;
		char name[UP_NAME_MAX];
		if (colon == NULL || (size_t)(colon - key) >= sizeof name)
			return DZ_EINVAL;
		memcpy(name, key, (size_t)(colon - key));
		name[colon - key] = '\0';
		o->key.name_len = dnsupdate_name(name, o->key.name);
		if (o->key.name_len == 0 ||
		    hex_decode(colon + 1, o->key.secret, sizeof o->key.secret, &o->key.secret_len) != 0)
			return DZ_EINVAL;
	}
	if (o->clients == 0)
		o->clients = o->rate > 0 ? UP_SLOTS_PACED : 1;
	if (strchr(argv[optind], ':') != NULL)
		snprintf(o->hosthdr, sizeof o->hosthdr, "[%.40s]:%lu", argv[optind], port);
	else
		snprintf(o->hosthdr, sizeof o->hosthdr, "%.40s:%lu", argv[optind], port);
	*hostfile = argv[optind + 4];
	return 0;
}

static int resolve(const char *addr, const char *port, int socktype, struct addrinfo **ai)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	return getaddrinfo(addr, port, &hints, ai) == 0 ? 0 : DZ_EINVAL;
}

int main(int argc, char **argv)
{
	static struct opts o;
	struct load l;
	struct addrinfo *ai = NULL;
	struct addrinfo *dns_ai = NULL;
	const char *hostfile = NULL;
	char dnsport[24];
	size_t i;
	int err;
	int rc = 1;

	if (argc == 2 && strcmp(argv[1], "-T") == 0)
		return self_test() ? 1 : 0;
	memset(&l, 0, sizeof l);
	if (parse_args(argc, argv, &o, &hostfile) != 0 ||
	    resolve(argv[optind], argv[optind + 1],
		    o.proto == P_DNS ? SOCK_DGRAM : SOCK_STREAM, &ai) != 0) {
		fprintf(stderr, "usage: upload [-P dyndns2|pdns|dns] [-c CLIENTS] [-q DNSPORT] "
			"[-r RUN] [-z ZONE] [-k KEYNAME:HEXSECRET] [-a APIKEY] "
			"ADDR PORT RATE SECONDS HOSTFILE\n       upload -T\n");
		return 2;
	}
	l.o = &o;
	l.ai = ai;
	if (o.dnsport != 0) {
		snprintf(dnsport, sizeof dnsport, "%lu", o.dnsport);
		if (resolve(argv[optind], dnsport, SOCK_DGRAM, &dns_ai) != 0)
			goto fail;
		l.dns_ai = dns_ai;
	}
	err = read_hosts(hostfile, o.proto == P_DYNDNS2, &l.hosts, &l.nhosts);
	if (err != 0) {
		fprintf(stderr, "upload: %s: %s\n", hostfile, dz_strerror(err));
		goto fail;
	}
	if (o.rate == 0 && l.nhosts < o.clients) {
		fprintf(stderr, "upload: %lu clients need %lu distinct hosts, %s has %zu\n",
			o.clients, o.clients, hostfile, l.nhosts);
		goto fail;
	}
	l.nslots = o.clients;
	l.slots = calloc(l.nslots, sizeof *l.slots);
	l.c.lat.v = calloc(UP_SAMPLES_MAX, sizeof *l.c.lat.v);
	l.c.served.v = calloc(UP_SAMPLES_MAX, sizeof *l.c.served.v);
	if (l.slots == NULL || l.c.lat.v == NULL || l.c.served.v == NULL)
		goto fail;
	for (i = 0; i < l.nslots; i++) {
		l.slots[i].fd = -1;
		l.slots[i].cfd = -1;
	}
	l.next_id = (uint16_t)(getpid() * 7919u);
	err = run_load(&l);
	if (err != 0) {
		fprintf(stderr, "upload: %s\n", dz_strerror(err));
		goto fail;
	}
	qsort(l.c.lat.v, l.c.lat.n, sizeof *l.c.lat.v, cmp_u32);
	qsort(l.c.served.v, l.c.served.n, sizeof *l.c.served.v, cmp_u32);
	report(&l);
	rc = 0;
fail:
	for (i = 0; l.slots != NULL && i < l.nslots; i++) {
		if (l.slots[i].fd >= 0)
			close(l.slots[i].fd);
		if (l.slots[i].cfd >= 0)
			close(l.slots[i].cfd);
	}
	free(l.slots);
	free(l.c.lat.v);
	free(l.c.served.v);
	free(l.hosts);
	if (dns_ai != NULL)
		freeaddrinfo(dns_ai);
	if (ai != NULL)
		freeaddrinfo(ai);
	return rc;
}
