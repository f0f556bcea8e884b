/* Dynamic hosts: a user's name in a zone whose A and AAAA records the
 * update API keeps current, plus TXT records at _acme-challenge.<host>
 * for ACME DNS-01.
 *
 * The hosts row holds the last addresses set (both families) and the
 * offline flag; the records table holds what DNS serves: the addresses
 * when online, nothing when offline.  Every record change goes through
 * store_record_add/del, so it is journalled and reaches the zone table by
 * store_sync.  A host with no address (new, or offline) has no records:
 * its name answers NXDOMAIN until the first update. */
#ifndef DZ_HOST_H
#define DZ_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/dyndns2.h"
#include "src/common/secret.h"
#include "src/db/store.h"
#include "src/db/zones.h"

#define HOST_TXT_MAX 4          /* TXT values kept per host; the oldest goes */
#define HOST_TEXT_MAX 256       /* presentation form, trailing dot, NUL */

struct host;
typedef int (*host_cb)(void *ctx, const struct host *h);

struct host {
	int64_t id, zone_id, user_id;
	uint8_t name[DNAME_MAX];     /* lowercase wire */
	char text[HOST_TEXT_MAX];
	char user[SECRET_NAME_MAX];    /* owner's name (host_list only) */
	uint32_t ttl;
	struct dd2_addrs addrs;      /* last set; kept while offline */
	bool offline;
	bool wildcard;               /* *.name serves the same A and AAAA */
	int64_t created, updated;    /* unix time; updated 0: never */
	unsigned ntokens;            /* host_list only */
	/* as a router: the last LAN prefix its updates brought */
	bool has_lan;
	uint8_t lan[16];
	unsigned lan_len;
	unsigned nfollowers;         /* hosts following it */
	/* as a follower: AAAA = the router's LAN prefix | iid */
	int64_t prefix_of;           /* the router's host id, 0: follows none */
	char router[HOST_TEXT_MAX];  /* its name ("" if none) */
	bool has_iid;
	uint8_t iid[16];             /* only the low 128 - prefix_len bits count */
	unsigned prefix_len;         /* the router's prefix length it expects */
	bool prefer_own;             /* see host_follow */
	bool has_router_lan;         /* the router's LAN prefix, read with the row */
	uint8_t router_lan[16];
	unsigned router_lan_len;
};

#define HOST_FOLLOWERS_MAX 256  /* hosts one router's prefix may carry */

/* Find a host by (wire) name, any case (user and ntokens are left
 * empty).  0, DZ_ENOENT or DZ_EDB. */
int host_find(store_t *st, const uint8_t *name, struct host *out);

/* Add a host for a user (inside a transaction).  The name must be a host
 * name (letters, digits, '-', '_') strictly inside a zone and carry no
 * CNAME; A and AAAA records already at the name are taken over (their
 * addresses become the host's).  ttl 0 means the zone's default_ttl.
 * 0 with *out filled, or DZ_ENOENT (in no zone), DZ_EINVAL (the apex, not
 * a host name, or a CNAME there), DZ_EEXIST (already a host), DZ_EDB. */
int host_add(store_t *st, const uint8_t *name, int64_t user_id, uint32_t ttl,
             struct host *out);

/* Delete a host, its records, its TXT values, its log, and the tokens
 * that covered no other host (inside a transaction).  0 or DZ_EDB. */
int host_del(store_t *st, const struct host *h);

/* Every host (user_id 0) or one user's, ordered by name.  A non-zero
 * return from cb stops the walk and is returned. */
int host_list(store_t *st, int64_t user_id, host_cb cb, void *ctx);

/* What an update asks for. */
struct host_change {
	bool set_addrs;              /* replace the families present in addrs */
	struct dd2_addrs addrs;
	bool del4, del6;             /* forget that family's address (DNS
	                                UPDATE deleting the host's A or AAAA) */
	int offline;                 /* -1: leave (an address update brings the
	                                host back online), 0 online, 1 offline */
	bool set_txt;                /* ntxt 0: remove every TXT value */
	unsigned ntxt;
	const char *txt[DD2_TXT_MAX];
};

