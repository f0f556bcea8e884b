/* Dashboard sessions, CSRF tokens, invite codes and the log-in slow-down. */
#include "src/api/session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"

/* Step a statement that returns no rows: 0 or DZ_EDB. */
static int run(sqlite3_stmt *s)
{
	int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
	if (s)
		sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : DZ_EDB;
}

int session_expire(store_t *st, int64_t now)
{
	sqlite3_stmt *s = store_stmt(st, "DELETE FROM sessions WHERE expires <= ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, now);
	return run(s) ? DZ_EDB : 0;
}

int session_create(store_t *st, int64_t user_id, int64_t now, int64_t lifetime,
                   char id[SESSION_ID_LEN + 1], struct session *out)
{
	char csrf[AUTH_TOKEN_LEN + 1];
	uint8_t unused[AUTH_HASH_LEN];
	sqlite3_stmt *s;

	memset(out, 0, sizeof *out);
	if (auth_token_make(id, out->key) || auth_token_make(csrf, unused))
		return DZ_EIO;
	if (store_begin(st))
		return DZ_EDB;
	if (session_expire(st, now))
		goto fail;
	/* cap the sessions of one user: the oldest go */
	s = store_stmt(st, "DELETE FROM sessions WHERE user_id = ?1 AND key NOT IN "
	                   "(SELECT key FROM sessions WHERE user_id = ?1 "
	                   "ORDER BY created DESC LIMIT ?2)");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int(s, 2, SESSION_PER_USER - 1);
	if (run(s))
		goto fail;
	s = store_stmt(st, "INSERT INTO sessions(key, user_id, csrf, created, expires, extended) "
	                   "VALUES(?1, ?2, ?3, ?4, ?5, ?4)");
	if (!s)
		goto fail;
	sqlite3_bind_blob(s, 1, out->key, AUTH_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_text(s, 3, csrf, AUTH_TOKEN_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, now + lifetime);
	if (run(s) || store_commit(st))
		goto fail;
	out->user_id = user_id;
	memcpy(out->csrf, csrf, sizeof out->csrf);
	out->created = now;
	out->expires = now + lifetime;
	if (auth_user_name(st, user_id, out->user) ||
	    auth_user_find(st, out->user, &out->user_id, &out->admin))
		return DZ_EDB;
	return 0;
fail:
	store_rollback(st);
	explicit_bzero(id, SESSION_ID_LEN + 1);
	return DZ_EDB;
}

int session_find(store_t *st, const char *id, int64_t now, int64_t lifetime,
                 struct session *out)
{
	int64_t extended;
	int rc;

	memset(out, 0, sizeof *out);
	if (!auth_token_wellformed(id))
		return DZ_ENOENT;
	auth_token_hash(id, SESSION_ID_LEN, out->key);
	sqlite3_stmt *s = store_stmt(st,
		"SELECT s.user_id, s.csrf, s.created, s.expires, s.extended, u.name, u.admin "
		"FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.key = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 1, out->key, AUTH_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? DZ_ENOENT : DZ_EDB;
	}
	out->user_id = sqlite3_column_int64(s, 0);
	const unsigned char *csrf = sqlite3_column_text(s, 1);
	const unsigned char *name = sqlite3_column_text(s, 5);
	snprintf(out->csrf, sizeof out->csrf, "%s", csrf ? (const char *)csrf : "");
	out->created = sqlite3_column_int64(s, 2);
	out->expires = sqlite3_column_int64(s, 3);
	extended = sqlite3_column_int64(s, 4);
	snprintf(out->user, sizeof out->user, "%s", name ? (const char *)name : "");
	out->admin = sqlite3_column_int(s, 6) != 0;
	sqlite3_reset(s);

	if (out->expires <= now) {
		session_end(st, out);
		return DZ_EAUTH;
	}
	/* slide, but write at most every SESSION_REFRESH_S (or a tenth of a
	 * short lifetime): a polling page must not cost a commit per poll */
	int64_t every = lifetime / 10 < SESSION_REFRESH_S ? lifetime / 10 : SESSION_REFRESH_S;
	if (now - extended >= every && now + lifetime > out->expires) {
		s = store_stmt(st, "UPDATE sessions SET expires = ?2, extended = ?3 WHERE key = ?1");
		if (!s)
			return DZ_EDB;
		sqlite3_bind_blob(s, 1, out->key, AUTH_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, now + lifetime);
		sqlite3_bind_int64(s, 3, now);
		if (run(s))
			return DZ_EDB;
		out->expires = now + lifetime;
		out->extended = true;
	}
	return 0;
}

int session_end(store_t *st, const struct session *s)
{
	sqlite3_stmt *q = store_stmt(st, "DELETE FROM sessions WHERE key = ?1");
	if (!q)
		return DZ_EDB;
	sqlite3_bind_blob(q, 1, s->key, AUTH_HASH_LEN, SQLITE_STATIC);
	return run(q);
}

bool session_csrf_ok(const struct session *s, const char *header)
{
	uint8_t a[AUTH_HASH_LEN], b[AUTH_HASH_LEN];
	if (!header || !auth_token_wellformed(header) || !s->csrf[0])
		return false;
	/* compare hashes: equal length, constant time */
	auth_token_hash(header, strlen(header), a);
	auth_token_hash(s->csrf, strlen(s->csrf), b);
	return auth_hash_equal(a, b);
}

int session_cookie_get(const char *header, char id[SESSION_ID_LEN + 1])
{
	static const char name[] = SESSION_COOKIE "=";
	const char *p = header;
	if (!p)
		return DZ_ENOENT;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > sizeof name - 1 && memcmp(p, name, sizeof name - 1) == 0) {
			const char *v = p + sizeof name - 1;
			size_t vl = n - (sizeof name - 1);
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (vl == SESSION_ID_LEN) {
				memcpy(id, v, vl);
				id[vl] = 0;
				if (auth_token_wellformed(id))
					return 0;
			}
			/* a malformed one: look on, a later one may be ours */
		}
		p += n;
	}
	id[0] = 0;
	return DZ_ENOENT;
}

