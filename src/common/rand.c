#include "src/common/rand.h"

#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>

#include "proto/errors.h"

int rand_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return DZ_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

