/* The DNS service's sockets and threads. */
#define _LGPL_SOURCE   /* liburcu's read-side lock inline (see answer.c) */
#include "src/dns/dns.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/dnsmsg.h"
#include "proto/dnsupdate.h"
#include "proto/errors.h"
#include "src/dns/ddns.h"
#include "src/dns/signed.h"
#include "src/common/clock.h"
#include "src/common/thread.h"
#include "src/write/limits.h"
#include "src/xfr/xfr.h"

#define BATCH 32
#define UDP_BUF 4096          /* queries larger than this are truncated junk */
#define TCP_MSG_MAX 65535
#define TCP_OUT_MAX (256 * 1024)

struct udp_sock {
	int fd;
	bool wildcard;   /* bound to 0.0.0.0 or ::: reply from the packet's
	                    destination address (pktinfo) */
	int family;
};

struct worker {
	dns_service_t *d;
	pthread_t thread;
	struct udp_sock *socks;   /* one per listen address */
	unsigned nsocks;
	/* recvmmsg/sendmmsg batches: allocated with the worker in dns_open,
	 * freed in dns_close, never on the query path */
	uint8_t (*inbuf)[UDP_BUF], (*outbuf)[EDNS_OUR_SIZE];
	struct answer_stats st;
	limiter_t *rrl;           /* response rate limiting (NULL: off) */
	unsigned slip_n;          /* limited answers since the last slipped one */
	int epfd;
	bool block;               /* one socket, made blocking: the worker waits in
	                             recvmmsg itself (as the echo floor does), not
	                             in epoll_wait then recvmmsg: one system call a
	                             batch less; dns_close wakes it with shutdown */
} __attribute__((aligned(64)));

struct tcp_conn {
	int fd;               /* -1 once handed to the transfer service */
	uint64_t last;
	size_t inlen;
	size_t outlen, outoff;
	uint8_t *out;
	size_t outcap;
	bool eof;             /* the peer shut its side: answer, then close */
	bool xfr_held;        /* a transfer query waits for the answers before it */
	uint64_t tag;         /* a serial and the slot (TAG_SLOT: its epoll tag);
	                         DNS UPDATE replies find the connection by it */
	unsigned pending;     /* DNS UPDATE replies still to come */
	struct sockaddr_storage peer;   /* for DNS UPDATE's log */
	socklen_t peerlen;
	uint8_t src[9];       /* limit_addr_key of the peer: tcp-max-per-ip */
	uint8_t srclen;
	uint64_t msg_start;   /* clock_ms() when the message now partly buffered began (0: none) */
	uint8_t in[2 + TCP_MSG_MAX];
};

struct dns_service {
	ztable_t *zt;
	unsigned nworkers;
	struct worker *workers;
	unsigned naddrs;
	int tcp_listen[CONF_MAX_LISTEN];
	unsigned ntcp;
	pthread_t tcp_thread;
	bool tcp_started;
	struct answer_stats tcp_st;
	/* the TCP thread's (METRICS_INC): connections accepted, closed at
	 * once over tcp-clients or tcp-max-per-ip, open now */
	uint64_t tcp_accepted, tcp_refused, tcp_open;
	long tcp_clients, tcp_idle, tcp_per_ip;
	unsigned rrl_slip;
	const struct tsig_keyring *keys;   /* the config's, read-only */
	int stopfd;      /* eventfd: readable when the service stops */
	bool stopping;   /* set (atomically) by dns_close before it wakes the
	                    workers that wait in recvmmsg itself */
	int tcp_ep;      /* the TCP thread's epoll set */
	xfr_t *xfr;      /* AXFR/IXFR queries go there (NULL: REFUSED) */
	/* DNS UPDATE (src/dns/ddns.h): replies to TCP requests come from the
	 * syncer thread through this queue; rqfd wakes the TCP thread */
	ddns_t *ddns;
	pthread_mutex_t rq_lock;
	struct tcp_reply *rq_head, **rq_tail;
	int rqfd;
	uint64_t conn_serial;   /* TCP thread only */
};

struct tcp_reply {
	struct tcp_reply *next;
	uint64_t tag;
	size_t len;
	uint8_t msg[];
};

#define RRL_SLOTS 16384     /* client networks a worker tracks for rate limiting */
#define TAG_SLOT_BITS 20    /* tcp-clients is at most 65536 */
#define TAG_SLOT(tag) ((tag) & ((UINT64_C(1) << TAG_SLOT_BITS) - 1))   /* its epoll tag */

/* The DNS UPDATE module's TCP reply hook: queue and wake the TCP thread
 * (any thread; never blocks beyond the queue's lock).  A reply that
 * cannot be queued is lost like a dropped connection's. */
static void tcp_reply_post(void *ctx, uint64_t tag, const uint8_t *msg, size_t len)
{
	dns_service_t *d = ctx;
	struct tcp_reply *r = malloc(sizeof *r + len);
	uint64_t one = 1;
	if (!r)
		return;
	r->next = NULL;
	r->tag = tag;
	r->len = len;
	memcpy(r->msg, msg, len);
	pthread_mutex_lock(&d->rq_lock);
	*d->rq_tail = r;
	d->rq_tail = &r->next;
	pthread_mutex_unlock(&d->rq_lock);
	if (write(d->rqfd, &one, sizeof one) < 0)
		(void)0;   /* the counter is saturated: the thread is awake anyway */
}

