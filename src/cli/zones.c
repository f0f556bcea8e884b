/* The zone and record commands, and `import zone`. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "proto/rdata.h"
#include "proto/zonefile.h"
#include "src/cli/cmd.h"
#include "src/common/clock.h"
#include "src/db/transfer.h"
#include "src/db/zones.h"

#define MAX_NS 16

/* The zone a name belongs to, with a transaction begun on the store for
 * the change to it, or an error message. */
static int zone_begin(store_t *st, const uint8_t *name, const char *text,
                      struct store_zone *z)
{
	int rc = store_zone_find(st, name, z);
	if (rc == DZ_ENOENT)
		return cmd_fail("%s is not in any zone (see 'dynzone zone list')", text);
	if (rc || store_begin(st))
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

int cmd_zone_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *ns[MAX_NS], *ttltext = NULL;
	int np, nns = 0;
	struct cmd_opt opts[] = {
		{ "ns", 1, NULL, NULL, ns, &nns, MAX_NS },
		{ "ttl", 1, &ttltext, NULL, NULL, NULL, 0 },
		{ 0 },
	};
	uint8_t apex[DNAME_MAX];
	uint32_t ttl = 3600;
	struct zsoa soa;
	int64_t zid;

	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	if (!cmd_name(pos[0], apex))
		return cmd_fail("'%s' is not a valid zone name", pos[0]);
	if (nns == 0)
		return cmd_fail("zone add: give at least one --ns NAME[=ADDR]");
	if (ttltext && !cmd_ttl(ttltext, &ttl))
		return cmd_fail("--ttl: '%s' is not a TTL", ttltext);

	/* parse every name server first: nothing is written on a bad one */
	uint8_t nsname[MAX_NS][DNAME_MAX];
	uint8_t glue[MAX_NS][16];
	int gluelen[MAX_NS];
	for (int i = 0; i < nns; i++) {
		char buf[1100];
		snprintf(buf, sizeof buf, "%s", ns[i]);
		char *eq = strchr(buf, '=');
		gluelen[i] = 0;
		if (eq) {
			*eq = 0;
			if (inet_pton(AF_INET, eq + 1, glue[i]) == 1)
				gluelen[i] = 4;
			else if (inet_pton(AF_INET6, eq + 1, glue[i]) == 1)
				gluelen[i] = 16;
			else
				return cmd_fail("--ns %s: '%s' is not an IPv4 or IPv6 address",
				                ns[i], eq + 1);
		}
		if (!cmd_name(buf, nsname[i]))
			return cmd_fail("--ns: '%s' is not a valid name", buf);
		dname_lower(nsname[i]);
		if (gluelen[i] && !dname_is_sub(nsname[i], apex))
			return cmd_fail("--ns %s: an address is only needed (and only "
			                "allowed) for a name server inside %s", ns[i], pos[0]);
	}

	if (store_zone_soa_defaults(&soa, apex, nsname[0], ttl, (int64_t)time(NULL)))
		return cmd_fail("zone name too long");

	store_t *st = cmd_store(ctx);
	if (store_begin(st))
		return cmd_fail("store: %s", store_errmsg(st));
	int rc = store_zone_add(st, apex, &soa, STORE_ZONE_HOST_TTL, &zid);
	if (rc == DZ_EEXIST) {
		store_rollback(st);
		return cmd_fail("zone %s exists already", pos[0]);
	}
	for (int i = 0; i < nns && !rc; i++) {
		struct store_rr rr = { .zone_id = zid, .owner = apex, .type = RR_NS,
		                       .ttl = ttl, .rdata = nsname[i],
		                       .rdlen = dname_len(nsname[i], DNAME_MAX) };
		rc = store_record_add(st, &rr);
		if (rc == DZ_EEXIST)
			rc = 0;
		if (!rc && gluelen[i]) {
			struct store_rr g = { .zone_id = zid, .owner = nsname[i],
			                      .type = gluelen[i] == 4 ? RR_A : RR_AAAA,
			                      .ttl = ttl, .rdata = glue[i],
			                      .rdlen = (size_t)gluelen[i] };
			rc = store_record_add(st, &g);
			if (rc == DZ_EEXIST)
				rc = 0;
		}
	}
	if (rc || store_commit(st)) {
		store_rollback(st);
		return cmd_fail("store: %s", store_errmsg(st));
	}
	struct store_zone z;
	if (store_zone_get(st, zid, &z) == 0)
		printf("zone %s added, serial %u\n", z.name, z.soa.serial);
	return 0;
}

