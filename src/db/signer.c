/* DNSSEC signing in the store: keys, RRSIGs and the NSEC chain as record
 * rows, re-made at each commit (src/db/signer.h). */
#include "src/db/signer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/platform_util.h>

#include "proto/dnssec.h"
#include "proto/errors.h"
#include "proto/name.h"
#include "proto/nsec3.h"
#include "proto/wire.h"
#include "src/common/grow.h"
#include "src/common/rand.h"
#include "src/db/journal.h"
#include "src/db/served.h"
#include "src/db/sql.h"
#include "src/db/zones.h"

#define KEYS_MAX 16
#define RRSET_MAX_BYTES (1u << 20)   /* one RRset's RDATA to sign */
#define TYPES_MAX 256                /* distinct types at one name */
/* A whole-zone signing of a zone with more names than this is done in
 * batches of transactions (signer_continue), not in the commit that asks
 * for it. */
#define INLINE_NAMES_MAX 500

enum { T_SOA = 6, T_NS = 2, T_DS = 43, T_RRSIG = 46, T_NSEC = 47, T_DNSKEY = 48,
       T_NSEC3 = 50, T_NSEC3PARAM = 51, T_CDS = 59, T_CDNSKEY = 60 };
/* The two chain tables: the names that hold signed data, in canonical
 * order (an NSEC zone's chain, and in an NSEC3 zone the names below which
 * empty non-terminals lie), and an NSEC3 zone's names by hash. */
enum chain { C_NAMES, C_NSEC3 };
/* RFC 9276's NSEC3 parameters: SHA-1, no extra iterations, no salt, no
 * opt-out (the NSEC3PARAM RDATA 1 0 0 -). */
static const uint8_t nsec3_nosalt[1];
static const struct nsec3_param nsec3_rfc9276 = { NSEC3_HASH_SHA1, 0, 0, 0, nsec3_nosalt };
static const uint8_t nsec3param_rdata[5] = { NSEC3_HASH_SHA1, 0, 0, 0, 0 };
/* Where a name stands: signed data, a delegation (only DS and NSEC are
 * the zone's), or below one (glue, occluded: not signed, no NSEC). */
enum status { S_AUTH, S_DELEG, S_OCCLUDED };

/* A growable list of byte strings (names, RDATA). */
struct blobs {
	uint8_t *buf;
	size_t len, cap;
	size_t *off;
	size_t n, ncap;
};

static int blobs_add(struct blobs *l, const void *p, size_t len)
{
	uint8_t *nb = grow_bytes(l->buf, &l->cap, l->len, len + 2, 4096);
	if (!nb)
		return DZ_ENOMEM;
	l->buf = nb;
	size_t *no = grow_array(l->off, &l->ncap, l->n, sizeof *no, 64);
	if (!no)
		return DZ_ENOMEM;
	l->off = no;
	/* a 2-byte length before each, so RDATA of any length round-trips */
	wire_store_u16(l->buf + l->len, (uint16_t)len);
	memcpy(l->buf + l->len + 2, p, len);
	l->off[l->n++] = l->len;
	l->len += len + 2;
	return 0;
}

static const uint8_t *blobs_at(const struct blobs *l, size_t i, size_t *len)
{
	if (len)
		*len = wire_load_u16(l->buf + l->off[i]);
	return l->buf + l->off[i] + 2;
}

static void blobs_free(struct blobs *l)
{
	free(l->buf);
	free(l->off);
	memset(l, 0, sizeof *l);
}

/* Step s to its end, adding each row's first column (a name) to l.
 * 0, DZ_EDB (s is NULL or failed) or DZ_ENOMEM. */
static int names_collect(sqlite3_stmt *s, struct blobs *l)
{
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = store_col_name(s, 0);
		if (o && (rc = blobs_add(l, o, dname_len(o, DNAME_MAX))) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

struct skey {
	int64_t id;
	int role, state;
	uint16_t tag;
	struct dnssec_key k;
	struct dnssec_signer sg;     /* made on the key's first signature */
	bool ready;
};

/* One zone being signed in this transaction. */
struct zctx {
	store_t *st;
	struct store_zone z;
	size_t apexlen;
	struct skey keys[KEYS_MAX];
	size_t nkeys;
	uint32_t now, validity, refresh;
	uint32_t serial;             /* the SOA serial to sign */
	bool nsec3;                  /* the apex has NSEC3PARAM: an NSEC3 chain */
	bool force;                  /* re-sign chain records even if unchanged */
	struct blobs rrset;          /* scratch: one RRset's RDATA */
	struct dnssec_rd *rds;
	size_t rdcap;
};

static void keys_wipe(struct zctx *zc)
{
	for (size_t i = 0; i < zc->nkeys; i++) {
		dnssec_key_wipe(&zc->keys[i].k);
		if (zc->keys[i].ready)
			dnssec_signer_free(&zc->keys[i].sg);
		zc->keys[i].ready = false;
	}
	zc->nkeys = 0;
}

static void zctx_free(struct zctx *zc)
{
	keys_wipe(zc);
	blobs_free(&zc->rrset);
	free(zc->rds);
	zc->rds = NULL;
	zc->rdcap = 0;
}

static int load_keys(struct zctx *zc)
{
	sqlite3_stmt *s = STORE_PREP(zc->st,
		"SELECT id, role, state, algorithm, flags, public, private FROM dnssec_keys "
		"WHERE zone_id = ?1 ORDER BY id", zc->z.id);
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	keys_wipe(zc);
	while ((src = sqlite3_step(s)) == SQLITE_ROW && zc->nkeys < KEYS_MAX) {
		struct skey *k = &zc->keys[zc->nkeys];
		uint8_t dk[DNSSEC_DNSKEY_LEN];
		if (sqlite3_column_bytes(s, 5) != DNSSEC_PUB_LEN ||
		    sqlite3_column_bytes(s, 6) != DNSSEC_PRIV_LEN)
			continue;              /* another algorithm: not ours to use */
		k->id = sqlite3_column_int64(s, 0);
		k->role = sqlite3_column_int(s, 1);
		k->state = sqlite3_column_int(s, 2);
		k->k.alg = (uint8_t)sqlite3_column_int(s, 3);
		k->k.flags = (uint16_t)sqlite3_column_int(s, 4);
		memcpy(k->k.pub, sqlite3_column_blob(s, 5), DNSSEC_PUB_LEN);
		memcpy(k->k.priv, sqlite3_column_blob(s, 6), DNSSEC_PRIV_LEN);
		k->k.has_priv = true;
		size_t dl = dnssec_dnskey_rdata(&k->k, dk, sizeof dk);
		k->tag = dnssec_key_tag(dk, dl);
		zc->nkeys++;
	}
	return store_rows_end(s, rc, src == SQLITE_ROW ? SQLITE_DONE : src);
}

static int zctx_load(store_t *st, int64_t zone_id, struct zctx *zc)
{
	memset(zc, 0, sizeof *zc);
	zc->st = st;
	int rc = store_zone_get(st, zone_id, &zc->z);
	if (rc)
		return rc;
	zc->apexlen = dname_len(zc->z.apex, DNAME_MAX);
	zc->now = (uint32_t)time(NULL);
	store_sign_times(st, &zc->validity, &zc->refresh);
	zc->serial = zc->z.soa.serial;
	zc->nsec3 = store_record_count(st, zone_id, zc->z.apex, T_NSEC3PARAM, false) > 0;
	return load_keys(zc);
}

/* Store helpers ------------------------------------------------------- */

static bool is_apex(const struct zctx *zc, const uint8_t *owner)
{
	return dname_equal(owner, zc->z.apex);
}

static bool has_type(struct zctx *zc, const uint8_t *owner, int type)
{
	return store_record_count(zc->st, zc->z.id, owner, type, false) > 0;
}

/* Does owner hold data of its own (not only signatures and NSEC)? */
static bool has_data(struct zctx *zc, const uint8_t *owner)
{
	if (is_apex(zc, owner))
		return true;                   /* the SOA, in the zones row */
	sqlite3_stmt *s = STORE_PREP_KEY(zc->st,
		"SELECT EXISTS(SELECT 1 FROM records WHERE zone_id = ?2 AND owner = ?1 "
		"AND type NOT IN (46, 47, 50))", owner, dname_len(owner, DNAME_MAX), zc->z.id);
	return s && store_count(s) > 0;
}

static enum status name_status(struct zctx *zc, const uint8_t *owner)
{
	if (is_apex(zc, owner))
		return S_AUTH;
	for (const uint8_t *p = dname_parent(owner); p && !is_apex(zc, p); p = dname_parent(p))
		if (has_type(zc, p, T_NS))
			return S_OCCLUDED;
	return has_type(zc, owner, T_NS) ? S_DELEG : S_AUTH;
}

static bool status_signs(enum status s, int type)
{
	if (type == T_RRSIG)
		return false;
	return s == S_AUTH || (s == S_DELEG && (type == T_DS || type == T_NSEC));
}

/* The distinct types at owner, ascending, into types (TYPES_MAX).
 * Their number, or DZ_EDB. */
static int types_at(struct zctx *zc, const uint8_t *owner, uint16_t *types)
{
	sqlite3_stmt *s = STORE_PREP_KEY(zc->st,
		"SELECT DISTINCT type FROM records WHERE zone_id = ?2 AND owner = ?1 ORDER BY type",
		owner, dname_len(owner, DNAME_MAX), zc->z.id);
	int n = 0, src;
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW && n < TYPES_MAX)
		types[n++] = (uint16_t)sqlite3_column_int(s, 0);
	int rc = store_rows_end(s, 0, src == SQLITE_ROW ? SQLITE_DONE : src);
	return rc ? rc : n;
}

/* Collect the RDATA of the records at (owner, type) into l, RRSIGs only
 * those covering `covered` (any if < 0).  0 or DZ_EDB/DZ_ENOMEM. */
static int rdata_at(struct zctx *zc, const uint8_t *owner, int type, int covered,
                    struct blobs *l, uint32_t *minttl)
{
	sqlite3_stmt *s = STORE_PREP_KEY(zc->st,
		"SELECT rdata, ttl FROM records WHERE zone_id = ?2 AND owner = ?1 AND type = ?3 "
		"AND " SERVED("records"),
		owner, dname_len(owner, DNAME_MAX), zc->z.id, type);
	int rc = 0, src;
	if (!s)
		return DZ_EDB;
	l->len = l->n = 0;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *rd = sqlite3_column_blob(s, 0);
		size_t len = (size_t)sqlite3_column_bytes(s, 0);
		uint32_t ttl = (uint32_t)sqlite3_column_int64(s, 1);
		if (len > 65535 || (covered >= 0 && (len < 2 || wire_load_u16(rd) != covered)))
			continue;
		if (l->len + len > RRSET_MAX_BYTES) {
			rc = DZ_ELIMIT;
			break;
		}
		if ((rc = blobs_add(l, rd ? rd : (const uint8_t *)"", len)) != 0)
			break;
		if (minttl && (l->n == 1 || ttl < *minttl))
			*minttl = ttl;
	}
	return store_rows_end(s, rc, src);
}

