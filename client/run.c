/* The per-host engine; see run.h. */
#include "run.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "updproto.h"
#include "util.h"

/* Times further ahead than this in the cache come from a clock that has
 * since been set back (a router booting without RTC): do not wait on them. */
#define MAX_AHEAD (POLICY_RETRY_AFTER_MAX + POLICY_SERVER_WAIT_MAX)

static const int families[2] = { AF_INET, AF_INET6 };
static const char *const fam_name[2] = { "IPv4", "IPv6" };

const char *run_status_name(enum run_status s)
{
	static const char *const names[] = {
		[RUN_CURRENT] = "current", [RUN_UPDATED] = "updated",
		[RUN_DRYRUN] = "would-update", [RUN_NOADDR] = "noaddr",
		[RUN_WAITING] = "waiting", [RUN_STOPPED] = "stopped",
	};
	return names[s];
}

void run_prune(struct cache *c, const struct conf *conf)
{
	size_t keep = 0;
	for (size_t i = 0; i < c->n; i++) {
		bool found = false;
		for (size_t j = 0; j < conf->nhosts && !found; j++)
			found = strcmp(c->e[i].name, conf->hosts[j].name) == 0;
		if (found)
			c->e[keep++] = c->e[i];
	}
	c->n = keep;
}

static void wake_at(struct run_report *rep, int64_t t)
{
	if (t < rep->wake)
		rep->wake = t;
}

/* Ask a check-IP URL or command for family `f` if it is due; leaves the
 * answer in e->seen[f]. */
static void check_source(struct run *r, const struct host_conf *h,
                         struct cache_entry *e, int f, bool net_changed)
{
	const struct src *s = &h->src[f];
	struct policy_limits lim = { h->backoff_min, h->backoff_max };
	char got[ADDR_TEXT_MAX], why[256];
	int err;

	if (!net_changed && r->now < e->cnext[f])
		return;
	if (s->kind == SRC_CHECKIP)
		err = addr_checkip(s->arg, families[f], h->timeout, h->tls_ca,
		                   got, sizeof got, why, sizeof why);
	else
		err = addr_command(s->arg, families[f], h->timeout, got, sizeof got,
		                   why, sizeof why);
	if (err < 0) {
		e->cfails[f]++;
		e->cnext[f] = r->now + policy_backoff(e->cfails[f], &lim, util_random());
		log_warn("%s: %s source failed: %s; asking again in %llds", h->name,
		         fam_name[f], why, (long long)(e->cnext[f] - r->now));
		return;
	}
	e->cfails[f] = 0;
	e->cnext[f] = r->now + h->check_interval;
	if (strcmp(got, e->seen[f]) != 0)
		log_info("%s: %s source says %s", h->name, fam_name[f], got);
	memcpy(e->seen[f], got, sizeof got);
}

/* Find the current address of each family into cur[]; "" if none. */
static void detect(struct run *r, const struct host_conf *h,
                   struct cache_entry *e, bool net_changed,
                   char cur[2][ADDR_TEXT_MAX], struct run_report *rep)
{
	for (int f = 0; f < 2; f++) {
		const struct src *s = &h->src[f];
		cur[f][0] = '\0';
		switch (s->kind) {
		case SRC_OFF:
			break;
		case SRC_INTERFACE:
			if (addr_pick(r->local, r->nlocal, families[f], s->arg,
			              f == 1 && h->v6_temporary, e->addr[f], cur[f],
			              ADDR_TEXT_MAX) < 0)
				log_debug("%s: no global %s address on %s", h->name,
				          fam_name[f], *s->arg ? s->arg : "any interface");
			break;
		case SRC_CHECKIP:
		case SRC_COMMAND:
			check_source(r, h, e, f, net_changed);
			memcpy(cur[f], e->seen[f], ADDR_TEXT_MAX);
			wake_at(rep, e->cnext[f]);
			break;
		}
	}
}

static void join(char *out, size_t cap, const char *a, const char *b)
{
	util_fmt(out, cap, "%s%s%s", a ? a : "", a && b ? "," : "", b ? b : "");
}

