/* Subcommands of the `dynzone` binary.  Each command is one line in the
 * table in main.c: its words ("zone add"), a function, a usage line and a
 * help text.  Commands parse their own arguments with cmd_parse, which also
 * takes `--key=value` config overrides, and open the store with cmd_store. */
#ifndef DZ_CMD_H
#define DZ_CMD_H

#include <stdbool.h>

#include "src/common/config.h"
#include "proto/name.h"
#include "src/db/store.h"

struct command;

struct cmd_ctx {
	struct config cfg;
	store_t *st;                   /* opened by cmd_store */
	const struct command *cmd;
};

typedef int (*cmd_fn)(struct cmd_ctx *ctx, int argc, char **argv);

struct command {
	const char *name;     /* "zone add" */
	cmd_fn fn;
	const char *usage;    /* arguments after the name */
	const char *help;     /* a paragraph */
};

/* One option a command takes.  has_arg: 0 flag (sets *flag), 1 value
 * (sets *val; repeated: last wins, or appended to multi[] if multi). */
struct cmd_opt {
	const char *name;
	int has_arg;
	const char **val;
	bool *flag;
	const char **multi;
	int *nmulti;
	int max;
};

/* Parse argv (after the command words): options in `opts` (--name VALUE
 * or --name=VALUE), config keys as --key=VALUE, positional arguments into
 * pos[] (at most maxpos; *npos gets the count; fewer than minpos or more
 * than maxpos is an error).  --help prints the command's usage and exits
 * 0.  On error prints a message with the usage and returns -1. */
int cmd_parse(struct cmd_ctx *ctx, int argc, char **argv,
              const struct cmd_opt *opts, const char **pos, int minpos,
              int maxpos, int *npos);

/* The store, opened on first use; on failure prints why and exits 1. */
store_t *cmd_store(struct cmd_ctx *ctx);

/* Print "dynzone: message" to stderr; returns 1 (an exit code). */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a name given on the command line (absolute whether or not it ends
 * in a dot).  Returns the wire length, 0 if invalid. */
size_t cmd_name(const char *text, uint8_t out[DNAME_MAX]);
/* Parse a TTL ("300", "1h"); false if invalid. */
bool cmd_ttl(const char *text, uint32_t *ttl);

/* Command implementations. */
int cmd_serve(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_del(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_show(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_record_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_record_del(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_record_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_import_zone(struct cmd_ctx *ctx, int argc, char **argv);
/* src/cli/dnssec.c: signing and keys */
/* Run any pending whole-zone signing (signer_continue) to its end, one
 * transaction a batch: after a command that may have started one (a
 * signing, a key activation, an import).  0, or 1 with the message
 * printed. */
int cmd_sign_finish(struct cmd_ctx *ctx);
int cmd_zone_sign(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_unsign(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_ds(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_key_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_key_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_key_activate(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_zone_key_retire(struct cmd_ctx *ctx, int argc, char **argv);
/* src/cli/accounts.c: users, hosts, update tokens */
int cmd_user_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_user_passwd(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_user_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_user_del(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_user_allow(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_user_deny(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_host_block(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_host_unblock(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_host_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_host_set(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_host_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_host_del(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_token_new(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_token_revoke(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_token_list(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_tsig_new(struct cmd_ctx *ctx, int argc, char **argv);
/* src/cli/tinydns.c: `dynzone export cdb` and `dynzone import tinydns` */
int cmd_export_cdb(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_import_tinydns(struct cmd_ctx *ctx, int argc, char **argv);
/* src/cli/backup.c: `dynzone backup` */
int cmd_backup(struct cmd_ctx *ctx, int argc, char **argv);

#endif
