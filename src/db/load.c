/* Loading the zone table from the store and following the journal.
 *
 * This stays in src/db (not src/zonetable) for now: the loader's reader
 * thread steps SQLite and packs rows straight from SQLite's column
 * buffers into chunks, which is the start-up path benchmarked at 1M
 * names; behind a row callback it would cost a call per row at least. */
#include "src/db/load.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/rdata.h"
#include "src/common/grow.h"
#include "src/common/thread.h"
#include "src/db/journal.h"
#include "src/db/served.h"
#include "src/db/sql.h"
#include "src/db/zones.h"

/* Zone table synchronisation ------------------------------------------ */

/* Records of one name, gathered for the zone table. */
struct rrbuf {
	struct zrr *rr;
	size_t n, cap;
	uint8_t *data;
	size_t dlen, dcap;
};

static int rrbuf_add(struct rrbuf *b, uint16_t type, uint32_t ttl,
                     const uint8_t *rd, size_t rdlen)
{
	if (rdlen > 65535)
		return DZ_EINVAL;
	struct zrr *nr = grow_array(b->rr, &b->cap, b->n, sizeof *nr, 16);
	if (!nr)
		return DZ_ENOMEM;
	b->rr = nr;
	uint8_t *nd = grow_bytes(b->data, &b->dcap, b->dlen, rdlen, 4096);
	if (!nd)
		return DZ_ENOMEM;
	b->data = nd;
	memcpy(b->data + b->dlen, rd, rdlen);
	/* rdata pointers are fixed up in rrbuf_finish: data may move */
	b->rr[b->n++] = (struct zrr){ type, ttl, (uint16_t)rdlen,
	                              (const uint8_t *)(uintptr_t)b->dlen };
	b->dlen += rdlen;
	return 0;
}

static void rrbuf_finish(struct rrbuf *b)
{
	for (size_t i = 0; i < b->n; i++)
		b->rr[i].rdata = b->data + (uintptr_t)b->rr[i].rdata;
}

static void rrbuf_free(struct rrbuf *b)
{
	free(b->rr);
	free(b->data);
}

/* Read the served records at (zone, owner) into b (SOA rows, if any,
 * skipped). */
static int read_name(store_t *st, int64_t zone_id, const uint8_t *owner,
                     size_t olen, struct rrbuf *b)
{
	static const char *const sql[2] = {   /* [every row served] */
		"SELECT type, ttl, rdata FROM records WHERE zone_id=?1 AND owner=?2 AND "
		SERVED("records"),
		"SELECT type, ttl, rdata FROM records WHERE zone_id=?1 AND owner=?2",
	};
	bool all;
	sqlite3_stmt *s;
	int rc = 0, src;
	if (store_served_all(st, &all) || !(s = store_stmt(st, sql[all])))
		return DZ_EDB;
	b->n = b->dlen = 0;
	sqlite3_bind_int64(s, 1, zone_id);
	sqlite3_bind_blob(s, 2, owner, (int)olen, SQLITE_STATIC);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		uint16_t type = (uint16_t)sqlite3_column_int(s, 0);
		if (type == RR_SOA)
			continue;
		const uint8_t *rd = sqlite3_column_blob(s, 2);
		rc = rrbuf_add(b, type, (uint32_t)sqlite3_column_int64(s, 1),
		               rd ? rd : (const uint8_t *)"",
		               (size_t)sqlite3_column_bytes(s, 2));
		if (rc)
			break;
	}
	if (!rc && src != SQLITE_DONE)
		rc = DZ_EDB;
	sqlite3_reset(s);
	rrbuf_finish(b);
	return rc;
}

/* (Re)build a zone's apex node from the store. */
static int load_apex(store_t *st, ztable_t *zt, const struct store_zone *z,
                     struct rrbuf *b)
{
	size_t alen = dname_len(z->apex, DNAME_MAX);
	int rc = read_name(st, z->id, z->apex, alen, b);
	if (rc)
		return rc;
	return zt_set_zone(zt, (uint32_t)z->id, z->apex, &z->soa, b->rr, b->n);
}

static int load_zone_cb(void *ctx, const struct store_zone *z)
{
	void **a = ctx;
	return load_apex(a[0], a[1], z, a[2]);
}

/* Loading names is a pipeline of two threads: a reader steps SQLite and
 * packs rows into chunks, the caller builds nodes from them.  Each side is
 * about half of the work, and the machine has at least two cores. */
#define LOAD_CHUNK (1 << 20)
#define LOAD_QUEUE 4

struct load_chunk {
	struct load_chunk *next;
	size_t used;
	uint8_t data[LOAD_CHUNK];
};

struct load_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct load_chunk *head, *tail;
	unsigned queued;
	bool done, stop;
	int rc;
	store_t *st;
	int64_t zone_id;
};

