/* The in-memory zone table.  See zone.h for the concurrency rules. */
#define _LGPL_SOURCE   /* liburcu's rcu_dereference and read lock inline */
#include "src/zonetable/zone.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "proto/errors.h"
#include "proto/rdata.h"
#include "proto/wire.h"

/* Publish a pointer to readers (rcu_assign_pointer's release store),
 * written as a C11 release store so that ThreadSanitizer, which cannot see
 * liburcu's barriers, pairs it with the readers' rcu_dereference. */
#define zt_publish(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

/* The name index.  A lookup hashes (zone id, name) once: the low bits
 * pick the first bucket, the top 8 bits (0 taken as 1) are the
 * fingerprint; fingerprint 0 marks a never-used slot.  A bucket's seven
 * fingerprints are compared in one 64-bit word, so only slots whose
 * fingerprint matches (about 1 in 255 foreign ones) cost a node visit.
 * Probing goes bucket after bucket and stops at the first bucket with a
 * never-used slot; a deleted slot keeps its fingerprint and holds ZTOMB,
 * so probes go on past it.  The writer keeps at least 1/8 of the slots
 * never used, so every probe ends.
 *
 * Concurrency: the writer publishes a slot by storing the fingerprint and
 * then the pointer (release); a reader that sees the fingerprint still 0
 * stops there, which only misses the name being added (a slot never goes
 * back to 0, so nothing older sits past it).  A replaced or deleted node
 * and a replaced table are freed after a grace period. */
#define ZB_SLOTS 7
#define ZTOMB ((struct znode *)(uintptr_t)1)

struct zbucket {
	union {
		uint8_t fp[ZB_SLOTS + 1];   /* the last byte unused */
		uint64_t fpw;
	};
	struct znode *n[ZB_SLOTS];
};

#define B01 0x0101010101010101ull
#define B7F 0x7F7F7F7F7F7F7F7Full
#define BHI 0x0080808080808080ull   /* the high bit of the 7 slot bytes */

/* The high bit of each of the seven slot bytes of v that is zero. */
static inline uint64_t zero_bytes(uint64_t v)
{
	return ~(((v & B7F) + B7F) | v | B7F) & BHI;
}

static inline uint8_t hash_fp(uint64_t h)
{
	uint8_t fp = (uint8_t)(h >> 56);
	return fp ? fp : 1;
}

struct ztab {
	uint64_t mask;          /* buckets - 1 (a power of two minus one) */
	struct zbucket *b;      /* 64-byte aligned */
	struct rcu_head rcu;
	uint64_t used, tombs;   /* writer only: live and deleted slots */
};

static uint64_t key_hash(const ztable_t *zt, uint32_t zone_id,
                         const uint8_t *name, size_t len)
{
	return dname_hash(name, len, zt->seed ^ (zone_id * 0x9E3779B97F4A7C15ull));
}

static struct ztab *tab_new(uint64_t nbuckets)
{
	struct ztab *t = calloc(1, sizeof *t);
	size_t bytes = (size_t)nbuckets * sizeof(struct zbucket);
	if (!t || !(t->b = aligned_alloc(64, bytes))) {
		free(t);
		return NULL;
	}
	memset(t->b, 0, bytes);
	t->mask = nbuckets - 1;
	return t;
}

static void tab_free(struct ztab *t)
{
	if (t)
		free(t->b);
	free(t);
}

static void tab_free_rcu(struct rcu_head *h)
{
	tab_free(caa_container_of(h, struct ztab, rcu));
}

/* Buckets for n names at most 7/8 full, at least 64 (a power of two). */
static uint64_t tab_buckets(uint64_t n)
{
	uint64_t nb = 64;
	while (nb * ZB_SLOTS * 7 / 8 < n + 1 && nb < (1ull << 40))
		nb <<= 1;
	return nb;
}

/* The slot holding (zone_id, lname), or NULL.  Reader or writer. */
static struct znode **tab_find(const struct ztab *t, uint64_t h, uint32_t zone_id,
                               const uint8_t *lname, size_t len)
{
	uint64_t want = hash_fp(h) * B01;
	uint64_t b = h & t->mask;
	for (uint64_t k = 0; k <= t->mask; k++, b = (b + 1) & t->mask) {
		struct zbucket *bk = &t->b[b];
		uint64_t w = __atomic_load_n(&bk->fpw, __ATOMIC_RELAXED);
		for (uint64_t m = zero_bytes(w ^ want); m; m &= m - 1) {
			unsigned i = (unsigned)__builtin_ctzll(m) / 8;
			struct znode *n = __atomic_load_n(&bk->n[i], __ATOMIC_ACQUIRE);
			if (n && n != ZTOMB && n->namelen == len && n->zone_id == zone_id &&
			    dname_eq(zn_name(n), lname, len))
				return &bk->n[i];
		}
		if (zero_bytes(w))
			return NULL;
	}
	return NULL;
}

