/* The shape of a log line; see logline.h. */
#include "proto/logline.h"

#include <stdio.h>
#include <string.h>

void logline_escape(char *s, size_t cap)
{
	/* from the end, so each escape has the room the cut leaves: a byte
	 * that no longer fits is dropped, with what follows it */
	size_t n = strlen(s), extra = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			extra += 3;
	}
	if (!extra)
		return;
	while (n + extra >= cap) {         /* cut whole characters until it fits */
		unsigned char ch = (unsigned char)s[--n];
		if (ch < 0x20 || ch == 0x7f)
			extra -= 3;
	}
	s[n + extra] = 0;
	for (size_t i = n, o = n + extra; i-- > 0;) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			o -= 4;
			s[o] = '\\';
			s[o + 1] = 'x';
			s[o + 2] = hex[ch >> 4];
			s[o + 3] = hex[ch & 15];
		} else {
			s[--o] = (char)ch;
		}
	}
}

size_t logline_format(char *out, size_t cap, const char *prog, int level,
                      const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	const char *name = level >= 0 && level <= LOGLINE_DEBUG ? names[level] : "debug";
	int n = snprintf(out, cap, "%s: %s: ", prog, name);
	size_t off = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
	out[off] = '\0';
	vsnprintf(out + off, cap - off, fmt, ap);
	logline_escape(out + off, cap - off);
	return off;
}
