/* The state cache: per host, what the server last acknowledged, what the
 * address sources last said, and the back-off state.  A small text file,
 * one line per host, replaced atomically (temp file, fsync, rename), so a
 * crash leaves the old or the new file, never a mix.  It is what keeps the
 * client from sending an update when nothing changed. */
#ifndef DU_CACHE_H
#define DU_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "conf.h"
#include "policy.h"

#define CACHE_LINE_MAX 768
#define CACHE_FILE_MAX (CONF_HOSTS_MAX * CACHE_LINE_MAX)

struct cache_entry {
	char name[CONF_NAME_MAX];
	uint64_t ident;               /* conf ident the state belongs to */
	uint64_t whole;               /* conf whole at the last run */
	char addr[2][ADDR_TEXT_MAX];  /* acknowledged by the server; [0] v4 */
	char seen[2][ADDR_TEXT_MAX];  /* last found by check-IP or command */
	char prefix[ADDR_PREFIX_TEXT_MAX];  /* LAN prefix acknowledged ("" none) */
	int64_t cnext[2];             /* when to ask that source again */
	uint32_t cfails[2];           /* its consecutive failures */
	uint64_t fp;                  /* local addresses at the last run */
	struct policy_state pol;      /* back-off and stop */
};

struct cache {
	size_t n;
	struct cache_entry e[CONF_HOSTS_MAX];
	uint64_t written;             /* hash of the file as last read/written */
};

/* The entry for host `name`, created empty if there is none.  NULL if the
 * cache is full (it holds CONF_HOSTS_MAX, as many as a config may name). */
struct cache_entry *cache_entry(struct cache *c, const char *name);

/* Parse cache text into `c` (emptied first).  A line that does not parse
 * is dropped: a damaged cache costs at most one needless update.  Always
 * returns 0. */
int cache_parse(struct cache *c, const char *text, size_t len);

/* Write the text form of `c` into `buf`; sets *len.  Returns 0 or
 * DZ_ESPACE. */
int cache_format(const struct cache *c, char *buf, size_t cap, size_t *len);

/* Load the file at `path` into `c`; a missing file gives an empty cache.
 * Returns 0, DZ_EIO or DZ_ELIMIT (file over CACHE_FILE_MAX). */
int cache_load(struct cache *c, const char *path);

/* Write `c` to `path` atomically if its text changed since the last load or
 * save, creating the parent directory (mode 0700) if missing.  Returns 0,
 * DZ_EIO (errno says why) or DZ_ENOMEM. */
int cache_save(struct cache *c, const char *path);

/* Take an exclusive lock on PATH.lock so two instances do not race on one
 * cache.  Returns the descriptor holding the lock (kept open until exit),
 * DZ_EEXIST if another process holds it, or DZ_EIO. */
int cache_lock(const char *path);

#endif