int session_cookie_set(char *out, size_t cap, const char *id, int64_t max_age,
                       bool secure)
{
	int n = snprintf(out, cap, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
	                 SESSION_COOKIE, id ? id : "", id ? (long long)max_age : 0LL,
	                 secure ? "; Secure" : "");
	return n < 0 || (size_t)n >= cap ? DZ_ESPACE : 0;
}

/* An argon2id hash of nothing anyone knows, checked against for unknown
 * users so that their answer takes as long as a wrong password's. */
static char dummy_hash[AUTH_PW_ENCODED];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	uint8_t unused[AUTH_HASH_LEN];
	char pw[AUTH_TOKEN_LEN + 1];
	if (auth_token_make(pw, unused) || auth_password_hash(pw, dummy_hash))
		dummy_hash[0] = 0;
	explicit_bzero(pw, sizeof pw);
}

int session_password_check(store_t *st, const char *user, const char *pw,
                           int64_t *user_id, bool *admin)
{
	char encoded[AUTH_PW_ENCODED] = "";
	bool found = false;

	pthread_once(&dummy_once, dummy_init);
	sqlite3_stmt *s = store_stmt(st, "SELECT id, admin, password FROM users WHERE name = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_text(s, 2);
		*user_id = sqlite3_column_int64(s, 0);
		*admin = sqlite3_column_int(s, 1) != 0;
		if (p && strlen((const char *)p) < sizeof encoded) {
			memcpy(encoded, p, strlen((const char *)p) + 1);
			found = true;
		}
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return DZ_EDB;
	bool ok = auth_password_check(found ? encoded : dummy_hash, pw);
	explicit_bzero(encoded, sizeof encoded);
	return found && ok ? 0 : DZ_EAUTH;
}

/* Invites ------------------------------------------------------------------ */

int session_invite_create(store_t *st, int64_t by_user, int64_t now,
                          char code[AUTH_TOKEN_LEN + 1])
{
	uint8_t hash[AUTH_HASH_LEN];
	if (auth_token_make(code, hash))
		return DZ_EIO;
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO invites(hash, created_by, created, expires) "
	                                 "VALUES(?1, ?2, ?3, ?4)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 1, hash, AUTH_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, by_user);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_int64(s, 4, now + SESSION_INVITE_DAYS * 86400LL);
	return run(s);
}

int session_invite_use(store_t *st, const char *code, int64_t user_id, int64_t now)
{
	uint8_t hash[AUTH_HASH_LEN];
	if (!code || !auth_token_wellformed(code))
		return DZ_EAUTH;
	auth_token_hash(code, AUTH_TOKEN_LEN, hash);
	/* found by its hash: the lookup is on a value the client cannot aim */
	sqlite3_stmt *s = store_stmt(st, "UPDATE invites SET used_by = ?2, used = ?3 "
	                                 "WHERE hash = ?1 AND used IS NULL AND expires > ?3");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_blob(s, 1, hash, AUTH_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	if (run(s))
		return DZ_EDB;
	return sqlite3_changes(store_db(st)) == 1 ? 0 : DZ_EAUTH;
}

/* Log-in slow-down ------------------------------------------------------------ */

struct session_throttle {
	failures_t *account, *addr;
};

session_throttle_t *session_throttle_new(unsigned slots)
{
	session_throttle_t *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->account = failures_new(slots);
	t->addr = failures_new(slots);
	if (!t->account || !t->addr) {
		session_throttle_free(t);
		return NULL;
	}
	return t;
}

void session_throttle_free(session_throttle_t *t)
{
	if (!t)
		return;
	failures_free(t->account);
	failures_free(t->addr);
	free(t);
}

/* An account's key: the start of the name's SHA-256 (the table keeps 16
 * bytes at most), so any name length fits and names never collide in
 * practice. */
#define ACCOUNT_KEY 16
static void account_key(const char *user, uint8_t key[ACCOUNT_KEY])
{
	uint8_t h[AUTH_HASH_LEN];
	auth_token_hash(user, strnlen(user, 1024), h);
	memcpy(key, h, ACCOUNT_KEY);
}

unsigned session_throttle_delay(session_throttle_t *t, const char *user,
                                const struct sockaddr *client, uint64_t now_ms)
{
	uint8_t ak[ACCOUNT_KEY], ck[9];
	account_key(user, ak);
	size_t cl = limit_addr_key(client, ck);
	unsigned a = failures_delay(t->account, ak, sizeof ak, now_ms);
	unsigned c = failures_delay(t->addr, ck, cl, now_ms);
	return a > c ? a : c;
}

void session_throttle_fail(session_throttle_t *t, const char *user,
                           const struct sockaddr *client, uint64_t now_ms)
{
	uint8_t ak[ACCOUNT_KEY], ck[9];
	account_key(user, ak);
	size_t cl = limit_addr_key(client, ck);
	failures_note(t->account, ak, sizeof ak, now_ms);
	failures_note(t->addr, ck, cl, now_ms);
}
