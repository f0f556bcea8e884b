/* dynzone-update: keeps dynamic DNS names pointing at this machine.
 * See dynzone-update(1).  --once runs every host once and exits; otherwise
 * it stays in the foreground, sleeping until an address changes (rtnetlink),
 * a check-IP interval ends or a back-off expires. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cache.h"
#include "conf.h"
#include "log.h"
#include "netlink.h"
#include "run.h"
#include "util.h"

#ifndef DU_VERSION
#define DU_VERSION "0"
#endif
#define DEFAULT_CONF "/etc/dynzone-update.conf"
#define DEFAULT_CACHE "/var/lib/dynzone-update/cache"
#define DEBOUNCE_MS 150     /* let a burst of address events settle */
#define IDLE_MAX_S 3600     /* look again at least this often anyway */

/* --once exit statuses (see the man page). */
enum { EXIT_CURRENT = 0, EXIT_ERROR = 1, EXIT_LATER = 2, EXIT_STOPPED = 3 };

struct opts {
	const char *conf_path;
	const char *cache_path;
	bool once, dry_run, check, use_syslog;
	int verbosity;
	long long fake_time;
};

static volatile sig_atomic_t got_term, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static void usage(FILE *to)
{
	fprintf(to,
	        "usage: dynzone-update [-c FILE] [--once] [--dry-run] [-v|-q] [--syslog]\n"
	        "       dynzone-update [-c FILE] --check\n"
	        "  -c, --config FILE  configuration (default " DEFAULT_CONF ")\n"
	        "  -1, --once         update what needs it, print one line per host, exit\n"
	        "  -n, --dry-run      find addresses and say what would be sent; send nothing\n"
	        "  -t, --check        check the configuration and exit\n"
	        "  -s, --cache FILE   state cache (overrides the config's cache =)\n"
	        "  -v, --verbose      more log lines;  -q, --quiet: errors only\n"
	        "      --syslog       also log to syslog (daemon mode)\n"
	        "      --time EPOCH   pretend the clock reads EPOCH (for tests)\n"
	        "  -V, --version      print the version\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, '1' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 't' },
		{ "cache", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "time", required_argument, NULL, 'T' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	unsigned long long t;

	*o = (struct opts){ .conf_path = DEFAULT_CONF, .fake_time = -1 };
	while ((c = getopt_long(argc, argv, "c:1nts:vqVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->conf_path = optarg; break;
		case '1': o->once = true; break;
		case 'n': o->dry_run = true; break;
		case 't': o->check = true; break;
		case 's': o->cache_path = optarg; break;
		case 'v': o->verbosity++; break;
		case 'q': o->verbosity--; break;
		case 'S': o->use_syslog = true; break;
		case 'T':
			if (util_parse_uint(optarg, strlen(optarg), 1ULL << 40, &t) < 0) {
				fprintf(stderr, "dynzone-update: --time wants seconds since 1970\n");
				return EXIT_ERROR;
			}
			o->fake_time = (long long)t;
			break;
		case 'V': printf("dynzone-update " DU_VERSION "\n"); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_ERROR;
	}
	return 0;
}

/* Where the cache lives when neither --cache nor cache = says. */
static void default_cache(char *out, size_t cap)
{
	const char *home = getenv("HOME");
	const char *xdg = getenv("XDG_STATE_HOME");
	if (geteuid() == 0 || !home || !*home)
		snprintf(out, cap, "%s", DEFAULT_CACHE);
	else if (xdg && *xdg)
		snprintf(out, cap, "%s/dynzone-update/cache", xdg);
	else
		snprintf(out, cap, "%s/.local/state/dynzone-update/cache", home);
}

static int load_conf(struct conf *c, const struct opts *o)
{
	char err[300];
	if (conf_load(c, o->conf_path, err, sizeof err) < 0) {
		log_error("%s: %s", o->conf_path, err);
		return -1;
	}
	if (o->cache_path)
		snprintf(c->cache, sizeof c->cache, "%s", o->cache_path);
	else if (!*c->cache)
		default_cache(c->cache, sizeof c->cache);
	return 0;
}

/* One pass over every host.  `due` (may be NULL: all) says which to run;
 * wake[] receives each host's next time.  Returns the worst --once exit
 * status, printing the summary lines if `print`. */
static int run_all(struct conf *c, struct cache *cache, const struct opts *o,
                   const int64_t *due, int64_t *wake, bool print)
{
	static struct addr_local local[ADDR_LOCAL_MAX];
	struct run r = { .cache = cache, .dry_run = o->dry_run, .now = util_now(),
	                 .local = local };
	int worst = EXIT_CURRENT;

	if (addr_list_local(local, ADDR_LOCAL_MAX, &r.nlocal) < 0)
		log_warn("cannot list local addresses: %s", strerror(errno));
	r.fp = addr_fingerprint(local, r.nlocal);
	for (size_t i = 0; i < c->nhosts; i++) {
		struct run_report rep;
		int st = EXIT_CURRENT;
		if (due && due[i] > r.now)
			continue;
		if (run_host(&r, &c->hosts[i], &rep) < 0) {
			log_error("%s: state cache full", c->hosts[i].name);
			rep.status = RUN_WAITING;
			rep.wake = r.now + IDLE_MAX_S;
		}
		if (wake)
			wake[i] = rep.wake;
		if (print)
			printf("%s %s%s%s\n", c->hosts[i].name, run_status_name(rep.status),
			       rep.detail[0] ? " " : "", rep.detail);
		if (rep.status == RUN_STOPPED)
			st = EXIT_STOPPED;
		else if (rep.status == RUN_WAITING || rep.status == RUN_NOADDR)
			st = EXIT_LATER;
		if (st > worst)
			worst = st;
	}
	if (print)
		fflush(stdout);
	if (!o->dry_run && cache_save(cache, c->cache) < 0) {
		log_error("cannot write %s: %s", c->cache, strerror(errno));
		worst = EXIT_ERROR;
	}
	return worst;
}

static int daemon_loop(struct conf **cp, struct cache *cache, const struct opts *o)
{
	struct conf *c = *cp;
	int64_t wake[CONF_HOSTS_MAX], event_at = -1;
	sigset_t block, none;
	struct sigaction sa = { .sa_handler = on_signal };
	int nl;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &none);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	nl = nl_watch_open();
	if (nl < 0)
		log_warn("no address notifications (%s); looking every %ds",
		         dz_strerror(nl), IDLE_MAX_S);
	log_info("running with %zu host%s; cache %s", c->nhosts,
	         c->nhosts == 1 ? "" : "s", c->cache);
	run_all(c, cache, o, NULL, wake, false);

	while (!got_term) {
		int64_t now = util_now(), next = now + IDLE_MAX_S, timeout_ms;
		struct pollfd pfd = { .fd = nl, .events = POLLIN };
		for (size_t i = 0; i < c->nhosts; i++)
			if (wake[i] < next)
				next = wake[i];
		timeout_ms = (next > now ? next - now : 0) * 1000;
		if (event_at >= 0) {
			int64_t left = event_at - util_mono_ms();
			if (left < timeout_ms)
				timeout_ms = left > 0 ? left : 0;
		}
		struct timespec ts = { .tv_sec = timeout_ms / 1000,
		                       .tv_nsec = (timeout_ms % 1000) * 1000000 };
		int n = ppoll(&pfd, nl >= 0 ? 1 : 0, &ts, &none);
		if (n < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		if (got_term)
			break;
		if (got_hup) {
			struct conf *nc = calloc(1, sizeof *nc);
			got_hup = 0;
			log_info("SIGHUP: reloading %s", o->conf_path);
			if (nc && load_conf(nc, o) == 0 && strcmp(nc->cache, c->cache) == 0) {
				conf_wipe(c);
				free(c);
				*cp = c = nc;
				run_prune(cache, c);
				run_all(c, cache, o, NULL, wake, false);
			} else {
				log_error("keeping the old configuration%s",
				          nc && *nc->cache ? " (the cache path cannot change)" : "");
				if (nc)
					conf_wipe(nc);
				free(nc);
			}
			continue;
		}
		if (n > 0 && (pfd.revents & POLLIN)) {
			int changed = nl_watch_drain(nl);
			if (changed > 0 && event_at < 0) {
				log_debug("address change noticed");
				event_at = util_mono_ms() + DEBOUNCE_MS;
			}
			if (changed < 0) {
				/* Do not spin on a broken socket: fall back to looking
				 * every IDLE_MAX_S. */
				log_warn("rtnetlink: %s; no more address notifications",
				         strerror(errno));
				close(nl);
				nl = -1;
			}
			continue;
		}
		if (event_at >= 0 && util_mono_ms() >= event_at) {
			/* Every host looks again: interface sources pick anew, the
			 * changed fingerprint makes check sources ask again. */
			event_at = -1;
			run_all(c, cache, o, NULL, wake, false);
			continue;
		}
		/* A timer: the hosts that asked for it, or all of them when it
		 * was only the periodic look. */
		bool any_due = false;
		for (size_t i = 0; i < c->nhosts; i++)
			any_due |= wake[i] <= util_now();
		run_all(c, cache, o, any_due ? wake : NULL, wake, false);
	}
	log_info("stopping");
	if (nl >= 0)
		close(nl);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct conf *c = calloc(1, sizeof *c);
	struct cache *cache = calloc(1, sizeof *cache);
	int ret = EXIT_ERROR, lock = -1;

	if (!c || !cache) {
		fprintf(stderr, "dynzone-update: out of memory\n");
		goto fail;
	}
	if (parse_args(argc, argv, &o) != 0)
		goto fail;
	log_setup(o.verbosity > 0 ? LOGL_DEBUG : o.verbosity < 0 ? LOGL_ERROR : LOGL_INFO,
	          o.use_syslog);
	if (o.fake_time >= 0)
		util_set_time(o.fake_time);
	if (load_conf(c, &o) < 0)
		goto fail;
	if (o.check) {
		printf("%s: %zu host%s, cache %s\n", o.conf_path, c->nhosts,
		       c->nhosts == 1 ? "" : "s", c->cache);
		ret = 0;
		goto fail;
	}
	if (!o.dry_run) {
		lock = cache_lock(c->cache);
		if (lock < 0) {
			log_error(lock == DZ_EEXIST ? "another dynzone-update is using %s"
			                            : "cannot lock %s", c->cache);
			goto fail;
		}
	}
	if (cache_load(cache, c->cache) < 0) {
		log_error("cannot read %s: %s", c->cache, strerror(errno));
		goto fail;
	}
	run_prune(cache, c);
	if (o.once)
		ret = run_all(c, cache, &o, NULL, NULL, true);
	else
		ret = daemon_loop(&c, cache, &o);
fail:
	if (lock >= 0)
		close(lock);
	if (c)
		conf_wipe(c);
	free(c);
	free(cache);
	return ret;
}
