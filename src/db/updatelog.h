/* The update log (table update_log): one row per update request, kept
 * for the dashboard's history and pruned by age (store_log_prune in
 * src/db/journal.h).  Functions run on the caller's connection and inside
 * the caller's transaction if one is open. */
#ifndef DZ_UPDATELOG_H
#define DZ_UPDATELOG_H

#include <stdint.h>

#include "src/db/store.h"

/* Append a row (host_id 0: no host).  0 or DZ_EDB. */
int updatelog_add(store_t *st, int64_t host_id, const char *host, const char *addrs,
                  const char *client, const char *agent, const char *result,
                  int64_t now);

/* A row as listed; strings are valid during the callback only. */
struct updatelog_row {
	int64_t time;
	const char *addrs, *client, *agent, *result;
};
typedef int (*updatelog_cb)(void *ctx, const struct updatelog_row *r);
enum updatelog_which {
	UPDATELOG_ALL,      /* every row */
	UPDATELOG_GOOD,     /* changes only (result good) */
	UPDATELOG_TAKEN,    /* accepted updates (good or nochg) */
};
/* A host's rows, newest first, at most `limit`.  A non-zero return from
 * cb stops the walk and is returned; DZ_EINVAL, DZ_EDB. */
int updatelog_list(store_t *st, int64_t host_id, enum updatelog_which which,
                   unsigned limit, updatelog_cb cb, void *ctx);

#endif
