/* Update tokens, passwords and user accounts. */
#include "src/db/auth.h"

#include <argon2.h>
#include <errno.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/sha256.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "proto/errors.h"
#include "src/common/rand.h"

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url of 3*k bytes: exactly 4*k characters, no padding. */
static void b64url_encode(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64url[v >> 18 & 63];
		*out++ = b64url[v >> 12 & 63];
		*out++ = b64url[v >> 6 & 63];
		*out++ = b64url[v & 63];
	}
	*out = 0;
}

void auth_token_hash(const char *token, size_t len, uint8_t hash[AUTH_HASH_LEN])
{
	mbedtls_sha256_ret((const unsigned char *)token, len, hash, 0);
}

int auth_token_make(char token[AUTH_TOKEN_LEN + 1], uint8_t hash[AUTH_HASH_LEN])
{
	uint8_t raw[AUTH_TOKEN_LEN / 4 * 3];
	if (rand_bytes(raw, sizeof raw))
		return DZ_EIO;
	b64url_encode(raw, sizeof raw, token);
	explicit_bzero(raw, sizeof raw);
	auth_token_hash(token, AUTH_TOKEN_LEN, hash);
	return 0;
}

bool auth_token_wellformed(const char *text)
{
	size_t n = strnlen(text, AUTH_TOKEN_LEN + 1);
	if (n != AUTH_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!memchr(b64url, text[i], sizeof b64url - 1))
			return false;
	return true;
}

bool auth_hash_equal(const uint8_t *a, const uint8_t *b)
{
	return mbedtls_ct_memcmp(a, b, AUTH_HASH_LEN) == 0;
}

int auth_sql_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	return (rc & 0xff) == SQLITE_CONSTRAINT ? DZ_EEXIST : DZ_EDB;
}

int auth_token_create(store_t *st, int64_t user_id, const int64_t *hosts,
                      size_t n, char token[AUTH_TOKEN_LEN + 1])
{
	uint8_t hash[AUTH_HASH_LEN];
	int rc = DZ_EEXIST;
	int64_t id = 0;
	/* a clash of 48-bit public ids is unlikely; try again if it happens */
	for (int attempt = 0; attempt < 4 && rc == DZ_EEXIST; attempt++) {
		if (auth_token_make(token, hash))
			return DZ_EIO;
		sqlite3_stmt *s = store_stmt(st,
			"INSERT INTO tokens(tid, hash, user_id, created) VALUES(?1, ?2, ?3, ?4)");
		if (!s)
			return DZ_EDB;
		sqlite3_bind_text(s, 1, token, AUTH_TID_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_blob(s, 2, hash, AUTH_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, user_id);
		sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
		rc = auth_sql_done(s);
		if (!rc)
			id = sqlite3_last_insert_rowid(store_db(st));
	}
	if (rc)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *s = store_stmt(st,
			"INSERT OR IGNORE INTO token_hosts(token_id, host_id) VALUES(?1, ?2)");
		if (!s) {
			rc = DZ_EDB;
			goto fail;
		}
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, hosts[i]);
		if ((rc = auth_sql_done(s)) != 0)
			goto fail;
	}
	return 0;
fail:
	explicit_bzero(token, AUTH_TOKEN_LEN + 1);
	return rc == DZ_EEXIST ? DZ_EDB : rc;
}

int auth_token_check(store_t *st, const char *token, int64_t *token_id,
                     int64_t *user_id, int64_t *last_used)
{
	uint8_t hash[AUTH_HASH_LEN];
	int rc;
	if (!auth_token_wellformed(token))
		return DZ_EAUTH;
	sqlite3_stmt *s = store_stmt(st,
		"SELECT id, user_id, hash, coalesce(last_used, 0) FROM tokens WHERE tid = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, token, AUTH_TID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const uint8_t *h = sqlite3_column_blob(s, 2);
		auth_token_hash(token, AUTH_TOKEN_LEN, hash);
		if (h && sqlite3_column_bytes(s, 2) == AUTH_HASH_LEN && auth_hash_equal(h, hash)) {
			*token_id = sqlite3_column_int64(s, 0);
			*user_id = sqlite3_column_int64(s, 1);
			*last_used = sqlite3_column_int64(s, 3);
			rc = 0;
		} else {
			rc = DZ_EAUTH;
		}
	} else {
		rc = rc == SQLITE_DONE ? DZ_EAUTH : DZ_EDB;
	}
	sqlite3_reset(s);
	return rc;
}

