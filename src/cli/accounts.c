/* The user, host and token commands. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "src/common/secret.h"
#include "src/db/accounts.h"
#include "src/db/tokens.h"
#include "src/cli/cmd.h"
#include "src/db/block.h"
#include "src/db/host.h"
#include "src/db/sessions.h"
#include "src/db/zones.h"
#include "src/common/grow.h"

#define TOKEN_HOSTS_MAX 32

static void when(int64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!t || !gmtime_r(&tt, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "-");
}

/* Run `fn` in a transaction (store_txn): fn reports its own failures
 * with cmd_fail; a store failure around it is reported here. */
static int in_txn(store_t *st, int (*fn)(store_t *, void *), void *arg)
{
	int rc = store_txn(st, fn, arg);
	return rc < 0 ? cmd_fail("cannot write to the store: %s", store_errmsg(st)) : rc;
}

static int find_user(store_t *st, const char *name, int64_t *id)
{
	int rc = accounts_find(st, name, id, NULL);
	if (rc == DZ_ENOENT)
		return cmd_fail("no user '%s'", name);
	if (rc)
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

static int find_host(store_t *st, const char *text, struct host *h)
{
	uint8_t name[DNAME_MAX];
	if (!cmd_name(text, name))
		return cmd_fail("'%s' is not a valid name", text);
	int rc = host_find(st, name, h);
	if (rc == DZ_ENOENT)
		return cmd_fail("no host '%s'", text);
	if (rc)
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

/* Users ------------------------------------------------------------------- */

struct user_add { const char *name; char *pw; bool admin; };

static int do_user_add(store_t *st, void *arg)
{
	struct user_add *a = arg;
	char enc[SECRET_PW_ENCODED];
	int rc = secret_password_hash(a->pw, enc);
	if (rc)
		return cmd_fail("hashing the password: %s", dz_strerror(rc));
	rc = accounts_add(st, a->name, enc, a->admin, NULL);
	if (rc == DZ_EEXIST)
		return cmd_fail("user '%s' exists", a->name);
	if (rc)
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

/* Read a new password for `user` from the first line of standard input
 * into pw (SECRET_PW_MAX + 2 bytes) and check it against the policy.  0,
 * or 1 after saying why (pw wiped). */
static int read_password(const char *user, char *pw, size_t cap)
{
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "password for %s: ", user);
	if (!fgets(pw, (int)cap, stdin))
		return cmd_fail("no password on standard input");
	size_t n = strlen(pw);
	if (n && pw[n - 1] == '\n')
		pw[--n] = 0;
	if (n && pw[n - 1] == '\r')
		pw[--n] = 0;
	if (secret_password_ok(pw)) {
		explicit_bzero(pw, cap);
		return n > SECRET_PW_MAX ? cmd_fail("password longer than %d bytes", SECRET_PW_MAX)
		       : cmd_fail("password shorter than %d characters", SECRET_PW_MIN);
	}
	return 0;
}

int cmd_user_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	bool admin = false;
	char pw[SECRET_PW_MAX + 2];
	const struct cmd_opt opts[] = { { "admin", 0, NULL, &admin, NULL, NULL, 0 }, { 0 } };
	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	if (!secret_user_name_ok(pos[0]))
		return cmd_fail("user names are 1 to %d letters, digits, '.', '-', '_' or '@'",
		                SECRET_NAME_MAX - 1);
	if (read_password(pos[0], pw, sizeof pw))
		return 1;
	struct user_add a = { pos[0], pw, admin };
	int rc = in_txn(cmd_store(ctx), do_user_add, &a);
	explicit_bzero(pw, sizeof pw);
	if (rc)
		return rc;
	fprintf(stderr, "user %s added%s\n", pos[0], admin ? " (admin)" : "");
	return 0;
}

struct user_passwd { const char *name; char *pw; };

static int do_user_passwd(store_t *st, void *arg)
{
	struct user_passwd *a = arg;
	char enc[SECRET_PW_ENCODED];
	int64_t id;
	int rc = find_user(st, a->name, &id);
	if (rc)
		return rc;
	if ((rc = secret_password_hash(a->pw, enc)) != 0)
		return cmd_fail("hashing the password: %s", dz_strerror(rc));
	/* the new password, and every dashboard session of the user ends */
	rc = accounts_set_password(st, id, enc);
	explicit_bzero(enc, sizeof enc);
	if (rc || sessions_del_user(st, id, NULL))
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

int cmd_user_passwd(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	char pw[SECRET_PW_MAX + 2];
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	if (read_password(pos[0], pw, sizeof pw))
		return 1;
	struct user_passwd a = { pos[0], pw };
	int rc = in_txn(cmd_store(ctx), do_user_passwd, &a);
	explicit_bzero(pw, sizeof pw);
	if (rc)
		return rc;
	fprintf(stderr, "password of %s changed; their dashboard sessions are ended\n", pos[0]);
	return 0;
}

static int user_row(void *ctx, const struct account_info *a)
{
	char created[32];
	(void)ctx;
	when(a->created, created, sizeof created);
	printf("%-24s %-5s %-20s %5u %s\n", a->name, a->admin ? "yes" : "no", created,
	       a->nhosts, a->zones ? a->zones : "-");
	return 0;
}

int cmd_user_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 0, 0, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	printf("%-24s %-5s %-20s %5s %s\n", "USER", "ADMIN", "CREATED", "HOSTS", "ZONES");
	return accounts_list(st, user_row, NULL) ? cmd_fail("store: %s", store_errmsg(st)) : 0;
}

/* The hosts of a user, gathered before any is deleted (a statement's
 * rows must not change under it). */
struct host_vec { struct host *v; size_t n, cap; };

static int gather_cb(void *ctx, const struct host *h)
{
	struct host_vec *hv = ctx;
	struct host *nv = grow_array(hv->v, &hv->cap, hv->n, sizeof *nv, 16);
	if (!nv)
		return DZ_ENOMEM;
	hv->v = nv;
	hv->v[hv->n++] = *h;
	return 0;
}

struct user_ref { int64_t id; int64_t zone_id; unsigned max_hosts; };

static int do_user_del(store_t *st, void *arg)
{
	struct user_ref *u = arg;
	/* hosts first, so their records leave DNS through the journal */
	struct host_vec hv = { 0 };
	int rc = host_list(st, u->id, gather_cb, &hv);
	for (size_t i = 0; i < hv.n && !rc; i++)
		rc = host_del(st, &hv.v[i]);
	free(hv.v);
	if (rc)
		return cmd_fail("deleting hosts: %s", rc == DZ_EDB ? store_errmsg(st) : dz_strerror(rc));
	return accounts_del(st, u->id) ? cmd_fail("store: %s", store_errmsg(st)) : 0;
}

int cmd_user_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	struct user_ref u = { 0 };
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (find_user(st, pos[0], &u.id))
		return 1;
	return in_txn(st, do_user_del, &u);
}

