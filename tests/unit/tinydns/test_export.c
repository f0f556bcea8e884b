/* src/tinydns/export and src/tinydns/tdimport: location codes, the
 * data-file reader, the cdb the export writes from a store (byte for byte, against the values
 * of /work/shared/reference/tinydns-cdb.md §6), its failures, and the
 * import's zones, serials and filing of records. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdb.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "src/tinydns/export.h"
#include "src/tinydns/tdimport.h"
#include "tests/unit/tap.h"
#include "src/db/sql.h"
#include "src/db/zones.h"

#define Z8 "0000000000000000"   /* no TTD */

static char dir[64];

static const char *path(const char *name)
{
	static char p[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static void write_file(const char *name, const char *text, size_t len)
{
	int fd = open(path(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		perror(name);
	close(fd);
}

/* Every value stored under `key` in the cdb, concatenated as
 * "len:hex;" items (in file order). */
static void cdb_values(const char *file, const void *key, size_t klen, char *out,
                       size_t cap)
{
	struct cdb c;
	struct cdb_find f;
	size_t o = 0;
	int fd = open(file, O_RDONLY);
	out[0] = 0;
	if (fd < 0 || cdb_init(&c, fd) != 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	cdb_findinit(&f, &c, key, (unsigned)klen);
	while (cdb_findnext(&f) > 0) {
		unsigned n = cdb_datalen(&c);
		uint8_t v[1024];
		if (n > sizeof v || cdb_read(&c, v, n, cdb_datapos(&c)) != 0)
			break;
		o += (size_t)snprintf(out + o, cap - o, "%u:", n);
		for (unsigned i = 0; i < n && o + 3 < cap; i++)
			o += (size_t)snprintf(out + o, cap - o, "%02x", v[i]);
		o += (size_t)snprintf(out + o, cap - o, ";");
	}
	cdb_free(&c);
	close(fd);
}

static unsigned cdb_count(const char *file)
{
	struct cdb c;
	unsigned n = 0, pos;
	int fd = open(file, O_RDONLY);
	if (fd < 0)
		return 0;
	if (cdb_init(&c, fd) == 0) {
		cdb_seqinit(&pos, &c);
		while (cdb_seqnext(&pos, &c) > 0)
			n++;
		cdb_free(&c);
	}
	close(fd);
	return n;
}

static size_t name(const char *text, uint8_t out[DNAME_MAX])
{
	static const uint8_t root[1] = { 0 };
	return dname_from_text(out, text, strlen(text), root);
}

/* Location codes --------------------------------------------------------- */

static void test_loc(void)
{
	char t[3];
	uint8_t c[2];
	ok(export_loc_text((const uint8_t *)"in", t) == 0 && strcmp(t, "in") == 0, "code \"in\" -> text \"in\"");
	ok(export_loc_text((const uint8_t *)"x\0", t) == 0 && strcmp(t, "x") == 0, "code x\\0 -> text \"x\"");
	ok(export_loc_text((const uint8_t *)"\0\0", t) == 0 && t[0] == 0, "code 00 00 -> \"\"");
	is_int(export_loc_text((const uint8_t *)"\0x", t), DZ_EINVAL, "code 00 'x' has no text");
	export_loc_code("ex", c);
	ok(c[0] == 'e' && c[1] == 'x', "text \"ex\" -> code");
	export_loc_code("y", c);
	ok(c[0] == 'y' && c[1] == 0, "text \"y\" -> y\\0");
	export_loc_code("", c);
	ok(!c[0] && !c[1], "text \"\" -> none");
	export_loc_code("abc", c);
	ok(c[0] == 'a' && c[1] == 'b', "longer text: the first two bytes, like tinydns-data");
}

/* The data-file reader ----------------------------------------------------- */

struct seen {
	unsigned rr, loc, bad;
	unsigned long line, badline[4], rrline[8];
	const char *why;
	unsigned long *cur;
	int stop_at;
};

static int seen_rr(void *ctx, const tinydns_rr_t *rr)
{
	struct seen *s = ctx;
	if (s->rr < 8)
		s->rrline[s->rr] = *s->cur;
	s->rr++;
	return s->stop_at && (int)s->rr == s->stop_at ? DZ_EEXIST : 0;
}

static int seen_loc(void *ctx, const tinydns_loc_t *loc)
{
	struct seen *s = ctx;
	s->loc++;
	return 0;
}

static void seen_bad(void *ctx, unsigned long line, const char *why)
{
	struct seen *s = ctx;
	if (s->bad < 4)
		s->badline[s->bad] = line;
	s->bad++;
	s->why = why;
}

static int read_file(const char *file, struct seen *s, bool with_bad, char *err, size_t errlen)
{
	static tinydns_parser_t p;
	tinydns_sink_t sink = { seen_rr, seen_loc, s };
	int fd = open(path(file), O_RDONLY);
	s->cur = &s->line;
	int rc = export_read_data(fd, file, 1700000000, &p, &sink, &s->line,
	                          with_bad ? seen_bad : NULL, s, err, errlen);
	close(fd);
	return rc;
}

static void test_reader(void)
{
	struct seen s;
	char err[256];
	const char text[] = "+a.test:192.0.2.1\r\n# c\n\n%in:10\n6bad\n+b.test:192.0.2.2\n-+x.test:192.0.2.9\n+c.test:192.0.2.3";

	write_file("d1", text, sizeof text - 1);
	memset(&s, 0, sizeof s);
	is_int(read_file("d1", &s, true, err, sizeof err), 0, "reader: bad lines go to the callback");
	is_int(s.rr, 3, "three records (CRLF and a last line without newline taken)");
	is_int(s.loc, 1, "one location");
	ok(s.rrline[0] == 1 && s.rrline[1] == 6 && s.rrline[2] == 8, "the sink sees each record's line number");
	ok(s.bad == 1 && s.badline[0] == 5, "line 5 refused (line %lu)", s.badline[0]);

	memset(&s, 0, sizeof s);
	is_int(read_file("d1", &s, false, err, sizeof err), DZ_EFORMAT, "without a callback the first bad line stops");
	is_str(err, "d1:5: unrecognized leading character", "... with FILE:LINE: reason");
	is_int(s.rr, 1, "... after the records before it");

	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	is_int(read_file("d1", &s, true, err, sizeof err), DZ_EEXIST, "a sink's error stops the read and is returned");
	ok(strncmp(err, "d1:6: ", 6) == 0, "... naming the line (%s)", err);

	/* a line at the cap: refused; just under it: read */
	size_t n = EXPORT_LINE_CAP + 10;
	char *big = malloc(n);
	memset(big, 'x', n);
	memcpy(big, "'t.test:", 8);
	big[n - 1] = '\n';
	write_file("d2", big, n);
	memset(&s, 0, sizeof s);
	is_int(read_file("d2", &s, true, err, sizeof err), DZ_ELIMIT, "a line over the cap: DZ_ELIMIT");
	ok(strstr(err, "d2:1: line longer than") != NULL, "... named (%s)", err);
	memcpy(big + 200000, "\n", 1);
	big[200001] = '#';
	write_file("d3", big, n - EXPORT_LINE_CAP / 2);
	memset(&s, 0, sizeof s);
	is_int(read_file("d3", &s, true, err, sizeof err), 0, "a long line under the cap is read");
	free(big);

	memset(&s, 0, sizeof s);
	is_int(read_file("nonexistent", &s, true, err, sizeof err), DZ_EIO, "an unreadable file: DZ_EIO");
}

/* Export from a store ------------------------------------------------------------- */

static store_t *new_store(const char *file)
{
	store_t *st = NULL;
	char err[256];
	if (store_open(path(file), &st, err, sizeof err))
		printf("# %s\n", err);
	return st;
}

static int64_t add_zone(store_t *st, const char *apex, uint32_t serial)
{
	struct zsoa soa;
	uint8_t a[DNAME_MAX];
	int64_t id = 0;
	memset(&soa, 0, sizeof soa);
	name(apex, a);
	name("a.ns.dyn.example.test", soa.mname);
	name("hostmaster.dyn.example.test", soa.rname);
	soa.serial = serial;
	soa.refresh = 16384;
	soa.retry = 2048;
	soa.expire = 1048576;
	soa.minimum = 2560;
	soa.ttl = 2560;
	store_begin(st);
	store_zone_add(st, a, &soa, 60, &id);
	store_commit(st);
	return id;
}

static int add_rr(store_t *st, int64_t zid, const char *owner, uint16_t type,
                  const void *rd, size_t rdlen, uint32_t ttl, const char *loc,
                  uint64_t ttd)
{
	uint8_t o[DNAME_MAX];
	name(owner, o);
	struct store_rr rr = { .zone_id = zid, .owner = o, .type = type, .ttl = ttl,
	                       .rdata = rd, .rdlen = rdlen, .loc = loc, .ttd = ttd };
	store_begin(st);
	int rc = store_record_add(st, &rr);
	store_commit(st);
	return rc;
}

static void test_export(void)
{
	store_t *st = new_store("e.db");
	struct export_stats s;
	char err[512], got[2048];
	uint8_t key[DNAME_MAX];
	size_t kl;

	ok(st != NULL, "store opened (migration 3 applied)");
	if (!st)
		return;
	/* the serial the zone ends with after the commit's bump */
	int64_t zid = add_zone(st, "dyn.example.test", 1699999999);
	struct store_zone z;
	store_zone_get(st, zid, &z);
	is_int(z.soa.serial, 1700000000, "zone serial after the commit's bump");
	add_rr(st, zid, "dyn.example.test", RR_NS, "\1a\2ns\3dyn\7example\4test", 23, 3600, "", 0);
	add_rr(st, zid, "host.dyn.example.test", RR_A, "\xc0\x00\x02\x0a", 4, 300, "", 0);
	add_rr(st, zid, "host.dyn.example.test", RR_AAAA,
	       "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16, 300, "", 0);
	add_rr(st, zid, "*.wild.dyn.example.test", RR_A, "\xc0\x00\x02\x14", 4, 60, "", 0);
	add_rr(st, zid, "loc.dyn.example.test", RR_A, "\xc0\x00\x02\x1e", 4, 300, "in", 0);
	add_rr(st, zid, "ttd.dyn.example.test", RR_A, "\xc0\x00\x02\x28", 4, 0, "",
	       0x400000006b1058c0ull);
	sqlite3_exec(store_db(st), "INSERT INTO tinydns_extra(owner, type, rdata, loc, ttl, ttd) "
	             "VALUES(x'0131013101310331393207696e2d61646472046172706100', 12, "
	             "x'04686f7374036479e6', 'x', 77, 0);"
	             "INSERT INTO tinydns_loc(code, prefix) VALUES(x'696e', x'7f0000');"
	             "INSERT INTO tinydns_loc(code, prefix) VALUES(x'6578', x'');",
	             NULL, NULL, NULL);

	is_int(export_cdb(st, path("out.cdb"), NULL, 0, &s, err, sizeof err), 0, "export_cdb");
	ok(s.zones == 1 && s.records == 6 && s.extra == 1 && s.locs == 2 && s.merged == 0,
	   "stats: 1 SOA, 6 records, 1 extra, 2 locations (%lu %lu %lu %lu)", s.zones,
	   s.records, s.extra, s.locs);
	is_int(cdb_count(path("out.cdb")), 10, "10 records in the file");

	/* §6 of the reference, byte for byte */
	kl = name("dyn.example.test", key);
	cdb_values(path("out.cdb"), key, kl, got, sizeof got);
	store_zone_get(st, zid, &z);
	char want[1024];
	snprintf(want, sizeof want, "87:" "0006" "3d" "00000a00" Z8
	         "0161026e730364796e076578616d706c65047465737400"
	         "0a686f73746d61737465720364796e076578616d706c65047465737400"
	         "%08x" "00004000" "00000800" "00100000" "00000a00" ";"
	         "38:" "0002" "3d" "00000e10" Z8
	         "0161026e730364796e076578616d706c65047465737400" ";", z.soa.serial);
	ok(z.soa.serial > 1700000000, "every commit since bumped the serial (%u)", z.soa.serial);
	is_str(got, want,
	       "apex: the SOA from the zones row (current serial) first, then the NS");
	kl = name("host.dyn.example.test", key);
	cdb_values(path("out.cdb"), key, kl, got, sizeof got);
	ok(strstr(got, "19:" "0001" "3d" "0000012c" Z8 "c000020a" ";") &&
	   strstr(got, "31:" "001c" "3d" "0000012c" Z8 "20010db8000000000000000000000001" ";"),
	   "A and AAAA (type 28, 16 bytes) as in tinydns-data (%s)", got);
	kl = name("wild.dyn.example.test", key);
	cdb_values(path("out.cdb"), key, kl, got, sizeof got);
	is_str(got, "19:" "0001" "2a" "0000003c" Z8 "c0000214" ";", "wildcard: under the parent, marker '*'");
	kl = name("loc.dyn.example.test", key);
	cdb_values(path("out.cdb"), key, kl, got, sizeof got);
	is_str(got, "21:" "0001" "3e" "696e" "0000012c" Z8 "c000021e" ";", "location: marker '>' and the code");
	kl = name("ttd.dyn.example.test", key);
	cdb_values(path("out.cdb"), key, kl, got, sizeof got);
	is_str(got, "19:" "0001" "3d" "00000000" "400000006b1058c0" "c0000228" ";", "TTD: TTL 0 and the TAI64 label");
	kl = name("1.1.1.192.in-addr.arpa", key);
	cdb_values(path("out.cdb"), key, kl, got, sizeof got);
	is_str(got, "26:" "000c" "3e" "7800" "0000004d" Z8 "04686f7374036479e6" ";",
	       "an extra row: 1-char location x\\0, its TTL, rdata as stored");
	cdb_values(path("out.cdb"), "\0%\x7f\0\0", 5, got, sizeof got);
	is_str(got, "2:696e;", "location prefix 127.0.0 -> in");
	cdb_values(path("out.cdb"), "\0%", 2, got, sizeof got);
	is_str(got, "2:6578;", "default location -> ex");

	/* merge files, after the store's records */
	write_file("m1", "+m.test:192.0.2.9:60\n%lo:10\n", 28);
	char m1[256], m2[256], none[256];
	snprintf(m1, sizeof m1, "%s", path("m1"));
	snprintf(m2, sizeof m2, "%s", path("m2"));
	snprintf(none, sizeof none, "%s", path("none"));
	const char *merge[2] = { m1, m1 };
	is_int(export_cdb(st, path("out.cdb"), merge, 2, &s, err, sizeof err), 0, "export with two merge files");
	is_int(s.merged, 4, "their 4 records counted");
	kl = name("m.test", key);
	cdb_values(path("out.cdb"), key, kl, got, sizeof got);
	is_str(got, "19:" "0001" "3d" "0000003c" Z8 "c0000209" ";" "19:" "0001" "3d" "0000003c" Z8 "c0000209" ";",
	       "a merged record, once per merge file");

	/* failures keep the old file and leave no temporary file */
	struct stat before, after;
	stat(path("out.cdb"), &before);
	write_file("m2", "+ok.test:192.0.2.1\n3bad\n", 24);
	merge[1] = m2;
	is_int(export_cdb(st, path("out.cdb"), merge, 2, &s, err, sizeof err), DZ_EFORMAT,
	       "a bad merge line: DZ_EFORMAT");
	ok(strstr(err, "m2:2: unrecognized leading character") != NULL, "... named (%s)", err);
	stat(path("out.cdb"), &after);
	ok(before.st_ino == after.st_ino && before.st_size == after.st_size, "... old file kept");
	merge[1] = none;
	is_int(export_cdb(st, path("out.cdb"), merge, 2, &s, err, sizeof err), DZ_EIO,
	       "a missing merge file: DZ_EIO");
	is_int(export_cdb(st, path("no/dir/out.cdb"), NULL, 0, &s, err, sizeof err), DZ_EIO,
	       "a missing directory: DZ_EIO");
	DIR *d = opendir(dir);
	int tmp = 0;
	for (struct dirent *de; d && (de = readdir(d));)
		tmp += strstr(de->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	is_int(tmp, 0, "no temporary file left");
	store_close(st);
}

/* Import -------------------------------------------------------------------- */

/* tdimport_file into the store `db`; its messages into msgs. */
static int import(const char *db, const char *file, char *msgs, size_t cap)
{
	store_t *st = new_store(db);
	struct tdimport_stats s;
	char err[512];
	FILE *m = fmemopen(msgs, cap, "w");
	int rc = st && m ? tdimport_file(st, path(file), m, &s, err, sizeof err) : DZ_EIO;
	if (m)
		fclose(m);
	if (rc)
		printf("# %s\n", err);
	store_close(st);
	return rc;
}

static long long q1(store_t *st, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void test_import(void)
{
	const char data[] =
		"Za.test:ns.a.test.:hm.a.test.:1:2:3:4:5:6\n"
		".a.test::ns2.a.test.:300\n"               /* a second SOA */
		"Zb.test:ns.b.test.:hm.b.test.:0\n"        /* serial 0 */
		"Zc.test:ns.c.test.:hm.c.test.:4294967295\n"
		".l.test::x:300:400000006b1058c0\n"        /* SOA with a TTD: no zone */
		"+h.a.test:192.0.2.1:60\n"
		"+h.a.test:192.0.2.1:60\n"                 /* duplicate */
		"+h.a.test:192.0.2.2:60::in\n"
		"+h.a.test:192.0.2.3:60::ex\n"
		"%ex\n"
		":bad.a.test:28:\\001\n"
		"+out.test:192.0.2.4\n"
		"Ca.test:h.a.test:60\n"                  /* CNAME at an apex */
		"Cc1.a.test:h.a.test:60\n"
		"+c1.a.test:192.0.2.9:60\n"               /* beside a CNAME */
		"Cc1.a.test:h.a.test:60\n"                /* duplicate */
		"Cc1.a.test:x.a.test:60\n"                /* a second CNAME */
		"+c2.a.test:192.0.2.9:60\n"
		"Cc2.a.test:h.a.test:60\n";               /* CNAME beside an A */
	write_file("i1", data, sizeof data - 1);
	char msgs[2048];
	is_int(import("i.db", "i1", msgs, sizeof msgs), 0, "import succeeds");
	ok(strstr(msgs, "i1:7: note: same name, type, data and location") != NULL,
	   "a duplicate is noted with its line");
	ok(strstr(msgs, "i1:11: note: bad.a.test. AAAA is malformed") != NULL,
	   "a malformed record is noted with its line");
	ok(strstr(msgs, "i1:12: note: out.test. is in no zone") != NULL,
	   "a name in no zone is noted with its line");
	ok(strstr(msgs, "b.test.: dynzone serials skip 0") != NULL, "serial 0: a warning");
	ok(strstr(msgs, "i1:13: note: a.test.: a CNAME cannot stand beside other records") != NULL,
	   "a CNAME conflict is noted with its line");
	ok(strstr(msgs, "i1:16: note: same name") != NULL, "the same CNAME again is a duplicate");
	store_t *st = new_store("i.db");
	if (!st)
		return;
	is_int(q1(st, "SELECT serial FROM zones WHERE name = 'a.test.'"), 1, "serial 1 kept");
	is_int(q1(st, "SELECT serial FROM zones WHERE name = 'b.test.'"), 1, "serial 0 becomes 1");
	is_int(q1(st, "SELECT serial FROM zones WHERE name = 'c.test.'"), 4294967295LL, "serial 2^32-1 kept");
	is_int(q1(st, "SELECT count(*) FROM zones"), 3, "three zones (an SOA with a TTD makes none)");
	is_int(q1(st, "SELECT soa_ttl FROM zones WHERE name = 'a.test.'"), 6, "the Z line's TTL is the SOA TTL");
	is_int(q1(st, "SELECT count(*) FROM records WHERE type = 1"), 3,
	       "served: the plain A (once), the default location's, c2's");
	is_int(q1(st, "SELECT count(*) FROM records WHERE loc = 'ex'"), 1, "... which keeps its location");
	is_int(q1(st, "SELECT count(*) FROM tinydns_extra WHERE type = 6"), 2,
	       "export only: the second SOA and the SOA with a TTD");
	is_int(q1(st, "SELECT count(*) FROM tinydns_extra WHERE loc = 'in'"), 1, "export only: another location");
	is_int(q1(st, "SELECT count(*) FROM tinydns_extra WHERE type = 28"), 1, "export only: a 1-byte AAAA");
	is_int(q1(st, "SELECT count(*) FROM tinydns_extra WHERE type = 1 AND ttl = 86400"), 1,
	       "export only: a name in no zone");
	is_int(q1(st, "SELECT count(*) FROM tinydns_loc"), 1, "one location line");
	is_int(q1(st, "SELECT count(*) FROM records WHERE type = 5"), 1, "one CNAME served (c1)");
	is_int(q1(st, "SELECT count(*) FROM tinydns_extra WHERE type = 5"), 3,
	       "export only: CNAMEs at the apex, second at c1, beside c2's A");
	is_int(q1(st, "SELECT count(*) FROM tinydns_extra WHERE type = 1 AND ttl = 60 AND loc = ''"), 1,
	       "export only: the A beside c1's CNAME");
	store_close(st);

	st = new_store("i.db");
	long long n = q1(st, "SELECT count(*) FROM records");
	store_close(st);
	const char i2[] = "+ok.a.test:192.0.2.1\n+x:1.2.3.4:::\0y\n";
	write_file("i2", i2, sizeof i2 - 1);
	is_int(import("i.db", "i2", msgs, sizeof msgs), DZ_EFORMAT,
	       "a location code 00 'y' cannot be stored: refused");
	ok(strstr(msgs, "i2:2: a location code starting with a NUL byte") != NULL,
	   "... naming line 2");
	st = new_store("i.db");
	is_int(q1(st, "SELECT count(*) FROM records"), n, "... and nothing of the file imported");
	store_close(st);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_export.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_loc();
	test_reader();
	test_export();
	test_import();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
