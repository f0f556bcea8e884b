#include "src/common/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "proto/logline.h"

_Static_assert((int)LOG_LVL_ERR == LOGLINE_ERROR && (int)LOG_LVL_DEBUG == LOGLINE_DEBUG,
               "log levels are numbered as proto/logline.h numbers them");

int log_level = LOG_LVL_INFO;

void log_msg(int level, const char *fmt, ...)
{
	char line[LOGLINE_MAX];
	va_list ap;
	if (level > log_level)
		return;
	va_start(ap, fmt);
	logline_format(line, sizeof line, "dynzone", level, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
