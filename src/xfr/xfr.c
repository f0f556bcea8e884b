/* Outgoing AXFR and IXFR, one thread per transfer (src/xfr/xfr.h). */
#include "src/xfr/xfr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/dnsmsg.h"
#include "proto/errors.h"
#include "proto/rdata.h"
#include "proto/tsig.h"
#include "src/common/cidr.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/thread.h"
#include "src/db/transfer.h"
#include "src/metrics/metrics.h"

#define XFR_LINGER_MS 2000   /* wait for the peer's FIN after our last byte */
/* The kernel's send buffer per transfer (it doubles it): a cap on what a
 * secondary that stops reading costs, and still 10 MB/s at 100 ms RTT. */
#define XFR_SNDBUF (512 * 1024)

/* One allow-transfer line: the zone, and a key or an address prefix. */
struct acl {
	uint8_t zone[DNAME_MAX];
	const struct tsig_key *key;   /* NULL: net */
	struct cidr net;
};

struct slot {
	pthread_t th;
	int fd;            /* -1 once the transfer closed it (under mu) */
	bool used, done;
};

struct xfr {
	const struct config *c;
	struct acl *acl;
	unsigned nacl;
	long timeout_ms;
	pthread_mutex_t mu;     /* the slots and stopping */
	bool stopping;
	unsigned nslots;
	struct slot *slots;
	/* transfers by how they ended (any transfer thread, the TCP thread
	 * for the refused over xfr-max: METRICS_ADD), indexed by enum xres */
	uint64_t ended[4];
};

enum xres { XR_AXFR, XR_IXFR, XR_REFUSED, XR_FAILED };

struct job {
	xfr_t *x;
	struct slot *slot;
	int fd;
	size_t len;
	uint8_t msg[];
};

/* A reply being streamed: one message at a time in buf (length prefix,
 * then the message, then room for its TSIG RR). */
struct out {
	int fd;
	long timeout_ms;
	const uint8_t *req;
	size_t reqlen;
	const dns_query_t *q;
	struct tsig_ctx *tsig;        /* NULL: unsigned */
	wire_t w;
	wire_ctab_t ct;
	/* the last owner written and where its name starts in this message
	 * (0: none yet): the next RR most often has the same owner */
	uint16_t prev_off;
	uint8_t prev[DNAME_MAX];
	uint16_t an;
	unsigned long nrr, nmsg;
	uint8_t buf[2 + XFR_MSG + TSIG_RR_MAX];
};

/* Configuration --------------------------------------------------------- */

static int acl_parse(const struct config *c, const char *line, struct acl *a,
                     char *err, size_t errlen)
{
	const char *sp = line;
	while (*sp && *sp != ' ' && *sp != '\t')
		sp++;
	const char *who = sp;
	while (*who == ' ' || *who == '\t')
		who++;
	memset(a, 0, sizeof *a);
	if (sp == line || !*who || strpbrk(who, " \t")) {
		snprintf(err, errlen, "allow-transfer '%s': expected ZONE KEYNAME|ADDRESS[/BITS]", line);
		return DZ_EINVAL;
	}
	if (!dname_from_text(a->zone, line, (size_t)(sp - line), (const uint8_t *)"")) {
		snprintf(err, errlen, "allow-transfer '%s': bad zone name", line);
		return DZ_EINVAL;
	}
	dname_lower(a->zone);
	if (cidr_parse(who, &a->net) == 0)
		return 0;
	uint8_t kname[DNAME_MAX];
	if (dname_from_text(kname, who, strlen(who), (const uint8_t *)"") &&
	    (a->key = tsig_keyring_find(&c->tsig_keys, kname)))
		return 0;
	snprintf(err, errlen, "allow-transfer '%s': '%s' is neither an address[/bits] "
	         "nor the name of a tsig-key", line, who);
	return DZ_EINVAL;
}

