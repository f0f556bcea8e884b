/* Unit tests for src/db/updatelog.c: append and the three listings. */
#include "proto/errors.h"
#include "src/db/updatelog.h"
#include "tests/unit/db/dbtest.h"

static int row_cb(void *ctx, const struct updatelog_row *r)
{
	char *out = ctx;
	size_t n = strlen(out);
	snprintf(out + n, 256 - n, "%lld:%s:%s:%s:%s;", (long long)r->time, r->addrs, r->client,
	         r->agent, r->result);
	return 0;
}

int main(void)
{
	char db[128], err[256] = "", buf[256];
	store_t *st = NULL;
	tmpdb_path("db-updatelog", db, sizeof db);
	int open_rc = store_open(db, &st, err, sizeof err);
	ok(open_rc == 0, "a store (%s)", err);
	if (!st)
		return tap_done();
	/* host_id 7 is no host: the log's foreign key needs a hosts row, so
	 * these rows have none (host_id 0) but one test row below */
	is_int(updatelog_add(st, 0, "h.test", "192.0.2.1", "::1", "curl", "good", 10), 0, "a row");
	is_int(dbt_one(st, "SELECT count(*) FROM update_log WHERE host_id IS NULL"), 1,
	       "host 0 is stored as none");
	store_exec(st, "PRAGMA foreign_keys=OFF");
	const char *res[] = { "good", "nochg", "badauth", "good" };
	for (int i = 0; i < 4; i++)
		updatelog_add(st, 7, "h.test", "a", "c", "ua", res[i], 100 + i);
	buf[0] = 0;
	is_int(updatelog_list(st, 7, UPDATELOG_ALL, 10, row_cb, buf), 0, "all rows");
	is_str(buf, "103:a:c:ua:good;102:a:c:ua:badauth;101:a:c:ua:nochg;100:a:c:ua:good;",
	       "newest first");
	buf[0] = 0;
	updatelog_list(st, 7, UPDATELOG_GOOD, 10, row_cb, buf);
	is_str(buf, "103:a:c:ua:good;100:a:c:ua:good;", "changes only");
	buf[0] = 0;
	updatelog_list(st, 7, UPDATELOG_TAKEN, 2, row_cb, buf);
	is_str(buf, "103:a:c:ua:good;101:a:c:ua:nochg;", "accepted ones, at most 2");
	is_int(updatelog_list(st, 7, 9, 1, row_cb, buf), DZ_EINVAL, "an unknown listing");
	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