static int bind_socket(const struct conf_addr *a, int type, char *err,
                       size_t errlen)
{
	int fam = a->ss.ss_family;
	int fd = socket(fam, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (type == SOCK_DGRAM &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
		goto fail;
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 128) < 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "dns-listen %s (%s): %s", a->text,
	         type == SOCK_DGRAM ? "udp" : "tcp", strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static bool is_wildcard(const struct conf_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr, &in6addr_any,
	              sizeof in6addr_any) == 0;
}

int dns_open(dns_service_t **out, const struct config *c, ztable_t *zt,
             char *err, size_t errlen)
{
	dns_service_t *d = calloc(1, sizeof *d);
	if (!d)
		return DZ_ENOMEM;
	d->zt = zt;
	d->naddrs = c->dns_listen.n;
	d->tcp_clients = c->tcp_clients;
	d->tcp_idle = c->tcp_idle_timeout;
	d->tcp_per_ip = c->tcp_max_per_ip;
	d->rrl_slip = (unsigned)c->rrl_slip;
	d->keys = &c->tsig_keys;
	d->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->rqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->rq_tail = &d->rq_head;
	pthread_mutex_init(&d->rq_lock, NULL);
	if (ddns_open(&d->ddns, c, err, errlen)) {
		dns_close(d);
		return DZ_EINVAL;
	}
	ddns_set_tcp_reply(d->ddns, tcp_reply_post, d);
	long nw = c->dns_workers;
	if (nw <= 0) {
		nw = sysconf(_SC_NPROCESSORS_ONLN);
		if (nw < 1)
			nw = 1;
		if (nw > 64)
			nw = 64;
	}
	d->nworkers = (unsigned)nw;
	d->workers = calloc(d->nworkers, sizeof *d->workers);
	if (!d->workers || d->stopfd < 0 || d->rqfd < 0)
		goto enomem;
	for (unsigned i = 0; i < CONF_MAX_LISTEN; i++)
		d->tcp_listen[i] = -1;
	for (unsigned w = 0; w < d->nworkers; w++) {
		d->workers[w].d = d;
		d->workers[w].epfd = -1;
		d->workers[w].socks = calloc(d->naddrs, sizeof(struct udp_sock));
		d->workers[w].inbuf = calloc(BATCH, UDP_BUF);
		d->workers[w].outbuf = calloc(BATCH, EDNS_OUR_SIZE);
		if (!d->workers[w].socks || !d->workers[w].inbuf || !d->workers[w].outbuf)
			goto enomem;
		if (c->rrl_rate) {
			/* each worker sees its share of a client's packets (the
			 * kernel spreads them by address and port) */
			unsigned share = (unsigned)((c->rrl_rate + d->nworkers - 1) / d->nworkers);
			d->workers[w].rrl = limiter_new(RRL_SLOTS, share * 60, share);
			if (!d->workers[w].rrl)
				goto enomem;
		}
		for (unsigned a = 0; a < d->naddrs; a++)
			d->workers[w].socks[a].fd = -1;
	}
	for (unsigned a = 0; a < d->naddrs; a++) {
		const struct conf_addr *ca = &c->dns_listen.a[a];
		/* SO_REUSEPORT would let us join another process's socket group
		 * on the same port and silently take half its queries: check
		 * first with a plain bind that the port is really free */
		int probe = socket(ca->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int v6only = 1;
		/* v6-only like the real socket, or [::] collides with our own
		 * 0.0.0.0 bound just before */
		if (probe >= 0 && ca->ss.ss_family == AF_INET6)
			setsockopt(probe, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
		if (probe < 0 || bind(probe, (const struct sockaddr *)&ca->ss, ca->len) < 0) {
			snprintf(err, errlen, "dns-listen %s (udp): %s", ca->text, strerror(errno));
			if (probe >= 0)
				close(probe);
			goto fail;
		}
		close(probe);
		for (unsigned w = 0; w < d->nworkers; w++) {
			struct udp_sock *s = &d->workers[w].socks[a];
			s->fd = bind_socket(ca, SOCK_DGRAM, err, errlen);
			if (s->fd < 0)
				goto fail;
			s->family = ca->ss.ss_family;
			s->wildcard = is_wildcard(ca);
			d->workers[w].nsocks = a + 1;
			int one = 1;
			if (s->wildcard && s->family == AF_INET)
				setsockopt(s->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
			else if (s->wildcard)
				setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
		}
		d->tcp_listen[a] = bind_socket(ca, SOCK_STREAM, err, errlen);
		if (d->tcp_listen[a] < 0)
			goto fail;
		d->ntcp = a + 1;
	}
	*out = d;
	return 0;
enomem:
	snprintf(err, errlen, "out of memory");
fail:
	dns_close(d);
	return DZ_EIO;
}

/* One message, UDP or TCP: the parse notes a TSIG RR, and only then does
 * the signed path (signed.h) take over. */
static size_t answer(const dns_service_t *d, const uint8_t *pkt, size_t len, uint8_t *out,
                     size_t cap, bool tcp, struct answer_stats *st)
{
	dns_query_t q;
	int rcode;
	dns_verdict_t v = dns_query_parse(pkt, len, &q, &rcode);
	if (q.tsig_off)
		return signed_answer(d->keys, d->zt, pkt, len, &q, v, rcode, out, cap, tcp, st);
	return answer_parsed(d->zt, pkt, &q, v, rcode, out, cap, tcp, 0, st);
}

/* UDP ------------------------------------------------------------------- */

union ctrl {
	struct cmsghdr align;
	uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

/* Turn the received pktinfo into the one to send with (source address =
 * the address the query was sent to). */
static void fix_pktinfo(struct msghdr *h)
{
	struct cmsghdr *cm = CMSG_FIRSTHDR(h);
	size_t keep = 0;
	for (; cm; cm = CMSG_NXTHDR(h, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			pi.ipi_ifindex = 0;
			pi.ipi_spec_dst = pi.ipi_addr;
			memcpy(CMSG_DATA(cm), &pi, sizeof pi);
			keep = CMSG_SPACE(sizeof pi);
			break;
		}
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof pi);
			pi.ipi6_ifindex = 0;
			memcpy(CMSG_DATA(cm), &pi, sizeof pi);
			keep = CMSG_SPACE(sizeof pi);
			break;
		}
	}
	struct cmsghdr *first = CMSG_FIRSTHDR(h);
	if (keep && first && cm != first)
		memmove(first, cm, keep);
	h->msg_controllen = keep;
	if (!keep)
		h->msg_control = NULL;
}

/* A DNS UPDATE over UDP: an immediate reply's length, or 0 (the reply
 * comes from the committer's done, sent on the same socket from the same
 * address: h's control message is already fixed for sending). */
static size_t udp_update(struct worker *w, struct udp_sock *s, const struct msghdr *h,
                         const uint8_t *msg, size_t len, uint8_t *out)
{
	struct ddns_from f = { .tcp = false, .fd = s->fd, .peerlen = h->msg_namelen };
	bool queued;
	memcpy(&f.peer, h->msg_name, h->msg_namelen <= sizeof f.peer ? h->msg_namelen
	                                                              : sizeof f.peer);
	if (h->msg_control && h->msg_controllen <= sizeof f.ctrl) {
		memcpy(f.ctrl, h->msg_control, h->msg_controllen);
		f.ctrllen = h->msg_controllen;
	}
	return ddns_request(w->d->ddns, msg, len, &f, out, EDNS_OUR_SIZE, &queued);
}

/* Response rate limiting (RFC-less, as BIND and Knot do it): answers to
 * one client network (IPv4 /24, IPv6 /56) beyond rrl-rate a second are
 * dropped, but every rrl-slip-th of them goes out empty with TC set, so a
 * real client behind a spoofed flood retries over TCP and gets its answer
 * while the victim of a reflection gets next to nothing.  Loopback is
 * exempt (local tools, benchmarks).  Returns true if the answer may go. */
static bool rrl_allow(struct worker *w, const struct sockaddr_storage *peer, uint64_t now_ms,
                      bool *slip)
{
	static const uint8_t mapped127[13] = { [10] = 0xff, [11] = 0xff, [12] = 127 };
	static const uint8_t loop6[16] = { [15] = 1 };
	const struct sockaddr *sa = (const struct sockaddr *)peer;
	uint8_t key[9];
	unsigned retry;
	*slip = false;
	if (sa->sa_family == AF_INET
	    ? ((const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr)[0] == 127
	    : (memcmp(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, loop6, 16) == 0 ||
	       memcmp(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, mapped127, 13) == 0))
		return true;
	size_t klen = limit_net_key(sa, 3, 7, key);   /* the client's /24 or /56 */
	if (limiter_take(w->rrl, key, klen, now_ms, &retry) == 0)
		return true;
	unsigned every = w->d->rrl_slip;
	if (every && ++w->slip_n >= every) {
		w->slip_n = 0;
		*slip = true;
		METRICS_INC(w->st.rrl_slipped);
	} else {
		METRICS_INC(w->st.rrl_dropped);
	}
	return false;
}

/* A reply of header and question only (and OPT if the query had one),
 * from what of the query parses: with `rcode`, or for a query that
 * parsed whole, empty with TC set (tc).  0: none to give (a response, a
 * runt, or for tc a query that did not parse). */
static size_t header_reply(const uint8_t *pkt, size_t len, uint8_t *out, int rcode, bool tc)
{
	dns_query_t q;
	int why;
	dns_verdict_t v = dns_query_parse(pkt, len, &q, &why);
	if (v == DNS_DROP || (tc && v != DNS_ANSWER))
		return 0;
	size_t n = dns_resp_error(out, EDNS_OUR_SIZE, pkt, &q, rcode);
	if (tc && n >= DNS_HDR)
		out[2] |= DNS_TC >> 8;
	return n;
}

static void udp_drain(struct worker *w, struct udp_sock *s)
{
	uint8_t (*inbuf)[UDP_BUF] = w->inbuf, (*outbuf)[EDNS_OUR_SIZE] = w->outbuf;
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iin[BATCH], iout[BATCH];
	struct sockaddr_storage peer[BATCH];
	union ctrl ctl[BATCH];

	/* the headers once a drain; a round resets only the fields the
	 * kernel (and fix_pktinfo) changed in the ones the last round used */
	for (int i = 0; i < BATCH; i++) {
		iin[i].iov_base = inbuf[i];
		iin[i].iov_len = UDP_BUF;
		memset(&in[i].msg_hdr, 0, sizeof in[i].msg_hdr);
		in[i].msg_hdr.msg_name = &peer[i];
		in[i].msg_hdr.msg_namelen = sizeof peer[i];
		in[i].msg_hdr.msg_iov = &iin[i];
		in[i].msg_hdr.msg_iovlen = 1;
		if (s->wildcard) {
			in[i].msg_hdr.msg_control = ctl[i].buf;
			in[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
		}
	}
	for (int round = 0, used = 0; w->block || round < 64; round += !w->block) {
		for (int i = 0; i < used; i++) {
			in[i].msg_hdr.msg_namelen = sizeof peer[i];
			if (s->wildcard) {
				in[i].msg_hdr.msg_control = ctl[i].buf;
				in[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
			}
		}
		/* blocking: wait for the first datagram, take what else is there */
		int n = recvmmsg(s->fd, in, BATCH, w->block ? MSG_WAITFORONE : MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR && w->block)
			continue;
		/* after dns_close's shutdown a blocking recvmmsg returns empty
		 * datagrams at once: stop */
		if (n <= 0 || (w->block && __atomic_load_n(&w->d->stopping, __ATOMIC_ACQUIRE)))
			return;
		used = n;
		int nout = 0;
		uint64_t now_ms = w->rrl ? clock_ms() : 0;   /* one clock read a batch */
		/* one RCU read-side section for the batch's queries (answer's
		 * own lock nests inside it at the cost of a counter), left
		 * before an UPDATE, which may wait for the writer */
		bool in_rcu = false;
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &in[i].msg_hdr;
			bool slip;
			size_t len;
			if (s->wildcard)
				fix_pktinfo(h);
			if (h->msg_flags & MSG_TRUNC) {
				/* over UDP_BUF bytes: FORMERR from its first ones, never
				 * silence (RFC 8906 §3.1.5) */
				len = header_reply(inbuf[i], UDP_BUF, outbuf[nout], RCODE_FORMERR, false);
				if (len) {
					METRICS_INC(w->st.queries);
					METRICS_INC(w->st.formerr);
				}
			} else if (dnsupd_is_update(inbuf[i], in[i].msg_len)) {
				if (in_rcu) {
					urcu_memb_read_unlock();
					in_rcu = false;
				}
				len = udp_update(w, s, h, inbuf[i], in[i].msg_len, outbuf[nout]);
			} else if (w->rrl && !rrl_allow(w, &peer[i], now_ms, &slip)) {
				len = slip ? header_reply(inbuf[i], in[i].msg_len, outbuf[nout],
				                          RCODE_NOERROR, true) : 0;
			} else {
				if (!in_rcu) {
					urcu_memb_read_lock();
					in_rcu = true;
				}
				/* the common query in a few hundred instructions; any
				 * other takes the full path */
				len = answer_udp_fast(w->d->zt, inbuf[i], in[i].msg_len,
				                      outbuf[nout], &w->st);
				if (!len)
					len = answer(w->d, inbuf[i], in[i].msg_len, outbuf[nout],
					             EDNS_OUR_SIZE, false, &w->st);
			}
			if (!len)
				continue;
			iout[nout].iov_base = outbuf[nout];
			iout[nout].iov_len = len;
			struct msghdr *o = &out[nout].msg_hdr;
			memset(o, 0, sizeof *o);
			o->msg_name = &peer[i];
			o->msg_namelen = h->msg_namelen;
			o->msg_iov = &iout[nout];
			o->msg_iovlen = 1;
			if (s->wildcard) {
				o->msg_control = h->msg_control;
				o->msg_controllen = h->msg_controllen;
			}
			nout++;
		}
		if (in_rcu)
			urcu_memb_read_unlock();
		for (int sent = 0; sent < nout;) {
			int r = sendmmsg(s->fd, out + sent, (unsigned)(nout - sent), MSG_DONTWAIT);
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				/* skip the message that failed (e.g. unreachable peer) */
				sent++;
				continue;
			}
			sent += r;
		}
		if (n < BATCH && !w->block)
			return;
	}
}

static void *udp_worker(void *arg)
{
	thread_name("dz-udp");
	struct worker *w = arg;
	struct epoll_event ev[16];

	zt_thread_register();
	while (w->block) {
		udp_drain(w, &w->socks[0]);
		if (__atomic_load_n(&w->d->stopping, __ATOMIC_ACQUIRE))
			goto out;
	}
	for (;;) {
		int n = epoll_wait(w->epfd, ev, 16, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == UINT32_MAX)
				goto out;
			udp_drain(w, &w->socks[ev[i].data.u32]);
		}
	}
out:
	zt_thread_unregister();
	return NULL;
}

/* TCP ------------------------------------------------------------------- */

static void conn_close(int ep, struct tcp_conn **slot)
{
	struct tcp_conn *c = *slot;
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	free(c->out);
	free(c);
	*slot = NULL;
}

/* Flush what we can; returns false if the connection died. */
static bool conn_flush(struct tcp_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t r = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return false;
		}
		c->outoff += (size_t)r;
		c->last = clock_ms();   /* a peer taking its answers is not idle */
	}
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	return true;
}

static bool conn_queue(struct tcp_conn *c, const uint8_t *msg, size_t len)
{
	if (c->outoff) {
		/* drop what was sent, so the cap counts only unsent bytes */
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen + 2 + len > c->outcap) {
		size_t nc = c->outcap ? c->outcap : 4096;
		while (nc < c->outlen + 2 + len)
			nc *= 2;
		/* the cap: what conn_answer lets pile up plus one answer (the
		 * doubling alone would overshoot it and drop the connection) */
		if (nc > TCP_OUT_MAX + 2 + TCP_MSG_MAX)
			nc = TCP_OUT_MAX + 2 + TCP_MSG_MAX;
		if (nc < c->outlen + 2 + len)
			return false;
		uint8_t *no = realloc(c->out, nc);
		if (!no)
			return false;
		c->out = no;
		c->outcap = nc;
	}
	wire_t o;
	wire_init(&o, c->out + c->outlen, c->outcap - c->outlen);
	wire_write_u16(&o, (uint16_t)len);   /* RFC 1035 §4.2.2 length prefix */
	wire_write_bytes(&o, msg, len);
	c->outlen += wire_pos(&o);
	return !o.err;
}

/* REFUSED for a transfer over the cap. */
static size_t refuse(const uint8_t *msg, size_t len, uint8_t *resp)
{
	dns_query_t q;
	int rcode;
	if (dns_query_parse(msg, len, &q, &rcode) == DNS_DROP)
		return 0;
	return dns_resp_error(resp, TCP_MSG_MAX, msg, &q, rcode ? rcode : RCODE_REFUSED);
}

/* A zone transfer query: hand the connection to the transfer service
 * once every earlier answer is out (1: handed over, the connection is no
 * longer ours; 0: not yet, keep the query buffered; -1: over the cap,
 * answer REFUSED here).  Queries pipelined after it are dropped. */
static int conn_handoff(dns_service_t *d, struct tcp_conn *c, const uint8_t *msg,
                        size_t len)
{
	if (c->outlen > c->outoff || c->pending)
		return 0;      /* the answers (and UPDATE replies) before it go first */
	epoll_ctl(d->tcp_ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (xfr_take(d->xfr, c->fd, msg, len) == 0) {
		c->fd = -1;
		return 1;
	}
	struct epoll_event ce = { .events = EPOLLIN | EPOLLOUT | EPOLLET,
	                          .data.u64 = TAG_SLOT(c->tag) };
	epoll_ctl(d->tcp_ep, EPOLL_CTL_ADD, c->fd, &ce);
	return -1;
}

/* Answer the complete messages in c->in while the peer keeps up with
 * reading (at most TCP_OUT_MAX bytes unsent); the rest stay buffered until
 * it does.  False if the connection is to be closed (or was handed to the
 * transfer service). */
static bool conn_answer(dns_service_t *d, struct tcp_conn *c, uint8_t *resp)
{
	wire_t in;
	bool alive = true;
	wire_init(&in, c->in, c->inlen);
	while (wire_avail(&in) >= 2 && c->outlen - c->outoff <= TCP_OUT_MAX) {
		size_t mlen = wire_peek_u16(&in);
		if (mlen == 0) {
			alive = false;
			break;
		}
		if (wire_avail(&in) < 2 + mlen)
			break;
		const uint8_t *msg = c->in + wire_pos(&in) + 2;
		int h = d->xfr && xfr_is_request(msg, mlen) ? conn_handoff(d, c, msg, mlen) : -2;
		c->xfr_held = h == 0;
		if (h == 0)
			break;
		if (h == 1)
			return false;
		wire_skip(&in, 2 + mlen);
		size_t len;
		if (h == -1) {
			len = refuse(msg, mlen, resp);
		} else if (dnsupd_is_update(msg, mlen)) {
			/* the reply comes later, through tcp_reply_post */
			struct ddns_from f = { .tcp = true, .fd = -1, .conn = c->tag,
			                       .peer = c->peer, .peerlen = c->peerlen };
			bool queued;
			len = ddns_request(d->ddns, msg, mlen, &f, resp, TCP_MSG_MAX, &queued);
			c->pending += queued;
		} else {
			len = answer(d, msg, mlen, resp, TCP_MSG_MAX, true, &d->tcp_st);
		}
		if (len && !conn_queue(c, resp, len)) {
			alive = false;
			break;
		}
	}
	size_t off = wire_pos(&in);
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
		/* what is left is the start of the next message */
		c->msg_start = c->inlen ? clock_ms() : 0;
	}
	return alive;
}

/* True if c->in starts with a whole length-prefixed message. */
static bool tcp_msg_complete(struct tcp_conn *c)
{
	wire_t in;
	wire_init(&in, c->in, c->inlen);
	return wire_avail(&in) >= 2 && wire_avail(&in) - 2 >= wire_peek_u16(&in);
}

/* Answer what is buffered, then read and answer until the socket is
 * drained or the peer stops taking answers; false if the connection is to
 * be closed.  Called on every event of the connection, so that messages
 * held back for a slow reader are answered once it has read. */
static bool conn_read(dns_service_t *d, struct tcp_conn *c, uint8_t *resp)
{
	for (;;) {
		if (!conn_answer(d, c, resp) || !conn_flush(c))
			return false;
		if (c->outlen - c->outoff > TCP_OUT_MAX)
			return true;   /* the peer is not reading: stop reading too */
		if (c->xfr_held && c->outlen > c->outoff)
			return true;   /* hand it over once they are out (EPOLLOUT) */
		if (tcp_msg_complete(c))
			continue;      /* held back, and the flush made room */
		if (c->eof)   /* open until all is sent */
			return c->outlen > c->outoff || c->pending;
		ssize_t r = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen,
		                 MSG_DONTWAIT);
		if (r == 0) {
			/* the queries before a FIN still get their answers */
			c->eof = true;
			continue;
		}
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno == EINTR)
				continue;
			return false;
		}
		if (c->inlen == 0)
			c->msg_start = clock_ms();
		c->inlen += (size_t)r;
		c->last = clock_ms();
	}
}

