/* Configuration file and command-line keys. */
#include <stdio.h>

#include "src/common/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/dnsupdate.h"
#include "proto/errors.h"

/* K_TSIG: a key line into tsig_keys; K_TSIGFILE: a file of them.  Both add
 * to the one keyring, on the command line too. */
enum ktype { K_STR, K_INT, K_BOOL, K_ADDRS, K_STRS, K_TSIG, K_TSIGFILE };

#define CONF_MAX_TSIG_KEYS 256
#define TSIG_FILE_MAX_LINES 10000

struct key {
	const char *name;
	enum ktype type;
	size_t off;
	long min, max;           /* K_INT range; K_ADDRS default port */
	const char *help;
};

static int check_allow_update(const char *v, char *err, size_t errlen)
{
	struct dnsupd_rule r;
	char why[200];
	if (!dnsupd_rule_parse(v, &r, why, sizeof why))
		return 0;
	snprintf(err, errlen, "allow-update '%.60s': %.150s", v, why);
	return DZ_EINVAL;
}

#define F(x) offsetof(struct config, x)
static const struct key keys[] = {
	{ "db", K_STR, F(db), 0, 0, "SQLite database file" },
	{ "dns-listen", K_ADDRS, F(dns_listen), 53, 0,
	  "DNS address:port, UDP and TCP (repeatable; [v6]:port)" },
	{ "http-listen", K_ADDRS, F(http_listen), 8053, 0,
	  "HTTP address:port for the update API and dashboard (repeatable)" },
	{ "https-listen", K_ADDRS, F(https_listen), 8443, 0,
	  "HTTPS address:port (repeatable; needs tls-cert and tls-key)" },
	{ "tls-cert", K_STR, F(tls_cert), 0, 0, "PEM certificate chain for HTTPS" },
	{ "tls-key", K_STR, F(tls_key), 0, 0, "PEM private key for HTTPS" },
	{ "log-timestamps", K_BOOL, F(log_timestamps), 0, 0,
	  "yes: start each log line with its UTC time (for plain files; journald adds its own)" },
	{ "log-file", K_STR, F(log_file), 0, 0,
	  "append log lines to this file instead of stderr (opened before dropping "
	  "privileges; SIGHUP reopens it)" },
	{ "user", K_STR, F(user), 0, 0,
	  "after binding, drop root privileges to this user" },
	{ "seccomp", K_BOOL, F(seccomp), 0, 0,
	  "yes: after start-up set no-new-privs and a seccomp system call allow-list "
	  "(a call outside it kills the server)" },
	{ "dns-workers", K_INT, F(dns_workers), 0, 64,
	  "UDP worker threads (0: one per CPU)" },
	{ "tcp-clients", K_INT, F(tcp_clients), 1, 65536,
	  "most concurrent DNS TCP connections" },
	{ "rrl-rate", K_INT, F(rrl_rate), 0, 1000000,
	  "UDP answers a second to one client network (/24, /56) before rate limiting (0: off)" },
	{ "rrl-slip", K_INT, F(rrl_slip), 0, 10,
	  "every Nth rate-limited answer goes out truncated, to retry over TCP (0: drop all)" },
	{ "tcp-max-per-ip", K_INT, F(tcp_max_per_ip), 0, 65536,
	  "most concurrent DNS TCP connections from one client address (IPv6: /64; 0: no cap)" },
	{ "tcp-idle-timeout", K_INT, F(tcp_idle_timeout), 1, 3600,
	  "seconds before an idle DNS TCP connection is closed" },
	{ "sync-interval", K_INT, F(sync_interval), 10, 60000,
	  "milliseconds between checks for changes made by other processes" },
	{ "http-threads", K_INT, F(http_threads), 1, 64,
	  "HTTP threads per listen address" },
	{ "http-max-connections", K_INT, F(http_max_connections), 1, 65536,
	  "most concurrent HTTP connections per listen address" },
	{ "http-max-per-ip", K_INT, F(http_max_per_ip), 0, 65536,
	  "most concurrent HTTP connections per client address (0: no cap)" },
	{ "http-timeout", K_INT, F(http_timeout), 1, 3600,
	  "seconds a client has to send a whole HTTP request (head and body)" },
	{ "http-max-request", K_INT, F(http_max_request), 4096, 1048576,
	  "bytes of HTTP request line and headers (connection memory)" },
	{ "trusted-proxy", K_STRS, F(trusted_proxy), 0, 0,
	  "ADDRESS[/BITS] of a reverse proxy whose X-Forwarded-For is believed (repeatable)" },
	{ "metrics-allow", K_STRS, F(metrics_allow), 0, 0,
	  "ADDRESS[/BITS] that may read /metrics and /healthz (repeatable; default 127.0.0.0/8 "
	  "and ::1)" },
	{ "update-path", K_STRS, F(update_path), 0, 0,
	  "URL path of the update API (repeatable; default /nic/update and /v3/update)" },
	{ "refuse-private", K_STRS, F(refuse_private), 0, 0,
	  "zone whose hosts may not be given private or ULA addresses (repeatable; * for all)" },
	{ "update-name", K_STR, F(update_name), 0, 0,
	  "NAME [ADDRESS...]: publish NAME (A and AAAA), NAME's first label + 4 (A only) "
	  "and + 6 (AAAA only) in dynzone's zone, with the http(s)-listen addresses or "
	  "those given" },
	{ "update-rate-token", K_INT, F(update_rate_token), 0, 1000000,
	  "changing updates per minute per token, sustained (0: no limit; nochg and the "
	  "other half of a dual-stack change are free)" },
	{ "update-burst-token", K_INT, F(update_burst_token), 1, 1000000,
	  "updates per token allowed at once" },
	{ "update-loop-max", K_INT, F(update_loop_max), 0, 1000000,
	  "identical unchanged requests per token inside update-loop-window before they "
	  "count as a loop (0: never)" },
	{ "update-loop-window", K_INT, F(update_loop_window), 1, 86400,
	  "seconds of the update-loop-max window" },
	{ "update-rate-client", K_INT, F(update_rate_client), 0, 1000000,
	  "update and checkip requests per minute per client address (0: no limit)" },
	{ "update-burst-client", K_INT, F(update_burst_client), 1, 1000000,
	  "requests per client address allowed at once" },
	{ "update-max-hosts", K_INT, F(update_max_hosts), 1, 32,
	  "hostnames in one update request (more: numhost)" },
	{ "update-log-days", K_INT, F(update_log_days), 1, 36500,
	  "days the update log is kept" },
	{ "export-cdb", K_STR, F(export_cdb), 0, 0,
	  "tinydns data.cdb to rewrite within a second of every change" },
	{ "export-merge", K_STRS, F(export_merge), 0, 0,
	  "tinydns data file merged into export-cdb (repeatable)" },
	{ "signup", K_STR, F(signup), 0, 0,
	  "dashboard sign-up: open, invite (needs a code from an admin) or closed" },
	{ "signup-zones", K_STRS, F(signup_zones), 0, 0,
	  "zone every dashboard user may create hosts in (repeatable)" },
	{ "signup-max-hosts", K_INT, F(signup_max_hosts), 0, 100000,
	  "hosts per user in each signup-zones zone (0: no cap)" },
	{ "session-lifetime", K_INT, F(session_lifetime), 2, 31536000,
	  "seconds an unused dashboard session stays valid (each use extends it)" },
	{ "tsig-key", K_TSIG, F(tsig_keys), 0, 0,
	  "NAME ALGORITHM BASE64SECRET: a TSIG key (repeatable; see dynzone tsig new)" },
	{ "tsig-key-file", K_TSIGFILE, F(tsig_keys), 0, 0,
	  "file of tsig-key lines, not readable by others (repeatable)" },
	{ "allow-transfer", K_STRS, F(allow_transfer), 0, 0,
	  "ZONE KEYNAME|ADDRESS[/BITS]: who may AXFR/IXFR ZONE (repeatable)" },
	{ "notify", K_STRS, F(notify), 0, 0,
	  "ZONE ADDRESS[:PORT] [KEYNAME]: send NOTIFY there when ZONE changes (repeatable)" },
	{ "xfr-max", K_INT, F(xfr_max), 1, 64,
	  "most concurrent outgoing zone transfers (more are REFUSED)" },
	{ "xfr-timeout", K_INT, F(xfr_timeout), 1, 3600,
	  "seconds a secondary has to take each transfer message" },
	{ "dnssec-validity", K_INT, F(dnssec_validity), 60, 31536000,
	  "seconds a DNSSEC signature is valid from when it is made" },
	{ "dnssec-refresh", K_INT, F(dnssec_refresh), 10, 31536000,
	  "re-sign when fewer seconds than this are left (less than dnssec-validity)" },
	{ "allow-update", K_STRS, F(allow_update), 0, 0,
	  "ZONE KEYNAME NAME-PATTERN TYPE[,TYPE...]: what a TSIG key may change by DNS UPDATE "
	  "(repeatable; NAME-PATTERN name or *.name)" },
};
#undef F

