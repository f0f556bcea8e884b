/* Logging of dynzone-update: to stderr (lines shaped by proto/logline.h,
 * as the daemon's are), and to syslog in daemon mode when
 * asked.  Never pass a token to these functions. */
#ifndef DU_LOG_H
#define DU_LOG_H

#include <stdbool.h>

enum log_level { LOGL_ERROR, LOGL_WARN, LOGL_INFO, LOGL_DEBUG };

/* Set the most verbose level printed and whether to copy lines to syslog. */
void log_setup(enum log_level max, bool use_syslog);

/* Print one line at `level` (printf-style, no trailing newline). */
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOGL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOGL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOGL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOGL_DEBUG, __VA_ARGS__)

#endif
