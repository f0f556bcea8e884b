/* `dynzone import tinydns DATAFILE`: a tinydns `data` file into the store,
 * so that `dynzone serve` answers for it and `dynzone export cdb` writes
 * back exactly what tinydns-data compiles from it.
 *
 * Two passes over the file.  The first checks every line (nothing is
 * written if one is refused) and finds the zones: the first SOA of a name
 * (from a `.` or `Z` line) without a location or TTD makes that name a
 * zone, its fields (serial by tinydns-data's rule) going into the zones
 * row.  It also finds the default location (the first `%` line with an
 * empty prefix).  The second pass files each record:
 *  - into its zone's records, served by dynzone: records inside a zone,
 *    without a TTD, with no location or the default one, well formed;
 *  - into tinydns_extra, exported but not served: everything else (a
 *    name outside every zone, another location, a TTD, malformed data,
 *    a second SOA);
 * and each `%` line into tinydns_loc.  Everything is one transaction. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "src/tinydns/tdimport.h"

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "src/tinydns/export.h"
#include "src/db/tdstore.h"
#include "src/db/zones.h"
#include "src/common/grow.h"

#define NOTES_SHOWN 50     /* per kind of message */
#define TOUCH_BATCH 64     /* zones per serial fix-up transaction */


struct tdzone {
	uint8_t apex[DNAME_MAX];
	struct zsoa soa;           /* as the file says it */
	uint32_t stored;           /* serial written before the commit's bump */
	int64_t id;
	bool consumed;             /* pass 2 met its SOA */
};

struct tdimp {
	store_t *st;
	const char *file;
	FILE *msgs;
	unsigned long line;
	struct tdzone *z;
	size_t nz, capz;
	uint8_t defloc[2];
	bool have_defloc;
	unsigned errors, notes[TDI_KINDS + 1];
	struct tdimport_stats *stats;
	unsigned long errline;     /* the last line reported as refused */
	int rc;                    /* a store failure in a sink */
};

static void report(struct tdimp *im, unsigned *count, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct tdimp *im, unsigned *count, const char *fmt, ...)
{
	va_list ap;
	if (++*count > NOTES_SHOWN) {
		if (*count == NOTES_SHOWN + 1)
			fprintf(im->msgs, "%s: more messages like this one not shown\n", im->file);
		return;
	}
	fprintf(im->msgs, "%s:%lu: ", im->file, im->line);
	va_start(ap, fmt);
	vfprintf(im->msgs, fmt, ap);
	va_end(ap);
	fputc('\n', im->msgs);
}

static void bad_line(void *ctx, unsigned long line, const char *why)
{
	struct tdimp *im = ctx;
	im->line = line;
	report(im, &im->errors, "%s", why);
}

/* The SOA rdata of a record as zone fields: two valid names and exactly
 * 20 bytes.  0 or DZ_EFORMAT. */
static int soa_fields(const tinydns_rr_t *rr, struct zsoa *soa)
{
	size_t n1 = dname_len(rr->rdata, rr->rdlen), n2;
	if (!n1)
		return DZ_EFORMAT;
	n2 = dname_len(rr->rdata + n1, rr->rdlen - n1);
	if (!n2 || rr->rdlen != n1 + n2 + 20)
		return DZ_EFORMAT;
	memset(soa, 0, sizeof *soa);
	memcpy(soa->mname, rr->rdata, n1);
	memcpy(soa->rname, rr->rdata + n1, n2);
	wire_t w;
	wire_init(&w, (uint8_t *)rr->rdata + n1 + n2, 20);
	soa->serial = wire_read_u32(&w);
	soa->refresh = wire_read_u32(&w);
	soa->retry = wire_read_u32(&w);
	soa->expire = wire_read_u32(&w);
	soa->minimum = wire_read_u32(&w);
	soa->ttl = rr->ttl;
	return 0;
}

static bool untagged(const tinydns_rr_t *rr)
{
	return !rr->loc[0] && !rr->loc[1] && !rr->ttd;
}

static struct tdzone *zone_of_apex(struct tdimp *im, const uint8_t *apex)
{
	for (size_t i = 0; i < im->nz; i++)
		if (dname_equal(im->z[i].apex, apex))
			return &im->z[i];
	return NULL;
}

