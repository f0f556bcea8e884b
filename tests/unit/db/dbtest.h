/* Shared bits of the src/db unit tests: a scratch store, a one-value
 * query, and names in wire form. */
#ifndef DZ_DBTEST_H
#define DZ_DBTEST_H

#include <stdio.h>
#include <string.h>

#include "proto/name.h"
#include "proto/rdata.h"
#include "src/db/sql.h"
#include "src/db/store.h"
#include "src/db/zones.h"
#include "tests/unit/tap.h"
#include "tests/unit/tmpdb.h"

/* The first column of the first row of sql, or -1. */
static inline long long dbt_one(store_t *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	long long n = s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	if (s)
		sqlite3_reset(s);
	return n;
}

/* text ("a.example") in wire form into out (DNAME_MAX bytes). */
static inline const uint8_t *dbt_name(const char *text, uint8_t *out)
{
	static const uint8_t root[1] = { 0 };
	if (!dname_from_text(out, text, strlen(text), root))
		out[0] = 0;
	return out;
}
/* Records a walk hands over (a store_rr_cb), as one line of
 * "owner rdata/ttl" separated by spaces.  Zero it before the walk. */
struct dbt_seen {
	int n;
	char list[1024];
};

static inline int dbt_seen_cb(void *ctx, const struct store_rr *rr)
{
	struct dbt_seen *s = ctx;
	char owner[300], val[300];
	dname_to_text(rr->owner, owner, sizeof owner);
	if (rdata_to_text(rr->type, rr->rdata, rr->rdlen, val, sizeof val) < 0)
		val[0] = 0;
	size_t l = strlen(s->list);
	snprintf(s->list + l, sizeof s->list - l, "%s%s %s/%u", s->n ? " " : "", owner, val, rr->ttl);
	s->n++;
	return 0;
}
#endif
