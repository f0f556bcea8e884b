/* data.cdb export for stock tinydns: one-shot (`dynzone export cdb`) and
 * automatic (a thread of `dynzone serve`). */
#include "src/tinydns/export.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "src/tinydns/cdbout.h"
#include "src/common/clock.h"
#include "src/common/log.h"
#include "src/common/thread.h"
#include "src/db/tdstore.h"
#include "src/db/zones.h"

/* Location codes ---------------------------------------------------------- */

int export_loc_text(const uint8_t code[2], char out[3])
{
	if (!code[0] && code[1])
		return DZ_EINVAL;
	out[0] = (char)code[0];
	out[1] = code[0] ? (char)code[1] : 0;
	out[2] = 0;
	return 0;
}

void export_loc_code(const char *text, uint8_t code[2])
{
	code[0] = text ? (uint8_t)text[0] : 0;
	code[1] = code[0] ? (uint8_t)text[1] : 0;
}

/* Reading data files ------------------------------------------------------ */

int export_read_data(int fd, const char *path, int64_t mtime,
                     tinydns_parser_t *p, const tinydns_sink_t *sink,
                     unsigned long *line, export_bad_fn bad, void *ctx,
                     char *err, size_t errlen)
{
	char *buf = malloc(EXPORT_LINE_CAP);
	size_t have = 0, start = 0;
	bool eof = false;
	int rc = 0;

	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		return DZ_ENOMEM;
	}
	tinydns_parser_init(p, mtime);
	*line = 0;
	for (;;) {
		char *nl = memchr(buf + start, '\n', have - start);
		if (!nl && !eof) {
			if (start) {
				memmove(buf, buf + start, have - start);
				have -= start;
				start = 0;
			}
			if (have == EXPORT_LINE_CAP) {
				snprintf(err, errlen, "%s:%lu: line longer than %d bytes", path,
				         *line + 1, EXPORT_LINE_CAP);
				rc = DZ_ELIMIT;
				goto fail;
			}
			ssize_t n = read(fd, buf + have, EXPORT_LINE_CAP - have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				snprintf(err, errlen, "%s: %s", path, strerror(errno));
				rc = DZ_EIO;
				goto fail;
			}
			if (n == 0)
				eof = true;
			have += (size_t)n;
			continue;
		}
		if (!nl && start == have)
			break;
		size_t end = nl ? (size_t)(nl - buf) + 1 : have;
		const char *why = NULL;
		++*line;
		rc = tinydns_parse_line(p, buf + start, end - start, sink, &why);
		start = end;
		if (rc && why && bad) {
			bad(ctx, *line, why);
			rc = 0;
		} else if (rc) {
			snprintf(err, errlen, "%s:%lu: %s", path, *line, why ? why : dz_strerror(rc));
			goto fail;
		}
	}
fail:
	free(buf);
	return rc;
}

/* One export ------------------------------------------------------------- */

struct exp {
	cdbout_t cdb;
	store_t *st;
	struct export_stats stats;
	unsigned long *count;       /* the stats counter records go to now */
	uint8_t key[TINYDNS_KEY_MAX];
	uint8_t val[TINYDNS_VAL_MAX];
	uint8_t soa[2 * DNAME_MAX + 20];
	tinydns_parser_t parser;
};

/* Add a record encode gave rc for. */
static int add(struct exp *e, int rc, size_t klen, size_t vlen)
{
	if (!rc)
		rc = cdbout_add(&e->cdb, e->key, klen, e->val, vlen);
	if (!rc)
		++*e->count;
	return rc;
}

static int put_rr(void *ctx, const tinydns_rr_t *rr)
{
	struct exp *e = ctx;
	size_t klen = 0, vlen = 0;
	int rc = tinydns_rr_encode(rr, e->key, sizeof e->key, &klen, e->val,
	                           sizeof e->val, &vlen);
	return add(e, rc, klen, vlen);
}

