/* Unit tests for src/db/zones.c and journal.c: zones, records, the
 * journal rows they write, the serial bump at commit (every touched zone,
 * exactly, however many: defect "more than 64 zones bumps every zone"),
 * zone deletion taking its export-only tinydns rows along (defect "zone
 * del leaves tinydns_extra rows"), and the SOA defaults of a new zone. */
#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/db/journal.h"
#include "src/db/tdstore.h"
#include "src/db/zones.h"
#include "tests/unit/db/dbtest.h"

static int64_t add_zone(store_t *st, const char *apex, uint32_t serial)
{
	uint8_t a[DNAME_MAX], ns[DNAME_MAX];
	struct zsoa soa;
	int64_t id = 0;
	store_zone_soa_defaults(&soa, dbt_name(apex, a), dbt_name("ns.example", ns), 3600, serial);
	if (store_begin(st) || store_zone_add(st, a, &soa, STORE_ZONE_HOST_TTL, &id) ||
	    store_commit(st))
		return 0;
	return id;
}

static int count_cb(void *ctx, const struct store_zone *z)
{
	(void)z;
	++*(int *)ctx;
	return 0;
}

static int rr_cb(void *ctx, const struct store_rr *rr)
{
	(void)rr;
	++*(int *)ctx;
	return 0;
}

static void test_soa_defaults(void)
{
	uint8_t a[DNAME_MAX], ns[DNAME_MAX], want[DNAME_MAX];
	struct zsoa soa;
	is_int(store_zone_soa_defaults(&soa, dbt_name("Dyn.Example", a), dbt_name("ns1.example", ns),
	                               300, 1234), 0, "SOA defaults for a zone");
	ok(dname_equal(soa.mname, ns), "mname is the first name server");
	ok(dname_equal(soa.rname, dbt_name("hostmaster.dyn.example", want)),
	   "rname is hostmaster.<apex>, lowercase");
	ok(soa.serial == 1234 && soa.refresh == 3600 && soa.retry == 600 &&
	   soa.expire == 1209600 && soa.minimum == 60 && soa.ttl == 300,
	   "serial from now, refresh/retry/expire/minimum defaults, the TTL given");
	uint8_t longname[DNAME_MAX];
	char text[300];
	memset(text, 'a', 250);
	text[63] = text[127] = text[191] = '.';
	text[250] = 0;
	is_int(store_zone_soa_defaults(&soa, dbt_name(text, longname), ns, 300, 1), DZ_EINVAL,
	       "an apex too long for hostmaster.<apex> is refused");
}

static void test_zones(store_t *st)
{
	uint8_t a[DNAME_MAX], n[DNAME_MAX];
	struct store_zone z;
	int64_t id = add_zone(st, "example.org", 100);
	ok(id > 0, "zone add");
	is_int(store_zone_get(st, id, &z), 0, "zone get");
	is_str(z.name, "example.org.", "its presentation name");
	is_int(z.soa.serial, 101, "the serial was bumped once at commit");
	is_int(z.default_ttl, STORE_ZONE_HOST_TTL, "the hosts' default TTL");
	is_int(store_zone_find(st, dbt_name("A.B.Example.ORG", n), &z), 0, "find by a name inside");
	is_int(z.id, id, "the zone found");
	is_int(store_zone_find(st, dbt_name("example.com", n), &z), DZ_ENOENT, "outside: none");
	struct zsoa soa;
	store_zone_soa_defaults(&soa, dbt_name("example.org", a), dbt_name("ns.example", n), 3600, 100);
	int rc = store_begin(st);
	is_int(rc ? rc : store_zone_add(st, a, &soa, 60, NULL), DZ_EEXIST, "the same apex twice");
	store_rollback(st);

	int cnt = 0;
	is_int(store_zone_list(st, count_cb, &cnt), 0, "zone list");
	is_int(cnt, 1, "one zone");

	/* records and their journal rows */
	long long j0 = dbt_one(st, "SELECT count(*) FROM journal");
	uint8_t rd[4] = { 192, 0, 2, 1 };
	struct store_rr rr = { .zone_id = id, .owner = dbt_name("WWW.example.org", n),
	                       .type = RR_A, .ttl = 60, .rdata = rd, .rdlen = 4 };
	rc = store_begin(st);
	rc = rc ? rc : store_record_add(st, &rr);
	is_int(rc ? rc : store_commit(st), 0, "record add");
	is_int(dbt_one(st, "SELECT count(*) FROM journal") - j0, 2, "journalled: an add and a SOA");
	rc = store_begin(st);
	is_int(rc ? rc : store_record_add(st, &rr), DZ_EEXIST, "the same record twice");
	store_rollback(st);
	is_int(store_record_count(st, id, NULL, -1, false), 1, "count: the zone");
	is_int(store_record_count(st, id, dbt_name("www.example.org", n), RR_A, false), 1,
	       "count: the name's A");
	is_int(store_record_count(st, id, n, RR_A, true), 0, "count: other types than A");
	is_int(store_record_count(st, id, n, -1, false), 1, "count: the name, any type");
	is_int(store_record_count_except(st, id, n, RR_A, rd, 4, ""), 0,
	       "count except this record: none");
	is_int(store_record_count_except(st, id, n, RR_CNAME, rd, 4, ""), 1,
	       "count except another record: one");
	cnt = 0;
	is_int(store_record_list(st, id, rr_cb, &cnt), 0, "record list");
	is_int(cnt, 1, "one record");
	unsigned ndel = 9;
	rc = store_begin(st);
	rc = rc ? rc : store_record_del(st, id, n, RR_A, NULL, 0, &ndel);
	is_int(rc ? rc : store_commit(st), 0, "record del");
	is_int(ndel, 1, "one deleted");
	is_int(store_record_count(st, id, NULL, -1, false), 0, "none left");
}

