/* The configuration file of dynzone-update: `key = value` lines, global
 * defaults first, then one `[host NAME]` section per dynamic name.  See
 * dynzone-update(1) for the keys. */
#ifndef DU_CONF_H
#define DU_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONF_NAME_MAX 256    /* a host name as text */
#define CONF_STR_MAX 256     /* paths, user names, interface names */
#define CONF_URL_MAX 512     /* URLs and commands */
#define CONF_TOKEN_MAX 256   /* an update token or password */
#define CONF_HOSTS_MAX 64
#define CONF_LINE_MAX 1024
#define CONF_FILE_MAX (256 * 1024)

struct updproto;

enum src_kind { SRC_OFF, SRC_INTERFACE, SRC_CHECKIP, SRC_COMMAND };

/* Where one address family of a host comes from. */
struct src {
	enum src_kind kind;
	char arg[CONF_URL_MAX];   /* interface name ("" = any), URL or command */
};

struct host_conf {
	char name[CONF_NAME_MAX];          /* the dynamic name, no trailing dot */
	const struct updproto *proto;
	char protocol[32];
	char server[CONF_URL_MAX];         /* base URL of the update server */
	char url[CONF_URL_MAX];            /* template protocol: the URL */
	char path[CONF_STR_MAX];           /* dyndns2: update path */
	char username[CONF_STR_MAX];       /* "" = the host name */
	char token[CONF_TOKEN_MAX];
	char tls_ca[CONF_STR_MAX];         /* "" = the system CA store */
	struct src src[2];                 /* [0] IPv4, [1] IPv6 */
	bool v6_temporary;                 /* prefer temporary IPv6 addresses */
	char lan_prefix[CONF_STR_MAX];     /* LAN interface whose prefix is sent
	                                      as ip6lanprefix ("" = none) */
	bool combined;                     /* both families in one request */
	bool allow_plain;                  /* token over plain HTTP allowed */
	unsigned check_interval;           /* seconds between check-IP asks */
	unsigned timeout;                  /* seconds per HTTP exchange */
	unsigned backoff_min, backoff_max; /* network-error back-off bounds */
	uint64_t ident;                    /* hash of what the server sees */
	uint64_t whole;                    /* hash of every setting */
};

struct conf {
	char cache[CONF_STR_MAX];          /* state cache file */
	size_t nhosts;
	bool inline_token;                 /* a token is in the file itself */
	struct host_conf hosts[CONF_HOSTS_MAX];
};

/* Parse configuration text into `c` (which the caller owns and this fills
 * completely).  On failure returns DZ_EFORMAT (or DZ_ELIMIT for too many
 * hosts, DZ_EIO for an unreadable token-file) and writes a message naming
 * the line into `err`. */
int conf_parse(struct conf *c, const char *text, size_t len,
               char *err, size_t errcap);

/* Read and parse the file at `path`.  Errors as conf_parse, plus DZ_EIO if
 * the file cannot be read and DZ_ELIMIT if it exceeds CONF_FILE_MAX.  Warns
 * if the file holds a token and others may read it. */
int conf_load(struct conf *c, const char *path, char *err, size_t errcap);

/* Overwrite the tokens in `c`. */
void conf_wipe(struct conf *c);

#endif
