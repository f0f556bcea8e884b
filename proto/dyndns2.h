/* The dyndns2 update protocol (shared/reference/dyndns2.md): parsing the
 * query string of GET /nic/update as real clients send it, Basic
 * credentials, addresses, and the reply lines.  No I/O, no allocation: the
 * caller owns every buffer, and every buffer here has a fixed cap. */
#ifndef DZ_DYNDNS2_H
#define DZ_DYNDNS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/name.h"

#define DD2_QUERY_MAX 8192     /* bytes of query string looked at */
#define DD2_HOSTS_MAX 32       /* hostnames kept; more sets too_many */
#define DD2_HOST_TEXT 256      /* one hostname as given, with NUL */
#define DD2_TXT_MAX 4          /* txt= values kept per request */
#define DD2_TXT_LEN 255        /* one TXT value (one <character-string>) */
#define DD2_CRED_LEN 256       /* user name or password, with NUL */
#define DD2_ADDR_TEXT 46       /* INET6_ADDRSTRLEN */
#define DD2_REPLY_MAX 64       /* one reply line, CRLF and NUL included */

/* Reply codes, in the order of the reference's table.  The server writes
 * them and dynzone-update (client/policy.h) reads them: one table serves
 * both. */
enum dd2_code {
	DD2_GOOD, DD2_NOCHG, DD2_BADAUTH, DD2_NOTFQDN, DD2_NOHOST, DD2_NUMHOST,
	DD2_ABUSE, DD2_BADAGENT, DD2_DNSERR, DD2_911,
	DD2_NCODES
};

/* One address: family 4 or 6, the bytes in network order. */
struct dd2_addr {
	uint8_t family;
	uint8_t a[16];
};

/* The addresses of a host: at most one of each family. */
struct dd2_addrs {
	bool has4, has6;
	uint8_t v4[4];
	uint8_t v6[16];
};

/* A parsed update request.  Zero it (dd2_req_init) before use. */
struct dd2_req {
	unsigned nhosts;                       /* hostnames kept */
	bool too_many;                         /* more than DD2_HOSTS_MAX */
	bool hostname_given;                   /* a hostname= parameter was seen */
	struct dd2_addrs addrs;                /* from myip, myipv6, myip6, ipv6 */
	bool addr_given;                       /* any address parameter was present */
	bool prefix_given;                     /* a non-empty ip6lanprefix/ipv6prefix */
	uint8_t prefix[16];                    /* the LAN prefix, host bits zero */
	unsigned prefix_len;                   /* its length (64 if not given) */
	int offline;                           /* -1 not given, 0 NO, 1 YES */
	bool txt_given;                        /* a txt= parameter was present */
	unsigned ntxt;                         /* non-empty txt values kept */
	const char *why;                       /* first problem (static text) */
	/* the text, last: valid up to nhosts and ntxt, and up to the NUL */
	char hosts[DD2_HOSTS_MAX][DD2_HOST_TEXT];
	char txt[DD2_TXT_MAX][DD2_TXT_LEN + 1];
	char user[DD2_CRED_LEN], pass[DD2_CRED_LEN];   /* from the query */
};

/* Empty a request (no hosts, no addresses, offline not given, empty
 * credentials).  Everything above `hosts` is zeroed, not the 10 KiB of
 * text arrays, which are read only as far as they were written. */
void dd2_req_init(struct dd2_req *r);

/* Decode `len` bytes of application/x-www-form-urlencoded text (%XX and
 * '+' for space) into out (cap bytes, NUL written).  DZ_EFORMAT for a bad
 * escape or an encoded NUL, DZ_ESPACE if it does not fit.  *outlen gets
 * the decoded length. */
int dd2_decode(const char *in, size_t len, char *out, size_t cap, size_t *outlen);

/* Parse a raw query string ("hostname=a.b&myip=1.2.3.4", without '?'):
 * split on '&', decode keys and values, and file each with
 * dd2_param.  Returns 0, or DZ_EFORMAT with r->why set for the first value
 * that cannot be taken (a bad address, a bad escape, conflicting
 * addresses, a TXT value over 255 bytes...).  Unknown and legacy
 * parameters (system, wildcard, mx, backmx, ...) are accepted and
 * ignored.  More than DD2_QUERY_MAX bytes is DZ_ELIMIT. */
int dd2_parse_query(struct dd2_req *r, const char *q, size_t len);

/* File one decoded parameter.  Same results as dd2_parse_query. */
int dd2_param(struct dd2_req *r, const char *key, size_t klen,
              const char *val, size_t vlen);

