/* The state cache file; see cache.h. */
#include "cache.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define CACHE_MAGIC "# dynzone-update cache 1\n"

struct cache_entry *cache_entry(struct cache *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].name, name) == 0)
			return &c->e[i];
	if (c->n == CONF_HOSTS_MAX)
		return NULL;
	struct cache_entry *e = &c->e[c->n];
	memset(e, 0, sizeof *e);
	if (util_copy_str(e->name, sizeof e->name, name) < 0)
		return NULL;
	c->n++;
	return e;
}

/* ---- text form ----------------------------------------------------------- */

enum ftype { F_STR_ADDR, F_STR_WORD, F_U64HEX, F_I64, F_U32, F_INT };

struct field {
	const char *key;
	enum ftype type;
	size_t off;
	size_t size;   /* for strings */
	int family;    /* for addresses */
};

#define FLD(k, t, m, fam) { k, t, offsetof(struct cache_entry, m), \
                            sizeof(((struct cache_entry *)0)->m), fam }
static const struct field fields[] = {
	FLD("ident", F_U64HEX, ident, 0),
	FLD("conf", F_U64HEX, whole, 0),
	FLD("v4", F_STR_ADDR, addr[0], AF_INET),
	FLD("v6", F_STR_ADDR, addr[1], AF_INET6),
	FLD("seen4", F_STR_ADDR, seen[0], AF_INET),
	FLD("seen6", F_STR_ADDR, seen[1], AF_INET6),
	FLD("cnext4", F_I64, cnext[0], 0),
	FLD("cnext6", F_I64, cnext[1], 0),
	FLD("cfails4", F_U32, cfails[0], 0),
	FLD("cfails6", F_U32, cfails[1], 0),
	FLD("fp", F_U64HEX, fp, 0),
	FLD("pfx", F_STR_WORD, prefix, 0),
	FLD("fails", F_U32, pol.fails, 0),
	FLD("next", F_I64, pol.next, 0),
	FLD("hold", F_INT, pol.hold, 0),
	FLD("stop", F_STR_WORD, pol.stop, 0),
	FLD("last", F_STR_WORD, pol.last, 0),
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static void format_entry(textbuf_t *b, const struct cache_entry *e)
{
	textbuf_fmt(b, "host %s", e->name);
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		const char *p = (const char *)e + f->off;
		int64_t i64;
		uint64_t u64;
		uint32_t u32;
		int iv;
		textbuf_fmt(b, " %s=", f->key);
		switch (f->type) {
		case F_STR_ADDR:
		case F_STR_WORD:
			textbuf_str(b, *p ? p : "-");
			break;
		case F_U64HEX:
			memcpy(&u64, p, sizeof u64);
			textbuf_fmt(b, "%016llx", (unsigned long long)u64);
			break;
		case F_I64:
			memcpy(&i64, p, sizeof i64);
			textbuf_fmt(b, "%lld", (long long)(i64 > 0 ? i64 : 0));
			break;
		case F_U32:
			memcpy(&u32, p, sizeof u32);
			textbuf_fmt(b, "%lu", (unsigned long)u32);
			break;
		case F_INT:
			memcpy(&iv, p, sizeof iv);
			textbuf_fmt(b, "%d", iv ? 1 : 0);
			break;
		}
	}
	textbuf_str(b, "\n");
}

int cache_format(const struct cache *c, char *buf, size_t cap, size_t *len)
{
	textbuf_t b;
	textbuf_init(&b, buf, cap);
	textbuf_str(&b, CACHE_MAGIC);
	for (size_t i = 0; i < c->n; i++)
		format_entry(&b, &c->e[i]);
	*len = b.len;
	return b.err;
}

static int parse_hex64(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0 || n > 16)
		return DZ_EFORMAT;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		int d = ch >= '0' && ch <= '9' ? ch - '0'
		      : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
		if (d < 0)
			return DZ_EFORMAT;
		x = x << 4 | (unsigned)d;
	}
	*out = x;
	return 0;
}

static int parse_field(struct cache_entry *e, const struct field *f,
                       const char *v, size_t n)
{
	char *p = (char *)e + f->off;
	unsigned long long u;
	uint8_t a[16];

	switch (f->type) {
	case F_STR_ADDR:
		if (n == 1 && *v == '-')
			return 0;
		if (util_copy(p, f->size, v, n) < 0 || inet_pton(f->family, p, a) != 1) {
			*p = '\0';
			return DZ_EFORMAT;
		}
		return 0;
	case F_STR_WORD:
		if (n == 1 && *v == '-')
			return 0;
		return util_copy(p, f->size, v, n) < 0 ? DZ_EFORMAT : 0;
	case F_U64HEX: {
		uint64_t x;
		if (parse_hex64(v, n, &x) < 0)
			return DZ_EFORMAT;
		memcpy(p, &x, sizeof x);
		return 0;
	}
	case F_I64: {
		if (util_parse_uint(v, n, (unsigned long long)INT64_MAX / 2, &u) < 0)
			return DZ_EFORMAT;
		int64_t x = (int64_t)u;
		memcpy(p, &x, sizeof x);
		return 0;
	}
	case F_U32: {
		if (util_parse_uint(v, n, UINT32_MAX, &u) < 0)
			return DZ_EFORMAT;
		uint32_t x = (uint32_t)u;
		memcpy(p, &x, sizeof x);
		return 0;
	}
	case F_INT: {
		if (util_parse_uint(v, n, 1, &u) < 0)
			return DZ_EFORMAT;
		int x = (int)u;
		memcpy(p, &x, sizeof x);
		return 0;
	}
	}
	return DZ_EFORMAT;
}

