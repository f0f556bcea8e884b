/* DNS UPDATE: authorisation on the DNS threads, the change as a committer
 * job, the reply from done. */
#include "src/dns/ddns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/dnsmsg.h"
#include "proto/dnsupdate.h"
#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "proto/tsig.h"
#include "src/common/log.h"
#include "src/db/host.h"
#include "src/db/signer.h"
#include "src/db/updatelog.h"
#include "src/db/zones.h"

struct ddns {
	const struct tsig_keyring *keys;   /* the config's */
	unsigned nrules;
	struct dnsupd_rule rules[CONF_MAX_LIST];
	committer_t *_Atomic cm;
	ddns_tcp_reply_fn tcp_reply;
	void *tcp_ctx;
	atomic_uint pending;
	uint64_t by_rcode[16];   /* replies decided, any thread: METRICS_ADD */
};

struct ddns_job {
	struct commit_job job;             /* first: the committer's handle */
	ddns_t *d;
	struct ddns_from from;
	struct tsig_ctx tsig;
	char key[DNAME_MAX * 4];           /* the key's name, for the log */
	char client[INET6_ADDRSTRLEN];
	struct dnsupd u;
};

int ddns_open(ddns_t **out, const struct config *c, char *err, size_t errlen)
{
	ddns_t *d = calloc(1, sizeof *d);
	if (!d)
		return DZ_ENOMEM;
	d->keys = &c->tsig_keys;
	for (unsigned i = 0; i < c->allow_update.n; i++) {
		struct dnsupd_rule *r = &d->rules[i];
		char why[300];
		if (dnsupd_rule_parse(c->allow_update.s[i], r, why, sizeof why) == 0) {
			if (tsig_keyring_find(d->keys, r->key))
				continue;
			snprintf(why, sizeof why, "no tsig-key has that key name");
		}
		snprintf(err, errlen, "%s:%u: allow-update '%.300s': %s",
		         c->file ? c->file : "command line", c->allow_update.line[i],
		         c->allow_update.s[i], why);
		free(d);
		return DZ_EINVAL;
	}
	d->nrules = c->allow_update.n;
	*out = d;
	return 0;
}

void ddns_set_committer(ddns_t *d, committer_t *cm)
{
	atomic_store(&d->cm, cm);
}

void ddns_set_tcp_reply(ddns_t *d, ddns_tcp_reply_fn fn, void *ctx)
{
	d->tcp_reply = fn;
	d->tcp_ctx = ctx;
}

void ddns_metrics(const ddns_t *d, textbuf_t *o)
{
	static const char *const names[16] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
		"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	};
	char label[32];
	metrics_family(o, "dynzone_dns_update_messages_total", "counter",
	               "DNS UPDATE (RFC 2136) messages answered, by rcode");
	for (unsigned i = 0; i < 16; i++) {
		uint64_t v = METRICS_GET(d->by_rcode[i]);
		/* the rcodes UPDATE answers are always shown; others once seen */
		if (!names[i] && !v)
			continue;
		if (names[i])
			snprintf(label, sizeof label, "rcode=\"%s\"", names[i]);
		else
			snprintf(label, sizeof label, "rcode=\"%u\"", i);
		metrics_sample(o, "dynzone_dns_update_messages_total", label, v);
	}
}

void ddns_free(ddns_t *d)
{
	free(d);
}

/* The reply for j with rcode, signed if the request was; its length, or 0
 * if it does not fit (it always does in DDNS_REPLY_MAX). */
static size_t make_reply(struct ddns_job *j, bool signed_req, int rcode, uint8_t *out, size_t cap)
{
	wire_t w;
	METRICS_ADD(j->d->by_rcode[rcode & 15], 1);
	wire_init(&w, out, cap);
	dnsupd_reply(&w, &j->u, rcode);
	if (w.err)
		return 0;
	size_t len = wire_pos(&w);
	if (signed_req && tsig_sign_reply(&j->tsig, out, &len, cap, (uint64_t)time(NULL)))
		return 0;
	return len;
}

