/* Unit tests for src/db/accounts.c (users, zone grants, invites) and the
 * one password policy (src/common/secret.c). */
#include "proto/errors.h"
#include "src/db/accounts.h"
#include "src/db/zones.h"
#include "tests/unit/db/dbtest.h"

static int user_cb(void *ctx, const struct account_info *a)
{
	char *out = ctx;
	size_t n = strlen(out);
	snprintf(out + n, 256 - n, "%s:%d:%u:%s;", a->name, a->admin, a->nhosts,
	         a->zones ? a->zones : "-");
	return 0;
}

static int zone_cb(void *ctx, const char *zone)
{
	char *out = ctx;
	size_t n = strlen(out);
	snprintf(out + n, 256 - n, "%s;", zone);
	return 0;
}

static void test_policy(void)
{
	char big[SECRET_PW_MAX + 2];
	is_int(secret_password_ok("123456789"), DZ_EINVAL, "9 characters are too few");
	is_int(secret_password_ok("1234567890"), 0, "10 are enough");
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	is_int(secret_password_ok(big), DZ_EINVAL, "over SECRET_PW_MAX is refused");
	big[SECRET_PW_MAX] = 0;
	is_int(secret_password_ok(big), 0, "SECRET_PW_MAX is allowed");
}

int main(void)
{
	char db[128], err[256] = "", buf[256], enc[SECRET_PW_ENCODED];
	store_t *st = NULL;
	int64_t alice = 0, bob = 0, id;
	bool admin = true;
	test_policy();
	tmpdb_path("db-accounts", db, sizeof db);
	int open_rc = store_open(db, &st, err, sizeof err);
	ok(open_rc == 0, "a store (%s)", err);
	if (!st)
		return tap_done();

	is_int(accounts_add(st, "alice", "$enc-a", false, &alice), 0, "add alice");
	is_int(accounts_add(st, "bob", "$enc-b", true, &bob), 0, "add bob (admin)");
	is_int(accounts_add(st, "alice", "$x", false, NULL), DZ_EEXIST, "a taken name");
	is_int(accounts_add(st, "bad name", "$x", false, NULL), DZ_EINVAL, "a bad name");
	is_int(accounts_find(st, "bob", &id, &admin), 0, "find bob");
	ok(id == bob && admin, "his id and admin flag");
	is_int(accounts_find(st, "carol", &id, NULL), DZ_ENOENT, "an unknown user");
	is_int(accounts_name(st, alice, buf), 0, "name by id");
	is_str(buf, "alice", "alice");
	is_int(accounts_password(st, "alice", &id, &admin, enc), 0, "the password hash");
	ok(id == alice && !admin && strcmp(enc, "$enc-a") == 0, "alice's, as stored");
	is_int(accounts_add(st, "ALICE", "$x", false, NULL), DZ_EEXIST,
	       "a name that differs only in case is taken");
	is_int(accounts_find(st, "Alice", &id, NULL), 0, "a name is found in any case");
	ok(id == alice, "alice's id");
	is_int(accounts_set_password(st, alice, "$enc-a2"), 0, "a new password hash");
	is_int(accounts_password(st, "aLiCe", &id, &admin, enc), 0, "read back in any case");
	is_str(enc, "$enc-a2", "the new hash");
	is_int(accounts_set_password(st, 9999, "$x"), DZ_ENOENT, "no such user");
	is_int(accounts_password(st, "carol", &id, &admin, enc), DZ_ENOENT, "none for nobody");

	/* grants */
	uint8_t a[DNAME_MAX], ns[DNAME_MAX];
	struct zsoa soa;
	int64_t z1 = 0, z2 = 0;
	store_zone_soa_defaults(&soa, dbt_name("one.test", a), dbt_name("ns.test", ns), 60, 1);
	int rc = store_begin(st);
	rc = rc ? rc : store_zone_add(st, a, &soa, 60, &z1);
	store_zone_soa_defaults(&soa, dbt_name("two.test", a), ns, 60, 1);
	rc = rc ? rc : store_zone_add(st, a, &soa, 60, &z2);
	is_int(rc ? rc : store_commit(st), 0, "two zones");
	unsigned max = 99;
	is_int(accounts_access(st, alice, z1, &max), DZ_ENOENT, "no access before a grant");
	is_int(accounts_grant(st, alice, z1, 0), 0, "grant one.test, no cap");
	is_int(accounts_access(st, alice, z1, &max), 0, "access");
	is_int(max, 0, "no cap");
	is_int(accounts_grant(st, alice, z1, 3), 0, "grant it again with a cap");
	is_int(accounts_access(st, alice, z1, &max), 0, "access");
	is_int(max, 3, "the cap replaced");
	is_int(dbt_one(st, "SELECT count(*) FROM zone_access"), 1, "one grant row");
	is_int(accounts_grant(st, alice, z1, 0), 0, "a cap of 0 again");
	is_int(dbt_one(st, "SELECT count(*) FROM zone_access WHERE max_hosts IS NULL"), 1,
	       "stored as no cap (NULL)");
	is_int(accounts_grant(st, alice, z2, 5), 0, "grant two.test");
	buf[0] = 0;
	is_int(accounts_zones(st, alice, zone_cb, buf), 0, "alice's zones");
	is_str(buf, "one.test.;two.test.;", "both, by name");
	buf[0] = 0;
	is_int(accounts_list(st, user_cb, buf), 0, "user list");
	is_str(buf, "alice:0:0:one.test.,two.test.;bob:1:0:-;", "users by name with their zones");
	is_int(accounts_revoke(st, alice, z2), 0, "revoke two.test");
	is_int(accounts_revoke(st, alice, z2), DZ_ENOENT, "revoking again: no grant");
	is_int(accounts_access(st, alice, z2, &max), DZ_ENOENT, "no access after");

	/* invites */
	uint8_t h1[SECRET_HASH_LEN], h2[SECRET_HASH_LEN];
	memset(h1, 1, sizeof h1);
	memset(h2, 2, sizeof h2);
	is_int(accounts_invite_add(st, h1, bob, 1000, 2000), 0, "an invite");
	is_int(accounts_invite_add(st, h2, bob, 1000, 1500), 0, "another, shorter");
	is_int(accounts_invite_use(st, h2, alice, 1500), DZ_EAUTH, "expired");
	is_int(accounts_invite_use(st, h1, alice, 1999), 0, "used in time");
	is_int(accounts_invite_use(st, h1, alice, 1999), DZ_EAUTH, "but once");

	is_int(accounts_del(st, alice), 0, "delete alice");
	is_int(accounts_del(st, alice), DZ_ENOENT, "again: gone");
	is_int(dbt_one(st, "SELECT count(*) FROM zone_access"), 0, "her grants went along");

	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
