/* Fuzz the tinydns data-line parser with arbitrary lines.  Beyond "no
 * crash", every record must encode, and every record the renderer can
 * write must parse back to exactly one record with the same cdb key and
 * value (the property the CDB export relies on). */
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/tinydns.h"

typedef struct state {
	tinydns_parser_t parser;    /* for the fuzzed line */
	tinydns_parser_t again;     /* for the rendered line */
	char line[TINYDNS_LINE_MAX];
	uint8_t key[TINYDNS_KEY_MAX], key2[TINYDNS_KEY_MAX];
	uint8_t val[TINYDNS_VAL_MAX], val2[TINYDNS_VAL_MAX];
	size_t klen, vlen, klen2, vlen2;
	int count;
} state_t;

static state_t *st;

static int second_rr(void *ctx, const tinydns_rr_t *rr)
{
	state_t *s = ctx;
	s->count++;
	return tinydns_rr_encode(rr, s->key2, sizeof s->key2, &s->klen2, s->val2, sizeof s->val2, &s->vlen2);
}

static int second_loc(void *ctx, const tinydns_loc_t *loc)
{
	state_t *s = ctx;
	s->count++;
	return tinydns_loc_encode(loc, s->key2, sizeof s->key2, &s->klen2, s->val2, sizeof s->val2, &s->vlen2);
}

/* The record was encoded (enc) and rendered (ren, n bytes): encoding must
 * work, and a rendered line must parse back to exactly that one record. */
static int check(state_t *s, int enc, int ren, size_t n)
{
	tinydns_sink_t sink = { second_rr, second_loc, s };
	const char *why;

	if (enc || (ren && ren != DZ_ENOTSUP))
		abort();
	if (ren)
		return 0;
	s->count = 0;
	if (tinydns_parse_line(&s->again, s->line, n, &sink, &why) != 0)
		abort();
	if (s->count != 1 || s->klen2 != s->klen || s->vlen2 != s->vlen ||
	    memcmp(s->key, s->key2, s->klen) || memcmp(s->val, s->val2, s->vlen))
		abort();
	return 0;
}

static int first_rr(void *ctx, const tinydns_rr_t *rr)
{
	state_t *s = ctx;
	size_t n = 0;
	int enc = tinydns_rr_encode(rr, s->key, sizeof s->key, &s->klen, s->val, sizeof s->val, &s->vlen);
	int ren = tinydns_rr_to_line(rr, s->line, sizeof s->line, &n);
	return check(s, enc, ren, n);
}

static int first_loc(void *ctx, const tinydns_loc_t *loc)
{
	state_t *s = ctx;
	size_t n = 0;
	int enc = tinydns_loc_encode(loc, s->key, sizeof s->key, &s->klen, s->val, sizeof s->val, &s->vlen);
	int ren = tinydns_loc_to_line(loc, s->line, sizeof s->line, &n);
	return check(s, enc, ren, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tinydns_sink_t sink = { first_rr, first_loc, NULL };
	const char *why = NULL;

	if (!st) {
		st = malloc(sizeof *st);
		if (!st)
			abort();
		tinydns_parser_init(&st->parser, 1700000000);
		tinydns_parser_init(&st->again, 1700000000);
	}
	sink.ctx = st;
	/* The first byte picks the SOA mtime so both serial paths are hit. */
	if (size && data[0] == 0xff) {
		tinydns_parser_init(&st->parser, 0);
		tinydns_parser_init(&st->again, 0);
	}
	int rc = tinydns_parse_line(&st->parser, (const char *)data, size, &sink, &why);
	if ((rc == DZ_EFORMAT || rc == DZ_ELIMIT) && !why)
		abort();
	if (rc != 0 && rc != DZ_EFORMAT && rc != DZ_ELIMIT)
		abort();
	if (size && data[0] == 0xff) {
		tinydns_parser_init(&st->parser, 1700000000);
		tinydns_parser_init(&st->again, 1700000000);
	}
	return 0;
}