/* Prefix hosts (issue #16).  A router's dyndns2 update may bring its LAN
 * prefix (ip6lanprefix, never derived from the router's own address);
 * every host following the router then gets AAAA = prefix | iid in the
 * same transaction.  `prefer` says what wins on a follower that also runs
 * its own client: "prefix" (the default: the derived AAAA is what DNS
 * serves; the host's own IPv6 updates change nothing but its A, because
 * devices report temporary privacy addresses while the iid is the stable
 * one) or "own" (the host's own IPv6 update wins; a new prefix only moves
 * an AAAA that was derived, or fills one in when the host has none).  No
 * chains: a follower is never a router, a router never a follower.
 * Deleting a router keeps its followers' last addresses and drops their
 * link. */

/* The address a follower should have now (its router's prefix | iid):
 * false if it follows no router or the router has no prefix yet. */
bool host_derived(const struct host *h, uint8_t out[16]);

/* What host_follow changes; fields not set are left. */
struct host_follow {
	bool set_router;
	const uint8_t *router;      /* wire name; NULL: follow no router */
	bool set_iid;
	uint8_t iid[16];
	unsigned prefix_len;        /* 0: leave */
	int prefer;                 /* -1 leave, 0 prefix, 1 own */
};

/* Change whom h follows and how (inside a transaction), then give it its
 * derived address at once if the router already has a prefix.  h is
 * reread.  0; DZ_ENOENT (no such router), DZ_EINVAL with *why set to a
 * sentence for the user (another user's router, itself, a chain, no iid,
 * a length the router's prefix does not have, a length outside 1..127),
 * DZ_ELIMIT (the router has HOST_FOLLOWERS_MAX), or DZ_EDB. */
int host_follow(store_t *st, struct host *h, const struct host_follow *f, int64_t now,
                const char **why);

/* Do r's followers take a prefix of length plen?  0, DZ_EINVAL with
 * *need the length a follower expects, or DZ_EDB. */
int host_prefix_check(store_t *st, const struct host *r, unsigned plen, unsigned *need);

/* Store r's new LAN prefix (inside a transaction) and move every
 * follower's AAAA (host_apply, so journalled); `each` (may be NULL) is
 * called for each follower that changed, e.g. for its update_log row.
 * *changed is false when the prefix is the one already stored (nothing
 * written).  0 or DZ_EDB (or each's non-zero return). */
int host_prefix_apply(store_t *st, struct host *r, const uint8_t p[16], unsigned plen,
                      int64_t now, bool *changed, host_cb each, void *ctx);

/* The hosts following router_id, ordered by name.  Like host_list. */
int host_followers(store_t *st, int64_t router_id, host_cb cb, void *ctx);

/* Apply a change (inside a transaction): the hosts row, the A/AAAA
 * records DNS serves and the TXT values.  A family not in the change is
 * left alone.  A follower preferring the prefix keeps its derived AAAA
 * whatever IPv6 address the change brings.  *changed is false when nothing differed: then nothing was
 * written.  h is updated to the new state.  0, DZ_EINVAL (the TXT owner
 * name would be too long) or DZ_EDB. */
int host_apply(store_t *st, struct host *h, const struct host_change *c,
               int64_t now, bool *changed);

/* Per-host settings (inside a transaction; h is updated).  host_set_ttl:
 * the TTL of the host's A and AAAA records (rewritten at once; TXT values
 * take it when next set).  host_set_wildcard: `*.name` gets the same A
 * and AAAA records as the name, kept in step by every host_apply, or
 * loses them.  0, DZ_EINVAL (the name is too long for a wildcard) or
 * DZ_EDB. */
int host_set_ttl(store_t *st, struct host *h, uint32_t ttl);
int host_set_wildcard(store_t *st, struct host *h, bool on);

/* Remove one TXT value (ACME) of a host, its record and host_txt row
 * (inside a transaction).  *changed is set if it was there.  0, DZ_EINVAL
 * (the TXT owner name would be too long) or DZ_EDB. */
int host_txt_remove(store_t *st, const struct host *h, const uint8_t *value, size_t len,
                    bool *changed);

/* Hosts of a user (user_id 0: of everyone) in a zone; -1 on a store
 * error. */
long long host_count(store_t *st, int64_t user_id, int64_t zone_id);
/* A host's TXT values (ACME), oldest first.  A non-zero return from cb
 * stops the walk and is returned; DZ_EDB. */
int host_txt_list(store_t *st, int64_t host_id,
                  int (*cb)(void *ctx, const uint8_t *value, size_t len), void *ctx);

#endif
