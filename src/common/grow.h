/* Arrays that grow by doubling. */
#ifndef DZ_GROW_H
#define DZ_GROW_H

#include <stddef.h>

/* Room for one more element in v (n of *cap elements of elem bytes in
 * use; the first allotment is `first` elements): v itself while there is
 * room, else v reallocated to twice its size with *cap updated.  NULL
 * (v untouched and still allocated) when out of memory. */
void *grow_array(void *v, size_t *cap, size_t n, size_t elem, size_t first);

/* Room for `more` bytes after the `len` bytes in use in v (of *cap bytes;
 * the first allotment is at least `first`): v itself while they fit, else
 * v reallocated to the first doubling of its size that holds them, with
 * *cap updated.  NULL (v untouched and still allocated) when out of
 * memory or the size would overflow. */
void *grow_bytes(void *v, size_t *cap, size_t len, size_t more, size_t first);

#endif
