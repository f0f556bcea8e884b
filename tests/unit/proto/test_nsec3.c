/* proto/nsec3.c: the hashes of RFC 5155 Appendix A (salt aabbccdd, 12
 * iterations), an unsalted zero-iteration hash as dnssec-signzone made it,
 * owner names, and the NSEC3PARAM reader's limits. */
#include "proto/nsec3.h"

#include <string.h>

#include "proto/errors.h"
#include "tests/unit/tap.h"

static const struct {
	const char *name, *owner;
} rfc5155[] = {
	{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example." },
	{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl.example." },
	{ "ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi.example." },
	{ "ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example." },
	{ "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en.example." },
};

int main(void)
{
	static const uint8_t param[] = { 1, 0, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd };
	struct nsec3_param p;
	uint8_t apex[DNAME_MAX], name[DNAME_MAX], owner[DNAME_MAX];
	char text[DNAME_MAX * 4];

	is_int(nsec3_param_read(param, sizeof param, &p), 0, "NSEC3PARAM 1 0 12 aabbccdd reads");
	ok(p.alg == 1 && p.iterations == 12 && p.saltlen == 4 && p.salt == param + 5,
	   "its fields");
	dname_from_text(apex, "example.", 8, NULL);
	for (size_t i = 0; i < sizeof rfc5155 / sizeof rfc5155[0]; i++) {
		dname_from_text(name, rfc5155[i].name, strlen(rfc5155[i].name), NULL);
		size_t n = nsec3_owner(name, apex, &p, owner);
		is_int((long)n, 33 + 9, "%s: owner length", rfc5155[i].name);
		dname_to_text(owner, text, sizeof text);
		is_str(text, rfc5155[i].owner, "%s hashes as in RFC 5155 Appendix A", rfc5155[i].name);
	}

	/* dnssec-signzone -3 - (no salt, 0 iterations) on dyn.test */
	static const uint8_t none[] = { 1, 0, 0, 0, 0 };
	is_int(nsec3_param_read(none, sizeof none, &p), 0, "NSEC3PARAM 1 0 0 - reads");
	dname_from_text(apex, "dyn.test.", 9, NULL);
	nsec3_owner(apex, apex, &p, owner);
	dname_to_text(owner, text, sizeof text);
	is_str(text, "qltos2gte4o604km1gb01nqml09cg10u.dyn.test.", "dyn.test. with no salt, no iterations");

	static const uint8_t sha2[] = { 2, 0, 0, 0, 0 };
	is_int(nsec3_param_read(sha2, sizeof sha2, &p), DZ_EINVAL, "unknown hash algorithm refused");
	static const uint8_t many[] = { 1, 0, 0x01, 0x00, 0 };
	is_int(nsec3_param_read(many, sizeof many, &p), DZ_EINVAL, "256 iterations refused");
	static const uint8_t shortsalt[] = { 1, 0, 0, 0, 2, 0xaa };
	is_int(nsec3_param_read(shortsalt, sizeof shortsalt, &p), DZ_EFORMAT, "salt past the end refused");
	is_int(nsec3_param_read(none, 4, &p), DZ_EFORMAT, "short RDATA refused");
	return tap_done();
}
