/* A small zone table built directly (no store), shared by the zone unit
 * test and the query fuzz target. */
#ifndef DZ_ZFIXTURE_H
#define DZ_ZFIXTURE_H

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proto/name.h"
#include "proto/rdata.h"
#include "src/zonetable/zone.h"

static inline size_t fx_name(uint8_t *out, const char *text)
{
	static const uint8_t root[1] = { 0 };
	return dname_from_text(out, text, strlen(text), root);
}

/* A test zone's apex (zone "x.test.") and SOA: mname ns1.<zone>, rname
 * hostmaster.<zone>, the serial given, refresh 3600, retry 600, expire
 * 86400, minimum 30, TTL 3600. */
static inline void fx_soa(struct zsoa *soa, uint8_t *apex, const char *zone, uint32_t serial)
{
	char t[300];
	*soa = (struct zsoa){ .serial = serial, .refresh = 3600, .retry = 600,
	                      .expire = 86400, .minimum = 30, .ttl = 3600 };
	fx_name(apex, zone);
	snprintf(t, sizeof t, "ns1.%s", zone);
	fx_name(soa->mname, t);
	snprintf(t, sizeof t, "hostmaster.%s", zone);
	fx_name(soa->rname, t);
}

/* Add zone `id` ("x.test.") to zt, its SOA by fx_soa and NS ns1.<zone>
 * at the apex (call between zt_write_begin and zt_write_end). */
static inline void fx_zone(ztable_t *zt, uint32_t id, const char *zone, uint32_t serial)
{
	uint8_t apex[DNAME_MAX], ns[DNAME_MAX];
	char t[300];
	struct zsoa soa;
	fx_soa(&soa, apex, zone, serial);
	snprintf(t, sizeof t, "ns1.%s", zone);
	size_t nslen = fx_name(ns, t);
	struct zrr apexrr[1] = { { RR_NS, 3600, (uint16_t)nslen, ns } };
	zt_set_zone(zt, id, apex, &soa, apexrr, 1);
}

/* Set `name` to the records given as (type, text) pairs: A/AAAA as
 * addresses, names for NS/CNAME, raw strings for TXT. */
static inline int fx_set(ztable_t *zt, uint32_t zid, const char *name, int n,
                  const uint16_t *types, const char *const *vals)
{
	uint8_t owner[DNAME_MAX], rd[24][300];
	struct zrr rr[24];
	fx_name(owner, name);
	dname_lower(owner);
	for (int i = 0; i < n; i++) {
		size_t len = 0;
		switch (types[i]) {
		case RR_A: inet_pton(AF_INET, vals[i], rd[i]); len = 4; break;
		case RR_AAAA: inet_pton(AF_INET6, vals[i], rd[i]); len = 16; break;
		case RR_TXT: len = strlen(vals[i]); rd[i][0] = (uint8_t)len;
			memcpy(rd[i] + 1, vals[i], len); len++; break;
		case RR_MX: rd[i][0] = 0; rd[i][1] = 10; len = 2 + fx_name(rd[i] + 2, vals[i]); break;
		default: len = fx_name(rd[i], vals[i]); break;
		}
		rr[i] = (struct zrr){ types[i], 300, (uint16_t)len, rd[i] };
	}
	return zt_set_name(zt, zid, owner, rr, (size_t)n);
}

/* Set `name` to 20 AAAA records, 2001:db8::first and up (more than 512
 * bytes of answer: truncated without EDNS). */
static inline int fx_set_big(ztable_t *zt, uint32_t zid, const char *name, unsigned first)
{
	uint16_t types[20];
	const char *vals[20];
	char addrs[20][40];
	for (unsigned i = 0; i < 20; i++) {
		types[i] = RR_AAAA;
		snprintf(addrs[i], sizeof addrs[i], "2001:db8::%x", first + i);
		vals[i] = addrs[i];
	}
	return fx_set(zt, zid, name, 20, types, vals);
}

/* zone "dyn.test." (id 1): NS ns1 (in zone, glue), h1 A+AAAA, *.w A,
 * a.b ENT, alias CNAME h1, sub delegation with glue, big with 20 AAAA. */
static inline ztable_t *fx_table(void)
{
	ztable_t *zt = zt_new();
	zt_write_begin(zt);
	fx_zone(zt, 1, "dyn.test.", 7);
	fx_set(zt, 1, "ns1.dyn.test.", 1, (uint16_t[]){ RR_A }, (const char *[]){ "192.0.2.53" });
	fx_set(zt, 1, "h1.dyn.test.", 2, (uint16_t[]){ RR_A, RR_AAAA },
	       (const char *[]){ "192.0.2.1", "2001:db8::1" });
	fx_set(zt, 1, "*.w.dyn.test.", 1, (uint16_t[]){ RR_A }, (const char *[]){ "192.0.2.9" });
	fx_set(zt, 1, "x.a.b.dyn.test.", 1, (uint16_t[]){ RR_TXT }, (const char *[]){ "hello" });
	fx_set(zt, 1, "alias.dyn.test.", 1, (uint16_t[]){ RR_CNAME }, (const char *[]){ "h1.dyn.test." });
	fx_set(zt, 1, "mx.dyn.test.", 1, (uint16_t[]){ RR_MX }, (const char *[]){ "h1.dyn.test." });
	fx_set(zt, 1, "sub.dyn.test.", 1, (uint16_t[]){ RR_NS }, (const char *[]){ "ns.sub.dyn.test." });
	fx_set(zt, 1, "ns.sub.dyn.test.", 1, (uint16_t[]){ RR_A }, (const char *[]){ "192.0.2.54" });
	fx_set_big(zt, 1, "big.dyn.test.", 0x100);
	zt_write_end(zt);
	return zt;
}

