/* `dynzone serve`: bind, drop privileges, load, answer.
 *
 * serve owns the threads and timers: it creates the committer (the one
 * writer, which also follows other processes' commits) and the timers,
 * hands both to every front end, and stops them in an order that lets
 * every request in flight be answered. */
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
#include "src/http/status.h"
#include "src/common/log.h"
#include "src/common/priv.h"
#include "src/common/sandbox.h"
#include "src/common/thp.h"
#include "src/update/names.h"
#include "src/update/update.h"
#include "src/xfr/notify.h"
#include "src/xfr/xfr.h"
#include "src/write/commit.h"
#include "src/write/housekeep.h"
#include "src/write/timer.h"
#include "src/db/load.h"

/* SIGHUP, on the main thread: reopen the log file, then reload the TLS
 * certificate and key.  Both are done as the user the server runs as; a
 * failed step keeps what was in use.  Every other key needs a restart. */
static void reload(const struct config *c, http_t *http)
{
	char err[512];
	log_info("reload on SIGHUP");
	if (log_reopen(err, sizeof err))
		log_err("reload: %s (still writing to the old log file)", err);
	else if (c->log_file && *c->log_file)
		log_info("reload: log file %s reopened", c->log_file);
	if (http_reload_tls(http, err, sizeof err))
		log_err("reload: tls: %s (the old certificate is still served)", err);
}

int cmd_serve(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *pos[1];
	int np, rc = 1;
	char err[512];
	struct config *c = &ctx->cfg;
	dns_service_t *dns = NULL;
	ztable_t *zt = NULL;
	store_t *st = NULL;
	timers_t *timers = NULL;
	committer_t *cm = NULL;
	housekeep_t *hk = NULL;
	http_t *http = NULL;
	update_t *upd = NULL;
	api_t *api = NULL;
	exporter_t *exporter = NULL;
	xfr_t *xfr = NULL;
	notifier_t *notifier = NULL;
	status_t *status = NULL;
	metrics_t metrics;
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
	log_timestamps = c->log_timestamps;
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	metrics_init(&metrics);

	/* as root, before the drop: a log directory only root can write is
	 * fine until a SIGHUP after a rename (see dynzone.conf(5), log-file) */
	if (c->log_file && *c->log_file && log_open_file(c->log_file, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}

	if (config_check_dnssec(c, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	zt = zt_new();
	if (!zt) {
		log_err("out of memory");
		goto out;
	}
	if (dns_open(&dns, c, zt, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	if (xfr_open(&xfr, c, err, sizeof err) || notify_open(&notifier, c, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	dns_set_xfr(dns, xfr);
	if (http_open(&http, c, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	if (priv_drop(c->user, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	/* after the drop, before anything is started: a store the user cannot
	 * reach would only say "unable to open database file" */
	if (store_access(c->db, err, sizeof err)) {
		log_err("%s", err);
		if (c->user && *c->user)
			log_err("the server runs as user %s after binding: give that user the "
			        "store's directory and files (chown), or set another user", c->user);
		goto out;
	}
	if (geteuid() == 0 && !(c->user && *c->user))
		log_warn("running as root: set 'user' to drop privileges after binding");

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_open(c->db, &st, err, sizeof err)) {
		log_err("cannot open the store: %s", err);
		goto out;
	}
	if (updname_publish(st, c, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	if (store_load(st, zt)) {
		log_err("loading zones: %s", store_errmsg(st));
		goto out;
	}
	uint64_t loaded = zt->nnodes;   /* no other thread writes the table yet */
	store_close(st);
	st = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (dns_start(dns)) {
		log_err("starting DNS threads: %s", strerror(errno));
		goto out;
	}
	thp_collapse_heap();
	/* from here on only the committer's thread changes the zone table */
	if (timer_start(&timers, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	notify_start(notifier, zt, timers);   /* hooks the journal follower */
	if (commit_start(&cm, c->db, zt, COMMIT_MAX_BATCH, (unsigned)c->sync_interval,
	                 (uint32_t)c->dnssec_validity, (uint32_t)c->dnssec_refresh,
	                 err, sizeof err) ||
	    housekeep_start(&hk, c, cm, timers, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	dns_set_committer(dns, cm);
	if (http && (update_start(&upd, http, c, cm, timers, err, sizeof err) ||
	             api_start(&api, http, c, cm, timers, hk, err, sizeof err) ||
	             status_start(&status, http, c, &metrics, err, sizeof err))) {
		log_err("%s", err);
		goto out;
	}
	/* every source before the first scrape: the list is not locked */
	metrics_add(&metrics, dns_metrics, dns);
	metrics_add(&metrics, xfr_metrics, xfr);
	metrics_add(&metrics, commit_metrics, cm);
	metrics_add(&metrics, zt_metrics, zt);
	metrics_add(&metrics, store_metrics, c->db);
	if (upd)
		metrics_add(&metrics, update_metrics, upd);
	if (api)
		metrics_add(&metrics, api_metrics, api);
	if (http && http_start(http, timers, err, sizeof err)) {
		log_err("%s", err);
		goto out;
	}
	if (export_start(c, &exporter, err, sizeof err))
		log_err("export: %s (serving without it)", err);
	/* last: everything is bound, opened and started */
	if (c->seccomp) {
		unsigned nrules;
		if (sandbox_enter(&nrules, err, sizeof err)) {
			log_err("%s", err);
			goto out;
		}
		log_info("sandbox: no-new-privs on, seccomp allows %u system calls "
		         "(any other kills the server)", nrules);
	} else {
		log_warn("sandbox: seccomp = no: no system call filter");
	}
	log_info("loaded %llu names in %.3f s", (unsigned long long)loaded,
	         clock_seconds(&t0, &t1));
	for (unsigned i = 0; i < c->dns_listen.n; i++)
		log_info("dns on %s (udp, tcp)", c->dns_listen.a[i].text);
	log_info("ready");
	metrics_set_ready(&metrics, true);

	for (;;) {
		int sig = sigwaitinfo(&sigs, NULL);
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("stopping on signal %d", sig);
			break;
		}
		if (sig == SIGHUP)
			reload(c, http);
	}
	rc = 0;
out:
	metrics_set_ready(&metrics, false);   /* /healthz: 503 while stopping */
	/* every request in flight is answered before HTTP stops: held ones
	 * go on at once (timers), the API's workers hand in their last
	 * writes, and the committer runs and answers all of them */
	http_quiesce(http);
	housekeep_stop(hk);
	timer_stop(timers);
	api_stop(api);
	commit_stop(cm);
	http_close(http);
	api_free(api);
	update_free(upd);
	status_free(status);
	notify_close(notifier);   /* its timers fired in timer_stop */
	housekeep_free(hk);
	timer_free(timers);
	export_stop(exporter);
	/* the DNS threads may still submit UPDATEs (answered SERVFAIL by the
	 * stopped committer): free it only once they are gone */
	dns_close(dns);
	xfr_close(xfr);   /* after the TCP thread: it hands transfers over */
	commit_free(cm);
	store_close(st);
	zt_free(zt);
	return rc;
}
