/* Domain names in uncompressed wire form. */
#include "proto/name.h"

#include <stdio.h>
#include <string.h>

static inline uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

size_t dname_len(const uint8_t *name, size_t max)
{
	size_t n = 0;
	if (max > DNAME_MAX)
		max = DNAME_MAX;
	for (;;) {
		if (n >= max)
			return 0;
		uint8_t c = name[n];
		if (c == 0)
			return n + 1;
		if (c > DLABEL_MAX)
			return 0;
		n += 1 + (size_t)c;
	}
}

unsigned dname_labels(const uint8_t *name)
{
	unsigned n = 0;
	while (*name) {
		n++;
		name += 1 + *name;
	}
	return n;
}

void dname_lower(uint8_t *name)
{
	while (*name) {
		uint8_t l = *name;
		for (uint8_t i = 1; i <= l; i++)
			name[i] = lc(name[i]);
		name += 1 + l;
	}
}

/* A-Z to a-z in each byte of x, others kept: per byte, the high bit of
 * (b & 0x7f) + 0x3f says b >= 'A', of (b & 0x7f) + 0x25 says b > 'Z' (no
 * carry crosses a byte: at most 0x7f + 0x3f); bytes >= 0x80 are left out. */

void dname_lower_len(uint8_t *name, size_t len)
{
	size_t i = 0;
	uint64_t v;
	for (; i + 8 <= len; i += 8) {
		memcpy(&v, name + i, 8);
		v = dname_lower8(v);
		memcpy(name + i, &v, 8);
	}
	if (i < len && len >= 8) {
		/* the tail as the last eight bytes: lowercasing twice is harmless */
		memcpy(&v, name + len - 8, 8);
		v = dname_lower8(v);
		memcpy(name + len - 8, &v, 8);
		return;
	}
	for (; i < len; i++)   /* a name under 8 bytes: branch-free, no memcpy call */
		name[i] = (uint8_t)(name[i] + 32 * ((unsigned)(name[i] - 'A') < 26u));
}

size_t dname_copy_lower(uint8_t *dst, const uint8_t *src)
{
	size_t n = 0;
	while (src[n]) {
		uint8_t l = src[n];
		dst[n] = l;
		for (uint8_t i = 1; i <= l; i++)
			dst[n + i] = lc(src[n + i]);
		n += 1 + (size_t)l;
	}
	dst[n] = 0;
	return n + 1;
}

bool dname_equal(const uint8_t *a, const uint8_t *b)
{
	size_t la = dname_len(a, DNAME_MAX), lb = dname_len(b, DNAME_MAX);
	return la == lb && memcmp(a, b, la) == 0;
}

bool dname_equal_ci(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		if (*a == 0)
			return true;
		uint8_t l = *a;
		for (uint8_t i = 1; i <= l; i++)
			if (lc(a[i]) != lc(b[i]))
				return false;
		a += 1 + l;
		b += 1 + l;
	}
}

bool dname_is_sub(const uint8_t *name, const uint8_t *zone)
{
	unsigned ln = dname_labels(name), lz = dname_labels(zone);
	if (ln < lz)
		return false;
	for (unsigned i = 0; i < ln - lz; i++)
		name += 1 + *name;
	return dname_equal_ci(name, zone);
}

const uint8_t *dname_parent(const uint8_t *name)
{
	return *name ? name + 1 + *name : NULL;
}

bool dname_is_wildcard(const uint8_t *name)
{
	return name[0] == 1 && name[1] == '*';
}

