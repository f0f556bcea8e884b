/* /nic/update and /checkip. */
#include "src/update/update.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/dyndns2.h"
#include "proto/errors.h"
#include "src/common/secret.h"
#include "src/db/accounts.h"
#include "src/db/block.h"
#include "src/db/tokens.h"
#include "src/db/host.h"
#include "src/db/updatelog.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/write/limits.h"
#include "src/db/journal.h"

#define AGENT_MAX 128
#define LIMITER_SLOTS 16384
#define REPLY_MAX (DD2_HOSTS_MAX * DD2_REPLY_MAX)

struct update_service {
	committer_t *commit;
	timers_t *timers;
	budget_t *per_token;       /* changes and loops, per token */
	limiter_t *per_client;
	failures_t *failures;
	unsigned max_hosts;
	const struct config *cfg;  /* refuse-private */
	char *paths[CONF_MAX_LIST];
	unsigned npaths;
	/* HTTP threads and the syncer: METRICS_ADD */
	uint64_t results[DD2_NCODES];   /* reply lines by code */
	uint64_t auth_failed;           /* credentials given and wrong */
};

/* One update request on its way through the committer. */
struct upd_job {
	struct commit_job cj;
	struct timer held;         /* the failed-auth slow-down */
	update_t *u;
	http_req_t *rq;
	struct host_change change;
	char user[DD2_CRED_LEN], token[DD2_CRED_LEN];
	char client[48], agent[AGENT_MAX];
	uint8_t addr_key[9];
	size_t addr_klen;
	/* results */
	enum dd2_code once;        /* account-wide result, if set_once */
	bool set_once;
	unsigned retry_after;
	enum dd2_code code[DD2_HOSTS_MAX];
	struct dd2_addrs addrs[DD2_HOSTS_MAX];
	char why[DD2_HOSTS_MAX][48];   /* a refusal's text for the user, or "" */
	struct dd2_req req;        /* last: update_handle zeroes what is above
	                              it, dd2_req_init the request's head */
};

/* Replies ------------------------------------------------------------------ */

static void reply_codes(update_t *u, http_req_t *rq, const struct upd_job *j,
                        enum dd2_code once, bool is_once, unsigned retry_after)
{
	char body[REPLY_MAX];
	size_t len = 0;
	unsigned status = 200;
	body[0] = 0;
	if (is_once) {
		dd2_reply_line(body, sizeof body, &len, once, NULL);
		status = dd2_code_status(once);
		/* a spent short-term limit: 503 is what makes inadyn (any
		 * provider) retry later, and ddclient waits its
		 * min-error-interval after any non-2xx; `abuse` would stop
		 * both for good (docs/update-api.md) */
		if (once == DD2_911 && retry_after)
			status = 503;
		METRICS_ADD(u->results[once], 1);
	} else {
		for (unsigned i = 0; i < j->req.nhosts; i++) {
			if (j->why[i][0])
				dd2_reply_text(body, sizeof body, &len, j->code[i], j->why[i]);
			else
				dd2_reply_line(body, sizeof body, &len, j->code[i], &j->addrs[i]);
			METRICS_ADD(u->results[j->code[i]], 1);
		}
	}
	if (is_once && once == DD2_BADAUTH)
		http_reply_header(rq, "WWW-Authenticate", "Basic realm=\"dynzone\"");
	if (retry_after) {
		char ra[16];
		snprintf(ra, sizeof ra, "%u", retry_after);
		http_reply_header(rq, "Retry-After", ra);
	}
	http_reply(rq, status, "text/plain", body, len, true);
}

/* An account-wide answer given on the HTTP thread (nothing to commit). */
static void reply_once(update_t *u, http_req_t *rq, enum dd2_code c, unsigned retry_after)
{
	reply_codes(u, rq, NULL, c, true, retry_after);
}

/* A refusal the user can read ("badagent prefix refused: ULA"), given
 * on the HTTP thread. */
