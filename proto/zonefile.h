/* An RFC 1035 master file parser over a memory buffer (no I/O).
 *
 * Handles: $ORIGIN, $TTL (with units 1h30m etc.), relative names, "@",
 * blank owner (= previous owner), optional TTL and class in either order,
 * parentheses spanning lines, ';' comments, quoted strings with escapes,
 * and every type that rdata_from_text knows (generic \# form included).
 * $INCLUDE and $GENERATE are reported as errors for that line.
 * The parser keeps going after a bad line (reporting each), so a caller can
 * list every problem at once. */
#ifndef DZ_ZONEFILE_H
#define DZ_ZONEFILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct zf_record {
	const uint8_t *owner;   /* uncompressed wire form, case kept */
	size_t owner_len;
	uint16_t type;
	uint16_t rclass;        /* always CLASS_IN for now; others are errors */
	uint32_t ttl;
	const uint8_t *rdata;   /* wire form */
	size_t rdlen;
	unsigned line;          /* line where the record starts (1-based) */
} zf_record_t;

/* Called for each record; a non-zero return stops the parse and is
 * returned by zonefile_parse. */
typedef int (*zf_record_cb)(void *ctx, const zf_record_t *rr);
/* Called for each line that cannot be taken: 1-based line, short reason. */
typedef void (*zf_error_cb)(void *ctx, unsigned line, const char *msg);

typedef struct zf_opts {
	const uint8_t *origin;  /* initial $ORIGIN (wire), may be NULL */
	uint32_t default_ttl;   /* used until $TTL; if 0 and no $TTL, the
	                           SOA minimum or 3600 as BIND does */
} zf_opts_t;

/* Parse `len` bytes of `text`.  Returns 0 if every line was taken, the
 * number of lines reported (> 0) if some were not, or the callback's
 * non-zero return (negative) if it stopped the parse; DZ_EINVAL if
 * opts->origin is not a valid name.  The record passed to `cb` (owner and
 * RDATA included) is valid only during the call.  Without $TTL, a record
 * that gives no TTL takes the last TTL given (RFC 1035), else the minimum
 * of the SOA seen, else 3600.  Errors are reported with the line of the
 * token that was refused. */
int zonefile_parse(const char *text, size_t len, const zf_opts_t *opts,
                   zf_record_cb cb, zf_error_cb ecb, void *ctx);

/* Parse a TTL like "3600", "1h30m", "2W" into seconds. 0 or DZ_EFORMAT. */
int zonefile_ttl(const char *text, size_t len, uint32_t *ttl);

#endif
