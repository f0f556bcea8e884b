/* Logging of dynzone-update; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

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
	static const char *const tag[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[1024];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "dynzone-update: %s: %s\n", tag[level], line);
	if (log_syslog)
		syslog(prio[level], "%s", line);
}
