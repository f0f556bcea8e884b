/* Logging to stderr: "dynzone: LEVEL: message" (the line proto/logline.h
 * shapes for the client too).  A daemon under systemd or
 * runit gets its lines into the journal or the log service from there. */
#ifndef DZ_LOG_H
#define DZ_LOG_H

enum { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern int log_level;   /* messages above this level are dropped */

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
