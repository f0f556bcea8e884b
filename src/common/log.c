#include "src/common/log.h"

#include <stdarg.h>
#include <stdio.h>

int log_level = LOG_LVL_INFO;

void log_msg(int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char buf[1024];
	va_list ap;
	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "dynzone: %s: %s\n", names[level], buf);
}