/* Parse one line [s, e) into a new entry; on error the entry is removed. */
static void parse_line(struct cache *c, const char *s, const char *e)
{
	const char *w = s + 5, *we;
	struct cache_entry *ent;
	char name[CONF_NAME_MAX];

	if (e - s < 6 || memcmp(s, "host ", 5) != 0)
		return;
	we = memchr(w, ' ', (size_t)(e - w));
	if (!we)
		we = e;
	if (util_copy(name, sizeof name, w, (size_t)(we - w)) < 0 || !*name)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->e[i].name, name) == 0)
			return;   /* a repeated host is damage: the first line wins */
	ent = cache_entry(c, name);
	if (!ent)
		return;
	for (w = we; w < e; w = we) {
		while (w < e && *w == ' ')
			w++;
		if (w == e)
			break;
		we = memchr(w, ' ', (size_t)(e - w));
		if (!we)
			we = e;
		const char *eq = memchr(w, '=', (size_t)(we - w));
		if (!eq)
			goto fail;
		for (size_t i = 0; i < NFIELDS; i++) {
			if (strlen(fields[i].key) == (size_t)(eq - w) &&
			    memcmp(fields[i].key, w, (size_t)(eq - w)) == 0 &&
			    parse_field(ent, &fields[i], eq + 1, (size_t)(we - eq - 1)) < 0)
				goto fail;
		}
	}
	return;
fail:
	c->n--;   /* the entry just added is the last one */
}

int cache_parse(struct cache *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	c->n = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) < CACHE_LINE_MAX)
			parse_line(c, p, eol);
		p = eol + 1;
	}
	return 0;
}

/* ---- the file ------------------------------------------------------------ */

static int read_all(int fd, char *buf, size_t cap, size_t *len)
{
	*len = 0;
	for (;;) {
		if (*len == cap)
			return DZ_ELIMIT;
		ssize_t n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return DZ_EIO;
		if (n == 0)
			return 0;
		*len += (size_t)n;
	}
}

int cache_load(struct cache *c, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, err;

	c->n = 0;
	c->written = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : DZ_EIO;
	buf = malloc(CACHE_FILE_MAX);
	err = DZ_ENOMEM;
	if (!buf)
		goto fail;
	err = read_all(fd, buf, CACHE_FILE_MAX, &len);
	if (err < 0)
		goto fail;
	cache_parse(c, buf, len);
	c->written = util_hash(UTIL_HASH_INIT, buf, len);
fail:
	free(buf);
	close(fd);
	return err;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return DZ_EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The directory part of `path` into `dir` ("." if none). */
static int dir_of(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return util_copy_str(dir, cap, ".");
	return util_copy(dir, cap, path, slash == path ? 1 : (size_t)(slash - path));
}

/* mkdir -p `dir` with mode 0700 for what it creates. */
static int make_dirs(const char *dir)
{
	char p[CONF_STR_MAX];
	if (util_copy_str(p, sizeof p, dir) < 0)
		return DZ_EIO;
	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char was = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return DZ_EIO;
		if (!was)
			return 0;
		*s = was;
	}
}

int cache_save(struct cache *c, const char *path)
{
	char tmp[CONF_STR_MAX + 8], dir[CONF_STR_MAX];
	char *buf = malloc(CACHE_FILE_MAX);
	size_t len = 0;
	int fd = -1, err = DZ_ENOMEM;
	uint64_t h;

	tmp[0] = '\0';
	if (!buf)
		return DZ_ENOMEM;
	err = cache_format(c, buf, CACHE_FILE_MAX, &len);
	if (err < 0)
		goto fail;
	h = util_hash(UTIL_HASH_INIT, buf, len);
	if (h == c->written)
		goto fail;   /* err is 0: nothing to do */
	err = DZ_EIO;
	if (dir_of(path, dir, sizeof dir) < 0 ||
	    snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		goto fail;
	if (make_dirs(dir) < 0)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		goto fail;
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	/* Make the rename itself durable. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
	c->written = h;
	err = 0;
fail:
	if (fd >= 0)
		close(fd);
	if (err < 0 && tmp[0]) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(buf);
	return err;
}

int cache_lock(const char *path)
{
	char lk[CONF_STR_MAX + 8], dir[CONF_STR_MAX];
	int fd;

	if (snprintf(lk, sizeof lk, "%s.lock", path) >= (int)sizeof lk ||
	    dir_of(path, dir, sizeof dir) < 0)
		return DZ_EIO;
	if (make_dirs(dir) < 0)
		return DZ_EIO;
	fd = open(lk, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return DZ_EIO;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return e == EWOULDBLOCK ? DZ_EEXIST : DZ_EIO;
	}
	return fd;
}