static void pipe_push(struct load_pipe *p, struct load_chunk *c)
{
	pthread_mutex_lock(&p->mu);
	while (p->queued >= LOAD_QUEUE && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	c->next = NULL;
	if (p->tail)
		p->tail->next = c;
	else
		p->head = c;
	p->tail = c;
	p->queued++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* The next chunk, or NULL at the end. */
static struct load_chunk *pipe_pop(struct load_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	while (!p->head && !p->done)
		pthread_cond_wait(&p->cv, &p->mu);
	struct load_chunk *c = p->head;
	if (c) {
		p->head = c->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return c;
}

/* Row layout in a chunk: zone_id(8) owner_len(1) owner type(2) ttl(4)
 * rdlen(2) rdata. */
static void *load_reader(void *arg)
{
	thread_name("dz-load");
	struct load_pipe *p = arg;
	struct load_chunk *c = NULL;
	int rc = 0, src;
	/* [one zone][every row served] */
#define LOAD_ROWS(cond) "SELECT zone_id, owner, type, ttl, rdata FROM records " cond \
	                " ORDER BY zone_id, owner"
	static const char *const sql[2][2] = {
		{ LOAD_ROWS("WHERE " SERVED("records")), LOAD_ROWS("") },
		{ LOAD_ROWS("WHERE zone_id = ?1 AND " SERVED("records")),
		  LOAD_ROWS("WHERE zone_id = ?1") },
	};
#undef LOAD_ROWS
	bool all;
	sqlite3_stmt *s = NULL;
	if ((rc = store_served_all(p->st, &all)) != 0)
		goto out;
	if (!(s = store_stmt(p->st, sql[p->zone_id != 0][all]))) {
		rc = DZ_EDB;
		goto out;
	}
	if (p->zone_id)
		sqlite3_bind_int64(s, 1, p->zone_id);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const uint8_t *o = sqlite3_column_blob(s, 1);
		int olen = sqlite3_column_bytes(s, 1);
		const uint8_t *rd = sqlite3_column_blob(s, 4);
		int rdlen = sqlite3_column_bytes(s, 4);
		if (!o || olen <= 0 || olen > DNAME_MAX || rdlen > 65535 ||
		    dname_len(o, (size_t)olen) != (size_t)olen)
			continue;   /* not a record we can serve */
		size_t need = 8 + 1 + (size_t)olen + 2 + 4 + 2 + (size_t)rdlen;
		if (c && c->used + need > LOAD_CHUNK) {
			pipe_push(p, c);
			c = NULL;
		}
		if (!c) {
			if (p->stop)
				break;
			c = malloc(sizeof *c);
			if (!c) {
				rc = DZ_ENOMEM;
				break;
			}
			c->used = 0;
		}
		uint8_t *w = c->data + c->used;
		int64_t zid = sqlite3_column_int64(s, 0);
		uint16_t type = (uint16_t)sqlite3_column_int(s, 2);
		uint32_t ttl = (uint32_t)sqlite3_column_int64(s, 3);
		uint16_t rl = (uint16_t)rdlen;
		memcpy(w, &zid, 8);
		w[8] = (uint8_t)olen;
		memcpy(w + 9, o, (size_t)olen);
		w += 9 + olen;
		memcpy(w, &type, 2);
		memcpy(w + 2, &ttl, 4);
		memcpy(w + 6, &rl, 2);
		if (rdlen)
			memcpy(w + 8, rd, (size_t)rdlen);
		c->used += need;
	}
	if (!rc && !p->stop && src != SQLITE_DONE)
		rc = DZ_EDB;
	sqlite3_reset(s);
out:
	if (c)
		pipe_push(p, c);
	pthread_mutex_lock(&p->mu);
	p->rc = rc;
	p->done = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Load the names (apex excluded) of one zone, or of all (zone_id 0), in
 * primary key order (zone, owner): one pass, one node per name. */
static int load_names(store_t *st, ztable_t *zt, int64_t zone_id, struct rrbuf *bp)
{
	struct rrbuf b = *bp;
	uint8_t cur[DNAME_MAX];
	size_t curlen = 0;
	int64_t curzone = 0;
	int rc = 0;
	struct load_pipe p = { .st = st, .zone_id = zone_id };
	pthread_t th;

	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if (pthread_create(&th, NULL, load_reader, &p)) {
		pthread_mutex_destroy(&p.mu);
		pthread_cond_destroy(&p.cv);
		return DZ_EIO;
	}
	b.n = b.dlen = 0;
	struct load_chunk *c;
	while ((c = pipe_pop(&p)) != NULL) {
		const uint8_t *r = c->data, *end = c->data + c->used;
		for (; r <= end; ) {
			bool last = r == end;
			int64_t zid = 0;
			const uint8_t *o = NULL;
			size_t olen = 0;
			if (!last) {
				memcpy(&zid, r, 8);
				olen = r[8];
				o = r + 9;
			}
			/* a name is complete when the next row is another name;
			 * the last row of a chunk waits for the next chunk */
			if (curlen && !last && (zid != curzone || olen != curlen ||
			                        memcmp(o, cur, curlen) != 0)) {
				rrbuf_finish(&b);
				struct zone *z = zt_zone_by_id(zt, (uint32_t)curzone);
				if (z && curlen != z->apex_len) {
					rc = zt_set_name(zt, (uint32_t)curzone, cur, b.rr, b.n);
					if (rc == DZ_EINVAL)
						rc = 0;   /* a bad record: leave the name out */
				}
				b.n = b.dlen = 0;
				curlen = 0;
				if (rc)
					break;
			}
			if (last)
				break;
			if (!curlen) {
				memcpy(cur, o, olen);
				curlen = olen;
				curzone = zid;
			}
			uint16_t type, rdlen;
			uint32_t ttl;
			const uint8_t *f = o + olen;
			memcpy(&type, f, 2);
			memcpy(&ttl, f + 2, 4);
			memcpy(&rdlen, f + 6, 2);
			if (type != RR_SOA && (rc = rrbuf_add(&b, type, ttl, f + 8, rdlen)) != 0)
				break;
			r = f + 8 + rdlen;
		}
		free(c);
		if (rc)
			break;
	}
	if (rc) {
		/* stop the reader and drain what it queued */
		pthread_mutex_lock(&p.mu);
		p.stop = true;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		while ((c = pipe_pop(&p)) != NULL)
			free(c);
	}
	pthread_join(th, NULL);
	if (!rc && curlen) {
		rrbuf_finish(&b);
		struct zone *z = zt_zone_by_id(zt, (uint32_t)curzone);
		if (z && curlen != z->apex_len) {
			rc = zt_set_name(zt, (uint32_t)curzone, cur, b.rr, b.n);
			if (rc == DZ_EINVAL)
				rc = 0;
		}
	}
	if (!rc)
		rc = p.rc;
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	*bp = b;
	return rc;
}

int store_load(store_t *st, ztable_t *zt)
{
	struct rrbuf b = {0};
	int rc;

	pthread_mutex_lock(&zt->wlock);
	/* size the hash table once rather than growing it name by name
	 * (a host has an A and an AAAA: about two records a name) */
	int64_t nrec;
	if (!store_int(st, "SELECT count(*) FROM records", NULL, 0, &nrec))
		zt_reserve(zt, (unsigned long)nrec / 2 + 64);
	zt_write_begin(zt);
	if (store_exec(st, "BEGIN")) {
		rc = DZ_EDB;
		goto out;
	}
	if (store_int(st, "SELECT coalesce(max(id), 0) FROM journal", NULL, 0, &zt->journal_pos)) {
		rc = DZ_EDB;
		goto out_txn;
	}

	void *args[3] = { st, zt, &b };
	rc = store_zone_list(st, load_zone_cb, args);
	if (rc)
		goto out_txn;

	rc = load_names(st, zt, 0, &b);
out_txn:
	store_exec(st, rc ? "ROLLBACK" : "COMMIT");
out:
	zt_write_end(zt);
	pthread_mutex_unlock(&zt->wlock);
	rrbuf_free(&b);
	return rc;
}

/* One name (or zone) a journal chunk says changed. */
struct change {
	int64_t zone_id;
	int op;
	uint8_t len;
	uint8_t owner[DNAME_MAX];
};

static int change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	if (x->zone_id != y->zone_id)
		return x->zone_id < y->zone_id ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->owner, y->owner, x->len);
}

#define SYNC_CHUNK 4096

/* The zone row of the last change applied: a batch's changes are
 * mostly in one zone (its SOA, then its names). */
struct zone_memo {
	int64_t id;                /* 0: nothing kept */
	int rc;
	struct store_zone z;
};

static int zone_get(store_t *st, struct zone_memo *m, int64_t id)
{
	if (m->id != id) {
		m->rc = store_zone_get(st, id, &m->z);
		m->id = id;
	}
	return m->rc;
}

static int apply_change(store_t *st, ztable_t *zt, const struct change *c,
                        struct rrbuf *b, struct zone_memo *m)
{
	if (c->op == JOURNAL_ZONE_DEL) {
		zt_del_zone(zt, (uint32_t)c->zone_id);
		m->id = 0;
		return 0;
	}
	if (c->op == JOURNAL_ZONE_RELOAD) {
		int rc = zone_get(st, m, c->zone_id);
		zt_del_zone(zt, (uint32_t)c->zone_id);
		if (rc)
			return rc == DZ_ENOENT ? 0 : rc;
		rc = load_apex(st, zt, &m->z, b);
		return rc ? rc : load_names(st, zt, c->zone_id, b);
	}
	int rc = zone_get(st, m, c->zone_id);
	const struct store_zone *zp = &m->z;
	if (rc == DZ_ENOENT) {
		zt_del_zone(zt, (uint32_t)c->zone_id);
		return 0;
	}
	if (rc)
		return rc;
	if (c->op == JOURNAL_SOA || !zt_zone_by_id(zt, (uint32_t)c->zone_id) ||
	    dname_equal(c->owner, zp->apex)) {
		rc = load_apex(st, zt, zp, b);
		if (rc || c->op == JOURNAL_SOA || dname_equal(c->owner, zp->apex))
			return rc;
	}
	rc = read_name(st, c->zone_id, c->owner, c->len, b);
	if (rc)
		return rc;
	rc = zt_set_name(zt, (uint32_t)c->zone_id, c->owner, b->rr, b->n);
	return rc == DZ_EINVAL ? 0 : rc;
}

int store_sync(store_t *st, ztable_t *zt, unsigned *nnames)
{
	struct change *ch = NULL;
	struct rrbuf b = {0};
	struct zone_memo memo = { 0 };
	unsigned total = 0;
	int rc = 0;
	size_t cap = 0;

	pthread_mutex_lock(&zt->wlock);
	zt_write_begin(zt);
	if (store_exec(st, store_in_txn(st) ? "SAVEPOINT sync" : "BEGIN")) {
		rc = DZ_EDB;
		goto out;
	}
	for (;;) {
		sqlite3_stmt *s = store_stmt(st,
			"SELECT id, zone_id, op, owner FROM journal WHERE id > ?1 "
			"ORDER BY id LIMIT 4096");
		if (!s) {
			rc = DZ_EDB;
			break;
		}
		sqlite3_bind_int64(s, 1, zt->journal_pos);
		size_t n = 0;
		int64_t last = zt->journal_pos;
		int src;
		while ((src = sqlite3_step(s)) == SQLITE_ROW && n < SYNC_CHUNK) {
			/* most batches are a few changes: grow as rows come,
			 * not a whole chunk (1 MiB) every time */
			if (n == cap) {
				struct change *g = grow_array(ch, &cap, n, sizeof *ch, 16);
				if (!g) {
					rc = DZ_ENOMEM;
					break;
				}
				ch = g;
			}
			struct change *c = &ch[n];
			last = sqlite3_column_int64(s, 0);
			c->zone_id = sqlite3_column_int64(s, 1);
			c->op = sqlite3_column_int(s, 2);
			const uint8_t *o = sqlite3_column_blob(s, 3);
			int olen = sqlite3_column_bytes(s, 3);
			if (c->op == JOURNAL_ADD || c->op == JOURNAL_DEL) {
				if (!o || olen <= 0 || olen > DNAME_MAX ||
				    dname_len(o, (size_t)olen) != (size_t)olen)
					continue;
				memcpy(c->owner, o, (size_t)olen);
				c->len = (uint8_t)olen;
			} else {
				c->len = 0;
				c->owner[0] = 0;
			}
			n++;
		}
		sqlite3_reset(s);
		if (rc)
			break;
		if (src != SQLITE_ROW && src != SQLITE_DONE) {
			rc = DZ_EDB;
			break;
		}
		if (last == zt->journal_pos)
			break;
		/* zone deletions first, then SOA changes (which create zones),
		 * then names; each distinct name once */
		qsort(ch, n, sizeof *ch, change_cmp);
		for (int pass = 0; pass < 3 && !rc; pass++) {
			for (size_t i = 0; i < n && !rc; i++) {
				int op = ch[i].op;
				int want = pass == 0 ? op == JOURNAL_ZONE_DEL
				         : pass == 1 ? (op == JOURNAL_SOA || op == JOURNAL_ZONE_RELOAD)
				         : (op == JOURNAL_ADD || op == JOURNAL_DEL);
				if (!want)
					continue;
				if (pass == 2 && i > 0 && change_cmp(&ch[i], &ch[i - 1]) == 0)
					continue;
				if (pass == 1 && op == JOURNAL_SOA && i > 0 &&
				    ch[i - 1].op == JOURNAL_SOA && ch[i - 1].zone_id == ch[i].zone_id)
					continue;
				rc = apply_change(st, zt, &ch[i], &b, &memo);
				total++;
				if (!rc && op == JOURNAL_SOA && zt->serial_changed)
					zt->serial_changed(zt->serial_arg, (uint32_t)ch[i].zone_id);
			}
		}
		if (rc)
			break;
		zt->journal_pos = last;
	}
	store_exec(st, store_in_txn(st) ? "RELEASE sync" : "COMMIT");
out:
	zt_write_end(zt);
	pthread_mutex_unlock(&zt->wlock);
	rrbuf_free(&b);
	free(ch);
	if (nnames)
		*nnames = total;
	return rc;
}