/* Delete the RRSIGs at owner covering `covered` (every one if < 0). */
static int del_sigs(struct zctx *zc, const uint8_t *owner, int covered)
{
	if (covered < 0)
		return store_record_del(zc->st, zc->z.id, owner, T_RRSIG, NULL, 0, NULL) ? DZ_EDB : 0;
	struct blobs l = { 0 };
	int rc = rdata_at(zc, owner, T_RRSIG, covered, &l, NULL);
	for (size_t i = 0; !rc && i < l.n; i++) {
		size_t len;
		const uint8_t *rd = blobs_at(&l, i, &len);
		rc = store_record_del(zc->st, zc->z.id, owner, T_RRSIG, rd, len, NULL) ? DZ_EDB : 0;
	}
	blobs_free(&l);
	return rc;
}

static int add_rr(struct zctx *zc, const uint8_t *owner, uint16_t type, uint32_t ttl,
                  const uint8_t *rd, size_t len)
{
	struct store_rr rr = { .zone_id = zc->z.id, .owner = owner, .type = type, .ttl = ttl,
	                       .rdata = rd, .rdlen = len, .loc = "" };
	int rc = store_record_add(zc->st, &rr);
	return rc == DZ_EEXIST ? 0 : rc;
}

/* Signing ------------------------------------------------------------- */

static bool key_signs(const struct skey *k, int type)
{
	bool keyset = type == T_DNSKEY || type == T_CDS || type == T_CDNSKEY;
	if (k->state == SIGNER_ACTIVE)
		return k->role == SIGNER_CSK || (k->role == SIGNER_KSK) == keyset;
	return k->state == SIGNER_RETIRED && keyset && k->role != SIGNER_ZSK;
}

/* Load the RRset (owner, type) in canonical form into zc->rds.  The
 * number of RRs (0: none), or a DZ_E* code. */
static int rrset_load(struct zctx *zc, const uint8_t *owner, int type, uint32_t *ttl)
{
	struct blobs *l = &zc->rrset;
	int rc;
	if (type == T_SOA) {
		uint8_t rd[2 * DNAME_MAX + 20];
		size_t len = store_zone_soa_rdata(&zc->z.soa, zc->serial, rd, sizeof rd);
		l->len = l->n = 0;
		if (!is_apex(zc, owner) || !len)
			return 0;
		if ((rc = blobs_add(l, rd, len)) != 0)
			return rc;
		*ttl = zc->z.soa.ttl;
	} else if ((rc = rdata_at(zc, owner, type, -1, l, ttl)) != 0) {
		return rc;
	}
	if (l->n > zc->rdcap) {
		struct dnssec_rd *nr = realloc(zc->rds, l->n * sizeof *nr);
		if (!nr)
			return DZ_ENOMEM;
		zc->rds = nr;
		zc->rdcap = l->n;
	}
	for (size_t i = 0; i < l->n; i++) {
		size_t len;
		uint8_t *rd = (uint8_t *)(uintptr_t)blobs_at(l, i, &len);
		if (dnssec_rdata_canon((uint16_t)type, rd, len))
			return DZ_EFORMAT;
		zc->rds[i] = (struct dnssec_rd){ rd, (uint16_t)len };
	}
	return (int)l->n;
}

/* Re-make the RRSIGs over (owner, type) for a name of status s: the old
 * ones go, and if the RRset exists and is the zone's to sign, each key
 * that signs it signs it.  0 or a DZ_E* code. */
static int sign_rrset(struct zctx *zc, const uint8_t *owner, int type, enum status s)
{
	uint32_t ttl = 0;
	int rc = del_sigs(zc, owner, type);
	if (rc || !status_signs(s, type))
		return rc;
	int n = rrset_load(zc, owner, type, &ttl);
	if (n <= 0)
		return n;
	/* expirations spread by name, so the re-signing spreads too */
	size_t olen = dname_len(owner, DNAME_MAX);
	uint32_t spread = (uint32_t)(dname_hash(owner, olen, (uint64_t)type) %
	                             (zc->validity / 4 + 1));
	for (size_t i = 0; i < zc->nkeys; i++) {
		struct skey *k = &zc->keys[i];
		uint8_t sig[DNSSEC_RRSIG_MAX];
		if (!key_signs(k, type))
			continue;
		if (!k->ready && (rc = dnssec_signer_init(&k->sg, &k->k)) != 0)
			return rc;
		k->ready = true;
		struct dnssec_sig_fields f = {
			.covered = (uint16_t)type, .orig_ttl = ttl, .tag = k->tag,
			.inception = zc->now - SIGNER_INCEPTION_BACK,
			.expiration = zc->now + zc->validity - spread, .signer = zc->z.apex,
		};
		int len = dnssec_sign(&k->sg, &f, owner, zc->rds, (size_t)n, sig, sizeof sig);
		if (len < 0)
			return len;
		if ((rc = add_rr(zc, owner, T_RRSIG, ttl, sig, (size_t)len)) != 0)
			return rc;
	}
	return 0;
}

