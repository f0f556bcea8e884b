/* The checked cursor: every read and write of packet bytes goes through it.
 *
 * A cursor covers [base, base+len).  Reads and writes check the remaining
 * length; the first failure sets a sticky error, after which every call does
 * nothing (reads yield zero), so a parser checks `w->err` once at the end.
 * Integers are big-endian on the wire and go through memcpy, never a cast
 * pointer. */
#ifndef DZ_WIRE_H
#define DZ_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/errors.h"

/* Raw big-endian loads and stores at a pointer, for bytes whose bounds the
 * caller has already checked (a record the zone table prepared, a field of
 * RDATA that rdata_check passed, a fixed array).  The cursor below is built
 * on them; network input goes through the cursor, never through these. */
static inline uint16_t wire_load_u16(const void *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return __builtin_bswap16(v);
}

static inline uint32_t wire_load_u32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}

static inline void wire_store_u16(void *p, uint16_t v)
{
	v = __builtin_bswap16(v);
	memcpy(p, &v, 2);
}

static inline void wire_store_u32(void *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

/* The cursor ---------------------------------------------------------------- */

typedef struct wire {
	uint8_t *base;  /* start of the whole message (compression targets) */
	size_t len;     /* bytes readable, or capacity when writing */
	size_t pos;     /* cursor */
	int err;        /* sticky: 0 or a DZ_E* code */
} wire_t;

static inline void wire_init(wire_t *w, void *buf, size_t len)
{
	w->base = buf;
	w->len = len;
	w->pos = 0;
	w->err = 0;
}

static inline size_t wire_avail(const wire_t *w)
{
	return w->err ? 0 : w->len - w->pos;
}

static inline void wire_fail(wire_t *w, int err)
{
	if (!w->err)
		w->err = err;
}

static inline int wire_need(wire_t *w, size_t n, int err)
{
	if (w->err)
		return 0;
	if (w->len - w->pos < n) {
		w->err = err;
		return 0;
	}
	return 1;
}

static inline uint8_t wire_read_u8(wire_t *w)
{
	if (!wire_need(w, 1, DZ_EFORMAT))
		return 0;
	return w->base[w->pos++];
}

static inline uint16_t wire_read_u16(wire_t *w)
{
	if (!wire_need(w, 2, DZ_EFORMAT))
		return 0;
	w->pos += 2;
	return wire_load_u16(w->base + w->pos - 2);
}

static inline uint32_t wire_read_u32(wire_t *w)
{
	if (!wire_need(w, 4, DZ_EFORMAT))
		return 0;
	w->pos += 4;
	return wire_load_u32(w->base + w->pos - 4);
}

static inline void wire_read_bytes(wire_t *w, void *dst, size_t n)
{
	if (!wire_need(w, n, DZ_EFORMAT)) {
		if (n)
			memset(dst, 0, n);
		return;
	}
	memcpy(dst, w->base + w->pos, n);
	w->pos += n;
}

/* Pointer to the next n bytes, advancing past them; NULL on error. */
static inline const uint8_t *wire_read_ptr(wire_t *w, size_t n)
{
	if (!wire_need(w, n, DZ_EFORMAT))
		return NULL;
	const uint8_t *p = w->base + w->pos;
	w->pos += n;
	return p;
}

static inline void wire_skip(wire_t *w, size_t n)
{
	if (wire_need(w, n, DZ_EFORMAT))
		w->pos += n;
}

static inline void wire_write_u8(wire_t *w, uint8_t v)
{
	if (wire_need(w, 1, DZ_ESPACE))
		w->base[w->pos++] = v;
}

static inline void wire_write_u16(wire_t *w, uint16_t v)
{
	if (!wire_need(w, 2, DZ_ESPACE))
		return;
	wire_store_u16(w->base + w->pos, v);
	w->pos += 2;
}

static inline void wire_write_u32(wire_t *w, uint32_t v)
{
	if (!wire_need(w, 4, DZ_ESPACE))
		return;
	wire_store_u32(w->base + w->pos, v);
	w->pos += 4;
}

static inline void wire_write_bytes(wire_t *w, const void *src, size_t n)
{
	if (!wire_need(w, n, DZ_ESPACE))
		return;
	memcpy(w->base + w->pos, src, n);
	w->pos += n;
}

/* Overwrite a u16 already written at offset `at` (e.g. a count or length). */
static inline void wire_patch_u16(wire_t *w, size_t at, uint16_t v)
{
	if (w->err || at > w->len || w->len - at < 2) {
		wire_fail(w, DZ_ESPACE);
		return;
	}
	wire_store_u16(w->base + at, v);
}

/* Offsets ------------------------------------------------------------------ */

/* The cursor's offset from the start of the buffer. */
static inline size_t wire_pos(const wire_t *w)
{
	return w->pos;
}

/* Move the cursor to offset `at` (backwards or forwards, at most to the
 * end); beyond the end sets DZ_EFORMAT and leaves the cursor.  Does
 * nothing after an error. */
static inline void wire_seek(wire_t *w, size_t at)
{
	if (w->err)
		return;
	if (at > w->len) {
		w->err = DZ_EFORMAT;
		return;
	}
	w->pos = at;
}

/* Clear the error and move the cursor back to offset `at` (<= where it
 * is): undo a record that did not fit, to write it into the next
 * message instead. */
static inline void wire_rewind(wire_t *w, size_t at)
{
	if (at <= w->pos) {
		w->pos = at;
		w->err = 0;
	}
}

/* Peeking: read without moving the cursor or touching the error --------- */

/* The byte, u16 or u32 at the cursor; 0 if fewer bytes remain or after an
 * error.  Check wire_avail() first where 0 is a valid value. */
static inline uint8_t wire_peek_u8(const wire_t *w)
{
	return wire_avail(w) >= 1 ? w->base[w->pos] : 0;
}

static inline uint16_t wire_peek_u16(const wire_t *w)
{
	return wire_avail(w) >= 2 ? wire_load_u16(w->base + w->pos) : 0;
}

static inline uint32_t wire_peek_u32(const wire_t *w)
{
	return wire_avail(w) >= 4 ? wire_load_u32(w->base + w->pos) : 0;
}

/* The u16 at absolute offset `at`, wherever the cursor is (a header field
 * of a message being written); 0 if out of range.  Ignores the error. */
static inline uint16_t wire_peek_u16_at(const wire_t *w, size_t at)
{
	if (at > w->len || w->len - at < 2)
		return 0;
	return wire_load_u16(w->base + at);
}

/* Names ------------------------------------------------------------------ */

#define DNAME_MAX 255     /* wire length of a name, root label included */
#define DLABEL_MAX 63
#define DNAME_PTR_HOPS 64 /* cap on compression pointers followed */

/* Read a possibly compressed name at the cursor into `out` (uncompressed
 * wire form, case kept, at least DNAME_MAX bytes).  Validates label lengths,
 * total length, that every pointer goes strictly backwards and the hop cap.
 * Returns the wire length of the name, or 0 with w->err set. */
size_t wire_read_name(wire_t *w, uint8_t *out);

/* Skip a possibly compressed name at the cursor, validating it as above. */
void wire_skip_name(wire_t *w);

/* Compression for names written into a message.  Remembers up to
 * WIRE_CTAB_MAX offsets of names already in the buffer; a name (or suffix)
 * that matches one of them (ASCII case-insensitive) is written as a pointer.
 * Only offsets < 0x4000 are usable.  When the table is full, the newest
 * written name replaces the last entry. */
#define WIRE_CTAB_MAX 32
typedef struct wire_ctab {
	uint16_t off[WIRE_CTAB_MAX];
	unsigned n;
} wire_ctab_t;

/* Write an uncompressed wire name `name` at the cursor, compressing it
 * against the names recorded in `ct` (may be NULL: no compression), and
 * record the new name's suffixes in `ct`. */
void wire_write_name(wire_t *w, const uint8_t *name, wire_ctab_t *ct);

#endif
