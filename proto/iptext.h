/* IPv4 and IPv6 addresses as text, exactly as glibc's inet_ntop writes
 * them (RFC 5952: lowercase hex, no leading zeros, the longest run of two
 * or more zero groups as "::", the first of equal runs; ::a.b.c.d and
 * ::ffff:a.b.c.d with a dotted tail), without its sprintf: an update
 * writes several addresses (the log line, the update log, the reply), and
 * inet_ntop costs thousands of instructions each.  No allocation, no
 * globals. */
#ifndef DZ_IPTEXT_H
#define DZ_IPTEXT_H

#include <stddef.h>
#include <stdint.h>

#define IPTEXT_MAX 46   /* INET6_ADDRSTRLEN: the longest text and its NUL */

/* Write the 4-byte address `a` and a NUL to `out` (at least 16 bytes);
 * its length. */
size_t ip4_text(const uint8_t a[4], char *out);

/* Write the 16-byte address `a` and a NUL to `out` (at least IPTEXT_MAX
 * bytes); its length. */
size_t ip6_text(const uint8_t a[16], char *out);

#endif
