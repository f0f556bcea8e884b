/* The host_blocks table. */
#include "src/db/block.h"

#include "proto/errors.h"
#include "src/db/sql.h"

int block_set(store_t *st, int64_t host_id, const char *reason, int64_t now)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"INSERT OR REPLACE INTO host_blocks(host_id, since, reason) VALUES(?1, ?2, ?3)",
		host_id, now);
	if (!s)
		return DZ_EDB;
	sqlite3_bind_text(s, 3, reason ? reason : "", -1, SQLITE_STATIC);
	return store_done(s) ? DZ_EDB : 0;
}

int block_clear(store_t *st, int64_t host_id, bool *was)
{
	if (store_run(st, "DELETE FROM host_blocks WHERE host_id = ?1", host_id, 0))
		return DZ_EDB;
	*was = store_changes(st) > 0;
	return 0;
}

int block_get(store_t *st, int64_t host_id, bool *blocked)
{
	int64_t one;
	int rc = STORE_INT(st, "SELECT 1 FROM host_blocks WHERE host_id = ?1", &one, host_id);
	if (rc == DZ_EDB)
		return rc;
	*blocked = rc == 0;
	return 0;
}