/* Pass 1 ------------------------------------------------------------------- */

static int scan_rr(void *ctx, const tinydns_rr_t *rr)
{
	struct tdimp *im = ctx;
	struct zsoa soa;
	char loc[3];

	if (export_loc_text(rr->loc, loc)) {
		if (im->errline != im->line)
			report(im, &im->errors, "a location code starting with a NUL "
			       "byte cannot be stored");
		im->errline = im->line;
		return 0;
	}
	if (rr->type != RR_SOA || rr->wildcard || !untagged(rr) ||
	    soa_fields(rr, &soa) || zone_of_apex(im, rr->owner))
		return 0;
	struct tdzone *nz = grow_array(im->z, &im->capz, im->nz, sizeof *nz, 16);
	if (!nz)
		return DZ_ENOMEM;
	im->z = nz;
	struct tdzone *z = &im->z[im->nz++];
	memset(z, 0, sizeof *z);
	dname_copy_lower(z->apex, rr->owner);
	z->soa = soa;
	return 0;
}

static int scan_loc(void *ctx, const tinydns_loc_t *loc)
{
	struct tdimp *im = ctx;
	if (loc->plen == 0 && !im->have_defloc) {
		memcpy(im->defloc, loc->code, 2);
		im->have_defloc = true;
	}
	return 0;
}

/* The default location the store has already (the first `%` row with an
 * empty prefix): it comes before the file's in the export. */
static int stored_defloc(struct tdimp *im)
{
	int rc = tdstore_loc_default(im->st, im->defloc);
	if (rc == 0)
		im->have_defloc = true;
	return rc == DZ_ENOENT ? 0 : rc;
}

/* Zones -------------------------------------------------------------------- */

/* Create the zone or replace its SOA.  The commit bumps the serial of
 * every zone it touched (by `step`: +1, skipping 0), so the serial stored
 * now is the file's minus that step: the bump lands on the file's. */
static int set_zone(struct tdimp *im, struct tdzone *z, uint32_t step)
{
	struct store_zone cur;
	struct zsoa soa = z->soa;
	int rc;

	soa.serial = z->stored = z->soa.serial - step;
	if (z->id)
		return store_zone_set_soa(im->st, z->id, &soa);
	rc = store_zone_find(im->st, z->apex, &cur);
	if (rc == 0 && dname_equal(cur.apex, z->apex)) {
		z->id = cur.id;
		return store_zone_set_soa(im->st, z->id, &soa);
	}
	if (rc && rc != DZ_ENOENT)
		return rc;
	im->stats->zones_new++;
	return store_zone_add(im->st, z->apex, &soa, 60, &z->id);
}

/* After the commit: every zone's serial must be the file's.  The store
 * bumps the serial of each zone a transaction touched; if that ever
 * differs from +1, learn the step from what happened and set them again
 * (a few zones per transaction).  Returns the number still wrong. */
static unsigned fix_serials(struct tdimp *im)
{
	unsigned wrong = 0;
	for (int round = 0; round < 2; round++) {
		size_t todo[TOUCH_BATCH];
		size_t nt = 0;
		wrong = 0;
		for (size_t i = 0; i <= im->nz; i++) {
			struct store_zone cur;
			/* a serial 0 cannot be kept: the bump skips it */
			if (i < im->nz && im->z[i].soa.serial != 0 &&
			    store_zone_get(im->st, im->z[i].id, &cur) == 0 &&
			    cur.soa.serial != im->z[i].soa.serial) {
				wrong++;
				if (round == 0 && nt < TOUCH_BATCH) {
					im->z[i].stored = cur.soa.serial - im->z[i].stored;  /* the step */
					todo[nt++] = i;
				}
			}
			if (nt && (nt == TOUCH_BATCH || i == im->nz)) {
				bool ok = store_begin(im->st) == 0;
				for (size_t k = 0; k < nt && ok; k++)
					ok = set_zone(im, &im->z[todo[k]], im->z[todo[k]].stored) == 0;
				if (!ok || store_commit(im->st))
					store_rollback(im->st);
				nt = 0;
			}
		}
		if (!wrong)
			break;
	}
	return wrong;
}

