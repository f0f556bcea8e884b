/* The bounded text buffer; see textbuf.h. */
#include "proto/textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void textbuf_init(textbuf_t *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->err = cap ? 0 : DZ_ESPACE;
	if (cap)
		p[0] = '\0';
}

void textbuf_add(textbuf_t *b, const void *s, size_t n)
{
	if (b->err)
		return;
	if (n >= b->cap - b->len) {
		b->err = DZ_ESPACE;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void textbuf_str(textbuf_t *b, const char *s)
{
	textbuf_add(b, s, strlen(s));
}

void textbuf_char(textbuf_t *b, char c)
{
	textbuf_add(b, &c, 1);
}

void textbuf_uint(textbuf_t *b, uint64_t v)
{
	char d[20];
	size_t i = sizeof d;
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	textbuf_add(b, d + i, sizeof d - i);
}

void textbuf_fmt(textbuf_t *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->p[b->len] = '\0';
		b->err = DZ_ESPACE;
		return;
	}
	b->len += (size_t)n;
}
