/* Arrays and byte buffers that grow by doubling. */
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

void *grow_bytes(void *v, size_t *cap, size_t len, size_t more, size_t first)
{
	if (more > SIZE_MAX - len)
		return NULL;
	size_t need = len + more;
	if (need <= *cap)
		return v;
	size_t nc = *cap ? *cap : first ? first : 1;
	while (nc < need) {
		if (nc > SIZE_MAX / 2)
			return NULL;
		nc *= 2;
	}
	void *nv = realloc(v, nc);
	if (nv)
		*cap = nc;
	return nv;
}
