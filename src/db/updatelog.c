/* The update_log table. */
#include "src/db/updatelog.h"

#include "proto/errors.h"
#include "src/db/sql.h"

int updatelog_add(store_t *st, int64_t host_id, const char *host, const char *addrs,
                  const char *client, const char *agent, const char *result,
                  int64_t now)
{
	sqlite3_stmt *s = STORE_PREP(st,
		"INSERT INTO update_log(time, host_id, host, addrs, client, agent, result) "
		"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", now);
	if (!s)
		return DZ_EDB;
	if (host_id)
		sqlite3_bind_int64(s, 2, host_id);
	sqlite3_bind_text(s, 3, host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, addrs, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, client, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, result, -1, SQLITE_STATIC);
	return store_done(s) ? DZ_EDB : 0;
}

int updatelog_list(store_t *st, int64_t host_id, enum updatelog_which which,
                   unsigned limit, updatelog_cb cb, void *ctx)
{
	static const char *const sql[] = {
		[UPDATELOG_ALL] = "SELECT time, addrs, client, agent, result FROM update_log "
			"WHERE host_id = ?1 ORDER BY time DESC, id DESC LIMIT ?2",
		[UPDATELOG_GOOD] = "SELECT time, addrs, client, agent, result FROM update_log "
			"WHERE host_id = ?1 AND result = 'good' ORDER BY time DESC, id DESC LIMIT ?2",
		[UPDATELOG_TAKEN] = "SELECT time, addrs, client, agent, result FROM update_log "
			"WHERE host_id = ?1 AND result IN ('good', 'nochg') "
			"ORDER BY time DESC, id DESC LIMIT ?2",
	};
	int rc = 0, src;
	if ((unsigned)which >= sizeof sql / sizeof sql[0])
		return DZ_EINVAL;
	sqlite3_stmt *s = STORE_PREP(st, sql[which], host_id, limit);
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t[4];
		for (int i = 0; i < 4; i++) {
			const unsigned char *c = sqlite3_column_text(s, i + 1);
			t[i] = c ? (const char *)c : "";
		}
		struct updatelog_row r = { sqlite3_column_int64(s, 0), t[0], t[1], t[2], t[3] };
		if ((rc = cb(ctx, &r)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}