/* Writer: put node n (whose key is not in t) into the first free or
 * deleted slot of its probe sequence.  The caller made room. */
static void tab_put(struct ztab *t, uint64_t h, struct znode *n)
{
	uint64_t b = h & t->mask;
	for (;; b = (b + 1) & t->mask) {
		struct zbucket *bk = &t->b[b];
		for (unsigned i = 0; i < ZB_SLOTS; i++) {
			if (bk->n[i] && bk->n[i] != ZTOMB)
				continue;
			if (bk->n[i] == ZTOMB)
				t->tombs--;
			t->used++;
			__atomic_store_n(&bk->fp[i], hash_fp(h), __ATOMIC_RELAXED);
			__atomic_store_n(&bk->n[i], n, __ATOMIC_RELEASE);
			return;
		}
	}
}

/* Run body for every node nd (in its slot) of table t: the writer, or a
 * reader inside its read-side section. */
#define TAB_EACH(t, nd, body)                                                   \
	for (uint64_t tb_ = 0; tb_ <= (t)->mask; tb_++)                         \
		for (unsigned ts_ = 0; ts_ < ZB_SLOTS; ts_++) {                  \
			struct znode **slot = &(t)->b[tb_].n[ts_];              \
			struct znode *nd = __atomic_load_n(slot, __ATOMIC_ACQUIRE); \
			if (!nd || nd == ZTOMB)                                 \
				continue;                                       \
			body                                                    \
		}

/* Writer: make room for one more name, building a bigger table (or a
 * clean one of the same size when deleted slots fill it) and swapping it
 * in.  0 or DZ_ENOMEM. */
static int tab_room(ztable_t *zt)
{
	struct ztab *t = zt->tab;
	uint64_t nslots = (t->mask + 1) * ZB_SLOTS;
	if ((t->used + t->tombs + 1) * 8 <= nslots * 7)
		return 0;
	/* room for as many names again as are live: the rebuild's cost is
	 * spread over at least that many inserts */
	struct ztab *nt = tab_new(tab_buckets(t->used * 2));
	if (!nt)
		return DZ_ENOMEM;
	TAB_EACH(t, n, {
		(void)slot;
		tab_put(nt, key_hash(zt, n->zone_id, zn_name(n), n->namelen), n);
	})
	zt_publish(zt->tab, nt);
	urcu_memb_call_rcu(&t->rcu, tab_free_rcu);
	return 0;
}

ztable_t *zt_new(void)
{
	ztable_t *zt = calloc(1, sizeof *zt);
	if (!zt)
		return NULL;
	if (getrandom(&zt->seed, sizeof zt->seed, 0) != sizeof zt->seed)
		zt->seed = (uint64_t)(uintptr_t)zt ^ 0x5bd1e995u;
	zt->tab = tab_new(tab_buckets(1 << 12));
	zt->zones = calloc(1, sizeof *zt->zones);
	if (!zt->tab || !zt->zones) {
		tab_free(zt->tab);
		free(zt->zones);
		free(zt);
		return NULL;
	}
	pthread_mutex_init(&zt->wlock, NULL);
	return zt;
}

int zt_reserve(ztable_t *zt, unsigned long n)
{
	if (zt->nnodes || !zt->zones || zt->zones->n)
		return 0;   /* only an empty table, before any reader starts */
	uint64_t nb = tab_buckets(n);
	if (nb <= zt->tab->mask + 1)
		return 0;
	struct ztab *t = tab_new(nb);
	if (!t)
		return DZ_ENOMEM;
	tab_free(zt->tab);
	zt->tab = t;
	return 0;
}

static void node_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct znode, rcu));
}

static void zone_free(struct zone *z)
{
	free(z->chain);
	free(z->pend);
	free(z);
}

static void zone_free_rcu(struct rcu_head *h)
{
	zone_free(caa_container_of(h, struct zone, rcu));
}

static void chain_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct zindex, rcu));
}

static void zlist_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct zlist, rcu));
}

void zt_free(ztable_t *zt)
{
	if (!zt)
		return;
	zt_write_begin(zt);
	TAB_EACH(zt->tab, n, {
		*slot = ZTOMB;
		free(n);
	})
	zt_write_end(zt);
	urcu_memb_barrier();   /* let pending call_rcu frees run */
	tab_free(zt->tab);
	for (unsigned i = 0; i < zt->zones->n; i++)
		zone_free(zt->zones->z[i]);
	free(zt->zones);
	pthread_mutex_destroy(&zt->wlock);
	free(zt);
}