void config_init(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->db = strdup("/var/lib/dynzone/dynzone.db");
	c->dns_workers = 0;
	c->seccomp = true;
	c->tcp_clients = 256;
	c->tcp_max_per_ip = 16;
	c->rrl_rate = 1000;   /* a big resolver farm in one /24 stays under it */
	c->rrl_slip = 2;
	c->tcp_idle_timeout = 10;
	c->sync_interval = 200;
	c->signup_max_hosts = 10;
	c->session_lifetime = 7 * 86400;
	c->http_threads = 2;
	c->http_max_connections = 1024;
	c->http_max_per_ip = 64;
	c->http_timeout = 10;
	c->http_max_request = 16384;
	c->update_rate_token = 6;
	c->update_burst_token = 12;
	c->update_loop_max = 20;
	c->update_loop_window = 60;
	c->update_rate_client = 120;
	c->update_burst_client = 240;
	c->update_max_hosts = 20;
	c->update_log_days = 90;
	c->xfr_max = 4;
	c->xfr_timeout = 10;
	c->dnssec_validity = 14 * 86400;
	c->dnssec_refresh = 7 * 86400;
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		void *p = (char *)c + keys[i].off;
		if (keys[i].type == K_STR) {
			free(*(char **)p);
			*(char **)p = NULL;
		} else if (keys[i].type == K_STRS) {
			struct conf_strs *l = p;
			for (unsigned j = 0; j < l->n; j++)
				free(l->s[j]);
			l->n = 0;
		}
	}
	struct tsig_key *k = (struct tsig_key *)c->tsig_keys.k;
	if (k) {
		explicit_bzero(k, c->tsig_keys.n * sizeof *k);
		free(k);
	}
	c->tsig_keys.k = NULL;
	c->tsig_keys.n = 0;
}

