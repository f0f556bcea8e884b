/* Update tokens in the store (the tokens and token_hosts tables).  A
 * token (see src/common/secret.h for its shape) belongs to a user and
 * covers one or more of that user's hosts; the row is found by its
 * public id, without scanning, and holds only the token's hash.  It can
 * be revoked at any time.  Functions run on the caller's connection and
 * inside the caller's transaction if one is open. */
#ifndef DZ_TOKENS_H
#define DZ_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/common/secret.h"
#include "src/db/store.h"

/* Create a token for `user_id` covering hosts[0..n) (inside a
 * transaction).  Writes the token text (shown once, never stored).  0,
 * DZ_EDB or DZ_EIO. */
int tokens_create(store_t *st, int64_t user_id, const int64_t *hosts,
                  size_t n, char token[SECRET_TOKEN_LEN + 1]);
/* Check a presented token: well-formed, known id, hash equal.  On success
 * 0 with the token's row id, user and last use (0: never) in *token_id,
 * *user_id, *last_used; DZ_EAUTH otherwise; DZ_EDB on a store failure.
 * Does not write. */
int tokens_check(store_t *st, const char *token, int64_t *token_id,
                 int64_t *user_id, int64_t *last_used);
/* True if the token covers the host. */
bool tokens_covers(store_t *st, int64_t token_id, int64_t host_id);
/* Note the token's use at `now`, to the minute: no write if last_used is
 * less than TOKENS_TOUCH_S old (a busy token costs no write per update). */
#define TOKENS_TOUCH_S 60
int tokens_touch(store_t *st, int64_t token_id, int64_t last_used, int64_t now);
/* Revoke the tokens that cover a host: all of them (tid NULL) or the one
 * with that public id.  *n gets the count.  0 or DZ_EDB. */
int tokens_revoke(store_t *st, int64_t host_id, const char *tid, unsigned *n);

/* A token as listed: public id, the names of the hosts it covers
 * (comma-separated, or NULL), times (0: never).
 * Strings are valid during the callback only. */
struct token_info {
	const char *tid;
	const char *user;
	const char *hosts;
	int64_t created, last_used;
};
typedef int (*tokens_cb)(void *ctx, const struct token_info *t);
/* The tokens covering one host (host_id > 0) or every token (0), oldest
 * first, with the owner's name and the hosts each covers (NULL: none).  A non-zero
 * return from cb stops the walk and is returned; DZ_EDB. */
int tokens_list(store_t *st, int64_t host_id, tokens_cb cb, void *ctx);

#endif