/* Reader side ------------------------------------------------------------ */

const struct zone *zt_find_zone(const ztable_t *zt, const uint8_t *lname,
                                size_t len, const uint8_t *label_off,
                                unsigned nlabels)
{
	const struct zlist *zl = rcu_dereference(zt->zones);
	for (unsigned i = 0; i < zl->n; i++) {
		const struct zone *z = zl->z[i];
		if (z->apex_labels > nlabels)
			continue;
		size_t off = z->apex_labels == nlabels ? 0
		           : z->apex_labels == 0 ? len - 1
		           : label_off[nlabels - z->apex_labels];
		if (len - off == z->apex_len && dname_eq(lname + off, z->apex, z->apex_len))
			return z;
	}
	return NULL;
}

/* The node of a name and (slot) where it sits; NULL if none. */
static struct znode *lookup_node(const ztable_t *zt, uint32_t zone_id,
                                 const uint8_t *lname, size_t len,
                                 struct znode ***slot)
{
	const struct ztab *t = rcu_dereference(zt->tab);
	struct znode **s = tab_find(t, key_hash(zt, zone_id, lname, len), zone_id, lname, len);
	*slot = s;
	return s ? __atomic_load_n(s, __ATOMIC_ACQUIRE) : NULL;
}

const struct znode *zt_lookup(const ztable_t *zt, uint32_t zone_id,
                              const uint8_t *lname, size_t len)
{
	struct znode **slot;
	return lookup_node(zt, zone_id, lname, len, &slot);
}

const struct zset *zn_find_set(const struct znode *n, uint16_t type)
{
	/* nodes hold few sets; a linear scan beats a binary search here */
	for (unsigned i = 0; i < n->nsets; i++)
		if (n->sets[i].type == type)
			return &n->sets[i];
	return NULL;
}

const struct zset *zn_neg_soa_sig(const struct znode *apex)
{
	return apex->nsets > 1 && apex->sets[1].type == ZSET_NEG_SOA ? &apex->sets[1] : NULL;
}

const struct zset *zn_find_sig(const struct znode *n, uint16_t type)
{
	for (unsigned i = 0; i < n->nsets; i++)
		if (n->sets[i].type == RR_RRSIG &&
		    wire_load_u16(zn_data(n) + n->sets[i].off + 10) == type)
			return &n->sets[i];
	return NULL;
}