int config_parse_addr(const char *text, int default_port, struct conf_addr *out)
{
	char host[64];
	const char *port = NULL;
	size_t hl;

	memset(out, 0, sizeof *out);
	if (strlen(text) >= sizeof out->text)
		return DZ_EINVAL;
	snprintf(out->text, sizeof out->text, "%s", text);
	if (text[0] == '[') {
		const char *e = strchr(text, ']');
		if (!e)
			return DZ_EINVAL;
		hl = (size_t)(e - text - 1);
		if (hl >= sizeof host)
			return DZ_EINVAL;
		memcpy(host, text + 1, hl);
		host[hl] = 0;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return DZ_EINVAL;
	} else {
		const char *colon = strrchr(text, ':');
		if (colon && strchr(text, ':') == colon) {
			hl = (size_t)(colon - text);
			port = colon + 1;
		} else {
			hl = strlen(text);   /* bare v4, or bare v6 without port */
		}
		if (hl >= sizeof host)
			return DZ_EINVAL;
		memcpy(host, text, hl);
		host[hl] = 0;
	}
	long p = default_port;
	if (port) {
		char *end;
		errno = 0;
		p = strtol(port, &end, 10);
		if (errno || *end || end == port || p < 0 || p > 65535)
			return DZ_EINVAL;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
	if (strcmp(host, "*") == 0)
		snprintf(host, sizeof host, "0.0.0.0");
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		out->len = sizeof *s4;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		out->len = sizeof *s6;
		return 0;
	}
	return DZ_EINVAL;
}

