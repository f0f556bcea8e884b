/* dynzone tsig new: make a TSIG key line. */
#include <stdio.h>
#include <string.h>

#include "proto/tsig.h"
#include "src/cli/cmd.h"
#include "src/common/rand.h"

int cmd_tsig_new(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *alg_text = "hmac-sha256";
	const struct cmd_opt opts[] = {
		{ "algorithm", 1, &alg_text, NULL, NULL, NULL, 0 },
		{ NULL, 0, NULL, NULL, NULL, NULL, 0 },
	};
	struct tsig_key k;
	enum tsig_alg alg;
	char line[DNAME_MAX * 4 + 2 * TSIG_SECRET_MAX], why[160];
	uint8_t secret[TSIG_SECRET_MAX];
	int np, rc = 1;

	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	if (tsig_alg_parse(alg_text, strlen(alg_text), &alg))
		return cmd_fail("unknown algorithm '%s' (hmac-sha256, hmac-sha384, hmac-sha512, "
		                "hmac-sha224, hmac-sha1, hmac-md5)", alg_text);
	/* the secret: as many random bytes as the hash puts out (RFC 8945 §6) */
	size_t n = tsig_alg_size(alg);
	if (rand_bytes(secret, n))
		return cmd_fail("no random bytes from the kernel");
	/* the name is checked by parsing a line with a stand-in secret */
	if (snprintf(line, sizeof line, "%s %s AAAAAAAAAAAAAAAAAAAAAA==", pos[0],
	             tsig_alg_text(alg)) >= (int)sizeof line ||
	    tsig_key_parse(line, &k, why, sizeof why)) {
		rc = cmd_fail("'%s' is not a valid key name", pos[0]);
		goto out;
	}
	memcpy(k.secret, secret, n);
	k.secret_len = n;
	if (tsig_key_format(&k, line, sizeof line) < 0) {
		rc = cmd_fail("key name too long");
		goto out;
	}
	const char *sec = strrchr(line, ' ') + 1;
	printf("%s\n", line);
	/* the same key for the peers; a comment, so both lines can go to a
	 * tsig-key-file as they are */
	printf("# dig/kdig -y %s:%s:%s   BIND/NSD: key \"%s\" { algorithm %s; secret \"%s\"; };"
	       "   Knot: key: [{id: %s, algorithm: %s, secret: %s}]\n",
	       tsig_alg_text(k.alg), k.text, sec, k.text, tsig_alg_text(k.alg), sec, k.text,
	       tsig_alg_text(k.alg), sec);
	rc = 0;
out:
	explicit_bzero(secret, sizeof secret);
	explicit_bzero(line, sizeof line);
	explicit_bzero(&k, sizeof k);
	return rc;
}