/* Deliver the DNS UPDATE replies queued by tcp_reply_post to their
 * connections (gone ones: dropped).  Returns how many connections it
 * closed. */
static long tcp_replies(dns_service_t *d, int ep, struct tcp_conn **conns, uint8_t *resp)
{
	uint64_t n;
	long closed = 0;
	if (read(d->rqfd, &n, sizeof n) < 0)
		(void)0;
	pthread_mutex_lock(&d->rq_lock);
	struct tcp_reply *r = d->rq_head;
	d->rq_head = NULL;
	d->rq_tail = &d->rq_head;
	pthread_mutex_unlock(&d->rq_lock);
	while (r) {
		struct tcp_reply *next = r->next;
		uint64_t slot = TAG_SLOT(r->tag);
		struct tcp_conn **c = slot < (uint64_t)d->tcp_clients ? &conns[slot] : NULL;
		if (c && *c && (*c)->tag == r->tag) {
			(*c)->pending--;
			if (!conn_queue(*c, r->msg, r->len) || !conn_read(d, *c, resp)) {
				conn_close(ep, c);
				closed++;
			}
		}
		free(r);
		r = next;
	}
	return closed;
}

static void *tcp_thread(void *arg)
{
	thread_name("dz-tcp");
	dns_service_t *d = arg;
	struct tcp_conn **conns = calloc((size_t)d->tcp_clients, sizeof *conns);
	uint8_t *resp = malloc(TCP_MSG_MAX);
	struct epoll_event ev[64];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	long nconns = 0;
	uint64_t last_sweep = clock_ms();

	zt_thread_register();
	d->tcp_ep = ep;
	if (!conns || !resp || ep < 0)
		goto out;
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	epoll_ctl(ep, EPOLL_CTL_ADD, d->stopfd, &e);
	e.data.u64 = UINT64_MAX - 1;
	epoll_ctl(ep, EPOLL_CTL_ADD, d->rqfd, &e);
	for (unsigned i = 0; i < d->ntcp; i++) {
		e.data.u64 = ((uint64_t)1 << 32) | i;
		epoll_ctl(ep, EPOLL_CTL_ADD, d->tcp_listen[i], &e);
	}
	for (;;) {
		__atomic_store_n(&d->tcp_open, (uint64_t)nconns, __ATOMIC_RELAXED);
		int n = epoll_wait(ep, ev, 64, 1000);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			if (tag == UINT64_MAX)
				goto out;
			if (tag == UINT64_MAX - 1) {
				nconns -= tcp_replies(d, ep, conns, resp);
				continue;
			}
			if (tag >> 32) {
				int lfd = d->tcp_listen[(uint32_t)tag];
				for (;;) {
					struct sockaddr_storage peer;
					socklen_t peerlen = sizeof peer;
					int fd = accept4(lfd, (struct sockaddr *)&peer, &peerlen,
					                 SOCK_NONBLOCK | SOCK_CLOEXEC);
					if (fd < 0)
						break;
					long slot = -1, same = 0;
					uint8_t src[9];
					size_t srclen = limit_addr_key((struct sockaddr *)&peer, src);
					for (long k = 0; k < d->tcp_clients && nconns < d->tcp_clients; k++) {
						if (!conns[k]) {
							if (slot < 0)
								slot = k;
						} else if (conns[k]->srclen == srclen &&
						           memcmp(conns[k]->src, src, srclen) == 0) {
							same++;
						}
					}
					if (d->tcp_per_ip && same >= d->tcp_per_ip)
						slot = -1;   /* one source may not take every slot */
					struct tcp_conn *c = slot >= 0 ? calloc(1, sizeof *c) : NULL;
					if (!c) {
						close(fd);   /* over the cap */
						METRICS_INC(d->tcp_refused);
						continue;
					}
					METRICS_INC(d->tcp_accepted);
					c->fd = fd;
					memcpy(c->src, src, srclen);
					c->srclen = (uint8_t)srclen;
					c->peer = peer;
					c->peerlen = peerlen;
					c->last = clock_ms();
					c->tag = (++d->conn_serial << TAG_SLOT_BITS) | (uint64_t)slot;
					conns[slot] = c;
					nconns++;
					struct epoll_event ce = { .events = EPOLLIN | EPOLLOUT | EPOLLET,
					                          .data.u64 = (uint64_t)slot };
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
				}
				continue;
			}
			struct tcp_conn **slot = &conns[tag];
			if (!*slot)
				continue;
			bool alive = true;
			if (ev[i].events & (EPOLLERR | EPOLLHUP))
				alive = false;
			if (alive && (ev[i].events & EPOLLOUT))
				alive = conn_flush(*slot);
			if (alive && (ev[i].events & (EPOLLIN | EPOLLOUT)))
				alive = conn_read(d, *slot, resp);
			if (!alive) {
				conn_close(ep, slot);
				nconns--;
			}
		}
		uint64_t now = clock_ms(), idle_ms = (uint64_t)d->tcp_idle * 1000;
		if (now - last_sweep >= 1000) {
			last_sweep = now;
			for (long k = 0; k < d->tcp_clients; k++) {
				/* idle, or dripping a message slower than the idle time
				 * allows for a whole one */
				if (conns[k] && !conns[k]->pending &&
				    (now - conns[k]->last >= idle_ms ||
				     (conns[k]->msg_start && now - conns[k]->msg_start >= idle_ms &&
				      !tcp_msg_complete(conns[k])))) {
					conn_close(ep, &conns[k]);
					nconns--;
				} else if (conns[k] && conns[k]->outlen > conns[k]->outoff) {
					/* resume reading once a blocked peer drained us */
					if (!conn_flush(conns[k]) || !conn_read(d, conns[k], resp)) {
						conn_close(ep, &conns[k]);
						nconns--;
					}
				}
			}
		}
	}
