/* Unit tests for src/api/session.c: cookies, sessions (hashed, sliding, expired,
 * capped per user), CSRF tokens, passwords, invite codes, the log-in
 * slow-down. */
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>

#include "proto/errors.h"
#include "src/api/session.h"
#include "src/db/accounts.h"
#include "src/db/sql.h"
#include "tests/unit/tap.h"
#include "tests/unit/tmpdb.h"

static const char ID[] = "abcdefghijklmnopqrstuvwxyz012345";   /* 32, base64url */

static int count(store_t *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	int n = s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	if (s)
		sqlite3_reset(s);
	return n;
}

static void test_cookies(void)
{
	char id[SESSION_ID_LEN + 1], buf[SESSION_COOKIE_MAX], hdr[256];

	is_int(session_cookie_get(NULL, id), DZ_ENOENT, "no Cookie header: no session");
	snprintf(hdr, sizeof hdr, "theme=dark; dz_session=%s", ID);
	is_int(session_cookie_get(hdr, id), 0, "the cookie is found among others");
	is_str(id, ID, "with its value");
	snprintf(hdr, sizeof hdr, "dz_session=%s  ", ID);
	is_int(session_cookie_get(hdr, id), 0, "trailing blanks are dropped");
	is_int(session_cookie_get("dz_session=short", id), DZ_ENOENT, "a short value is no id");
	snprintf(hdr, sizeof hdr, "xdz_session=%s", ID);
	is_int(session_cookie_get(hdr, id), DZ_ENOENT, "a cookie whose name only ends in ours is not ours");
	snprintf(hdr, sizeof hdr, "dz_session=%.31s<; dz_session=%s", ID, ID);
	is_int(session_cookie_get(hdr, id), 0, "a malformed one first, a good one after: the good one");
	snprintf(hdr, sizeof hdr, "dz_session=%.31s\"", ID);
	is_int(session_cookie_get(hdr, id), DZ_ENOENT, "characters outside base64url are refused");

	is_int(session_cookie_set(buf, sizeof buf, ID, 600, false), 0, "Set-Cookie fits");
	is_str(buf, "dz_session=abcdefghijklmnopqrstuvwxyz012345; Path=/; Max-Age=600; "
	       "HttpOnly; SameSite=Strict", "HttpOnly, SameSite=Strict, the lifetime");
	session_cookie_set(buf, sizeof buf, ID, 600, true);
	ok(strstr(buf, "; Secure") != NULL, "Secure over TLS");
	session_cookie_set(buf, sizeof buf, NULL, 600, false);
	is_str(buf, "dz_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
	       "a cookie that clears the session");
	is_int(session_cookie_set(buf, 20, ID, 600, false), DZ_ESPACE, "a short buffer is refused");
}

static void test_sessions(store_t *st, int64_t uid)
{
	char id[SESSION_ID_LEN + 1], other[SESSION_ID_LEN + 1];
	struct session s, f;
	uint8_t h[SECRET_HASH_LEN];
	int64_t now = 1700000000;

	is_int(session_create(st, uid, now, 1000, id, &s), 0, "a session is created");
	ok(secret_token_wellformed(id), "its id is 32 characters of base64url");
	is_str(s.user, "alice", "for the user");
	ok(secret_token_wellformed(s.csrf), "with a CSRF token of its own");
	secret_token_hash(id, SESSION_ID_LEN, h);
	is_mem(s.key, SECRET_HASH_LEN, h, SECRET_HASH_LEN, "the key kept is the id's SHA-256");
	is_int(count(st, "SELECT count(*) FROM sessions WHERE key = (SELECT key FROM sessions) "
	             "AND length(key) = 32"), 1, "the store has the hash, not the id");

	is_int(session_find(st, id, now + 10, 1000, &f), 0, "the session is found by its id");
	ok(f.user_id == uid && strcmp(f.csrf, s.csrf) == 0 && !f.admin, "with its user and CSRF token");
	ok(!f.extended, "a use within a minute does not write");
	is_int(session_find(st, id, now + 100, 1000, &f), 0, "found later");
	ok(f.extended && f.expires == now + 1100, "and its expiry slides");
	is_int(session_find(st, id, now + 1099, 1000, &f), 0, "still valid just before the slid expiry");
	is_int(session_find(st, id, now + 2100, 1000, &f), DZ_EAUTH, "expired once unused for the lifetime");
	is_int(session_find(st, id, now + 2100, 1000, &f), DZ_ENOENT, "and its row is gone");
	memcpy(other, ID, sizeof other);
	is_int(session_find(st, other, now, 1000, &f), DZ_ENOENT, "an unknown id: not found");
	is_int(session_find(st, "x", now, 1000, &f), DZ_ENOENT, "a malformed id: not found");

	ok(session_csrf_ok(&s, s.csrf), "the session's CSRF token is accepted");
	ok(!session_csrf_ok(&s, NULL), "no token is refused");
	ok(!session_csrf_ok(&s, ID), "another token is refused");
	ok(!session_csrf_ok(&s, "short"), "a short one is refused");

	is_int(session_create(st, uid, now, 1000, id, &s), 0, "a new session");
	is_int(session_end(st, &s), 0, "is ended");
	is_int(session_find(st, id, now, 1000, &f), DZ_ENOENT, "and gone");

	for (int i = 0; i < SESSION_PER_USER + 5; i++)
		session_create(st, uid, now + i, 1000, id, &s);
	is_int(count(st, "SELECT count(*) FROM sessions"), SESSION_PER_USER,
	       "a user keeps at most SESSION_PER_USER sessions");
	is_int(session_find(st, id, now + 30, 1000, &f), 0, "the newest is kept");
	session_create(st, uid, now + 5000, 1000, id, &s);
	is_int(count(st, "SELECT count(*) FROM sessions"), 1, "expired ones go when a session starts");
}

