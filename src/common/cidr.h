/* Address prefixes (ADDRESS[/BITS]) for access lists: trusted-proxy,
 * allow-transfer.  Pure functions; no allocation. */
#ifndef DZ_CIDR_H
#define DZ_CIDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct cidr {
	uint8_t family;           /* 4 or 6 */
	uint8_t a[16];
	unsigned bits;
};

/* Parse "192.0.2.0/24", "2001:db8::/32" or a bare address (all bits).
 * 0 or DZ_EINVAL. */
int cidr_parse(const char *text, struct cidr *out);
/* The address bytes of a sockaddr into out: 4 (IPv4, a v4-mapped IPv6
 * address counts as IPv4), 6 (IPv6), or 0 for another family. */
int cidr_sa_bytes(const struct sockaddr *sa, uint8_t out[16]);
/* True if the address (family 4 or 6, bytes a) is inside c. */
bool cidr_match(const struct cidr *c, int family, const uint8_t *a);
/* True if the socket address sa is inside c. */
bool cidr_match_sa(const struct cidr *c, const struct sockaddr *sa);

#endif
