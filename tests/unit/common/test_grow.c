/* Unit tests for src/common/grow.c: arrays and byte buffers that grow by
 * doubling (the zone table loader's RDATA, the signer's name lists and a
 * record delete's rows all grow through it). */
#include <stdint.h>
#include <stdlib.h>

#include "src/common/grow.h"
#include "tests/unit/tap.h"

int main(void)
{
	size_t cap = 0;
	uint8_t *b = grow_bytes(NULL, &cap, 0, 10, 512);
	ok(b && cap == 512, "the first allotment is `first` when that holds it (%zu)", cap);
	uint8_t *same = grow_bytes(b, &cap, 500, 12, 512);
	ok(same == b && cap == 512, "while it fits: the same buffer");
	b = grow_bytes(b, &cap, 500, 13, 512);
	ok(b && cap == 1024, "one byte over: doubled (%zu)", cap);
	b = grow_bytes(b, &cap, 1000, 5000, 512);
	ok(b && cap == 8192, "far over: the first doubling that holds it (%zu)", cap);
	size_t c2 = 0;
	uint8_t *big = grow_bytes(NULL, &c2, 0, 3000, 512);
	ok(big && c2 == 4096, "a first request over `first` doubles from it (%zu)", c2);
	free(big);
	size_t before = cap;
	ok(grow_bytes(b, &cap, 10, SIZE_MAX - 5, 512) == NULL && cap == before,
	   "a size that would overflow: NULL, the buffer and its size kept");
	free(b);

	size_t acap = 0;
	int *a = grow_array(NULL, &acap, 0, sizeof *a, 16);
	ok(a && acap == 16, "an array's first allotment");
	ok(grow_array(a, &acap, 15, sizeof *a, 16) == a, "room left: the same array");
	a = grow_array(a, &acap, 16, sizeof *a, 16);
	ok(a && acap == 32, "full: doubled");
	free(a);
	return tap_done();
}
