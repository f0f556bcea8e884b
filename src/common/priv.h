/* Dropping root after the ports are bound (djbdns droproot.c, NSD). */
#ifndef DZ_PRIV_H
#define DZ_PRIV_H

#include <stddef.h>

/* If running as root and `user` is set: set groups, gid, then uid to that
 * user's, and check that root cannot be regained.  Non-root or no user:
 * nothing to do.  0, or DZ_EINVAL/DZ_EIO with a message in err. */
int priv_drop(const char *user, char *err, size_t errlen);

#endif