/* The NSEC chain ------------------------------------------------------ */

static int chain_key(const uint8_t *owner, uint8_t *key, size_t *klen)
{
	*klen = dnssec_canon_key(owner, key, DNSSEC_CKEY_MAX);
	return *klen ? 0 : DZ_EINVAL;
}

static bool chain_has(struct zctx *zc, enum chain c, const uint8_t *key, size_t klen)
{
	sqlite3_stmt *s = STORE_PREP_KEY(zc->st, c == C_NAMES
		? "SELECT count(*) FROM dnssec_chain WHERE zone_id = ?2 AND ckey = ?1"
		: "SELECT count(*) FROM dnssec_nsec3 WHERE zone_id = ?2 AND ckey = ?1",
		key, klen, zc->z.id);
	return s && store_count(s) > 0;
}

/* Put owner in (or out of) chain c under key. */
static int chain_put(struct zctx *zc, enum chain c, const uint8_t *key, size_t klen,
                     const uint8_t *owner, bool in)
{
	static const char *const sql[2][2] = {
		{ "DELETE FROM dnssec_chain WHERE ckey = ?1 AND zone_id = ?2",
		  "INSERT OR IGNORE INTO dnssec_chain(ckey, zone_id, owner) VALUES(?1, ?2, ?3)" },
		{ "DELETE FROM dnssec_nsec3 WHERE ckey = ?1 AND zone_id = ?2",
		  "INSERT OR IGNORE INTO dnssec_nsec3(ckey, zone_id, owner) VALUES(?1, ?2, ?3)" },
	};
	sqlite3_stmt *s = STORE_PREP_KEY(zc->st, sql[c][in], key, klen, zc->z.id);
	if (!s)
		return DZ_EDB;
	if (in)
		sqlite3_bind_blob(s, 3, owner, (int)dname_len(owner, DNAME_MAX), SQLITE_STATIC);
	return store_done(s) ? DZ_EDB : 0;
}

static int chain_set(struct zctx *zc, const uint8_t *owner, bool in)
{
	uint8_t key[DNSSEC_CKEY_MAX];
	size_t klen;
	if (chain_key(owner, key, &klen))
		return DZ_EINVAL;
	return chain_put(zc, C_NAMES, key, klen, owner, in);
}

/* The name after (next) or before (!next) key in chain c, the chain
 * wrapping round, into out.  0, DZ_ENOENT (empty chain) or DZ_EDB. */
static int chain_step(struct zctx *zc, enum chain c, const uint8_t *key, size_t klen,
                      bool next, uint8_t out[DNAME_MAX])
{
#define CHAIN_STEP_SQL(T) \
		"SELECT owner FROM " T " WHERE zone_id = ?2 AND ckey < ?1 " \
		"ORDER BY ckey DESC LIMIT 1", \
		"SELECT owner FROM " T " WHERE zone_id = ?2 AND ckey > ?1 " \
		"ORDER BY ckey LIMIT 1", \
		"SELECT owner FROM " T " WHERE zone_id = ?2 ORDER BY ckey DESC LIMIT 1", \
		"SELECT owner FROM " T " WHERE zone_id = ?2 ORDER BY ckey LIMIT 1"
	static const char *const sql[2][4] = {
		{ CHAIN_STEP_SQL("dnssec_chain") }, { CHAIN_STEP_SQL("dnssec_nsec3") },
	};
#undef CHAIN_STEP_SQL
	for (int wrap = 0; wrap < 2; wrap++) {
		sqlite3_stmt *s = STORE_PREP_KEY(zc->st, sql[c][wrap * 2 + next], key, klen, zc->z.id);
		if (!s)
			return DZ_EDB;
		int src = sqlite3_step(s);
		const uint8_t *o = src == SQLITE_ROW ? store_col_name(s, 0) : NULL;
		if (o)
			memcpy(out, o, dname_len(o, DNAME_MAX));
		int rc = store_row_end(s, src);
		if (rc != DZ_ENOENT)
			return rc;
	}
	return DZ_ENOENT;
}

/* The types an NSEC (or NSEC3) at owner of status s names, from the n
 * types at owner in types, in place: RRSIG and NSEC (NSEC3: RRSIG if
 * something there is signed), the SOA at the apex, only NS and DS at a
 * delegation.  Their number. */
static int chain_types(struct zctx *zc, const uint8_t *owner, enum status s,
                       uint16_t *types, int n)
{
	int k = 0;
	bool signed_here = s == S_AUTH;
	for (int i = 0; i < n; i++) {
		uint16_t t = types[i];
		if (t == T_RRSIG || t == T_NSEC || t == T_NSEC3 ||
		    (s == S_DELEG && t != T_NS && t != T_DS))
			continue;
		signed_here = signed_here || t == T_DS;
		types[k++] = t;
	}
	if (!zc->nsec3 || signed_here)
		types[k++] = T_RRSIG;
	if (!zc->nsec3)
		types[k++] = T_NSEC;
	if (is_apex(zc, owner))
		types[k++] = T_SOA;
	return k;
}

/* Make the one record of `type` (NSEC or NSEC3) at owner rd, and re-sign
 * it, unless it is rd already. */
static int chain_rr_put(struct zctx *zc, const uint8_t *owner, int type,
                        const uint8_t *rd, size_t len)
{
	struct blobs old = { 0 };
	int rc = rdata_at(zc, owner, type, -1, &old, NULL);
	size_t olen = 0;
	const uint8_t *ord = old.n == 1 ? blobs_at(&old, 0, &olen) : NULL;
	bool same = ord && olen == len && memcmp(ord, rd, len) == 0;
	blobs_free(&old);
	if (rc || (same && !zc->force))
		return rc;
	if (same)
		return sign_rrset(zc, owner, type, name_status(zc, owner));
	/* RFC 9077: the lesser of the SOA's TTL and its minimum */
	uint32_t ttl = zc->z.soa.minimum < zc->z.soa.ttl ? zc->z.soa.minimum : zc->z.soa.ttl;
	if (store_record_del(zc->st, zc->z.id, owner, (uint16_t)type, NULL, 0, NULL) ||
	    (rc = add_rr(zc, owner, (uint16_t)type, ttl, rd, len)) != 0)
		return rc ? rc : DZ_EDB;
	return sign_rrset(zc, owner, type, name_status(zc, owner));
}

/* Make owner's NSEC say what is at owner now and point at its successor;
 * re-sign it if it changed.  Owner must be in the chain. */
static int nsec_refresh(struct zctx *zc, const uint8_t *owner)
{
	uint16_t types[TYPES_MAX + 3];
	uint8_t key[DNSSEC_CKEY_MAX], next[DNAME_MAX], rd[DNAME_MAX + DNSSEC_BITMAP_MAX];
	size_t klen;
	int n = types_at(zc, owner, types), rc = 0;
	if (n < 0)
		return n;
	n = chain_types(zc, owner, name_status(zc, owner), types, n);
	if (chain_key(owner, key, &klen) || (rc = chain_step(zc, C_NAMES, key, klen, true, next)))
		return rc ? rc : DZ_EINVAL;
	size_t len = dnssec_nsec_rdata(next, types, (size_t)n, rd, sizeof rd);
	return len ? chain_rr_put(zc, owner, T_NSEC, rd, len) : DZ_EINVAL;
}