bool auth_token_covers(store_t *st, int64_t token_id, int64_t host_id)
{
	sqlite3_stmt *s = store_stmt(st,
		"SELECT 1 FROM token_hosts WHERE token_id = ?1 AND host_id = ?2");
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, token_id);
	sqlite3_bind_int64(s, 2, host_id);
	bool yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return yes;
}

int auth_token_touch(store_t *st, int64_t token_id, int64_t last_used, int64_t now)
{
	if (last_used && now - last_used < AUTH_TOUCH_S && now >= last_used)
		return 0;
	sqlite3_stmt *s = store_stmt(st, "UPDATE tokens SET last_used = ?2 WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, token_id);
	sqlite3_bind_int64(s, 2, now);
	return auth_sql_done(s) ? DZ_EDB : 0;
}

int auth_token_revoke(store_t *st, int64_t host_id, const char *tid, unsigned *n)
{
	sqlite3_stmt *s = store_stmt(st, tid
		? "DELETE FROM tokens WHERE tid = ?2 AND id IN "
		  "(SELECT token_id FROM token_hosts WHERE host_id = ?1)"
		: "DELETE FROM tokens WHERE id IN "
		  "(SELECT token_id FROM token_hosts WHERE host_id = ?1)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, host_id);
	if (tid)
		sqlite3_bind_text(s, 2, tid, -1, SQLITE_STATIC);
	if (auth_sql_done(s))
		return DZ_EDB;
	if (n)
		*n = (unsigned)sqlite3_changes(store_db(st));
	return 0;
}

/* Users and passwords ------------------------------------------------- */

#define PW_T 3
#define PW_M (64 * 1024)
#define PW_P 1
#define PW_SALT 16
#define PW_HASH 32

int auth_password_hash(const char *pw, char out[AUTH_PW_ENCODED])
{
	uint8_t salt[PW_SALT];
	if (argon2_encodedlen(PW_T, PW_M, PW_P, PW_SALT, PW_HASH, Argon2_id) > AUTH_PW_ENCODED)
		return DZ_EINVAL;
	if (rand_bytes(salt, sizeof salt))
		return DZ_EIO;
	int rc = argon2id_hash_encoded(PW_T, PW_M, PW_P, pw, strlen(pw), salt, sizeof salt,
	                               PW_HASH, out, AUTH_PW_ENCODED);
	return rc == ARGON2_OK ? 0 : DZ_EINVAL;
}

bool auth_password_check(const char *encoded, const char *pw)
{
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

bool auth_user_name_ok(const char *name)
{
	size_t n = strnlen(name, AUTH_NAME_MAX);
	if (n == 0 || n >= AUTH_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '@'))
			return false;
	}
	return true;
}

int auth_user_add(store_t *st, const char *name, const char *pw_encoded,
                  bool admin, int64_t *id)
{
	if (!auth_user_name_ok(name))
		return DZ_EINVAL;
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO users(name, password, admin, created) VALUES(?1, ?2, ?3, ?4)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pw_encoded, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, admin);
	sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
	int rc = auth_sql_done(s);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(store_db(st));
	return rc;
}

int auth_user_find(store_t *st, const char *name, int64_t *id, bool *admin)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, admin FROM users WHERE name = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		if (admin)
			*admin = sqlite3_column_int(s, 1) != 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? DZ_ENOENT : DZ_EDB;
}

int auth_user_name(store_t *st, int64_t id, char out[AUTH_NAME_MAX])
{
	sqlite3_stmt *s = store_stmt(st, "SELECT name FROM users WHERE id = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		size_t n = t ? strnlen((const char *)t, AUTH_NAME_MAX - 1) : 0;
		memcpy(out, t ? (const char *)t : "", n);
		out[n] = 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? DZ_ENOENT : DZ_EDB;
}