int xfr_open(xfr_t **out, const struct config *c, char *err, size_t errlen)
{
	int rc = DZ_ENOMEM;
	xfr_t *x = calloc(1, sizeof *x);
	if (!x)
		goto enomem;
	x->c = c;
	x->timeout_ms = c->xfr_timeout * 1000;
	x->nslots = (unsigned)c->xfr_max;
	pthread_mutex_init(&x->mu, NULL);
	x->slots = calloc(x->nslots, sizeof *x->slots);
	x->acl = calloc(c->allow_transfer.n ? c->allow_transfer.n : 1, sizeof *x->acl);
	if (!x->slots || !x->acl)
		goto enomem;
	for (unsigned i = 0; i < c->allow_transfer.n; i++) {
		if ((rc = acl_parse(c, c->allow_transfer.s[i], &x->acl[i], err, errlen)))
			goto fail;
		x->nacl++;
	}
	*out = x;
	return 0;
enomem:
	snprintf(err, errlen, "out of memory");
fail:
	xfr_close(x);
	return rc;
}

/* Sending ----------------------------------------------------------------- */

/* Write all of buf within timeout_ms: 0, DZ_ELIMIT if the peer did not
 * take it in time, DZ_EIO if the connection failed. */
static int write_all(int fd, const uint8_t *buf, size_t len, long timeout_ms)
{
	uint64_t deadline = clock_ms() + (uint64_t)timeout_ms;
	while (len) {
		ssize_t r = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0) {
			buf += r;
			len -= (size_t)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return DZ_EIO;
		uint64_t now = clock_ms();
		if (now >= deadline)
			return DZ_ELIMIT;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return DZ_EIO;
	}
	return 0;
}

static void msg_begin(struct out *o, int rcode)
{
	wire_init(&o->w, o->buf + 2, XFR_MSG);
	dns_resp_begin(&o->w, o->req, o->q, DNS_AA, rcode);
	o->an = 0;
	o->ct.n = 0;
	o->prev_off = 0;
	if (!o->q->qname_compressed)
		for (unsigned i = 0; i < o->q->nlabels && o->ct.n < WIRE_CTAB_MAX; i++)
			o->ct.off[o->ct.n++] = (uint16_t)(DNS_HDR + o->q->label_off[i]);
}

/* Sign (if the exchange is signed) and send the message in o->buf. */
static int msg_send(struct out *o, size_t len)
{
	if (o->tsig && tsig_sign_reply(o->tsig, o->buf + 2, &len, XFR_MSG + TSIG_RR_MAX,
	                               (uint64_t)time(NULL)))
		return DZ_ESPACE;
	wire_store_u16(o->buf, (uint16_t)len);
	int rc = write_all(o->fd, o->buf, len + 2, o->timeout_ms);
	if (rc)
		return rc;
	o->nmsg++;
	return 0;
}

static int msg_flush(struct out *o)
{
	dns_resp_set_counts(&o->w, o->an, 0, 0);
	if (o->w.err)
		return o->w.err;
	return msg_send(o, wire_pos(&o->w));
}

/* Two valid wire names are the same bytes (label by label: neither is
 * read past its end). */
static bool same_name(const uint8_t *a, const uint8_t *b)
{
	for (size_t i = 0;; i += 1u + a[i]) {
		if (a[i] != b[i] || memcmp(a + i + 1, b + i + 1, a[i]) != 0)
			return false;
		if (!a[i])
			return true;
	}
}

/* Write the owner.  The next RR most often has the same owner (an A then
 * an AAAA) and most owners are one label below the apex (the question's
 * name, spelled out at DNS_HDR): those two cases are written as a pointer
 * to the previous owner, or as the label and a pointer to the question,
 * without a search of the compression table; the rest is compressed
 * against it. */
static void put_owner(struct out *o, const uint8_t *owner)
{
	if (o->prev_off && same_name(owner, o->prev)) {
		wire_write_u16(&o->w, (uint16_t)(0xC000 | o->prev_off));
		return;
	}
	size_t len = dname_len(owner, DNAME_MAX);
	size_t at = wire_pos(&o->w), to = at, qlen = o->q->qname_len;
	o->prev_off = 0;
	if (!o->q->qname_compressed && len == 1u + owner[0] + qlen &&
	    memcmp(owner + 1 + owner[0], o->q->qname, qlen) == 0) {
		wire_write_bytes(&o->w, owner, 1u + owner[0]);
		wire_write_u16(&o->w, 0xC000 | DNS_HDR);
		if (!o->w.err && at < 0x4000)
			o->ct.off[o->ct.n < WIRE_CTAB_MAX ? o->ct.n++ : WIRE_CTAB_MAX - 1] = (uint16_t)at;
	} else {
		wire_write_name(&o->w, owner, &o->ct);
		/* spelled out here, or where its pointer sends it */
		const uint8_t *b = o->w.base + at;
		if (!o->w.err && (b[0] & 0xC0) == 0xC0)
			to = (size_t)(b[0] & 0x3F) << 8 | b[1];
	}
	if (o->w.err || to >= 0x4000)
		return;
	o->prev_off = (uint16_t)to;
	memcpy(o->prev, owner, len);
}

