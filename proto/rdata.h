/* Resource record types and RDATA in presentation (RFC 1035 zone file) and
 * wire form.  Names inside RDATA are written uncompressed and kept in the
 * case given. */
#ifndef DZ_RDATA_H
#define DZ_RDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

enum {
	RR_A = 1, RR_NS = 2, RR_CNAME = 5, RR_SOA = 6, RR_PTR = 12, RR_HINFO = 13,
	RR_MX = 15, RR_TXT = 16, RR_AAAA = 28, RR_SRV = 33, RR_NAPTR = 35,
	RR_DNAME = 39, RR_OPT = 41, RR_DS = 43, RR_SSHFP = 44, RR_RRSIG = 46,
	RR_NSEC = 47, RR_DNSKEY = 48, RR_NSEC3 = 50, RR_NSEC3PARAM = 51,
	RR_TLSA = 52, RR_CDS = 59, RR_CDNSKEY = 60, RR_SVCB = 64, RR_HTTPS = 65,
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
 * SPF, HINFO, NAPTR, SSHFP, TLSA, DS, URI, and the DNSSEC types (RFC 4034,
 * 5155, 7344): DNSKEY, CDNSKEY (base64 key, blanks allowed), RRSIG
 * (times as YYYYMMDDHHmmSS or seconds), NSEC, NSEC3 (base32hex next hash,
 * salt "-" for none), NSEC3PARAM, CDS; every type, known or not, also
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

/* Presentation text ------------------------------------------------------
 *
 * One tokenizer serves rdata_from_text and the zone-file parser, so both
 * agree on where a record ends.  It skips blanks (space, tab, CR), ';'
 * comments and parentheses (a newline inside parentheses is a blank) and
 * yields words (raw text, escapes kept), quoted strings (raw text between
 * the quotes, escapes kept) and the end of a logical line.  A word ends at
 * a blank, newline, '(', ')', ';' or '"' that is not escaped with '\'.
 * Tokens point into the caller's text; nothing is copied or allocated. */
enum rr_tok { RR_TOK_EOL, RR_TOK_WORD, RR_TOK_QSTRING, RR_TOK_ERR };

typedef struct rr_lex {
	const char *p, *end;  /* unread text */
	unsigned line;        /* line of p (1-based) */
	unsigned tok_line;    /* line of the last token */
	unsigned paren;       /* open parentheses */
	int at_eol;           /* the last token was RR_TOK_EOL */
	const char *tok;      /* last word or string (raw) */
	size_t toklen;
	const char *errmsg;   /* static reason, after RR_TOK_ERR */
} rr_lex_t;

/* Start tokenizing `len` bytes of `text`; `line` is the number of its first
 * line. */
void rr_lex_init(rr_lex_t *lx, const char *text, size_t len, unsigned line);

/* Next token.  RR_TOK_EOL at a newline outside parentheses and (repeatedly)
 * at the end of the text.  RR_TOK_ERR with lx->errmsg set for an
 * unterminated quoted string, an unbalanced ')' or a '(' left open at the
 * end of the text; the tokenizer can be called again after an error. */
enum rr_tok rr_lex_next(rr_lex_t *lx);

/* Skip the rest of the current logical line (nothing if the last token was
 * its end).  Used to recover after an error. */
void rr_lex_skip_line(rr_lex_t *lx);

/* rdata_from_text over a tokenizer: parses one record's RDATA from the
 * tokens up to and including the end of the logical line.  Same results
 * and messages as rdata_from_text.  On failure the tokenizer is left inside
 * the line (rr_lex_skip_line moves past it). */
int rdata_from_lex(uint16_t type, rr_lex_t *lx, const uint8_t *origin,
                   uint8_t *out, size_t cap, size_t *outlen,
                   const char **errmsg);

/* dname_from_text (proto/name.h) with a reason on failure: returns the wire
 * length, or 0 with *errmsg pointing at a short static reason ("empty
 * label", "label longer than 63 bytes", "name longer than 255 bytes", "bad
 * escape in name", "relative name and no origin"). */
size_t rdata_name_from_text(uint8_t out[DNAME_MAX], const char *text,
                            size_t len, const uint8_t *origin,
                            const char **errmsg);

#endif
