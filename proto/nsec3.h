/* NSEC3 hashed owner names (RFC 5155 §5): SHA-1 over the canonical wire
 * name and the salt, iterated.  Pure code over caller buffers; used by the
 * query path (src/dns/answer.c) to find the NSEC3 records that prove a
 * negative or wildcard answer. */
#ifndef DZ_NSEC3_H
#define DZ_NSEC3_H

#include <stddef.h>
#include <stdint.h>

#include "proto/name.h"

#define NSEC3_HASH_SHA1 1
#define NSEC3_SHA1_LEN 20
/* More additional iterations than this are refused (RFC 9276 says 0;
 * validators treat zones above 100 or 150 as insecure anyway). */
#define NSEC3_MAX_ITERATIONS 150

/* The NSEC3 parameters of a zone (from its NSEC3PARAM RDATA). */
struct nsec3_param {
	uint8_t alg, flags;
	uint16_t iterations;
	uint8_t saltlen;
	const uint8_t *salt;   /* points into the RDATA given */
};

/* Read NSEC3PARAM (or the first fields of NSEC3) RDATA.  0, or DZ_EFORMAT
 * if malformed, DZ_EINVAL for an unknown hash algorithm or too many
 * iterations. */
int nsec3_param_read(const uint8_t *rd, size_t len, struct nsec3_param *p);

/* The hash of the lowercase wire name `lname` with the parameters p into
 * out (20 bytes). */
void nsec3_hash(const uint8_t *lname, const struct nsec3_param *p,
                uint8_t out[NSEC3_SHA1_LEN]);

/* The hashed owner name of lname in the zone `apex` (both lowercase wire):
 * the hash in lowercase base32hex as one label, then the apex.  Returns its
 * wire length, or 0 if it would exceed DNAME_MAX. */
size_t nsec3_owner(const uint8_t *lname, const uint8_t *apex,
                   const struct nsec3_param *p, uint8_t out[DNAME_MAX]);

#endif