static int zone_of(store_t *st, const char *text, int64_t *id)
{
	uint8_t apex[DNAME_MAX];
	struct store_zone z;
	if (!cmd_name(text, apex))
		return cmd_fail("'%s' is not a valid name", text);
	int rc = store_zone_find(st, apex, &z);
	if (rc == 0 && !dname_equal_ci(apex, z.apex))
		rc = DZ_ENOENT;
	if (rc == DZ_ENOENT)
		return cmd_fail("no zone '%s'", text);
	if (rc)
		return cmd_fail("store: %s", store_errmsg(st));
	*id = z.id;
	return 0;
}

static int do_user_allow(store_t *st, void *arg)
{
	struct user_ref *u = arg;
	return accounts_grant(st, u->id, u->zone_id, u->max_hosts)
	       ? cmd_fail("store: %s", store_errmsg(st)) : 0;
}

int cmd_user_allow(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[2], *max = NULL;
	int np;
	struct user_ref u = { 0 };
	const struct cmd_opt opts[] = { { "max-hosts", 1, &max, NULL, NULL, NULL, 0 }, { 0 } };
	if (cmd_parse(ctx, argc, argv, opts, pos, 2, 2, &np))
		return 2;
	if (max) {
		char *end;
		long m = strtol(max, &end, 10);
		if (*end || end == max || m < 0 || m > 1000000)
			return cmd_fail("--max-hosts must be a number from 0 to 1000000");
		u.max_hosts = (unsigned)m;
	}
	store_t *st = cmd_store(ctx);
	if (find_user(st, pos[0], &u.id) || zone_of(st, pos[1], &u.zone_id))
		return 1;
	return in_txn(st, do_user_allow, &u);
}

