/* Unit tests for src/db/tdstore.c: export-only tinydns rows and
 * locations, the default location and the export's high marks (zone
 * deletion is in test_zones). */
#include "proto/errors.h"
#include "src/db/tdstore.h"
#include "tests/unit/db/dbtest.h"

static int extra_cb(void *ctx, const struct tdstore_extra *x)
{
	char *out = ctx, name[300];
	size_t n = strlen(out);
	dname_to_text(x->owner, name, sizeof name);
	snprintf(out + n, 256 - n, "%s/%u/%.*s/%s/%u/%llu;", name, x->type, (int)x->rdlen,
	         (const char *)x->rdata, x->loc, x->ttl, (unsigned long long)x->ttd);
	return 0;
}

static int loc_cb(void *ctx, const tinydns_loc_t *loc)
{
	char *out = ctx;
	size_t n = strlen(out);
	snprintf(out + n, 256 - n, "%c%c/%zu;", loc->code[0], loc->code[1], loc->plen);
	return 0;
}

int main(void)
{
	char db[128], err[256] = "", buf[256];
	store_t *st = NULL;
	uint8_t n1[DNAME_MAX], code[2];
	int64_t gen[3];
	tmpdb_path("db-tdstore", db, sizeof db);
	int open_rc = store_open(db, &st, err, sizeof err);
	ok(open_rc == 0, "a store (%s)", err);
	if (!st)
		return tap_done();
	is_int(tdstore_generation(st, gen), 0, "high marks");
	ok(gen[0] == 0 && gen[1] == 0 && gen[2] == 0, "all 0 in an empty store");
	struct tdstore_extra x = { .owner = dbt_name("a.test", n1), .type = 99,
	                           .rdata = (const uint8_t *)"spf", .rdlen = 3, .loc = "ab",
	                           .ttl = 60, .ttd = 7 };
	is_int(tdstore_extra_add(st, &x), 0, "an export-only row");
	is_int(tdstore_extra_add(st, &x), DZ_EEXIST, "the same again");
	buf[0] = 0;
	is_int(tdstore_extra_list(st, extra_cb, buf), 0, "listed");
	is_str(buf, "a.test./99/spf/ab/60/7;", "as stored");
	is_int(tdstore_loc_default(st, code), DZ_ENOENT, "no default location yet");
	const uint8_t pre[2] = { 10, 1 };
	tinydns_loc_t l1 = { .code = { 'a', 'b' }, .prefix = pre, .plen = 2 };
	tinydns_loc_t l2 = { .code = { 'c', 'd' }, .prefix = (const uint8_t *)"", .plen = 0 };
	is_int(tdstore_loc_add(st, &l1), 0, "a location");
	is_int(tdstore_loc_add(st, &l1), DZ_EEXIST, "the same again");
	is_int(tdstore_loc_add(st, &l2), 0, "a default location");
	buf[0] = 0;
	is_int(tdstore_loc_list(st, loc_cb, buf), 0, "locations listed");
	is_str(buf, "ab/2;cd/0;", "in order");
	is_int(tdstore_loc_default(st, code), 0, "the default location");
	ok(code[0] == 'c' && code[1] == 'd', "cd");
	tdstore_generation(st, gen);
	ok(gen[1] == 1 && gen[2] == 2, "the high marks moved");
	store_close(st);
	tmpdb_remove(db);
	return tap_done();
}
