/* The configuration file; see conf.h and dynzone-update(1). */
#include "conf.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "proto/name.h"
#include "updproto.h"
#include "util.h"

enum ktype { K_STR, K_UINT, K_BOOL, K_SRC4, K_SRC6, K_PREFER, K_TOKEN,
             K_TOKENFILE };

struct key {
	const char *name;
	enum ktype type;
	size_t off;      /* into struct host_conf (or struct conf if global) */
	size_t size;
	unsigned min, max;
};

#define HK(n, t, m) { n, t, offsetof(struct host_conf, m), \
                      sizeof(((struct host_conf *)0)->m), 0, 0 }
#define HU(n, m, lo, hi) { n, K_UINT, offsetof(struct host_conf, m), \
                           sizeof(unsigned), lo, hi }
static const struct key host_keys[] = {
	HK("protocol", K_STR, protocol),
	HK("server", K_STR, server),
	HK("url", K_STR, url),
	HK("update-path", K_STR, path),
	HK("username", K_STR, username),
	HK("token", K_TOKEN, token),
	HK("token-file", K_TOKENFILE, token),
	HK("tls-ca", K_STR, tls_ca),
	HK("ipv4", K_SRC4, src[0]),
	HK("ipv6", K_SRC6, src[1]),
	HK("ipv6-prefer", K_PREFER, v6_temporary),
	HK("lan-prefix", K_STR, lan_prefix),
	HK("combined", K_BOOL, combined),
	HK("allow-plain-http", K_BOOL, allow_plain),
	HU("check-interval", check_interval, 1, 30 * 86400),
	HU("timeout", timeout, 1, 300),
	HU("backoff-min", backoff_min, 1, 86400),
	HU("backoff-max", backoff_max, 1, 7 * 86400),
};
#define NKEYS (sizeof host_keys / sizeof host_keys[0])

struct parser {
	struct conf *c;
	struct host_conf defaults;
	struct host_conf *cur;   /* the section being read, or &defaults */
	unsigned line;
	unsigned sect_line;      /* where the current section began */
	char *err;
	size_t errcap;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = p->line ? snprintf(p->err, p->errcap, "line %u: ", p->line) : 0;
	if (n < 0 || (size_t)n >= p->errcap)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
	va_end(ap);
	return DZ_EFORMAT;
}

static bool eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

static int set_src(struct parser *p, struct src *s, const char *v, size_t n)
{
	static const struct { const char *w; enum src_kind k; } kinds[] = {
		{ "off", SRC_OFF }, { "interface", SRC_INTERFACE },
		{ "checkip", SRC_CHECKIP }, { "command", SRC_COMMAND },
	};
	size_t wl = strcspn(v, " \t");
	const char *arg = v + wl;
	if (wl > n)
		wl = n;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (!eq(v, wl, kinds[i].w))
			continue;
		s->kind = kinds[i].k;
		if (s->kind == SRC_OFF && *arg)
			return fail(p, "'off' takes no argument");
		if (s->kind == SRC_COMMAND && !*arg)
			return fail(p, "'command' needs a command");
		if (s->kind == SRC_INTERFACE && strlen(arg) >= IF_NAMESIZE)
			return fail(p, "interface name too long");
		if (util_copy_str(s->arg, sizeof s->arg, arg) < 0)
			return fail(p, "value too long");
		return 0;
	}
	return fail(p, "address source must be off, interface [NAME], "
	            "checkip [URL] or command CMD");
}

static int read_token_file(struct parser *p, char *dst, size_t cap, const char *path)
{
	char buf[CONF_TOKEN_MAX + 2];
	ssize_t n;
	int err, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fail(p, "token-file %s: %s", path, strerror(errno));
		return DZ_EIO;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		fail(p, "token-file %s: %s", path, strerror(errno));
		return DZ_EIO;
	}
	buf[n] = '\0';
	/* The first line; a file longer than any token fails the copy. */
	size_t len = strcspn(buf, "\r\n");
	err = util_copy(dst, cap, buf, len);
	util_wipe(buf, sizeof buf);
	if (err < 0 || len == 0)
		return fail(p, "token-file %s: %s", path, len ? "token too long" : "empty");
	return 0;
}