/* The NSEC3 chain ----------------------------------------------------- */

/* Make the NSEC3 of name (in the hashed chain) say what is at name now
 * (nothing for an empty non-terminal) and point at its successor's hash;
 * re-sign it if it changed. */
static int nsec3_refresh(struct zctx *zc, const uint8_t *name)
{
	uint16_t types[TYPES_MAX + 3];
	uint8_t key[DNSSEC_CKEY_MAX], h[NSEC3_SHA1_LEN], next[DNAME_MAX], owner[DNAME_MAX];
	uint8_t rd[6 + NSEC3_SHA1_LEN + DNSSEC_BITMAP_MAX];
	size_t klen;
	int n = 0, rc;
	if (chain_key(name, key, &klen))
		return DZ_EINVAL;
	if (chain_has(zc, C_NAMES, key, klen)) {
		if ((n = types_at(zc, name, types)) < 0)
			return n;
		n = chain_types(zc, name, name_status(zc, name), types, n);
	}
	nsec3_hash(name, &nsec3_rfc9276, h);
	if ((rc = chain_step(zc, C_NSEC3, h, sizeof h, true, next)) != 0)
		return rc;
	memcpy(rd, nsec3param_rdata, sizeof nsec3param_rdata);
	rd[5] = NSEC3_SHA1_LEN;
	nsec3_hash(next, &nsec3_rfc9276, rd + 6);
	size_t len = 6 + NSEC3_SHA1_LEN, bl = 0;
	if (n && !(bl = dnssec_type_bitmap(types, (size_t)n, rd + len, sizeof rd - len)))
		return DZ_EINVAL;
	if (!nsec3_owner(name, zc->z.apex, &nsec3_rfc9276, owner))
		return DZ_EINVAL;
	return chain_rr_put(zc, owner, T_NSEC3, rd, len + bl);
}

/* Does any name strictly below name hold signed data (is in C_NAMES)?
 * Its descendants' keys are the keys that start with its key. */
static bool has_below(struct zctx *zc, const uint8_t *key, size_t klen)
{
	uint8_t hi[DNSSEC_CKEY_MAX];
	memcpy(hi, key, klen);
	hi[klen - 1] = 1;                  /* the key's last label end, 0, + 1 */
	sqlite3_stmt *s = STORE_PREP_KEY(zc->st,
		"SELECT EXISTS(SELECT 1 FROM dnssec_chain WHERE zone_id = ?2 AND ckey > ?1 "
		"AND ckey < ?3)", key, klen, zc->z.id);
	if (!s)
		return false;
	sqlite3_bind_blob(s, 3, hi, (int)klen, SQLITE_TRANSIENT);
	return store_count(s) > 0;
}

/* Name's place in the names chain changed or its types did: put it and
 * the empty non-terminals above it in or out of the hashed chain, and
 * mend the NSEC3 records that point at what came or went. */
static int nsec3_update(struct zctx *zc, const uint8_t *name)
{
	for (const uint8_t *a = name; a; a = is_apex(zc, a) ? NULL : dname_parent(a)) {
		uint8_t key[DNSSEC_CKEY_MAX], h[NSEC3_SHA1_LEN], owner[DNAME_MAX], prev[DNAME_MAX];
		size_t klen;
		int rc = 0;
		if (chain_key(a, key, &klen) || !nsec3_owner(a, zc->z.apex, &nsec3_rfc9276, owner))
			return DZ_EINVAL;
		nsec3_hash(a, &nsec3_rfc9276, h);
		bool want = chain_has(zc, C_NAMES, key, klen) || has_below(zc, key, klen);
		bool have = chain_has(zc, C_NSEC3, h, sizeof h);
		if (want == have) {
			/* the names above keep their place */
			return want && a == name ? nsec3_refresh(zc, a) : 0;
		}
		if (!want && (store_record_del(zc->st, zc->z.id, owner, T_NSEC3, NULL, 0, NULL) ||
		              del_sigs(zc, owner, -1)))
			return DZ_EDB;
		if ((rc = chain_put(zc, C_NSEC3, h, sizeof h, a, want)) != 0 ||
		    (want && (rc = nsec3_refresh(zc, a)) != 0))
			return rc;
		rc = chain_step(zc, C_NSEC3, h, sizeof h, false, prev);
		if (rc == 0)
			rc = nsec3_refresh(zc, prev);
		if (rc && rc != DZ_ENOENT)
			return rc;
	}
	return 0;
}

/* Put name and the names above it in the hashed chain, no record made
 * yet (nsec3_refresh makes them). */
static int nsec3_hash_up(struct zctx *zc, const uint8_t *name)
{
	int rc = 0;
	for (const uint8_t *a = name; a && !rc; a = is_apex(zc, a) ? NULL : dname_parent(a)) {
		uint8_t h[NSEC3_SHA1_LEN];
		nsec3_hash(a, &nsec3_rfc9276, h);
		if (chain_has(zc, C_NSEC3, h, sizeof h))
			break;                 /* and so are the names above it */
		rc = chain_put(zc, C_NSEC3, h, sizeof h, a, true);
	}
	return rc;
}

/* Build the hashed chain afresh from the names chain: drop every NSEC3,
 * hash each name and the empty non-terminals above it, then make each
 * NSEC3 once. */
static int nsec3_build(struct zctx *zc)
{
	struct blobs names = { 0 };
	int rc = names_collect(STORE_PREP(zc->st, "SELECT owner FROM dnssec_chain "
	                                  "WHERE zone_id = ?1", zc->z.id), &names);
	for (size_t i = 0; i < names.n && !rc; i++)
		rc = nsec3_hash_up(zc, blobs_at(&names, i, NULL));
	if (rc)
		goto fail;
	names.len = names.n = 0;
	rc = names_collect(STORE_PREP(zc->st, "SELECT owner FROM dnssec_nsec3 WHERE zone_id = ?1",
	                              zc->z.id), &names);
	for (size_t i = 0; i < names.n && !rc; i++)
		rc = nsec3_refresh(zc, blobs_at(&names, i, NULL));
fail:
	blobs_free(&names);
	return rc;
}

/* Drop every NSEC3 record of the zone, their signatures and the hashed
 * chain (before a rebuild, or when the zone is unsigned). */
static int nsec3_drop(store_t *st, int64_t zone_id)
{
	struct blobs owners = { 0 };
	int rc = names_collect(STORE_PREP(st, "SELECT DISTINCT owner FROM records "
	                                  "WHERE zone_id = ?1 AND type = 50", zone_id), &owners);
	for (size_t i = 0; !rc && i < owners.n; i++) {
		const uint8_t *o = blobs_at(&owners, i, NULL);
		if (store_record_del(st, zone_id, o, T_NSEC3, NULL, 0, NULL) ||
		    store_record_del(st, zone_id, o, T_RRSIG, NULL, 0, NULL))
			rc = DZ_EDB;
	}
	blobs_free(&owners);
	if (!rc && store_run(st, "DELETE FROM dnssec_nsec3 WHERE zone_id = ?1", zone_id, 0))
		rc = DZ_EDB;
	return rc;
}

/* Re-sign the RRset (owner, type), or every RRset at owner (type < 0),
 * and drop the name's NSEC and signatures if it has no signed data left.
 * 1 if the name belongs in the chain, 0 if not, or a DZ_E* code. */