out:
	if (conns)
		for (long k = 0; k < d->tcp_clients; k++)
			if (conns[k])
				conn_close(ep, &conns[k]);
	free(conns);
	free(resp);
	if (ep >= 0)
		close(ep);
	zt_thread_unregister();
	return NULL;
}

void dns_set_xfr(dns_service_t *d, xfr_t *x)
{
	d->xfr = x;
}

void dns_set_committer(dns_service_t *d, committer_t *cm)
{
	ddns_set_committer(d->ddns, cm);
}

int dns_start(dns_service_t *d)
{
	for (unsigned w = 0; w < d->nworkers; w++) {
		struct worker *wk = &d->workers[w];
		wk->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (wk->epfd < 0)
			return DZ_EIO;
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
		epoll_ctl(wk->epfd, EPOLL_CTL_ADD, d->stopfd, &e);
		int fl = wk->nsocks == 1 ? fcntl(wk->socks[0].fd, F_GETFL) : -1;
		wk->block = fl >= 0 && fcntl(wk->socks[0].fd, F_SETFL, fl & ~O_NONBLOCK) == 0;
		/* a blocking socket stays out of the set: each datagram would
		 * run epoll's wake-up callback in the kernel for nothing */
		for (unsigned a = 0; a < wk->nsocks && !wk->block; a++) {
			e.data.u32 = a;
			epoll_ctl(wk->epfd, EPOLL_CTL_ADD, wk->socks[a].fd, &e);
		}
		if (pthread_create(&wk->thread, NULL, udp_worker, wk))
			return DZ_EIO;
	}
	if (pthread_create(&d->tcp_thread, NULL, tcp_thread, d))
		return DZ_EIO;
	d->tcp_started = true;
	return 0;
}

