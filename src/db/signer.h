/* DNSSEC signing in the store (issue #13): the zones' keys (table
 * dnssec_keys: private parts only here, in the 0600 store, never logged
 * or returned to a caller outside src/db/), and the signatures and NSEC
 * chain kept as ordinary record rows (RRSIG, NSEC, DNSKEY, CDS, CDNSKEY),
 * journalled like every record, so they reach the zone table by
 * store_sync and secondaries by AXFR/IXFR unchanged.
 *
 * A zone is signed while it has keys (and so a DNSKEY RRset at its apex).
 * store_commit calls signer_commit for every zone the transaction touched,
 * before the serial bump and COMMIT: the RRsets the transaction changed
 * (found from its journal rows) are re-signed, the NSEC chain mended for
 * names that came or went (predecessor and successor through the indexed
 * canonical-order table dnssec_chain: an update never scans the zone;
 * in an NSEC3 zone, whose apex has NSEC3PARAM, the hashed chain through
 * dnssec_nsec3, with the empty non-terminals above a name that came or
 * went),
 * and the SOA re-signed with the serial the bump gives it.  So whatever
 * thread commits (the committer, a CLI command, an import) signs, and
 * "durable and served" also means signed.  A delegation's NS change
 * re-signs the names at and below it.
 *
 * A bulk transaction (import), a first signing or a key activation
 * re-signs the whole zone: at once in that transaction if the zone has at
 * most 500 names, else in batches (signer_continue: each a transaction of
 * its own, so the write lock is never held long and a running server's
 * commits go on between them), first every name's RRsets, then the chain
 * records.  Until the last batch the zone is "pending" (signer_pending):
 * a new zone is partly signed (insecure, not bogus, while the parent has
 * no DS: `zone ds` refuses), and at a key activation each name keeps the
 * old key's signatures until its turn (the old key is still published;
 * `key retire` refuses meanwhile).  The CLI runs the batches after its
 * command; the server's housekeeping job runs them too (one that was cut
 * short goes on there).
 *
 * Which key signs what: an active CSK everything; an active KSK the
 * DNSKEY, CDS and CDNSKEY RRsets and an active ZSK the rest; a retired
 * CSK or KSK still signs the DNSKEY RRset (the parent's DS may still
 * point at it) until it is withdrawn.  CDS and CDNSKEY name the active
 * CSK/KSK.  Nothing here assumes one algorithm except key generation.
 *
 * Everything runs on the caller's connection inside its transaction. */
#ifndef DZ_SIGNER_H
#define DZ_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/db/store.h"

enum signer_role { SIGNER_CSK = 1, SIGNER_KSK = 2, SIGNER_ZSK = 3 };
enum signer_state { SIGNER_PUBLISHED = 1, SIGNER_ACTIVE = 2, SIGNER_RETIRED = 3 };

/* A key as callers see it: no private part. */
struct signer_key_info {
	int64_t id;
	enum signer_role role;
	enum signer_state state;
	uint8_t algorithm;
	uint16_t flags, tag;
	int64_t created, changed;   /* epoch seconds */
	uint8_t dnskey[128];        /* DNSKEY RDATA */
	size_t dnskey_len;
	uint8_t ds[64];             /* its DS RDATA (SHA-256) */
	size_t ds_len;
};

/* Signature validity and re-signing (config dnssec-validity,
 * dnssec-refresh; defaults 14 days and 7 days): signatures are made valid
 * from an hour ago to `validity` seconds from now, less a spread of up to
 * a quarter of it by name, and re-made by signer_refresh when fewer than
 * `refresh` seconds are left. */
#define SIGNER_VALIDITY_DEFAULT (14 * 86400)
#define SIGNER_REFRESH_DEFAULT (7 * 86400)
#define SIGNER_INCEPTION_BACK 3600

/* Sign zone_id for the first time: make a CSK (or, with ksk_zsk, a KSK
 * and a ZSK), publish DNSKEY, CDS and CDNSKEY, sign every RRset and build
 * the NSEC chain (nsec3: NSEC3PARAM 1 0 0 - at the apex and the NSEC3
 * chain, empty non-terminals included, RFC 5155 and RFC 9276).  Inside the
 * caller's transaction; its commit signs the SOA.  0, DZ_EEXIST (the zone
 * has keys), DZ_ENOENT, DZ_EIO (no randomness) or DZ_EDB. */
int signer_sign_zone(store_t *st, int64_t zone_id, bool nsec3, bool ksk_zsk);
/* Drop a zone's keys and every DNSKEY, CDS, CDNSKEY, RRSIG and NSEC row:
 * the zone is served unsigned (take the DS out of the parent first).
 * 0, DZ_ENOENT (not signed) or DZ_EDB. */
int signer_unsign_zone(store_t *st, int64_t zone_id);
/* True if the zone has keys. */
bool signer_zone_signed(store_t *st, int64_t zone_id);

typedef int (*signer_key_cb)(void *ctx, const struct signer_key_info *k);
/* Every key of a zone, oldest first.  cb's non-zero return stops the walk
 * and is returned; else 0 or DZ_EDB. */
int signer_key_list(store_t *st, int64_t zone_id, signer_key_cb cb, void *ctx);
/* Pre-publish a new key of `role` (its DNSKEY served, signing nothing)
 * in a signed zone; its id in *id.  0, DZ_ENOENT (not signed), DZ_EIO or
 * DZ_EDB. */
int signer_key_add(store_t *st, int64_t zone_id, enum signer_role role, int64_t *id);
/* Make the key with this tag the active one of its role: the key active
 * before it is retired, CDS/CDNSKEY follow, and the whole zone is re-signed
 * at commit.  0, DZ_ENOENT (no such key) or DZ_EDB. */
int signer_key_activate(store_t *st, int64_t zone_id, uint16_t tag);
/* Withdraw a published or retired key: its DNSKEY goes and it signs
 * nothing more.  0, DZ_ENOENT, DZ_EINVAL (the key is active), DZ_ELIMIT (a
 * whole-zone re-signing is still pending) or DZ_EDB. */
int signer_key_retire(store_t *st, int64_t zone_id, uint16_t tag);

/* One batch of a pending whole-zone signing (the lowest pending zone):
 * at most `max` names, in the caller's transaction.  *n gets the number of
 * names done, *more whether any zone is still pending after it.  0 or a
 * DZ_E* code. */
int signer_continue(store_t *st, unsigned max, unsigned *n, bool *more);
/* 0 if zone_id's signing is complete, else 1 + the names its current
 * phase has left. */
int64_t signer_pending(store_t *st, int64_t zone_id);

/* The transaction hook (store_commit): re-sign what the journal rows
 * after `jfirst` changed in zone_id (all of the zone if full), and sign
 * the SOA at the serial the commit's bump gives it.  A no-op for an
 * unsigned zone.  0 or a DZ_E* code (the commit then fails). */
int signer_commit(store_t *st, int64_t zone_id, int64_t jfirst, bool full);

/* Re-sign at most `max` RRsets whose signatures expire within `refresh`
 * seconds of now (soonest first), in the caller's transaction.  *n gets
 * the number re-signed (== max: there may be more).  0 or DZ_EDB. */
int signer_refresh(store_t *st, int64_t now, unsigned max, unsigned *n);

#endif
