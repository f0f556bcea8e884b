/* tinydns `data` lines and `data.cdb` records (djbdns 1.05 as Debian 12
 * ships it, SRV patch included).  Pure: no I/O, no globals, no allocation;
 * every buffer is the caller's and has a cap.
 *
 * Three directions:
 *  - tinydns_parse_line: one `data` line -> the records tinydns-data would
 *    write for it, in its order, byte for byte, through callbacks;
 *  - tinydns_rr_encode / tinydns_loc_encode: one record -> the cdb key and
 *    value tinydns reads;
 *  - tinydns_rr_to_line / tinydns_loc_to_line: one record -> a `data` line
 *    that tinydns-data compiles back to exactly that record.
 *
 * See /work/shared/reference/tinydns-cdb.md for the format. */
#ifndef DZ_TINYDNS_H
#define DZ_TINYDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"

#define TINYDNS_TTL_NS 259200       /* `.` and `&` lines and their glue */
#define TINYDNS_TTL_POSITIVE 86400  /* every other line */
#define TINYDNS_TTL_NEGATIVE 2560   /* SOA from `.` and `Z` */

/* Caps.  tinydns-data itself has none; a record over these is refused with
 * DZ_ELIMIT (tinydns cannot serve a value over 32767 bytes anyway, and
 * only looks at the first 4 bytes of a location prefix). */
#define TINYDNS_RDATA_MAX 65535
#define TINYDNS_PREFIX_MAX 255
#define TINYDNS_HDR_MAX 17          /* type, marker, location, TTL, TTD */
#define TINYDNS_KEY_MAX (2 + TINYDNS_PREFIX_MAX)
#define TINYDNS_VAL_MAX (TINYDNS_HDR_MAX + TINYDNS_RDATA_MAX)
/* Longest line the renderer writes (every byte escaped as \NNN), NUL
 * included. */
#define TINYDNS_LINE_MAX (4 * TINYDNS_RDATA_MAX + 3 * 4 * DNAME_MAX + 128)

/* One resource record as it sits in data.cdb. */
typedef struct tinydns_rr {
	const uint8_t *owner;   /* wire name, A-Z lowercased; a wildcard keeps
	                           its leading "*" label */
	bool wildcard;          /* owner's first label is "*": the record is
	                           stored under the parent with marker '*' */
	uint16_t type;
	uint8_t loc[2];         /* location code; 00 00 = none, "x\0" = "x" */
	uint32_t ttl;
	uint64_t ttd;           /* 0 = none, else a TAI64 label */
	const uint8_t *rdata;   /* wire form, names uncompressed, case kept */
	size_t rdlen;
} tinydns_rr_t;

/* One `%` location line: clients whose IPv4 address starts with the
 * `plen` bytes of `prefix` get location `code`. */
typedef struct tinydns_loc {
	uint8_t code[2];
	const uint8_t *prefix;
	size_t plen;
} tinydns_loc_t;

/* Where parsed records go.  Either callback may be NULL (records of that
 * kind are dropped).  A non-zero return stops the line and is returned by
 * tinydns_parse_line.  The pointers inside a record are valid only during
 * the call. */
typedef struct tinydns_sink {
	int (*rr)(void *ctx, const tinydns_rr_t *rr);
	int (*loc)(void *ctx, const tinydns_loc_t *loc);
	void *ctx;
} tinydns_sink_t;

/* Parser state: the SOA defaults and scratch buffers for one line.  About
 * 67 KB; the caller owns it (static, heap or a big enough stack). */
typedef struct tinydns_parser {
	uint8_t soa_default[20];    /* serial refresh retry expire minimum */
	uint8_t d1[DNAME_MAX];      /* owner, case kept */
	uint8_t d2[DNAME_MAX];      /* target, case kept */
	uint8_t d3[DNAME_MAX];      /* second SOA name, PTR owner for `=` */
	uint8_t owner[DNAME_MAX];   /* lowercased owner handed to the sink */
	uint8_t prefix[TINYDNS_PREFIX_MAX];
	uint8_t rdata[TINYDNS_RDATA_MAX];
} tinydns_parser_t;

