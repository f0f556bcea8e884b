/* NSEC3 hashed owner names.  See nsec3.h. */
#include "proto/nsec3.h"

#include <string.h>
#include <mbedtls/md.h>

#include "proto/errors.h"

int nsec3_param_read(const uint8_t *rd, size_t len, struct nsec3_param *p)
{
	if (len < 5 || 5 + (size_t)rd[4] > len)
		return DZ_EFORMAT;
	p->alg = rd[0];
	p->flags = rd[1];
	p->iterations = (uint16_t)(rd[2] << 8 | rd[3]);
	p->saltlen = rd[4];
	p->salt = rd + 5;
	if (p->alg != NSEC3_HASH_SHA1 || p->iterations > NSEC3_MAX_ITERATIONS)
		return DZ_EINVAL;
	return 0;
}

void nsec3_hash(const uint8_t *lname, const struct nsec3_param *p,
                uint8_t out[NSEC3_SHA1_LEN])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
	uint8_t buf[DNAME_MAX + 255];
	size_t n = dname_len(lname, DNAME_MAX);

	memcpy(buf, lname, n);
	memcpy(buf + n, p->salt, p->saltlen);
	mbedtls_md(md, buf, n + p->saltlen, out);
	for (unsigned i = 0; i < p->iterations; i++) {
		memcpy(buf, out, NSEC3_SHA1_LEN);
		memcpy(buf + NSEC3_SHA1_LEN, p->salt, p->saltlen);
		mbedtls_md(md, buf, NSEC3_SHA1_LEN + p->saltlen, out);
	}
}

size_t nsec3_owner(const uint8_t *lname, const uint8_t *apex,
                   const struct nsec3_param *p, uint8_t out[DNAME_MAX])
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	uint8_t h[NSEC3_SHA1_LEN];
	size_t alen = dname_len(apex, DNAME_MAX);
	if (alen == 0 || 1 + 32 + alen > DNAME_MAX)
		return 0;
	nsec3_hash(lname, p, h);
	/* 20 bytes are 160 bits: exactly 32 base32 digits, 5 bytes per 8 */
	out[0] = 32;
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *g = h + 5 * i;
		uint64_t v = (uint64_t)g[0] << 32 | (uint64_t)g[1] << 24 |
		             (uint64_t)g[2] << 16 | (uint64_t)g[3] << 8 | g[4];
		for (unsigned k = 0; k < 8; k++)
			out[1 + 8 * i + k] = (uint8_t)b32[(v >> (35 - 5 * k)) & 31];
	}
	memcpy(out + 33, apex, alen);
	return 33 + alen;
}
