/* Address prefixes (src/common/cidr.h). */
#include "src/common/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"

int cidr_parse(const char *text, struct cidr *out)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	if (n == 0 || n >= sizeof buf)
		return DZ_EINVAL;
	memcpy(buf, text, n);
	buf[n] = 0;
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, buf, out->a) == 1) {
		out->family = 4;
		out->bits = 32;
	} else if (inet_pton(AF_INET6, buf, out->a) == 1) {
		out->family = 6;
		out->bits = 128;
	} else {
		return DZ_EINVAL;
	}
	if (slash) {
		char *end;
		errno = 0;
		unsigned long b = strtoul(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || b > out->bits)
			return DZ_EINVAL;
		out->bits = (unsigned)b;
	}
	return 0;
}

int cidr_sa_bytes(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
		if (memcmp(a, mapped, 12) == 0) {
			memcpy(out, a + 12, 4);
			return 4;
		}
		memcpy(out, a, 16);
		return 6;
	}
	return 0;
}

bool cidr_match(const struct cidr *c, int family, const uint8_t *a)
{
	if (c->family != family)
		return false;
	unsigned full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->a, a, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (c->a[full] & mask) == (a[full] & mask);
}

bool cidr_match_sa(const struct cidr *c, const struct sockaddr *sa)
{
	uint8_t a[16];
	int fam = cidr_sa_bytes(sa, a);
	return fam && cidr_match(c, fam, a);
}
