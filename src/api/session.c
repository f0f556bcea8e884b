/* Dashboard sessions, CSRF tokens, invite codes and the log-in slow-down. */
#include "src/api/session.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "src/db/accounts.h"
#include "src/db/sessions.h"

struct session_new {
	const struct session *s;
	const char *csrf;
	int64_t now;
};

static int add_session(store_t *st, void *arg)
{
	const struct session_new *n = arg;
	return sessions_add(st, n->s->key, n->s->user_id, n->csrf, n->now, n->s->expires,
	                    SESSION_PER_USER);
}

int session_create(store_t *st, int64_t user_id, int64_t now, int64_t lifetime,
                   char id[SESSION_ID_LEN + 1], struct session *out)
{
	char csrf[SECRET_TOKEN_LEN + 1];
	uint8_t unused[SECRET_HASH_LEN];

	memset(out, 0, sizeof *out);
	if (secret_token_make(id, out->key) || secret_token_make(csrf, unused))
		return DZ_EIO;
	out->user_id = user_id;
	out->created = now;
	out->expires = now + lifetime;
	struct session_new n = { out, csrf, now };
	if (store_txn(st, add_session, &n))
		goto fail;
	memcpy(out->csrf, csrf, sizeof out->csrf);
	if (accounts_name(st, user_id, out->user) ||
	    accounts_find(st, out->user, &out->user_id, &out->admin))
		return DZ_EDB;
	return 0;
fail:
	explicit_bzero(id, SESSION_ID_LEN + 1);
	return DZ_EDB;
}

int session_find(store_t *st, const char *id, int64_t now, int64_t lifetime,
                 struct session *out)
{
	struct sessions_row row;
	int rc;

	memset(out, 0, sizeof *out);
	if (!secret_token_wellformed(id))
		return DZ_ENOENT;
	secret_token_hash(id, SESSION_ID_LEN, out->key);
	if ((rc = sessions_get(st, out->key, &row)) != 0)
		return rc;
	out->user_id = row.user_id;
	out->admin = row.admin;
	memcpy(out->user, row.user, sizeof out->user);
	memcpy(out->csrf, row.csrf, sizeof out->csrf);
	out->created = row.created;
	out->expires = row.expires;

	if (out->expires <= now) {
		session_end(st, out);
		return DZ_EAUTH;
	}
	/* slide, but write at most every SESSION_REFRESH_S (or a tenth of a
	 * short lifetime): a polling page must not cost a commit per poll */
	int64_t every = lifetime / 10 < SESSION_REFRESH_S ? lifetime / 10 : SESSION_REFRESH_S;
	if (now - row.extended >= every && now + lifetime > out->expires) {
		if (sessions_extend(st, out->key, now + lifetime, now))
			return DZ_EDB;
		out->expires = now + lifetime;
		out->extended = true;
	}
	return 0;
}

int session_end(store_t *st, const struct session *s)
{
	return sessions_del(st, s->key);
}

bool session_csrf_ok(const struct session *s, const char *header)
{
	uint8_t a[SECRET_HASH_LEN], b[SECRET_HASH_LEN];
	if (!header || !secret_token_wellformed(header) || !s->csrf[0])
		return false;
	/* compare hashes: equal length, constant time */
	secret_token_hash(header, strlen(header), a);
	secret_token_hash(s->csrf, strlen(s->csrf), b);
	return secret_hash_equal(a, b);
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
				if (secret_token_wellformed(id))
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
static char dummy_hash[SECRET_PW_ENCODED];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	uint8_t unused[SECRET_HASH_LEN];
	char pw[SECRET_TOKEN_LEN + 1];
	if (secret_token_make(pw, unused) || secret_password_hash(pw, dummy_hash))
		dummy_hash[0] = 0;
	explicit_bzero(pw, sizeof pw);
}

int session_password_check(store_t *st, const char *user, const char *pw,
                           int64_t *user_id, bool *admin)
{
	char encoded[SECRET_PW_ENCODED] = "";
	bool found = false;

	pthread_once(&dummy_once, dummy_init);
	int rc = accounts_password(st, user, user_id, admin, encoded);
	if (rc == DZ_EDB)
		return DZ_EDB;
	found = rc == 0;
	bool ok = secret_password_check(found ? encoded : dummy_hash, pw);
	explicit_bzero(encoded, sizeof encoded);
	return found && ok ? 0 : DZ_EAUTH;
}

/* Invites ------------------------------------------------------------------ */

int session_invite_create(store_t *st, int64_t by_user, int64_t now,
                          char code[SECRET_TOKEN_LEN + 1])
{
	uint8_t hash[SECRET_HASH_LEN];
	if (secret_token_make(code, hash))
		return DZ_EIO;
	return accounts_invite_add(st, hash, by_user, now, now + SESSION_INVITE_DAYS * 86400LL);
}

int session_invite_use(store_t *st, const char *code, int64_t user_id, int64_t now)
{
	uint8_t hash[SECRET_HASH_LEN];
	if (!code || !secret_token_wellformed(code))
		return DZ_EAUTH;
	secret_token_hash(code, SECRET_TOKEN_LEN, hash);
	return accounts_invite_use(st, hash, user_id, now);
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

/* An account's key: the start of the lowercased name's SHA-256 (the
 * table keeps 16 bytes at most), so any name length fits, names never
 * collide in practice, and 'Admin' is throttled with 'admin' (names are
 * one whatever their case). */
#define ACCOUNT_KEY 16
static void account_key(const char *user, uint8_t key[ACCOUNT_KEY])
{
	uint8_t h[SECRET_HASH_LEN];
	char low[SECRET_NAME_MAX];
	size_t n = strnlen(user, sizeof low - 1);
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)user[i]);
	secret_token_hash(low, n, h);
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
