/* `dynzone backup FILE`: a consistent copy of the whole store, taken while
 * the server runs (the work is store_backup, src/db/store.h). */
#include <stdio.h>

#include "src/cli/cmd.h"

int cmd_backup(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np;
	char err[1024];

	if (cmd_parse(ctx, argc, argv, NULL, pos, 1, 1, &np))
		return 2;
	store_t *st = cmd_store(ctx);
	if (store_backup(st, pos[0], err, sizeof err))
		return cmd_fail("backup: %s", err);
	printf("%s: backup of %s written\n", pos[0], ctx->cfg.db);
	return 0;
}
