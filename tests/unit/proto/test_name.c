#include "proto/name.h"
#include "tests/unit/tap.h"

int main(void)
{
	uint8_t n[DNAME_MAX], origin[DNAME_MAX];
	char txt[1100];

	is_int(dname_from_text(origin, "dyn.example.org.", 16, NULL), 17, "absolute name");
	is_int(dname_from_text(n, "www", 3, origin), 21, "relative name gets origin");
	is_int(dname_from_text(n, "www", 3, NULL), 0, "relative name without origin refused");
	is_int(dname_from_text(n, "@", 1, origin), 17, "@ is the origin");
	is_int(dname_from_text(n, ".", 1, NULL), 1, "root");
	is_int(dname_from_text(n, "a..b.", 5, NULL), 0, "empty label refused");
	is_int(dname_from_text(n, "a\\.b.c.", 7, NULL), 7, "escaped dot stays in the label");
	ok(n[0] == 3 && n[2] == '.', "escaped dot content");
	is_int(dname_from_text(n, "\\065b.", 6, NULL), 4, "decimal escape");
	ok(n[1] == 'A', "decimal escape value");
	is_int(dname_from_text(n, "\\256.", 5, NULL), 0, "escape > 255 refused");
	char l64[80];
	memset(l64, 'x', 64);
	l64[64] = '.';
	is_int(dname_from_text(n, l64, 65, NULL), 0, "64-byte label refused");
	is_int(dname_from_text(n, l64 + 1, 64, NULL), 65, "63-byte label ok");

	dname_from_text(n, "WwW.Dyn.Example.ORG.", 20, NULL);
	ok(dname_equal_ci(n, (const uint8_t *)"\3www\3dyn\7example\3org"), "case-insensitive equal");
	ok(!dname_equal(n, (const uint8_t *)"\3www\3dyn\7example\3org"), "case-sensitive differs");
	ok(dname_is_sub(n, origin), "is below the zone");
	ok(dname_is_sub(origin, origin), "zone is below itself");
	ok(!dname_is_sub(origin, n), "zone is not below a child");
	ok(!dname_is_sub((const uint8_t *)"\3xyn\7example\3org", origin), "sibling is not below");
	is_int(dname_labels(n), 4, "label count");
	dname_lower(n);
	ok(memcmp(n, "\3www\3dyn\7example\3org", 21) == 0, "lowercased");
	ok(dname_hash(n, 21, 7) == dname_hash((const uint8_t *)"\3www\3dyn\7example\3org", 21, 7), "hash stable");

	/* the eight-at-a-time lowercasing agrees with the byte one on every
	 * byte value, at every length and alignment of the tail */
	{
		uint8_t all[256], ref[256];
		bool same = true;
		for (size_t len = 0; len <= 24 && same; len++) {
			for (unsigned start = 0; start + len <= 256 && same; start += 7) {
				for (unsigned i = 0; i < len; i++)
					all[i] = ref[i] = (uint8_t)(start + i);
				all[len] = ref[len] = 0xAA;
				dname_lower_len(all, len);
				for (unsigned i = 0; i < len; i++)
					if (ref[i] >= 'A' && ref[i] <= 'Z')
						ref[i] = (uint8_t)(ref[i] + 32);
				same = memcmp(all, ref, len + 1) == 0;
			}
		}
		ok(same, "dname_lower_len lowercases A-Z only, no byte past len");
	}
	ok(dname_hash(n, 21, 7) != dname_hash(n, 21, 8), "hash depends on seed");

	dname_from_text(n, "a\\.b\\032c.example.", 18, NULL);
	dname_to_text(n, txt, sizeof txt);
	is_str(txt, "a\\.b\\032c.example.", "to_text escapes");
	ok(dname_to_text(n, txt, 5) < 0, "to_text reports a short buffer");
	ok(dname_is_wildcard((const uint8_t *)"\1*\3dyn"), "wildcard");
	ok(dname_parent((const uint8_t *)"\0") == NULL, "root has no parent");
	/* RFC 4034 §6.1's example, in canonical order (lowercased) */
	static const char *const canon[] = {
		"example.", "a.example.", "yljkjljk.a.example.", "z.a.example.",
		"zabc.a.example.", "z.example.", "\\001.z.example.", "*.z.example.",
		"\\200.z.example.",
	};
	size_t nc = sizeof canon / sizeof canon[0];
	for (size_t i = 0; i < nc; i++) {
		uint8_t x[DNAME_MAX], y[DNAME_MAX];
		dname_from_text(x, canon[i], strlen(canon[i]), NULL);
		is_int(dname_canon_cmp(x, x), 0, "%s equals itself", canon[i]);
		for (size_t k = i + 1; k < nc; k++) {
			dname_from_text(y, canon[k], strlen(canon[k]), NULL);
			ok(dname_canon_cmp(x, y) < 0 && dname_canon_cmp(y, x) > 0,
			   "%s sorts before %s", canon[i], canon[k]);
		}
	}
	{
		/* dname_lower_copy and dname_eq against the byte-at-a-time
		 * versions, at every length the vector and word paths split at */
		uint8_t src[300], a[300], b[300];
		int bad = 0, eqbad = 0;
		for (size_t len = 1; len <= 255; len++) {
			for (size_t i = 0; i < len; i++)
				src[i] = (uint8_t)("aZ@[`{-9\x80\xC1QmA"[(i * 7 + len) % 14]);
			memset(a, 0xEE, sizeof a);
			dname_lower_copy(a, src, len);
			for (size_t i = 0; i < len; i++)
				b[i] = (uint8_t)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 : src[i]);
			bad += memcmp(a, b, len) != 0 || a[len] != 0xEE;
			eqbad += !dname_eq(a, b, len);
			for (size_t i = 0; i < len; i += 5) {
				b[i] ^= 1;
				eqbad += dname_eq(a, b, len);
				b[i] ^= 1;
			}
		}
		is_int(bad, 0, "dname_lower_copy lowercases A-Z only, every length, writes no further");
		is_int(eqbad, 0, "dname_eq is memcmp's answer at every length and position");
	}
	return tap_done();
}
