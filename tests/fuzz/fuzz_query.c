/* libFuzzer: arbitrary packets into the whole answer path (parse, lookup,
 * response assembly), UDP and TCP sizes. */
#include <stdlib.h>

#include "src/dns/answer.h"
#include "tests/unit/zfixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ztable_t *zt;
	static uint8_t out[65535];
	static struct answer_stats st;
	if (!zt) {
		zt_thread_register();
		zt = fx_table();
	}
	size_t n = answer_query(zt, data, size, out, sizeof out, size & 1, &st);
	if (n > sizeof out)
		abort();
	if (n >= 12 && (out[2] & 0x80) == 0)
		abort();   /* every reply has QR set */
	return 0;
}
