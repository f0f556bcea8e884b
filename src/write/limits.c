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
	/* budget only */
	uint64_t pair_ms, loop_ms, fp;   /* last change; first identical request */
	uint32_t loop_n;
	uint8_t pair_fams;
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
	memset(victim, 0, sizeof *victim);
	memcpy(victim->key, key, klen);
	victim->klen = (uint8_t)klen;
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

/* Refill a slot's bucket to now_ms; `take`: then take one if there is one.
 * Call with the lock held.  0, or DZ_ELIMIT with *retry_after. */
static int bucket_take(struct slot *s, bool fresh, double per_ms, double burst,
                       uint64_t now_ms, bool take, unsigned *retry_after)
{
	if (fresh) {
		s->value = burst;
	} else if (now_ms > s->last_ms) {
		s->value += (double)(now_ms - s->last_ms) * per_ms;
		if (s->value > burst)
			s->value = burst;
	}
	s->last_ms = now_ms;
	if (!take)
		return 0;
	if (s->value >= 1.0) {
		s->value -= 1.0;
		return 0;
	}
	double wait = (1.0 - s->value) / per_ms / 1000.0;
	*retry_after = (unsigned)wait + 1;
	return DZ_ELIMIT;
}

int limiter_take(limiter_t *l, const void *key, size_t klen,
                      uint64_t now_ms, unsigned *retry_after)
{
	bool fresh;
	if (l->per_ms <= 0)
		return 0;
	pthread_mutex_lock(&l->t.lock);
	struct slot *s = table_get(&l->t, key, klen, true, &fresh);
	int rc = bucket_take(s, fresh, l->per_ms, l->burst, now_ms, true, retry_after);
	pthread_mutex_unlock(&l->t.lock);
	return rc;
}

struct budget {
	struct table t;
	struct budget_conf c;
	double per_ms, burst;
};

budget_t *budget_new(unsigned slots, const struct budget_conf *c)
{
	budget_t *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->c = *c;
	b->per_ms = c->per_minute / 60000.0;
	b->burst = c->burst ? c->burst : 1;
	if (table_init(&b->t, slots)) {
		free(b);
		return NULL;
	}
	return b;
}

void budget_free(budget_t *b)
{
	if (!b)
		return;
	table_free(&b->t);
	free(b);
}

/* The loop rule for a request that changes nothing (lock held). */
static int budget_loop(budget_t *b, struct slot *s, uint64_t fp, uint64_t now_ms,
                       unsigned *retry_after)
{
	uint64_t window = (uint64_t)b->c.loop_window_s * 1000;
	if (s->loop_n == 0 || s->fp != fp || now_ms - s->loop_ms >= window) {
		s->fp = fp;
		s->loop_ms = now_ms;
		s->loop_n = 0;
	}
	if (s->loop_n < UINT32_MAX)
		s->loop_n++;
	if (!b->c.loop_max || s->loop_n <= b->c.loop_max)
		return 0;
	*retry_after = (unsigned)((s->loop_ms + window - now_ms) / 1000) + 1;
	return DZ_ELIMIT;
}

int budget_take(budget_t *b, const void *key, size_t klen, unsigned changes, uint64_t fp,
                uint64_t now_ms, unsigned *retry_after)
{
	bool fresh;
	int rc = 0;
	pthread_mutex_lock(&b->t.lock);
	struct slot *s = table_get(&b->t, key, klen, true, &fresh);
	/* refill to now (and mark the slot used, for the LRU) */
	if (b->per_ms > 0)
		bucket_take(s, fresh, b->per_ms, b->burst, now_ms, false, retry_after);
	else
		s->last_ms = now_ms;
	if (!changes) {
		rc = budget_loop(b, s, fp, now_ms, retry_after);
		goto out;
	}
	/* a change ends any run of identical requests */
	s->loop_n = 0;
	unsigned fams = changes & (BUDGET_V4 | BUDGET_V6);
	bool pair = !fresh && s->pair_ms && now_ms - s->pair_ms < BUDGET_PAIR_S * 1000ull &&
	            changes == fams && (s->pair_fams & fams) == 0;
	if (b->per_ms > 0)
		rc = bucket_take(s, false, b->per_ms, b->burst, now_ms, !pair, retry_after);
	if (rc)
		goto out;
	if (pair) {
		s->pair_fams |= (uint8_t)fams;
	} else {
		s->pair_ms = now_ms;
		s->pair_fams = (uint8_t)fams;
	}
out:
	pthread_mutex_unlock(&b->t.lock);
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