static const struct key *find_key(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Add one "NAME ALGORITHM BASE64SECRET" line to the keyring.  Messages
 * never quote the line: it holds the secret. */
static int tsig_add(struct tsig_keyring *kr, const char *line, char *err, size_t errlen)
{
	struct tsig_key k;
	char why[160];
	int rc = DZ_EINVAL;

	if (tsig_key_parse(line, &k, why, sizeof why)) {
		snprintf(err, errlen, "%s", why);
		goto out;
	}
	if (tsig_keyring_find(kr, k.name)) {
		snprintf(err, errlen, "key %.200s defined twice", k.text);
		goto out;
	}
	if (kr->n >= CONF_MAX_TSIG_KEYS) {
		snprintf(err, errlen, "too many TSIG keys (at most %d)", CONF_MAX_TSIG_KEYS);
		goto out;
	}
	/* grow by one, moving the secrets so no copy is left behind unwiped */
	struct tsig_key *a = malloc((kr->n + 1) * sizeof *a);
	if (!a) {
		rc = DZ_ENOMEM;
		goto out;
	}
	if (kr->n) {
		memcpy(a, kr->k, kr->n * sizeof *a);
		explicit_bzero((void *)kr->k, kr->n * sizeof *a);
	}
	free((void *)kr->k);
	a[kr->n] = k;
	kr->k = a;
	kr->n++;
	rc = 0;
out:
	explicit_bzero(&k, sizeof k);
	return rc;
}

/* Add every key line of a key file (# comments, blank lines).  The file
 * must not be readable or writable by others: it holds secrets. */
static int tsig_file(struct tsig_keyring *kr, const char *path, char *err, size_t errlen)
{
	char line[1024], why[200];
	unsigned lineno = 0;
	struct stat st;
	int rc = DZ_EINVAL;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "tsig-key-file %s: %s", path, strerror(errno));
		return DZ_EINVAL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "tsig-key-file %s: not a regular file", path);
		goto fail;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "tsig-key-file %s: readable or writable by others "
		         "(mode %04o); chmod o-rw it", path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	while (fgets(line, sizeof line, f)) {
		size_t L = strlen(line);
		if (++lineno > TSIG_FILE_MAX_LINES ||
		    (L == sizeof line - 1 && line[L - 1] != '\n')) {
			snprintf(err, errlen, "%s:%u: line too long or too many lines", path, lineno);
			goto fail;
		}
		char *s = trim(line);
		if (*s == 0 || *s == '#')
			continue;
		if (tsig_add(kr, s, why, sizeof why)) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			goto fail;
		}
	}
	rc = 0;
fail:
	explicit_bzero(line, sizeof line);
	fclose(f);
	return rc;
}

/* Set key k from value; `replace_list` clears a list first. */
static int set_value(struct config *c, const struct key *k, const char *v,
                     bool replace_list, char *err, size_t errlen)
{
	void *p = (char *)c + k->off;
	switch (k->type) {
	case K_STR: {
		char *d = strdup(v);
		if (!d)
			return DZ_ENOMEM;
		free(*(char **)p);
		*(char **)p = d;
		return 0;
	}
	case K_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1")) {
			*(bool *)p = true;
		} else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") ||
		           !strcmp(v, "0")) {
			*(bool *)p = false;
		} else {
			snprintf(err, errlen, "%s must be yes or no, not '%s'", k->name, v);
			return DZ_EINVAL;
		}
		return 0;
	case K_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || *end || end == v || n < k->min || n > k->max) {
			snprintf(err, errlen, "%s must be a number from %ld to %ld, not '%s'",
			         k->name, k->min, k->max, v);
			return DZ_EINVAL;
		}
		*(long *)p = n;
		return 0;
	}
	case K_ADDRS: {
		struct conf_addrs *l = p;
		if (replace_list)
			l->n = 0;
		if (l->n >= CONF_MAX_LISTEN) {
			snprintf(err, errlen, "too many %s addresses (at most %d)", k->name,
			         CONF_MAX_LISTEN);
			return DZ_EINVAL;
		}
		if (config_parse_addr(v, (int)k->min, &l->a[l->n])) {
			snprintf(err, errlen, "%s: '%s' is not ADDRESS:PORT or [IPV6]:PORT",
			         k->name, v);
			return DZ_EINVAL;
		}
		l->n++;
		return 0;
	}
	case K_STRS: {
		struct conf_strs *l = p;
		/* rules whose syntax is checked as they are read */
		if (k->off == offsetof(struct config, allow_update) &&
		    check_allow_update(v, err, errlen))
			return DZ_EINVAL;
		if (replace_list) {
			for (unsigned j = 0; j < l->n; j++)
				free(l->s[j]);
			l->n = 0;
		}
		if (l->n >= CONF_MAX_LIST) {
			snprintf(err, errlen, "too many %s values (at most %d)", k->name,
			         CONF_MAX_LIST);
			return DZ_EINVAL;
		}
		if (!(l->s[l->n] = strdup(v)))
			return DZ_ENOMEM;
		l->line[l->n] = 0;
		l->n++;
		return 0;
	}
	case K_TSIG:
		return tsig_add(p, v, err, errlen);
	case K_TSIGFILE:
		return tsig_file(p, v, err, errlen);
	}
	return DZ_EINVAL;
}

