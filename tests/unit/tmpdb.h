/* A scratch SQLite store for unit tests: a unique path under /tmp, and the
 * removal of the database with its WAL and shared-memory files. */
#ifndef DZ_TMPDB_H
#define DZ_TMPDB_H
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Fill db (cap bytes) with a fresh path "/tmp/dz-test-NAME-XXXXXX.db". */
static inline void tmpdb_path(const char *name, char *db, size_t cap)
{
	char tmpl[64];
	snprintf(tmpl, sizeof tmpl, "/tmp/dz-test-%s-XXXXXX", name);
	int fd = mkstemp(tmpl);
	if (fd >= 0) {
		close(fd);
		unlink(tmpl);
	}
	snprintf(db, cap, "%s.db", tmpl);
}

/* Remove the database and the files SQLite keeps beside it. */
static inline void tmpdb_remove(const char *db)
{
	char p[160];
	unlink(db);
	snprintf(p, sizeof p, "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", db);
	unlink(p);
}
#endif
