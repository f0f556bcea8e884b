/* Unit tests for src/db/tokens.c: create, check, covers, touch, revoke,
 * list. */
#include "proto/errors.h"
#include "src/db/accounts.h"
#include "src/db/host.h"
#include "src/db/tokens.h"
#include "src/db/zones.h"
#include "tests/unit/db/dbtest.h"

static int tok_cb(void *ctx, const struct token_info *t)
{
	char *out = ctx;
	size_t n = strlen(out);
	snprintf(out + n, 512 - n, "%.8s:%s:%s;", t->tid, t->user, t->hosts ? t->hosts : "-");
	return 0;
}

int main(void)
{
	char db[128], err[256] = "", tok[SECRET_TOKEN_LEN + 1], tok2[SECRET_TOKEN_LEN + 1];
	char buf[512], want[512];
	store_t *st = NULL;
	int64_t uid = 0, zid = 0, tid = 0, owner = 0, used = -1;
	tmpdb_path("db-tokens", db, sizeof db);
	int open_rc = store_open(db, &st, err, sizeof err);
	ok(open_rc == 0, "a store (%s)", err);
	if (!st)
		return tap_done();
	uint8_t a[DNAME_MAX], ns[DNAME_MAX], n1[DNAME_MAX], n2[DNAME_MAX];
	struct zsoa soa;
	struct host h1, h2;
	store_zone_soa_defaults(&soa, dbt_name("dyn.test", a), dbt_name("ns.test", ns), 60, 1);
	int rc = store_begin(st);
	rc = rc ? rc : store_zone_add(st, a, &soa, 60, &zid);
	rc = rc ? rc : accounts_add(st, "alice", "$x", false, &uid);
	rc = rc ? rc : host_add(st, dbt_name("h1.dyn.test", n1), uid, 0, &h1);
	rc = rc ? rc : host_add(st, dbt_name("h2.dyn.test", n2), uid, 0, &h2);
	rc = rc ? rc : tokens_create(st, uid, &h1.id, 1, tok);
	int64_t both[2] = { h1.id, h2.id };
	rc = rc ? rc : tokens_create(st, uid, both, 2, tok2);
	is_int(rc ? rc : store_commit(st), 0, "a user, two hosts, two tokens");
	ok(secret_token_wellformed(tok), "a well-formed token");
	is_int(dbt_one(st, "SELECT count(*) FROM tokens WHERE length(hash) = 32"), 2,
	       "stored as hashes");
	is_int(tokens_check(st, tok, &tid, &owner, &used), 0, "the token checks");
	ok(owner == uid && used == 0, "alice's, never used");
	ok(tokens_covers(st, tid, h1.id) && !tokens_covers(st, tid, h2.id),
	   "it covers h1, not h2");
	char bad[SECRET_TOKEN_LEN + 1];
	memcpy(bad, tok, sizeof bad);
	bad[SECRET_TOKEN_LEN - 1] = bad[SECRET_TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	is_int(tokens_check(st, bad, &tid, &owner, &used), DZ_EAUTH, "a wrong secret");
	is_int(tokens_check(st, "short", &tid, &owner, &used), DZ_EAUTH, "a malformed token");

	is_int(tokens_touch(st, tid, 0, 5000), 0, "touch");
	tokens_check(st, tok, &tid, &owner, &used);
	is_int(used, 5000, "last use noted");
	is_int(tokens_touch(st, tid, 5000, 5000 + TOKENS_TOUCH_S - 1), 0, "touch again soon");
	tokens_check(st, tok, &tid, &owner, &used);
	is_int(used, 5000, "not written within a minute");

	buf[0] = 0;
	is_int(tokens_list(st, 0, tok_cb, buf), 0, "every token");
	snprintf(want, sizeof want, "%.8s:alice:h1.dyn.test.;%.8s:alice:h1.dyn.test.,h2.dyn.test.;",
	         tok, tok2);
	is_str(buf, want, "oldest first, with owner and hosts");
	buf[0] = 0;
	is_int(tokens_list(st, h2.id, tok_cb, buf), 0, "the tokens of h2");
	snprintf(want, sizeof want, "%.8s:alice:h1.dyn.test.,h2.dyn.test.;", tok2);
	is_str(buf, want, "only the one covering h2");

	unsigned n = 9;
	char tidtext[SECRET_TID_LEN + 1];
	memcpy(tidtext, tok2, SECRET_TID_LEN);
	tidtext[SECRET_TID_LEN] = 0;
	is_int(tokens_revoke(st, h2.id, tidtext, &n), 0, "revoke by id");
	is_int(n, 1, "one revoked");
	is_int(tokens_revoke(st, h1.id, NULL, &n), 0, "revoke all of h1's");
	is_int(n, 1, "the other one");
	is_int(tokens_check(st, tok, &tid, &owner, &used), DZ_EAUTH, "a revoked token fails");
	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
