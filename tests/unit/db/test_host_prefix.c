/* Unit tests for the prefix hosts of src/db/host.c: host_follow's checks,
 * host_prefix_check, host_prefix_apply moving followers (prefer prefix and
 * own), host_apply keeping a derived AAAA, and a deleted router. */
#include <arpa/inet.h>

#include "proto/errors.h"
#include "src/db/accounts.h"
#include "src/db/host.h"
#include "src/db/zones.h"
#include "tests/unit/db/dbtest.h"

static const char *v6(const struct host *h)
{
	static char buf[INET6_ADDRSTRLEN];
	return h->addrs.has6 && inet_ntop(AF_INET6, h->addrs.v6, buf, sizeof buf) ? buf : "-";
}

static int count_cb(void *ctx, const struct host *h)
{
	(void)h;
	(*(unsigned *)ctx)++;
	return 0;
}

static struct host reread(store_t *st, const struct host *h)
{
	struct host out;
	memset(&out, 0, sizeof out);
	host_find(st, h->name, &out);
	return out;
}

int main(void)
{
	char db[128], err[256] = "";
	store_t *st = NULL;
	int64_t zid = 0, alice = 0, bob = 0;
	tmpdb_path("db-host-prefix", db, sizeof db);
	ok(store_open(db, &st, err, sizeof err) == 0, "a store (%s)", err);
	if (!st)
		return tap_done();
	uint8_t apex[DNAME_MAX], ns[DNAME_MAX], nr[DNAME_MAX], nn[DNAME_MAX], nt[DNAME_MAX],
		nb[DNAME_MAX];
	struct zsoa soa;
	struct host r, nas, tv, b;
	store_zone_soa_defaults(&soa, dbt_name("dyn.test", apex), dbt_name("ns.test", ns), 60, 1);
	int rc = store_begin(st);
	rc = rc ? rc : store_zone_add(st, apex, &soa, 60, &zid);
	rc = rc ? rc : accounts_add(st, "alice", "$x", false, &alice);
	rc = rc ? rc : accounts_add(st, "bob", "$x", false, &bob);
	rc = rc ? rc : host_add(st, dbt_name("router.dyn.test", nr), alice, 0, &r);
	rc = rc ? rc : host_add(st, dbt_name("nas.dyn.test", nn), alice, 0, &nas);
	rc = rc ? rc : host_add(st, dbt_name("tv.dyn.test", nt), alice, 0, &tv);
	rc = rc ? rc : host_add(st, dbt_name("b.dyn.test", nb), bob, 0, &b);
	is_int(rc, 0, "a router and three hosts");

	const char *why = NULL;
	struct host_follow f = { .set_router = true, .router = nr, .prefer = -1 };
	is_int(host_follow(st, &nas, &f, 100, &why), DZ_EINVAL, "no iid: refused");
	ok(why && strstr(why, "interface identifier"), "saying so");
	f.set_iid = true;
	inet_pton(AF_INET6, "::11:22ff:fe33:4455", f.iid);
	is_int(host_follow(st, &b, &f, 100, &why), DZ_EINVAL, "another user's router: refused");
	is_int(host_follow(st, &r, &f, 100, &why), DZ_EINVAL, "itself: refused");
	is_int(host_follow(st, &nas, &f, 100, &why), 0, "nas follows router");
	ok(nas.prefix_of == r.id && nas.prefix_len == 64 && !nas.prefer_own, "/64, prefer prefix");
	is_str(v6(&nas), "-", "no address while the router has no prefix");
	struct host_follow chain = f;
	chain.router = nn;
	is_int(host_follow(st, &tv, &chain, 100, &why), DZ_EINVAL, "following a follower: refused");
	r = reread(st, &r);
	is_int(host_follow(st, &r, &chain, 100, &why), DZ_EINVAL, "a router following: refused");
	struct host_follow own = f;
	inet_pton(AF_INET6, "::5", own.iid);
	own.prefer = 1;
	is_int(host_follow(st, &tv, &own, 100, &why), 0, "tv follows, prefer own");
	r = reread(st, &r);
	is_int(r.nfollowers, 2, "the router has two followers");

	unsigned need = 0;
	is_int(host_prefix_check(st, &r, 56, &need), DZ_EINVAL, "a /56 does not fit");
	is_int(need, 64, "the followers need /64");
	is_int(host_prefix_check(st, &r, 64, &need), 0, "a /64 does");
	uint8_t p[16];
	inet_pton(AF_INET6, "2001:db8:1:2::", p);
	bool changed = false;
	unsigned moved = 0;
	is_int(host_prefix_apply(st, &r, p, 64, 200, &changed, count_cb, &moved), 0, "a prefix");
	ok(changed && moved == 2, "both followers moved (%u)", moved);
	nas = reread(st, &nas);
	tv = reread(st, &tv);
	is_str(v6(&nas), "2001:db8:1:2:11:22ff:fe33:4455", "prefix | iid");
	is_str(v6(&tv), "2001:db8:1:2::5", "the prefer-own host had none: it gets one");
	is_int(dbt_one(st, "SELECT count(*) FROM records WHERE type = 28"), 2, "two AAAA records");
	moved = 0;
	is_int(host_prefix_apply(st, &r, p, 64, 300, &changed, count_cb, &moved), 0, "the same prefix");
	ok(!changed && moved == 0, "nothing written");

	/* own updates: prefer prefix keeps the derived AAAA, own takes it */
	struct host_change c = { .set_addrs = true, .offline = -1 };
	c.addrs.has6 = true;
	inet_pton(AF_INET6, "2001:db8:1:2::99", c.addrs.v6);
	is_int(host_apply(st, &nas, &c, 400, &changed), 0, "nas's own update");
	is_str(v6(&nas), "2001:db8:1:2:11:22ff:fe33:4455", "prefer prefix: the derived AAAA stays");
	is_int(host_apply(st, &tv, &c, 400, &changed), 0, "tv's own update");
	is_str(v6(&tv), "2001:db8:1:2::99", "prefer own: its own address");
	r = reread(st, &r);
	inet_pton(AF_INET6, "2001:db8:9:8::", p);
	moved = 0;
	is_int(host_prefix_apply(st, &r, p, 64, 500, &changed, count_cb, &moved), 0, "a new prefix");
	nas = reread(st, &nas);
	tv = reread(st, &tv);
	is_str(v6(&nas), "2001:db8:9:8:11:22ff:fe33:4455", "the derived follower moved");
	is_str(v6(&tv), "2001:db8:1:2::99", "the own address did not");
	is_int(moved, 1, "one follower reported");

	struct host_follow len = { .prefix_len = 60, .prefer = -1 };
	is_int(host_follow(st, &nas, &len, 600, &why), DZ_EINVAL, "a length the prefix lacks: refused");
	is_int(host_del(st, &r), 0, "the router deleted");
	nas = reread(st, &nas);
	ok(nas.prefix_of == 0 && !nas.router[0], "its follower lost the link");
	is_str(v6(&nas), "2001:db8:9:8:11:22ff:fe33:4455", "and kept its address");
	is_int(store_commit(st), 0, "committed");
	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
