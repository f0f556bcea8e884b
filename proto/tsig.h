/* TSIG (RFC 8945): keys, signing and checking DNS messages with a shared
 * secret.  Pure code over caller buffers; the HMACs come from mbedTLS.
 *
 * A signed exchange is a struct tsig_ctx: verifying a request fills it,
 * and each reply (every message of a multi-message TCP reply: AXFR, IXFR)
 * is signed through it, chaining the previous MAC as §5.3.1 says.  The
 * other direction (NOTIFY we send, test clients) signs a request with
 * tsig_sign_request and checks each reply with tsig_verify_reply.
 *
 * MACs are compared in constant time.  Nothing here keeps global state;
 * a ctx belongs to one exchange on one thread. */
#ifndef DZ_TSIG_H
#define DZ_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/name.h"

enum tsig_alg {
	TSIG_HMAC_MD5 = 1,         /* only when a key names it */
	TSIG_HMAC_SHA1,
	TSIG_HMAC_SHA224,
	TSIG_HMAC_SHA256,
	TSIG_HMAC_SHA384,
	TSIG_HMAC_SHA512,
};

/* TSIG error codes (the TSIG RR's Error field; the header's RCODE is then
 * NOTAUTH, RFC 8945 §5.2). */
enum { TSIG_BADSIG = 16, TSIG_BADKEY = 17, TSIG_BADTIME = 18, TSIG_BADTRUNC = 22 };

#define TSIG_MAC_MAX 64            /* SHA-512 */
#define TSIG_SECRET_MAX 128        /* bytes of a decoded secret */
#define TSIG_SECRET_MIN 16         /* shorter secrets are refused */
#define TSIG_FUDGE 300             /* seconds, what we sign with */
/* Room a TSIG RR can take at the end of a message: owner and algorithm
 * names (255 each at most), fixed fields, MAC, other data (6). */
#define TSIG_RR_MAX (255 + 10 + 255 + 16 + TSIG_MAC_MAX + 6)

struct tsig_key {
	uint8_t name[DNAME_MAX];   /* lowercase wire form */
	char text[DNAME_MAX * 4];  /* presentation, for logs */
	enum tsig_alg alg;
	uint8_t secret[TSIG_SECRET_MAX];
	size_t secret_len;
};

/* Parse a key line "NAME ALGORITHM BASE64SECRET" (ALGORITHM as BIND and
 * Knot write it: hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha224,
 * hmac-sha1, hmac-md5; case-insensitive).  0, or DZ_EINVAL with the
 * reason in err. */
int tsig_key_parse(const char *line, struct tsig_key *k, char *err, size_t errlen);
/* Write "NAME ALGORITHM BASE64SECRET" for k into out.  The length, or -1
 * if cap is too small. */
int tsig_key_format(const struct tsig_key *k, char *out, size_t cap);
/* The algorithm's name in wire form and text ("hmac-sha256"); NULL for an
 * unknown alg. */
const uint8_t *tsig_alg_wire(enum tsig_alg alg);
const char *tsig_alg_text(enum tsig_alg alg);
/* A secret's natural size for alg (the hash's output length). */
size_t tsig_alg_size(enum tsig_alg alg);
/* The algorithm named by len bytes of text ("hmac-sha256", any case, a
 * trailing dot allowed; "hmac-md5.sig-alg.reg.int" too).  0 or DZ_EINVAL. */
int tsig_alg_parse(const char *text, size_t len, enum tsig_alg *alg);

/* A set of keys, looked up by name.  The caller owns the array. */
struct tsig_keyring {
	unsigned n;
	const struct tsig_key *k;
};
/* The key named `name` (case-insensitive), or NULL. */
const struct tsig_key *tsig_keyring_find(const struct tsig_keyring *kr, const uint8_t *name);

