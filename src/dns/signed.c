/* Signed queries: check, answer, sign (RFC 8945 §5). */
#include "src/dns/signed.h"

#include <time.h>

#include "proto/errors.h"
#include "proto/name.h"
#include "src/common/log.h"

static const char *tsig_err_text(int rc)
{
	switch (rc) {
	case TSIG_BADKEY: return "BADKEY";
	case TSIG_BADSIG: return "BADSIG";
	case TSIG_BADTIME: return "BADTIME";
	case TSIG_BADTRUNC: return "BADTRUNC";
	}
	return "malformed";
}

int signed_check(const struct tsig_keyring *kr, const uint8_t *msg, size_t len,
                 size_t tsig_off, struct tsig_ctx *ctx)
{
	struct tsig_rr rr;
	if (tsig_parse(msg, len, tsig_off, &rr)) {
		log_debug("TSIG: malformed TSIG RR");
		return -1;
	}
	int rc = tsig_verify_request(msg, len, &rr, kr, (uint64_t)time(NULL), ctx);
	if (rc) {
		char name[DNAME_MAX * 4];
		if (dname_to_text(rr.name, name, sizeof name) < 0)
			name[0] = 0;
		log_debug("TSIG: key %s: %s", name, tsig_err_text(rc));
	}
	return rc;
}

size_t signed_reserve(const struct tsig_ctx *ctx)
{
	/* owner, type class TTL rdlength, algorithm, time fudge size
	 * orig-id error other-len, MAC, other data */
	return dname_len(ctx->key_name, DNAME_MAX) + 10 + dname_len(ctx->alg_name, DNAME_MAX) +
	       16 + TSIG_MAC_MAX + 6;
}

int signed_finish(struct tsig_ctx *ctx, uint8_t *buf, size_t *len, size_t cap)
{
	return tsig_sign_reply(ctx, buf, len, cap, (uint64_t)time(NULL));
}

size_t signed_answer(const struct tsig_keyring *kr, const ztable_t *zt, const uint8_t *pkt,
                     size_t len, const dns_query_t *q, dns_verdict_t verdict, int rcode,
                     uint8_t *out, size_t cap, bool tcp, struct answer_stats *st)
{
	struct tsig_ctx t;
	size_t n;

	if (verdict == DNS_DROP)
		return answer_parsed(zt, pkt, q, verdict, rcode, out, cap, tcp, 0, st);
	/* the reply's size limit: TCP's message, or what the client takes */
	size_t max = tcp ? 65535 : (q->edns ? q->edns_size : DNS_UDP_MIN);
	if (!tcp && max > EDNS_OUR_SIZE)
		max = EDNS_OUR_SIZE;
	if (max > cap)
		max = cap;
	int rc = signed_check(kr, pkt, len, q->tsig_off, &t);
	if (rc < 0) {
		METRICS_INC(st->queries);
		METRICS_INC(st->formerr);
		return dns_resp_error(out, max, pkt, q, RCODE_FORMERR);
	}
	if (rc > 0) {
		METRICS_INC(st->queries);
		METRICS_INC(st->notauth);
		n = dns_resp_error(out, max, pkt, q, RCODE_NOTAUTH);
	} else {
		n = answer_parsed(zt, pkt, q, verdict, rcode, out, max, tcp, signed_reserve(&t), st);
	}
	if (!n || signed_finish(&t, out, &n, max))
		return 0;
	return n;
}