/* Send one request carrying v4 and/or v6; apply the answer. */
static enum policy_action send_one(struct run *r, const struct host_conf *h,
                                   struct cache_entry *e, const char *v4,
                                   const char *v6, const char *prefix)
{
	struct policy_limits lim = { h->backoff_min, h->backoff_max };
	struct upd_call call;
	struct http_resp resp = { .retry_after = -1 };
	struct url u;
	struct http_opts o = {
		.family = AF_UNSPEC, .timeout = h->timeout, .ca_file = h->tls_ca,
		.secret = *h->token != '\0', .allow_plain = h->allow_plain,
	};
	enum upd_result res;
	enum policy_action act;
	char addrs[2 * ADDR_TEXT_MAX];

	join(addrs, sizeof addrs, v4, v6);
	call.lanprefix = prefix;
	if (h->proto->build(h, v4, v6, &call) < 0 || http_parse_url(call.url, &u) < 0) {
		log_error("%s: cannot build the %s request (URL too long?)", h->name,
		          h->proto->name);
		res = UPD_BADREPLY;
		goto apply;
	}
	o.user = call.user;
	o.pass = call.pass;
	log_info("%s: sending %s via %s", h->name, addrs, call.shown);
	int err = http_get(&u, &o, &resp);
	if (err == DZ_EAUTH) {
		log_error("%s: %s", h->name, resp.why);
		res = UPD_REFUSED;
	} else if (err < 0) {
		log_warn("%s: %s", h->name, resp.why);
		res = UPD_NETERR;
	} else {
		res = h->proto->parse(h, &resp);
		log_debug("%s: HTTP %d: %.*s", h->name, resp.status,
		          (int)strcspn(resp.body, "\r\n"), resp.body);
	}
apply:
	util_wipe(&call, sizeof call);
	act = policy_apply(&e->pol, res, resp.retry_after, r->now, &lim, util_random());
	switch (act) {
	case POL_DONE:
		log_info("%s: %s %s", h->name, policy_result_name(res), addrs);
		break;
	case POL_WAIT:
		if (resp.status > 0)
			log_warn("%s: %s (HTTP %d); next try in %llds", h->name,
			         policy_result_name(res), resp.status,
			         (long long)(e->pol.next - r->now));
		else
			log_warn("%s: %s; next try in %llds", h->name,
			         policy_result_name(res), (long long)(e->pol.next - r->now));
		break;
	case POL_STOP:
		log_error("%s: %s: stopped; nothing more is sent for this host "
		          "until its configuration changes", h->name,
		          policy_result_name(res));
		break;
	}
	return act;
}

/* The summary of a host that is waiting or stopped. */
static void report_held(struct run_report *rep, const struct cache_entry *e,
                        int64_t now)
{
	if (e->pol.stop[0]) {
		rep->status = RUN_STOPPED;
		rep->wake = INT64_MAX;
		util_fmt(rep->detail, sizeof rep->detail, "%s", e->pol.stop);
		return;
	}
	rep->status = RUN_WAITING;
	rep->wake = e->pol.next;
	util_fmt(rep->detail, sizeof rep->detail, "%lld %s",
	         (long long)(e->pol.next - now), e->pol.last);
}

/* The summary's address list: "" entries are left out. */
static void report_addrs(struct run_report *rep, const char *v4, const char *v6)
{
	join(rep->detail, sizeof rep->detail, *v4 ? v4 : NULL, *v6 ? v6 : NULL);
}

