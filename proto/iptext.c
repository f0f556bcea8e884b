/* Addresses as text (proto/iptext.h). */
#include "proto/iptext.h"

static char *dec8(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		*p++ = (char)('0' + v / 10);
	} else if (v >= 10) {
		*p++ = (char)('0' + v / 10);
	}
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *dotted(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = dec8(p, a[i]);
	}
	return p;
}

size_t ip4_text(const uint8_t a[4], char *out)
{
	char *p = dotted(out, a);
	*p = 0;
	return (size_t)(p - out);
}

size_t ip6_text(const uint8_t a[16], char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, best_len = 0;
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* the longest run of zero groups, the first of equal ones */
	for (int i = 0; i < 8;) {
		if (w[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !w[j])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	if (best_len < 2)
		best = -1;
	char *p = out;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			i += best_len - 1;
			if (i == 7)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		/* an IPv4-compatible or -mapped address ends dotted */
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			p = dotted(p, a + 12);
			break;
		}
		int shift = w[i] >= 0x1000 ? 12 : w[i] >= 0x100 ? 8 : w[i] >= 0x10 ? 4 : 0;
		for (; shift >= 0; shift -= 4)
			*p++ = hex[(w[i] >> shift) & 15];
	}
	*p = 0;
	return (size_t)(p - out);
}