/* Zone `id` ("x.test."): SOA and NS as fx_zone, with `signed_` a DNSKEY
 * at the apex (what makes DO answers DNSSEC answers); h1.<zone> with an A
 * and an RRSIG over it (copied into DO answers of a signed zone only).
 * Called again with the other `signed_`, it swaps the apex. */
static inline void fx_keyed(ztable_t *zt, uint32_t id, const char *zone, bool signed_)
{
	uint8_t apex[DNAME_MAX], ns[DNAME_MAX], owner[DNAME_MAX], sig[18 + DNAME_MAX + 3];
	static const uint8_t key[] = { 1, 1, 3, 13, 1, 2, 3 }, a[] = { 192, 0, 2, 1 };
	static const uint8_t sighead[18] = { 0, 1, 13, 3, 0, 0, 1, 44, 0x70, 0, 0, 0,
	                                     0x60, 0, 0, 0, 0, 1 };
	char t[300];
	struct zsoa soa;
	fx_soa(&soa, apex, zone, 1);
	snprintf(t, sizeof t, "ns1.%s", zone);
	size_t nslen = fx_name(ns, t);
	size_t alen = fx_name(sig + sizeof sighead, zone);
	memcpy(sig, sighead, sizeof sighead);
	memcpy(sig + sizeof sighead + alen, key, 3);
	struct zrr apexrr[2] = { { RR_NS, 3600, (uint16_t)nslen, ns },
	                         { RR_DNSKEY, 3600, sizeof key, key } };
	struct zrr h1[2] = { { RR_A, 300, sizeof a, a },
	                     { RR_RRSIG, 300, (uint16_t)(sizeof sighead + alen + 3), sig } };
	snprintf(t, sizeof t, "h1.%s", zone);
	fx_name(owner, t);
	zt_write_begin(zt);
	zt_set_zone(zt, id, apex, &soa, apexrr, signed_ ? 2 : 1);
	zt_set_name(zt, id, owner, h1, 2);
	zt_write_end(zt);
}

/* Build a query into buf; returns its length. */
static inline size_t fx_query(uint8_t *buf, size_t cap, const char *name, uint16_t type,
                       uint16_t flags, int edns_size)
{
	wire_t w;
	uint8_t n[DNAME_MAX];
	size_t nl = fx_name(n, name);
	wire_init(&w, buf, cap);
	wire_write_u16(&w, 0x1234);
	wire_write_u16(&w, flags);
	wire_write_u16(&w, 1);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, 0);
	wire_write_u16(&w, edns_size ? 1 : 0);
	wire_write_bytes(&w, n, nl);
	wire_write_u16(&w, type);
	wire_write_u16(&w, 1);
	if (edns_size) {
		wire_write_u8(&w, 0);
		wire_write_u16(&w, 41);
		wire_write_u16(&w, (uint16_t)edns_size);
		wire_write_u32(&w, 0);
		wire_write_u16(&w, 0);
	}
	return w.pos;
}

/* zone "plain.test." (id 4), what answer_udp_fast answers from (no
 * delegation, no wildcard): NS ns1 (no glue), h1 A+AAAA, two A, ENT ent
 * above x.ent TXT, alias CNAME h1, big with 20 AAAA. */
static inline void fx_plain(ztable_t *zt)
{
	zt_write_begin(zt);
	fx_zone(zt, 4, "plain.test.", 9);
	fx_set(zt, 4, "h1.plain.test.", 2, (uint16_t[]){ RR_A, RR_AAAA },
	       (const char *[]){ "192.0.2.1", "2001:db8::1" });
	fx_set(zt, 4, "two.plain.test.", 2, (uint16_t[]){ RR_A, RR_A },
	       (const char *[]){ "192.0.2.1", "192.0.2.2" });
	fx_set(zt, 4, "x.ent.plain.test.", 1, (uint16_t[]){ RR_TXT }, (const char *[]){ "hi" });
	fx_set(zt, 4, "alias.plain.test.", 1, (uint16_t[]){ RR_CNAME },
	       (const char *[]){ "h1.plain.test." });
	fx_set_big(zt, 4, "big.plain.test.", 0x200);
	zt_write_end(zt);
}

#endif