/* Append one RR, starting a new message when this one is full. */
static int add_rr(struct out *o, const uint8_t *owner, uint16_t type, uint32_t ttl,
                  const uint8_t *rd, size_t rdlen)
{
	for (;;) {
		size_t at = wire_pos(&o->w);
		wire_ctab_t ct = o->ct;
		uint8_t h[10];           /* TYPE CLASS TTL RDLENGTH */
		wire_store_u16(h, type);
		wire_store_u16(h + 2, CLASS_IN);
		wire_store_u32(h + 4, ttl);
		wire_store_u16(h + 8, (uint16_t)rdlen);
		put_owner(o, owner);
		wire_write_bytes(&o->w, h, sizeof h);
		wire_write_bytes(&o->w, rd, rdlen);
		if (!o->w.err) {
			o->an++;
			o->nrr++;
			return 0;
		}
		if (o->w.err != DZ_ESPACE || o->an == 0)
			return o->w.err;
		wire_rewind(&o->w, at);
		o->ct = ct;
		int rc = msg_flush(o);
		if (rc)
			return rc;
		msg_begin(o, 0);
	}
}

static int add_soa(struct out *o, const struct store_zone *z, uint32_t serial)
{
	uint8_t rd[2 * DNAME_MAX + 20];
	size_t len = store_zone_soa_rdata(&z->soa, serial, rd, sizeof rd);
	if (!len)
		return DZ_EINVAL;
	return add_rr(o, z->apex, RR_SOA, z->soa.ttl, rd, len);
}

static int add_store_rr(void *ctx, const struct store_rr *rr)
{
	return add_rr(ctx, rr->owner, rr->type, rr->ttl, rr->rdata, rr->rdlen);
}

/* One message with only a header, the question and rcode. */
static int send_error(struct out *o, int rcode)
{
	size_t len = dns_resp_error(o->buf + 2, XFR_MSG, o->req, o->q, rcode);
	if (!len)
		return DZ_ESPACE;
	return msg_send(o, len);
}

/* The transfer ----------------------------------------------------------- */

/* RFC 1982: a is the same as b or newer. */
static bool serial_ge(uint32_t a, uint32_t b)
{
	return a == b || (int32_t)(a - b) > 0;
}

static bool allowed(const xfr_t *x, const uint8_t *zone, const struct sockaddr *peer,
                    const struct tsig_key *key)
{
	for (unsigned i = 0; i < x->nacl; i++) {
		const struct acl *a = &x->acl[i];
		if (!dname_equal(a->zone, zone))
			continue;
		if (a->key ? a->key == key : cidr_match_sa(&a->net, peer))
			return true;
	}
	return false;
}

/* Stream the zone (AXFR, or IXFR as the journal allows) inside one read
 * snapshot.  *kind gets what was sent; 0 or a DZ_E* code. */
