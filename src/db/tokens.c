/* The tokens and token_hosts tables. */
#include "src/db/tokens.h"

#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "src/db/sql.h"

int tokens_create(store_t *st, int64_t user_id, const int64_t *hosts,
                      size_t n, char token[SECRET_TOKEN_LEN + 1])
{
	uint8_t hash[SECRET_HASH_LEN];
	int rc = DZ_EEXIST;
	int64_t id = 0;
	/* a clash of 48-bit public ids is unlikely; try again if it happens */
	for (int attempt = 0; attempt < 4 && rc == DZ_EEXIST; attempt++) {
		if (secret_token_make(token, hash))
			return DZ_EIO;
		sqlite3_stmt *s = store_stmt(st,
			"INSERT INTO tokens(tid, hash, user_id, created) VALUES(?1, ?2, ?3, ?4)");
		if (!s)
			return DZ_EDB;
		sqlite3_bind_text(s, 1, token, SECRET_TID_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_blob(s, 2, hash, SECRET_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, user_id);
		sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
		rc = store_done(s);
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
		if ((rc = store_done(s)) != 0)
			goto fail;
	}
	return 0;
fail:
	explicit_bzero(token, SECRET_TOKEN_LEN + 1);
	return rc == DZ_EEXIST ? DZ_EDB : rc;
}

int tokens_check(store_t *st, const char *token, int64_t *token_id,
                     int64_t *user_id, int64_t *last_used)
{
	uint8_t hash[SECRET_HASH_LEN];
	int rc;
	if (!secret_token_wellformed(token))
		return DZ_EAUTH;
	sqlite3_stmt *s = store_stmt(st,
		"SELECT id, user_id, hash, coalesce(last_used, 0) FROM tokens WHERE tid = ?1");
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 1, token, SECRET_TID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const uint8_t *h = sqlite3_column_blob(s, 2);
		secret_token_hash(token, SECRET_TOKEN_LEN, hash);
		if (h && sqlite3_column_bytes(s, 2) == SECRET_HASH_LEN && secret_hash_equal(h, hash)) {
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

bool tokens_covers(store_t *st, int64_t token_id, int64_t host_id)
{
	int64_t one;
	return !STORE_INT(st, "SELECT 1 FROM token_hosts WHERE token_id = ?1 AND host_id = ?2",
	                  &one, token_id, host_id);
}

int tokens_touch(store_t *st, int64_t token_id, int64_t last_used, int64_t now)
{
	if (last_used && now - last_used < TOKENS_TOUCH_S && now >= last_used)
		return 0;
	return store_run(st, "UPDATE tokens SET last_used = ?2 WHERE id = ?1", token_id, now)
	       ? DZ_EDB : 0;
}

int tokens_revoke(store_t *st, int64_t host_id, const char *tid, unsigned *n)
{
	sqlite3_stmt *s = STORE_PREP(st, tid
		? "DELETE FROM tokens WHERE tid = ?2 AND id IN "
		  "(SELECT token_id FROM token_hosts WHERE host_id = ?1)"
		: "DELETE FROM tokens WHERE id IN "
		  "(SELECT token_id FROM token_hosts WHERE host_id = ?1)", host_id);
	if (!s)
		return DZ_EDB;
	if (tid)
		sqlite3_bind_text(s, 2, tid, -1, SQLITE_STATIC);
	if (store_done(s))
		return DZ_EDB;
	if (n)
		*n = (unsigned)sqlite3_changes(store_db(st));
	return 0;
}

int tokens_list(store_t *st, int64_t host_id, tokens_cb cb, void *ctx)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"SELECT t.tid, u.name, t.created, coalesce(t.last_used, 0), "
		"(SELECT group_concat(h.text, ',') FROM token_hosts th JOIN hosts h ON h.id = th.host_id "
		" WHERE th.token_id = t.id) FROM tokens t JOIN users u ON u.id = t.user_id "
		"WHERE ?1 = 0 OR t.id IN (SELECT token_id FROM token_hosts WHERE host_id = ?1) "
		"ORDER BY t.created, t.id", host_id);
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *tid = sqlite3_column_text(s, 0), *user = sqlite3_column_text(s, 1);
		struct token_info t = {
			.tid = tid ? (const char *)tid : "",
			.user = user ? (const char *)user : "",
			.created = sqlite3_column_int64(s, 2),
			.last_used = sqlite3_column_int64(s, 3),
			.hosts = (const char *)sqlite3_column_text(s, 4),
		};
		if ((rc = cb(ctx, &t)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}