static int put_loc(void *ctx, const tinydns_loc_t *loc)
{
	struct exp *e = ctx;
	size_t klen = 0, vlen = 0;
	int rc = tinydns_loc_encode(loc, e->key, sizeof e->key, &klen, e->val,
	                            sizeof e->val, &vlen);
	return add(e, rc, klen, vlen);
}

/* A record as the store holds it -> tinydns. */
static int put_stored(struct exp *e, const uint8_t *owner, uint16_t type,
                      const char *loc, uint32_t ttl, uint64_t ttd,
                      const uint8_t *rd, size_t rdlen)
{
	tinydns_rr_t rr = { .owner = owner, .wildcard = dname_is_wildcard(owner),
	                    .type = type, .ttl = ttl, .ttd = ttd, .rdata = rd,
	                    .rdlen = rdlen };
	export_loc_code(loc, rr.loc);
	return put_rr(e, &rr);
}

/* The records a signer made (src/db/signer.h): RRSIG, NSEC, DNSKEY,
 * NSEC3, NSEC3PARAM, CDS, CDNSKEY. */
static bool is_signing_type(uint16_t t)
{
	return t == 46 || t == 47 || t == 48 || t == 50 || t == 51 || t == 59 || t == 60;
}

static int put_record(void *ctx, const struct store_rr *r)
{
	struct exp *e = ctx;
	if (is_signing_type(r->type)) {
		e->stats.unsigned_++;
		return 0;
	}
	return put_stored(e, r->owner, r->type, r->loc, r->ttl, r->ttd,
	                  r->rdata ? r->rdata : (const uint8_t *)"", r->rdlen);
}

/* A zone: its SOA (from the zones row), then its records. */
static int put_zone(void *ctx, const struct store_zone *z)
{
	struct exp *e = ctx;
	int rc;

	size_t len = store_zone_soa_rdata(&z->soa, z->soa.serial, e->soa, sizeof e->soa);
	if (!len)
		return DZ_ESPACE;
	e->count = &e->stats.zones;
	rc = put_stored(e, z->apex, RR_SOA, "", z->soa.ttl, 0, e->soa, len);
	e->count = &e->stats.records;
	return rc ? rc : store_record_list(e->st, z->id, put_record, e);
}

static int put_extra_row(void *ctx, const struct tdstore_extra *x)
{
	return put_stored(ctx, x->owner, x->type, x->loc, x->ttl, x->ttd, x->rdata, x->rdlen);
}

static int put_loc_row(void *ctx, const tinydns_loc_t *loc)
{
	return put_loc(ctx, loc);
}

static int put_extra(struct exp *e)
{
	e->count = &e->stats.extra;
	int rc = tdstore_extra_list(e->st, put_extra_row, e);
	if (rc)
		return rc;
	e->count = &e->stats.locs;
	return tdstore_loc_list(e->st, put_loc_row, e);
}

static int put_merge(struct exp *e, const char *path, char *err, size_t errlen)
{
	tinydns_sink_t sink = { put_rr, put_loc, e };
	unsigned long line;
	struct stat sb;
	int rc, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return DZ_EIO;
	}
	e->count = &e->stats.merged;
	rc = export_read_data(fd, path, (int64_t)sb.st_mtime, &e->parser, &sink, &line,
	                      NULL, NULL, err, errlen);
	close(fd);
	return rc;
}