int config_load(struct config *c, const char *path, bool must_exist,
                char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned lineno = 0;
	bool seen[sizeof keys / sizeof keys[0]] = { false };

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return DZ_EINVAL;
	}
	c->file = path;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t L = strlen(line);
		if (L == sizeof line - 1 && line[L - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			goto fail;
		}
		char *s = trim(line);
		if (*s == 0 || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			/* not quoted if it may be a key line without its '=' */
			snprintf(err, errlen, "%s:%u: expected 'key = value', got '%.60s'",
			         path, lineno, strncmp(s, "tsig", 4) ? s : "tsig...");
			goto fail;
		}
		*eq = 0;
		char *key = trim(s), *val = trim(eq + 1);
		/* a trailing comment after the value */
		char *hash = strstr(val, " #");
		if (hash) {
			*hash = 0;
			val = trim(val);
		}
		const struct key *k = find_key(key, strlen(key));
		if (!k) {
			snprintf(err, errlen, "%s:%u: unknown key '%.60s'", path, lineno, key);
			goto fail;
		}
		if (*val == 0) {
			snprintf(err, errlen, "%s:%u: %s has no value", path, lineno, key);
			goto fail;
		}
		size_t ki = (size_t)(k - keys);
		if (seen[ki] && (k->type == K_STR || k->type == K_INT)) {
			snprintf(err, errlen, "%s:%u: %s given twice", path, lineno, key);
			goto fail;
		}
		char msg[256];
		if (set_value(c, k, val, !seen[ki], msg, sizeof msg)) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
			goto fail;
		}
		if (k->type == K_STRS) {
			struct conf_strs *l = (struct conf_strs *)((char *)c + k->off);
			l->line[l->n - 1] = lineno;
		}
		seen[ki] = true;
	}
	explicit_bzero(line, sizeof line);   /* it may have held a secret */
	fclose(f);
	return 0;
fail:
	explicit_bzero(line, sizeof line);
	fclose(f);
	return DZ_EINVAL;
}

int config_set_arg(struct config *c, const char *arg, char *err, size_t errlen)
{
	static bool cmdline_seen[sizeof keys / sizeof keys[0]];
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct key *k = find_key(arg, klen);
	if (!k)
		return DZ_ENOENT;
	if (!eq || !eq[1]) {
		snprintf(err, errlen, "--%s needs a value (--%s=VALUE)", k->name, k->name);
		return DZ_EINVAL;
	}
	size_t ki = (size_t)(k - keys);
	char msg[256];
	if (set_value(c, k, eq + 1, !cmdline_seen[ki], msg, sizeof msg)) {
		snprintf(err, errlen, "--%s: %s", k->name, msg);
		return DZ_EINVAL;
	}
	cmdline_seen[ki] = true;
	return 0;
}

int config_check_dnssec(const struct config *c, char *err, size_t errlen)
{
	if (c->dnssec_refresh < c->dnssec_validity)
		return 0;
	snprintf(err, errlen, "dnssec-refresh (%ld) must be less than dnssec-validity (%ld)",
	         c->dnssec_refresh, c->dnssec_validity);
	return DZ_EINVAL;
}

void config_print_keys(FILE *f)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		fprintf(f, "  %-18s %s\n", keys[i].name, keys[i].help);
}