/* Defect: over 64 touched zones, every zone was bumped. */
static void test_touch_many(store_t *st)
{
	enum { N = 80 };
	int64_t ids[N + 1];
	char apex[64];
	for (int i = 0; i <= N; i++) {
		snprintf(apex, sizeof apex, "z%d.test", i);
		ids[i] = add_zone(st, apex, 1000);
	}
	ok(ids[0] && ids[N], "%d zones", N + 1);
	uint8_t n[DNAME_MAX];
	uint8_t rd[4] = { 192, 0, 2, 7 };
	int rc = store_begin(st);
	for (int i = 0; i < N && !rc; i++) {
		snprintf(apex, sizeof apex, "h.z%d.test", i);
		struct store_rr rr = { .zone_id = ids[i], .owner = dbt_name(apex, n), .type = RR_A,
		                       .ttl = 60, .rdata = rd, .rdlen = 4 };
		rc = store_record_add(st, &rr);
	}
	is_int(rc ? rc : store_commit(st), 0, "one transaction touches %d zones", N);
	struct store_zone z;
	int bumped = 0;
	for (int i = 0; i < N; i++)
		if (store_zone_get(st, ids[i], &z) == 0 && z.soa.serial == 1002)
			bumped++;
	is_int(bumped, N, "each touched zone is bumped exactly once");
	ok(store_zone_get(st, ids[N], &z) == 0 && z.soa.serial == 1001,
	   "the zone not touched keeps its serial");
}

/* Defect: zone del left the zone's export-only tinydns rows behind. */
static void test_zone_del(store_t *st)
{
	uint8_t n1[DNAME_MAX], n2[DNAME_MAX], n3[DNAME_MAX], n4[DNAME_MAX];
	int64_t outer = add_zone(st, "del.test", 1), inner = add_zone(st, "sub.del.test", 1);
	ok(outer && inner, "a zone and a zone inside it");
	struct tdstore_extra x = { .type = 99, .rdata = (const uint8_t *)"x", .rdlen = 1,
	                           .loc = "", .ttl = 60 };
	int rc = store_begin(st);
	x.owner = dbt_name("del.test", n1);
	rc = rc ? rc : tdstore_extra_add(st, &x);
	x.owner = dbt_name("a.del.test", n2);
	rc = rc ? rc : tdstore_extra_add(st, &x);
	x.owner = dbt_name("b.sub.del.test", n3);
	rc = rc ? rc : tdstore_extra_add(st, &x);
	x.owner = dbt_name("elsewhere.test", n4);
	rc = rc ? rc : tdstore_extra_add(st, &x);
	is_int(rc ? rc : store_commit(st), 0, "four export-only rows");
	long long j0 = dbt_one(st, "SELECT max(id) FROM journal");
	rc = store_begin(st);
	is_int(rc ? rc : store_zone_del(st, outer), 0, "zone del");
	store_commit(st);
	is_int(dbt_one(st, "SELECT count(*) FROM tinydns_extra"), 2,
	       "its two rows went, the inner zone's and the outside one stayed");
	is_int(dbt_one(st, "SELECT count(*) FROM tinydns_extra WHERE owner = "
	               "x'0162037375620364656c047465737400'"), 1, "the inner zone's row stays");
	is_int(dbt_one(st, "SELECT op FROM journal WHERE id > 0 ORDER BY id DESC LIMIT 1"),
	       JOURNAL_ZONE_DEL, "the deletion is journalled");
	ok(dbt_one(st, "SELECT max(id) FROM journal") > j0, "after the rows before it");
	struct store_zone z;
	is_int(store_zone_get(st, outer, &z), DZ_ENOENT, "the zone is gone");
	rc = store_begin(st);
	is_int(rc ? rc : store_zone_del(st, outer), DZ_ENOENT, "deleting it again");
	store_rollback(st);
}

int main(void)
{
	char db[128], err[256] = "";
	store_t *st = NULL;
	tmpdb_path("db-zones", db, sizeof db);
	int open_rc = store_open(db, &st, err, sizeof err);
	ok(open_rc == 0, "a store (%s)", err);
	test_soa_defaults();
	if (st) {
		test_zones(st);
		test_touch_many(st);
		test_zone_del(st);
		store_close(st);
	}
	tmpdb_remove(db);
	return tap_done();
}
