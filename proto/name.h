/* Domain names in uncompressed wire form: length-prefixed labels ending with
 * the root label (0).  At most DNAME_MAX (255) bytes, labels at most 63.
 * Functions here never read past the terminating root label. */
#ifndef DZ_NAME_H
#define DZ_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/wire.h"

/* Wire length of a valid name (including the root label), or 0 if `name`
 * is not a valid name within `max` bytes. */
size_t dname_len(const uint8_t *name, size_t max);

/* Number of labels, root not counted ("a.b." has 2). */
unsigned dname_labels(const uint8_t *name);

/* Lowercase ASCII A-Z in place (other bytes are kept). */
void dname_lower(uint8_t *name);

/* Lowercase ASCII A-Z in the first `len` bytes of a wire name in place,
 * eight bytes at a time: length octets are at most 63, below 'A', so the
 * whole run is treated as text.  The query path's lowercasing. */
void dname_lower_len(uint8_t *name, size_t len);

/* ASCII A-Z lowercased in the eight bytes of x at once. */
static inline uint64_t dname_lower8(uint64_t x)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full, hi = 0x8080808080808080ull;
	uint64_t h = x & lo7;
	uint64_t ge_a = h + 0x3f3f3f3f3f3f3f3full;
	uint64_t gt_z = h + 0x2525252525252525ull;
	return x | (((ge_a & ~gt_z) & ~x & hi) >> 2);
}

/* Sixteen bytes lowercased at once (GCC and clang vector extensions:
 * SSE2 on x86-64, NEON on arm64, plain code elsewhere). */
typedef uint8_t dname_v16 __attribute__((vector_size(16)));

static inline void dname_lower16_copy(uint8_t *dst, const uint8_t *src)
{
	dname_v16 v, d;
	memcpy(&v, src, 16);
	d = v - (uint8_t)'A';
	v += (dname_v16)(d < (uint8_t)26) & (uint8_t)32;
	memcpy(dst, &v, 16);
}

/* The same as dname_lower_len into `dst` (len bytes, not overlapping
 * `src`): the copy and the lowercasing in one pass, inline, as the UDP
 * fast path reads the question. */
static inline void dname_lower_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	uint64_t v;
	if (len >= 16) {
		for (size_t i = 0; i + 16 < len; i += 16)
			dname_lower16_copy(dst + i, src + i);
		/* the last sixteen bytes, overlapping what the loop wrote */
		dname_lower16_copy(dst + len - 16, src + len - 16);
		return;
	}
	if (len < 8) {
		for (size_t i = 0; i < len; i++)
			dst[i] = (uint8_t)(src[i] + 32 * ((unsigned)(src[i] - 'A') < 26u));
		return;
	}
	memcpy(&v, src, 8);
	v = dname_lower8(v);
	memcpy(dst, &v, 8);
	memcpy(&v, src + len - 8, 8);
	v = dname_lower8(v);
	memcpy(dst + len - 8, &v, 8);
}

/* Whether the `len` bytes at a and b are equal: memcmp's answer for the
 * short runs names are, inline, eight bytes at a time (the lookups of the
 * query path compare a name or an apex once each). */
static inline bool dname_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint64_t x, y, d = 0;
	if (len < 8) {
		for (size_t i = 0; i < len; i++)
			d |= (uint64_t)(a[i] ^ b[i]);
		return d == 0;
	}
	for (size_t i = 0; i + 8 < len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	/* the last eight bytes, overlapping the loop's */
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	return (d | (x ^ y)) == 0;
}

/* Copy `src` lowercased into `dst`; returns the length. */
size_t dname_copy_lower(uint8_t *dst, const uint8_t *src);

/* Exact byte compare of two names (case-sensitive); true if equal. */
bool dname_equal(const uint8_t *a, const uint8_t *b);

/* Case-insensitive compare; true if equal. */
bool dname_equal_ci(const uint8_t *a, const uint8_t *b);

/* True if `name` is `zone` or below it (case-insensitive). */
bool dname_is_sub(const uint8_t *name, const uint8_t *zone);

/* Pointer to the name with its first label removed (NULL for the root). */
const uint8_t *dname_parent(const uint8_t *name);

/* True if the first label is "*". */
bool dname_is_wildcard(const uint8_t *name);

/* Parse a presentation-format name ("www.example.org.", "a\.b", "\065",
 * "@") into wire form.  A name not ending in '.' is relative and gets
 * `origin` appended (origin NULL: relative names are an error).  "@" is the
 * origin.  Returns the wire length, or 0 if the text is not a valid name. */
size_t dname_from_text(uint8_t out[DNAME_MAX], const char *text, size_t textlen,
                       const uint8_t *origin);

/* Write the presentation form (absolute, with trailing dot, escaping '.',
 * '\\', '"', ';', '(', ')', '@', '$', space and non-printing bytes as \DDD).
 * Returns the text length (NUL written), or -1 if `cap` is too small. */
int dname_to_text(const uint8_t *name, char *out, size_t cap);

/* A fast seeded hash of `len` bytes of a name, for tables.  Case-sensitive:
 * callers hash lowercased names. */
uint64_t dname_hash(const uint8_t *name, size_t len, uint64_t seed);

/* Canonical order (RFC 4034 §6.1) of two valid lowercase wire names:
 * label by label from the root, each label compared as unsigned bytes, a
 * shorter label first.  <0, 0 or >0. */
int dname_canon_cmp(const uint8_t *a, const uint8_t *b);

#endif