static int sign_owner(struct zctx *zc, const uint8_t *owner, int type)
{
	enum status s = name_status(zc, owner);
	int rc = 0;
	if (type < 0) {
		uint16_t types[TYPES_MAX];
		int n = types_at(zc, owner, types);
		if (n < 0)
			return n;
		rc = del_sigs(zc, owner, -1);
		for (int i = 0; !rc && i < n; i++)
			if (status_signs(s, types[i]))
				rc = sign_rrset(zc, owner, types[i], s);
	} else if (type != T_RRSIG && type != T_NSEC && type != T_NSEC3) {
		rc = sign_rrset(zc, owner, type, s);
		/* the keys that sign DNSKEY sign CDS and CDNSKEY too: a key
		 * withdrawn changes only the DNSKEY RRset, not its signers' other
		 * RRsets, whose signatures must go with it */
		if (!rc && type == T_DNSKEY)
			rc = sign_rrset(zc, owner, T_CDS, s);
		if (!rc && type == T_DNSKEY)
			rc = sign_rrset(zc, owner, T_CDNSKEY, s);
	}
	if (rc)
		return rc;
	if (s != S_OCCLUDED && has_data(zc, owner))
		return 1;
	if (store_record_del(zc->st, zc->z.id, owner, T_NSEC, NULL, 0, NULL) ||
	    del_sigs(zc, owner, -1))
		return DZ_EDB;
	return 0;
}

/* Sign the whole zone afresh: every name, every RRset, the chain. */
static int sign_all(struct zctx *zc)
{
	struct blobs names = { 0 };
	uint8_t *in = NULL;
	int rc = DZ_EDB, src;
	/* the hashed owners are not names of the zone's data: out first;
	 * and a batched signing left unfinished is done with */
	if ((rc = nsec3_drop(zc->st, zc->z.id)) != 0)
		return rc;
	if (store_run(zc->st, "DELETE FROM dnssec_pending WHERE zone_id = ?1", zc->z.id, 0) ||
	    store_run(zc->st, "DELETE FROM dnssec_todo WHERE zone_id = ?1", zc->z.id, 0))
		return DZ_EDB;
	rc = DZ_EDB;
	sqlite3_stmt *s = STORE_PREP(zc->st,
		"SELECT DISTINCT owner FROM records WHERE zone_id = ?1", zc->z.id);
	if (!s || blobs_add(&names, zc->z.apex, zc->apexlen))
		goto fail;
	rc = 0;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = store_col_name(s, 0);
		if (o && !is_apex(zc, o) && (rc = blobs_add(&names, o, dname_len(o, DNAME_MAX))))
			break;
	}
	if ((rc = store_rows_end(s, rc, src)) != 0)
		goto fail;
	rc = DZ_EDB;
	if (store_run(zc->st, "DELETE FROM dnssec_chain WHERE zone_id = ?1", zc->z.id, 0) ||
	    !(in = calloc(names.n, 1)))
		goto fail;
	for (size_t i = 0; i < names.n; i++) {
		int r = sign_owner(zc, blobs_at(&names, i, NULL), -1);
		if (r < 0 || (r && chain_set(zc, blobs_at(&names, i, NULL), true))) {
			rc = r < 0 ? r : DZ_EDB;
			goto fail;
		}
		in[i] = (uint8_t)r;
	}
	rc = 0;
	if (zc->nsec3)
		rc = nsec3_build(zc);
	for (size_t i = 0; !zc->nsec3 && i < names.n; i++)
		if (in[i] && (rc = nsec_refresh(zc, blobs_at(&names, i, NULL))) != 0)
			goto fail;
fail:
	free(in);
	blobs_free(&names);
	return rc;
}

/* Add every owner strictly below deleg to names, each with the type -1
 * (all its RRsets), growing types as names grows. */
static int subtree_add(struct zctx *zc, const uint8_t *deleg, struct blobs *names, int **types,
                       size_t *tcap)
{
	size_t dlen = dname_len(deleg, DNAME_MAX);
	int rc = 0, src;
	/* the owners whose wire form ends with deleg's; a label that only
	 * looks like it is weeded out below */
	sqlite3_stmt *s = STORE_PREP_KEY(zc->st,
		"SELECT DISTINCT owner FROM records WHERE zone_id = ?2 AND length(owner) > ?3 "
		"AND substr(owner, -?3) = ?1", deleg, dlen, zc->z.id, (int64_t)dlen);
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = store_col_name(s, 0), *p = o;
		while (p && !dname_equal(p, deleg))
			p = dname_parent(p);
		if (!o || !p)
			continue;
		if (names->n == *tcap) {
			size_t nc = *tcap ? *tcap * 2 : 64;
			int *nt = realloc(*types, nc * sizeof *nt);
			if (!nt) {
				rc = DZ_ENOMEM;
				break;
			}
			*types = nt;
			*tcap = nc;
		}
		if ((rc = blobs_add(names, o, dname_len(o, DNAME_MAX))) != 0)
			break;
		(*types)[names->n - 1] = -1;
	}
	return store_rows_end(s, rc, src);
}

/* Re-sign what the journal rows (jfirst, jlast] changed. */
static int sign_changes(struct zctx *zc, int64_t jfirst)
{
	struct blobs names = { 0 }, delegs = { 0 };
	int *types = NULL;
	size_t tcap = 0;
	int rc = 0, src;
	int64_t jlast = 0;
	if (STORE_INT(zc->st, "SELECT coalesce(max(id), 0) FROM journal", &jlast) != 0)
		return DZ_EDB;
	sqlite3_stmt *s = STORE_PREP(zc->st,
		"SELECT DISTINCT owner, type FROM journal WHERE id > ?2 AND id <= ?3 "
		"AND zone_id = ?1 AND op IN (1, 2) ORDER BY owner", zc->z.id, jfirst, jlast);
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = store_col_name(s, 0);
		int t = sqlite3_column_type(s, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 1);
		if (!o || t == T_RRSIG || t == T_NSEC || t == T_NSEC3)
			continue;
		/* a delegation made or unmade moves the names below it in or
		 * out of the zone: all of that subtree is re-signed */
		if (t == T_NS && !is_apex(zc, o)) {
			if ((rc = blobs_add(&delegs, o, dname_len(o, DNAME_MAX))) != 0)
				break;
			t = -1;
		}
		if (names.n == tcap) {
			int *nt = realloc(types, (tcap ? tcap * 2 : 64) * sizeof *nt);
			if (!nt) {
				rc = DZ_ENOMEM;
				break;
			}
			types = nt;
			tcap = tcap ? tcap * 2 : 64;
		}
		if ((rc = blobs_add(&names, o, dname_len(o, DNAME_MAX))) != 0)
			break;
		types[names.n - 1] = t;
	}
	if ((rc = store_rows_end(s, rc, src)) != 0)
		goto fail;
	for (size_t i = 0; i < delegs.n && !rc; i++)
		rc = subtree_add(zc, blobs_at(&delegs, i, NULL), &names, &types, &tcap);
	/* names in order: each name's types together (a subtree's names
	 * come last, so a name may come twice: signed twice, no harm) */
	for (size_t i = 0; i < names.n && !rc;) {
		const uint8_t *o = blobs_at(&names, i, NULL);
		uint8_t key[DNSSEC_CKEY_MAX], prev[DNAME_MAX];
		size_t klen;
		int in = 0;
		for (; i < names.n && dname_equal(blobs_at(&names, i, NULL), o); i++)
			if ((in = sign_owner(zc, o, types[i])) < 0)
				break;
		if (in < 0 || chain_key(o, key, &klen)) {
			rc = in < 0 ? in : DZ_EINVAL;
			break;
		}
		bool was = chain_has(zc, C_NAMES, key, klen);
		if ((bool)in != was && (rc = chain_set(zc, o, in)) != 0)
			break;
		if (zc->nsec3) {
			rc = nsec3_update(zc, o);
			continue;
		}
		if (in && (rc = nsec_refresh(zc, o)) != 0)
			break;
		/* a name came or went: its predecessor's NSEC points past it */
		if ((bool)in != was && (rc = chain_step(zc, C_NAMES, key, klen, false, prev)) == 0)
			rc = nsec_refresh(zc, prev);
	}
