/* The engine: for one host, find its addresses, decide whether the server
 * must hear of them, send the update through the host's protocol and apply
 * the server's answer to the cache.  Shared by --once and the daemon. */
#ifndef DU_RUN_H
#define DU_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "cache.h"
#include "conf.h"

/* What one pass saw of the machine, and how to behave. */
struct run {
	struct cache *cache;
	bool dry_run;
	int64_t now;                       /* wall-clock seconds (maybe faked) */
	const struct addr_local *local;    /* this machine's addresses */
	size_t nlocal;
	uint64_t fp;                       /* addr_fingerprint() of them */
};

enum run_status {
	RUN_CURRENT,   /* the server has the addresses; nothing was sent */
	RUN_UPDATED,   /* an update was sent and accepted */
	RUN_DRYRUN,    /* an update would have been sent */
	RUN_NOADDR,    /* no address found for the host */
	RUN_WAITING,   /* backing off or told to wait: try later */
	RUN_STOPPED,   /* stopped until the host's configuration changes */
};

struct run_report {
	enum run_status status;
	int64_t wake;       /* run again by then even without an event;
	                       INT64_MAX: only on an event */
	char detail[128];   /* addresses, or the code and wait, for the summary */
};

/* Bring host `h` up to date, as described above, writing its summary into
 * `rep`.  Returns 0, or DZ_ELIMIT if the cache is full. */
int run_host(struct run *r, const struct host_conf *h, struct run_report *rep);

/* Drop cache entries of hosts that are no longer configured. */
void run_prune(struct cache *c, const struct conf *conf);

/* A word for a status ("updated", "waiting", ...). */
const char *run_status_name(enum run_status s);

#endif