/* Set up a parser.  `mtime` is the modification time of the `data` file:
 * as in tinydns-data, its low 32 bits (1 if they are 0) are the serial of
 * SOAs from `.` lines and the default serial of `Z` lines. */
void tinydns_parser_init(tinydns_parser_t *p, int64_t mtime);

/* Parse one line of a `data` file (`len` bytes, with or without its
 * newline; NUL bytes are ordinary bytes) and hand each record it defines to
 * `sink`, exactly as tinydns-data would write it: lines `. & = + @ ' ^ C Z
 * : S %`; `-`, `#`, blank lines give nothing.  Returns 0; DZ_EFORMAT for a
 * line tinydns-data rejects (bad leading character, a prohibited `:` type,
 * a name with a label over 63 bytes or over 255 bytes, an SRV line without
 * a port); DZ_ELIMIT for rdata over TINYDNS_RDATA_MAX or a location prefix
 * over TINYDNS_PREFIX_MAX bytes; or the sink's non-zero return.  On
 * DZ_EFORMAT and DZ_ELIMIT, *why (if `why` is not NULL) points at a short
 * static English reason; no record of the line has been given to the sink
 * then. */
int tinydns_parse_line(tinydns_parser_t *p, const char *line, size_t len,
                       const tinydns_sink_t *sink, const char **why);

/* Build the cdb key and value tinydns-data writes for `rr`: key = owner
 * lowercased, without the "*" label for a wildcard; value = type, marker
 * ('=' '*' '>' '+'), location if any, TTL, TTD, rdata.  Writes into the
 * caller's key (>= DNAME_MAX is always enough) and val (>= TINYDNS_HDR_MAX
 * + rdlen) and sets *klen and *vlen.  Returns 0, DZ_EINVAL if the owner is
 * not a valid name, `wildcard` disagrees with the owner or rdlen is over
 * TINYDNS_RDATA_MAX, DZ_ESPACE if a buffer is too small. */
int tinydns_rr_encode(const tinydns_rr_t *rr, uint8_t *key, size_t kcap,
                      size_t *klen, uint8_t *val, size_t vcap, size_t *vlen);

/* The cdb key ("\0%" + prefix) and 2-byte value of a location.  Returns 0,
 * DZ_EINVAL if plen is over TINYDNS_PREFIX_MAX, DZ_ESPACE if a buffer is
 * too small. */
int tinydns_loc_encode(const tinydns_loc_t *loc, uint8_t *key, size_t kcap,
                       size_t *klen, uint8_t *val, size_t vcap, size_t *vlen);

/* Write a `data` line (no newline; NUL-terminated) that tinydns-data
 * compiles to exactly `rr`: A (4 bytes) as `+`, NS as `&`, CNAME `C`, PTR
 * `^`, MX `@`, SRV `S`, SOA `Z`, TXT `'` when its strings are split the way
 * tinydns-data splits them, and every other record as a generic `:` line.
 * Names are absolute with every byte outside [A-Za-z0-9*_-] written \NNN.
 * Sets *outlen (without the NUL).  Returns 0; DZ_ESPACE if `cap` is too
 * small (TINYDNS_LINE_MAX always suffices); DZ_ENOTSUP if no line can say
 * it (malformed NS/CNAME/PTR/MX/SOA rdata, which `:` may not carry, or a
 * location code with ':', '\n' or a NUL first byte); DZ_EINVAL for a bad
 * owner. */
int tinydns_rr_to_line(const tinydns_rr_t *rr, char *out, size_t cap,
                       size_t *outlen);

/* Write the `%` line of a location (`%lo:a.b.c`).  Same returns as
 * tinydns_rr_to_line. */
int tinydns_loc_to_line(const tinydns_loc_t *loc, char *out, size_t cap,
                        size_t *outlen);

#endif
