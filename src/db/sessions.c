/* The sessions table. */
#include "src/db/sessions.h"

#include <stdio.h>
#include <string.h>

#include "proto/errors.h"
#include "src/db/sql.h"

int sessions_expire(store_t *st, int64_t now)
{
	return store_run(st, "DELETE FROM sessions WHERE expires <= ?1", now, 0) ? DZ_EDB : 0;
}

int sessions_add(store_t *st, const uint8_t key[SECRET_HASH_LEN], int64_t user_id,
                 const char csrf[SECRET_TOKEN_LEN], int64_t now, int64_t expires,
                 unsigned keep)
{
	if (sessions_expire(st, now))
		return DZ_EDB;
	/* cap the sessions of one user: the oldest go */
	if (store_run(st, "DELETE FROM sessions WHERE user_id = ?1 AND key NOT IN "
	              "(SELECT key FROM sessions WHERE user_id = ?1 "
	              "ORDER BY created DESC LIMIT ?2)", user_id, keep ? keep - 1 : 0))
		return DZ_EDB;
	sqlite3_stmt *s = STORE_PREP_KEY(st, "INSERT INTO sessions(key, user_id, csrf, created, "
	                                 "expires, extended) VALUES(?1, ?2, ?3, ?4, ?5, ?4)",
	                                 key, SECRET_HASH_LEN, user_id);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 3, csrf, SECRET_TOKEN_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_int64(s, 5, expires);
	return store_done(s) ? DZ_EDB : 0;
}

int sessions_get(store_t *st, const uint8_t key[SECRET_HASH_LEN], struct sessions_row *out)
{
	sqlite3_stmt *s = store_prep_key(st,
		"SELECT s.user_id, s.csrf, s.created, s.expires, s.extended, u.name, u.admin "
		"FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.key = ?1",
		key, SECRET_HASH_LEN, NULL, 0);
	if (!s)
		return DZ_EDB;
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return store_row_end(s, rc);
	out->user_id = sqlite3_column_int64(s, 0);
	const unsigned char *csrf = sqlite3_column_text(s, 1);
	const unsigned char *name = sqlite3_column_text(s, 5);
	snprintf(out->csrf, sizeof out->csrf, "%s", csrf ? (const char *)csrf : "");
	out->created = sqlite3_column_int64(s, 2);
	out->expires = sqlite3_column_int64(s, 3);
	out->extended = sqlite3_column_int64(s, 4);
	snprintf(out->user, sizeof out->user, "%s", name ? (const char *)name : "");
	out->admin = sqlite3_column_int(s, 6) != 0;
	sqlite3_reset(s);
	return 0;
}

int sessions_extend(store_t *st, const uint8_t key[SECRET_HASH_LEN], int64_t expires,
                    int64_t now)
{
	sqlite3_stmt *s = STORE_PREP_KEY(st, "UPDATE sessions SET expires = ?2, extended = ?3 WHERE key = ?1",
		key, SECRET_HASH_LEN, expires, now);
	if (!s)
		return DZ_EDB;
	return store_done(s) ? DZ_EDB : 0;
}

int sessions_del_user(store_t *st, int64_t user_id, const uint8_t keep[SECRET_HASH_LEN])
{
	static const uint8_t none[SECRET_HASH_LEN];
	sqlite3_stmt *s = STORE_PREP_KEY(st, "DELETE FROM sessions WHERE user_id = ?2 AND key != ?1",
		keep ? keep : none, SECRET_HASH_LEN, user_id);
	if (!s)
		return DZ_EDB;
	return store_done(s) ? DZ_EDB : 0;
}

int sessions_del(store_t *st, const uint8_t key[SECRET_HASH_LEN])
{
	sqlite3_stmt *s = store_prep_key(st, "DELETE FROM sessions WHERE key = ?1",
		key, SECRET_HASH_LEN, NULL, 0);
	if (!s)
		return DZ_EDB;
	return store_done(s) ? DZ_EDB : 0;
}
