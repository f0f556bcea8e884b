/* Inside the store layer only: the SQLite handles and the shared helpers
 * the src/db modules build their queries with.  No file outside src/db/
 * includes this (or sqlite3.h); services call the modules' functions. */
#ifndef DZ_DB_SQL_H
#define DZ_DB_SQL_H

#include <sqlite3.h>

#include "proto/name.h"

#include "src/db/store.h"

/* The underlying connection. */
sqlite3 *store_db(store_t *st);
/* A statement cached on this connection (prepared once, reset and its
 * bindings cleared on return).  NULL on error.  The caller binds, steps,
 * and need not finalize. */
sqlite3_stmt *store_stmt(store_t *st, const char *sql);
/* store_stmt with ?1..?n bound to the integers v[0..n-1].  NULL on error.
 * STORE_PREP(st, sql, a, b, ...) passes its integers as such an array. */
sqlite3_stmt *store_prep(store_t *st, const char *sql, const int64_t *v, size_t n);
#define STORE_PREP(st, sql, ...)                                                \
	store_prep((st), (sql), (const int64_t[]){ __VA_ARGS__ },               \
	           sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))
/* store_stmt with ?1 bound to the blob key (klen bytes, not copied: it
 * must outlive the step) and ?2..?n+1 to the integers v[0..n-1].  NULL on
 * error.  STORE_PREP_KEY(st, sql, key, klen, a, ...) passes an array. */
sqlite3_stmt *store_prep_key(store_t *st, const char *sql, const void *key, size_t klen,
                             const int64_t *v, size_t n);
#define STORE_PREP_KEY(st, sql, key, klen, ...)                                 \
	store_prep_key((st), (sql), (key), (klen), (const int64_t[]){ __VA_ARGS__ }, \
	               sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t))
/* The end of a one-row query: reset s and give 0 if its step (src) gave
 * a row, DZ_ENOENT if it gave none, else DZ_EDB. */
int store_row_end(sqlite3_stmt *s, int src);
/* Step a bound count query: its row's first column, -1 if no row or on
 * error; s is reset. */
long long store_count(sqlite3_stmt *s);
/* The first column of the one row of a query with integer binds (as
 * store_prep) into *out: 0, DZ_ENOENT (no row; *out untouched) or DZ_EDB. */
int store_int(store_t *st, const char *sql, const int64_t *v, size_t n, int64_t *out);
#define STORE_INT(st, sql, out, ...)                                            \
	store_int((st), (sql), (const int64_t[]){ __VA_ARGS__ },                \
	          sizeof((const int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t), (out))
/* THE step helper: step a statement that returns no rows, and reset it.
 * 0, DZ_EEXIST (a constraint failed) or DZ_EDB. */
int store_done(sqlite3_stmt *s);
/* Run a statement that returns no rows and takes only integers: ?1 is a,
 * ?2 (if the statement has it) is b.  store_done's result. */
int store_run(store_t *st, const char *sql, int64_t a, int64_t b);
/* The end of a walk over a statement's rows: reset it and give the
 * walk's result -- rc (a callback's stop value or an error), else DZ_EDB
 * if the last step (src) was not SQLITE_DONE, else 0. */
int store_rows_end(sqlite3_stmt *s, int rc, int src);
/* Rows changed by the last statement on this connection. */
unsigned store_changes(store_t *st);
/* The rowid of the last insert on this connection. */
int64_t store_last_id(store_t *st);
/* Column col of the current row as a wire name: the bytes if they are one
 * whole, valid name (what every table's owner column must hold), else
 * NULL (a damaged row the caller skips). */
static inline const uint8_t *store_col_name(sqlite3_stmt *s, int col)
{
	const uint8_t *o = sqlite3_column_blob(s, col);
	int olen = sqlite3_column_bytes(s, col);
	if (!o || olen <= 0 || olen > DNAME_MAX || dname_len(o, (size_t)olen) != (size_t)olen)
		return NULL;
	return o;
}
/* Run one statement (no parameters, no rows), prepared once and kept
 * like store_stmt's: 0 or DZ_EDB. */
int store_exec(store_t *st, const char *sql);

/* Whether every row of records is served (src/db/served.h: no row has a
 * location or a TTD) into *all; inside a transaction remembered until the
 * database changes.  0 or DZ_EDB (then *all is false). */
int store_served_all(store_t *st, bool *all);
/* This connection has written a row with a location or a TTD: the next
 * store_served_all looks again. */
void store_served_forget(store_t *st);
#endif