size_t dname_from_text(uint8_t out[DNAME_MAX], const char *text, size_t len,
                       const uint8_t *origin)
{
	size_t o = 0;       /* bytes written to out */
	size_t lab = 0;     /* offset of the current label's length byte */
	size_t i = 0;
	int absolute = 0;

	if (len == 0)
		return 0;
	if (len == 1 && text[0] == '@') {
		if (!origin)
			return 0;
		size_t ol = dname_len(origin, DNAME_MAX);
		if (!ol)
			return 0;
		memcpy(out, origin, ol);
		return ol;
	}
	if (len == 1 && text[0] == '.') {
		out[0] = 0;
		return 1;
	}
	out[0] = 0;
	lab = 0;
	o = 1;
	while (i < len) {
		unsigned char c = (unsigned char)text[i++];
		if (c == '.') {
			size_t l = o - lab - 1;
			if (l == 0)
				return 0;       /* empty label */
			out[lab] = (uint8_t)l;
			if (i == len) {
				absolute = 1;
				break;
			}
			lab = o;
			if (o >= DNAME_MAX)
				return 0;
			out[o++] = 0;
			continue;
		}
		if (c == '\\') {
			if (i >= len)
				return 0;
			if (text[i] >= '0' && text[i] <= '9') {
				if (i + 3 > len)
					return 0;
				unsigned v = 0;
				for (int k = 0; k < 3; k++) {
					char d = text[i + (size_t)k];
					if (d < '0' || d > '9')
						return 0;
					v = v * 10 + (unsigned)(d - '0');
				}
				if (v > 255)
					return 0;
				c = (unsigned char)v;
				i += 3;
			} else {
				c = (unsigned char)text[i++];
			}
		}
		if (o - lab - 1 >= DLABEL_MAX || o >= DNAME_MAX - 1)
			return 0;
		out[o++] = c;
	}
	if (!absolute) {
		size_t l = o - lab - 1;
		if (l == 0)
			return 0;
		out[lab] = (uint8_t)l;
		if (!origin)
			return 0;
		size_t ol = dname_len(origin, DNAME_MAX);
		if (!ol || o + ol > DNAME_MAX)
			return 0;
		memcpy(out + o, origin, ol);
		return o + ol;
	}
	if (o + 1 > DNAME_MAX)
		return 0;
	out[o++] = 0;
	return o;
}

int dname_to_text(const uint8_t *name, char *out, size_t cap)
{
	size_t o = 0;
	if (cap < 2)
		return -1;
	if (*name == 0) {
		out[0] = '.';
		out[1] = 0;
		return 1;
	}
	while (*name) {
		uint8_t l = *name;
		for (uint8_t i = 1; i <= l; i++) {
			uint8_t c = name[i];
			if (c <= 0x20 || c >= 0x7f) {
				if (o + 4 >= cap)
					return -1;
				snprintf(out + o, 5, "\\%03u", c);
				o += 4;
			} else {
				int esc = c == '.' || c == '\\' || c == '"' || c == ';' ||
				          c == '(' || c == ')' || c == '@' || c == '$';
				if (o + 1 + (size_t)esc >= cap)
					return -1;
				if (esc)
					out[o++] = '\\';
				out[o++] = (char)c;
			}
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = '.';
		name += 1 + l;
	}
	out[o] = 0;
	return (int)o;
}

/* A seeded 64-bit hash in the spirit of wyhash's mixing.  Names are short;
 * we fold 8 bytes at a time. */
static inline uint64_t mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t dname_hash(const uint8_t *name, size_t len, uint64_t seed)
{
	const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull;
	uint64_t h = seed ^ k0 ^ len;
	size_t i = 0;
	while (i + 8 <= len) {
		uint64_t v;
		memcpy(&v, name + i, 8);
		h = mix(h ^ v, k1);
		i += 8;
	}
	uint64_t t = 0;
	for (size_t j = 0; i < len; i++, j++)
		t |= (uint64_t)name[i] << (8 * j);
	h = mix(h ^ t, k1 ^ len);
	return mix(h, k0);
}

int dname_canon_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t ao[128], bo[128];
	unsigned na = 0, nb = 0;
	for (unsigned i = 0; a[i] && na < 128; i += 1u + a[i])
		ao[na++] = (uint8_t)i;
	for (unsigned i = 0; b[i] && nb < 128; i += 1u + b[i])
		bo[nb++] = (uint8_t)i;
	while (na && nb) {
		const uint8_t *x = a + ao[--na], *y = b + bo[--nb];
		size_t n = x[0] < y[0] ? x[0] : y[0];
		int c = memcmp(x + 1, y + 1, n);
		if (c)
			return c;
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return na ? 1 : nb ? -1 : 0;
}
