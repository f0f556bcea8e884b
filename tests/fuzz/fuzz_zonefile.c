/* Arbitrary bytes into zonefile_parse.  Every record it hands out must be
 * well formed and must survive the trip back to text: its RDATA through
 * rdata_to_text and rdata_from_text, its owner through dname_to_text and
 * dname_from_text, and the whole record as one zone-file line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/name.h"
#include "proto/rdata.h"
#include "proto/zonefile.h"

/* RDATA as text is at most 4 bytes per byte (\DDD) plus quotes and fields. */
#define TEXT_MAX (4 * RDATA_MAX + 1024)

static char rdtext[TEXT_MAX];
static char line[TEXT_MAX + 1200];
static uint8_t again[RDATA_MAX];

/* same_record's "stop": no count of bad lines can be negative. */
#define SAME (-1000)

static int same_record(void *ctx, const zf_record_t *rr)
{
	const zf_record_t *want = ctx;
	if (rr->owner_len != want->owner_len ||
	    memcmp(rr->owner, want->owner, rr->owner_len) != 0 ||
	    rr->type != want->type || rr->ttl != want->ttl ||
	    rr->rdlen != want->rdlen || memcmp(rr->rdata, want->rdata, rr->rdlen) != 0)
		abort();
	return SAME;  /* one record is all we wrote */
}

static int check_record(void *ctx, const zf_record_t *rr)
{
	char owner[4 * DNAME_MAX + 8], tb[16];
	uint8_t o2[DNAME_MAX];
	const char *msg = NULL;
	size_t n;

	if (rr->rclass != CLASS_IN || !rr_type_is_data(rr->type) ||
	    rdata_check(rr->type, rr->rdata, rr->rdlen) != 0 ||
	    dname_len(rr->owner, rr->owner_len) != rr->owner_len)
		abort();

	int ol = dname_to_text(rr->owner, owner, sizeof owner);
	if (ol < 0 || dname_from_text(o2, owner, (size_t)ol, NULL) != rr->owner_len ||
	    memcmp(o2, rr->owner, rr->owner_len) != 0)
		abort();

	int tl = rdata_to_text(rr->type, rr->rdata, rr->rdlen, rdtext, sizeof rdtext);
	if (tl < 0)
		abort();
	if (rdata_from_text(rr->type, rdtext, (size_t)tl, NULL, again, sizeof again,
	                    &n, &msg) != 0 ||
	    n != rr->rdlen || memcmp(again, rr->rdata, n) != 0)
		abort();

	/* The record as one line, as an export would write it. */
	size_t ll = 0;
	const char *type = rr_type_to_text(rr->type, tb);
	memcpy(line, owner, (size_t)ol);
	ll += (size_t)ol;
	int w = snprintf(line + ll, sizeof line - ll, " %lu IN %s ",
	                 (unsigned long)rr->ttl, type);
	ll += (size_t)w;
	memcpy(line + ll, rdtext, (size_t)tl);
	ll += (size_t)tl;
	line[ll++] = '\n';
	if (zonefile_parse(line, ll, NULL, same_record, NULL, (void *)rr) != SAME)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t origin[] = "\7example\3org";
	zf_opts_t opts = { .origin = NULL, .default_ttl = 0 };
	if (size == 0)
		return 0;
	/* The first byte picks the options, so both paths get explored. */
	if (data[0] & 1)
		opts.origin = origin;
	if (data[0] & 2)
		opts.default_ttl = 86400;
	zonefile_parse((const char *)data + 1, size - 1, &opts, check_record, NULL,
	               NULL);
	return 0;
}
