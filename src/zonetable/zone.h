/* The zone table: every name of every served zone, in memory, ready to be
 * copied into answers.
 *
 * Readers (DNS workers) look names up inside an RCU read-side section and
 * never block.  The writer (store_sync in src/db/store.c, which applies
 * the change journal under the table's writer lock zt->wlock) builds a new
 * node off to the side and swaps it in, so a query sees the old record set
 * or the new one, never a mix.  Old nodes are freed after a
 * grace period.  Each node stores its RRsets in wire form without owner:
 * for every RR  TYPE CLASS TTL RDLENGTH RDATA  — an answer is the owner (a
 * compression pointer) followed by a memcpy of those bytes. */
#ifndef DZ_ZONE_H
#define DZ_ZONE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/urcu-memb.h>

#include "proto/name.h"
#include "proto/textbuf.h"
#include "src/metrics/metrics.h"

/* One RRset inside a node: `len` bytes at zn_data(node) + off. */
struct zset {
	uint16_t type;
	uint16_t count;
	uint32_t ttl;
	uint32_t off;
	uint32_t len;
};

#define ZN_APEX   0x01   /* zone apex (has SOA, NS) */
#define ZN_DELEG  0x02   /* NS below the apex: a delegation point */
#define ZN_CNAME  0x04   /* has a CNAME */
#define ZN_DNSKEY 0x08   /* has a DNSKEY RRset: at the apex, the zone is
                            signed (set with the node, so a reader sees
                            the flag of the node it has) */
#define ZSET_NEG_SOA 0   /* apex only: SOA with TTL min(ttl, minimum); in a
                            signed zone a second such set follows: the
                            SOA's RRSIGs with that TTL */

struct znode {
	struct rcu_head rcu;
	uint32_t zone_id;
	uint32_t kids;        /* writer only: child nodes (keeps ENTs alive) */
	uint16_t nsets;       /* 0: empty non-terminal */
	uint8_t namelen;
	uint8_t flags;
	struct zset sets[];   /* sorted by type; NEG_SOA (type 0) first; then
	                         the lowercase wire name (namelen bytes) and
	                         the sets' data, in this allocation (no
	                         pointers to them: 16 bytes a name less) */
};

/* The node's lowercase wire name. */
static inline const uint8_t *zn_name(const struct znode *n)
{
	return (const uint8_t *)&n->sets[n->nsets];
}

/* The node's RRset data: set s is at zn_data(n) + s->off. */
static inline const uint8_t *zn_data(const struct znode *n)
{
	return zn_name(n) + n->namelen;
}

/* The names of a signed zone that own an NSEC or NSEC3 RRset, in RFC 4034
 * §6.1 canonical order (lowercase wire names), so the record covering a
 * missing name is found by binary search.  Immutable once published:
 * the writer builds a new one at the end of each write section whose
 * batch added or removed such names (zt_write_end) and frees the old one
 * after a grace period.  Unsigned zones have none. */
struct zindex {
	struct rcu_head rcu;
	uint32_t n;
	uint32_t *off;        /* n offsets into names */
	uint8_t *names;
};

struct zone {
	uint32_t id;
	uint8_t apex_len;
	uint8_t apex_labels;
	uint32_t ndeleg;               /* delegation points (writer-kept) */
	uint32_t nwild;                /* names whose first label is '*' (writer-kept;
	                                  0: no wildcard lookup for a miss) */
	struct znode *apex_node;       /* RCU pointer */
	struct zindex *chain;          /* RCU pointer; NULL: no NSEC/NSEC3 owners */
	/* writer only: chain names added (op 1) or removed (op 0) since the
	 * last rebuild, as op, length, name */
	uint8_t *pend;
	size_t pend_len, pend_cap;
	struct rcu_head rcu;
	uint8_t apex[DNAME_MAX];
};

struct zlist {
	unsigned n;
	struct rcu_head rcu;
	struct zone *z[];   /* longest apex first: first match is best */
};

/* The name index (zone.c): open addressing over 64-byte buckets of seven
 * (8-bit fingerprint, node pointer) slots, linear probing.  Readers find
 * it through an RCU pointer; the one writer inserts, replaces and deletes
 * (leaving tombstones) in place, and grows or cleans it by building a new
 * one and swapping it in. */
struct ztab;

