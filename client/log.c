/* Logging of dynzone-update; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "proto/logline.h"

_Static_assert((int)LOGL_ERROR == LOGLINE_ERROR && (int)LOGL_DEBUG == LOGLINE_DEBUG,
               "log levels are numbered as proto/logline.h numbers them");

static enum log_level log_max = LOGL_INFO;
static bool log_syslog;

void log_setup(enum log_level max, bool use_syslog)
{
	log_max = max;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("dynzone-update", LOG_PID, LOG_DAEMON);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[LOGLINE_MAX];
	va_list ap;
	size_t msg;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	msg = logline_format(line, sizeof line, "dynzone-update", (int)level, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
	if (log_syslog)
		syslog(prio[level], "%s", line + msg);
}
