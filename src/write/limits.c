/* Rate limits and the failed-auth slow-down: capped per-key tables. */
#include "src/write/limits.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/errors.h"
#include "src/common/rand.h"

/* Capped tables of per-key state ----------------------------------------- */

#define WAYS 4
#define KEY_MAX 16

struct slot {
	uint8_t key[KEY_MAX];
	uint8_t klen;            /* 0: free */
	uint64_t last_ms;
	double value;            /* bucket level, or failure score */
};

struct table {
	pthread_mutex_t lock;
	uint64_t seed;
	unsigned nsets;
	struct slot *slots;
};

static int table_init(struct table *t, unsigned slots)
{
	t->nsets = slots / WAYS ? slots / WAYS : 1;
	t->slots = calloc((size_t)t->nsets * WAYS, sizeof *t->slots);
	if (!t->slots)
		return DZ_ENOMEM;
	if (rand_bytes(&t->seed, sizeof t->seed))
		t->seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
	pthread_mutex_init(&t->lock, NULL);
	return 0;
}

static void table_free(struct table *t)
{
	free(t->slots);
	pthread_mutex_destroy(&t->lock);
}

/* The key's slot (call with the lock held), or NULL if it has none and
 * `claim` is false.  Claiming takes a free slot of the key's set or the
 * least recently used one; *fresh tells.  Keys are at most KEY_MAX bytes
 * (callers pass short ones; longer ones are cut). */
static struct slot *table_get(struct table *t, const void *key, size_t klen,
                              bool claim, bool *fresh)
{
	uint64_t h = t->seed ^ 0xcbf29ce484222325ull;
	if (klen > KEY_MAX)
		klen = KEY_MAX;
	for (size_t i = 0; i < klen; i++)
		h = (h ^ ((const uint8_t *)key)[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	struct slot *set = &t->slots[(size_t)(h % t->nsets) * WAYS];
	struct slot *victim = &set[0];
	*fresh = false;
	for (int w = 0; w < WAYS; w++) {
		if (set[w].klen == klen && memcmp(set[w].key, key, klen) == 0)
			return &set[w];
		if (set[w].klen == 0 || (victim->klen && set[w].last_ms < victim->last_ms))
			victim = &set[w];
	}
	if (!claim)
		return NULL;
	memcpy(victim->key, key, klen);
	victim->klen = (uint8_t)klen;
	victim->value = 0;
	*fresh = true;
	return victim;
}

struct limiter {
	struct table t;
	double per_ms, burst;
};

limiter_t *limiter_new(unsigned slots, unsigned per_minute, unsigned burst)
{
	limiter_t *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->per_ms = per_minute / 60000.0;
	l->burst = burst ? burst : 1;
	if (per_minute && table_init(&l->t, slots)) {
		free(l);
		return NULL;
	}
	return l;
}

void limiter_free(limiter_t *l)
{
	if (!l)
		return;
	if (l->per_ms > 0)
		table_free(&l->t);
	free(l);
}

int limiter_take(limiter_t *l, const void *key, size_t klen,
                      uint64_t now_ms, unsigned *retry_after)
{
	bool fresh;
	int rc = 0;
	if (l->per_ms <= 0)
		return 0;
	pthread_mutex_lock(&l->t.lock);
	struct slot *s = table_get(&l->t, key, klen, true, &fresh);
	if (fresh) {
		s->value = l->burst;
	} else if (now_ms > s->last_ms) {
		s->value += (double)(now_ms - s->last_ms) * l->per_ms;
		if (s->value > l->burst)
			s->value = l->burst;
	}
	s->last_ms = now_ms;
	if (s->value >= 1.0) {
		s->value -= 1.0;
	} else {
		double wait = (1.0 - s->value) / l->per_ms / 1000.0;
		*retry_after = (unsigned)wait + 1;
		rc = DZ_ELIMIT;
	}
	pthread_mutex_unlock(&l->t.lock);
	return rc;
}

struct failures {
	struct table t;
};

failures_t *failures_new(unsigned slots)
{
	failures_t *f = calloc(1, sizeof *f);
	if (f && table_init(&f->t, slots)) {
		free(f);
		return NULL;
	}
	return f;
}

void failures_free(failures_t *f)
{
	if (!f)
		return;
	table_free(&f->t);
	free(f);
}

static double decayed(const struct slot *s, uint64_t now_ms)
{
	double v = s->value;
	if (now_ms > s->last_ms) {
		double halves = (double)(now_ms - s->last_ms) / (LIMIT_FAIL_HALFLIFE_S * 1000.0);
		/* 2^-halves without libm: halve whole steps, then a linear step */
		while (halves >= 1.0 && v > 0.01) {
			v /= 2;
			halves -= 1.0;
		}
		v = halves >= 1.0 ? 0 : v * (1.0 - halves / 2);
	}
	return v;
}

void failures_note(failures_t *f, const void *key, size_t klen, uint64_t now_ms)
{
	bool fresh;
	pthread_mutex_lock(&f->t.lock);
	struct slot *s = table_get(&f->t, key, klen, true, &fresh);
	s->value = (fresh ? 0 : decayed(s, now_ms)) + 1.0;
	s->last_ms = now_ms;
	pthread_mutex_unlock(&f->t.lock);
}

unsigned failures_delay(failures_t *f, const void *key, size_t klen, uint64_t now_ms)
{
	unsigned delay = 0;
	bool fresh;
	pthread_mutex_lock(&f->t.lock);
	/* look without claiming: a clean address must not evict a guilty one */
	struct slot *s = table_get(&f->t, key, klen, false, &fresh);
	/* failures, counted to the nearest whole one after decay */
	unsigned n = s ? (unsigned)(decayed(s, now_ms) + 0.5) : 0;
	if (n >= LIMIT_FAIL_FREE) {
		unsigned steps = n - LIMIT_FAIL_FREE;
		delay = steps >= 5 ? LIMIT_FAIL_MAX_DELAY_MS : 250u << steps;
		if (delay > LIMIT_FAIL_MAX_DELAY_MS)
			delay = LIMIT_FAIL_MAX_DELAY_MS;
	}
	pthread_mutex_unlock(&f->t.lock);
	return delay;
}

size_t limit_net_key(const struct sockaddr *sa, unsigned v4_bytes, unsigned v6_bytes,
                     uint8_t key[9])
{
	if (sa->sa_family == AF_INET && v4_bytes <= 4) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		key[0] = 4;
		memcpy(key + 1, &s4->sin_addr, v4_bytes);
		return 1 + v4_bytes;
	}
	if (sa->sa_family == AF_INET6 && v6_bytes <= 8) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		key[0] = 6;
		memcpy(key + 1, &s6->sin6_addr, v6_bytes);
		return 1 + v6_bytes;
	}
	key[0] = 0;
	return 1;
}

size_t limit_addr_key(const struct sockaddr *sa, uint8_t key[9])
{
	return limit_net_key(sa, 4, 8, key);
}
