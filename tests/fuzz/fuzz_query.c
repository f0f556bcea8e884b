/* libFuzzer: arbitrary packets into the whole answer path (parse, lookup,
 * response assembly), UDP and TCP sizes; the UDP fast path against it
 * (where it answers, the same bytes); and into what the transfer
 * service reads of a query (the QTYPE peek, an IXFR's SOA serial). */
#include <stdlib.h>
#include <string.h>

#include "proto/dnsmsg.h"
#include "proto/rdata.h"

#include "src/dns/answer.h"
#include "tests/unit/zfixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ztable_t *zt;
	static uint8_t out[65535], fast[EDNS_OUR_SIZE];
	static struct answer_stats st;
	if (!zt) {
		zt_thread_register();
		zt = fx_table();
		fx_plain(zt);
		fx_keyed(zt, 5, "keyed.test.", true);   /* DO: the full path's */
	}
	urcu_memb_read_lock();
	size_t fn = answer_udp_fast(zt, data, size, fast, &st);
	urcu_memb_read_unlock();
	if (fn && (answer_query(zt, data, size, out, EDNS_OUR_SIZE, false, &st) != fn ||
	           memcmp(out, fast, fn) != 0))
		abort();   /* the fast path's answer is the full path's, byte for byte */
	size_t n = answer_query(zt, data, size, out, sizeof out, size & 1, &st);
	if (n > sizeof out)
		abort();
	if (n >= 12 && (out[2] & 0x80) == 0)
		abort();   /* every reply has QR set */
	dns_query_t q;
	int rcode;
	uint32_t serial;
	uint16_t qtype = dns_peek_qtype(data, size);
	if (dns_query_parse(data, size, &q, &rcode) == DNS_ANSWER) {
		if (qtype != q.qtype)
			abort();   /* the peek agrees with the parse */
		if (dns_ixfr_serial(data, size, &q, &serial) == 0 && q.qtype != RR_IXFR)
			abort();
	}
	return 0;
}
