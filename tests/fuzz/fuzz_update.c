/* libFuzzer: arbitrary packets into the DNS UPDATE parser (proto/dnsupdate):
 * the sections, RDATA name expansion and checks, the scope match and the
 * reply, with and without a record cut off the end (a TSIG RR). */
#include <stdlib.h>

#include "proto/dnsupdate.h"
#include "proto/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dnsupd *u;
	static struct dnsupd_rule rules[2];
	static uint8_t out[1024];
	char err[256];
	if (!u) {
		u = malloc(sizeof *u);
		if (!u || dnsupd_rule_parse("example.org k *.example.org A,TXT", &rules[0],
		                            err, sizeof err) ||
		    dnsupd_rule_parse("example.org k example.org ANY", &rules[1], err, sizeof err))
			abort();
	}
	(void)dnsupd_is_update(data, size);
	int rc = dnsupd_parse(data, size, size & 1, u);
	if (rc < 0 || rc > 15)
		abort();
	if (u->pool_len > DNSUPD_POOL_MAX || u->nprereq + u->nupdate > DNSUPD_RR_MAX)
		abort();
	for (unsigned i = 0; !rc && i < u->nprereq + u->nupdate; i++)
		if (!dname_is_sub(u->rr[i].owner, u->zone) ||
		    u->rr[i].rdoff + u->rr[i].rdlen > u->pool_len)
			abort();
	if (!rc)
		(void)dnsupd_allowed(u, rules[0].key, rules, 2);
	wire_t w;
	wire_init(&w, out, sizeof out);
	dnsupd_reply(&w, u, rc);
	if (w.err)
		abort();
	return 0;
}