static int set_key(struct parser *p, const char *k, size_t kn, const char *v,
                   size_t vn)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *key = &host_keys[i];
		char *dst = (char *)p->cur + key->off;
		unsigned long long u;
		if (!eq(k, kn, key->name))
			continue;
		switch (key->type) {
		case K_STR:
		case K_TOKEN:
			if (util_copy(dst, key->size, v, vn) < 0)
				return fail(p, "%s: value too long", key->name);
			if (key->type == K_TOKEN)
				p->c->inline_token = true;
			return 0;
		case K_TOKENFILE:
			return read_token_file(p, dst, key->size, v);
		case K_UINT:
			if (util_parse_uint(v, vn, key->max, &u) < 0 || u < key->min)
				return fail(p, "%s: want a number of seconds from %u to %u",
				            key->name, key->min, key->max);
			*(unsigned *)(void *)dst = (unsigned)u;
			return 0;
		case K_BOOL:
			if (eq(v, vn, "yes") || eq(v, vn, "true") || eq(v, vn, "1"))
				*(bool *)(void *)dst = true;
			else if (eq(v, vn, "no") || eq(v, vn, "false") || eq(v, vn, "0"))
				*(bool *)(void *)dst = false;
			else
				return fail(p, "%s: want yes or no", key->name);
			return 0;
		case K_PREFER:
			if (eq(v, vn, "stable") || eq(v, vn, "temporary"))
				*(bool *)(void *)dst = eq(v, vn, "temporary");
			else
				return fail(p, "%s: want stable or temporary", key->name);
			return 0;
		case K_SRC4:
		case K_SRC6:
			return set_src(p, (struct src *)(void *)dst, v, vn);
		}
	}
	if (eq(k, kn, "cache")) {
		if (p->cur != &p->defaults)
			return fail(p, "cache belongs before the first [host] section");
		if (util_copy(p->c->cache, sizeof p->c->cache, v, vn) < 0)
			return fail(p, "cache: path too long");
		return 0;
	}
	return fail(p, "unknown key '%.*s'", (int)kn, k);
}

static uint64_t host_ident(const struct host_conf *h)
{
	/* What the server sees of this host: a change here may cure a
	 * badauth or nohost, and means the server's state is unknown. */
	const char *parts[] = { h->name, h->protocol, h->server, h->url, h->path,
	                        h->username, h->token, h->lan_prefix };
	uint64_t id = UTIL_HASH_INIT;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		id = util_hash(id, parts[i], strlen(parts[i]) + 1);
	return util_hash(id, &h->combined, sizeof h->combined);
}

static uint64_t host_whole(const struct host_conf *h)
{
	/* Any change at all: lifts a stop (the user did something). */
	const unsigned nums[] = { h->src[0].kind, h->src[1].kind, h->v6_temporary,
	                          h->allow_plain, h->check_interval, h->timeout,
	                          h->backoff_min, h->backoff_max };
	uint64_t w = util_hash(h->ident, nums, sizeof nums);
	w = util_hash(w, h->src[0].arg, strlen(h->src[0].arg) + 1);
	w = util_hash(w, h->src[1].arg, strlen(h->src[1].arg) + 1);
	return util_hash(w, h->tls_ca, strlen(h->tls_ca) + 1);
}

/* Check the section just read and give it its protocol. */
static int end_host(struct parser *p)
{
	struct host_conf *h = p->cur;
	unsigned line = p->line;
	char msg[200];

	if (h == &p->defaults)
		return 0;
	p->line = p->sect_line;   /* errors below are about the whole section */
	h->proto = updproto_find(h->protocol);
	if (!h->proto)
		return fail(p, "[host %s]: unknown protocol '%s' (known: %s)",
		            h->name, h->protocol, updproto_names());
	if (h->src[0].kind == SRC_OFF && h->src[1].kind == SRC_OFF)
		return fail(p, "[host %s]: ipv4 and ipv6 are both off", h->name);
	for (const char *t = h->token; *t; t++)
		if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7f)
			return fail(p, "[host %s]: the token has a space or control "
			            "character", h->name);
	if (h->backoff_max < h->backoff_min)
		h->backoff_max = h->backoff_min;
	msg[0] = '\0';
	if (h->proto->prepare(h, msg, sizeof msg) < 0)
		return fail(p, "[host %s]: %s", h->name, msg);
	for (int f = 0; f < 2; f++) {
		struct src *s = &h->src[f];
		struct url u;
		if (s->kind != SRC_CHECKIP)
			continue;
		if (!*s->arg) {
			/* dynzone's own check-IP service on the update server. */
			textbuf_t b;
			size_t sl = strlen(h->server);
			if (!*h->server)
				return fail(p, "[host %s]: checkip needs a URL (no server "
				            "is set)", h->name);
			while (sl > 0 && h->server[sl - 1] == '/')
				sl--;
			textbuf_init(&b, s->arg, sizeof s->arg);
			textbuf_add(&b, h->server, sl);
			textbuf_str(&b, "/checkip");
			if (b.err)
				return fail(p, "[host %s]: server URL too long", h->name);
		}
		if (http_parse_url(s->arg, &u) < 0)
			return fail(p, "[host %s]: bad check-IP URL '%s'", h->name, s->arg);
	}
	h->ident = host_ident(h);
	h->whole = host_whole(h);
	p->line = line;
	return 0;
}

