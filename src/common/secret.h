/* Secrets: update tokens, session ids and invite codes (random text kept
 * only as a hash), account passwords (argon2id), and the rules for user
 * names and passwords.  No I/O but the kernel's CSPRNG; the tables that
 * keep the hashes are in src/db/ (tokens.h, accounts.h, sessions.h).
 *
 * A token is SECRET_TOKEN_LEN characters of base64url (letters, digits,
 * '-' and '_', so it fits any client's config and URL) from the kernel's
 * CSPRNG: the first SECRET_TID_LEN characters are its public id, the rest
 * is the secret (144 bits).  Only SHA-256 of the whole token is stored,
 * and hashes are compared in constant time. */
#ifndef DZ_SECRET_H
#define DZ_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECRET_TID_LEN 8          /* public id: 6 random bytes */
#define SECRET_TOKEN_LEN 32       /* id + 24 characters of secret (18 bytes) */
#define SECRET_HASH_LEN 32        /* SHA-256 */
#define SECRET_PW_ENCODED 128     /* argon2id encoded hash, with NUL */
#define SECRET_NAME_MAX 64        /* user name, with NUL */
#define SECRET_PW_MIN 10          /* the one password policy: CLI and dashboard */
#define SECRET_PW_MAX 1024

/* Make a new random token (NUL-terminated) and its hash.  0 or DZ_EIO
 * (getrandom failed). */
int secret_token_make(char token[SECRET_TOKEN_LEN + 1], uint8_t hash[SECRET_HASH_LEN]);
/* SHA-256 of `len` bytes of token text.  A fast hash is right here: the
 * token carries 144 random bits, so there is nothing to guess offline, and
 * a slow hash would only let anyone burn our CPU per request. */
void secret_token_hash(const char *token, size_t len, uint8_t hash[SECRET_HASH_LEN]);
/* True if `text` has the shape of a token (length and alphabet). */
bool secret_token_wellformed(const char *text);
/* Constant-time compare of two hashes; true if equal. */
bool secret_hash_equal(const uint8_t *a, const uint8_t *b);

/* Hash a password with argon2id (t=3, 64 MiB, one lane, 16-byte random
 * salt) into its encoded form.  0, DZ_EIO or DZ_EINVAL. */
int secret_password_hash(const char *pw, char out[SECRET_PW_ENCODED]);
/* True if `pw` matches an encoded argon2id hash. */
bool secret_password_check(const char *encoded, const char *pw);
/* The password policy, for every front end that sets a password:
 * 0 if pw has SECRET_PW_MIN to SECRET_PW_MAX bytes, else DZ_EINVAL. */
int secret_password_ok(const char *pw);
/* A user name: 1..63 of letters, digits, '.', '-', '_', '@'. */
bool secret_user_name_ok(const char *name);

#endif
