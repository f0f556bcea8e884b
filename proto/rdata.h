/* Resource record types and RDATA in presentation (RFC 1035 zone file) and
 * wire form.  Names inside RDATA are written uncompressed and kept in the
 * case given. */
#ifndef DZ_RDATA_H
#define DZ_RDATA_H

#include <stddef.h>
#include <stdint.h>

enum {
	RR_A = 1, RR_NS = 2, RR_CNAME = 5, RR_SOA = 6, RR_PTR = 12, RR_HINFO = 13,
	RR_MX = 15, RR_TXT = 16, RR_AAAA = 28, RR_SRV = 33, RR_NAPTR = 35,
	RR_DNAME = 39, RR_OPT = 41, RR_DS = 43, RR_SSHFP = 44, RR_RRSIG = 46,
	RR_NSEC = 47, RR_DNSKEY = 48, RR_TLSA = 52, RR_SVCB = 64, RR_HTTPS = 65,
	RR_SPF = 99, RR_TKEY = 249, RR_TSIG = 250, RR_IXFR = 251, RR_AXFR = 252,
	RR_MAILB = 253, RR_MAILA = 254, RR_ANY = 255, RR_URI = 256, RR_CAA = 257,
};
enum { CLASS_IN = 1, CLASS_CH = 3, CLASS_NONE = 254, CLASS_ANY = 255 };

#define RDATA_MAX 65535

/* "A", "aaaa", "TYPE65280" -> type number.  0 on success, DZ_EINVAL if
 * unknown.  Meta types (OPT, TSIG, TKEY, IXFR, AXFR, MAILA, MAILB, ANY) are
 * recognised but `rr_type_is_data` says they cannot be stored. */
int rr_type_from_text(const char *text, size_t len, uint16_t *type);

/* Mnemonic for a type ("A", "CAA") or "TYPEnnn" written into buf (>= 16
 * bytes).  Returns buf or a static string. */
const char *rr_type_to_text(uint16_t type, char buf[16]);

/* True if records of this type may be stored in a zone. */
int rr_type_is_data(uint16_t type);

/* Parse the presentation form of one record's RDATA (everything after the
 * type in a zone file line, already joined if it spanned parentheses) into
 * wire form.  Supported with full syntax: A, NS, CNAME, SOA, PTR, MX, TXT
 * (one or more <character-string>s, quoted or not, with \X and \DDD
 * escapes; strings over 255 bytes are an error), AAAA, SRV, CAA, DNAME,
 * SPF, HINFO, NAPTR, SSHFP, TLSA, DS, URI; every type, known or not, also
 * in the RFC 3597 generic form "\# LEN HEX...".  Relative names get
 * `origin` appended (NULL: relative names are an error).
 * On success writes *outlen and returns 0.  On failure returns DZ_EFORMAT
 * (or DZ_ESPACE if cap is too small) and, if errmsg is not NULL, points it
 * at a short static English reason ("bad IPv4 address", "TXT string longer
 * than 255 bytes", ...). */
int rdata_from_text(uint16_t type, const char *text, size_t textlen,
                    const uint8_t *origin, uint8_t *out, size_t cap,
                    size_t *outlen, const char **errmsg);

/* Write the presentation form of wire RDATA (as dig would print it, names
 * absolute with trailing dot; TXT strings quoted).  Types without a known
 * presentation, and malformed RDATA of known types, are written in RFC 3597
 * form.  Returns the text length (NUL written) or -1 if cap is too small. */
int rdata_to_text(uint16_t type, const uint8_t *rd, size_t len, char *out,
                  size_t cap);

/* Check that wire RDATA is well formed for its type (names valid and
 * uncompressed, fixed sizes right: A 4 bytes, AAAA 16, SOA two names + 20,
 * TXT a sequence of length-prefixed strings, ...).  0 or DZ_EFORMAT. */
int rdata_check(uint16_t type, const uint8_t *rd, size_t len);

/* For types whose RDATA holds a name that answers may need in the
 * additional section (NS, MX, SRV): the offset of that name in rd, or -1. */
int rdata_target_offset(uint16_t type, const uint8_t *rd, size_t len);

#endif