static int print_zone(void *ctx, const struct store_zone *z)
{
	store_t *st = ctx;
	long long n = store_record_count(st, z->id, NULL, -1, false);
	if (n < 0)
		n = 0;
	printf("%-40s serial %-10u %lld records\n", z->name, z->soa.serial, n);
	return 0;
}

int cmd_zone_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 0, 0, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (store_zone_list(st, print_zone, st))
		return cmd_fail("store: %s", store_errmsg(st));
	return 0;
}

int cmd_zone_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	uint8_t apex[DNAME_MAX];
	struct store_zone z;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	if (!cmd_name(pos[0], apex))
		return cmd_fail("'%s' is not a valid zone name", pos[0]);
	store_t *st = cmd_store(ctx);
	if (store_zone_find(st, apex, &z) || !dname_equal_ci(z.apex, apex))
		return cmd_fail("no zone %s", pos[0]);
	if (store_begin(st) || store_zone_del(st, z.id) || store_commit(st)) {
		store_rollback(st);
		return cmd_fail("store: %s", store_errmsg(st));
	}
	printf("zone %s deleted\n", z.name);
	return 0;
}

/* Join argv words with spaces into buf. */
static bool join_words(const char **w, int n, char *buf, size_t cap)
{
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(w[i]);
		if (o + l + 2 > cap)
			return false;
		if (i)
			buf[o++] = ' ';
		memcpy(buf + o, w[i], l);
		o += l;
	}
	buf[o] = 0;
	return true;
}

/* Does the name hold records of a type other than `type`? (CNAME rules) */
static int count_types(store_t *st, int64_t zid, const uint8_t *owner,
                       int type, bool other)
{
	long long n = store_record_count(st, zid, owner, type, other);
	return n < 0 ? -1 : n > INT32_MAX ? INT32_MAX : (int)n;
}

int cmd_record_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[64], *ttltext = NULL, *why = NULL;
	int np;
	struct cmd_opt opts[] = { { "ttl", 1, &ttltext, NULL, NULL, NULL, 0 }, { 0 } };
	uint8_t owner[DNAME_MAX], rd[RDATA_MAX];
	static const uint8_t root[1] = { 0 };
	char value[8192];
	uint16_t type;
	uint32_t ttl = 3600;
	size_t rdlen;
	struct store_zone z;

	if (cmd_parse(ctx, argc, argv, opts, pos, 3, 64, &np))
		return 2;
	if (!cmd_name(pos[0], owner))
		return cmd_fail("'%s' is not a valid name", pos[0]);
	if (rr_type_from_text(pos[1], strlen(pos[1]), &type) || !rr_type_is_data(type))
		return cmd_fail("'%s' is not a record type that can be stored", pos[1]);
	if (type == RR_SOA)
		return cmd_fail("the SOA is part of the zone: use 'zone add' or "
		                "'import zone'");
	if (ttltext && !cmd_ttl(ttltext, &ttl))
		return cmd_fail("--ttl: '%s' is not a TTL", ttltext);
	if (!join_words(pos + 2, np - 2, value, sizeof value))
		return cmd_fail("value too long");
	if (rdata_from_text(type, value, strlen(value), root, rd, sizeof rd, &rdlen, &why))
		return cmd_fail("%s %s: %s", pos[1], value, why ? why : "invalid value");

	store_t *st = cmd_store(ctx);
	if (zone_begin(st, owner, pos[0], &z))
		return 1;
	int rc = 0;
	if (type == RR_CNAME && count_types(st, z.id, owner, RR_CNAME, true) > 0)
		why = "a CNAME cannot stand beside other records at the same name";
	else if (type != RR_CNAME && count_types(st, z.id, owner, RR_CNAME, false) > 0)
		why = "the name has a CNAME, which cannot have other records beside it";
	else if (type == RR_CNAME && count_types(st, z.id, owner, RR_CNAME, false) > 0)
		why = "the name has a CNAME already, and a name has at most one";
	else if (type == RR_CNAME && dname_equal_ci(owner, z.apex))
		why = "a zone apex cannot have a CNAME";
	if (why) {
		store_rollback(st);
		return cmd_fail("%s: %s", pos[0], why);
	}
	struct store_rr rr = { .zone_id = z.id, .owner = owner, .type = type,
	                       .ttl = ttl, .rdata = rd, .rdlen = rdlen };
	rc = store_record_add(st, &rr);
	if (rc == DZ_EEXIST) {
		store_rollback(st);
		return cmd_fail("that record exists already");
	}
	if (rc || store_commit(st)) {
		store_rollback(st);
		return cmd_fail("store: %s", store_errmsg(st));
	}
	return 0;
}

