/* The read side of outgoing zone transfers (src/xfr/): the zone, its
 * records and the condensed difference between two serials, from the
 * change journal.  Call these inside one store_read_begin ..
 * store_read_end on a connection of the transfer's own, so that the SOA
 * serial, the records and the journal all come from one snapshot (SQLite
 * WAL: writers go on meanwhile and are not blocked). */
#ifndef DZ_TRANSFER_H
#define DZ_TRANSFER_H

#include <stdbool.h>
#include <stdint.h>

#include "src/db/store.h"
#include "src/db/zones.h"

/* The zone whose apex is exactly `apex` (any case) into *z.  0, DZ_ENOENT
 * or DZ_EDB. */
int store_xfr_zone(store_t *st, const uint8_t *apex, struct store_zone *z);

/* Every record of the zone that dynzone serves (src/db/served.h: no TTD,
 * no location or the default one, each RR once; the SOA, kept in the
 * zones row, is not one), ordered by owner and type, to cb with zone_id,
 * owner, type, ttl and rdata set (loc ""; ttd and host_id 0): the rows
 * the zone table is loaded from, with only the columns a transfer sends,
 * which is most of a transfer's CPU.  A non-zero return from cb stops the
 * walk and is returned; else 0 or DZ_EDB. */
int store_xfr_records(store_t *st, int64_t zone_id, store_rr_cb cb, void *ctx);

/* Where an IXFR from serial `from` starts: the journal id of the SOA row
 * that made `from` the zone's serial, into *pos.  DZ_ENOENT when the
 * journal does not reach back that far, or when a reload or deletion of
 * the zone, or a deletion not journalled record by record, lies after it
 * (the caller then sends the whole zone, RFC 1995 §4).  0 or DZ_EDB. */
int store_xfr_ixfr_start(store_t *st, int64_t zone_id, uint32_t from, int64_t *pos);

/* The condensed difference from journal position `pos` to now: every
 * record deleted (adds false) or added (adds true) by the journal rows
 * after pos, once each, a record added and deleted again not at all.
 * cb's rr has zone_id, owner, type, ttl and rdata set (a deleted record's
 * TTL is the one it had, or 0 from an old journal row).  A non-zero
 * return from cb stops the walk and is returned; else 0 or DZ_EDB. */
int store_xfr_diff(store_t *st, int64_t zone_id, int64_t pos, bool adds,
                   store_rr_cb cb, void *ctx);

#endif