/* The TSIG RR of a message (it must be the last additional record). */
struct tsig_rr {
	size_t off;                /* where it starts: the message is [0, off) */
	uint8_t name[DNAME_MAX];   /* the key's name, lowercased */
	uint8_t alg_name[DNAME_MAX];
	uint64_t time;             /* Time Signed (48 bits) */
	uint16_t fudge;
	uint16_t mac_len;
	uint8_t mac[TSIG_MAC_MAX];
	uint16_t orig_id;
	uint16_t error;
	uint16_t other_len;
	uint8_t other[6];
};
/* Find and parse the TSIG RR.  1: found; 0: the message has none; -1: the
 * message or its TSIG RR is malformed, or a TSIG RR is not last (FORMERR,
 * RFC 8945 §5.1). */
int tsig_find(const uint8_t *msg, size_t len, struct tsig_rr *rr);
/* Parse the TSIG RR that starts at msg[off] (a parser that already walked
 * the message, like dns_query_parse, knows where): it must be a TSIG RR of
 * class ANY that ends the message.  0, or -1 if malformed. */
int tsig_parse(const uint8_t *msg, size_t len, size_t off, struct tsig_rr *rr);

/* One signed exchange. */
struct tsig_ctx {
	const struct tsig_key *key;     /* NULL: no key (BADKEY) */
	uint8_t mac[TSIG_MAC_MAX];      /* the last MAC seen or made */
	size_t mac_len;
	uint64_t time;                  /* the request's Time Signed */
	uint16_t fudge;
	uint16_t orig_id;
	uint16_t error;                 /* what the reply must say (0, BADSIG...) */
	unsigned nmsg;                  /* messages signed or checked so far */
	uint8_t key_name[DNAME_MAX];    /* as the request named them: an error */
	uint8_t alg_name[DNAME_MAX];    /*   reply echoes them even for BADKEY */
};

/* Check a request that carries a TSIG RR (*rr from tsig_find) against the
 * keys in kr at time `now` (epoch seconds).  Returns 0 if it verifies,
 * else TSIG_BADKEY, TSIG_BADSIG or TSIG_BADTIME (RFC 8945 §5.2: the key
 * and MAC are checked before the time).  Either way ctx is set up for
 * tsig_sign_reply to answer as the RFC says: signed for 0 and BADTIME,
 * an unsigned TSIG RR carrying the error for BADKEY and BADSIG.
 * Truncated MACs are refused (our local minimum is the full length, as
 * §5.2.2.1 allows): one the RFC would accept gets TSIG_BADTRUNC (answered
 * like BADSIG), any other length BADSIG. */
int tsig_verify_request(const uint8_t *msg, size_t len, const struct tsig_rr *rr,
                        const struct tsig_keyring *kr, uint64_t now, struct tsig_ctx *ctx);

/* Append the TSIG RR to the reply buf[0..*len) (room for cap bytes; leave
 * TSIG_RR_MAX free), add one to ARCOUNT and update *len.  The first reply
 * of an exchange covers the request's MAC and all TSIG variables; later
 * messages of a multi-message reply cover the previous MAC and the timers
 * only (§5.3.1).  Sets the header's RCODE to NOTAUTH when ctx->error is
 * not 0.  0, or DZ_ESPACE. */
int tsig_sign_reply(struct tsig_ctx *ctx, uint8_t *buf, size_t *len, size_t cap,
                    uint64_t now);

/* Sign a request we send (NOTIFY, a test client's query) with key k:
 * sets ctx up and appends the TSIG RR as above.  0 or DZ_ESPACE. */
int tsig_sign_request(struct tsig_ctx *ctx, const struct tsig_key *k, uint8_t *buf,
                      size_t *len, size_t cap, uint64_t now);
/* Check a reply to a request signed with ctx (each message in turn for a
 * multi-message reply).  0, or TSIG_BADKEY/BADSIG/BADTIME, or -1 if the
 * reply is malformed or unsigned.  Every message must carry a TSIG RR:
 * the up to 99 unsigned messages §5.3.1 lets a server send between signed
 * ones (NSD signs every 96th AXFR message) are not accepted yet. */
int tsig_verify_reply(struct tsig_ctx *ctx, const uint8_t *msg, size_t len, uint64_t now);

#endif