/* Pass 2 ------------------------------------------------------------------- */

static int add_extra(struct tdimp *im, const tinydns_rr_t *rr, int why)
{
	char loc[3];
	if (export_loc_text(rr->loc, loc))
		return DZ_EDB;
	struct tdstore_extra x = { .owner = rr->owner, .type = rr->type, .rdata = rr->rdata,
	                           .rdlen = rr->rdlen, .loc = loc, .ttl = rr->ttl, .ttd = rr->ttd };
	int rc = tdstore_extra_add(im->st, &x);
	if (rc)
		return rc;
	im->stats->extra[why]++;
	return 0;
}

static void note_dup(struct tdimp *im)
{
	im->stats->dup++;
	report(im, &im->notes[TDI_KINDS], "note: same name, type, data and location "
	       "as an earlier record: stored once (tinydns-data would write it twice)");
}

/* RFC 2181 §10.1, as `record add` and `import zone` apply it: a CNAME is
 * alone at its name and never at an apex.  Returns 1 if `rr` would break
 * that next to the records already served (the first comes first; the
 * same record again is not a conflict but a duplicate), 0 if not, or
 * DZ_EDB. */
static int cname_conflict(struct tdimp *im, const struct store_zone *z,
                          const tinydns_rr_t *rr, const char *loc)
{
	bool cname = rr->type == RR_CNAME;
	long long n;

	if (cname && dname_equal(rr->owner, z->apex))
		return 1;
	if (cname)
		n = store_record_count_except(im->st, z->id, rr->owner, RR_CNAME, rr->rdata,
		                              rr->rdlen, loc);
	else
		n = store_record_count(im->st, z->id, rr->owner, RR_CNAME, false);
	if (n < 0)
		return DZ_EDB;
	return n > 0;
}

static int file_rr(void *ctx, const tinydns_rr_t *rr)
{
	struct tdimp *im = ctx;
	struct store_zone z;
	char name[1100], type[16], loc[3];
	int why = -1, rc, cc = 0;

	if (rr->type == RR_SOA && !rr->wildcard && untagged(rr)) {
		struct tdzone *tz = zone_of_apex(im, rr->owner);
		struct zsoa soa;
		if (tz && !tz->consumed && soa_fields(rr, &soa) == 0) {
			tz->consumed = true;    /* it is the zones row */
			return 0;
		}
	}
	export_loc_text(rr->loc, loc);   /* checked in pass 1 */
	rc = store_zone_find(im->st, rr->owner, &z);
	if (rc && rc != DZ_ENOENT)
		return im->rc = rc;
	if (rc == DZ_ENOENT)
		why = TDI_OUTSIDE;
	else if (rr->type == RR_SOA)
		why = TDI_SOA;
	else if (rr->ttd)
		why = TDI_TTD;
	else if ((rr->loc[0] || rr->loc[1]) &&
	         !(im->have_defloc && memcmp(rr->loc, im->defloc, 2) == 0))
		why = TDI_LOC;
	else if (!rr_type_is_data(rr->type) || rdata_check(rr->type, rr->rdata, rr->rdlen))
		why = TDI_BAD;
	else if ((cc = cname_conflict(im, &z, rr, loc)) != 0)
		why = TDI_CNAME;
	if (cc < 0)
		return im->rc = cc;

	if (why >= 0) {
		rc = add_extra(im, rr, why);
		if (rc == DZ_EEXIST) {
			note_dup(im);
			return 0;
		}
		if (rc)
			return im->rc = rc;
		if (dname_to_text(rr->owner, name, sizeof name) < 0)
			snprintf(name, sizeof name, "?");
		if (why == TDI_OUTSIDE)
			report(im, &im->notes[why], "note: %s is in no zone: kept for the "
			       "CDB export only (dynzone does not answer for it)", name);
		else if (why == TDI_BAD)
			report(im, &im->notes[why], "note: %s %s is malformed for its type: "
			       "kept for the CDB export only", name,
			       rr_type_to_text(rr->type, type));
		else if (why == TDI_CNAME)
			report(im, &im->notes[why], "note: %s: a CNAME cannot stand beside "
			       "other records (or at a zone apex): this %s is kept for the "
			       "CDB export only", name, rr_type_to_text(rr->type, type));
		else if (why == TDI_SOA)
			report(im, &im->notes[why], "note: %s has a zone SOA already: this "
			       "one is kept for the CDB export only", name);
		return 0;
	}

	struct store_rr r = { .zone_id = z.id, .owner = rr->owner, .type = rr->type,
	                      .ttl = rr->ttl, .rdata = rr->rdata, .rdlen = rr->rdlen,
	                      .loc = loc };
	rc = store_record_add(im->st, &r);
	if (rc == DZ_EEXIST) {
		note_dup(im);
		return 0;
	}
	if (rc)
		return im->rc = rc;
	im->stats->added++;
	return 0;
}

