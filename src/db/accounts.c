/* The users and zone_access tables. */
#include "src/db/accounts.h"

#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "src/db/sql.h"

int accounts_add(store_t *st, const char *name, const char *pw_encoded,
                  bool admin, int64_t *id)
{
	if (!secret_user_name_ok(name))
		return DZ_EINVAL;
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO users(name, password, admin, created) VALUES(?1, ?2, ?3, ?4)");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pw_encoded, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, admin);
	sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
	int rc = store_done(s);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(store_db(st));
	return rc;
}

int accounts_find(store_t *st, const char *name, int64_t *id, bool *admin)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, admin FROM users WHERE name = ?1 COLLATE NOCASE");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		if (admin)
			*admin = sqlite3_column_int(s, 1) != 0;
	}
	return store_row_end(s, rc);
}

int accounts_name(store_t *st, int64_t id, char out[SECRET_NAME_MAX])
{
	sqlite3_stmt *s = STORE_PREP(st, "SELECT name FROM users WHERE id = ?1", id);
	if (!s)
		return DZ_EDB;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		size_t n = t ? strnlen((const char *)t, SECRET_NAME_MAX - 1) : 0;
		memcpy(out, t ? (const char *)t : "", n);
		out[n] = 0;
	}
	return store_row_end(s, rc);
}

int accounts_password(store_t *st, const char *name, int64_t *id, bool *admin,
                      char enc[SECRET_PW_ENCODED])
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, admin, password FROM users WHERE name = ?1 COLLATE NOCASE");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	int out = rc == SQLITE_ROW ? DZ_ENOENT : rc == SQLITE_DONE ? DZ_ENOENT : DZ_EDB;
	if (rc == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_text(s, 2);
		*id = sqlite3_column_int64(s, 0);
		*admin = sqlite3_column_int(s, 1) != 0;
		if (p && strlen((const char *)p) < SECRET_PW_ENCODED) {
			memcpy(enc, p, strlen((const char *)p) + 1);
			out = 0;
		}
	}
	sqlite3_reset(s);
	return out;
}

int accounts_set_password(store_t *st, int64_t id, const char *pw_encoded)
{
	sqlite3_stmt *s = STORE_PREP(st, "UPDATE users SET password = ?2 WHERE id = ?1", id, 0);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 2, pw_encoded, -1, SQLITE_STATIC);
	if (store_done(s))
		return DZ_EDB;
	return store_changes(st) ? 0 : DZ_ENOENT;
}

int accounts_del(store_t *st, int64_t id)
{
	if (store_run(st, "DELETE FROM users WHERE id = ?1", id, 0))
		return DZ_EDB;
	return store_changes(st) ? 0 : DZ_ENOENT;
}

int accounts_list(store_t *st, accounts_cb cb, void *ctx)
{
	sqlite3_stmt *s = store_stmt(st,
		"SELECT u.id, u.name, u.admin, u.created, "
		"(SELECT count(*) FROM hosts h WHERE h.user_id = u.id), "
		"(SELECT group_concat(z.name, ',') FROM zone_access a JOIN zones z ON z.id = a.zone_id "
		" WHERE a.user_id = u.id) FROM users u ORDER BY u.name");
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(s, 1);
		struct account_info a = {
			.id = sqlite3_column_int64(s, 0),
			.name = name ? (const char *)name : "",
			.admin = sqlite3_column_int(s, 2) != 0,
			.created = sqlite3_column_int64(s, 3),
			.nhosts = (unsigned)sqlite3_column_int(s, 4),
			.zones = (const char *)sqlite3_column_text(s, 5),
		};
		if ((rc = cb(ctx, &a)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

int accounts_grant(store_t *st, int64_t user_id, int64_t zone_id, unsigned max_hosts)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"INSERT INTO zone_access(user_id, zone_id, max_hosts) VALUES(?1, ?2, nullif(?3, 0)) "
		"ON CONFLICT(user_id, zone_id) DO UPDATE SET max_hosts = excluded.max_hosts",
		user_id, zone_id, max_hosts);
	if (!s)
		return DZ_EDB;
	return store_done(s);
}

int accounts_revoke(store_t *st, int64_t user_id, int64_t zone_id)
{
	if (store_run(st, "DELETE FROM zone_access WHERE user_id = ?1 AND zone_id = ?2",
	              user_id, zone_id))
		return DZ_EDB;
	return store_changes(st) ? 0 : DZ_ENOENT;
}

int accounts_access(store_t *st, int64_t user_id, int64_t zone_id, unsigned *max_hosts)
{
	int64_t v = 0;
	int rc = STORE_INT(st, "SELECT coalesce(max_hosts, 0) FROM zone_access "
	                   "WHERE user_id = ?1 AND zone_id = ?2", &v, user_id, zone_id);
	*max_hosts = rc ? 0 : (unsigned)v;
	return rc;
}

int accounts_zones(store_t *st, int64_t user_id,
                   int (*cb)(void *ctx, const char *zone), void *ctx)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"SELECT z.name FROM zone_access a JOIN zones z ON z.id = a.zone_id "
		"WHERE a.user_id = ?1 ORDER BY z.name", user_id);
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);
		if ((rc = cb(ctx, t ? (const char *)t : "")) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

int accounts_invite_add(store_t *st, const uint8_t hash[SECRET_HASH_LEN], int64_t by_user,
                        int64_t now, int64_t expires)
{
	sqlite3_stmt *s = STORE_PREP_KEY(st, "INSERT INTO invites(hash, created_by, created, "
	                                 "expires) VALUES(?1, ?2, ?3, ?4)", hash, SECRET_HASH_LEN,
	                                 by_user, now, expires);
	return !s || store_done(s) ? DZ_EDB : 0;
}

int accounts_invite_use(store_t *st, const uint8_t hash[SECRET_HASH_LEN], int64_t user_id,
                        int64_t now)
{
	/* found by its hash: the lookup is on a value the client cannot aim */
	sqlite3_stmt *s = STORE_PREP_KEY(st, "UPDATE invites SET used_by = ?2, used = ?3 "
	                                 "WHERE hash = ?1 AND used IS NULL AND expires > ?3",
	                                 hash, SECRET_HASH_LEN, user_id, now);
	if (!s || store_done(s))
		return DZ_EDB;
	return store_changes(st) == 1 ? 0 : DZ_EAUTH;
}