fail:
	free(types);
	blobs_free(&names);
	blobs_free(&delegs);
	return rc;
}

/* Batched whole-zone signing ------------------------------------------ */

/* Start re-signing the whole zone in batches (signer_continue): every
 * owner of the zone's data (an NSEC zone's names with only an NSEC left
 * too; not the NSEC3 owners, whose records phase 2 re-makes: signing
 * them as names would drop their signatures until then) and every name of
 * its chain is to do.  The old signatures stay until each
 * name's turn, so a key activation keeps the old key's signatures until
 * the new key's cover everything. */
static int resign_start(struct zctx *zc)
{
	int64_t z = zc->z.id;
	return store_run(zc->st, "DELETE FROM dnssec_todo WHERE zone_id = ?1", z, 0) ||
	       store_run(zc->st, "INSERT OR REPLACE INTO dnssec_pending(zone_id, phase) "
	                 "VALUES(?1, ?2)", z, 1) ||
	       store_run(zc->st, "INSERT OR IGNORE INTO dnssec_todo(zone_id, owner) SELECT DISTINCT "
	                 "zone_id, owner FROM records WHERE zone_id = ?1 AND type NOT IN (46, 50)",
	                 z, 0) ||
	       store_run(zc->st, "INSERT OR IGNORE INTO dnssec_todo(zone_id, owner) SELECT "
	                 "zone_id, owner FROM dnssec_chain WHERE zone_id = ?1", z, 0)
	       ? DZ_EDB : 0;
}

/* The whole zone: at once if it is small, else in batches from now on. */
static int sign_whole(struct zctx *zc)
{
	int64_t n = 0;
	if (STORE_INT(zc->st, "SELECT count(DISTINCT owner) FROM records WHERE zone_id = ?1", &n,
	              zc->z.id) != 0)
		return DZ_EDB;
	return n <= INLINE_NAMES_MAX ? sign_all(zc) : resign_start(zc);
}

/* Phase 1 for one name: sign its RRsets, put it in or out of the names
 * chain (an NSEC3 zone: of the hashed chain too); the chain records
 * wait for phase 2. */
static int resign_name(struct zctx *zc, const uint8_t *o)
{
	uint8_t key[DNSSEC_CKEY_MAX];
	size_t klen;
	if (chain_key(o, key, &klen))
		return DZ_EINVAL;
	bool was = chain_has(zc, C_NAMES, key, klen);
	int in = sign_owner(zc, o, -1), rc;
	if (in < 0 || (bool)in == was)
		return in < 0 ? in : 0;
	if ((rc = chain_put(zc, C_NAMES, key, klen, o, in)) != 0 || !zc->nsec3)
		return rc;
	return in ? nsec3_hash_up(zc, o) : nsec3_update(zc, o);
}

/* Phase 2 for one name: its NSEC or NSEC3, if it is still in the chain. */
static int rechain_name(struct zctx *zc, const uint8_t *o)
{
	uint8_t key[DNSSEC_CKEY_MAX];
	size_t klen;
	if (zc->nsec3) {
		nsec3_hash(o, &nsec3_rfc9276, key);
		return chain_has(zc, C_NSEC3, key, NSEC3_SHA1_LEN) ? nsec3_refresh(zc, o) : 0;
	}
	if (chain_key(o, key, &klen))
		return DZ_EINVAL;
	return chain_has(zc, C_NAMES, key, klen) ? nsec_refresh(zc, o) : 0;
}

int signer_continue(store_t *st, unsigned max, unsigned *n, bool *more)
{
	struct blobs todo = { 0 };
	struct zctx zc = { 0 };
	int64_t zid = 0, phase = 0, left = 0;
	int rc = DZ_EDB;
	*n = 0;
	*more = false;
	if (STORE_INT(st, "SELECT coalesce(min(zone_id), 0) FROM dnssec_pending", &zid) ||
	    (zid && STORE_INT(st, "SELECT phase FROM dnssec_pending WHERE zone_id = ?1", &phase,
	                      zid)))
		return DZ_EDB;
	if (!zid)
		return 0;
	if ((rc = zctx_load(st, zid, &zc)) != 0)
		goto fail;
	if (!zc.nkeys) {
		rc = store_run(st, "DELETE FROM dnssec_pending WHERE zone_id = ?1", zid, 0) ? DZ_EDB : 0;
		goto fail;
	}
	if ((rc = names_collect(STORE_PREP(st, "SELECT owner FROM dnssec_todo WHERE zone_id = ?1 "
	                                   "ORDER BY owner LIMIT ?2", zid, (int64_t)max), &todo)))
		goto fail;
	/* phase 2 re-signs the NSEC3 records even where they are unchanged (a
	 * new key); the NSEC records were re-signed with their names */
	zc.force = phase == 2 && zc.nsec3;
	for (size_t i = 0; i < todo.n && !rc; i++) {
		size_t len;
		const uint8_t *o = blobs_at(&todo, i, &len);
		rc = phase == 1 ? resign_name(&zc, o) : rechain_name(&zc, o);
		sqlite3_stmt *d = rc ? NULL : STORE_PREP_KEY(st,
			"DELETE FROM dnssec_todo WHERE owner = ?1 AND zone_id = ?2", o, len, zid);
		if (!rc && (!d || store_done(d)))
			rc = DZ_EDB;
	}
	*n = (unsigned)todo.n;
	if (rc || STORE_INT(st, "SELECT count(*) FROM dnssec_todo WHERE zone_id = ?1", &left, zid)) {
		rc = rc ? rc : DZ_EDB;
		goto fail;
	}
	*more = true;
	if (left)
		goto fail;
	if (phase == 1)
		/* every name signed: now the chain records, in chain order */
		rc = store_run(st, "UPDATE dnssec_pending SET phase = 2 WHERE zone_id = ?1", zid, 0) ||
		     store_run(st, zc.nsec3
		               ? "INSERT INTO dnssec_todo(zone_id, owner) SELECT zone_id, owner "
		                 "FROM dnssec_nsec3 WHERE zone_id = ?1"
		               : "INSERT INTO dnssec_todo(zone_id, owner) SELECT zone_id, owner "
		                 "FROM dnssec_chain WHERE zone_id = ?1", zid, 0) ? DZ_EDB : 0;
	else if (store_run(st, "DELETE FROM dnssec_pending WHERE zone_id = ?1", zid, 0))
		rc = DZ_EDB;
	/* more: another zone may be pending */
	else if (STORE_INT(st, "SELECT count(*) FROM dnssec_pending", &left) == 0)
		*more = left > 0;
fail:
	zctx_free(&zc);
	blobs_free(&todo);
	return rc;
}

int64_t signer_pending(store_t *st, int64_t zone_id)
{
	int64_t phase = 0, left = 0;
	if (STORE_INT(st, "SELECT coalesce(max(phase), 0) FROM dnssec_pending WHERE zone_id = ?1",
	              &phase, zone_id) || !phase)
		return 0;
	if (STORE_INT(st, "SELECT count(*) FROM dnssec_todo WHERE zone_id = ?1", &left, zone_id))
		return 1;
	return left + 1;
}