static int do_user_deny(store_t *st, void *arg)
{
	struct user_ref *u = arg;
	/* denying a zone that was not granted is no error here */
	int rc = accounts_revoke(st, u->id, u->zone_id);
	return rc && rc != DZ_ENOENT ? cmd_fail("store: %s", store_errmsg(st)) : 0;
}

int cmd_user_deny(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[2];
	int np;
	struct user_ref u = { 0 };
	if (cmd_parse(ctx, argc, argv, NULL, pos, 2, 2, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (find_user(st, pos[0], &u.id) || zone_of(st, pos[1], &u.zone_id))
		return 1;
	return in_txn(st, do_user_deny, &u);
}

/* Hosts -------------------------------------------------------------------- */

struct host_add {
	const char *text;
	uint8_t name[DNAME_MAX];
	int64_t user_id;
	uint32_t ttl;
	char token[SECRET_TOKEN_LEN + 1];
	bool follow;               /* --prefix-of given */
	struct host_follow f;
	uint8_t router[DNAME_MAX];
};

/* The prefix options of host add and host set, as given. */
struct follow_args { const char *of, *iid, *plen, *prefer; };
#define FOLLOW_OPTS(fa) \
	{ "prefix-of", 1, &(fa).of, NULL, NULL, NULL, 0 }, \
	{ "iid", 1, &(fa).iid, NULL, NULL, NULL, 0 }, \
	{ "prefix-len", 1, &(fa).plen, NULL, NULL, NULL, 0 }, \
	{ "prefer", 1, &(fa).prefer, NULL, NULL, NULL, 0 }

/* The prefix options into f: --prefix-of ROUTER ("none" or "" stops
 * following), --iid IID (an IPv6 address text whose low bits are the
 * interface identifier), --prefix-len N, --prefer prefix|own.  0 or 1
 * after a message. */
static int follow_opts(struct host_follow *f, uint8_t router[DNAME_MAX],
                       const struct follow_args *fa)
{
	const char *of = fa->of, *iid = fa->iid, *plen = fa->plen, *prefer = fa->prefer;
	memset(f, 0, sizeof *f);
	f->prefer = -1;
	if (of) {
		f->set_router = true;
		if (of[0] && strcmp(of, "none") != 0) {
			if (!cmd_name(of, router))
				return cmd_fail("'%s' is not a valid name", of);
			f->router = router;
		}
	}
	if (iid) {
		char buf[INET6_ADDRSTRLEN];
		if (strlen(iid) >= sizeof buf || (snprintf(buf, sizeof buf, "%s", iid),
		    inet_pton(AF_INET6, buf, f->iid) != 1))
			return cmd_fail("--iid '%s' is not an interface identifier (written like "
			                "an IPv6 address, e.g. ::11:22ff:fe33:4455)", iid);
		f->set_iid = true;
	}
	if (plen) {
		char *end;
		long v = strtol(plen, &end, 10);
		if (*end || end == plen || v < 1 || v > 127)
			return cmd_fail("--prefix-len must be a number from 1 to 127, not '%s'", plen);
		f->prefix_len = (unsigned)v;
	}
	if (prefer) {
		if (strcmp(prefer, "prefix") && strcmp(prefer, "own"))
			return cmd_fail("--prefer is 'prefix' or 'own', not '%s'", prefer);
		f->prefer = strcmp(prefer, "own") == 0;
	}
	return 0;
}

/* Apply f to h in the open transaction, reporting a refusal. */
static int follow_apply(store_t *st, struct host *h, const struct host_follow *f)
{
	const char *why;
	int rc = host_follow(st, h, f, (int64_t)time(NULL), &why);
	if (rc == DZ_EDB)
		return cmd_fail("store: %s", store_errmsg(st));
	if (rc)
		return cmd_fail("%s: %s", h->text, why ? why : dz_strerror(rc));
	return 0;
}

static int do_host_add(store_t *st, void *arg)
{
	struct host_add *a = arg;
	struct host h;
	int rc = host_add(st, a->name, a->user_id, a->ttl, &h);
	if (rc == DZ_ENOENT)
		return cmd_fail("%s is in no zone served here", a->text);
	if (rc == DZ_EINVAL)
		return cmd_fail("%s cannot be a host: it must be a host name (letters, digits, "
		                "'-', '_') below a zone apex, with no CNAME", a->text);
	if (rc == DZ_EEXIST)
		return cmd_fail("host %s exists", a->text);
	if (rc)
		return cmd_fail("store: %s", store_errmsg(st));
	if (a->follow && (rc = follow_apply(st, &h, &a->f)) != 0)
		return rc;
	rc = tokens_create(st, a->user_id, &h.id, 1, a->token);
	if (rc)
		return cmd_fail("making a token: %s", rc == DZ_EDB ? store_errmsg(st) : dz_strerror(rc));
	return 0;
}

int cmd_host_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *user = NULL, *ttl = NULL;
	struct follow_args fa = { 0 };
	int np;
	struct host_add a;
	const struct cmd_opt opts[] = {
		{ "user", 1, &user, NULL, NULL, NULL, 0 },
		{ "ttl", 1, &ttl, NULL, NULL, NULL, 0 },
		FOLLOW_OPTS(fa),
		{ 0 },
	};
	memset(&a, 0, sizeof a);
	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	if (!user)
		return cmd_fail("host add needs --user USER");
	if ((fa.iid || fa.plen || fa.prefer) && !fa.of)
		return cmd_fail("--iid, --prefix-len and --prefer go with --prefix-of ROUTER");
	if (follow_opts(&a.f, a.router, &fa))
		return 1;
	a.follow = fa.of != NULL;
	if (ttl && !cmd_ttl(ttl, &a.ttl))
		return cmd_fail("bad TTL '%s'", ttl);
	if (ttl && a.ttl == 0)
		return cmd_fail("a host's TTL must be at least 1");
	a.text = pos[0];
	if (!cmd_name(pos[0], a.name))
		return cmd_fail("'%s' is not a valid name", pos[0]);
	store_t *st = cmd_store(ctx);
	if (find_user(st, user, &a.user_id))
		return 1;
	int rc = in_txn(st, do_host_add, &a);
	if (rc)
		return rc;
	/* the token, once: the last line of stdout, nothing else there */
	printf("%s\n", a.token);
	explicit_bzero(a.token, sizeof a.token);
	return 0;
}

/* The PREFIX column: a router's LAN prefix, a follower's router and
 * interface identifier, or "-". */
static void prefix_text(const struct host *h, char *out, size_t cap)
{
	char p[INET6_ADDRSTRLEN] = "";
	if (h->prefix_of) {
		inet_ntop(AF_INET6, h->iid, p, sizeof p);
		snprintf(out, cap, "follows %s iid %s /%u prefer %s", h->router, h->has_iid ? p : "-",
		         h->prefix_len, h->prefer_own ? "own" : "prefix");
	} else if (h->has_lan) {
		inet_ntop(AF_INET6, h->lan, p, sizeof p);
		snprintf(out, cap, "lan %s/%u (%u followers)", p, h->lan_len, h->nfollowers);
	} else if (h->nfollowers) {
		snprintf(out, cap, "no lan prefix yet (%u followers)", h->nfollowers);
	} else {
		snprintf(out, cap, "-");
	}
}

static int list_cb(void *ctx, const struct host *h)
{
	char at[2 * DD2_ADDR_TEXT + 2], upd[32], pfx[2 * HOST_TEXT_MAX];
	bool blocked = false;
	if (block_get(ctx, h->id, &blocked))
		return DZ_EDB;
	if (dd2_addrs_text(&h->addrs, at, sizeof at) <= 0)
		snprintf(at, sizeof at, "-");
	when(h->updated, upd, sizeof upd);
	prefix_text(h, pfx, sizeof pfx);
	/* blocked (host block) wins: its updates are refused whatever its
	 * state */
	printf("%-40s %-16s %6u %-7s %-20s %-40s %6u %s\n", h->text, h->user, h->ttl,
	       blocked ? "blocked" : h->offline ? "offline" : "online", upd, at, h->ntokens, pfx);
	return 0;
}

int cmd_host_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *user = NULL;
	int np;
	int64_t uid = 0;
	const struct cmd_opt opts[] = { { "user", 1, &user, NULL, NULL, NULL, 0 }, { 0 } };
	if (cmd_parse(ctx, argc, argv, opts, pos, 0, 0, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (user && find_user(st, user, &uid))
		return 1;
	printf("%-40s %-16s %6s %-7s %-20s %-40s %6s %s\n", "HOST", "USER", "TTL", "STATE",
	       "UPDATED", "ADDRESSES", "TOKENS", "PREFIX");
	if (host_list(st, uid, list_cb, st))
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

struct host_set { struct host h; struct host_follow f; uint8_t router[DNAME_MAX]; };

static int do_host_set(store_t *st, void *arg)
{
	struct host_set *hs = arg;
	/* reread inside the transaction: the checks see what is there now */
	if (host_find(st, hs->h.name, &hs->h))
		return cmd_fail("store: %s", store_errmsg(st));
	return follow_apply(st, &hs->h, &hs->f);
}

int cmd_host_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	struct follow_args fa = { 0 };
	int np;
	struct host_set hs;
	const struct cmd_opt opts[] = { FOLLOW_OPTS(fa), { 0 } };
	memset(&hs, 0, sizeof hs);
	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	if (!fa.of && !fa.iid && !fa.plen && !fa.prefer)
		return cmd_fail("host set needs something to set (see --help)");
	if (follow_opts(&hs.f, hs.router, &fa))
		return 1;
	store_t *st = cmd_store(ctx);
	if (find_host(st, pos[0], &hs.h))
		return 1;
	return in_txn(st, do_host_set, &hs);
}

static int do_host_del(store_t *st, void *arg)
{
	return host_del(st, arg) ? cmd_fail("store: %s", store_errmsg(st)) : 0;
}

int cmd_host_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	struct host h;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (find_host(st, pos[0], &h))
		return 1;
	return in_txn(st, do_host_del, &h);
}

/* Blocking a host (an administrator's `abuse`) ---------------------------------- */

struct host_block { struct host h; const char *reason; bool block, was; };

static int do_host_block(store_t *st, void *arg)
{
	struct host_block *b = arg;
	int rc = b->block ? block_set(st, b->h.id, b->reason, (int64_t)time(NULL))
	                  : block_clear(st, b->h.id, &b->was);
	return rc ? cmd_fail("store: %s", store_errmsg(st)) : 0;
}

/* host block FQDN [--reason TEXT] and host unblock FQDN: a running
 * server reads the table on every update, so no signal is needed. */
static int host_block(struct cmd_ctx *ctx, int argc, char **argv, bool block)
{
	const char *pos[1];
	int np;
	struct host_block b = { .block = block };
	const struct cmd_opt opts[] = {
		{ "reason", 1, &b.reason, NULL, NULL, NULL, 0 },
		{ 0 },
	};
	if (cmd_parse(ctx, argc, argv, block ? opts : NULL, pos, 1, 1, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (find_host(st, pos[0], &b.h))
		return 1;
	int rc = in_txn(st, do_host_block, &b);
	if (!rc && !block && !b.was)
		fprintf(stderr, "dynzone: %s was not blocked\n", b.h.text);
	return rc;
}

int cmd_host_block(struct cmd_ctx *ctx, int argc, char **argv)
{
	return host_block(ctx, argc, argv, true);
}

int cmd_host_unblock(struct cmd_ctx *ctx, int argc, char **argv)
{
	return host_block(ctx, argc, argv, false);
}

/* Tokens ------------------------------------------------------------------- */

struct token_new {
	int64_t user_id;
	int64_t hosts[TOKEN_HOSTS_MAX];
	size_t n;
	char token[SECRET_TOKEN_LEN + 1];
};

static int do_token_new(store_t *st, void *arg)
{
	struct token_new *t = arg;
	int rc = tokens_create(st, t->user_id, t->hosts, t->n, t->token);
	if (rc)
		return cmd_fail("making a token: %s", rc == DZ_EDB ? store_errmsg(st) : dz_strerror(rc));
	return 0;
}

int cmd_token_new(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[TOKEN_HOSTS_MAX];
	int np;
	struct token_new t;
	memset(&t, 0, sizeof t);
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, TOKEN_HOSTS_MAX, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	for (int i = 0; i < np; i++) {
		struct host h;
		if (find_host(st, pos[i], &h))
			return 1;
		if (i && h.user_id != t.user_id)
			return cmd_fail("%s belongs to another user than %s: a token covers "
			                "one user's hosts", pos[i], pos[0]);
		t.user_id = h.user_id;
		t.hosts[t.n++] = h.id;
	}
	int rc = in_txn(st, do_token_new, &t);
	if (rc)
		return rc;
	printf("%s\n", t.token);
	explicit_bzero(t.token, sizeof t.token);
	return 0;
}

struct token_revoke { int64_t host_id; const char *tid; unsigned n; };

static int do_token_revoke(store_t *st, void *arg)
{
	struct token_revoke *r = arg;
	if (tokens_revoke(st, r->host_id, r->tid, &r->n))
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

int cmd_token_revoke(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[2];
	int np;
	struct host h;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 2, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (find_host(st, pos[0], &h))
		return 1;
	/* a whole token given instead of its id works too */
	char tid[SECRET_TID_LEN + 1];
	if (np > 1) {
		snprintf(tid, sizeof tid, "%s", pos[1]);
		if (strlen(pos[1]) != SECRET_TID_LEN && !secret_token_wellformed(pos[1]))
			return cmd_fail("'%s' is not a token id", pos[1]);
	}
	struct token_revoke r = { h.id, np > 1 ? tid : NULL, 0 };
	int rc = in_txn(st, do_token_revoke, &r);
	if (rc)
		return rc;
	if (np > 1 && r.n == 0)
		return cmd_fail("no token %s for %s", tid, pos[0]);
	fprintf(stderr, "%u token%s revoked\n", r.n, r.n == 1 ? "" : "s");
	return 0;
}

static int token_row(void *ctx, const struct token_info *t)
{
	char created[32], used[32];
	(void)ctx;
	when(t->created, created, sizeof created);
	when(t->last_used, used, sizeof used);
	printf("%-8s %-16s %-20s %-20s %s\n", t->tid, t->user, created, used,
	       t->hosts ? t->hosts : "-");
	return 0;
}

int cmd_token_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	struct host h = { 0 };
	if (cmd_parse(ctx, argc, argv, NULL, pos, 0, 1, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (np && find_host(st, pos[0], &h))
		return 1;
	printf("%-8s %-16s %-20s %-20s %s\n", "TOKEN-ID", "USER", "CREATED", "LAST-USED", "HOSTS");
	return tokens_list(st, h.id, token_row, NULL) ? cmd_fail("store: %s", store_errmsg(st)) : 0;
}
