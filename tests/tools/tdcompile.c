/* tdcompile: a test driver for proto/tinydns and src/tinydns/cdbout.
 *
 *   tdcompile DATAFILE OUT.cdb [MTIME]    compile like tinydns-data
 *   tdcompile --render DATAFILE [MTIME]   print each record as a data line
 *
 * MTIME (unix seconds) is the SOA serial source; it defaults to the data
 * file's modification time, as in tinydns-data.  A line that cannot be
 * taken is reported as "DATAFILE:LINE: reason" and nothing is written. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/errors.h"
#include "proto/tinydns.h"
#include "src/tinydns/cdbout.h"

typedef struct out {
	cdbout_t *cdb;      /* compile mode */
	FILE *text;         /* render mode */
	uint8_t key[TINYDNS_KEY_MAX];
	uint8_t val[TINYDNS_VAL_MAX];
	char line[TINYDNS_LINE_MAX];
} out_t;

/* Print the rendered line, or add the encoded record, unless rc says the
 * record could not be rendered or encoded. */
static int put(out_t *o, int rc, size_t klen, size_t vlen)
{
	if (rc)
		return rc;
	if (o->text)
		return fprintf(o->text, "%s\n", o->line) < 0 ? DZ_EIO : 0;
	return cdbout_add(o->cdb, o->key, klen, o->val, vlen);
}

static int put_rr(void *ctx, const tinydns_rr_t *rr)
{
	out_t *o = ctx;
	size_t klen = 0, vlen = 0, n;
	int rc = o->text ? tinydns_rr_to_line(rr, o->line, sizeof o->line, &n)
	                 : tinydns_rr_encode(rr, o->key, sizeof o->key, &klen, o->val, sizeof o->val, &vlen);
	return put(o, rc, klen, vlen);
}

static int put_loc(void *ctx, const tinydns_loc_t *loc)
{
	out_t *o = ctx;
	size_t klen = 0, vlen = 0, n;
	int rc = o->text ? tinydns_loc_to_line(loc, o->line, sizeof o->line, &n)
	                 : tinydns_loc_encode(loc, o->key, sizeof o->key, &klen, o->val, sizeof o->val, &vlen);
	return put(o, rc, klen, vlen);
}

static int parse_mtime(const char *s, int64_t *v)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return DZ_EINVAL;
	*v = x;
	return 0;
}

int main(int argc, char **argv)
{
	bool render = argc > 1 && strcmp(argv[1], "--render") == 0;
	const char *data, *cdbpath = NULL, *mt = NULL;
	tinydns_parser_t *p = NULL;
	out_t *o = NULL;
	cdbout_t cdb;
	FILE *in = NULL;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	struct stat st;
	int64_t mtime;
	int rc = DZ_EINVAL, opened = 0;

	if (render && (argc == 3 || argc == 4)) {
		data = argv[2];
		mt = argc == 4 ? argv[3] : NULL;
	} else if (!render && (argc == 3 || argc == 4)) {
		data = argv[1];
		cdbpath = argv[2];
		mt = argc == 4 ? argv[3] : NULL;
	} else {
		fprintf(stderr, "usage: tdcompile DATAFILE OUT.cdb [MTIME]\n"
		                "       tdcompile --render DATAFILE [MTIME]\n");
		return 2;
	}

	in = fopen(data, "rb");
	if (!in || fstat(fileno(in), &st) < 0) {
		fprintf(stderr, "tdcompile: %s: %s\n", data, strerror(errno));
		goto fail;
	}
	mtime = st.st_mtime;
	if (mt && parse_mtime(mt, &mtime)) {
		fprintf(stderr, "tdcompile: bad MTIME %s\n", mt);
		goto fail;
	}
	p = malloc(sizeof *p);
	o = calloc(1, sizeof *o);
	if (!p || !o) {
		rc = DZ_ENOMEM;
		goto fail;
	}
	tinydns_parser_init(p, mtime);
	if (render) {
		o->text = stdout;
	} else {
		rc = cdbout_open(&cdb, cdbpath);
		if (rc) {
			fprintf(stderr, "tdcompile: %s: %s\n", cdbpath, strerror(errno));
			goto fail;
		}
		opened = 1;
		o->cdb = &cdb;
	}

	tinydns_sink_t sink = { put_rr, put_loc, o };
	while ((n = getdelim(&line, &cap, '\n', in)) > 0) {
		const char *why = NULL;
		lineno++;
		rc = tinydns_parse_line(p, line, (size_t)n, &sink, &why);
		if (rc) {
			fprintf(stderr, "tdcompile: %s:%zu: %s\n", data, lineno,
			        why ? why : dz_strerror(rc));
			goto fail;
		}
	}
	if (ferror(in)) {
		fprintf(stderr, "tdcompile: %s: read error\n", data);
		rc = DZ_EIO;
		goto fail;
	}
	if (opened) {
		opened = 0;
		rc = cdbout_commit(&cdb);
		if (rc) {
			fprintf(stderr, "tdcompile: %s: %s\n", cdbpath, strerror(errno));
			goto fail;
		}
	} else if (fflush(stdout) != 0) {
		rc = DZ_EIO;
		goto fail;
	}
	rc = 0;
fail:
	if (opened)
		cdbout_abort(&cdb);
	if (in)
		fclose(in);
	free(line);
	free(o);
	free(p);
	return rc ? 1 : 0;
}