int signer_commit(store_t *st, int64_t zone_id, int64_t jfirst, bool full)
{
	/* most zones are unsigned: one indexed probe, not a zone context */
	int64_t keys = 0;
	if (STORE_INT(st, "SELECT count(*) FROM dnssec_keys WHERE zone_id = ?1", &keys, zone_id))
		return DZ_EDB;
	if (!keys)
		return 0;
	struct zctx zc;
	int rc = zctx_load(st, zone_id, &zc);
	if (rc == DZ_ENOENT) {
		zctx_free(&zc);
		return 0;                      /* deleted in this transaction */
	}
	if (rc || !zc.nkeys)
		goto done;
	int64_t reload = 0;
	if (!full && STORE_INT(st, "SELECT count(*) FROM journal WHERE zone_id = ?1 AND id > ?2 "
	                       "AND op = 5", &reload, zone_id, jfirst) != 0) {
		rc = DZ_EDB;
		goto done;
	}
	full = full || reload;
	if (!full)
		rc = sign_changes(&zc, jfirst);
	else
		rc = sign_whole(&zc);
	/* the serial the commit's bump (journal_bump) will give */
	zc.serial = zc.z.soa.serial >= 4294967295u ? 1 : zc.z.soa.serial + 1;
	if (!rc)
		rc = sign_rrset(&zc, zc.z.apex, T_SOA, S_AUTH);
done:
	zctx_free(&zc);
	return rc;
}

int signer_refresh(store_t *st, int64_t now, unsigned max, unsigned *n)
{
	uint32_t validity, refresh;
	uint8_t until[4];
	struct blobs owners = { 0 };
	int64_t *zones = NULL;
	int *covered = NULL;
	struct zctx zc = { 0 };
	bool loaded = false;
	int rc = 0, src;
	*n = 0;
	store_sign_times(st, &validity, &refresh);
	wire_store_u32(until, (uint32_t)(now + refresh));
	/* the partial index records_rrsig_expiry answers this in order */
	sqlite3_stmt *s = STORE_PREP_KEY(st,
		"SELECT zone_id, owner, substr(rdata, 1, 2) FROM records "
		"WHERE type >= 46 AND type <= 46 AND substr(rdata, 9, 4) < ?1 "
		"ORDER BY substr(rdata, 9, 4) LIMIT ?2",
		until, sizeof until, (int64_t)max);
	if (!s || !(zones = calloc(max ? max : 1, sizeof *zones)) ||
	    !(covered = calloc(max ? max : 1, sizeof *covered))) {
		rc = s ? DZ_ENOMEM : DZ_EDB;
		if (s)
			sqlite3_reset(s);
		goto fail;
	}
	while ((src = sqlite3_step(s)) == SQLITE_ROW && owners.n < max) {
		const uint8_t *o = store_col_name(s, 1);
		const uint8_t *c = sqlite3_column_blob(s, 2);
		if (!o || !c || sqlite3_column_bytes(s, 2) != 2)
			continue;
		zones[owners.n] = sqlite3_column_int64(s, 0);
		covered[owners.n] = wire_load_u16(c);
		if ((rc = blobs_add(&owners, o, dname_len(o, DNAME_MAX))) != 0)
			break;
	}
	if ((rc = store_rows_end(s, rc, src == SQLITE_ROW ? SQLITE_DONE : src)) != 0)
		goto fail;
	for (size_t i = 0; i < owners.n && !rc; i++) {
		const uint8_t *o = blobs_at(&owners, i, NULL);
		if (!loaded || zc.z.id != zones[i]) {
			zctx_free(&zc);
			if ((rc = zctx_load(st, zones[i], &zc)) != 0)
				break;
			loaded = true;
		}
		/* the SOA's signature is re-made by the commit this touch causes */
		if (covered[i] == T_SOA)
			rc = store_touch_zone(st, zc.z.id);
		else if (!(i && zones[i] == zones[i - 1] && covered[i] == covered[i - 1] &&
		           dname_equal(o, blobs_at(&owners, i - 1, NULL))))
			rc = sign_rrset(&zc, o, covered[i], name_status(&zc, o));
		(*n)++;
	}
fail:
	zctx_free(&zc);
	free(zones);
	free(covered);
	blobs_free(&owners);
	return rc;
}

/* Keys ------------------------------------------------------------------ */

static int rng(void *ctx, unsigned char *buf, size_t len)
{
	(void)ctx;
	return rand_bytes(buf, len) ? -1 : 0;
}

