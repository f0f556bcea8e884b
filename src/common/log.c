/* Logging to stderr; see log.h. */
#include "src/common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"

#include "proto/logline.h"

_Static_assert((int)LOG_LVL_ERR == LOGLINE_ERROR && (int)LOG_LVL_DEBUG == LOGLINE_DEBUG,
               "log levels are numbered as proto/logline.h numbers them");

int log_level = LOG_LVL_INFO;
bool log_timestamps = false;
static char *log_path;   /* log-file, or NULL: stderr as inherited */

/* Open path onto stderr: dup2 swaps the descriptor in one step, so a line
 * being written by another thread goes wholly to the old file or the new. */
static int open_onto_stderr(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "log-file %s: %s", path, strerror(errno));
		return DZ_EIO;
	}
	if (fd != STDERR_FILENO) {
		if (dup2(fd, STDERR_FILENO) < 0) {
			snprintf(err, errlen, "log-file %s: %s", path, strerror(errno));
			close(fd);
			return DZ_EIO;
		}
		close(fd);
	}
	return 0;
}

int log_open_file(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return DZ_ENOMEM;
	}
	int rc = open_onto_stderr(path, err, errlen);
	if (rc) {
		free(copy);
		return rc;
	}
	free(log_path);
	log_path = copy;
	return 0;
}

int log_reopen(char *err, size_t errlen)
{
	if (!log_path)
		return 0;
	return open_onto_stderr(log_path, err, errlen);
}

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
