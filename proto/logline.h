/* The one shape of a log line, "PROG: LEVEL: message", for both loggers:
 * the daemon's (src/common/log.c) and dynzone-update's (client/log.c).
 * Only the formatting is shared.  Where a line goes (stderr, syslog) and
 * the level filter are I/O and process state, which proto/ may not hold,
 * and the client may not link src/; so each logger keeps its own sink and
 * its own level, and both number levels as here. */
#ifndef DZ_LOGLINE_H
#define DZ_LOGLINE_H

#include <stdarg.h>
#include <stddef.h>

enum { LOGLINE_ERROR, LOGLINE_WARN, LOGLINE_INFO, LOGLINE_DEBUG };

#define LOGLINE_MAX 1100   /* a line's buffer: the prefix and about 1 KiB of text */

/* Rewrite control bytes (< 0x20, 0x7f) in the string s (a buffer of cap
 * bytes) as \xNN, so one log line stays one line whatever a client sent
 * (a newline in a user name cannot forge a line); what no longer fits is
 * cut at a character. */
void logline_escape(char *s, size_t cap);
/* Write "PROG: LEVEL: " and the printf-style message (its control bytes
 * escaped as logline_escape does) into `out` (`cap` >
 * 0 bytes, NUL-terminated), cutting the message to fit: a log line may be
 * cut, never overrun.  `level` is one of LOGLINE_*.  Returns the offset of
 * the message in `out` (for a sink, such as syslog, that adds its own
 * prefix). */
size_t logline_format(char *out, size_t cap, const char *prog, int level,
                      const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

#endif