int cmd_record_del(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[64], *why = NULL;
	int np;
	uint8_t owner[DNAME_MAX], rd[RDATA_MAX];
	static const uint8_t root[1] = { 0 };
	char value[8192];
	uint16_t type = 0;
	size_t rdlen = 0;
	unsigned n = 0;
	struct store_zone z;

	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 64, &np))
		return 2;
	if (!cmd_name(pos[0], owner))
		return cmd_fail("'%s' is not a valid name", pos[0]);
	if (np > 1 && (rr_type_from_text(pos[1], strlen(pos[1]), &type) ||
	               !rr_type_is_data(type)))
		return cmd_fail("'%s' is not a record type", pos[1]);
	if (np > 2) {
		if (!join_words(pos + 2, np - 2, value, sizeof value))
			return cmd_fail("value too long");
		if (rdata_from_text(type, value, strlen(value), root, rd, sizeof rd,
		                    &rdlen, &why))
			return cmd_fail("%s %s: %s", pos[1], value, why ? why : "invalid value");
	}
	store_t *st = cmd_store(ctx);
	if (zone_begin(st, owner, pos[0], &z))
		return 1;
	int rc = store_record_del(st, z.id, owner, np > 1 ? type : -1,
	                          np > 2 ? rd : NULL, rdlen, &n);
	if (rc || store_commit(st)) {
		store_rollback(st);
		return cmd_fail("store: %s", store_errmsg(st));
	}
	if (!n)
		return cmd_fail("no such record");
	printf("%u record%s deleted\n", n, n == 1 ? "" : "s");
	return 0;
}

static int print_rr(void *ctx, const struct store_rr *rr)
{
	char owner[1100], type[16], *value = ctx;
	if (dname_to_text(rr->owner, owner, sizeof owner) < 0)
		return 0;
	if (rdata_to_text(rr->type, rr->rdata, rr->rdlen, value, 200000) < 0)
		snprintf(value, 200000, "; (unprintable)");
	printf("%s\t%u\tIN\t%s\t%s\n", owner, rr->ttl, rr_type_to_text(rr->type, type), value);
	return 0;
}

/* ctx: the store, a value buffer, and (if not NULL) "served": only the
 * records dynzone serves, as a transfer sends them (else every row). */
static int print_zone_records(void *ctx, const struct store_zone *z)
{
	void **a = ctx;
	store_t *st = a[0];
	char mname[1100], rname[1100];
	dname_to_text(z->soa.mname, mname, sizeof mname);
	dname_to_text(z->soa.rname, rname, sizeof rname);
	printf("%s\t%u\tIN\tSOA\t%s %s %u %u %u %u %u\n", z->name, z->soa.ttl, mname,
	       rname, z->soa.serial, z->soa.refresh, z->soa.retry, z->soa.expire,
	       z->soa.minimum);
	return (a[2] ? store_xfr_records : store_record_list)(st, z->id, print_rr, a[1]);
}

