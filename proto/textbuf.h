/* A bounded text buffer with a sticky error: text is appended to a
 * caller's array of fixed size; the first append that does not fit sets
 * `err` to DZ_ESPACE, keeps what was there before it, and makes every later
 * append do nothing, so a writer checks `err` once at the end (as the wire
 * cursor in proto/wire.h does for packets).  While cap > 0 the text is
 * always NUL-terminated.  No allocation, no globals: the caller owns the
 * array and the struct. */
#ifndef DZ_TEXTBUF_H
#define DZ_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

#include "proto/errors.h"

typedef struct textbuf {
	char *p;      /* the caller's array */
	size_t cap;   /* its size, NUL included */
	size_t len;   /* text so far; p[len] is NUL */
	int err;      /* 0 or DZ_ESPACE, sticky */
} textbuf_t;

/* Start writing into `p` of `cap` bytes (writes the NUL).  cap 0 is
 * allowed: the buffer starts with err DZ_ESPACE and p is never touched. */
void textbuf_init(textbuf_t *b, char *p, size_t cap);

/* Append `n` bytes (a NUL among them is kept as a byte). */
void textbuf_add(textbuf_t *b, const void *s, size_t n);

/* Append a NUL-terminated string. */
void textbuf_str(textbuf_t *b, const char *s);

/* Append one character. */
void textbuf_char(textbuf_t *b, char c);

/* Append an unsigned number in decimal. */
void textbuf_uint(textbuf_t *b, uint64_t v);

/* Append printf-style text; if it does not fit, nothing of it stays. */
void textbuf_fmt(textbuf_t *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
