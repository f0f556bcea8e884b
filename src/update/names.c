/* update-name: the single-family names of the update service. */
#include "src/update/names.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "proto/rdata.h"
#include "src/db/zones.h"

#define UPDNAME_TTL 300
#define UPDNAME_ADDRS CONF_MAX_LISTEN

struct updname {
	struct store_zone zone;
	uint8_t names[3][DNAME_MAX];    /* NAME, NAME4, NAME6 */
	uint8_t v4[UPDNAME_ADDRS][4], v6[UPDNAME_ADDRS][16];
	unsigned n4, n6;
};

/* Add an address once (listeners on several ports repeat it). */
static void add_addr(struct updname *u, int family, const void *a)
{
	bool v4 = family == AF_INET;
	uint8_t *base = v4 ? &u->v4[0][0] : &u->v6[0][0];
	unsigned *n = v4 ? &u->n4 : &u->n6;
	size_t len = v4 ? 4 : 16;
	for (unsigned i = 0; i < *n; i++)
		if (memcmp(base + i * len, a, len) == 0)
			return;
	if (*n < UPDNAME_ADDRS)
		memcpy(base + (*n)++ * len, a, len);
}

/* The listen addresses that are not wildcards. */
static void listen_addrs(struct updname *u, const struct conf_addrs *l)
{
	static const uint8_t any6[16];
	for (unsigned i = 0; i < l->n; i++) {
		const struct sockaddr *sa = (const struct sockaddr *)&l->a[i].ss;
		if (sa->sa_family == AF_INET) {
			const struct in_addr *a = &((const struct sockaddr_in *)sa)->sin_addr;
			if (a->s_addr != htonl(INADDR_ANY))
				add_addr(u, AF_INET, a);
		} else if (sa->sa_family == AF_INET6) {
			const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
			if (memcmp(a, any6, 16))
				add_addr(u, AF_INET6, a);
		}
	}
}

/* Parse "NAME [ADDR...]": the three names, the zone, the addresses. */
static int parse(store_t *st, const struct config *c, struct updname *u, char *err,
                 size_t errlen)
{
	const char *v = c->update_name, *p = v;
	size_t len = strcspn(p, " \t");
	char word[INET6_ADDRSTRLEN + 1];
	uint8_t *n = u->names[0];
	if (!dname_from_text(n, p, len, (const uint8_t *)"") || n[0] == 0 || n[0] > 62) {
		snprintf(err, errlen, "update-name '%s': not a name (or its first label is too "
		         "long to take a 4 or 6)", v);
		return DZ_EINVAL;
	}
	dname_lower(n);
	size_t wl = dname_len(n, DNAME_MAX);
	for (int f = 1; f <= 2; f++) {
		if (wl + 1 > DNAME_MAX) {
			snprintf(err, errlen, "update-name '%s': the name is too long", v);
			return DZ_EINVAL;
		}
		uint8_t *m = u->names[f];
		m[0] = (uint8_t)(n[0] + 1);
		memcpy(m + 1, n + 1, n[0]);
		m[1 + n[0]] = f == 1 ? '4' : '6';
		memcpy(m + 2 + n[0], n + 1 + n[0], wl - 1 - n[0]);
	}
	int rc = store_zone_find(st, n, &u->zone);
	if (rc == DZ_ENOENT || (rc == 0 && dname_equal(u->zone.apex, n))) {
		snprintf(err, errlen, "update-name '%s': the name must be below the apex of "
		         "one of dynzone's zones (dynzone zone add)", v);
		return DZ_EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "update-name: store: %s", store_errmsg(st));
		return rc;
	}
	bool given = false;
	for (p += len; *p; p += len) {
		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			break;
		uint8_t a[16];
		snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), p);
		if (len < sizeof word && inet_pton(AF_INET, word, a) == 1)
			add_addr(u, AF_INET, a);
		else if (len < sizeof word && inet_pton(AF_INET6, word, a) == 1)
			add_addr(u, AF_INET6, a);
		else {
			snprintf(err, errlen, "update-name '%s': '%.*s' is not an IPv4 or IPv6 "
			         "address", v, (int)len, p);
			return DZ_EINVAL;
		}
		given = true;
	}
	if (!given) {
		listen_addrs(u, &c->http_listen);
		listen_addrs(u, &c->https_listen);
	}
	if (u->n4 + u->n6 == 0) {
		snprintf(err, errlen, "update-name '%s': no address to publish: the http-listen "
		         "and https-listen addresses are wildcards (or none); give the "
		         "addresses after the name", v);
		return DZ_EINVAL;
	}
	return 0;
}

/* Make (owner, type) hold exactly the n addresses at `a` (stride len). */
static int sync_set(store_t *st, const struct updname *u, const uint8_t *owner,
                    uint16_t type, const uint8_t *a, size_t len, unsigned n)
{
	bool same = store_record_count(st, u->zone.id, owner, type, false) == (long long)n;
	for (unsigned i = 0; same && i < n; i++)
		same = store_record_count_rdata(st, u->zone.id, owner, type, a + i * len, len) == 1;
	if (same)
		return 0;
	if (store_record_del(st, u->zone.id, owner, type, NULL, 0, NULL))
		return DZ_EDB;
	for (unsigned i = 0; i < n; i++) {
		struct store_rr rr = { .zone_id = u->zone.id, .owner = owner, .type = type,
		                       .ttl = UPDNAME_TTL, .rdata = a + i * len, .rdlen = len,
		                       .loc = "" };
		int rc = store_record_add(st, &rr);
		if (rc && rc != DZ_EEXIST)
			return rc;
	}
	return 0;
}

static int publish(store_t *st, void *arg)
{
	const struct updname *u = arg;
	const uint8_t *v4 = u->v4[0], *v6 = u->v6[0];
	int rc;
	if ((rc = sync_set(st, u, u->names[0], RR_A, v4, 4, u->n4)) ||
	    (rc = sync_set(st, u, u->names[0], RR_AAAA, v6, 16, u->n6)) ||
	    (rc = sync_set(st, u, u->names[1], RR_A, v4, 4, u->n4)) ||
	    (rc = sync_set(st, u, u->names[1], RR_AAAA, v6, 16, 0)) ||
	    (rc = sync_set(st, u, u->names[2], RR_A, v4, 4, 0)) ||
	    (rc = sync_set(st, u, u->names[2], RR_AAAA, v6, 16, u->n6)))
		return rc;
	return 0;
}

int updname_publish(store_t *st, const struct config *c, char *err, size_t errlen)
{
	struct updname u;
	if (!c->update_name || !*c->update_name)
		return 0;
	memset(&u, 0, sizeof u);
	int rc = parse(st, c, &u, err, errlen);
	if (rc)
		return rc;
	rc = store_txn(st, publish, &u);
	if (rc) {
		snprintf(err, errlen, "update-name '%s': cannot write its records: %s",
		         c->update_name, rc == DZ_EDB ? store_errmsg(st) : dz_strerror(rc));
		return rc;
	}
	return 0;
}
