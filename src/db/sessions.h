/* Dashboard sessions in the store (the sessions table): a row per
 * session, keyed by the SHA-256 of its id, with its CSRF token and a
 * sliding expiry.  Cookies, CSRF checks and the log-in throttle are in
 * src/api/session.h; this module only keeps the rows.  Functions run on
 * the caller's connection and inside the caller's transaction if one is
 * open. */
#ifndef DZ_SESSIONS_H
#define DZ_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "src/common/secret.h"
#include "src/db/store.h"

/* A session row, with its user's name and admin flag. */
struct sessions_row {
	int64_t user_id;
	bool admin;
	char user[SECRET_NAME_MAX];
	char csrf[SECRET_TOKEN_LEN + 1];
	int64_t created, expires, extended;
};

/* Delete every session expired by `now` (inside the caller's transaction
 * if one is open; the housekeeping runs it every minute).  0 or DZ_EDB. */
int sessions_expire(store_t *st, int64_t now);
/* Add a session for a user, expiring at `expires`; first delete every
 * expired session and all but the newest keep - 1 of the user's.  0 or
 * DZ_EDB. */
int sessions_add(store_t *st, const uint8_t key[SECRET_HASH_LEN], int64_t user_id,
                 const char csrf[SECRET_TOKEN_LEN], int64_t now, int64_t expires,
                 unsigned keep);
/* The session with this key: 0 with *out, DZ_ENOENT or DZ_EDB. */
int sessions_get(store_t *st, const uint8_t key[SECRET_HASH_LEN], struct sessions_row *out);
/* Move a session's expiry, noting when (`now`).  0 or DZ_EDB. */
int sessions_extend(store_t *st, const uint8_t key[SECRET_HASH_LEN], int64_t expires,
                    int64_t now);
/* Delete every session of a user but `keep` (NULL: all), after a
 * password change.  0 or DZ_EDB. */
int sessions_del_user(store_t *st, int64_t user_id, const uint8_t keep[SECRET_HASH_LEN]);
/* Delete a session.  0 or DZ_EDB. */
int sessions_del(store_t *st, const uint8_t key[SECRET_HASH_LEN]);

#endif