static void reply_why(update_t *u, http_req_t *rq, enum dd2_code c, const char *why)
{
	char body[DD2_REPLY_MAX * 2];
	size_t len = 0;
	dd2_reply_text(body, sizeof body, &len, c, why);
	METRICS_ADD(u->results[c], 1);
	http_reply(rq, dd2_code_status(c), "text/plain", body, len, true);
}

/* The committer side -------------------------------------------------------- */

static void log_row(store_t *st, const struct upd_job *j, int64_t host_id, const char *host,
                    const char *addrs, enum dd2_code c, int64_t now)
{
	if (updatelog_add(st, host_id, host, addrs, j->client, j->agent, dd2_code_text(c), now))
		log_warn("update log: %s", store_errmsg(st));
}

/* Every hostname of the request, comma-joined (for account-wide log rows). */
static void joined_hosts(const struct upd_job *j, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	for (unsigned i = 0; i < j->req.nhosts && n < cap; i++) {
		int w = snprintf(out + n, cap - n, "%s%s", i ? "," : "", j->req.hosts[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* Is the Basic user name right for this token: the name of a host it
 * covers, or its owner's account name?  hosts[0..n) are the request's
 * hosts already looked up (covered[i] true if the token covers them), so
 * the usual case, the user name being the host updated, costs no query. */
static int user_ok(store_t *st, const char *user, int64_t token_id, int64_t user_id,
                   const struct host *hosts, const bool *covered, unsigned n)
{
	char owner[SECRET_NAME_MAX];
	uint8_t wire[DNAME_MAX];
	struct host h;
	bool is_name = dd2_hostname(user, strlen(user), wire) != 0;
	for (unsigned i = 0; is_name && i < n; i++)
		if (covered[i] && dname_equal(hosts[i].name, wire))
			return 0;
	int rc = accounts_name(st, user_id, owner);
	if (rc)
		return rc == DZ_ENOENT ? DZ_EAUTH : rc;
	if (strcmp(owner, user) == 0)
		return 0;
	if (!is_name)
		return DZ_EAUTH;
	rc = host_find(st, wire, &h);
	if (rc)
		return rc == DZ_ENOENT ? DZ_EAUTH : rc;
	return tokens_covers(st, token_id, h.id) ? 0 : DZ_EAUTH;
}

/* One account-wide answer, logged once for all the request's names. */
static int refuse(store_t *st, struct upd_job *j, enum dd2_code c, int64_t now)
{
	char all[DD2_HOSTS_MAX * 32];
	j->set_once = true;
	j->once = c;
	joined_hosts(j, all, sizeof all);
	log_row(st, j, 0, all, "", c, now);
	return 0;
}

/* What applying j's change to h would change (BUDGET_* bits; 0: it would
 * be answered nochg).  TXT values and the offline flag count as a change
 * whenever the request sets them: they are rare, and ACME clients set and
 * remove a value once per certificate.  A new LAN prefix counts as a v6
 * change. */
static unsigned change_bits(const struct host *h, const struct upd_job *j)
{
	const struct host_change *c = &j->change;
	unsigned bits = 0;
	if (j->req.prefix_given &&
	    (!h->has_lan || h->lan_len != j->req.prefix_len || memcmp(h->lan, j->req.prefix, 16)))
		bits |= BUDGET_V6;
	if (c->set_addrs) {
		const struct dd2_addrs *a = &c->addrs, *o = &h->addrs;
		if (a->has4 && (h->offline || !o->has4 || memcmp(a->v4, o->v4, 4)))
			bits |= BUDGET_V4;
		if (a->has6 && (h->offline || !o->has6 || memcmp(a->v6, o->v6, 16)))
			bits |= BUDGET_V6;
	}
	if (c->set_txt || (c->offline >= 0 && (c->offline == 1) != h->offline))
		bits |= BUDGET_OTHER;
	return bits;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 0x100000001b3ull;
	return h;
}

/* A fingerprint of what a request asks for (the loop rule's "the same
 * request"): its host names and the change, whatever the query's
 * spelling or parameter order. */
static uint64_t request_fp(const struct upd_job *j)
{
	const struct host_change *c = &j->change;
	uint64_t h = 0xcbf29ce484222325ull;
	for (unsigned i = 0; i < j->req.nhosts; i++)
		h = fnv(h, j->req.hosts[i], strlen(j->req.hosts[i]) + 1);
	uint8_t flags[4] = { c->set_addrs, c->addrs.has4, c->addrs.has6, (uint8_t)(c->offline + 1) };
	h = fnv(h, flags, sizeof flags);
	if (c->addrs.has4)
		h = fnv(h, c->addrs.v4, 4);
	if (c->addrs.has6)
		h = fnv(h, c->addrs.v6, 16);
	if (j->req.prefix_given) {
		h = fnv(h, j->req.prefix, 16);
		h = fnv(h, &j->req.prefix_len, sizeof j->req.prefix_len);
	}
	for (unsigned i = 0; c->set_txt && i < c->ntxt; i++)
		h = fnv(h, c->txt[i], strlen(c->txt[i]) + 1);
	return h;
}

struct follower_log { store_t *st; const struct upd_job *j; int64_t now; };

/* A follower moved by its router's prefix: its own history row. */
static int follower_logged(void *ctx, const struct host *f)
{
	const struct follower_log *fl = ctx;
	char at[2 * DD2_ADDR_TEXT + 2] = "";
	dd2_addrs_text(&f->addrs, at, sizeof at);
	log_row(fl->st, fl->j, f->id, f->text, at, DD2_GOOD, fl->now);
	return 0;
}

/* A router's update that brings its LAN prefix: the router's own change,
 * then the prefix and every follower's AAAA, all in this transaction.  A
 * prefix of a length its followers do not expect changes nothing: code
 * badagent with a text (DZ_EINVAL). */
static int prefix_update(store_t *st, struct upd_job *j, unsigned i, struct host *h,
                         int64_t now, bool *changed)
{
	struct follower_log fl = { st, j, now };
	unsigned need = 0;
	bool moved;
	int rc = host_prefix_check(st, h, j->req.prefix_len, &need);
	if (rc == DZ_EINVAL) {
		j->code[i] = DD2_BADAGENT;
		snprintf(j->why[i], sizeof j->why[i], "prefix /%u refused: followers need /%u",
		         j->req.prefix_len, need);
		return rc;
	}
	if (rc || (rc = host_apply(st, h, &j->change, now, changed)) != 0)
		return rc;
	rc = host_prefix_apply(st, h, j->req.prefix, j->req.prefix_len, now, &moved,
	                       follower_logged, &fl);
	*changed |= moved;
	return rc;
}

static int job_run(struct commit_job *cj, store_t *st)
{
	struct upd_job *j = (struct upd_job *)cj;
	update_t *u = j->u;
	int64_t now = (int64_t)time(NULL), token_id = 0, user_id = 0, last_used = 0;
	struct host hosts[DD2_HOSTS_MAX];
	bool covered[DD2_HOSTS_MAX] = { false };
	unsigned n = j->req.nhosts;
	int rc;

	rc = tokens_check(st, j->token, &token_id, &user_id, &last_used);
	/* look the hosts up once: for the user name check and the updates */
	for (unsigned i = 0; !rc && i < n; i++) {
		uint8_t wire[DNAME_MAX];
		const char *name = j->req.hosts[i];
		j->code[i] = DD2_NOHOST;
		if (!dd2_hostname(name, strlen(name), wire)) {
			j->code[i] = DD2_NOTFQDN;
			continue;
		}
		int frc = host_find(st, wire, &hosts[i]);
		if (frc == DZ_EDB)
			return frc;
		/* the same answer whether the name is unknown or not this
		 * token's: no probing for other users' names */
		covered[i] = frc == 0 && tokens_covers(st, token_id, hosts[i].id);
	}
	if (!rc)
		rc = user_ok(st, j->user, token_id, user_id, hosts, covered, n);
	if (rc == DZ_EDB)
		return rc;
	if (rc) {
		failures_note(u->failures, j->addr_key, j->addr_klen, clock_ms());
		return refuse(st, j, DD2_BADAUTH, now);
	}
	bool blocked[DD2_HOSTS_MAX] = { false };
	unsigned changes = 0;
	for (unsigned i = 0; i < n; i++) {
		if (covered[i] && block_get(st, hosts[i].id, &blocked[i]))
			return DZ_EDB;
		if (covered[i] && !blocked[i])
			changes |= change_bits(&hosts[i], j);
	}
	if (budget_take(u->per_token, j->token, SECRET_TID_LEN, changes, request_fp(j),
	                clock_ms(), &j->retry_after))
		return refuse(st, j, DD2_911, now);
	for (unsigned i = 0; i < n; i++) {
		char at[2 * DD2_ADDR_TEXT + 2] = "";
		bool changed;
		if (!covered[i] || blocked[i]) {
			if (covered[i])
				j->code[i] = DD2_ABUSE;
			log_row(st, j, covered[i] ? hosts[i].id : 0, j->req.hosts[i], "", j->code[i],
			        now);
			continue;
		}
		/* a name twice in one request: the second sees the first's change */
		for (unsigned k = 0; k < i; k++)
			if (covered[k] && hosts[k].id == hosts[i].id)
				hosts[i] = hosts[k];
		if (j->req.prefix_given) {
			rc = prefix_update(st, j, i, &hosts[i], now, &changed);
			if (rc == DZ_EDB)
				return rc;
			if (rc == DZ_EINVAL) {
				log_row(st, j, hosts[i].id, hosts[i].text, "", j->code[i], now);
				continue;
			}
		} else {
			rc = host_apply(st, &hosts[i], &j->change, now, &changed);
			if (rc == DZ_EDB)
				return rc;
		}
		j->code[i] = rc ? DD2_DNSERR : changed ? DD2_GOOD : DD2_NOCHG;
		j->addrs[i] = hosts[i].addrs;
		dd2_addrs_text(&hosts[i].addrs, at, sizeof at);
		log_row(st, j, hosts[i].id, hosts[i].text, at, j->code[i], now);
	}
	return tokens_touch(st, token_id, last_used, now);
}

/* The log line of a finished request (syncer thread): one per host, or one
 * for an account-wide answer.  A failed authentication says auth=failed
 * (dist/fail2ban matches it); values a client chose are quoted. */
static void log_done(const struct upd_job *j, int rc)
{
	char agent[2 * AGENT_MAX + 3], host[2 * DD2_HOST_TEXT + 3];
	char all[DD2_HOSTS_MAX * 32], at[2 * DD2_ADDR_TEXT + 2];
	log_q(agent, sizeof agent, j->agent);
	if (rc || j->set_once) {
		enum dd2_code c = rc ? DD2_911 : j->once;
		joined_hosts(j, all, sizeof all);
		log_q(host, sizeof host, all);
		if (c == DD2_BADAUTH) {
			METRICS_ADD(j->u->auth_failed, 1);
			log_warn("update auth=failed client=%s host=%s result=badauth agent=%s",
			         j->client, host, agent);
		} else if (c == DD2_911 && j->retry_after)
			log_info("update client=%s host=%s result=911 why=limit retry_after=%u "
			         "agent=%s", j->client, host, j->retry_after, agent);
		else
			log_info("update client=%s host=%s result=%s agent=%s", j->client, host,
			         dd2_code_text(c), agent);
		return;
	}
	for (unsigned i = 0; i < j->req.nhosts; i++) {
		at[0] = 0;
		dd2_addrs_text(&j->addrs[i], at, sizeof at);
		log_q(host, sizeof host, j->req.hosts[i]);
		log_info("update client=%s host=%s result=%s addrs=%s agent=%s", j->client, host,
		         dd2_code_text(j->code[i]), at[0] ? at : "-", agent);
	}
}

static void job_done(struct commit_job *cj, int rc)
{
	struct upd_job *j = (struct upd_job *)cj;
	if (rc)
		reply_codes(j->u, j->rq, j, DD2_911, true, 0);
	else
		reply_codes(j->u, j->rq, j, j->once, j->set_once, j->retry_after);
	log_done(j, rc);
	http_resume(j->rq);
}

/* A held request's time has come (timer thread): on to the committer. */
static void job_due(struct timer *t)
{
	struct upd_job *j = (struct upd_job *)((char *)t - offsetof(struct upd_job, held));
	commit_submit(j->u->commit, &j->cj);
}

/* The HTTP side ----------------------------------------------------------- */

/* Take one request from the client's budget; false (and the 911 reply,
 * 503 with Retry-After, sent) if it is spent. */
static bool client_allowed(update_t *u, http_req_t *rq)
{
	uint8_t key[9];
	unsigned retry = 0;
	size_t kl = limit_addr_key(http_req_client(rq), key);
	if (limiter_take(u->per_client, key, kl, clock_ms(), &retry) == 0)
		return true;
	reply_once(u, rq, DD2_911, retry);
	return false;
}

static void copy_agent(char *out, const char *ua)
{
	size_t n = 0;
	for (; ua && *ua && n < AGENT_MAX - 1; ua++)
		out[n++] = (*ua >= 0x20 && *ua < 0x7f) ? *ua : '?';
	out[n] = 0;
}

/* The myip policy: a host outside the special-use names of RFC 6761 may
 * not point at a loopback, link-local or broadcast address (a proxy
 * without trusted-proxy, or a client that read its own interface, would
 * publish one), nor at a private or ULA one in a refuse-private zone.
 * False (after logging why) if any host of the request may not. */
static bool addrs_allowed(const update_t *u, http_req_t *rq, char hosts[][DD2_HOST_TEXT],
                          unsigned n, const struct dd2_addrs *a)
{
	const struct config *cfg = u->cfg;
	for (unsigned f = 0; f < 2; f++) {
		if (!(f == 0 ? a->has4 : a->has6))
			continue;
		enum dd2_scope s = dd2_addr_scope(f == 0 ? a->v4 : a->v6, f == 0 ? 4 : 6);
		if (s == DD2_GLOBAL)
			continue;
		for (unsigned i = 0; i < n; i++) {
			if (dd2_name_special(hosts[i]))
				continue;
			bool refuse = s != DD2_PRIVATE;
			for (unsigned z = 0; !refuse && z < cfg->refuse_private.n; z++)
				refuse = strcmp(cfg->refuse_private.s[z], "*") == 0 ||
				         dd2_name_under(hosts[i], cfg->refuse_private.s[z]);
			if (refuse) {
				char t[INET6_ADDRSTRLEN];
				inet_ntop(f == 0 ? AF_INET : AF_INET6, f == 0 ? a->v4 : a->v6, t, sizeof t);
				char host[2 * DD2_HOST_TEXT + 3];
				log_info("update client=%s host=%s result=badagent why=\"%s address %s "
				         "refused\"", http_req_client_text(rq),
				         log_q(host, sizeof host, hosts[i]), dd2_scope_name(s), t);
				return false;
			}
		}
	}
	return true;
}

/* A LAN prefix must be global unicast (not ULA, link-local or the
 * documentation range): followers' addresses are for the whole Internet.
 * Hosts under the special-use names of RFC 6761 are exempt, as for myip.
 * False after the refusal was sent. */
static bool prefix_allowed(update_t *u, http_req_t *rq, const struct upd_job *j)
{
	const char *why = dd2_prefix_refused(j->req.prefix);
	bool special = true;
	for (unsigned i = 0; i < j->req.nhosts; i++)
		special &= dd2_name_special(j->req.hosts[i]);
	if (!why || special)
		return true;
	char text[DD2_REPLY_MAX], t[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, j->req.prefix, t, sizeof t);
	snprintf(text, sizeof text, "prefix refused: %s", why);
	log_info("update client=%s result=badagent why=\"%s prefix %s/%u refused\"",
	         http_req_client_text(rq), why, t, j->req.prefix_len);
	reply_why(u, rq, DD2_BADAGENT, text);
	return false;
}

static void update_handle(http_req_t *rq, void *arg)
{
	update_t *u = arg;
	const char *method = http_req_method(rq);
	struct upd_job *j;

	if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST")) {
		reply_once(u, rq, DD2_BADAGENT, 0);
		return;
	}
	if (!client_allowed(u, rq))
		return;
	j = malloc(sizeof *j);
	if (!j) {
		reply_once(u, rq, DD2_911, 0);
		return;
	}
	memset(j, 0, offsetof(struct upd_job, req));
	http_req_set_data(rq, j, free);
	j->u = u;
	j->rq = rq;
	dd2_req_init(&j->req);
	const char *q = http_req_query(rq);
	int rc = dd2_parse_query(&j->req, q, strlen(q));
	size_t blen;
	const char *body = http_req_body(rq, &blen);
	const char *ctype = http_req_header(rq, "Content-Type");
	if (!rc && body && blen && ctype &&
	    strncmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
		rc = dd2_parse_query(&j->req, body, blen);
	if (rc) {
		char why[256];
		log_info("update client=%s result=badagent why=%s", http_req_client_text(rq),
		         log_q(why, sizeof why, j->req.why));
		reply_once(u, rq, DD2_BADAGENT, 0);
		return;
	}
	/* credentials: Basic auth, else the query (which ends up in logs) */
	const char *authz = http_req_header(rq, "Authorization");
	if (authz) {
		if (dd2_basic_auth(authz, j->user, sizeof j->user, j->token, sizeof j->token))
			j->token[0] = 0;
	} else {
		memcpy(j->user, j->req.user, sizeof j->user);
		memcpy(j->token, j->req.pass, sizeof j->token);
	}
	if (!j->token[0]) {
		/* no credentials at all is a client asking to be challenged,
		 * not a failed authentication */
		log_info("update client=%s result=badauth auth=none", http_req_client_text(rq));
		reply_once(u, rq, DD2_BADAUTH, 0);
		return;
	}
	/* no hostname: the Basic user name, if it is one (deSEC does this) */
	if (!j->req.hostname_given) {
		uint8_t w[DNAME_MAX];
		if (!dd2_hostname(j->user, strlen(j->user), w)) {
			reply_once(u, rq, DD2_NOTFQDN, 0);
			return;
		}
		snprintf(j->req.hosts[0], sizeof j->req.hosts[0], "%s", j->user);
		j->req.nhosts = 1;
	}
	if (j->req.nhosts == 0) {
		reply_once(u, rq, DD2_NOTFQDN, 0);
		return;
	}
	if (j->req.too_many || j->req.nhosts > u->max_hosts) {
		reply_once(u, rq, DD2_NUMHOST, 0);
		return;
	}
	/* what to change: the addresses given; none given, the client's own
	 * (unless the request only sets TXT or takes the host offline) */
	struct host_change *c = &j->change;
	c->offline = j->req.offline;
	if (j->req.addr_given) {
		c->set_addrs = true;
		c->addrs = j->req.addrs;
	} else if (!j->req.txt_given && j->req.offline != 1 && !j->req.prefix_given) {
		struct dd2_addr a;
		const char *ct = http_req_client_text(rq);
		if (dd2_addr_parse(ct, strlen(ct), &a) == 0 && dd2_addrs_add(&c->addrs, &a) == 0)
			c->set_addrs = true;
	}
	if (c->set_addrs && !addrs_allowed(u, rq, j->req.hosts, j->req.nhosts, &c->addrs)) {
		reply_once(u, rq, DD2_BADAGENT, 0);
		return;
	}
	if (j->req.prefix_given && !prefix_allowed(u, rq, j))
		return;
	c->set_txt = j->req.txt_given;
	c->ntxt = j->req.ntxt;
	for (unsigned i = 0; i < j->req.ntxt; i++)
		c->txt[i] = j->req.txt[i];
	snprintf(j->client, sizeof j->client, "%s", http_req_client_text(rq));
	copy_agent(j->agent, http_req_header(rq, "User-Agent"));
	j->addr_klen = limit_addr_key(http_req_client(rq), j->addr_key);
	j->cj.run = job_run;
	j->cj.done = job_done;
	j->held.fire = job_due;
	uint64_t now = clock_ms();
	unsigned delay = failures_delay(u->failures, j->addr_key, j->addr_klen, now);
	http_suspend(rq);
	/* timers stopped (shutting down): no more waiting */
	if (!delay || timer_at(u->timers, &j->held, now + delay))
		commit_submit(u->commit, &j->cj);
}

static void checkip_handle(http_req_t *rq, void *arg)
{
	update_t *u = arg;
	char body[64];
	if (!client_allowed(u, rq))
		return;
	int n = snprintf(body, sizeof body, "%s\n", http_req_client_text(rq));
	http_reply_header(rq, "Cache-Control", "no-store");
	http_reply(rq, 200, "text/plain", body, (size_t)n, false);
}

/* Setup -------------------------------------------------------------------- */

int update_start(update_t **out, http_t *h, const struct config *c, committer_t *cm,
                 timers_t *ts, char *err, size_t errlen)
{
	static const char *const default_paths[] = { "/nic/update", "/v3/update" };
	update_t *u = calloc(1, sizeof *u);
	int rc = DZ_ENOMEM;
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	u->commit = cm;
	u->timers = ts;
	u->max_hosts = (unsigned)c->update_max_hosts;
	u->cfg = c;
	struct budget_conf bc = {
		(unsigned)c->update_rate_token, (unsigned)c->update_burst_token,
		(unsigned)c->update_loop_max, (unsigned)c->update_loop_window,
	};
	u->per_token = budget_new(LIMITER_SLOTS, &bc);
	u->per_client = limiter_new(LIMITER_SLOTS, (unsigned)c->update_rate_client,
	                                 (unsigned)c->update_burst_client);
	u->failures = failures_new(LIMITER_SLOTS);
	if (!u->per_token || !u->per_client || !u->failures) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (unsigned i = 0; i < (c->update_path.n ? c->update_path.n : 2); i++) {
		const char *p = c->update_path.n ? c->update_path.s[i] : default_paths[i];
		if (p[0] != '/') {
			snprintf(err, errlen, "update-path '%s' must start with '/'", p);
			rc = DZ_EINVAL;
			goto fail;
		}
		if (!(u->paths[u->npaths] = strdup(p))) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		struct http_route r = { NULL, u->paths[u->npaths], update_handle, u, 4096 };
		u->npaths++;
		if ((rc = http_route_add(h, &r)) != 0) {
			snprintf(err, errlen, "too many HTTP routes");
			goto fail;
		}
	}
	struct http_route ci = { "GET", "/checkip", checkip_handle, u, 0 };
	if ((rc = http_route_add(h, &ci)) != 0) {
		snprintf(err, errlen, "too many HTTP routes");
		goto fail;
	}
	*out = u;
	return 0;
fail:
	update_free(u);
	return rc;
}

void update_metrics(void *arg, textbuf_t *o)
{
	const update_t *u = arg;
	const char *n = "dynzone_updates_total";
	char label[48];
	metrics_family(o, n, "counter", "dyndns2 update replies, one per host, by result");
	for (unsigned c = 0; c < DD2_NCODES; c++) {
		snprintf(label, sizeof label, "result=\"%s\"", dd2_code_text((enum dd2_code)c));
		metrics_sample(o, n, label, METRICS_GET(u->results[c]));
	}
	metrics_counter(o, "dynzone_update_auth_failures_total",
	                "Update requests whose credentials were wrong (auth=failed)",
	                METRICS_GET(u->auth_failed));
}

void update_free(update_t *u)
{
	if (!u)
		return;
	budget_free(u->per_token);
	limiter_free(u->per_client);
	failures_free(u->failures);
	for (unsigned i = 0; i < u->npaths; i++)
		free(u->paths[i]);
	free(u);
}

