/* The tinydns side of dynzone: `data.cdb` export (one-shot and automatic)
 * and the import of tinydns `data` files.
 *
 * What the store keeps for tinydns (migration 3):
 *  - zones and records as for every zone; a record's `loc` column holds a
 *    tinydns location code (1 or 2 bytes of text, "" for none) and `ttd`
 *    its TAI64 time-to-die label (0 for none);
 *  - tinydns_extra: records an import took that dynzone does not serve
 *    (outside every zone, tagged with a non-default location or a TTD,
 *    malformed for their type, or a second SOA at a name) but the export
 *    writes unchanged;
 *  - tinydns_loc: the `%` lines (location code, IPv4 prefix bytes).
 *
 * The export writes, in this order: each zone (ordered by name) as its SOA
 * from the zones row then its records, the tinydns_extra records, the
 * tinydns_loc locations, then the records of each merge file, parsed like
 * tinydns-data parses it (SOA serials from the file's mtime). */
#ifndef DZ_EXPORT_H
#define DZ_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/tinydns.h"
#include "src/common/config.h"
#include "src/db/store.h"

/* What one export wrote. */
struct export_stats {
	unsigned long zones;      /* SOAs from zones rows */
	unsigned long records;    /* records of zones (SOA excluded) */
	unsigned long extra;      /* tinydns_extra rows */
	unsigned long locs;       /* tinydns_loc rows */
	unsigned long merged;     /* records and locations of merge files */
	unsigned long unsigned_;  /* DNSSEC records left out: stock tinydns
	                           * cannot serve DNSSEC, so the export is
	                           * the zone unsigned (DS at delegations stay) */
};

/* Write every zone, record, extra record and location of the store, then
 * the records of each of the `nmerge` tinydns data files in `merge`, into
 * a cdb at `out`, published atomically (temporary file beside it, fsync,
 * rename): on any failure `out` is left as it was and no temporary file
 * remains.  The store is read in one read transaction.  `stats` may be
 * NULL.  Returns 0; DZ_EDB, DZ_EIO, DZ_EFORMAT (a bad merge line),
 * DZ_ELIMIT or DZ_ENOMEM, with a message in err ("FILE:LINE: reason" for
 * a merge file line). */
int export_cdb(store_t *st, const char *out, const char *const *merge,
               unsigned nmerge, struct export_stats *stats, char *err,
               size_t errlen);

/* Location codes as the store keeps them: 2 bytes of a tinydns record ->
 * text of 0, 1 or 2 bytes in out (NUL-terminated).  Returns 0, or
 * DZ_EINVAL for a code whose first byte is NUL but second is not (no text
 * can hold it). */
int export_loc_text(const uint8_t code[2], char out[3]);
/* The reverse: the first two bytes of `text` (as tinydns-data reads a
 * location field) -> 2-byte code, 00 00 for "". */
void export_loc_code(const char *text, uint8_t code[2]);

/* Called for a line the parser refuses. */
typedef void (*export_bad_fn)(void *ctx, unsigned long line, const char *why);

/* Feed every line of a tinydns data file, read from `fd` at its current
 * offset, to tinydns_parse_line with parser `p`, which is first set up
 * with `mtime` (the file's: SOA serials follow tinydns-data's rule).
 * While the sink runs, *line is the number of the line it came from.
 * A line the parser refuses goes to bad(ctx, ...) and reading goes on; with
 * `bad` NULL the read stops there with DZ_EFORMAT or DZ_ELIMIT and
 * "PATH:LINE: reason" in err.  A non-zero sink return stops the read and is
 * returned (err: "PATH:LINE: " and the error's text).  Lines longer than
 * EXPORT_LINE_CAP bytes give DZ_ELIMIT; a read error DZ_EIO. */
#define EXPORT_LINE_CAP (1024 * 1024)
int export_read_data(int fd, const char *path, int64_t mtime,
                     tinydns_parser_t *p, const tinydns_sink_t *sink,
                     unsigned long *line, export_bad_fn bad, void *ctx,
                     char *err, size_t errlen);

/* The automatic export of a running server. */
typedef struct exporter exporter_t;

/* If `c->export_cdb` is set: export once now (errors are logged, not
 * returned), then start a thread with its own store connection that
 * rewrites the file within a second of any committed change (the journal,
 * the tinydns tables, or a merge file's mtime/size), waiting for a short
 * quiet spell so a burst of changes gives one export, never two exports at
 * once.  Export failures are logged and retried; they never stop the
 * server.  *out is NULL when nothing is configured.  The caller owns *out
 * and ends it with export_stop.  Returns 0; DZ_EDB (store cannot be
 * opened), DZ_ENOMEM or DZ_EIO (no thread), with a message in err. */
int export_start(const struct config *c, exporter_t **out, char *err,
                 size_t errlen);
/* Stop the thread (a running export finishes first), close its store
 * connection and free `e`.  NULL is fine. */
void export_stop(exporter_t *e);

#endif
