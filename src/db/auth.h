/* Credentials: update tokens and account passwords (rate limits and the
 * failed-authentication slow-down are in src/write/limits.h).
 *
 * An update token is AUTH_TOKEN_LEN characters of base64url (letters,
 * digits, '-' and '_', so it fits any client's config and URL) from the
 * kernel's CSPRNG: the first AUTH_TID_LEN characters are its public id (the
 * row is found by it, without scanning; `token list` and `token revoke`
 * show and take it), the rest is the secret (144 bits).  The store keeps
 * only SHA-256 of the whole token and compares in constant time.  A token
 * belongs to a user and covers one or more of that user's hosts
 * (token_hosts); it can be revoked at any time. */
#ifndef DZ_AUTH_H
#define DZ_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "src/db/store.h"

#define AUTH_TID_LEN 8          /* public id: 6 random bytes */
#define AUTH_TOKEN_LEN 32       /* id + 24 characters of secret (18 bytes) */
#define AUTH_HASH_LEN 32        /* SHA-256 */
#define AUTH_PW_ENCODED 128     /* argon2id encoded hash, with NUL */
#define AUTH_NAME_MAX 64        /* user name, with NUL */

/* Step a statement that returns no rows, and reset it: 0, DZ_EEXIST (a
 * constraint failed) or DZ_EDB.  Shared by the modules that keep the
 * user, host and token tables (auth.c, host.c, hostcmd.c). */
int auth_sql_done(sqlite3_stmt *s);

/* Tokens --------------------------------------------------------------- */

/* Make a new random token (NUL-terminated) and its hash.  0 or DZ_EIO
 * (getrandom failed). */
int auth_token_make(char token[AUTH_TOKEN_LEN + 1], uint8_t hash[AUTH_HASH_LEN]);
/* SHA-256 of `len` bytes of token text.  A fast hash is right here: the
 * token carries 144 random bits, so there is nothing to guess offline, and
 * a slow hash would only let anyone burn our CPU per request. */
void auth_token_hash(const char *token, size_t len, uint8_t hash[AUTH_HASH_LEN]);
/* True if `text` has the shape of a token (length and alphabet). */
bool auth_token_wellformed(const char *text);
/* Constant-time compare of two hashes; true if equal. */
bool auth_hash_equal(const uint8_t *a, const uint8_t *b);

/* Create a token for `user_id` covering hosts[0..n) (inside a
 * transaction).  Writes the token text (shown once, never stored).  0,
 * DZ_EDB or DZ_EIO. */
int auth_token_create(store_t *st, int64_t user_id, const int64_t *hosts,
                      size_t n, char token[AUTH_TOKEN_LEN + 1]);
/* Check a presented token: well-formed, known id, hash equal.  On success
 * 0 with the token's row id, user and last use (0: never) in *token_id,
 * *user_id, *last_used; DZ_EAUTH otherwise; DZ_EDB on a store failure.
 * Does not write. */
int auth_token_check(store_t *st, const char *token, int64_t *token_id,
                     int64_t *user_id, int64_t *last_used);
/* True if the token covers the host. */
bool auth_token_covers(store_t *st, int64_t token_id, int64_t host_id);
/* Note the token's use at `now`, to the minute: no write if last_used is
 * less than AUTH_TOUCH_S old (a busy token costs no write per update). */
#define AUTH_TOUCH_S 60
int auth_token_touch(store_t *st, int64_t token_id, int64_t last_used, int64_t now);
/* Revoke the tokens that cover a host: all of them (tid NULL) or the one
 * with that public id.  *n gets the count.  0 or DZ_EDB. */
int auth_token_revoke(store_t *st, int64_t host_id, const char *tid, unsigned *n);

/* Users and passwords --------------------------------------------------- */

/* Hash a password with argon2id (t=3, 64 MiB, one lane, 16-byte random
 * salt) into its encoded form.  0, DZ_EIO or DZ_EINVAL. */
int auth_password_hash(const char *pw, char out[AUTH_PW_ENCODED]);
/* True if `pw` matches an encoded argon2id hash. */
bool auth_password_check(const char *encoded, const char *pw);
/* A user name: 1..63 of letters, digits, '.', '-', '_', '@'. */
bool auth_user_name_ok(const char *name);
/* Add a user.  DZ_EEXIST if the name is taken, DZ_EINVAL for a bad name,
 * DZ_EDB. */
int auth_user_add(store_t *st, const char *name, const char *pw_encoded,
                  bool admin, int64_t *id);
/* Find a user by name: 0 with *id (and *admin if not NULL), DZ_ENOENT or
 * DZ_EDB. */
int auth_user_find(store_t *st, const char *name, int64_t *id, bool *admin);
/* The user's name by id into out; 0, DZ_ENOENT or DZ_EDB. */
int auth_user_name(store_t *st, int64_t id, char out[AUTH_NAME_MAX]);

#endif
