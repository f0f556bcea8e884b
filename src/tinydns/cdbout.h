/* Writing a cdb file the way tinydns-data publishes data.cdb: records go to
 * a temporary file in the target's directory, which is fsynced, made mode
 * 0644 and renamed over the target only when everything was written.  A
 * reader of the target sees the old file or the whole new one, never a
 * part; on any failure the temporary file is removed. */
#ifndef DZ_CDBOUT_H
#define DZ_CDBOUT_H

#include <limits.h>
#include <stddef.h>

#include <cdb.h>

typedef struct cdbout {
	struct cdb_make cm;
	int fd;                     /* -1: not open */
	char path[PATH_MAX];        /* the target */
	char tmp[PATH_MAX];         /* the temporary file beside it */
} cdbout_t;

/* Start a new cdb that will replace `path`: creates a unique temporary
 * file "<path>.tmp.XXXXXX" in the same directory.  The caller owns `c`
 * (about 10 KB) and must end it with cdbout_commit or cdbout_abort.
 * Returns 0, DZ_EINVAL if the path is too long, DZ_EIO (errno set) if the
 * file cannot be created. */
int cdbout_open(cdbout_t *c, const char *path);

/* Add one record (duplicate keys are kept, in the order added).  Returns
 * 0, DZ_EINVAL if `c` is not open or a length is over 4 GiB, DZ_EIO (errno
 * set) if the write failed or the file would pass 4 GiB.  After a failure
 * the caller still calls cdbout_abort. */
int cdbout_add(cdbout_t *c, const void *key, size_t klen, const void *val,
               size_t vlen);

/* Finish the file (hash tables), fsync it, close it, rename it over the
 * target and fsync the directory.  Returns 0; DZ_EINVAL if `c` is not
 * open; DZ_EIO (errno set) if a step before the rename failed, after
 * removing the temporary file, the target left as it was, or if only the
 * final directory fsync failed (the new file is then in place).  Either
 * way `c` is closed afterwards. */
int cdbout_commit(cdbout_t *c);

/* Drop the new file: close and remove the temporary file; the target is
 * untouched.  Safe to call on a closed `c`. */
void cdbout_abort(cdbout_t *c);

#endif
