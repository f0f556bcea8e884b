/* The DNSSEC commands: zone sign, unsign, ds, and the key rollover steps
 * (zone key list|add|activate|retire).  Each change is one transaction;
 * its commit signs (src/db/signer.h), and a running server serves it
 * within sync-interval. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "src/cli/cmd.h"
#include "src/common/clock.h"
#include "src/db/signer.h"
#include "src/db/zones.h"

/* The zone named exactly by text, or a message. */
static int find_zone(struct cmd_ctx *ctx, const char *text, struct store_zone *z)
{
	uint8_t apex[DNAME_MAX];
	if (!cmd_name(text, apex))
		return cmd_fail("'%s' is not a valid zone name", text);
	store_t *st = cmd_store(ctx);
	if (store_zone_find(st, apex, z) || !dname_equal_ci(z->apex, apex))
		return cmd_fail("no zone %s", text);
	return 0;
}

/* A command whose one argument is ZONE: parse it and find the zone.  0,
 * or the exit code (2: usage, 1: no such zone). */
static int zone_arg(struct cmd_ctx *ctx, int argc, char **argv, struct store_zone *z)
{
	const char *pos[1];
	int np;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	return find_zone(ctx, pos[0], z) ? 1 : 0;
}

/* Names signed per transaction of a batched whole-zone signing: about a
 * second of signatures, the longest a running server's commits wait. */
#define SIGN_BATCH_NAMES 500

static int do_continue(store_t *st, void *arg)
{
	unsigned n;
	return signer_continue(st, SIGN_BATCH_NAMES, &n, (bool *)arg);
}

int cmd_sign_finish(struct cmd_ctx *ctx)
{
	store_t *st = cmd_store(ctx);
	bool more = true;
	unsigned batches = 0;
	int rc = 0;
	uint64_t t0 = clock_ms();
	while (more && !rc) {
		more = false;
		if ((rc = store_txn(st, do_continue, &more)) == 0 && more) {
			/* a gap between the turns, for a running server's committer
			 * waiting on the write lock (it tries every 2 ms) */
			struct timespec gap = { 0, 5 * 1000 * 1000 };
			nanosleep(&gap, NULL);
			batches++;
		}
	}
	if (rc)
		return cmd_fail("signing: %s (run the command again, or the server's housekeeping "
		                "finishes it)", rc == DZ_EDB ? store_errmsg(st) : dz_strerror(rc));
	if (batches)
		fprintf(stderr, "dynzone: signed in %u transactions in %llu ms\n", batches,
		        (unsigned long long)(clock_ms() - t0));
	return 0;
}

/* Run fn in one transaction, then any whole-zone signing it started in
 * batches; a message for its failure. */
static int change(struct cmd_ctx *ctx, const struct store_zone *z,
                  int (*fn)(store_t *st, void *arg), void *arg, const char *what)
{
	store_t *st = cmd_store(ctx);
	int rc = store_txn(st, fn, arg);
	switch (rc) {
	case 0:
		return cmd_sign_finish(ctx);
	case DZ_ELIMIT:
		return cmd_fail("%s: its re-signing is not finished (see 'dynzone zone key list')",
		                z->name);
	case DZ_EEXIST:
		return cmd_fail("%s is already signed (see 'dynzone zone key list')", z->name);
	case DZ_ENOENT:
		return cmd_fail("%s: %s", z->name, what);
	case DZ_EINVAL:
		return cmd_fail("%s: the active key cannot be withdrawn (activate another first)",
		                z->name);
	case DZ_EDB:
		return cmd_fail("store: %s", store_errmsg(st));
	default:
		return cmd_fail("%s: %s", z->name, dz_strerror(rc));
	}
}

struct sign_args {
	int64_t zone_id;
	bool nsec3, ksk_zsk;
	uint16_t tag;
	enum signer_role role;
	enum { KEY_ADD, KEY_ACTIVATE, KEY_RETIRE } op;
};

static int do_sign(store_t *st, void *arg)
{
	struct sign_args *a = arg;
	return signer_sign_zone(st, a->zone_id, a->nsec3, a->ksk_zsk);
}

static const char *const role_names[] = { "?", "CSK", "KSK", "ZSK" };
static const char *const state_names[] = { "?", "published", "active", "retired" };

static int print_key(void *ctx, const struct signer_key_info *k)
{
	const struct store_zone *z = ctx;
	char c[32], ch[32];
	time_t tc = (time_t)k->created, tch = (time_t)k->changed;
	struct tm tm;
	strftime(c, sizeof c, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tc, &tm));
	strftime(ch, sizeof ch, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&tch, &tm));
	printf("%s key %u %s %s algorithm %u created %s changed %s\n", z->name, k->tag,
	       role_names[k->role <= SIGNER_ZSK ? k->role : 0],
	       state_names[k->state <= SIGNER_RETIRED ? k->state : 0], k->algorithm, c, ch);
	return 0;
}

