/* libFuzzer target for what dynzone-update reads from outside: HTTP
 * replies (and the dyndns2 words and addresses in them), URLs, free text
 * with addresses, and its own cache file (which must reach a fixed point:
 * format(parse(x)) parses back to the same text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "client/addr.h"
#include "client/cache.h"
#include "client/http.h"
#include "client/updproto.h"

static struct cache c1, c2;
static char f1[CACHE_FILE_MAX], f2[CACHE_FILE_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_resp r;
	struct url u;
	char out[ADDR_TEXT_MAX], *s;
	size_t l1, l2;

	if (http_parse_response((const char *)data, size, 1000000000, &r) == 0) {
		(void)updproto_dyndns2_reply(&r);
		(void)addr_find_text(r.body, AF_INET, out, sizeof out);
		(void)addr_find_text(r.body, AF_INET6, out, sizeof out);
	}
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)http_parse_url(s, &u);
	(void)addr_find_text(s, AF_INET, out, sizeof out);
	(void)addr_find_text(s, AF_INET6, out, sizeof out);
	free(s);

	cache_parse(&c1, (const char *)data, size);
	if (cache_format(&c1, f1, sizeof f1, &l1) == 0) {
		cache_parse(&c2, f1, l1);
		if (cache_format(&c2, f2, sizeof f2, &l2) != 0 || l1 != l2 ||
		    memcmp(f1, f2, l1) != 0)
			abort();   /* the cache does not read back what it wrote */
	}
	return 0;
}
