/* Atomic cdb publishing: temp file, cdb_make, fsync, rename. */
#include "src/tinydns/cdbout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/errors.h"

int cdbout_open(cdbout_t *c, const char *path)
{
	int n;

	c->fd = -1;
	n = snprintf(c->path, sizeof c->path, "%s", path);
	if (n < 0 || (size_t)n >= sizeof c->path)
		return DZ_EINVAL;
	n = snprintf(c->tmp, sizeof c->tmp, "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof c->tmp)
		return DZ_EINVAL;
	c->fd = mkostemp(c->tmp, O_CLOEXEC);
	if (c->fd < 0)
		return DZ_EIO;
	if (fchmod(c->fd, 0644) < 0 || cdb_make_start(&c->cm, c->fd) < 0)
		goto fail;
	return 0;
fail:
	n = errno;
	close(c->fd);
	unlink(c->tmp);
	c->fd = -1;
	errno = n;
	return DZ_EIO;
}

int cdbout_add(cdbout_t *c, const void *key, size_t klen, const void *val,
               size_t vlen)
{
	if (c->fd < 0 || klen > UINT32_MAX || vlen > UINT32_MAX)
		return DZ_EINVAL;
	if (cdb_make_add(&c->cm, key, (unsigned)klen, val, (unsigned)vlen) < 0)
		return DZ_EIO;
	return 0;
}

/* fsync the directory holding `path`, so the rename itself is durable. */
static int sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, rc;

	if (!slash) {
		dir[0] = '.';
		n = 1;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
	}
	dir[n] = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int cdbout_commit(cdbout_t *c)
{
	int fd = c->fd, err;

	if (fd < 0)
		return DZ_EINVAL;
	c->fd = -1;
	if (cdb_make_finish(&c->cm) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(c->tmp, c->path) < 0)
		goto fail;
	if (sync_dir(c->path) < 0)
		return DZ_EIO;  /* published; only its durability is in doubt */
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(c->tmp);
	errno = err;
	return DZ_EIO;
}

void cdbout_abort(cdbout_t *c)
{
	int err = errno;

	if (c->fd < 0)
		return;
	/* cdb_make keeps its index in malloc'd lists that only
	 * cdb_make_finish frees; with the descriptor gone it fails at its
	 * first write and frees them without touching any file. */
	close(c->fd);
	c->cm.cdb_fd = -1;
	cdb_make_finish(&c->cm);
	c->fd = -1;
	unlink(c->tmp);
	errno = err;
}
