/* NOTIFY to the secondaries, on the timer thread (src/xfr/notify.h). */
#include "src/xfr/notify.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proto/dnsmsg.h"
#include "proto/errors.h"
#include "proto/tsig.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/rand.h"

#define NOTIFY_BUF 512

/* One notify line.  State under n->mu: `changed` counts changes of the
 * zone, `sent` is the change the last NOTIFY announced, `acked` the last
 * change a secondary confirmed. */
struct target {
	notifier_t *n;
	struct timer t;
	uint8_t zone[DNAME_MAX];
	struct sockaddr_in6 sa;       /* IPv4 as v4-mapped */
	const struct tsig_key *key;
	struct tsig_ctx tsig;
	char text[256];               /* the line, for logs */
	bool armed;
	unsigned tries;
	uint16_t id;
	uint64_t changed, sent, acked;
};

struct notifier {
	pthread_mutex_t mu;
	int fd;
	ztable_t *zt;
	timers_t *ts;
	unsigned n;
	struct target *t;
};

static int target_parse(const struct config *c, const char *line, struct target *t,
                        char *err, size_t errlen)
{
	char words[3][256];
	unsigned nw = 0;
	const char *p = line;
	while (*p && nw < 3) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t len = strcspn(p, " \t");
		if (!len)
			break;
		if (len >= sizeof words[0])
			goto bad;
		memcpy(words[nw], p, len);
		words[nw++][len] = 0;
		p += len;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (nw < 2 || *p)
		goto bad;
	snprintf(t->text, sizeof t->text, "%s", line);
	if (!dname_from_text(t->zone, words[0], strlen(words[0]), (const uint8_t *)""))
		goto bad;
	dname_lower(t->zone);
	struct conf_addr a;
	if (config_parse_addr(words[1], 53, &a))
		goto bad;
	t->sa.sin6_family = AF_INET6;
	if (a.ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a.ss;
		t->sa.sin6_port = s4->sin_port;
		t->sa.sin6_addr.s6_addr[10] = t->sa.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&t->sa.sin6_addr.s6_addr[12], &s4->sin_addr, 4);
	} else {
		memcpy(&t->sa, &a.ss, sizeof t->sa);
	}
	if (nw == 3) {
		uint8_t kname[DNAME_MAX];
		if (!dname_from_text(kname, words[2], strlen(words[2]), (const uint8_t *)"") ||
		    !(t->key = tsig_keyring_find(&c->tsig_keys, kname))) {
			snprintf(err, errlen, "notify '%s': no tsig-key named '%s'", line, words[2]);
			return DZ_EINVAL;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "notify '%s': expected ZONE ADDRESS[:PORT] [KEYNAME]", line);
	return DZ_EINVAL;
}

int notify_open(notifier_t **out, const struct config *c, char *err, size_t errlen)
{
	int rc = DZ_ENOMEM;
	*out = NULL;
	if (!c->notify.n)
		return 0;
	notifier_t *n = calloc(1, sizeof *n);
	if (!n)
		goto enomem;
	pthread_mutex_init(&n->mu, NULL);
	n->fd = -1;
	n->t = calloc(c->notify.n, sizeof *n->t);
	if (!n->t)
		goto enomem;
	for (unsigned i = 0; i < c->notify.n; i++, n->n++) {
		n->t[i].n = n;
		if ((rc = target_parse(c, c->notify.s[i], &n->t[i], err, errlen)))
			goto fail;
	}
	int off = 0;
	n->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->fd < 0 || setsockopt(n->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off)) {
		snprintf(err, errlen, "notify: socket: %s", strerror(errno));
		rc = DZ_EIO;
		goto fail;
	}
	*out = n;
	return 0;
enomem:
	snprintf(err, errlen, "out of memory");
fail:
	notify_close(n);
	return rc;
}

/* Read every reply waiting on the socket; a reply to a target's last
 * NOTIFY (same address, id, and signature if keyed) acknowledges it.
 * n->mu held. */
