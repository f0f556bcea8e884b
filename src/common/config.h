/* Configuration: `key = value` lines with `#` comments, and the same keys as
 * `--key=value` on the command line (which win over the file; a list key
 * given on the command line replaces the file's list).  Adding a key is
 * one field here and one line in config.c's table. */
#ifndef DZ_CONFIG_H
#define DZ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "proto/tsig.h"

#define CONF_MAX_LISTEN 16
#define CONF_MAX_LIST 32

struct conf_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];            /* as written, for messages */
};

struct conf_addrs {
	unsigned n;
	struct conf_addr a[CONF_MAX_LISTEN];
};

struct conf_strs {
	unsigned n;
	char *s[CONF_MAX_LIST];
	unsigned line[CONF_MAX_LIST];  /* config file line of each (0: command line) */
};

struct config {
	char *db;                     /* SQLite database file */
	struct conf_addrs dns_listen; /* UDP and TCP */
	struct conf_addrs http_listen;
	struct conf_addrs https_listen;
	char *tls_cert, *tls_key;
	char *user;                   /* drop privileges to this user */
	bool log_timestamps;          /* UTC time first on each log line */
	char *log_file;               /* log here instead of stderr (SIGHUP reopens) */
	bool seccomp;                 /* no-new-privs + syscall allow-list after start-up */
	long dns_workers;             /* UDP worker threads (0: one per CPU) */
	long tcp_clients;             /* cap on concurrent TCP connections */
	long tcp_max_per_ip;          /* ... from one client address (0: none) */
	long rrl_rate, rrl_slip;      /* response rate limiting (rate 0: off) */
	long tcp_idle_timeout;        /* seconds */
	long sync_interval;           /* ms between store change checks */
	/* HTTP service and update API */
	long http_threads;            /* pool threads per listen address */
	long http_max_connections;    /* per listen address */
	long http_max_per_ip;         /* connections per client address (0: no cap) */
	long http_timeout;            /* seconds of inactivity */
	long http_max_request;        /* bytes of request line + headers */
	struct conf_strs trusted_proxy;  /* ADDRESS[/BITS]: X-Forwarded-For believed */
	struct conf_strs metrics_allow;  /* ADDRESS[/BITS]: may read /metrics, /healthz */
	struct conf_strs update_path; /* update URL paths (none: /nic/update, /v3/update) */
	struct conf_strs refuse_private; /* zones whose hosts may not get private/ULA addresses */
	char *update_name;            /* NAME [ADDR...]: single-family update names */
	long update_rate_token, update_burst_token;    /* per minute; 0: no limit */
	long update_loop_max, update_loop_window; /* identical nochg requests per seconds */
	long update_rate_client, update_burst_client;
	long update_max_hosts;        /* hostnames per request (more: numhost) */
	long update_log_days;         /* update log rows kept */
	char *export_cdb;             /* tinydns data.cdb rewritten on every change */
	struct conf_strs export_merge; /* tinydns data files merged into it */
	/* dashboard */
	char *signup;                 /* open | invite | closed */
	struct conf_strs signup_zones; /* zones every user may create hosts in */
	long signup_max_hosts;        /* hosts per user in each of those (0: no cap) */
	long session_lifetime;        /* seconds a dashboard session lives unused */
	/* DNS UPDATE: "ZONE KEYNAME NAME-PATTERN TYPE[,TYPE...]" rules,
	 * parsed and checked against tsig_keys by src/dns/ddns.c */
	struct conf_strs allow_update;
	/* DNS interfaces (RFC 8945 TSIG keys, for transfers, NOTIFY, UPDATE):
	 * filled from tsig-key and tsig-key-file; the array is the config's */
	struct tsig_keyring tsig_keys;
	/* zone transfers out and NOTIFY (src/xfr/) */
	struct conf_strs allow_transfer; /* ZONE KEYNAME|ADDRESS[/BITS] */
	struct conf_strs notify;      /* ZONE ADDRESS[:PORT] [KEYNAME] */
	long xfr_max;                 /* concurrent outgoing transfers */
	long xfr_timeout;             /* seconds a secondary has to take a message */
	/* DNSSEC signatures (src/db/signer.h): valid this long, re-made
	 * when less than dnssec_refresh is left */
	long dnssec_validity, dnssec_refresh;
	const char *file;             /* the config file read, or NULL */
};

/* Defaults. */
void config_init(struct config *c);
/* Read a config file.  A missing file is an error only if `must_exist`.
 * On error returns DZ_EINVAL with "FILE:LINE: problem" in err. */
int config_load(struct config *c, const char *path, bool must_exist,
                char *err, size_t errlen);
/* Apply one "--key=value" (without the dashes: "key=value").  DZ_EINVAL
 * with a message on error; DZ_ENOENT if key is not a config key. */
int config_set_arg(struct config *c, const char *arg, char *err, size_t errlen);
/* Parse "1.2.3.4:53", "[::1]:53" or a bare address (then default_port). */
int config_parse_addr(const char *text, int default_port, struct conf_addr *out);
/* The keys that must agree with each other: dnssec-refresh below
 * dnssec-validity.  0, or DZ_EINVAL with a message naming both. */
int config_check_dnssec(const struct config *c, char *err, size_t errlen);
/* Print every key with a one-line description (for --help). */
void config_print_keys(FILE *f);
void config_free(struct config *c);

#endif