int run_host(struct run *r, const struct host_conf *h, struct run_report *rep)
{
	struct cache_entry *e = cache_entry(r->cache, h->name);
	char cur[2][ADDR_TEXT_MAX];
	bool need[2], net_changed;
	const char *sets[2][2];
	int nsets = 0;

	rep->status = RUN_CURRENT;
	rep->wake = INT64_MAX;
	rep->detail[0] = '\0';
	if (!e)
		return DZ_ELIMIT;
	if (e->ident != h->ident) {
		/* New host, or what the server sees of it changed: start afresh. */
		if (e->pol.stop[0])
			log_info("%s: configuration changed; resuming after %s", h->name,
			         e->pol.stop);
		memset(&e->ident, 0, sizeof *e - offsetof(struct cache_entry, ident));
		e->ident = h->ident;
	} else if (e->whole != h->whole && e->pol.stop[0]) {
		/* Another setting changed (allow-plain-http, tls-ca...): the user
		 * acted on the stop, so try again; the server state still holds. */
		log_info("%s: configuration changed; resuming after %s", h->name,
		         e->pol.stop);
		e->pol.stop[0] = '\0';
	}
	e->whole = h->whole;
	net_changed = e->fp != r->fp;
	e->fp = r->fp;
	if (e->pol.next > r->now + MAX_AHEAD)
		e->pol.next = r->now;
	for (int f = 0; f < 2; f++)
		if (e->cnext[f] > r->now + h->check_interval + h->backoff_max)
			e->cnext[f] = r->now;

	/* A changed network may be what the failures were about; the server's
	 * own "wait" (911, Retry-After) stands. */
	if (net_changed && e->pol.fails && !e->pol.hold)
		e->pol.next = 0;
	if (e->pol.stop[0] || r->now < e->pol.next) {
		report_held(rep, e, r->now);
		log_debug("%s: %s %s", h->name, run_status_name(rep->status), rep->detail);
		return 0;
	}

	detect(r, h, e, net_changed, cur, rep);
	for (int f = 0; f < 2; f++)
		need[f] = cur[f][0] && strcmp(cur[f], e->addr[f]) != 0;
	/* a router's LAN prefix (lan-prefix): a new one is sent along with
	 * the current addresses, preferably in the IPv6 request */
	char pfx[ADDR_PREFIX_TEXT_MAX] = "";
	if (*h->lan_prefix &&
	    addr_lan_prefix(r->local, r->nlocal, h->lan_prefix, pfx, sizeof pfx) < 0)
		log_debug("%s: no global IPv6 prefix on %s", h->name, h->lan_prefix);
	bool need_pfx = *pfx && strcmp(pfx, e->prefix) != 0;
	if (need_pfx) {
		log_info("%s: LAN prefix %s -> %s", h->name, *e->prefix ? e->prefix : "(none)",
		         pfx);
		if (!need[0] && !need[1])
			need[cur[1][0] ? 1 : 0] = cur[1][0] || cur[0][0];
	}
	if (!need[0] && !need[1]) {
		report_addrs(rep, e->addr[0], e->addr[1]);
		for (int f = 0; f < 2; f++)
			if (h->src[f].kind >= SRC_CHECKIP && e->cfails[f]) {
				rep->status = RUN_WAITING;
				util_fmt(rep->detail, sizeof rep->detail, "%lld source-error",
				         (long long)(e->cnext[f] - r->now));
			}
		if (!cur[0][0] && !cur[1][0] && !e->addr[0][0] && !e->addr[1][0]) {
			rep->status = RUN_NOADDR;
			log_warn("%s: no address found", h->name);
		}
		return 0;
	}
	for (int f = 0; f < 2; f++)
		if (need[f])
			log_info("%s: %s %s -> %s", h->name, fam_name[f],
			         e->addr[f][0] ? e->addr[f] : "(none)", cur[f]);

	/* One request for both families if the protocol can (sending the
	 * unchanged one along, for servers that replace), else one each. */
	for (int f = 0; f < 2; f++) {
		if (!h->proto->combined(h) && need[f]) {
			sets[nsets][f] = cur[f];
			sets[nsets][!f] = NULL;
			nsets++;
		}
	}
	if (h->proto->combined(h)) {
		sets[0][0] = cur[0][0] ? cur[0] : NULL;
		sets[0][1] = cur[1][0] ? cur[1] : NULL;
		nsets = 1;
	}
	if (r->dry_run) {
		rep->status = RUN_DRYRUN;
		for (int i = 0; i < nsets; i++) {
			char a[2 * ADDR_TEXT_MAX];
			join(a, sizeof a, sets[i][0], sets[i][1]);
			log_info("%s: dry run: would send %s", h->name, a);
		}
		report_addrs(rep, cur[0], cur[1]);
		return 0;
	}
	/* the prefix rides on the last request: the IPv6 one if there is one */
	for (int i = 0; i < nsets; i++) {
		const char *p = need_pfx && i == nsets - 1 ? pfx : NULL;
		enum policy_action act = send_one(r, h, e, sets[i][0], sets[i][1], p);
		if (act != POL_DONE) {
			report_held(rep, e, r->now);
			return 0;
		}
		for (int f = 0; f < 2; f++)
			if (sets[i][f])
				memcpy(e->addr[f], sets[i][f], ADDR_TEXT_MAX);
		if (p)
			memcpy(e->prefix, pfx, sizeof pfx);
		rep->status = RUN_UPDATED;
	}
	report_addrs(rep, e->addr[0], e->addr[1]);
	return 0;
}