static int begin_host(struct parser *p, const char *s, size_t n)
{
	uint8_t wire[DNAME_MAX];
	char name[CONF_NAME_MAX + 1];
	struct host_conf *h;

	if (n < 6 || memcmp(s, "host ", 5) != 0)
		return fail(p, "sections are [host NAME]");
	s += 5;
	n -= 5;
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || util_copy(name, sizeof name - 1, s, n) < 0)
		return fail(p, "bad host name");
	for (size_t i = 0; i < n; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	name[n] = '.';
	name[n + 1] = '\0';
	if (dname_from_text(wire, name, n + 1, NULL) == 0 || memchr(name, '\\', n))
		return fail(p, "bad host name '%.*s'", (int)n, s);
	name[n] = '\0';
	for (size_t i = 0; i < p->c->nhosts; i++)
		if (strcmp(p->c->hosts[i].name, name) == 0)
			return fail(p, "host %s appears twice", name);
	if (p->c->nhosts == CONF_HOSTS_MAX) {
		fail(p, "more than %d hosts", CONF_HOSTS_MAX);
		return DZ_ELIMIT;
	}
	h = &p->c->hosts[p->c->nhosts++];
	*h = p->defaults;
	memcpy(h->name, name, n + 1);
	p->cur = h;
	p->sect_line = p->line;
	return 0;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

int conf_parse(struct conf *c, const char *text, size_t len, char *err,
               size_t errcap)
{
	struct parser p = { .c = c, .err = err, .errcap = errcap };
	const char *s = text, *end = text + len;
	int ret;

	memset(c, 0, offsetof(struct conf, hosts));
	p.defaults = (struct host_conf){
		.protocol = "dyndns2",
		.src = { { .kind = SRC_CHECKIP }, { .kind = SRC_INTERFACE } },
		.combined = true,
		.check_interval = 1800,
		.timeout = 30,
		.backoff_min = 60,
		.backoff_max = 3600,
	};
	p.cur = &p.defaults;
	err[0] = '\0';
	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s)), *next;
		if (!e)
			e = end;
		next = e + 1;
		p.line++;
		if ((size_t)(e - s) >= CONF_LINE_MAX)
			return fail(&p, "line too long");
		if (memchr(s, '\0', (size_t)(e - s)))
			return fail(&p, "NUL byte");
		trim(&s, &e);
		if (s == e || *s == '#' || *s == ';') {
			s = next;
			continue;
		}
		if (*s == '[') {
			if (e[-1] != ']')
				return fail(&p, "missing ']'");
			ret = end_host(&p);
			if (ret == 0)
				ret = begin_host(&p, s + 1, (size_t)(e - s - 2));
		} else {
			const char *eqs = memchr(s, '=', (size_t)(e - s));
			const char *ke, *vs;
			if (!eqs)
				return fail(&p, "expected key = value");
			ke = eqs;
			vs = eqs + 1;
			trim(&s, &ke);
			trim(&vs, &e);
			char val[CONF_LINE_MAX];
			memcpy(val, vs, (size_t)(e - vs));
			val[e - vs] = '\0';
			ret = set_key(&p, s, (size_t)(ke - s), val, (size_t)(e - vs));
			util_wipe(val, sizeof val);
		}
		if (ret < 0)
			return ret;
		s = next;
	}
	ret = end_host(&p);
	p.line = 0;
	if (ret == 0 && c->nhosts == 0)
		ret = fail(&p, "no [host NAME] section");
	util_wipe(&p.defaults, sizeof p.defaults);
	return ret;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errcap)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = DZ_EIO;

	if (fd < 0) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return DZ_EIO;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		goto fail;
	}
	ret = DZ_ELIMIT;
	if (st.st_size > CONF_FILE_MAX) {
		snprintf(err, errcap, "%s: larger than %d bytes", path, CONF_FILE_MAX);
		goto fail;
	}
	ret = DZ_ENOMEM;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errcap, "out of memory");
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errcap, "%s: read failed", path);
			ret = DZ_EIO;
			goto fail;
		}
		len += (size_t)n;
	}
	ret = conf_parse(c, buf, len, err, errcap);
	if (ret == 0 && c->inline_token && (st.st_mode & 0044))
		log_warn("%s holds a token and others may read it (chmod 600, or "
		         "use token-file)", path);
fail:
	if (buf) {
		util_wipe(buf, len);
		free(buf);
	}
	close(fd);
	return ret;
}

void conf_wipe(struct conf *c)
{
	for (size_t i = 0; i < c->nhosts; i++)
		util_wipe(c->hosts[i].token, sizeof c->hosts[i].token);
}
