/* Unit tests for src/db/sessions.c: add (with expiry and per-user
 * pruning), get, extend, del. */
#include "proto/errors.h"
#include "src/db/accounts.h"
#include "src/db/sessions.h"
#include "tests/unit/db/dbtest.h"

static void key(uint8_t k[SECRET_HASH_LEN], int i)
{
	memset(k, i, SECRET_HASH_LEN);
}

int main(void)
{
	char db[128], err[256] = "";
	const char csrf[SECRET_TOKEN_LEN + 1] = "cccccccccccccccccccccccccccccccc";
	store_t *st = NULL;
	int64_t uid = 0;
	uint8_t k[SECRET_HASH_LEN];
	struct sessions_row r;
	tmpdb_path("db-sessions", db, sizeof db);
	int open_rc = store_open(db, &st, err, sizeof err);
	ok(open_rc == 0, "a store (%s)", err);
	if (!st)
		return tap_done();
	is_int(accounts_add(st, "alice", "$x", true, &uid), 0, "a user");
	key(k, 1);
	is_int(sessions_add(st, k, uid, csrf, 1000, 2000, 3), 0, "a session");
	is_int(sessions_get(st, k, &r), 0, "found by its key");
	ok(r.user_id == uid && r.admin && strcmp(r.user, "alice") == 0, "with its user");
	ok(strcmp(r.csrf, csrf) == 0 && r.created == 1000 && r.expires == 2000 &&
	   r.extended == 1000, "its CSRF token and times");
	is_int(sessions_extend(st, k, 3000, 1500), 0, "extend");
	sessions_get(st, k, &r);
	ok(r.expires == 3000 && r.extended == 1500, "moved");
	key(k, 2);
	is_int(sessions_get(st, k, &r), DZ_ENOENT, "an unknown key");
	for (int i = 2; i <= 4; i++) {
		key(k, i);
		sessions_add(st, k, uid, csrf, 1000 + i, 9000, 3);
	}
	is_int(dbt_one(st, "SELECT count(*) FROM sessions"), 3, "at most 3 per user");
	key(k, 1);
	is_int(sessions_get(st, k, &r), DZ_ENOENT, "the oldest went");
	key(k, 5);
	sessions_add(st, k, uid, csrf, 9500, 20000, 10);
	is_int(dbt_one(st, "SELECT count(*) FROM sessions"), 1, "expired ones go on add");
	is_int(sessions_del(st, k), 0, "delete");
	is_int(sessions_get(st, k, &r), DZ_ENOENT, "gone");
	for (int i = 6; i <= 8; i++) {
		key(k, i);
		sessions_add(st, k, uid, csrf, 9600, 20000, 10);
	}
	key(k, 7);
	is_int(sessions_del_user(st, uid, k), 0, "end the user's sessions but one");
	is_int(dbt_one(st, "SELECT count(*) FROM sessions"), 1, "one left");
	is_int(sessions_get(st, k, &r), 0, "the one kept");
	is_int(sessions_del_user(st, uid, NULL), 0, "end them all");
	is_int(dbt_one(st, "SELECT count(*) FROM sessions"), 0, "none left");
	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
