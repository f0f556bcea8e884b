/* Where a host's addresses come from: the machine's own interfaces, a
 * check-IP URL, or a command's output; and how one address is chosen. */
#ifndef DU_ADDR_H
#define DU_ADDR_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "proto/errors.h"

#define ADDR_TEXT_MAX 46      /* INET6_ADDRSTRLEN */
#define ADDR_LOCAL_MAX 256    /* addresses of this machine we look at */
#define ADDR_CMD_OUT_MAX 4096 /* what we read of a command's output */

enum {
	ADDR_F_TEMPORARY = 1,   /* IPv6 privacy address (RFC 8981) */
	ADDR_F_DEPRECATED = 2,  /* preferred lifetime over */
	ADDR_F_TENTATIVE = 4,   /* duplicate address detection not done (or failed) */
};

/* One address of this machine. */
struct addr_local {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t a[16];
	unsigned flags;         /* ADDR_F_* */
	unsigned plen;          /* prefix length of the address (its on-link net) */
	char ifname[IF_NAMESIZE];
};

#define ADDR_PREFIX_TEXT_MAX (ADDR_TEXT_MAX + 4)   /* "2001:db8:1:2::/64" */

/* True if the address could be published: not loopback, link-local,
 * unique-local, multicast, unspecified or v4-mapped. */
bool addr_is_global(int family, const uint8_t *a);

/* List this machine's global addresses on interfaces that are up
 * (getifaddrs; on Linux the IPv6 flags come from rtnetlink).  Fills at most
 * `cap` entries into `out` (caller's array) and sets *n.  Returns 0 or
 * DZ_EIO. */
int addr_list_local(struct addr_local *out, size_t cap, size_t *n);

/* A fingerprint of the set of addresses (order does not matter), to tell
 * cheaply whether anything changed. */
uint64_t addr_fingerprint(const struct addr_local *l, size_t n);

/* Choose the address of `family` to publish from `l`: only on `ifname`
 * unless it is NULL or "", never tentative; non-deprecated before
 * deprecated; stable before temporary (or the reverse if `prefer_temp`);
 * among equals `sticky` (the address published last) if present, else the
 * lowest.  Writes the text form into `out`.  Returns 0 or DZ_ENOENT. */
int addr_pick(const struct addr_local *l, size_t n, int family,
              const char *ifname, bool prefer_temp, const char *sticky,
              char *out, size_t cap);

/* The LAN prefix of a router: the on-link prefix ("2001:db8:1:2::/64") of
 * the global IPv6 address addr_pick chooses on `ifname` (the LAN
 * interface; the kernel gives each address its prefix length, netlink's
 * ifa_prefixlen).  Never the WAN address: only `ifname` is looked at.
 * Prefixes longer than /64 or of length 0 are not LAN prefixes.  Writes
 * the text into `out`.  Returns 0 or DZ_ENOENT. */
int addr_lan_prefix(const struct addr_local *l, size_t n, const char *ifname,
                    char *out, size_t cap);

/* Find the first address of `family` in free text (a check-IP reply such
 * as "Current IP Address: 192.0.2.1" or a command's output) and write its
 * canonical text form into `out`.  Returns 0 or DZ_ENOENT. */
int addr_find_text(const char *text, int family, char *out, size_t cap);

/* Ask a check-IP URL over `family` (so the server sees that family's
 * address) and find the address in its reply.  Returns 0, DZ_ENOENT if
 * the reply holds none, or the error of http_get(); `why` explains. */
int addr_checkip(const char *url, int family, unsigned timeout,
                 const char *ca_file, char *out, size_t cap,
                 char *why, size_t whycap);

/* Run `cmd` with /bin/sh -c, stdin from /dev/null, and find the first
 * address of `family` in its standard output (at most ADDR_CMD_OUT_MAX
 * bytes read; killed after `timeout` seconds).  Returns 0, DZ_ENOENT if it
 * printed none, or DZ_EIO if it could not run, failed or timed out. */
int addr_command(const char *cmd, int family, unsigned timeout,
                 char *out, size_t cap, char *why, size_t whycap);

#endif
