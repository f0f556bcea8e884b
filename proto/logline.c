/* The shape of a log line; see logline.h. */
#include "proto/logline.h"

#include <stdio.h>

size_t logline_format(char *out, size_t cap, const char *prog, int level,
                      const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	const char *name = level >= 0 && level <= LOGLINE_DEBUG ? names[level] : "debug";
	int n = snprintf(out, cap, "%s: %s: ", prog, name);
	size_t off = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
	out[off] = '\0';
	vsnprintf(out + off, cap - off, fmt, ap);
	return off;
}
