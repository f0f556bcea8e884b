/* Arrays that grow by doubling. */
#ifndef DZ_GROW_H
#define DZ_GROW_H

#include <stddef.h>

/* Room for one more element in v (n of *cap elements of elem bytes in
 * use; the first allotment is `first` elements): v itself while there is
 * room, else v reallocated to twice its size with *cap updated.  NULL
 * (v untouched and still allocated) when out of memory. */
void *grow_array(void *v, size_t *cap, size_t n, size_t elem, size_t first);

#endif
