/* dynzone: a dynamic DNS service in one daemon.  This file only finds the
 * subcommand and hands over. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/zonefile.h"
#include "src/cli/cmd.h"
#include "src/common/log.h"
#include "src/tinydns/export.h"

static const struct command commands[] = {
	{ "serve", cmd_serve, "",
	  "Run the DNS server (and the HTTP update API) in the foreground.  "
	  "Prints 'ready' on stderr once every socket is bound and the zones "
	  "are loaded.  Changes made to the store by other dynzone commands are "
	  "served within sync-interval milliseconds.  SIGTERM or SIGINT stops it." },
	{ "zone add", cmd_zone_add, "ZONE --ns NAME[=ADDR]... [--ttl TTL]",
	  "Create a zone with an SOA and the given name servers.  NAME=ADDR "
	  "also adds an A or AAAA (glue) record for a name server inside the "
	  "zone.  --ttl sets the TTL of the SOA and NS records (default 3600)." },
	{ "zone list", cmd_zone_list, "",
	  "List the zones with their serials and record counts." },
	{ "zone del", cmd_zone_del, "ZONE",
	  "Delete a zone and every record in it." },
	{ "zone show", cmd_zone_show, "ZONE",
	  "Print the zone as an RFC 1035 master file ($ORIGIN, the SOA, then one "
	  "record per line), read in one snapshot of the store; named-checkzone "
	  "and kzonecheck accept it." },
	{ "zone sign", cmd_zone_sign, "ZONE [--nsec3] [--ksk-zsk]",
	  "Sign ZONE with DNSSEC (ECDSA P-256/SHA-256, algorithm 13): make a "
	  "combined signing key (CSK; --ksk-zsk: a KSK and a ZSK), publish "
	  "DNSKEY, CDS and CDNSKEY, sign every RRset and build the NSEC chain "
	  "(--nsec3: NSEC3 with no salt, no extra iterations, no opt-out): "
	  "in one transaction, or for more than 500 names in transactions of "
	  "500 names, so a running server's updates go on meanwhile ('zone ds' "
	  "refuses until the last is in).  From then on every change is signed when it "
	  "is committed, and signatures are renewed before they expire "
	  "(dnssec-validity, dnssec-refresh).  Prints the keys; hand the "
	  "parent the DS records of 'zone ds'." },
	{ "zone unsign", cmd_zone_unsign, "ZONE",
	  "Remove the keys and every DNSSEC record of ZONE (take the DS out of "
	  "the parent first, and wait for its TTL)." },
	{ "zone ds", cmd_zone_ds, "ZONE",
	  "Print the DS records (SHA-256) of ZONE's CSK or KSK, published and "
	  "active, one zone-file line each, for the parent zone." },
	{ "zone key list", cmd_zone_key_list, "ZONE",
	  "List the zone's DNSSEC keys: tag, role, state (published, active, "
	  "retired) and when each was made and last changed." },
	{ "zone key add", cmd_zone_key_add, "ZONE [--role csk|ksk|zsk]",
	  "Rollover, step 1: pre-publish a new key (its DNSKEY is served, it "
	  "signs nothing).  Wait the DNSKEY TTL plus the secondaries' "
	  "propagation before step 2." },
	{ "zone key activate", cmd_zone_key_activate, "ZONE TAG",
	  "Rollover, step 2: the key TAG signs the zone from now on (the whole "
	  "zone is re-signed); the key active before it is retired: it still "
	  "signs the DNSKEY RRset, so the parent's old DS keeps working.  "
	  "Then put the new DS (zone ds) in the parent and wait the largest "
	  "TTL in the zone and the parent's DS TTL." },
	{ "zone key retire", cmd_zone_key_retire, "ZONE TAG",
	  "Rollover, step 3: withdraw the retired (or a published) key TAG: "
	  "its DNSKEY and its signatures go.  The active key cannot be "
	  "withdrawn." },
	{ "record add", cmd_record_add, "NAME TYPE VALUE... [--ttl TTL]",
	  "Add a static record.  VALUE is the record data in zone file "
	  "(RFC 1035 presentation) format, e.g. '10 mail.example.org.' for MX "
	  "or '\"v=spf1 -all\"' for TXT; several words are joined with spaces.  "
	  "Names are absolute whether or not they end in a dot.  Default TTL "
	  "3600." },
	{ "record del", cmd_record_del, "NAME [TYPE [VALUE...]]",
	  "Delete the records at NAME: all of them, those of TYPE, or the one "
	  "with that VALUE." },
	{ "record list", cmd_record_list, "[ZONE]",
	  "Print the records of one zone, or of all, in zone file format." },
	{ "import zone", cmd_import_zone, "FILE [--origin ZONE]",
	  "Load an RFC 1035 master file.  Its SOA creates the zone (or replaces "
	  "the SOA of an existing one); every other record is added as a static "
	  "record.  Lines that cannot be taken are reported with their line "
	  "numbers and nothing is written." },
	{ "import tinydns", cmd_import_tinydns, "DATAFILE",
	  "Load a tinydns-data `data` file (lines . & = + @ ' ^ C Z : S %) as "
	  "static records.  The first SOA of a name without a location or TTD "
	  "makes it a zone (serial by tinydns-data's rule: the file's mtime for "
	  "`.` lines).  Records dynzone cannot serve (outside every zone, "
	  "tagged with a location other than the default `%` one, with a TTD, "
	  "malformed, a CNAME conflict, a second SOA) are kept for 'export cdb' "
	  "only, with a note.  "
	  "Lines that cannot be taken are reported with their line numbers and "
	  "nothing is written." },
	{ "export cdb", cmd_export_cdb, "[OUT] [--merge DATAFILE]...",
	  "Write every zone, static and dynamic record of the store as a tinydns "
	  "data.cdb at OUT, exactly as tinydns-data would write those records, "
	  "plus the records of each --merge data file; published atomically "
	  "(temporary file, fsync, rename).  Without OUT: export-cdb, merged with "
	  "the export-merge files unless --merge is given." },
	{ "backup", cmd_backup, "FILE",
	  "Write a consistent copy of the whole store (zones, records, accounts, "
	  "tokens, the journal and the update log) to FILE, a new file made "
	  "0600, while the server keeps serving and writing.  To restore, stop "
	  "the server, put the copy at the db path (removing any -wal and -shm "
	  "files beside the old one) and start it again." },
	{ "user add", cmd_user_add, "USER [--admin]",
	  "Create an account.  The password is read from the first line of "
	  "standard input (at least 10 characters) and stored as an argon2id "
	  "hash.  --admin makes the account an administrator.  User names are "
	  "one whatever their case: 'Alice' is 'alice'." },
	{ "user passwd", cmd_user_passwd, "USER",
	  "Set a user's password (an administrator's reset): read from the first "
	  "line of standard input, at least 10 characters.  Every dashboard "
	  "session of the user ends; update tokens are not touched." },
	{ "user list", cmd_user_list, "",
	  "List the accounts with their hosts and the zones opened to them." },
	{ "user del", cmd_user_del, "USER",
	  "Delete an account, its hosts (and their records) and its tokens." },
	{ "user allow", cmd_user_allow, "USER ZONE [--max-hosts N]",
	  "Let USER create hosts in ZONE (from the dashboard), at most N." },
	{ "user deny", cmd_user_deny, "USER ZONE",
	  "Take ZONE away from USER (existing hosts stay)." },
	{ "host add", cmd_host_add, "FQDN --user USER [--ttl TTL] [--prefix-of ROUTER "
	  "--iid IID [--prefix-len N] [--prefer prefix|own]]",
	  "Create a dynamic host owned by USER and print a new update token for "
	  "it (the only line on standard output; it is shown once and stored "
	  "only as a hash).  FQDN must be a host name below a zone's apex.  "
	  "A and AAAA records already at the name are taken over.  The TTL of "
	  "its records defaults to the zone's default (60).  With --prefix-of "
	  "the host follows ROUTER's LAN prefix (ip6lanprefix): its AAAA is the "
	  "prefix (--prefix-len bits, default 64) joined with the interface "
	  "identifier IID (e.g. ::11:22ff:fe33:4455), set at once and again "
	  "whenever the router's update brings a new prefix.  --prefer says "
	  "what wins if the host also sends its own IPv6 updates: the prefix "
	  "(default) or its own address." },
	{ "host set", cmd_host_set, "FQDN [--prefix-of ROUTER|none] [--iid IID] "
	  "[--prefix-len N] [--prefer prefix|own]",
	  "Change how a host follows a router's LAN prefix (see host add); "
	  "--prefix-of none stops following and keeps the last address." },
	{ "host list", cmd_host_list, "[--user USER]",
	  "List the dynamic hosts with owner, TTL, state, last change, "
	  "addresses, number of tokens and prefix (a router's LAN prefix, or "
	  "the router and interface identifier a host follows)." },
	{ "host del", cmd_host_del, "FQDN",
	  "Delete a dynamic host, its records, its log and the tokens that "
	  "covered only it." },
	{ "host block", cmd_host_block, "FQDN [--reason TEXT]",
	  "Block a host for abuse: its updates are answered 'abuse' (which "
	  "tells dyndns2 clients to stop for good) and change nothing, until "
	  "'host unblock'.  Rate limits never do this; they answer 911 with "
	  "HTTP 503 and Retry-After, which clients survive." },
	{ "host unblock", cmd_host_unblock, "FQDN",
	  "Let a blocked host update again." },
	{ "token new", cmd_token_new, "FQDN [FQDN...]",
	  "Print a new update token covering the given hosts (all of one "
	  "user: a client that updates several hosts in one request, as "
	  "ddclient does, needs one token for all of them)." },
	{ "token revoke", cmd_token_revoke, "FQDN [TOKEN-ID]",
	  "Revoke every token that covers FQDN, or only the one with that id "
	  "(the first 8 characters of the token, shown by 'token list')." },
	{ "token list", cmd_token_list, "[FQDN]",
	  "List the tokens (id, owner, created, last used, hosts), of one host "
	  "or of all." },
	{ "tsig new", cmd_tsig_new, "NAME [--algorithm ALG]",
	  "Print a new TSIG key: a line 'NAME ALG BASE64SECRET' for tsig-key "
	  "(or a tsig-key-file) with a random secret as long as the hash "
	  "(ALG: hmac-sha256, the default, hmac-sha384, hmac-sha512, "
	  "hmac-sha224, hmac-sha1, hmac-md5), then a '#' comment with the same "
	  "key for dig -y ALG:NAME:SECRET, BIND/NSD and Knot.  Both lines can be "
	  "appended to a key file as they are.  Nothing is stored." },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: dynzone [-c FILE] [-d] [--KEY=VALUE]... COMMAND [ARGS]\n\n"
	           "Commands (each takes --help):\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  dynzone %s %s\n", commands[i].name, commands[i].usage);
	fprintf(f, "\nOptions:\n"
	           "  -c FILE            config file (default /etc/dynzone/dynzone.conf,\n"
	           "                     which may be absent)\n"
	           "  -d, --debug        log debug messages too\n"
	           "  --KEY=VALUE        any config key, overriding the file:\n");
	config_print_keys(f);
	fprintf(f, "\nSee dynzone(8) and dynzone.conf(5).\n");
}

int cmd_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("dynzone: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static void cmd_usage(FILE *f, const struct command *c)
{
	fprintf(f, "usage: dynzone [-c FILE] %s %s\n", c->name, c->usage);
}

int cmd_parse(struct cmd_ctx *ctx, int argc, char **argv,
              const struct cmd_opt *opts, const char **pos, int minpos,
              int maxpos, int *npos)
{
	int np = 0;
	char err[512];
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cmd_usage(stdout, ctx->cmd);
			printf("\n%s\n", ctx->cmd->help);
			exit(0);
		}
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++) {
				if (np >= maxpos)
					goto toomany;
				pos[np++] = argv[i];
			}
			break;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == 0) {
			if (np >= maxpos)
				goto toomany;
			pos[np++] = a;
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct cmd_opt *o = NULL;
		for (const struct cmd_opt *p = opts; p && p->name; p++)
			if (strlen(p->name) == nlen && memcmp(p->name, name, nlen) == 0)
				o = p;
		if (!o) {
			int rc = config_set_arg(&ctx->cfg, name, err, sizeof err);
			if (rc == DZ_ENOENT) {
				cmd_fail("%s: unknown option --%.*s", ctx->cmd->name, (int)nlen, name);
				goto usage;
			}
			if (rc) {
				cmd_fail("%s", err);
				return -1;
			}
			continue;
		}
		if (!o->has_arg) {
			if (eq) {
				cmd_fail("--%s takes no value", o->name);
				goto usage;
			}
			*o->flag = true;
			continue;
		}
		const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!v) {
			cmd_fail("--%s needs a value", o->name);
			goto usage;
		}
		if (o->multi) {
			if (*o->nmulti >= o->max) {
				cmd_fail("--%s given more than %d times", o->name, o->max);
				return -1;
			}
			o->multi[(*o->nmulti)++] = v;
		} else {
			*o->val = v;
		}
	}
	if (np < minpos) {
		cmd_fail("%s: missing arguments", ctx->cmd->name);
		goto usage;
	}
	*npos = np;
	return 0;
toomany:
	cmd_fail("%s: too many arguments", ctx->cmd->name);
usage:
	cmd_usage(stderr, ctx->cmd);
	return -1;
}

store_t *cmd_store(struct cmd_ctx *ctx)
{
	char err[512];
	if (ctx->st)
		return ctx->st;
	if (config_check_dnssec(&ctx->cfg, err, sizeof err)) {
		cmd_fail("%s", err);
		exit(1);
	}
	if (store_open(ctx->cfg.db, &ctx->st, err, sizeof err)) {
		cmd_fail("cannot open the store: %s", err);
		exit(1);
	}
	store_set_sign_times(ctx->st, (uint32_t)ctx->cfg.dnssec_validity,
	                     (uint32_t)ctx->cfg.dnssec_refresh);
	return ctx->st;
}

size_t cmd_name(const char *text, uint8_t out[DNAME_MAX])
{
	static const uint8_t root[1] = { 0 };
	return dname_from_text(out, text, strlen(text), root);
}

bool cmd_ttl(const char *text, uint32_t *ttl)
{
	return zonefile_ttl(text, strlen(text), ttl) == 0 && *ttl <= 0x7fffffff;
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx;
	const char *conf = NULL;
	char err[512];
	int i = 1;

	memset(&ctx, 0, sizeof ctx);
	config_init(&ctx.cfg);
	/* global options come before the command */
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (++i >= argc)
				return cmd_fail("-c needs a file"), 2;
			conf = argv[i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			conf = a + 9;
		} else if (strcmp(a, "-d") == 0 || strcmp(a, "--debug") == 0) {
			log_level = LOG_LVL_DEBUG;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("dynzone 0.1.0\n");
			return 0;
		} else if (strncmp(a, "--", 2) == 0) {
			continue;   /* config keys: applied after the file */
		} else {
			cmd_fail("unknown option %s", a);
			usage(stderr);
			return 2;
		}
	}
	if (config_load(&ctx.cfg, conf ? conf : "/etc/dynzone/dynzone.conf",
	                conf != NULL, err, sizeof err)) {
		cmd_fail("%s", err);
		return 1;
	}
	for (int k = 1; k < i; k++) {
		if (strncmp(argv[k], "--", 2) != 0 || strncmp(argv[k], "--config", 8) == 0)
			continue;
		int rc = config_set_arg(&ctx.cfg, argv[k] + 2, err, sizeof err);
		if (rc == DZ_ENOENT)
			return cmd_fail("unknown option %s", argv[k]), 2;
		if (rc)
			return cmd_fail("%s", err), 1;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	/* the longest command whose words match */
	const struct command *best = NULL;
	int bestwords = 0;
	for (size_t c = 0; c < NCOMMANDS; c++) {
		char words[64];
		snprintf(words, sizeof words, "%s", commands[c].name);
		int nw = 0, ok = 1;
		for (char *save = NULL, *w = strtok_r(words, " ", &save); w;
		     w = strtok_r(NULL, " ", &save), nw++) {
			if (i + nw >= argc || strcmp(argv[i + nw], w) != 0) {
				ok = 0;
				break;
			}
		}
		if (ok && nw > bestwords) {
			best = &commands[c];
			bestwords = nw;
		}
	}
	if (!best) {
		cmd_fail("unknown command '%s'", argv[i]);
		usage(stderr);
		return 2;
	}
	ctx.cmd = best;
	int rc = best->fn(&ctx, argc - i - bestwords, argv + i + bestwords);
	store_close(ctx.st);
	config_free(&ctx.cfg);
	return rc;
}