typedef struct ztable {
	struct ztab *tab;              /* RCU pointer */
	struct zlist *zones;           /* RCU pointer */
	uint64_t seed;
	pthread_mutex_t wlock;         /* the single writer */
	int64_t journal_pos;           /* last journal row applied */
	uint64_t nnodes;               /* writer-kept statistics (zt_metrics reads) */
	uint64_t nzones;
	/* Told by the journal follower (store_sync, on the writer's thread
	 * with wlock held) of each zone whose new SOA it has just put in the
	 * table; must not block (NOTIFY, src/xfr/notify.h, arms a timer).
	 * NULL: nobody.  Set before the writer starts. */
	void (*serial_changed)(void *arg, uint32_t zone_id);
	void *serial_arg;
} ztable_t;

/* A record handed to the writer. */
struct zrr {
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;
};

/* The SOA fields of a zone (the SOA is kept in the zones row, not as a
 * record, because its serial changes with every update). */
struct zsoa {
	uint8_t mname[DNAME_MAX];
	uint8_t rname[DNAME_MAX];
	uint32_t serial, refresh, retry, expire, minimum, ttl;
};

/* Create an empty table.  NULL on allocation failure. */
ztable_t *zt_new(void);
/* Size an EMPTY table for about n names (call before any reader starts;
 * a no-op once names are in).  0 or DZ_ENOMEM. */
int zt_reserve(ztable_t *zt, unsigned long n);
/* Add the table's size (zones, names) to a /metrics scrape (a metrics_fn;
 * arg is the table; any thread). */
void zt_metrics(void *arg, textbuf_t *o);
/* Free the table and every node (no readers may be left). */
void zt_free(ztable_t *zt);

/* Register / unregister the calling thread as an RCU reader.  Every thread
 * that looks names up (DNS workers) does this once; the writer side does
 * it by itself for threads that are not registered. */
void zt_thread_register(void);
void zt_thread_unregister(void);

/* Reader side.  Call between urcu_memb_read_lock/unlock from a registered
 * thread; the pointers stay valid until the unlock. */
/* The most specific zone containing the lowercase name `lname` (wire
 * length `len`, `nlabels` labels starting at the offsets in `label_off`),
 * or NULL. */
const struct zone *zt_find_zone(const ztable_t *zt, const uint8_t *lname,
                                size_t len, const uint8_t *label_off,
                                unsigned nlabels);
const struct znode *zt_lookup(const ztable_t *zt, uint32_t zone_id,
                              const uint8_t *lname, size_t len);
const struct zset *zn_find_set(const struct znode *n, uint16_t type);
/* The RRSIGs at node n that cover `type` (a node keeps one RRSIG set per
 * covered type), or NULL. */
const struct zset *zn_find_sig(const struct znode *n, uint16_t type);
/* The apex's RRSIGs over the SOA with the negative SOA's TTL (for
 * negative answers), or NULL. */
const struct zset *zn_neg_soa_sig(const struct znode *apex);
/* Signed zones: the node owning the NSEC (or NSEC3) that covers or
 * matches `lname` (lowercase wire): the greatest owner in
 * canonical order not after lname, wrapping to the last owner if lname
 * sorts before all (NSEC3 hash order).  Owners whose node is gone or no
 * longer has an NSEC/NSEC3 (removed in a batch still being written) are
 * stepped over.  NULL if the zone has no chain. */
const struct znode *zt_chain_find(const ztable_t *zt, const struct zone *z,
                                  const uint8_t *lname);

/* Writer side: call with zt->wlock held, between zt_write_begin/end (which
 * register the thread with RCU if needed, for the deferred frees). */
void zt_write_begin(ztable_t *zt);
void zt_write_end(ztable_t *zt);

/* Add a zone (or replace its SOA) and (re)build its apex node from `rrs`
 * (the apex's records, SOA excluded).  0 or DZ_ENOMEM / DZ_EINVAL. */
int zt_set_zone(ztable_t *zt, uint32_t zone_id, const uint8_t *apex,
                const struct zsoa *soa, const struct zrr *rrs, size_t n);
/* Remove a zone and all its nodes. */
void zt_del_zone(ztable_t *zt, uint32_t zone_id);
/* Set the records of one name (below the apex) to exactly `rrs` (n == 0
 * removes the name, keeping it as an empty non-terminal while it has
 * children).  The name must be lowercase and inside the zone.  0 or
 * DZ_ENOMEM / DZ_ENOENT (no such zone) / DZ_EINVAL. */
int zt_set_name(ztable_t *zt, uint32_t zone_id, const uint8_t *lname,
                const struct zrr *rrs, size_t n);
/* The zone struct for an id, or NULL (writer side). */
struct zone *zt_zone_by_id(ztable_t *zt, uint32_t zone_id);

#endif
