/* rtnetlink (Linux): address change notifications, and the IPv6 address
 * flags that getifaddrs() does not report.  Elsewhere these are stubs. */
#ifndef DU_NETLINK_H
#define DU_NETLINK_H

#include <stddef.h>

#include "addr.h"

/* Open a non-blocking socket subscribed to IPv4 and IPv6 address changes.
 * Returns the descriptor (the caller closes it), DZ_EIO, or DZ_ENOTSUP
 * where there is no rtnetlink. */
int nl_watch_open(void);

/* Read every pending notification on `fd`.  Returns 1 if any was an
 * address change, or if notifications were lost (then anything may have
 * changed), 0 if none was, or DZ_EIO. */
int nl_watch_drain(int fd);

/* Fill in ADDR_F_* flags of the IPv6 entries of `l` from a kernel dump.
 * Returns 0, or DZ_EIO (flags left as they were). */
int nl_addr_flags(struct addr_local *l, size_t n);

#endif