static int stream(xfr_t *x, struct out *o, const char **kind, uint32_t *serial)
{
	store_t *st = NULL;
	struct store_zone z;
	char err[256];
	int rc;
	*kind = "AXFR";
	if (store_open(x->c->db, &st, err, sizeof err)) {
		log_err("xfr: cannot open the store: %s", err);
		return send_error(o, RCODE_SERVFAIL);
	}
	if (store_read_begin(st)) {
		rc = send_error(o, RCODE_SERVFAIL);
		goto out;
	}
	rc = store_xfr_zone(st, o->q->qname, &z);
	if (rc) {
		rc = send_error(o, rc == DZ_ENOENT ? RCODE_NOTAUTH : RCODE_SERVFAIL);
		goto end;
	}
	*serial = z.soa.serial;
	uint32_t from = 0;
	int64_t pos = 0;
	bool ixfr = false;
	if (o->q->qtype == RR_IXFR) {
		if (dns_ixfr_serial(o->req, o->reqlen, o->q, &from)) {
			rc = send_error(o, RCODE_FORMERR);
			goto end;
		}
		if (serial_ge(from, z.soa.serial)) {
			/* up to date: just the SOA (RFC 1995 §2) */
			*kind = "IXFR (up to date)";
			msg_begin(o, 0);
			rc = add_soa(o, &z, z.soa.serial);
			rc = rc ? rc : msg_flush(o);
			goto end;
		}
		ixfr = store_xfr_ixfr_start(st, z.id, from, &pos) == 0;
		*kind = ixfr ? "IXFR" : "IXFR (as AXFR)";
	}
	msg_begin(o, 0);
	rc = add_soa(o, &z, z.soa.serial);
	if (ixfr) {
		/* one condensed difference sequence: SOA(old), deletions,
		 * SOA(new), additions (RFC 1995 §4) */
		rc = rc ? rc : add_soa(o, &z, from);
		rc = rc ? rc : store_xfr_diff(st, z.id, pos, false, add_store_rr, o);
		rc = rc ? rc : add_soa(o, &z, z.soa.serial);
		rc = rc ? rc : store_xfr_diff(st, z.id, pos, true, add_store_rr, o);
	} else {
		rc = rc ? rc : store_xfr_records(st, z.id, add_store_rr, o);
	}
	rc = rc ? rc : add_soa(o, &z, z.soa.serial);
	rc = rc ? rc : msg_flush(o);
end:
	store_read_end(st);
out:
	store_close(st);
	return rc;
}

/* Close our side, give the peer a moment to close its own (a close with
 * unread bytes would reset the connection and could lose our last
 * messages), then close. */
static void linger_close(xfr_t *x, struct slot *s, int fd)
{
	uint8_t sink[512];
	uint64_t deadline = clock_ms() + XFR_LINGER_MS;
	shutdown(fd, SHUT_WR);
	for (;;) {
		uint64_t now = clock_ms();
		if (now >= deadline)
			break;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			break;
		ssize_t r = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
		/* 0 is the FIN: done (errno is stale then; testing it alone
		 * spun here until the deadline) */
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			break;
	}
	pthread_mutex_lock(&x->mu);
	close(fd);
	s->fd = -1;
	pthread_mutex_unlock(&x->mu);
}