static int key_new(struct zctx *zc, int role, int state)
{
	struct dnssec_key k;
	uint8_t dk[DNSSEC_DNSKEY_LEN];
	uint16_t flags = role == SIGNER_ZSK ? DNSSEC_ZSK_FLAGS : DNSSEC_KSK_FLAGS;
	if (dnssec_key_generate(&k, flags, rng, NULL))
		return DZ_EIO;
	size_t dl = dnssec_dnskey_rdata(&k, dk, sizeof dk);
	sqlite3_stmt *s = STORE_PREP(zc->st,
		"INSERT INTO dnssec_keys(zone_id, role, state, algorithm, flags, tag, public, "
		"private, created, changed) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
		zc->z.id, role, state, k.alg, flags, dnssec_key_tag(dk, dl), 0, 0, (int64_t)zc->now);
	int rc = DZ_EDB;
	if (s) {
		sqlite3_bind_blob(s, 7, k.pub, DNSSEC_PUB_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(s, 8, k.priv, DNSSEC_PRIV_LEN, SQLITE_STATIC);
		rc = store_done(s);
		/* the statement keeps no copy: SQLITE_STATIC, and the row is written */
		sqlite3_clear_bindings(s);
	}
	dnssec_key_wipe(&k);
	return rc ? DZ_EDB : 0;
}

/* Make the apex's rows of `type` exactly the n RDATAs in want. */
static int sync_type(struct zctx *zc, uint16_t type, const struct blobs *want)
{
	struct blobs have = { 0 };
	int rc = rdata_at(zc, zc->z.apex, type, -1, &have, NULL);
	for (size_t i = 0; !rc && i < have.n; i++) {
		size_t hl, wl;
		const uint8_t *h = blobs_at(&have, i, &hl);
		bool keep = false;
		for (size_t j = 0; j < want->n && !keep; j++) {
			const uint8_t *w = blobs_at(want, j, &wl);
			keep = wl == hl && memcmp(w, h, hl) == 0;
		}
		if (!keep && store_record_del(zc->st, zc->z.id, zc->z.apex, type, h, hl, NULL))
			rc = DZ_EDB;
	}
	for (size_t j = 0; !rc && j < want->n; j++) {
		size_t wl;
		const uint8_t *w = blobs_at(want, j, &wl);
		rc = add_rr(zc, zc->z.apex, type, zc->z.soa.ttl, w, wl);
	}
	blobs_free(&have);
	return rc;
}

/* DNSKEY for every key; CDS and CDNSKEY for the active CSK/KSK. */
static int publish_keys(struct zctx *zc)
{
	struct blobs dnskey = { 0 }, cds = { 0 }, cdnskey = { 0 };
	int rc = load_keys(zc);
	for (size_t i = 0; !rc && i < zc->nkeys; i++) {
		const struct skey *k = &zc->keys[i];
		uint8_t dk[DNSSEC_DNSKEY_LEN], ds[DNSSEC_DS_LEN];
		size_t dl = dnssec_dnskey_rdata(&k->k, dk, sizeof dk);
		rc = blobs_add(&dnskey, dk, dl);
		if (!rc && k->state == SIGNER_ACTIVE && k->role != SIGNER_ZSK) {
			size_t l = dnssec_ds_rdata(zc->z.apex, dk, dl, ds, sizeof ds);
			rc = blobs_add(&cdnskey, dk, dl);
			if (!rc)
				rc = l ? blobs_add(&cds, ds, l) : DZ_EINVAL;
		}
	}
	if (!rc)
		rc = sync_type(zc, T_DNSKEY, &dnskey);
	if (!rc)
		rc = sync_type(zc, T_CDS, &cds);
	if (!rc)
		rc = sync_type(zc, T_CDNSKEY, &cdnskey);
	blobs_free(&dnskey);
	blobs_free(&cds);
	blobs_free(&cdnskey);
	return rc;
}

int signer_sign_zone(store_t *st, int64_t zone_id, bool nsec3, bool ksk_zsk)
{
	struct zctx zc;
	int rc = zctx_load(st, zone_id, &zc);
	if (!rc && zc.nkeys)
		rc = DZ_EEXIST;
	if (!rc)
		rc = key_new(&zc, ksk_zsk ? SIGNER_KSK : SIGNER_CSK, SIGNER_ACTIVE);
	if (!rc && ksk_zsk)
		rc = key_new(&zc, SIGNER_ZSK, SIGNER_ACTIVE);
	if (!rc)
		rc = publish_keys(&zc);
	/* NSEC3PARAM at the apex makes it an NSEC3 zone (signer_commit) */
	if (!rc && nsec3)
		rc = add_rr(&zc, zc.z.apex, T_NSEC3PARAM, 0, nsec3param_rdata,
		            sizeof nsec3param_rdata);
	if (!rc)
		rc = store_resign_zone(st, zone_id);
	zctx_free(&zc);
	return rc;
}

bool signer_zone_signed(store_t *st, int64_t zone_id)
{
	int64_t n = 0;
	return STORE_INT(st, "SELECT count(*) FROM dnssec_keys WHERE zone_id = ?1", &n,
	                 zone_id) == 0 && n > 0;
}

int signer_unsign_zone(store_t *st, int64_t zone_id)
{
	struct blobs owners = { 0 };
	if (!signer_zone_signed(st, zone_id))
		return DZ_ENOENT;
	int rc = names_collect(STORE_PREP(st, "SELECT DISTINCT owner FROM records WHERE "
	                                  "zone_id = ?1 AND type IN (46, 47, 48, 50, 51, 59, 60)",
	                                  zone_id), &owners);
	static const int types[] = { T_RRSIG, T_NSEC, T_DNSKEY, T_NSEC3, T_NSEC3PARAM, T_CDS,
	                             T_CDNSKEY };
	for (size_t i = 0; !rc && i < owners.n; i++)
		for (size_t t = 0; !rc && t < sizeof types / sizeof types[0]; t++)
			if (store_record_del(st, zone_id, blobs_at(&owners, i, NULL), types[t], NULL, 0,
			                     NULL))
				rc = DZ_EDB;
	blobs_free(&owners);
	if (!rc && (store_run(st, "DELETE FROM dnssec_chain WHERE zone_id = ?1", zone_id, 0) ||
	            store_run(st, "DELETE FROM dnssec_nsec3 WHERE zone_id = ?1", zone_id, 0) ||
	            store_run(st, "DELETE FROM dnssec_pending WHERE zone_id = ?1", zone_id, 0) ||
	            store_run(st, "DELETE FROM dnssec_todo WHERE zone_id = ?1", zone_id, 0) ||
	            store_run(st, "DELETE FROM dnssec_keys WHERE zone_id = ?1", zone_id, 0)))
		rc = DZ_EDB;
	return rc ? rc : store_touch_zone(st, zone_id);
}

int signer_key_list(store_t *st, int64_t zone_id, signer_key_cb cb, void *ctx)
{
	struct store_zone z;
	int rc = store_zone_get(st, zone_id, &z), src;
	if (rc)
		return rc;
	sqlite3_stmt *s = STORE_PREP(st,
		"SELECT id, role, state, algorithm, flags, public, created, changed "
		"FROM dnssec_keys WHERE zone_id = ?1 ORDER BY id", zone_id);
	if (!s)
		return DZ_EDB;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		struct signer_key_info k = {
			.id = sqlite3_column_int64(s, 0),
			.role = (enum signer_role)sqlite3_column_int(s, 1),
			.state = (enum signer_state)sqlite3_column_int(s, 2),
			.algorithm = (uint8_t)sqlite3_column_int(s, 3),
			.flags = (uint16_t)sqlite3_column_int(s, 4),
			.created = sqlite3_column_int64(s, 6),
			.changed = sqlite3_column_int64(s, 7),
		};
		size_t pl = (size_t)sqlite3_column_bytes(s, 5);
		if (pl + 4 > sizeof k.dnskey)
			continue;
		wire_store_u16(k.dnskey, k.flags);
		k.dnskey[2] = 3;
		k.dnskey[3] = k.algorithm;
		memcpy(k.dnskey + 4, sqlite3_column_blob(s, 5), pl);
		k.dnskey_len = pl + 4;
		k.tag = dnssec_key_tag(k.dnskey, k.dnskey_len);
		k.ds_len = dnssec_ds_rdata(z.apex, k.dnskey, k.dnskey_len, k.ds, sizeof k.ds);
		if ((rc = cb(ctx, &k)) != 0)
			break;
	}
	return store_rows_end(s, rc, src);
}

int signer_key_add(store_t *st, int64_t zone_id, enum signer_role role, int64_t *id)
{
	struct zctx zc;
	int rc = zctx_load(st, zone_id, &zc);
	if (!rc && !zc.nkeys)
		rc = DZ_ENOENT;
	if (!rc)
		rc = key_new(&zc, role, SIGNER_PUBLISHED);
	if (!rc && id)
		*id = store_last_id(st);
	if (!rc)
		rc = publish_keys(&zc);
	zctx_free(&zc);
	return rc;
}

/* The key of zone with this tag (the newest if several): its index in
 * zc->keys, or -1. */
static int key_by_tag(const struct zctx *zc, uint16_t tag)
{
	for (size_t i = zc->nkeys; i-- > 0;)
		if (zc->keys[i].tag == tag)
			return (int)i;
	return -1;
}

int signer_key_activate(store_t *st, int64_t zone_id, uint16_t tag)
{
	struct zctx zc;
	int rc = zctx_load(st, zone_id, &zc), i = -1;
	if (!rc && (i = key_by_tag(&zc, tag)) < 0)
		rc = DZ_ENOENT;
	if (rc)
		goto done;
	const struct skey *k = &zc.keys[i];
	/* the one active key of the role steps down to retired: a CSK or KSK
	 * keeps signing the DNSKEY RRset until it is withdrawn */
	rc = DZ_EDB;
	sqlite3_stmt *s = STORE_PREP(st,
		"UPDATE dnssec_keys SET state = CASE WHEN id = ?2 THEN ?4 ELSE ?5 END, changed = ?6 "
		"WHERE zone_id = ?1 AND role = ?3 AND (id = ?2 OR state = ?4)",
		zone_id, k->id, k->role, SIGNER_ACTIVE, SIGNER_RETIRED, (int64_t)zc.now);
	if (!s || store_done(s))
		goto done;
	rc = publish_keys(&zc);
	if (!rc)
		rc = store_resign_zone(st, zone_id);
done:
	zctx_free(&zc);
	return rc;
}

int signer_key_retire(store_t *st, int64_t zone_id, uint16_t tag)
{
	struct zctx zc;
	int rc = zctx_load(st, zone_id, &zc), i = -1;
	if (!rc && (i = key_by_tag(&zc, tag)) < 0)
		rc = DZ_ENOENT;
	if (!rc && zc.keys[i].state == SIGNER_ACTIVE)
		rc = DZ_EINVAL;
	/* the old key's signatures may still be all that covers some names */
	if (!rc && signer_pending(st, zone_id))
		rc = DZ_ELIMIT;
	if (!rc && store_run(st, "DELETE FROM dnssec_keys WHERE id = ?1", zc.keys[i].id, 0))
		rc = DZ_EDB;
	if (!rc)
		rc = publish_keys(&zc);
	zctx_free(&zc);
	return rc;
}
