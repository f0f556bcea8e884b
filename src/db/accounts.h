/* User accounts in the store: the users table (name, argon2id password
 * hash, admin flag), the zones opened to each user (zone_access) and the
 * invite codes (invites; kept hashed).  Password hashing and the name and
 * password rules are in src/common/secret.h.  Functions run on the
 * caller's connection and inside the caller's transaction if one is open. */
#ifndef DZ_ACCOUNTS_H
#define DZ_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "src/common/secret.h"
#include "src/db/store.h"

/* Add a user.  DZ_EEXIST if the name is taken, DZ_EINVAL for a bad name,
 * DZ_EDB. */
int accounts_add(store_t *st, const char *name, const char *pw_encoded,
                 bool admin, int64_t *id);
/* Names are compared without regard to case ('Alice' is 'alice'); the
 * name is kept as it was first written. */
/* Find a user by name: 0 with *id (and *admin if not NULL), DZ_ENOENT or
 * DZ_EDB. */
int accounts_find(store_t *st, const char *name, int64_t *id, bool *admin);
/* The user's name by id into out; 0, DZ_ENOENT or DZ_EDB. */
int accounts_name(store_t *st, int64_t id, char out[SECRET_NAME_MAX]);
/* A user's id, admin flag and encoded password hash (into enc; the caller
 * wipes it).  0, DZ_ENOENT or DZ_EDB. */
int accounts_password(store_t *st, const char *name, int64_t *id, bool *admin,
                      char enc[SECRET_PW_ENCODED]);
/* Replace a user's password hash.  0, DZ_ENOENT or DZ_EDB.  (The caller
 * ends the user's sessions: sessions_del_user.) */
int accounts_set_password(store_t *st, int64_t id, const char *pw_encoded);
/* Delete a user row (its sessions, grants and tokens go by cascade; the
 * caller deletes the user's hosts first, so their records leave DNS
 * through the journal).  0, DZ_ENOENT or DZ_EDB. */
int accounts_del(store_t *st, int64_t id);

/* A user as listed.  zones: the names of the zones granted,
 * comma-separated, or NULL for none.  Strings are valid during the
 * callback only. */
struct account_info {
	int64_t id;
	const char *name;
	bool admin;
	int64_t created;
	unsigned nhosts;
	const char *zones;
};
typedef int (*accounts_cb)(void *ctx, const struct account_info *a);
/* Every user by name.  A non-zero return from cb stops the walk and is
 * returned; DZ_EDB. */
int accounts_list(store_t *st, accounts_cb cb, void *ctx);

/* Zone grants --------------------------------------------------------------- */

/* Open a zone to a user, with a cap on their hosts there (0: no cap);
 * replaces an existing grant's cap.  0 or DZ_EDB (DZ_EEXIST: no such user
 * or zone). */
int accounts_grant(store_t *st, int64_t user_id, int64_t zone_id, unsigned max_hosts);
/* Close a zone to a user.  0, DZ_ENOENT (there was no grant) or DZ_EDB. */
int accounts_revoke(store_t *st, int64_t user_id, int64_t zone_id);
/* Is the zone open to the user?  0 with *max_hosts (0: no cap),
 * DZ_ENOENT, or DZ_EDB. */
int accounts_access(store_t *st, int64_t user_id, int64_t zone_id, unsigned *max_hosts);
/* The names of the zones open to a user (presentation form, trailing
 * dot), by name.  A non-zero return from cb stops the walk and is
 * returned; DZ_EDB. */
int accounts_zones(store_t *st, int64_t user_id,
                   int (*cb)(void *ctx, const char *zone), void *ctx);

/* Invite codes (only their hash is kept) --------------------------------- */

/* Record an invite code's hash, made by a user, valid until `expires`.
 * 0 or DZ_EDB. */
int accounts_invite_add(store_t *st, const uint8_t hash[SECRET_HASH_LEN], int64_t by_user,
                        int64_t now, int64_t expires);
/* Use up an invite for a new user: 0, DZ_EAUTH (unknown, used or
 * expired) or DZ_EDB. */
int accounts_invite_use(store_t *st, const uint8_t hash[SECRET_HASH_LEN], int64_t user_id,
                        int64_t now);

#endif
