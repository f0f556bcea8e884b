/* Logging to stderr; see log.h. */
#include "src/common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto/logline.h"

_Static_assert((int)LOG_LVL_ERR == LOGLINE_ERROR && (int)LOG_LVL_DEBUG == LOGLINE_DEBUG,
               "log levels are numbered as proto/logline.h numbers them");

int log_level = LOG_LVL_INFO;
bool log_timestamps = false;

void log_msg(int level, const char *fmt, ...)
{
	char line[LOGLINE_MAX], stamp[40] = "";
	va_list ap;
	if (level > log_level)
		return;
	if (log_timestamps) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		if (gmtime_r(&ts.tv_sec, &tm)) {
			size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(stamp + n, sizeof stamp - n, ".%03ldZ ", ts.tv_nsec / 1000000);
		}
	}
	va_start(ap, fmt);
	logline_format(line, sizeof line, "dynzone", level, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", stamp, line);
}

const char *log_q(char *buf, size_t cap, const char *s)
{
	size_t o = 0;
	if (cap < 3) {
		if (cap)
			buf[0] = 0;
		return buf;
	}
	buf[o++] = '"';
	for (; s && *s && o + 3 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			if (o + 4 >= cap)
				break;
			buf[o++] = '\\';
		}
		buf[o++] = (char)ch;   /* control bytes: log_msg escapes them */
	}
	buf[o++] = '"';
	buf[o] = 0;
	return buf;
}
