/* tinydns data kept for the data.cdb export only (tables tinydns_extra and
 * tinydns_loc; see src/tinydns/export.h): records dynzone does not serve,
 * and `%` location lines.  Functions run on the caller's connection and
 * inside the caller's transaction if one is open. */
#ifndef DZ_TDSTORE_H
#define DZ_TDSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/tinydns.h"
#include "src/db/store.h"

/* An export-only record; loc is the location's text ("" none).  Pointers
 * are valid during the callback only. */
struct tdstore_extra {
	const uint8_t *owner;        /* lowercase wire, '*' kept */
	uint16_t type;
	const uint8_t *rdata;
	size_t rdlen;
	const char *loc;
	uint32_t ttl;
	uint64_t ttd;
};

/* Keep an export-only record.  0, DZ_EEXIST (the same row is there) or
 * DZ_EDB. */
int tdstore_extra_add(store_t *st, const struct tdstore_extra *x);
/* Every export-only record, in the order they were added (rows whose
 * owner is not a valid name are skipped).  A non-zero return from cb stops
 * the walk and is returned; DZ_EDB. */
int tdstore_extra_list(store_t *st, int (*cb)(void *ctx, const struct tdstore_extra *x),
                       void *ctx);
/* Delete the export-only records at or below `apex` that no more specific
 * zone than zone_id holds (the zone is being deleted; call before its
 * row goes).  *n (if not NULL) gets the count.  0 or DZ_EDB. */
int tdstore_extra_del_zone(store_t *st, int64_t zone_id, const uint8_t *apex, unsigned *n);

/* Keep a location line.  0, DZ_EEXIST (already there) or DZ_EDB. */
int tdstore_loc_add(store_t *st, const tinydns_loc_t *loc);
/* Every location line in the order added.  Non-zero from cb stops the
 * walk and is returned; DZ_EDB. */
int tdstore_loc_list(store_t *st, int (*cb)(void *ctx, const tinydns_loc_t *loc), void *ctx);
/* The stored default location (the first with an empty prefix): 0 with
 * code[0..2), DZ_ENOENT or DZ_EDB. */
int tdstore_loc_default(store_t *st, uint8_t code[2]);

/* The high marks the automatic export watches: the last journal row's id,
 * and the last ids of the two tinydns tables.  0 or DZ_EDB. */
int tdstore_generation(store_t *st, int64_t gen[3]);

#endif
