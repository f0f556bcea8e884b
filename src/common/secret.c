/* Tokens, password hashes and the name and password rules (see secret.h). */
#include "src/common/secret.h"

#include <argon2.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/sha256.h>
#include <string.h>

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

void secret_token_hash(const char *token, size_t len, uint8_t hash[SECRET_HASH_LEN])
{
	mbedtls_sha256_ret((const unsigned char *)token, len, hash, 0);
}

int secret_token_make(char token[SECRET_TOKEN_LEN + 1], uint8_t hash[SECRET_HASH_LEN])
{
	uint8_t raw[SECRET_TOKEN_LEN / 4 * 3];
	if (rand_bytes(raw, sizeof raw))
		return DZ_EIO;
	b64url_encode(raw, sizeof raw, token);
	explicit_bzero(raw, sizeof raw);
	secret_token_hash(token, SECRET_TOKEN_LEN, hash);
	return 0;
}

bool secret_token_wellformed(const char *text)
{
	size_t n = strnlen(text, SECRET_TOKEN_LEN + 1);
	if (n != SECRET_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!memchr(b64url, text[i], sizeof b64url - 1))
			return false;
	return true;
}

bool secret_hash_equal(const uint8_t *a, const uint8_t *b)
{
	return mbedtls_ct_memcmp(a, b, SECRET_HASH_LEN) == 0;
}

/* Passwords and user names ---------------------------------------------- */

#define PW_T 3
#define PW_M (64 * 1024)
#define PW_P 1
#define PW_SALT 16
#define PW_HASH 32

int secret_password_hash(const char *pw, char out[SECRET_PW_ENCODED])
{
	uint8_t salt[PW_SALT];
	if (argon2_encodedlen(PW_T, PW_M, PW_P, PW_SALT, PW_HASH, Argon2_id) > SECRET_PW_ENCODED)
		return DZ_EINVAL;
	if (rand_bytes(salt, sizeof salt))
		return DZ_EIO;
	int rc = argon2id_hash_encoded(PW_T, PW_M, PW_P, pw, strlen(pw), salt, sizeof salt,
	                               PW_HASH, out, SECRET_PW_ENCODED);
	return rc == ARGON2_OK ? 0 : DZ_EINVAL;
}

bool secret_password_check(const char *encoded, const char *pw)
{
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

int secret_password_ok(const char *pw)
{
	size_t n = strnlen(pw, SECRET_PW_MAX + 1);
	return n >= SECRET_PW_MIN && n <= SECRET_PW_MAX ? 0 : DZ_EINVAL;
}

bool secret_user_name_ok(const char *name)
{
	size_t n = strnlen(name, SECRET_NAME_MAX);
	if (n == 0 || n >= SECRET_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '@'))
			return false;
	}
	return true;
}