/* Add one thread's answer counters to a sum. */
static void stats_add(struct answer_stats *sum, const struct answer_stats *st)
{
	sum->queries += METRICS_GET(st->queries);
	sum->noerror += METRICS_GET(st->noerror);
	sum->nxdomain += METRICS_GET(st->nxdomain);
	sum->refused += METRICS_GET(st->refused);
	sum->formerr += METRICS_GET(st->formerr);
	sum->notimp += METRICS_GET(st->notimp);
	sum->notauth += METRICS_GET(st->notauth);
	sum->dropped += METRICS_GET(st->dropped);
	sum->truncated += METRICS_GET(st->truncated);
	sum->rrl_dropped += METRICS_GET(st->rrl_dropped);
	sum->rrl_slipped += METRICS_GET(st->rrl_slipped);
	for (unsigned i = 0; i < AQT_N; i++)
		sum->qtype[i] += METRICS_GET(st->qtype[i]);
}

void dns_metrics(void *arg, textbuf_t *o)
{
	static const char *const qt[AQT_N] = {
		"type=\"A\"", "type=\"AAAA\"", "type=\"TXT\"", "type=\"SOA\"",
		"type=\"NS\"", "type=\"ANY\"", "type=\"other\"",
	};
	const dns_service_t *d = arg;
	struct answer_stats udp = { 0 }, tcp = { 0 }, all;
	for (unsigned w = 0; w < d->nworkers; w++)
		stats_add(&udp, &d->workers[w].st);
	stats_add(&tcp, &d->tcp_st);
	all = udp;
	stats_add(&all, &tcp);

	const char *n = "dynzone_dns_queries_total";
	metrics_family(o, n, "counter", "DNS queries received (UPDATE messages not included)");
	metrics_sample(o, n, "transport=\"udp\"", udp.queries);
	metrics_sample(o, n, "transport=\"tcp\"", tcp.queries);
	n = "dynzone_dns_queries_by_type_total";
	metrics_family(o, n, "counter", "DNS queries by query type");
	for (unsigned i = 0; i < AQT_N; i++)
		metrics_sample(o, n, qt[i], all.qtype[i]);
	n = "dynzone_dns_responses_total";
	metrics_family(o, n, "counter", "DNS responses by rcode");
	metrics_sample(o, n, "rcode=\"NOERROR\"", all.noerror);
	metrics_sample(o, n, "rcode=\"NXDOMAIN\"", all.nxdomain);
	metrics_sample(o, n, "rcode=\"REFUSED\"", all.refused);
	metrics_sample(o, n, "rcode=\"FORMERR\"", all.formerr);
	metrics_sample(o, n, "rcode=\"NOTIMP\"", all.notimp);
	metrics_sample(o, n, "rcode=\"NOTAUTH\"", all.notauth);
	metrics_counter(o, "dynzone_dns_truncated_total",
	                "UDP answers sent truncated (TC set: retry over TCP)", all.truncated);
	metrics_counter(o, "dynzone_dns_udp_dropped_total",
	                "UDP queries given no answer (malformed, oversized, responses)", udp.dropped);
	n = "dynzone_dns_rate_limited_total";
	metrics_family(o, n, "counter", "UDP answers held back by response rate limiting (rrl-rate)");
	metrics_sample(o, n, "action=\"dropped\"", udp.rrl_dropped);
	metrics_sample(o, n, "action=\"slipped\"", udp.rrl_slipped);
	metrics_counter(o, "dynzone_dns_tcp_connections_total", "DNS TCP connections accepted",
	                METRICS_GET(d->tcp_accepted));
	metrics_counter(o, "dynzone_dns_tcp_refused_total",
	                "DNS TCP connections closed at once: tcp-clients or tcp-max-per-ip reached",
	                METRICS_GET(d->tcp_refused));
	metrics_gauge(o, "dynzone_dns_tcp_open", "DNS TCP connections open",
	              METRICS_GET(d->tcp_open));
	ddns_metrics(d->ddns, o);
}

