/* Dashboard sessions, their CSRF tokens, invite codes and the log-in
 * slow-down.
 *
 * A session is a random id (secret_token_make: 192 bits from the kernel's
 * CSRNG) sent as an HttpOnly, SameSite=Strict cookie; the store keeps only
 * its SHA-256, so a copy of the database lets nobody in.  A session row has
 * an expiry that slides: each use more than SESSION_REFRESH_S after the
 * last extension pushes it to now + lifetime.  Each session also has its
 * own CSRF token, handed to the page (never in a cookie) and required in
 * the X-CSRF-Token header of every state-changing request.
 *
 * Invite codes (for `signup = invite`) are random too, stored hashed, used
 * once, and expire after SESSION_INVITE_DAYS. */
#ifndef DZ_SESSION_H
#define DZ_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/write/limits.h"
#include "src/common/secret.h"
#include "src/db/store.h"

#define SESSION_COOKIE "dz_session"
#define SESSION_ID_LEN SECRET_TOKEN_LEN     /* cookie value, base64url */
#define SESSION_CSRF_LEN SECRET_TOKEN_LEN
#define SESSION_REFRESH_S 60              /* extend at most once a minute */
#define SESSION_PER_USER 20               /* older sessions are ended */
#define SESSION_INVITE_DAYS 14
#define SESSION_COOKIE_MAX 160            /* a Set-Cookie value, with NUL */

struct session {
	uint8_t key[SECRET_HASH_LEN];           /* SHA-256 of the id */
	int64_t user_id;
	bool admin;
	char user[SECRET_NAME_MAX];
	char csrf[SESSION_CSRF_LEN + 1];
	int64_t created, expires;
	bool extended;                        /* session_find moved the expiry */
};

/* Start a session for a user (its own small transaction).  Ends expired
 * sessions and all but the newest SESSION_PER_USER - 1 of the user's.
 * Writes the new id (the cookie value; shown to this client only) and
 * fills *out.  0, DZ_EIO (no randomness) or DZ_EDB. */
int session_create(store_t *st, int64_t user_id, int64_t now, int64_t lifetime,
                   char id[SESSION_ID_LEN + 1], struct session *out);

/* Look up a session by the id from the cookie and slide its expiry.  0
 * with *out filled; DZ_ENOENT if the id is malformed or unknown;
 * DZ_EAUTH if it has expired (the row is then deleted); DZ_EDB. */
int session_find(store_t *st, const char *id, int64_t now, int64_t lifetime,
                 struct session *out);

/* End one session (log out).  0 or DZ_EDB. */
int session_end(store_t *st, const struct session *s);

/* True if `header` (the X-CSRF-Token value, may be NULL) is this
 * session's CSRF token.  Constant time. */
bool session_csrf_ok(const struct session *s, const char *header);

/* Find our cookie in a Cookie header ("a=b; dz_session=..."): copy its
 * value into id.  0, or DZ_ENOENT if absent or not of a session id's
 * shape. */
int session_cookie_get(const char *header, char id[SESSION_ID_LEN + 1]);

/* The Set-Cookie value for an id (NULL: one that deletes the cookie).
 * `secure` adds Secure (the request came over TLS).  0 or DZ_ESPACE. */
int session_cookie_set(char *out, size_t cap, const char *id, int64_t max_age,
                       bool secure);

/* Check a user's password.  0 with *user_id and *admin; DZ_EAUTH if the
 * user is unknown or the password wrong (the same work is done either
 * way, so the answer time does not tell which); DZ_EDB. */
int session_password_check(store_t *st, const char *user, const char *pw,
                           int64_t *user_id, bool *admin);

/* Invite codes ----------------------------------------------------------- */

/* Make an invite code (written to code, shown once).  0, DZ_EIO, DZ_EDB. */
int session_invite_create(store_t *st, int64_t by_user, int64_t now,
                          char code[SECRET_TOKEN_LEN + 1]);
/* Use up an invite code for a new user (inside the transaction that adds
 * the user).  0, DZ_EAUTH (unknown, used or expired) or DZ_EDB. */
int session_invite_use(store_t *st, const char *code, int64_t user_id, int64_t now);

/* Log-in slow-down ------------------------------------------------------- */

/* Failed log-ins are counted per account and per client address (see
 * failures_t): past LIMIT_FAIL_FREE recent failures, a further attempt
 * is held before it is looked at, longer with each failure.  Thread-safe;
 * memory is capped. */
typedef struct session_throttle session_throttle_t;

/* NULL on allocation failure. */
session_throttle_t *session_throttle_new(unsigned slots);
void session_throttle_free(session_throttle_t *t);
/* Milliseconds to hold a log-in for this account from this address (the
 * longer of the two; 0: none). */
unsigned session_throttle_delay(session_throttle_t *t, const char *user,
                                const struct sockaddr *client, uint64_t now_ms);
/* Count a failed log-in against the account and the address. */
void session_throttle_fail(session_throttle_t *t, const char *user,
                           const struct sockaddr *client, uint64_t now_ms);

#endif