const struct znode *zt_chain_find(const ztable_t *zt, const struct zone *z,
                                  const uint8_t *lname)
{
	const struct zindex *ix = rcu_dereference(z->chain);
	if (!ix || !ix->n)
		return NULL;
	/* the last owner not after lname; before the first: the last */
	uint32_t lo = 0, hi = ix->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (dname_canon_cmp(ix->names + ix->off[mid], lname) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* an owner removed in the writer's current batch is still listed
	 * until the batch ends: step back over a few such */
	uint32_t i = lo ? lo - 1 : ix->n - 1;
	for (unsigned tries = 0; tries < 8 && tries < ix->n; tries++) {
		const uint8_t *name = ix->names + ix->off[i];
		const struct znode *n = zt_lookup(zt, z->id, name, dname_len(name, DNAME_MAX));
		if (n && (zn_find_set(n, RR_NSEC) || zn_find_set(n, RR_NSEC3)))
			return n;
		i = i ? i - 1 : ix->n - 1;
	}
	return NULL;
}

/* Writer side ------------------------------------------------------------ */

static __thread int thread_registered;
static __thread int writer_registered;

void zt_thread_register(void)
{
	if (!thread_registered) {
		urcu_memb_register_thread();
		thread_registered = 1;
	}
}

void zt_thread_unregister(void)
{
	if (thread_registered) {
		urcu_memb_unregister_thread();
		thread_registered = 0;
	}
}

void zt_write_begin(ztable_t *zt)
{
	(void)zt;
	if (!thread_registered) {
		/* threads of the HTTP server come and go: register only for
		 * the duration of the write */
		zt_thread_register();
		writer_registered = 1;
	}
	urcu_memb_read_lock();
}

static bool has_chain(const struct znode *n)
{
	return n && (zn_find_set(n, RR_NSEC) || zn_find_set(n, RR_NSEC3));
}

/* Note that `lname` joined (add) or left the zone's chain; the index is
 * rebuilt at zt_write_end.  DZ_ENOMEM. */
static int chain_note(struct zone *z, const uint8_t *lname, size_t len, bool add)
{
	if (z->pend_len + 2 + len > z->pend_cap) {
		size_t cap = z->pend_cap ? z->pend_cap * 2 : 4096;
		uint8_t *p = realloc(z->pend, cap);
		if (!p)
			return DZ_ENOMEM;
		z->pend = p;
		z->pend_cap = cap;
	}
	z->pend[z->pend_len++] = add;
	z->pend[z->pend_len++] = (uint8_t)len;
	memcpy(z->pend + z->pend_len, lname, len);
	z->pend_len += len;
	return 0;
}

static int chain_note_change(struct zone *z, const struct znode *old,
                             const struct znode *nw, const uint8_t *lname, size_t len)
{
	bool was = has_chain(old), is = has_chain(nw);
	return was == is ? 0 : chain_note(z, lname, len, is);
}

struct chain_op {
	const uint8_t *name;
	uint32_t seq;       /* order of the notes: the last one wins */
	bool add;
};

static int chain_op_cmp(const void *a, const void *b)
{
	const struct chain_op *x = a, *y = b;
	int c = dname_canon_cmp(x->name, y->name);
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Merge the zone's pending notes into a new index and publish it.  On
 * allocation failure the old index stays (answers lack some proofs until
 * the next rebuild succeeds) and the notes are kept. */
static void chain_rebuild(struct zone *z)
{
	struct zindex *old = z->chain, *nw = NULL;
	size_t nops = 0, k = 0;
	for (size_t p = 0; p < z->pend_len; p += 2 + (size_t)z->pend[p + 1])
		nops++;
	struct chain_op *ops = malloc(nops * sizeof *ops);
	if (!ops)
		return;
	for (size_t p = 0; p < z->pend_len; p += 2 + (size_t)z->pend[p + 1], k++)
		ops[k] = (struct chain_op){ z->pend + p + 2, (uint32_t)k, z->pend[p] != 0 };
	qsort(ops, nops, sizeof *ops, chain_op_cmp);
	/* the last note of each name decides */
	size_t nu = 0;
	for (size_t i = 0; i < nops; i++) {
		if (nu && dname_canon_cmp(ops[nu - 1].name, ops[i].name) == 0)
			ops[nu - 1] = ops[i];
		else
			ops[nu++] = ops[i];
	}
	uint32_t oldn = old ? old->n : 0;
	size_t maxn = oldn + nu, bytes = 0;
	if (old && oldn)
		bytes += old->off[oldn - 1] + dname_len(old->names + old->off[oldn - 1], DNAME_MAX);
	for (size_t i = 0; i < nu; i++)
		bytes += dname_len(ops[i].name, DNAME_MAX);
	if (maxn > UINT32_MAX / 2 || bytes > UINT32_MAX / 2 ||
	    !(nw = malloc(sizeof *nw + maxn * sizeof(uint32_t) + bytes)))
		goto fail;
	nw->off = (uint32_t *)(nw + 1);
	nw->names = (uint8_t *)(nw->off + maxn);
	nw->n = 0;
	size_t at = 0, i = 0, j = 0;
	while (i < oldn || j < nu) {
		const uint8_t *on = i < oldn ? old->names + old->off[i] : NULL;
		int c = !on ? 1 : j == nu ? -1 : dname_canon_cmp(on, ops[j].name);
		const uint8_t *keep = NULL;
		if (c < 0) {
			keep = on;
			i++;
		} else {
			if (ops[j].add)
				keep = ops[j].name;
			if (c == 0)
				i++;
			j++;
		}
		if (keep) {
			size_t l = dname_len(keep, DNAME_MAX);
			nw->off[nw->n++] = (uint32_t)at;
			memcpy(nw->names + at, keep, l);
			at += l;
		}
	}
	zt_publish(z->chain, nw);
	if (old)
		urcu_memb_call_rcu(&old->rcu, chain_free_rcu);
	z->pend_len = 0;
fail:
	free(ops);
}

void zt_write_end(ztable_t *zt)
{
	const struct zlist *zl = zt->zones;
	for (unsigned i = 0; zl && i < zl->n; i++)
		if (zl->z[i]->pend_len)
			chain_rebuild(zl->z[i]);
	urcu_memb_read_unlock();
	if (writer_registered) {
		writer_registered = 0;
		zt_thread_unregister();
	}
}

/* Records sort (and form RRsets) by type; RRSIGs by the type they cover
 * too, so each covered type's signatures are a set of their own. */
static uint32_t set_key(const struct zrr *r)
{
	uint32_t k = (uint32_t)r->type << 16;
	if (r->type == RR_RRSIG && r->rdlen >= 2)
		k |= wire_load_u16(r->rdata);
	return k;
}

static int cmp_rr_type(const void *a, const void *b)
{
	const struct zrr *x = *(const struct zrr *const *)a;
	const struct zrr *y = *(const struct zrr *const *)b;
	if (set_key(x) != set_key(y))
		return set_key(x) < set_key(y) ? -1 : 1;
	return x < y ? -1 : x > y;   /* stable: keep the given order */
}

static void put_rr(wire_t *w, uint16_t type, uint32_t ttl, const uint8_t *rd,
                   size_t rdlen)
{
	wire_write_u16(w, type);
	wire_write_u16(w, 1);   /* IN */
	wire_write_u32(w, ttl);
	wire_write_u16(w, (uint16_t)rdlen);
	wire_write_bytes(w, rd, rdlen);
}

/* Build a node from records (any order) and, for an apex, the SOA. */
static struct znode *node_build(uint32_t zone_id, const uint8_t *lname,
                                size_t namelen, const struct zrr *rrs, size_t n,
                                const struct zsoa *soa)
{
	const struct zrr *ord_small[32], **ord = ord_small;
	struct znode *node = NULL;
	uint8_t soard[2 * DNAME_MAX + 20];
	struct zrr soarr;
	size_t datalen = 0, nsets = 0, total = n, nsoasig = 0;

	if (n > 65535)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (rrs[i].type == RR_SOA)
			return NULL;   /* the SOA comes from the zone row */
	if (soa) {
		wire_t w;
		wire_init(&w, soard, sizeof soard);
		wire_write_bytes(&w, soa->mname, dname_len(soa->mname, DNAME_MAX));
		wire_write_bytes(&w, soa->rname, dname_len(soa->rname, DNAME_MAX));
		wire_write_u32(&w, soa->serial);
		wire_write_u32(&w, soa->refresh);
		wire_write_u32(&w, soa->retry);
		wire_write_u32(&w, soa->expire);
		wire_write_u32(&w, soa->minimum);
		if (w.err)
			return NULL;
		soarr = (struct zrr){ RR_SOA, soa->ttl, (uint16_t)w.pos, soard };
		total++;
		datalen += 10 + (size_t)soarr.rdlen;   /* the negative SOA copy */
		nsets++;
		/* and of its RRSIGs, with the same TTL (RFC 4034 §3) */
		for (size_t i = 0; i < n; i++)
			if (set_key(&rrs[i]) == ((uint32_t)RR_RRSIG << 16 | RR_SOA)) {
				datalen += 10 + (size_t)rrs[i].rdlen;
				nsoasig++;
			}
		if (nsoasig)
			nsets++;
	}
	if (total > 32 && !(ord = malloc(total * sizeof *ord)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		ord[i] = &rrs[i];
	if (soa)
		ord[n] = &soarr;
	if (total > 32) {
		qsort(ord, total, sizeof *ord, cmp_rr_type);
	} else {
		/* a host has a handful of records: insertion sort, stable */
		for (size_t i = 1; i < total; i++) {
			const struct zrr *x = ord[i];
			size_t j = i;
			for (; j > 0 && set_key(ord[j - 1]) > set_key(x); j--)
				ord[j] = ord[j - 1];
			ord[j] = x;
		}
	}
	for (size_t i = 0; i < total; i++) {
		datalen += 10 + (size_t)ord[i]->rdlen;
		if (i == 0 || set_key(ord[i]) != set_key(ord[i - 1]))
			nsets++;
	}
	if (datalen > UINT32_MAX / 2)
		goto fail;
	size_t hdr = offsetof(struct znode, sets) + nsets * sizeof(struct zset);
	node = calloc(1, hdr + namelen + datalen);
	if (!node)
		goto fail;
	node->zone_id = zone_id;
	node->namelen = (uint8_t)namelen;
	node->nsets = (uint16_t)nsets;
	memcpy((uint8_t *)node + hdr, lname, namelen);

	wire_t w;
	wire_init(&w, (uint8_t *)node + hdr + namelen, datalen);
	unsigned si = 0;
	if (soa) {
		/* RFC 2308: negative answers carry the SOA with the lesser of its
		 * TTL and its MINIMUM field */
		uint32_t negttl = soa->minimum < soa->ttl ? soa->minimum : soa->ttl;
		node->sets[si++] = (struct zset){ ZSET_NEG_SOA, 1, negttl, (uint32_t)w.pos,
		                                  (uint32_t)(10 + soarr.rdlen) };
		put_rr(&w, RR_SOA, negttl, soarr.rdata, soarr.rdlen);
		node->flags |= ZN_APEX;
		if (nsoasig) {
			struct zset *s = &node->sets[si++];
			*s = (struct zset){ ZSET_NEG_SOA, (uint16_t)nsoasig, negttl, (uint32_t)w.pos, 0 };
			for (size_t i = 0; i < n; i++)
				if (set_key(&rrs[i]) == ((uint32_t)RR_RRSIG << 16 | RR_SOA))
					put_rr(&w, RR_RRSIG, negttl, rrs[i].rdata, rrs[i].rdlen);
			s->len = (uint32_t)(w.pos - s->off);
		}
	}
	for (size_t i = 0; i < total;) {
		size_t j = i;
		uint32_t ttl = ord[i]->ttl;
		while (j < total && set_key(ord[j]) == set_key(ord[i])) {
			if (ord[j]->ttl < ttl)
				ttl = ord[j]->ttl;   /* one TTL per RRset (RFC 2181) */
			j++;
		}
		struct zset *s = &node->sets[si++];
		s->type = ord[i]->type;
		s->count = (uint16_t)(j - i);
		s->ttl = ttl;
		s->off = (uint32_t)w.pos;
		for (size_t k = i; k < j; k++)
			put_rr(&w, ord[k]->type, ttl, ord[k]->rdata, ord[k]->rdlen);
		s->len = (uint32_t)(w.pos - s->off);
		if (s->type == RR_NS && !soa)
			node->flags |= ZN_DELEG;
		if (s->type == RR_CNAME)
			node->flags |= ZN_CNAME;
		if (s->type == RR_DNSKEY)
			node->flags |= ZN_DNSKEY;
		i = j;
	}
	if (w.err || si != nsets || w.pos != datalen)
		goto fail;
	if (ord != ord_small)
		free(ord);
	return node;
fail:
	free(node);
	if (ord != ord_small)
		free(ord);
	return NULL;
}

struct zone *zt_zone_by_id(ztable_t *zt, uint32_t zone_id)
{
	for (unsigned i = 0; i < zt->zones->n; i++)
		if (zt->zones->z[i]->id == zone_id)
			return zt->zones->z[i];
	return NULL;
}

/* Put nw in the table: in old's slot if old (found by lookup_node, no
 * insert since), else as a new name.  0 or DZ_ENOMEM (nw not taken). */
static int node_replace(ztable_t *zt, struct znode *old, struct znode *nw,
                        struct znode **slot)
{
	if (old) {
		nw->kids = old->kids;
		__atomic_store_n(slot, nw, __ATOMIC_RELEASE);
		urcu_memb_call_rcu(&old->rcu, node_free_rcu);
		return 0;
	}
	if (tab_room(zt))
		return DZ_ENOMEM;
	tab_put(zt->tab, key_hash(zt, nw->zone_id, zn_name(nw), nw->namelen), nw);
	METRICS_INC(zt->nnodes);
	return 0;
}

/* Take the node in `slot` out of the table. */
static void node_remove(ztable_t *zt, struct znode **slot)
{
	struct znode *old = *slot;
	__atomic_store_n(slot, ZTOMB, __ATOMIC_RELEASE);
	zt->tab->used--;
	zt->tab->tombs++;
	__atomic_store_n(&zt->nnodes, zt->nnodes - 1, __ATOMIC_RELAXED);
	urcu_memb_call_rcu(&old->rcu, node_free_rcu);
}

static bool is_wild(const uint8_t *lname)
{
	return lname[0] == 1 && lname[1] == '*';
}

/* A name came (+1) or went (-1): keep the zone's wildcard count.  Readers
 * read it without a lock: a stale value only means a query answered as it
 * would have been a moment earlier. */
static void count_wild(struct zone *z, const uint8_t *lname, int d)
{
	if (is_wild(lname))
		__atomic_store_n(&z->nwild, z->nwild + (uint32_t)d, __ATOMIC_RELAXED);
}

/* A new name appeared below `zone`: count it in its parent, creating empty
 * non-terminals up to the apex as needed. */
static int link_up(ztable_t *zt, struct zone *z, const uint8_t *lname)
{
	const uint8_t *p = dname_parent(lname);
	struct znode **slot;
	while (p) {
		size_t plen = dname_len(p, DNAME_MAX);
		if (plen == z->apex_len)
			return 0;   /* reached the apex */
		struct znode *pn = lookup_node(zt, z->id, p, plen, &slot);
		if (pn) {
			pn->kids++;
			return 0;
		}
		pn = node_build(z->id, p, plen, NULL, 0, NULL);
		if (!pn)
			return DZ_ENOMEM;
		pn->kids = 1;
		if (node_replace(zt, NULL, pn, NULL)) {
			free(pn);
			return DZ_ENOMEM;
		}
		count_wild(z, p, 1);
		p = dname_parent(p);
	}
	return 0;
}

/* A name below `zone` went away: uncount it, dropping empty non-terminals
 * that no longer have children. */
static void unlink_up(ztable_t *zt, struct zone *z, const uint8_t *lname)
{
	const uint8_t *p = dname_parent(lname);
	struct znode **slot;
	while (p) {
		size_t plen = dname_len(p, DNAME_MAX);
		if (plen == z->apex_len)
			return;
		struct znode *pn = lookup_node(zt, z->id, p, plen, &slot);
		if (!pn)
			return;
		if (pn->kids)
			pn->kids--;
		if (pn->kids || pn->nsets)
			return;
		node_remove(zt, slot);
		count_wild(z, p, -1);
		p = dname_parent(p);
	}
}

/* Is the lowercase name strictly below the zone's apex?  (Cheaper than
 * dname_is_sub: both are lowercase, so compare the tail once at the label
 * boundary that leaves apex_len bytes.) */
static bool below_apex(const struct zone *z, const uint8_t *lname, size_t len)
{
	size_t off = 0;
	if (len <= z->apex_len)
		return false;
	while (len - off > z->apex_len)
		off += 1 + (size_t)lname[off];
	return len - off == z->apex_len &&
	       memcmp(lname + off, z->apex, z->apex_len) == 0;
}

int zt_set_name(ztable_t *zt, uint32_t zone_id, const uint8_t *lname,
                const struct zrr *rrs, size_t n)
{
	struct zone *z = zt_zone_by_id(zt, zone_id);
	struct znode **slot;
	size_t len = dname_len(lname, DNAME_MAX);

	if (!z)
		return DZ_ENOENT;
	if (!len || !below_apex(z, lname, len))
		return DZ_EINVAL;
	struct znode *old = lookup_node(zt, zone_id, lname, len, &slot);
	int was_deleg = old && (old->flags & ZN_DELEG);
	if (n == 0 && !old)
		return 0;
	if (n == 0 && old->kids == 0) {
		int rc = chain_note_change(z, old, NULL, lname, len);
		if (rc)
			return rc;
		node_remove(zt, slot);
		count_wild(z, lname, -1);
		unlink_up(zt, z, lname);
		if (was_deleg)
			z->ndeleg--;
		return 0;
	}
	struct znode *nw = node_build(zone_id, lname, len, rrs, n, NULL);
	if (!nw)
		return n ? DZ_EINVAL : DZ_ENOMEM;
	if (chain_note_change(z, old, nw, lname, len) || node_replace(zt, old, nw, slot)) {
		free(nw);
		return DZ_ENOMEM;
	}
	if (!old) {
		count_wild(z, lname, 1);
		int rc = link_up(zt, z, lname);
		if (rc)
			return rc;
	}
	int is_deleg = (nw->flags & ZN_DELEG) != 0;
	if (is_deleg != was_deleg)
		z->ndeleg += is_deleg ? 1u : (uint32_t)-1;
	return 0;
}

static int zlist_cmp(const void *a, const void *b)
{
	const struct zone *x = *(const struct zone *const *)a;
	const struct zone *y = *(const struct zone *const *)b;
	return (int)y->apex_labels - (int)x->apex_labels;
}

static int zlist_publish(ztable_t *zt, struct zone *add, uint32_t drop_id)
{
	struct zlist *old = zt->zones;
	struct zlist *nl = calloc(1, sizeof *nl + (old->n + 1) * sizeof(struct zone *));
	if (!nl)
		return DZ_ENOMEM;
	for (unsigned i = 0; i < old->n; i++)
		if (old->z[i]->id != drop_id || add)
			nl->z[nl->n++] = old->z[i];
	if (add)
		nl->z[nl->n++] = add;
	qsort(nl->z, nl->n, sizeof nl->z[0], zlist_cmp);
	zt_publish(zt->zones, nl);
	__atomic_store_n(&zt->nzones, (uint64_t)nl->n, __ATOMIC_RELAXED);
	urcu_memb_call_rcu(&old->rcu, zlist_free_rcu);
	return 0;
}

int zt_set_zone(ztable_t *zt, uint32_t zone_id, const uint8_t *apex,
                const struct zsoa *soa, const struct zrr *rrs, size_t n)
{
	struct znode **slot;
	uint8_t lapex[DNAME_MAX];
	size_t len = dname_len(apex, DNAME_MAX);
	if (!len)
		return DZ_EINVAL;
	dname_copy_lower(lapex, apex);

	struct zone *z = zt_zone_by_id(zt, zone_id);
	struct znode *nw = node_build(zone_id, lapex, len, rrs, n, soa);
	if (!nw)
		return DZ_EINVAL;
	if (!z) {
		z = calloc(1, sizeof *z);
		if (!z) {
			free(nw);
			return DZ_ENOMEM;
		}
		z->id = zone_id;
		z->apex_len = (uint8_t)len;
		z->apex_labels = (uint8_t)dname_labels(lapex);
		memcpy(z->apex, lapex, len);
		struct znode *old = lookup_node(zt, zone_id, lapex, len, &slot);
		if (chain_note_change(z, old, nw, lapex, len) || node_replace(zt, old, nw, slot)) {
			free(nw);
			zone_free(z);
			return DZ_ENOMEM;
		}
		z->apex_node = nw;
		if (zlist_publish(zt, z, 0)) {
			zone_free(z);
			return DZ_ENOMEM;
		}
		return 0;
	}
	struct znode *old = lookup_node(zt, zone_id, lapex, len, &slot);
	if (chain_note_change(z, old, nw, lapex, len) || node_replace(zt, old, nw, slot)) {
		free(nw);
		return DZ_ENOMEM;
	}
	zt_publish(z->apex_node, nw);
	return 0;
}

void zt_del_zone(ztable_t *zt, uint32_t zone_id)
{
	struct zone *z = zt_zone_by_id(zt, zone_id);
	if (!z)
		return;
	if (zlist_publish(zt, NULL, zone_id))
		return;
	TAB_EACH(zt->tab, n, {
		if (n->zone_id == zone_id)
			node_remove(zt, slot);
	})
	urcu_memb_call_rcu(&z->rcu, zone_free_rcu);
}

#define ZONE_SIZES_MAX 4096   /* zones shown one by one in a scrape */
#define ZONE_IDS_MAX (1u << 20)

/* Names per zone, counted by one walk of the table at scrape time, so the
 * write path keeps no per-zone counter.  Inside an RCU read section (the
 * calling thread is registered for it and unregistered again). */
static void zone_sizes(const ztable_t *zt, textbuf_t *o)
{
	static const char n[] = "dynzone_zone_names";
	int was = thread_registered;
	zt_thread_register();
	urcu_memb_read_lock();
	const struct zlist *zl = rcu_dereference(zt->zones);
	unsigned nz = zl && zl->n < ZONE_SIZES_MAX ? zl->n : 0;
	uint32_t maxid = 0;
	for (unsigned i = 0; i < nz; i++)
		if (zl->z[i]->id > maxid)
			maxid = zl->z[i]->id;
	/* counted by zone id (the store's ids are small and dense) */
	uint64_t *count = nz && maxid < ZONE_IDS_MAX ? calloc((size_t)maxid + 1, sizeof *count)
	                                             : NULL;
	if (count) {
		const struct ztab *t = rcu_dereference(zt->tab);
		TAB_EACH(t, nd, {
			(void)slot;
			if (nd->zone_id <= maxid)
				count[nd->zone_id]++;
		})
		metrics_family(o, n, "gauge", "Names (nodes) in each zone");
		for (unsigned i = 0; i < nz; i++) {
			char text[DNAME_MAX * 4], label[DNAME_MAX * 8 + 16];
			size_t k = 0;
			if (dname_to_text(zl->z[i]->apex, text, sizeof text) < 0)
				continue;
			/* a label value escapes backslash and double quote */
			k = (size_t)snprintf(label, sizeof label, "zone=\"");
			for (const char *p = text; *p && k + 4 < sizeof label; p++) {
				if (*p == '\\' || *p == '"')
					label[k++] = '\\';
				label[k++] = *p;
			}
			snprintf(label + k, sizeof label - k, "\"");
			metrics_sample(o, n, label, count[zl->z[i]->id]);
		}
		free(count);
	}
	urcu_memb_read_unlock();
	if (!was)
		zt_thread_unregister();
}

void zt_metrics(void *arg, textbuf_t *o)
{
	const ztable_t *zt = arg;
	metrics_gauge(o, "dynzone_zones", "Zones in the zone table", METRICS_GET(zt->nzones));
	metrics_gauge(o, "dynzone_names", "Names (nodes) in the zone table",
	              METRICS_GET(zt->nnodes));
	zone_sizes(zt, o);
}