int export_cdb(store_t *st, const char *out, const char *const *merge,
               unsigned nmerge, struct export_stats *stats, char *err,
               size_t errlen)
{
	struct exp *e = calloc(1, sizeof *e);
	bool open = false, txn = false;
	int rc;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	e->st = st;
	rc = cdbout_open(&e->cdb, out);
	if (rc) {
		snprintf(err, errlen, "%s: %s", out, rc == DZ_EIO ? strerror(errno)
		         : "path too long");
		goto fail;
	}
	open = true;
	/* one read transaction: a consistent snapshot of the store */
	if (store_read_begin(st)) {
		rc = DZ_EDB;
		goto dberr;
	}
	txn = true;
	rc = store_zone_list(st, put_zone, e);
	if (!rc)
		rc = put_extra(e);
	store_read_end(st);
	txn = false;
	if (rc == DZ_EDB)
		goto dberr;
	if (rc == DZ_EIO) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		goto fail;
	}
	if (rc) {
		snprintf(err, errlen, "%s: a stored record cannot be written: %s", out,
		         dz_strerror(rc));
		goto fail;
	}
	for (unsigned i = 0; i < nmerge; i++) {
		rc = put_merge(e, merge[i], err, errlen);
		if (rc)
			goto fail;
	}
	open = false;
	rc = cdbout_commit(&e->cdb);
	if (rc) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		goto fail;
	}
	if (stats)
		*stats = e->stats;
	free(e);
	return 0;
dberr:
	snprintf(err, errlen, "store: %s", store_errmsg(st));
fail:
	if (txn)
		store_read_end(st);
	if (open)
		cdbout_abort(&e->cdb);
	free(e);
	return rc;
}

/* Automatic export ----------------------------------------------------------- */

#define POLL_MS 100        /* how often the store and merge files are checked */
#define QUIET_MS 200       /* a burst is over after this long without change */
#define MAXWAIT_MS 500     /* ... or this long after its first change */
#define RETRY_MS 5000      /* after a failed export */

struct mstat {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int err;               /* errno of stat, 0 if it worked */
};

struct exporter {
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	store_t *st;
	char *out;
	char *merge[CONF_MAX_LIST];
	unsigned nmerge;
	struct mstat ms[CONF_MAX_LIST];
	int64_t gen[3];        /* journal, tinydns_extra, tinydns_loc high marks */
	unsigned long exports;
	bool failing;
	char lasterr[1024];
};

/* The high marks of what the export reads.  Every zone and record change
 * appends a journal row; the tinydns tables only ever grow. */
static int read_gen(store_t *st, int64_t gen[3])
{
	return tdstore_generation(st, gen);
}

/* True if a merge file changed since the last call (or cannot be read). */
static bool merge_changed(exporter_t *e)
{
	bool changed = false;
	for (unsigned i = 0; i < e->nmerge; i++) {
		struct stat sb;
		struct mstat m = { 0 }, *o = &e->ms[i];
		if (stat(e->merge[i], &sb) == 0) {
			m.dev = sb.st_dev;
			m.ino = sb.st_ino;
			m.size = sb.st_size;
			m.mtime = sb.st_mtim;
		} else {
			m.err = errno;
		}
		if (m.dev != o->dev || m.ino != o->ino || m.size != o->size ||
		    m.mtime.tv_sec != o->mtime.tv_sec || m.mtime.tv_nsec != o->mtime.tv_nsec ||
		    m.err != o->err)
			changed = true;
		*o = m;
	}
	return changed;
}

/* Anything to export?  Cheap when nothing was written: PRAGMA
 * data_version, then the high marks only if someone wrote. */
static bool has_changes(exporter_t *e)
{
	bool changed = merge_changed(e);
	if (store_changed(e->st)) {
		int64_t g[3];
		if (read_gen(e->st, g) != 0)
			return true;   /* cannot tell: export, which reports the error */
		if (memcmp(g, e->gen, sizeof g) != 0) {
			memcpy(e->gen, g, sizeof g);
			changed = true;
		}
	}
	return changed;
}