static void drain(notifier_t *n)
{
	uint8_t buf[NOTIFY_BUF];
	struct sockaddr_in6 from;
	for (int k = 0; k < 256; k++) {
		socklen_t flen = sizeof from;
		ssize_t r = recvfrom(n->fd, buf, sizeof buf, MSG_DONTWAIT,
		                     (struct sockaddr *)&from, &flen);
		if (r < 0)
			return;
		uint16_t id;
		int op;
		if (dns_reply_header(buf, (size_t)r, &id, &op) < 0 || op != OPCODE_NOTIFY)
			continue;
		for (unsigned i = 0; i < n->n; i++) {
			struct target *t = &n->t[i];
			if (t->id != id || t->acked == t->sent || from.sin6_port != t->sa.sin6_port ||
			    memcmp(&from.sin6_addr, &t->sa.sin6_addr, sizeof from.sin6_addr))
				continue;
			if (t->key && tsig_verify_reply(&t->tsig, buf, (size_t)r, (uint64_t)time(NULL)))
				continue;
			t->acked = t->sent;
		}
	}
}

static void send_notify(notifier_t *n, struct target *t)
{
	uint8_t buf[NOTIFY_BUF + TSIG_RR_MAX];
	rand_bytes(&t->id, sizeof t->id);
	size_t len = dns_notify_build(buf, NOTIFY_BUF, t->id, t->zone);
	if (!len || (t->key && tsig_sign_request(&t->tsig, t->key, buf, &len, sizeof buf,
	                                         (uint64_t)time(NULL)))) {
		log_err("notify '%s': cannot build the message", t->text);
		return;
	}
	if (sendto(n->fd, buf, len, 0, (const struct sockaddr *)&t->sa, sizeof t->sa) < 0)
		log_warn("notify '%s': %s", t->text, strerror(errno));
}

static void fire(struct timer *tm)
{
	struct target *t = (struct target *)((char *)tm - offsetof(struct target, t));
	notifier_t *n = t->n;
	pthread_mutex_lock(&n->mu);
	drain(n);
	if (t->acked == t->changed) {
		t->armed = false;
		goto out;
	}
	if (t->sent != t->changed) {
		t->tries = 0;            /* news: start over */
	} else if (t->tries >= NOTIFY_TRIES) {
		log_warn("notify '%s': no answer after %u tries", t->text, t->tries);
		t->acked = t->changed;
		t->armed = false;
		goto out;
	}
	t->sent = t->changed;
	send_notify(n, t);
	t->tries++;
	t->armed = timer_at(n->ts, &t->t, clock_ms() + (1000ull << (t->tries - 1))) == 0;
out:
	pthread_mutex_unlock(&n->mu);
}

void notify_start(notifier_t *n, ztable_t *zt, timers_t *ts)
{
	if (!n)
		return;
	n->zt = zt;
	n->ts = ts;
	for (unsigned i = 0; i < n->n; i++)
		n->t[i].t.fire = fire;
	zt->serial_arg = n;
	zt->serial_changed = notify_zone;
	/* the serials we start with are news too (a change made while we
	 * were down, a restored backup): every target hears of its zone now,
	 * not at its next refresh (RFC 1996 §4.3) */
	pthread_mutex_lock(&zt->wlock);
	const struct zlist *zl = zt->zones;
	for (unsigned i = 0; zl && i < zl->n; i++)
		notify_zone(n, zl->z[i]->id);
	pthread_mutex_unlock(&zt->wlock);
}

void notify_zone(void *arg, uint32_t zone_id)
{
	notifier_t *n = arg;
	const struct zone *z = zt_zone_by_id(n->zt, zone_id);
	if (!z)
		return;
	pthread_mutex_lock(&n->mu);
	for (unsigned i = 0; i < n->n; i++) {
		struct target *t = &n->t[i];
		if (!dname_equal(t->zone, z->apex))
			continue;
		t->changed++;
		if (!t->armed)
			t->armed = timer_at(n->ts, &t->t, clock_ms()) == 0;
	}
	pthread_mutex_unlock(&n->mu);
}

void notify_close(notifier_t *n)
{
	if (!n)
		return;
	if (n->fd >= 0)
		close(n->fd);
	pthread_mutex_destroy(&n->mu);
	free(n->t);
	free(n);
}
