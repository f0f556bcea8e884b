/* Logging to stderr (or log-file, which serve puts on stderr): "dynzone: LEVEL: message" (the line proto/logline.h
 * shapes for the client too), one line per event, with control bytes
 * escaped so nothing a client sends can start a line of its own.  A
 * daemon under systemd or runit gets its lines into the journal or the log
 * service from there; log-timestamps puts an ISO 8601 UTC time first for
 * plain files.
 *
 * Events that operators and fail2ban act on are key=value lines:
 *   update host=NAME client=ADDR result=CODE [addrs=...] agent="..."
 *   update auth=failed client=ADDR host=NAME result=badauth ...
 *   api login auth=failed client=ADDR user="..." result=bad_credentials
 * (dist/fail2ban/ matches auth=failed ... client=ADDR). */
#ifndef DZ_LOG_H
#define DZ_LOG_H

enum { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

#include <stdbool.h>
#include <stddef.h>

extern int log_level;   /* messages above this level are dropped */
extern bool log_timestamps;   /* put the UTC time first (log-timestamps) */

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* log-file: open PATH for appending (created 0640) and send stderr, and
 * so every log line, there.  Called by serve before dropping privileges.
 * 0, or DZ_EIO / DZ_ENOMEM with a message naming the path in err. */
int log_open_file(const char *path, char *err, size_t errlen);
/* SIGHUP (serve's main thread): open the log-file path again, as the user
 * the server now runs as, so a file renamed by logrotate is let go.  On
 * failure the old file stays in use and DZ_EIO comes back with a message.
 * 0 at once if no log-file is set. */
int log_reopen(char *err, size_t errlen);

/* An untrusted string as a quoted log value, "...", with '"' and '\\'
 * escaped, into buf (cut to fit cap); returns buf. */
const char *log_q(char *buf, size_t cap, const char *s);

#endif