static void send_reply(struct ddns_job *j, const uint8_t *msg, size_t len)
{
	const struct ddns_from *f = &j->from;
	if (f->tcp) {
		if (j->d->tcp_reply)
			j->d->tcp_reply(j->d->tcp_ctx, f->conn, msg, len);
		return;
	}
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr h = {
		.msg_name = (void *)&f->peer, .msg_namelen = f->peerlen,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = f->ctrllen ? (void *)f->ctrl : NULL,
		.msg_controllen = f->ctrllen,
	};
	/* a full socket buffer loses the reply, as for any UDP answer: the
	 * client retries, and its prerequisites tell it what happened */
	(void)sendmsg(f->fd, &h, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Applying ----------------------------------------------------------------- */

static bool is_acme_label(const uint8_t *name)
{
	static const char label[] = "\017_acme-challenge";
	return memcmp(name, label, sizeof label - 1) == 0;
}

/* The dynamic host a record at owner belongs to: the host itself (A and
 * AAAA) or the host whose _acme-challenge name it is (TXT).  *acme tells
 * which.  0, DZ_ENOENT or DZ_EDB. */
static int owner_host(store_t *st, const uint8_t *owner, struct host *h, bool *acme)
{
	*acme = is_acme_label(owner);
	return host_find(st, *acme ? dname_parent(owner) : owner, h);
}

/* One TXT RDATA that the host's TXT list can hold (one string, no NUL):
 * its value and length, else NULL. */
static const uint8_t *host_txt_value(const uint8_t *rd, size_t rdlen, size_t *len)
{
	if (rdlen < 1 || (size_t)rd[0] + 1 != rdlen ||
	    memchr(rd + 1, 0, rd[0]))
		return NULL;
	*len = rd[0];
	return rd + 1;
}

/* §3.2.5: the RRset (owner, type) holds exactly the prerequisite's RRs
 * rr[first..last] of that owner and type. */
static int rrset_equals(store_t *st, int64_t zone_id, const struct dnsupd *u,
                        unsigned at, bool *equal)
{
	const struct dnsupd_rr *p = &u->rr[at];
	long long distinct = 0;
	for (unsigned i = 0; i < u->nprereq; i++) {
		const struct dnsupd_rr *q = &u->rr[i];
		if (q->op != DNSUPD_P_RRSET_EQUALS || q->type != p->type ||
		    !dname_equal(q->owner, p->owner))
			continue;
		bool dup = false;
		for (unsigned k = 0; k < i && !dup; k++) {
			const struct dnsupd_rr *e = &u->rr[k];
			dup = e->op == DNSUPD_P_RRSET_EQUALS && e->type == q->type &&
			      dname_equal(e->owner, q->owner) && e->rdlen == q->rdlen &&
			      memcmp(dnsupd_rdata(u, e), dnsupd_rdata(u, q), q->rdlen) == 0;
		}
		if (dup)
			continue;
		long long n = store_record_count_rdata(st, zone_id, q->owner, q->type,
		                                       dnsupd_rdata(u, q), q->rdlen);
		if (n < 0)
			return DZ_EDB;
		if (n == 0) {
			*equal = false;
			return 0;
		}
		distinct++;
	}
	long long have = store_record_count(st, zone_id, p->owner, p->type, false);
	if (have < 0)
		return DZ_EDB;
	*equal = have == distinct;
	return 0;
}

/* §3.2: every prerequisite, in order; the first that fails gives the
 * rcode.  The SOA lives in the zones row, so the apex always has one. */
static int check_prereqs(store_t *st, const struct store_zone *z, const struct dnsupd *u)
{
	for (unsigned i = 0; i < u->nprereq; i++) {
		const struct dnsupd_rr *p = &u->rr[i];
		bool apex = dname_equal(p->owner, z->apex);
		long long n;
		bool eq;
		switch (p->op) {
		case DNSUPD_P_NAME_IN_USE:
		case DNSUPD_P_NAME_UNUSED:
			n = apex ? 1 : store_record_count(st, z->id, p->owner, -1, false);
			if (n < 0)
				return DZ_EDB;
			if (p->op == DNSUPD_P_NAME_IN_USE && n == 0)
				return RCODE_NXDOMAIN;
			if (p->op == DNSUPD_P_NAME_UNUSED && n > 0)
				return RCODE_YXDOMAIN;
			break;
		case DNSUPD_P_RRSET_EXISTS:
		case DNSUPD_P_RRSET_ABSENT:
			n = apex && p->type == RR_SOA ? 1
			  : store_record_count(st, z->id, p->owner, p->type, false);
			if (n < 0)
				return DZ_EDB;
			if (p->op == DNSUPD_P_RRSET_EXISTS && n == 0)
				return RCODE_NXRRSET;
			if (p->op == DNSUPD_P_RRSET_ABSENT && n > 0)
				return RCODE_YXRRSET;
			break;
		case DNSUPD_P_RRSET_EQUALS:
			if (rrset_equals(st, z->id, u, i, &eq))
				return DZ_EDB;
			if (!eq)
				return RCODE_NXRRSET;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* What one message did, for the update log. */
struct outcome {
	unsigned changes;
	struct host host;                 /* the first host touched */
	bool have_host, host_addrs;       /* ... and whether its addresses */
};

static void touched(struct outcome *o, const struct host *h, bool addrs)
{
	if (!o->have_host) {
		o->host = *h;
		o->have_host = true;
	}
	if (o->host.id == h->id) {
		o->host = *h;
		o->host_addrs |= addrs;
	}
}

/* An update on a host's A or AAAA or its _acme-challenge TXT goes
 * through host_apply / host_txt_remove (the HTTP update path's code),
 * so the dashboard's host shows it.  *done false: not a host record. */
static int apply_host(store_t *st, const struct dnsupd *u, const struct dnsupd_rr *r,
                      struct outcome *o, bool *done)
{
	struct host h;
	bool acme, changed = false;
	size_t vlen = 0;
	const uint8_t *rd = dnsupd_rdata(u, r), *val = NULL;
	*done = false;
	int rc = owner_host(st, r->owner, &h, &acme);
	if (rc)
		return rc == DZ_ENOENT ? 0 : rc;
	struct host_change c = { .offline = -1 };
	bool v4 = r->type == RR_A;
	if (!acme && (r->type == RR_A || r->type == RR_AAAA)) {
		const uint8_t *cur = v4 ? h.addrs.v4 : h.addrs.v6;
		bool has = v4 ? h.addrs.has4 : h.addrs.has6;
		switch (r->op) {
		case DNSUPD_U_ADD:
			/* a host has one address per family: adding one replaces it */
			c.set_addrs = true;
			c.addrs.has4 = v4;
			c.addrs.has6 = !v4;
			memcpy(v4 ? c.addrs.v4 : c.addrs.v6, rd, r->rdlen);
			break;
		case DNSUPD_U_DEL_RR:
			if (!has || memcmp(cur, rd, r->rdlen) != 0)
				return 0;   /* not the host's: whatever else is there */
			/* fall through */
		default:
			c.del4 = v4;
			c.del6 = !v4;
			break;
		}
		rc = host_apply(st, &h, &c, (int64_t)time(NULL), &changed);
	} else if (acme && r->type == RR_TXT) {
		if (r->op == DNSUPD_U_DEL_RRSET) {
			c.set_txt = true;          /* ntxt 0: every value goes */
			rc = host_apply(st, &h, &c, (int64_t)time(NULL), &changed);
		} else if (!(val = host_txt_value(rd, r->rdlen, &vlen))) {
			return 0;                   /* several strings: a plain record */
		} else if (r->op == DNSUPD_U_DEL_RR) {
			rc = host_txt_remove(st, &h, val, vlen, &changed);
		} else {
			char txt[DD2_TXT_LEN + 1];
			memcpy(txt, val, vlen);
			txt[vlen] = 0;
			c.set_txt = true;
			c.ntxt = 1;
			c.txt[0] = txt;
			rc = host_apply(st, &h, &c, (int64_t)time(NULL), &changed);
		}
	} else {
		return 0;
	}
	if (rc)
		return rc;
	*done = true;
	o->changes += changed;
	touched(o, &h, !acme);
	return 0;
}

/* §3.4.2.2: add one RR, unless CNAME and other data would meet. */
static int apply_add(store_t *st, const struct store_zone *z, const struct dnsupd *u,
                     const struct dnsupd_rr *r, struct outcome *o)
{
	bool cname = r->type == RR_CNAME;
	long long n = store_record_count(st, z->id, r->owner, RR_CNAME, cname);
	if (n < 0)
		return DZ_EDB;
	if (n > 0)
		return 0;           /* silently ignored, as the RFC says */
	unsigned ndel = 0;
	if (cname && store_record_del(st, z->id, r->owner, RR_CNAME, NULL, 0, &ndel))
		return DZ_EDB;      /* a CNAME replaces the CNAME */
	/* a duplicate RR replaces the one in the zone (its TTL) */
	if (!cname && store_record_del(st, z->id, r->owner, r->type, dnsupd_rdata(u, r),
	                               r->rdlen, &ndel))
		return DZ_EDB;
	struct store_rr rr = {
		.zone_id = z->id, .owner = r->owner, .type = r->type, .ttl = r->ttl,
		.rdata = dnsupd_rdata(u, r), .rdlen = r->rdlen, .loc = "",
	};
	if (store_record_add(st, &rr))
		return DZ_EDB;
	o->changes++;
	/* one TTL per RRset (RFC 2181 §5.2): the new RR's, as BIND does */
	unsigned nset = 0;
	if (store_rrset_ttl(st, z->id, r->owner, r->type, r->ttl, &nset))
		return DZ_EDB;
	o->changes += nset;
	return 0;
}

static int apply_one(store_t *st, const struct store_zone *z, const struct dnsupd *u,
                     const struct dnsupd_rr *r, struct outcome *o)
{
	bool done = false;
	unsigned n = 0;
	int rc;
	if (r->op == DNSUPD_U_DEL_NAME) {
		/* the host's parts first (its row must forget them), then the rest */
		struct dnsupd_rr part = *r;
		static const uint16_t host_types[] = { RR_A, RR_AAAA, RR_TXT };
		part.op = DNSUPD_U_DEL_RRSET;
		for (size_t i = 0; i < sizeof host_types / sizeof host_types[0]; i++) {
			part.type = host_types[i];
			if ((rc = apply_host(st, u, &part, o, &done)) != 0)
				return rc;
		}
		if (store_record_del(st, z->id, r->owner, -1, NULL, 0, &n))
			return DZ_EDB;
		o->changes += n;
		return 0;
	}
	if ((rc = apply_host(st, u, r, o, &done)) != 0 || done)
		return rc;
	if (r->op == DNSUPD_U_ADD)
		return apply_add(st, z, u, r, o);
	bool one = r->op == DNSUPD_U_DEL_RR;
	if (store_record_del(st, z->id, r->owner, r->type, one ? dnsupd_rdata(u, r) : NULL,
	                     one ? r->rdlen : 0, &n))
		return DZ_EDB;
	o->changes += n;
	return 0;
}

/* One update_log row per message that was applied, on the first host it
 * touched (so that host's dashboard history shows it), or on no host. */
static void log_update(store_t *st, struct ddns_job *j, const struct outcome *o)
{
	char owner[1024], what[300], agent[DNAME_MAX * 4 + 32], addrs[80];
	const struct dnsupd_rr *r = &j->u.rr[j->u.nprereq];
	char tb[16];
	if (dname_to_text(o->have_host ? o->host.name : r->owner, owner, sizeof owner) < 0)
		owner[0] = 0;
	if (o->have_host && o->host_addrs && dd2_addrs_text(&o->host.addrs, addrs, sizeof addrs) >= 0)
		snprintf(what, sizeof what, "%s", addrs);
	else
		snprintf(what, sizeof what, "dns update: %u record(s), first %s", j->u.nupdate,
		         rr_type_to_text(r->type, tb));
	snprintf(agent, sizeof agent, "dns-update key %s", j->key);
	if (updatelog_add(st, o->have_host ? o->host.id : 0, owner, what, j->client, agent,
	                  o->changes ? "good" : "nochg", (int64_t)time(NULL)))
		log_warn("update log: %s", store_errmsg(st));
}

/* Does the update touch a record the signer owns in a signed zone
 * (RRSIG, NSEC, DNSKEY, NSEC3, NSEC3PARAM, CDS, CDNSKEY)?  BIND refuses
 * these too: the signer makes them at every commit. */
static bool touches_signer_rrs(const struct dnsupd *u)
{
	for (unsigned i = u->nprereq; i < u->nprereq + u->nupdate; i++)
		switch (u->rr[i].type) {
		case 46: case 47: case 48: case 50: case 51: case 59: case 60:
			return true;
		default:
			break;
		}
	return false;
}

/* Committer thread, inside the batch's transaction.  A positive return
 * is the rcode to answer (the savepoint undoes what was written). */
static int job_run(struct commit_job *job, store_t *st)
{
	struct ddns_job *j = (struct ddns_job *)job;
	struct store_zone z;
	struct outcome o = { 0 };
	int rc = store_zone_find(st, j->u.zone, &z);
	if (rc == DZ_ENOENT || (!rc && !dname_equal(z.apex, j->u.zone)))
		return RCODE_NOTAUTH;
	if (rc)
		return rc;
	if ((rc = check_prereqs(st, &z, &j->u)) != 0)
		return rc;
	if (touches_signer_rrs(&j->u) && signer_zone_signed(st, z.id)) {
		log_info("dns update from %s key %s zone %s: refused, a DNSSEC record type",
		         j->client, j->key, z.name);
		return RCODE_REFUSED;
	}
	for (unsigned i = j->u.nprereq; i < j->u.nprereq + j->u.nupdate; i++)
		if ((rc = apply_one(st, &z, &j->u, &j->u.rr[i], &o)) != 0)
			return rc == DZ_EINVAL ? RCODE_REFUSED : rc;
	if (j->u.nupdate)
		log_update(st, j, &o);
	log_debug("dns update from %s key %s zone %s: %u change(s)", j->client, j->key, z.name,
	         o.changes);
	return 0;
}

/* Syncer thread: durable and served (or failed); answer. */
static void job_done(struct commit_job *job, int rc)
{
	struct ddns_job *j = (struct ddns_job *)job;
	uint8_t out[DDNS_REPLY_MAX];
	int rcode = rc > 0 ? rc : rc < 0 ? RCODE_SERVFAIL : RCODE_NOERROR;
	size_t len = make_reply(j, true, rcode, out, sizeof out);
	if (len)
		send_reply(j, out, len);
	atomic_fetch_sub(&j->d->pending, 1);
	free(j);
}

/* Taking a request ------------------------------------------------------- */

static void client_text(const struct ddns_from *f, char *out, size_t cap)
{
	const struct sockaddr_storage *ss = &f->peer;
	snprintf(out, cap, "tcp");
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)cap);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, (socklen_t)cap);
}

static uint16_t msg_id(const uint8_t *msg, size_t len)
{
	wire_t w;
	wire_init(&w, (uint8_t *)msg, len);
	return wire_read_u16(&w);
}

size_t ddns_request(ddns_t *d, const uint8_t *msg, size_t len, const struct ddns_from *from,
                    uint8_t *out, size_t cap, bool *queued)
{
	struct tsig_rr trr;
	size_t reply = 0;
	int rcode;
	bool signed_req = false;

	*queued = false;
	if (len < DNS_HDR || cap < DDNS_REPLY_MAX)
		return 0;
	if (atomic_fetch_add(&d->pending, 1) >= DDNS_PENDING_MAX) {
		atomic_fetch_sub(&d->pending, 1);
		METRICS_ADD(d->by_rcode[RCODE_SERVFAIL], 1);
		/* no room to parse: a bare header with the request's id */
		wire_t w;
		wire_init(&w, out, cap);
		wire_write_u16(&w, msg_id(msg, len));
		wire_write_u16(&w, (uint16_t)(DNS_QR | (OPCODE_UPDATE << 11) | RCODE_SERVFAIL));
		for (int i = 0; i < 4; i++)
			wire_write_u16(&w, 0);
		return w.err ? 0 : wire_pos(&w);
	}
	struct ddns_job *j = malloc(sizeof *j);
	if (!j) {
		atomic_fetch_sub(&d->pending, 1);
		return 0;
	}
	j->d = d;
	j->from = *from;
	j->key[0] = 0;
	j->u.zone_len = 0;
	j->u.id = msg_id(msg, len);
	client_text(from, j->client, sizeof j->client);

	int found = tsig_find(msg, len, &trr);
	if (found < 0) {
		rcode = RCODE_FORMERR;
		goto answer;
	}
	if (found == 0) {
		/* parse for the zone to echo, then refuse: UPDATE needs a key */
		(void)dnsupd_parse(msg, len, 0, &j->u);
		rcode = RCODE_REFUSED;
		goto answer;
	}
	signed_req = true;
	int terr = tsig_verify_request(msg, len, &trr, d->keys, (uint64_t)time(NULL), &j->tsig);
	/* the message before its TSIG RR */
	rcode = dnsupd_parse(msg, trr.off, 1, &j->u);
	if (terr) {
		log_debug("dns update from %s: TSIG error %d (key %.300s)", j->client, terr,
		         j->tsig.key ? j->tsig.key->text : "unknown");
		rcode = RCODE_NOTAUTH;    /* tsig_sign_reply says which */
		goto answer;
	}
	snprintf(j->key, sizeof j->key, "%s", j->tsig.key->text);
	if (rcode)
		goto answer;
	if (!dnsupd_allowed(&j->u, j->tsig.key->name, d->rules, d->nrules)) {
		log_debug("dns update from %s key %s: outside the key's allow-update scope",
		         j->client, j->key);
		rcode = RCODE_REFUSED;
		goto answer;
	}
	committer_t *cm = atomic_load(&d->cm);
	if (!cm) {
		rcode = RCODE_SERVFAIL;
		goto answer;
	}
	j->job.run = job_run;
	j->job.done = job_done;
	*queued = true;
	commit_submit(cm, &j->job);
	return 0;
answer:
	reply = make_reply(j, signed_req, rcode, out, cap);
	atomic_fetch_sub(&d->pending, 1);
	free(j);
	return reply;
}
