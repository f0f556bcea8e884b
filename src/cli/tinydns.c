/* The tinydns commands: `dynzone export cdb` and `dynzone import tinydns`
 * (the work is done in src/tinydns/export.c and src/tinydns/tdimport.c). */
#include <stdio.h>
#include <time.h>

#include "proto/errors.h"
#include "src/cli/cmd.h"
#include "src/common/clock.h"
#include "src/tinydns/export.h"
#include "src/tinydns/tdimport.h"

/* `dynzone export cdb` ------------------------------------------------------ */

int cmd_export_cdb(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1], *merge[CONF_MAX_LIST];
	int np, nmerge = 0;
	struct cmd_opt opts[] = {
		{ "merge", 1, NULL, NULL, merge, &nmerge, CONF_MAX_LIST },
		{ 0 },
	};
	struct export_stats s;
	char err[1024];
	const char *out;

	if (cmd_parse(ctx, argc, argv, opts, pos, 0, 1, &np))
		return 2;
	out = np ? pos[0] : ctx->cfg.export_cdb;
	if (!out || !*out)
		return cmd_fail("export cdb: give OUT or set export-cdb in the config");
	if (!np && !nmerge)
		for (unsigned i = 0; i < ctx->cfg.export_merge.n; i++)
			merge[nmerge++] = ctx->cfg.export_merge.s[i];
	store_t *st = cmd_store(ctx);
	if (export_cdb(st, out, merge, (unsigned)nmerge, &s, err, sizeof err))
		return cmd_fail("export cdb: %s", err);
	printf("%s: %lu records: %lu zones (SOA), %lu zone records, %lu kept for "
	       "the export only, %lu locations, %lu from merge files\n", out,
	       s.zones + s.records + s.extra + s.locs + s.merged, s.zones,
	       s.records, s.extra, s.locs, s.merged);
	if (s.unsigned_)
		fprintf(stderr, "dynzone: export cdb: %lu DNSSEC records left out: stock tinydns "
		        "serves the zones unsigned\n", s.unsigned_);
	return 0;
}

/* `dynzone import tinydns` ---------------------------------------------------- */

int cmd_import_tinydns(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	struct tdimport_stats s;
	char err[1200];
	struct timespec t0, t1;

	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (tdimport_file(st, pos[0], stderr, &s, err, sizeof err))
		return cmd_fail("%s", err);
	if (cmd_sign_finish(ctx))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (s.wrong_serials)
		fprintf(stderr, "%s: warning: %u zone%s did not keep the file's SOA "
		        "serial\n", pos[0], s.wrong_serials, s.wrong_serials == 1 ? "" : "s");
	unsigned long nextra = 0;
	for (int k = 0; k < TDI_KINDS; k++)
		nextra += s.extra[k];
	printf("%s: %zu zone%s (%lu new), %lu records served, %lu kept for the "
	       "CDB export only (%lu in no zone, %lu other locations, %lu with a "
	       "TTD, %lu malformed, %lu CNAME conflicts, %lu extra SOAs), %lu "
	       "locations, %lu duplicates "
	       "skipped, in %.2f s\n", pos[0], s.zones, s.zones == 1 ? "" : "s",
	       s.zones_new, s.added, nextra, s.extra[TDI_OUTSIDE], s.extra[TDI_LOC],
	       s.extra[TDI_TTD], s.extra[TDI_BAD], s.extra[TDI_CNAME], s.extra[TDI_SOA],
	       s.locs, s.dup,
	       clock_seconds(&t0, &t1));
	return 0;
}
