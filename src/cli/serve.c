/* `dynzone serve`: bind, drop privileges, load, answer, follow the store. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "src/api/api.h"
#include "src/cli/cmd.h"
#include "src/common/clock.h"
#include "src/dns/dns.h"
#include "src/tinydns/export.h"
#include "src/http/http.h"
#include "src/common/log.h"
#include "src/common/priv.h"
#include "src/common/thp.h"
#include "src/update/update.h"
#include "src/db/load.h"

int cmd_serve(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np, rc = 1;
	char err[512];
	struct config *c = &ctx->cfg;
	dns_service_t *dns = NULL;
	ztable_t *zt = NULL;
	store_t *follow = NULL;
	http_t *http = NULL;
	update_t *upd = NULL;
	api_t *api = NULL;
	exporter_t *exporter = NULL;
	sigset_t sigs;

	if (cmd_parse(ctx, argc, argv, NULL, pos, 0, 0, &np))
		return 2;
	if (c->dns_listen.n == 0) {
		config_parse_addr("127.0.0.1:53", 53, &c->dns_listen.a[0]);
		config_parse_addr("[::1]:53", 53, &c->dns_listen.a[1]);
		c->dns_listen.n = 2;
	}
	/* signals are taken synchronously by this thread; every thread
	 * started from here on inherits the mask */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	zt = zt_new();
	if (!zt) {
		log_err("out of memory");
		goto out;
	}
	if (dns_open(&dns, c, zt, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	if (http_open(&http, c, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	if (priv_drop(c->user, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	if (geteuid() == 0 && !(c->user && *c->user))
		log_warn("running as root: set 'user' to drop privileges after binding");

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_open(c->db, &follow, err, sizeof err)) {
		log_err("cannot open the store: %s", err);
		goto out;
	}
	if (store_load(follow, zt)) {
		log_err("loading zones: %s", store_errmsg(follow));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (dns_start(dns)) {
		log_err("starting DNS threads: %s", strerror(errno));
		goto out;
	}
	thp_collapse_heap();
	if (http && (update_start(&upd, http, c, zt, err, sizeof err) ||
	             api_start(&api, http, c, update_committer(upd), err, sizeof err) ||
	             http_start(http, err, sizeof err))) {
		log_err("%s", err);
		goto out;
	}
	if (export_start(c, &exporter, err, sizeof err))
		log_err("export: %s (serving without it)", err);
	log_info("loaded %llu names in %.3f s",
	         (unsigned long long)zt->nnodes,
	         clock_seconds(&t0, &t1));
	for (unsigned i = 0; i < c->dns_listen.n; i++)
		log_info("dns on %s (udp, tcp)", c->dns_listen.a[i].text);
	log_info("ready");

	struct timespec tick = { c->sync_interval / 1000, (c->sync_interval % 1000) * 1000000L };
	for (;;) {
		int sig = sigtimedwait(&sigs, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("stopping on signal %d", sig);
			break;
		}
		if (store_changed(follow)) {
			unsigned n = 0;
			if (store_sync(follow, zt, &n))
				log_err("applying store changes: %s", store_errmsg(follow));
			else if (n)
				log_debug("applied %u changes", n);
		}
	}
	rc = 0;
out:
	/* updates in flight finish (and are answered) before HTTP stops */
	http_quiesce(http);
	api_stop(api);
	update_stop(upd);
	http_close(http);
	api_free(api);
	update_free(upd);
	export_stop(exporter);
	dns_close(dns);
	store_close(follow);
	zt_free(zt);
	return rc;
}