int cmd_record_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	struct store_zone z;
	if (cmd_parse(ctx, argc, argv, NULL, pos, 0, 1, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	char *value = malloc(200000);
	if (!value)
		return cmd_fail("out of memory");
	void *a[3] = { st, value, NULL };
	int rc;
	if (np == 1) {
		uint8_t apex[DNAME_MAX];
		if (!cmd_name(pos[0], apex))
			rc = cmd_fail("'%s' is not a valid zone name", pos[0]);
		else if (store_zone_find(st, apex, &z) || !dname_equal_ci(z.apex, apex))
			rc = cmd_fail("no zone %s", pos[0]);
		else
			rc = print_zone_records(a, &z) ? cmd_fail("store: %s", store_errmsg(st)) : 0;
	} else {
		rc = store_zone_list(st, print_zone_records, a)
		     ? cmd_fail("store: %s", store_errmsg(st)) : 0;
	}
	free(value);
	return rc;
}

/* The zone as an RFC 1035 master file: $ORIGIN, the SOA, then one record
 * per line (those served: what a secondary gets), all read in one
 * snapshot so that serial and records agree. */
int cmd_zone_show(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np, rc;
	struct store_zone z;
	uint8_t apex[DNAME_MAX];
	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	if (!cmd_name(pos[0], apex))
		return cmd_fail("'%s' is not a valid zone name", pos[0]);
	store_t *st = cmd_store(ctx);
	char *value = malloc(200000);
	if (!value)
		return cmd_fail("out of memory");
	void *a[3] = { st, value, "served" };
	if (store_read_begin(st)) {
		rc = cmd_fail("store: %s", store_errmsg(st));
	} else {
		if (store_zone_find(st, apex, &z) || !dname_equal_ci(z.apex, apex)) {
			rc = cmd_fail("no zone %s", pos[0]);
		} else {
			printf("$ORIGIN %s\n", z.name);
			rc = print_zone_records(a, &z) ? cmd_fail("store: %s", store_errmsg(st)) : 0;
		}
		store_read_end(st);
	}
	free(value);
	return rc;
}

/* import zone ------------------------------------------------------------ */

struct import {
	store_t *st;
	const char *file;
	unsigned errors;
	unsigned long added, dup;
	int64_t zone_id;            /* zone of the last record (a cache) */
	uint8_t zapex[DNAME_MAX];
	int rc;
};

static void import_error(void *ctx, unsigned line, const char *msg)
{
	struct import *im = ctx;
	im->errors++;
	if (im->errors <= 50)
		fprintf(stderr, "%s:%u: %s\n", im->file, line, msg);
	else if (im->errors == 51)
		fprintf(stderr, "%s: more errors not shown\n", im->file);
}

static int import_record(void *ctx, const zf_record_t *r)
{
	struct import *im = ctx;
	struct store_zone z;
	char msg[1400];
	if (r->type == RR_SOA) {
		/* the SOA creates or updates the zone */
		struct zsoa soa;
		wire_t w;
		uint8_t *rd = (uint8_t *)r->rdata;
		wire_init(&w, rd, r->rdlen);
		memset(&soa, 0, sizeof soa);
		wire_read_name(&w, soa.mname);
		wire_read_name(&w, soa.rname);
		soa.serial = wire_read_u32(&w);
		soa.refresh = wire_read_u32(&w);
		soa.retry = wire_read_u32(&w);
		soa.expire = wire_read_u32(&w);
		soa.minimum = wire_read_u32(&w);
		soa.ttl = r->ttl;
		if (w.err) {
			import_error(im, r->line, "bad SOA");
			return 0;
		}
		int rc = store_zone_find(im->st, r->owner, &z);
		if (rc == 0 && dname_equal_ci(z.apex, r->owner)) {
			/* a served serial never goes back (RFC 1982 order):
			 * secondaries would keep the old zone */
			if ((int32_t)(soa.serial - z.soa.serial) < 0)
				soa.serial = z.soa.serial;
			rc = store_zone_set_soa(im->st, z.id, &soa);
		}
		else if (rc == 0 || rc == DZ_ENOENT)
			rc = store_zone_add(im->st, r->owner, &soa, 60, NULL);
		if (rc)
			return im->rc = DZ_EDB;
		im->zone_id = 0;
		return 0;
	}
	if (!im->zone_id || !dname_is_sub(r->owner, im->zapex)) {
		int rc = store_zone_find(im->st, r->owner, &z);
		if (rc == DZ_ENOENT) {
			char name[1100];
			dname_to_text(r->owner, name, sizeof name);
			snprintf(msg, sizeof msg, "%s is not inside any zone (no SOA "
			         "before it, and no such zone in the store)", name);
			import_error(im, r->line, msg);
			return 0;
		}
		if (rc)
			return im->rc = DZ_EDB;
		im->zone_id = z.id;
		memcpy(im->zapex, z.apex, sizeof z.apex);
	}
	struct store_rr rr = { .zone_id = im->zone_id, .owner = r->owner,
	                       .type = r->type, .ttl = r->ttl, .rdata = r->rdata,
	                       .rdlen = r->rdlen };
	int rc = store_record_add(im->st, &rr);
	if (rc == DZ_EEXIST) {
		im->dup++;
		return 0;
	}
	if (rc)
		return im->rc = DZ_EDB;
	/* the CNAME rules of record add (RFC 2181 §10.1), against the file's
	 * earlier lines and the store alike; the record is in, so a second
	 * CNAME counts 2 */
	const char *why = NULL;
	int cn = count_types(im->st, im->zone_id, r->owner, RR_CNAME, false);
	int other = r->type == RR_CNAME
	          ? count_types(im->st, im->zone_id, r->owner, RR_CNAME, true) : 0;
	if (cn < 0 || other < 0)
		return im->rc = DZ_EDB;
	if (r->type == RR_CNAME && (other > 0 || dname_equal_ci(r->owner, im->zapex)))
		why = "a CNAME cannot stand beside other records at the same name";
	else if (r->type == RR_CNAME && cn > 1)
		why = "a second CNAME at the name (a name has at most one)";
	else if (r->type != RR_CNAME && cn > 0)
		why = "the name has a CNAME, which cannot have other records beside it";
	if (why) {
		char name[1100];
		dname_to_text(r->owner, name, sizeof name);
		snprintf(msg, sizeof msg, "%s: %s", name, why);
		import_error(im, r->line, msg);
		return 0;
	}
	im->added++;
	return 0;
}

int cmd_import_zone(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *origin_text = NULL;
	int np;
	struct cmd_opt opts[] = { { "origin", 1, &origin_text, NULL, NULL, NULL, 0 }, { 0 } };
	uint8_t origin[DNAME_MAX];
	struct stat sb;
	if (cmd_parse(ctx, argc, argv, opts, pos, 1, 1, &np))
		return 2;
	if (origin_text && !cmd_name(origin_text, origin))
		return cmd_fail("--origin: '%s' is not a valid name", origin_text);
	int fd = open(pos[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0)
		return cmd_fail("%s: %s", pos[0], strerror(errno));
	const char *text = "";
	if (sb.st_size > 0) {
		text = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (text == MAP_FAILED) {
			close(fd);
			return cmd_fail("%s: %s", pos[0], strerror(errno));
		}
	}
	close(fd);

	store_t *st = cmd_store(ctx);
	struct import im = { .st = st, .file = pos[0] };
	zf_opts_t zo = { .origin = origin_text ? origin : NULL, .default_ttl = 0 };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_begin(st))
		return cmd_fail("store: %s", store_errmsg(st));
	store_set_bulk(st, true);
	int rc = zonefile_parse(text, (size_t)sb.st_size, &zo, import_record,
	                        import_error, &im);
	if (sb.st_size > 0)
		munmap((void *)text, (size_t)sb.st_size);
	if (rc < 0 || im.rc) {
		store_rollback(st);
		return cmd_fail("store: %s", store_errmsg(st));
	}
	if (im.errors) {
		store_rollback(st);
		return cmd_fail("%s: %u line%s could not be taken; nothing was imported",
		                pos[0], im.errors, im.errors == 1 ? "" : "s");
	}
	if (store_commit(st))
		return cmd_fail("store: %s", store_errmsg(st));
	if (cmd_sign_finish(ctx))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = clock_seconds(&t0, &t1);
	printf("%s: %lu records imported", pos[0], im.added);
	if (im.dup)
		printf(", %lu already present", im.dup);
	printf(" in %.2f s\n", secs);
	return 0;
}