/* Parse one address: IPv4 or IPv6, with an optional "/prefix" (checked,
 * then dropped: the address itself is kept).  IPv4-mapped IPv6 becomes
 * IPv4.  The unspecified and multicast addresses are refused.  0 or
 * DZ_EFORMAT. */
int dd2_addr_parse(const char *s, size_t len, struct dd2_addr *out);

/* Parse an IPv6 prefix ("2001:db8:1:2::/64"; without "/N" the length is
 * 64, the usual LAN prefix).  Bits past the length are cleared.  0, or
 * DZ_EFORMAT for an IPv4 address, a length outside 1..128, or text that
 * is no IPv6 address. */
int dd2_prefix_parse(const char *s, size_t len, uint8_t out[16], unsigned *plen);

/* Why a LAN prefix may not be published, as a short phrase ("ULA",
 * "link-local", "documentation", "not global unicast"), or NULL for a
 * global unicast prefix (2000::/3 outside 2001:db8::/32). */
const char *dd2_prefix_refused(const uint8_t p[16]);

/* An address from a prefix and an interface identifier: the first plen
 * bits of p, the rest from iid. */
void dd2_prefix_join(const uint8_t p[16], unsigned plen, const uint8_t iid[16],
                     uint8_t out[16]);

/* Where an address leads (for the myip policy).  GLOBAL is everything not
 * below. */
enum dd2_scope {
	DD2_GLOBAL = 0,
	DD2_LOOPBACK,      /* 127/8, ::1 */
	DD2_LINKLOCAL,     /* 169.254/16, fe80::/10 */
	DD2_BROADCAST,     /* 255.255.255.255, and "this network" 0/8 */
	DD2_PRIVATE,       /* 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), fc00::/7 (ULA) */
};
enum dd2_scope dd2_addr_scope(const uint8_t *a, int family);
/* The scope's name for messages ("loopback", ...). */
const char *dd2_scope_name(enum dd2_scope s);
/* True if the name is the zone or below it (text, trailing dots optional,
 * any case, whole labels: "xexample.com" is not under "example.com"). */
bool dd2_name_under(const char *name, const char *zone);
/* True if the host name (text, with or without a trailing dot) is under a
 * special-use name of RFC 6761 that never reaches the public DNS: .test,
 * .localhost, .invalid, .example, example.com, example.net, example.org. */
bool dd2_name_special(const char *host);

/* Add an address to a set: a second, different address of the same family
 * is DZ_EEXIST; 0 otherwise. */
int dd2_addrs_add(struct dd2_addrs *set, const struct dd2_addr *a);

/* Write the address set as "v4,v6" (either may be missing; "" if none).
 * Returns the length or -1 if cap is too small. */
int dd2_addrs_text(const struct dd2_addrs *set, char *out, size_t cap);

/* True if both sets hold the same addresses. */
bool dd2_addrs_equal(const struct dd2_addrs *a, const struct dd2_addrs *b);

/* A hostname as a fully qualified name: letters, digits, '-' and '_' in
 * labels of 1..63 bytes, at least two labels, an optional trailing dot.
 * Writes the lowercase wire form and returns its length; 0 if the text is
 * not such a name. */
size_t dd2_hostname(const char *text, size_t len, uint8_t out[DNAME_MAX]);

/* Split an Authorization header value "Basic BASE64(user:pass)" (scheme
 * in any case).  0, or DZ_EFORMAT if it is not Basic or not well formed,
 * DZ_ESPACE if a part does not fit its buffer. */
int dd2_basic_auth(const char *header, char *user, size_t ucap, char *pass,
                   size_t pcap);

/* The word for a code ("good", "badauth", "911"); a static string. */
const char *dd2_code_text(enum dd2_code c);
/* The code whose word is the `n` bytes at `w` (ASCII case-insensitive, as
 * a client reads a reply's first word), or -1 if none is. */
int dd2_code_from_word(const char *w, size_t n);
/* The HTTP status clients understand for a code (200, or 401 for
 * badauth). */
unsigned dd2_code_status(enum dd2_code c);

/* Append one reply line to buf (cap bytes, *len bytes used, kept
 * NUL-terminated): the code, for good and nochg a space and the addresses
 * (when any are set), then CRLF.  0 or DZ_ESPACE (buf unchanged). */
int dd2_reply_line(char *buf, size_t cap, size_t *len, enum dd2_code c,
                   const struct dd2_addrs *addrs);

/* Append "CODE TEXT" and CRLF (a refusal a user can read; clients read
 * the first word).  0 or DZ_ESPACE (buf unchanged). */
int dd2_reply_text(char *buf, size_t cap, size_t *len, enum dd2_code c, const char *text);

#endif
