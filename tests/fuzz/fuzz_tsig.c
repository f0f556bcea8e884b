/* libFuzzer: arbitrary messages into the TSIG parser and the request
 * check, and a verified ctx through the reply signer (the seed corpus
 * holds a request dig signed with the key below). */
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/tsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tsig_key key;
	static uint8_t out[65535 + TSIG_RR_MAX];
	char err[100];
	if (!key.secret_len &&
	    tsig_key_parse("vector.key. hmac-sha256 c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==",
	                   &key, err, sizeof err))
		abort();
	struct tsig_keyring kr = { 1, &key };
	struct tsig_rr rr;
	struct tsig_ctx ctx;
	if (size > 65535 || tsig_find(data, size, &rr) != 1)
		return 0;
	if (rr.off > size || rr.mac_len > TSIG_MAC_MAX || rr.other_len > sizeof rr.other)
		abort();
	int rc = tsig_verify_request(data, size, &rr, &kr, rr.time, &ctx);
	if (rc != 0 && rc != TSIG_BADKEY && rc != TSIG_BADSIG && rc != TSIG_BADTRUNC)
		abort();   /* at its own time it is never BADTIME */
	/* sign the message back (as a reply) and check the result parses */
	size_t n = rr.off < 12 ? 12 : rr.off;
	memcpy(out, data, n);
	if (tsig_sign_reply(&ctx, out, &n, sizeof out, rr.time) == 0 &&
	    tsig_find(out, n, &rr) != 1 && out[10] == 0 && out[11] == 1)
		abort();
	return 0;
}