int cmd_zone_sign(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	struct sign_args a = { 0 };
	struct cmd_opt opts[] = {
		{ "nsec3", 0, NULL, &a.nsec3, NULL, NULL, 0 },
		{ "ksk-zsk", 0, NULL, &a.ksk_zsk, NULL, NULL, 0 },
		{ 0 },
	};
	struct store_zone z;
	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	if (find_zone(ctx, pos[0], &z))
		return 1;
	a.zone_id = z.id;
	uint64_t t0 = clock_ms();
	if (change(ctx, &z, do_sign, &a, "no such zone"))
		return 1;
	fprintf(stderr, "dynzone: %s signed in %llu ms; give its parent the DS records of "
	        "'dynzone zone ds %s'\n", z.name, (unsigned long long)(clock_ms() - t0), z.name);
	return signer_key_list(cmd_store(ctx), z.id, print_key, &z) ? 1 : 0;
}

static int do_unsign(store_t *st, void *arg)
{
	struct sign_args *a = arg;
	return signer_unsign_zone(st, a->zone_id);
}

int cmd_zone_unsign(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_zone z;
	int rc = zone_arg(ctx, argc, argv, &z);
	if (rc)
		return rc;
	struct sign_args a = { .zone_id = z.id };
	if (change(ctx, &z, do_unsign, &a, "not signed"))
		return 1;
	printf("zone %s unsigned\n", z.name);
	return 0;
}

/* One DS line in zone file form for each CSK/KSK not being withdrawn. */
static int print_ds(void *ctx, const struct signer_key_info *k)
{
	const struct store_zone *z = ctx;
	if (k->role == SIGNER_ZSK || k->state == SIGNER_RETIRED || k->ds_len != 36)
		return 0;
	printf("%s %u IN DS %u %u %u ", z->name, z->soa.ttl, k->tag, k->ds[2], k->ds[3]);
	for (size_t i = 4; i < k->ds_len; i++)
		printf("%02X", k->ds[i]);
	printf("\n");
	return 0;
}

/* `zone ds` and `zone key list`: ZONE, each key through cb. */
static int key_walk(struct cmd_ctx *ctx, int argc, char **argv, signer_key_cb cb)
{
	struct store_zone z;
	int rc = zone_arg(ctx, argc, argv, &z);
	if (rc)
		return rc;
	if (!signer_zone_signed(cmd_store(ctx), z.id))
		return cmd_fail("%s is not signed (see 'dynzone zone sign')", z.name);
	int64_t left = signer_pending(cmd_store(ctx), z.id);
	if (left && cb == print_ds)
		return cmd_fail("%s: signing is not finished (%lld names to go): no DS for the "
		                "parent until it is", z.name, (long long)(left - 1));
	if (left)
		fprintf(stderr, "dynzone: %s: signing is not finished (%lld names to go)\n", z.name,
		        (long long)(left - 1));
	if (signer_key_list(cmd_store(ctx), z.id, cb, &z))
		return cmd_fail("store: %s", store_errmsg(cmd_store(ctx)));
	return 0;
}

int cmd_zone_ds(struct cmd_ctx *ctx, int argc, char **argv)
{
	return key_walk(ctx, argc, argv, print_ds);
}

int cmd_zone_key_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	return key_walk(ctx, argc, argv, print_key);
}

static int do_key(store_t *st, void *arg)
{
	struct sign_args *a = arg;
	switch (a->op) {
	case KEY_ACTIVATE:
		return signer_key_activate(st, a->zone_id, a->tag);
	case KEY_RETIRE:
		return signer_key_retire(st, a->zone_id, a->tag);
	default:
		return signer_key_add(st, a->zone_id, a->role, NULL);
	}
}

int cmd_zone_key_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *role = "csk";
	int np;
	struct store_zone z;
	struct cmd_opt opts[] = { { "role", 1, &role, NULL, NULL, NULL, 0 }, { 0 } };
	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	struct sign_args a = { .role = SIGNER_CSK };
	if (strcmp(role, "ksk") == 0)
		a.role = SIGNER_KSK;
	else if (strcmp(role, "zsk") == 0)
		a.role = SIGNER_ZSK;
	else if (strcmp(role, "csk") != 0)
		return cmd_fail("--role must be csk, ksk or zsk, not '%s'", role);
	if (find_zone(ctx, pos[0], &z))
		return 1;
	a.zone_id = z.id;
	if (change(ctx, &z, do_key, &a, "not signed (see 'dynzone zone sign')"))
		return 1;
	return signer_key_list(cmd_store(ctx), z.id, print_key, &z) ? 1 : 0;
}

/* activate and retire: ZONE TAG */
static int key_step(struct cmd_ctx *ctx, int argc, char **argv, bool retire)
{
	const char *pos[2];
	int np;
	struct store_zone z;
	char *end;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 2, 2, &np))
		return 2;
	unsigned long tag = strtoul(pos[1], &end, 10);
	if (!*pos[1] || *end || tag > 65535)
		return cmd_fail("'%s' is not a key tag (see 'dynzone zone key list')", pos[1]);
	if (find_zone(ctx, pos[0], &z))
		return 1;
	struct sign_args a = { .zone_id = z.id, .tag = (uint16_t)tag,
	                       .op = retire ? KEY_RETIRE : KEY_ACTIVATE };
	if (change(ctx, &z, do_key, &a, "no key with that tag"))
		return 1;
	return signer_key_list(cmd_store(ctx), z.id, print_key, &z) ? 1 : 0;
}

int cmd_zone_key_activate(struct cmd_ctx *ctx, int argc, char **argv)
{
	return key_step(ctx, argc, argv, false);
}

int cmd_zone_key_retire(struct cmd_ctx *ctx, int argc, char **argv)
{
	return key_step(ctx, argc, argv, true);
}