void dns_close(dns_service_t *d)
{
	if (!d)
		return;
	__atomic_store_n(&d->stopping, true, __ATOMIC_RELEASE);
	if (d->stopfd >= 0) {
		uint64_t one = 1;
		if (write(d->stopfd, &one, sizeof one) < 0)
			(void)0;
	}
	/* a worker blocked in recvmmsg: shutdown wakes it (0 datagrams;
	 * ENOTCONN on an unconnected socket, but it wakes the readers) */
	for (unsigned w = 0; d->workers && w < d->nworkers; w++)
		if (d->workers[w].block)
			(void)shutdown(d->workers[w].socks[0].fd, SHUT_RD);
	for (unsigned w = 0; d->workers && w < d->nworkers; w++) {
		struct worker *wk = &d->workers[w];
		if (wk->epfd >= 0) {
			pthread_join(wk->thread, NULL);
			close(wk->epfd);
		}
		for (unsigned a = 0; wk->socks && a < wk->nsocks; a++)
			if (wk->socks[a].fd >= 0)
				close(wk->socks[a].fd);
		free(wk->socks);
		free(wk->inbuf);
		limiter_free(wk->rrl);
		free(wk->outbuf);
	}
	if (d->tcp_started)
		pthread_join(d->tcp_thread, NULL);
	for (unsigned i = 0; i < d->ntcp; i++)
		if (d->tcp_listen[i] >= 0)
			close(d->tcp_listen[i]);
	if (d->stopfd >= 0)
		close(d->stopfd);
	if (d->rqfd >= 0)
		close(d->rqfd);
	for (struct tcp_reply *r = d->rq_head, *next; r; r = next) {
		next = r->next;
		free(r);
	}
	pthread_mutex_destroy(&d->rq_lock);
	ddns_free(d->ddns);
	free(d->workers);
	free(d);
}