static void *transfer(void *arg)
{
	thread_name("dz-xfr");
	struct job *j = arg;
	xfr_t *x = j->x;
	struct out *o = malloc(sizeof *o);
	dns_query_t q;
	int rcode, rc = 0;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof peer;
	char ptext[INET6_ADDRSTRLEN + 8] = "?", zone[1100] = "?";
	struct tsig_ctx tctx;
	struct tsig_rr trr;
	const char *kind = "refused";
	bool refused = false;
	uint32_t serial = 0;
	uint64_t t0 = clock_ms();

	q.qtype = 0;
	int sndbuf = XFR_SNDBUF;
	setsockopt(j->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	memset(&peer, 0, sizeof peer);
	getpeername(j->fd, (struct sockaddr *)&peer, &plen);
	uint8_t pa[16];
	int fam = cidr_sa_bytes((const struct sockaddr *)&peer, pa);
	if (fam)
		inet_ntop(fam == 4 ? AF_INET : AF_INET6, pa, ptext, sizeof ptext);
	if (!o)
		goto out;
	memset(&o->w, 0, sizeof o->w);
	o->fd = j->fd;
	o->timeout_ms = x->timeout_ms;
	o->req = j->msg;
	o->reqlen = j->len;
	o->q = &q;
	o->tsig = NULL;
	o->nrr = o->nmsg = 0;
	dns_verdict_t v = dns_query_parse(j->msg, j->len, &q, &rcode);
	if (v != DNS_ANSWER) {
		kind = "malformed";
		rc = v == DNS_ERROR ? send_error(o, rcode) : 0;
		goto out;
	}
	dname_to_text(q.qname, zone, sizeof zone);
	int found = tsig_find(j->msg, j->len, &trr);
	if (found < 0) {
		kind = "bad TSIG record";
		rc = send_error(o, RCODE_FORMERR);
		goto out;
	}
	if (found) {
		int terr = tsig_verify_request(j->msg, j->len, &trr, &x->c->tsig_keys,
		                               (uint64_t)time(NULL), &tctx);
		o->tsig = &tctx;
		if (terr) {
			kind = terr == TSIG_BADKEY ? "unknown TSIG key"
			     : terr == TSIG_BADTIME ? "TSIG time out of range" : "bad TSIG signature";
			rc = send_error(o, RCODE_NOTAUTH);
			refused = true;
			goto out;
		}
	}
	if (q.qclass != CLASS_IN ||
	    !allowed(x, q.qname, (const struct sockaddr *)&peer, found ? tctx.key : NULL)) {
		rc = send_error(o, RCODE_REFUSED);
		refused = true;
		goto out;
	}
	rc = stream(x, o, &kind, &serial);
out:
	METRICS_ADD(x->ended[refused ? XR_REFUSED : rc || !serial ? XR_FAILED
	                     : q.qtype == RR_IXFR ? XR_IXFR : XR_AXFR], 1);
	if (rc)
		log_warn("xfr: %s of %s to %s failed after %lu records: %s", kind, zone, ptext,
		         o ? o->nrr : 0, rc == DZ_ELIMIT ? "a message not taken within xfr-timeout"
		         : rc == DZ_EIO ? "the connection failed" : dz_strerror(rc));
	else if (o && serial)
		log_info("xfr: %s of %s serial %u to %s: %lu records in %lu messages, %llu ms",
		         kind, zone, serial, ptext, o->nrr, o->nmsg,
		         (unsigned long long)(clock_ms() - t0));
	else
		log_info("xfr: %s for %s from %s", kind, zone, ptext);
	free(o);
	linger_close(x, j->slot, j->fd);
	pthread_mutex_lock(&x->mu);
	j->slot->done = true;
	pthread_mutex_unlock(&x->mu);
	free(j);
	return NULL;
}

/* Hand-off ------------------------------------------------------------------ */

bool xfr_is_request(const uint8_t *msg, size_t len)
{
	uint16_t t = dns_peek_qtype(msg, len);
	return t == RR_AXFR || t == RR_IXFR;
}

int xfr_take(xfr_t *x, int fd, const uint8_t *msg, size_t len)
{
	struct slot *s = NULL;
	struct job *j = malloc(sizeof *j + len);
	if (!j)
		return DZ_ENOMEM;
	pthread_mutex_lock(&x->mu);
	int rc = x->stopping ? DZ_ENOTSUP : DZ_ELIMIT;
	for (unsigned i = 0; !x->stopping && i < x->nslots; i++) {
		if (x->slots[i].used && x->slots[i].done) {
			pthread_join(x->slots[i].th, NULL);   /* finished: no wait */
			x->slots[i].used = false;
		}
		if (!x->slots[i].used && !s)
			s = &x->slots[i];
	}
	if (s) {
		*j = (struct job){ .x = x, .slot = s, .fd = fd, .len = len };
		memcpy(j->msg, msg, len);
		s->fd = fd;
		s->done = false;
		s->used = pthread_create(&s->th, NULL, transfer, j) == 0;
		rc = s->used ? 0 : DZ_EIO;
	}
	pthread_mutex_unlock(&x->mu);
	if (rc == DZ_ELIMIT)
		METRICS_ADD(x->ended[XR_REFUSED], 1);
	if (rc)
		free(j);
	return rc;
}

void xfr_metrics(void *arg, textbuf_t *o)
{
	const xfr_t *x = arg;
	const char *n = "dynzone_xfr_total";
	metrics_family(o, n, "counter", "Outgoing zone transfers by how they ended");
	metrics_sample(o, n, "result=\"axfr\"", METRICS_GET(x->ended[XR_AXFR]));
	metrics_sample(o, n, "result=\"ixfr\"", METRICS_GET(x->ended[XR_IXFR]));
	metrics_sample(o, n, "result=\"refused\"", METRICS_GET(x->ended[XR_REFUSED]));
	metrics_sample(o, n, "result=\"failed\"", METRICS_GET(x->ended[XR_FAILED]));
}

void xfr_close(xfr_t *x)
{
	if (!x)
		return;
	pthread_mutex_lock(&x->mu);
	x->stopping = true;
	for (unsigned i = 0; x->slots && i < x->nslots; i++)
		if (x->slots[i].used && x->slots[i].fd >= 0)
			shutdown(x->slots[i].fd, SHUT_RDWR);
	pthread_mutex_unlock(&x->mu);
	for (unsigned i = 0; x->slots && i < x->nslots; i++)
		if (x->slots[i].used)
			pthread_join(x->slots[i].th, NULL);
	pthread_mutex_destroy(&x->mu);
	free(x->slots);
	free(x->acl);
	free(x);
}
