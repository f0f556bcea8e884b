/* Importing a tinydns `data` file into the store (`dynzone import
 * tinydns`).  See src/tinydns/tdimport.c for how records are filed and
 * src/tinydns/export.h for the tables kept for the data.cdb export. */
#ifndef DZ_TDIMPORT_H
#define DZ_TDIMPORT_H

#include <stdio.h>

#include "src/db/store.h"

/* Why a record is kept for the export only (not served). */
enum { TDI_OUTSIDE, TDI_LOC, TDI_TTD, TDI_BAD, TDI_CNAME, TDI_SOA, TDI_KINDS };

struct tdimport_stats {
	size_t zones;              /* names made zones by an SOA of the file */
	unsigned long zones_new;   /* ... that the store did not have */
	unsigned long added;       /* records served */
	unsigned long extra[TDI_KINDS];   /* kept for the export only, by reason */
	unsigned long locs;        /* `%` lines */
	unsigned long dup;         /* records and locations already stored */
	unsigned errors;           /* lines refused (nothing was imported) */
	unsigned wrong_serials;    /* zones whose serial is not the file's */
};

/* Import the data file `file` into the store in one transaction: zones
 * from SOAs (serials as tinydns-data gives them), served records, records
 * kept for the export only, locations.  Per-line messages ("FILE:LINE:
 * ...": refused lines, notes on records dynzone will not serve, and
 * duplicates) go to `msgs`, at most 50 of each kind.  Fills *stats.
 * Returns 0; DZ_EFORMAT if any line was refused (stats->errors of them;
 * the store is untouched); DZ_EIO, DZ_ELIMIT, DZ_ENOMEM or DZ_EDB; with a
 * message in err on failure. */
int tdimport_file(store_t *st, const char *file, FILE *msgs,
                  struct tdimport_stats *stats, char *err, size_t errlen);

#endif