static void test_passwords_invites(store_t *st, int64_t uid)
{
	char code[SECRET_TOKEN_LEN + 1];
	int64_t id = 0, newu;
	bool admin = true;

	is_int(session_password_check(st, "alice", "correct horse", &id, &admin), 0, "the right password");
	ok(id == uid && !admin, "gives the user");
	is_int(session_password_check(st, "alice", "wrong horse", &id, &admin), DZ_EAUTH, "a wrong one is refused");
	is_int(session_password_check(st, "nobody", "correct horse", &id, &admin), DZ_EAUTH,
	       "an unknown user is refused the same way");

	is_int(session_invite_create(st, uid, 1000, code), 0, "an invite code is made");
	ok(secret_token_wellformed(code), "random, 32 characters");
	is_int(count(st, "SELECT count(*) FROM invites WHERE length(hash) = 32"), 1, "stored as a hash");
	is_int(accounts_add(st, "bob", "x", false, &newu), 0, "(a user to use it)");
	is_int(session_invite_use(st, code, newu, 2000), 0, "the code is used once");
	is_int(session_invite_use(st, code, newu, 2001), DZ_EAUTH, "not twice");
	session_invite_create(st, uid, 1000, code);
	is_int(session_invite_use(st, code, newu, 1000 + SESSION_INVITE_DAYS * 86400LL), DZ_EAUTH,
	       "nor after it expired");
	is_int(session_invite_use(st, ID, newu, 2000), DZ_EAUTH, "an unknown code is refused");
	is_int(session_invite_use(st, "short", newu, 2000), DZ_EAUTH, "a malformed one too");
	is_int(session_invite_use(st, NULL, newu, 2000), DZ_EAUTH, "and none");
}

static void test_throttle(void)
{
	session_throttle_t *t = session_throttle_new(256);
	struct sockaddr_in a = { .sin_family = AF_INET }, b = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(0xc0000201);
	b.sin_addr.s_addr = htonl(0xc6336401);
	const struct sockaddr *sa = (const struct sockaddr *)&a, *sb = (const struct sockaddr *)&b;
	uint64_t now = 1000000;

	ok(t != NULL, "a throttle is made");
	for (int i = 0; i < LIMIT_FAIL_FREE - 1; i++)
		session_throttle_fail(t, "alice", sa, now);
	is_int(session_throttle_delay(t, "alice", sa, now), 0, "a few failures cost nothing");
	session_throttle_fail(t, "alice", sa, now);
	is_int(session_throttle_delay(t, "alice", sa, now), 250, "then a log-in is held 250 ms");
	session_throttle_fail(t, "alice", sa, now);
	is_int(session_throttle_delay(t, "alice", sa, now), 500, "doubling with each failure");
	is_int(session_throttle_delay(t, "alice", sb, now), 500, "for the account from anywhere");
	is_int(session_throttle_delay(t, "carol", sa, now), 500, "and for any account from the address");
	is_int(session_throttle_delay(t, "carol", sb, now), 0, "others are not slowed");
	for (int i = 0; i < 20; i++)
		session_throttle_fail(t, "alice", sa, now);
	is_int(session_throttle_delay(t, "alice", sa, now), LIMIT_FAIL_MAX_DELAY_MS, "up to a cap");
	ok(session_throttle_delay(t, "alice", sa, now + 3600 * 1000) < LIMIT_FAIL_MAX_DELAY_MS,
	   "failures are forgotten over time");
	session_throttle_free(t);
}

int main(void)
{
	char db[128], err[256] = "", enc[SECRET_PW_ENCODED];
	store_t *st = NULL;
	int64_t uid = 0;

	test_cookies();
	test_throttle();
	tmpdb_path("session", db, sizeof db);
	int orc = store_open(db, &st, err, sizeof err);
	ok(orc == 0, "a store for the session tests");
	if (st) {
		int rc = secret_password_hash("correct horse", enc);
		if (!rc)
			rc = accounts_add(st, "alice", enc, false, &uid);
		is_int(rc, 0, "a user");
		test_sessions(st, uid);
		test_passwords_invites(st, uid);
		store_close(st);
	}
	tmpdb_remove(db);
	return tap_done();
}