static int file_loc(void *ctx, const tinydns_loc_t *loc)
{
	struct tdimp *im = ctx;
	int rc = tdstore_loc_add(im->st, loc);
	if (rc && rc != DZ_EEXIST)
		return im->rc = rc;
	if (rc == DZ_EEXIST)
		note_dup(im);
	else
		im->stats->locs++;
	return 0;
}

/* The import ---------------------------------------------------------------- */

int tdimport_file(store_t *st, const char *file, FILE *msgs,
                  struct tdimport_stats *stats, char *err, size_t errlen)
{
	struct tdimp im;
	tinydns_parser_t *p = NULL;
	struct stat sb;
	int rc, fd;

	memset(&im, 0, sizeof im);
	memset(stats, 0, sizeof *stats);
	im.st = st;
	im.file = file;
	im.msgs = msgs;
	im.stats = stats;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		rc = DZ_EIO;
		goto out;
	}
	if (!(p = malloc(sizeof *p))) {
		snprintf(err, errlen, "out of memory");
		rc = DZ_ENOMEM;
		goto out;
	}

	/* pass 1: check every line, find zones and the default location */
	if ((rc = stored_defloc(&im)) != 0)
		goto dberr;
	tinydns_sink_t scan = { scan_rr, scan_loc, &im };
	rc = export_read_data(fd, file, (int64_t)sb.st_mtime, p, &scan, &im.line,
	                      bad_line, &im, err, errlen);
	if (rc)
		goto out;
	if (im.errors) {
		stats->errors = im.errors;
		snprintf(err, errlen, "%s: %u line%s could not be taken; nothing was "
		         "imported", file, im.errors, im.errors == 1 ? "" : "s");
		rc = DZ_EFORMAT;
		goto out;
	}

	/* pass 2: zones, then every record, in one transaction */
	if (lseek(fd, 0, SEEK_SET) < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		rc = DZ_EIO;
		goto out;
	}
	if ((rc = store_begin(st)) != 0)
		goto dberr;
	store_set_bulk(st, true);
	for (size_t i = 0; i < im.nz && !rc; i++)
		rc = set_zone(&im, &im.z[i], 1);
	tinydns_sink_t put = { file_rr, file_loc, &im };
	if (!rc)
		rc = export_read_data(fd, file, (int64_t)sb.st_mtime, p, &put, &im.line,
		                      NULL, NULL, err, errlen);
	if (!rc && im.rc)
		rc = im.rc;
	if (rc) {
		store_rollback(st);
		if (rc == DZ_EDB || rc == DZ_EEXIST)
			goto dberr;
		goto out;
	}
	if ((rc = store_commit(st)) != 0)
		goto dberr;
	stats->zones = im.nz;
	stats->wrong_serials = fix_serials(&im);
	for (size_t i = 0; i < im.nz; i++) {
		char name[1100];
		if (im.z[i].soa.serial == 0 && dname_to_text(im.z[i].apex, name, sizeof name) > 0)
			fprintf(msgs, "%s: warning: %s: dynzone serials skip 0: serial 0 "
			        "became 1\n", file, name);
	}
	goto out;
dberr:
	snprintf(err, errlen, "store: %s", store_errmsg(st));
	rc = DZ_EDB;
out:
	if (fd >= 0)
		close(fd);
	free(p);
	free(im.z);
	return rc;
}
