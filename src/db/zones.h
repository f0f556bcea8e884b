/* Zones and records in the store (tables zones and records).  Record
 * changes are journalled (src/db/journal.h) in the same transaction, and
 * each zone changed is bumped at store_commit, so every writer reaches
 * every running server through the journal.  Functions run on the
 * caller's connection and inside the caller's transaction if one is open
 * (writes need one: store_begin / store_txn / the committer). */
#ifndef DZ_ZONES_H
#define DZ_ZONES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/name.h"
#include "src/db/store.h"
#include "src/zonetable/zone.h"

struct store_zone {
	int64_t id;
	uint8_t apex[DNAME_MAX];    /* lowercase wire */
	char name[1024];            /* presentation, trailing dot */
	struct zsoa soa;
	uint32_t default_ttl;       /* TTL of dynamic hosts' records */
};

struct store_rr {
	int64_t zone_id;
	const uint8_t *owner;       /* lowercase wire */
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	size_t rdlen;
	int64_t host_id;            /* 0 for static records */
	uint64_t ttd;               /* tinydns time-to-die (0: none) */
	const char *loc;            /* tinydns location ("" none) */
};

/* Zones.  store_zone_add fails with DZ_EEXIST if the apex exists. */
int store_zone_add(store_t *st, const uint8_t *apex, const struct zsoa *soa,
                   uint32_t default_ttl, int64_t *id);
int store_zone_get(store_t *st, int64_t id, struct store_zone *out);
/* The most specific zone containing `name` (any case); DZ_ENOENT if none. */
int store_zone_find(store_t *st, const uint8_t *name, struct store_zone *out);
/* Replace the SOA fields (serial is then bumped at commit as usual). */
int store_zone_set_soa(store_t *st, int64_t id, const struct zsoa *soa);
/* Delete a zone, its records and its export-only tinydns rows (those
 * at or below the apex that no more specific zone holds); journalled.
 * 0, DZ_ENOENT or DZ_EDB. */
int store_zone_del(store_t *st, int64_t id);
typedef int (*store_zone_cb)(void *ctx, const struct store_zone *z);
int store_zone_list(store_t *st, store_zone_cb cb, void *ctx);

/* Records.  `owner` may be in any case (it is stored lowercased) and must
 * be inside the zone.  store_record_add returns DZ_EEXIST for an identical
 * record (same owner, type, rdata, location). */
int store_record_add(store_t *st, const struct store_rr *rr);
/* Delete records at owner: all of them (type < 0), of one type (rd NULL),
 * or one exact record.  *ndel (if not NULL) gets the count. */
int store_record_del(store_t *st, int64_t zone_id, const uint8_t *owner,
                     int type, const uint8_t *rd, size_t rdlen,
                     unsigned *ndel);
/* Give every record of the RRset (zone, owner, type) the TTL ttl (RFC
 * 2181 §5.2: one TTL per RRset); journalled.  *nset gets how many
 * records changed.  0 or DZ_EDB. */
int store_rrset_ttl(store_t *st, int64_t zone_id, const uint8_t *owner, uint16_t type,
                    uint32_t ttl, unsigned *nset);
typedef int (*store_rr_cb)(void *ctx, const struct store_rr *rr);
/* Every record of one zone (zone_id > 0) or of all, ordered by zone and
 * owner.  A non-zero return from cb stops the walk and is returned. */
int store_record_list(store_t *st, int64_t zone_id, store_rr_cb cb, void *ctx);

/* Records at (zone, owner): of any type (type < 0), of one type (other
 * false) or of every type but one (other true); owner NULL: the whole
 * zone.  The count, or -1 on a store error. */
long long store_record_count(store_t *st, int64_t zone_id, const uint8_t *owner,
                             int type, bool other);

/* Records at (zone, owner) other than the one (type, rdata, loc): the
 * count, or -1 on a store error. */
long long store_record_count_except(store_t *st, int64_t zone_id, const uint8_t *owner,
                                    uint16_t type, const uint8_t *rd, size_t rdlen,
                                    const char *loc);

/* Records at (zone, owner) of `type` with exactly this RDATA (any
 * location): the count, or -1 on a store error. */
long long store_record_count_rdata(store_t *st, int64_t zone_id, const uint8_t *owner,
                                   uint16_t type, const uint8_t *rd, size_t rdlen);

/* The SOA of a new zone, as `dynzone zone add` and the dashboard make
 * it: mname the first name server, rname hostmaster.<apex>, serial the
 * time `now`, refresh 3600, retry 600, expire 1209600, minimum 60, and
 * the SOA's TTL `ttl`.  0, or DZ_EINVAL if the apex is too long for the
 * rname. */
int store_zone_soa_defaults(struct zsoa *soa, const uint8_t *apex, const uint8_t *ns,
                            uint32_t ttl, int64_t now);
/* The SOA's RDATA in wire form (names uncompressed) with `serial` in
 * place of soa->serial, into out (cap bytes; 2 * DNAME_MAX + 20 always
 * do).  Its length, or 0 if cap is too small. */
size_t store_zone_soa_rdata(const struct zsoa *soa, uint32_t serial, uint8_t *out, size_t cap);

/* The default TTL of a new zone's dynamic hosts. */
#define STORE_ZONE_HOST_TTL 60

#endif