static bool run_export(exporter_t *e)
{
	struct export_stats s;
	char err[1024];
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (export_cdb(e->st, e->out, (const char *const *)e->merge, e->nmerge, &s,
	               err, sizeof err)) {
		/* a failure that repeats is logged once, until it changes */
		if (!e->failing || strcmp(err, e->lasterr) != 0)
			log_err("export: %s (retrying)", err);
		snprintf(e->lasterr, sizeof e->lasterr, "%s", err);
		e->failing = true;
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = clock_seconds(&t0, &t1);
	unsigned long n = s.zones + s.records + s.extra + s.locs + s.merged;
	if ((e->exports == 0 || e->failing) && s.unsigned_)
		log_info("exported %lu records to %s in %.3f s, unsigned: %lu DNSSEC records "
		         "left out (stock tinydns cannot serve DNSSEC)", n, e->out, secs, s.unsigned_);
	else if (e->exports == 0 || e->failing)
		log_info("exported %lu records to %s in %.3f s", n, e->out, secs);
	else
		log_debug("exported %lu records to %s in %.3f s", n, e->out, secs);
	e->exports++;
	e->failing = false;
	return true;
}

static void *export_main(void *arg)
{
	thread_name("dz-export");
	exporter_t *e = arg;
	bool pending = e->failing;
	int64_t first = 0, last = 0, retry_at = pending ? (int64_t)clock_ms() + RETRY_MS : 0;

	pthread_mutex_lock(&e->mu);
	while (!e->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&e->cv, &e->mu, &until);
		if (e->stop)
			break;
		pthread_mutex_unlock(&e->mu);

		int64_t now = (int64_t)clock_ms();
		if (has_changes(e)) {
			if (!pending)
				first = now;
			pending = true;
			last = now;
			retry_at = 0;   /* a new change may be the fix */
		}
		if (pending && now >= retry_at &&
		    (now - last >= QUIET_MS || now - first >= MAXWAIT_MS)) {
			pending = !run_export(e);
			if (pending)
				retry_at = (int64_t)clock_ms() + RETRY_MS;
		}
		pthread_mutex_lock(&e->mu);
	}
	pthread_mutex_unlock(&e->mu);
	return NULL;
}

void export_stop(exporter_t *e)
{
	if (!e)
		return;
	if (e->started) {
		pthread_mutex_lock(&e->mu);
		e->stop = true;
		pthread_cond_signal(&e->cv);
		pthread_mutex_unlock(&e->mu);
		pthread_join(e->thread, NULL);
	}
	pthread_cond_destroy(&e->cv);
	pthread_mutex_destroy(&e->mu);
	store_close(e->st);
	for (unsigned i = 0; i < e->nmerge; i++)
		free(e->merge[i]);
	free(e->out);
	free(e);
}

int export_start(const struct config *c, exporter_t **out, char *err,
                 size_t errlen)
{
	exporter_t *e;
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (!c->export_cdb || !*c->export_cdb)
		return 0;
	e = calloc(1, sizeof *e);
	if (!e || !(e->out = strdup(c->export_cdb))) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	pthread_mutex_init(&e->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->cv, &ca);
	pthread_condattr_destroy(&ca);
	for (unsigned i = 0; i < c->export_merge.n && i < CONF_MAX_LIST; i++) {
		if (!(e->merge[i] = strdup(c->export_merge.s[i]))) {
			snprintf(err, errlen, "out of memory");
			rc = DZ_ENOMEM;
			goto fail;
		}
		e->nmerge = i + 1;
	}
	/* its own connection: the export never waits for the server's */
	rc = store_open(c->db, &e->st, err, errlen);
	if (rc)
		goto fail;
	merge_changed(e);
	if (read_gen(e->st, e->gen)) {
		snprintf(err, errlen, "store: %s", store_errmsg(e->st));
		rc = DZ_EDB;
		goto fail;
	}
	run_export(e);
	int prc = pthread_create(&e->thread, NULL, export_main, e);
	if (prc != 0) {
		snprintf(err, errlen, "cannot start the export thread: %s", strerror(prc));
		rc = DZ_EIO;
		goto fail;
	}
	e->started = true;
	*out = e;
	return 0;
fail:
	export_stop(e);
	return rc;
}
