/* Random bytes from the kernel's CSPRNG (getrandom). */
#ifndef DZ_RAND_H
#define DZ_RAND_H

#include <stddef.h>

/* Fill buf with len random bytes.  0 or DZ_EIO (getrandom failed). */
int rand_bytes(void *buf, size_t len);

#endif
