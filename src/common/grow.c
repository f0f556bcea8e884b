/* Arrays that grow by doubling. */
#include "src/common/grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_array(void *v, size_t *cap, size_t n, size_t elem, size_t first)
{
	if (n < *cap)
		return v;
	size_t nc = *cap ? 2 * *cap : first;
	if (nc > SIZE_MAX / elem)
		return NULL;
	void *nv = realloc(v, nc * elem);
	if (nv)
		*cap = nc;
	return nv;
}
