/* proto/iptext: every address it writes must be what inet_ntop writes. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proto/iptext.h"
#include "tests/unit/tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* One address against inet_ntop; prints the first few that differ. */
static int differs6(const uint8_t a[16])
{
	char want[INET6_ADDRSTRLEN], got[IPTEXT_MAX + 8];
	memset(got, 'x', sizeof got);
	inet_ntop(AF_INET6, a, want, sizeof want);
	size_t n = ip6_text(a, got);
	if (strcmp(got, want) == 0 && n == strlen(want))
		return 0;
	printf("# ip6_text wrote \"%s\" (%zu), inet_ntop \"%s\"\n", got, n, want);
	return 1;
}

int main(void)
{
	char t[IPTEXT_MAX];
	uint8_t a[16];

	/* IPv4: every first octet with a spread of others */
	unsigned bad4 = 0;
	for (unsigned i = 0; i < (1u << 20); i++) {
		char want[INET_ADDRSTRLEN];
		uint32_t v = i < 65536 ? i * 65537u : next();
		memcpy(a, &v, 4);
		inet_ntop(AF_INET, a, want, sizeof want);
		if (ip4_text(a, t) != strlen(want) || strcmp(t, want))
			bad4++;
	}
	is_int(bad4, 0, "ip4_text equals inet_ntop for 1M addresses, 0.0.0.0 to 255.255.255.255");
	ip4_text((const uint8_t[]){ 255, 255, 255, 255 }, t);
	is_str(t, "255.255.255.255", "the longest IPv4 text");

	/* IPv6: every pattern of zero and non-zero groups (256), each
	 * with non-zero groups of every hex width and 0xffff, so runs,
	 * ties, leading and trailing runs and the dotted forms all occur */
	unsigned bad6 = 0, n6 = 0;
	static const unsigned vals[] = { 1, 0xa, 0xab, 0xabc, 0xabcd, 0xffff, 0x100, 0x1000 };
	for (unsigned mask = 0; mask < 256; mask++) {
		for (unsigned k = 0; k < 64; k++) {
			for (int g = 0; g < 8; g++) {
				unsigned w = 0;
				if (mask & (1u << g))
					w = k < 8 ? vals[(k + (unsigned)g) % 8] : (next() & 0xffff) | 1;
				a[2 * g] = (uint8_t)(w >> 8);
				a[2 * g + 1] = (uint8_t)w;
			}
			if (bad6 < 5)
				bad6 += (unsigned)differs6(a);
			n6++;
		}
	}
	/* and random addresses: mostly zero bytes, then any */
	for (unsigned i = 0; i < 200000; i++) {
		for (int b = 0; b < 16; b++)
			a[b] = i & 1 ? (uint8_t)next() : (next() % 4 ? 0 : (uint8_t)next());
		if (bad6 < 5)
			bad6 += (unsigned)differs6(a);
		n6++;
	}
	ok(bad6 == 0, "ip6_text equals inet_ntop for %u addresses", n6);

	static const struct { const char *text; } cases[] = {
		{ "::" }, { "::1" }, { "1::" }, { "::ffff:1.2.3.4" }, { "::1.2.3.4" },
		{ "::ffff:0:1.2.3.4" }, { "2001:db8::1" }, { "2001:db8:0:1:1:1:1:1" },
		{ "1:0:0:2::3" }, { "1::2:0:0:3" }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
		{ "::ffff:255.255.255.255" }, { "fe80::1:2" }, { "0:1::" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		inet_pton(AF_INET6, cases[i].text, a);
		char want[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, a, want, sizeof want);
		size_t n = ip6_text(a, t);
		is_str(t, want, "%s is written as inet_ntop writes it", cases[i].text);
		ok(n == strlen(want) && n < IPTEXT_MAX, "%s: length %zu", cases[i].text, n);
	}
	return tap_done();
}
