#include <stdarg.h>

#include "proto/logline.h"
#include "tests/unit/tap.h"

static size_t fmt(char *out, size_t cap, int level, const char *f, ...)
	__attribute__((format(printf, 4, 5)));
static size_t fmt(char *out, size_t cap, int level, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	size_t off = logline_format(out, cap, "prog", level, f, ap);
	va_end(ap);
	return off;
}

int main(void)
{
	char line[LOGLINE_MAX], small[12];

	size_t off = fmt(line, sizeof line, LOGLINE_WARN, "%s %d", "x", 7);
	is_str(line, "prog: warning: x 7", "prefix, level name, message");
	is_str(line + off, "x 7", "the offset points at the message");
	fmt(line, sizeof line, LOGLINE_ERROR, "e");
	is_str(line, "prog: error: e", "error");
	fmt(line, sizeof line, LOGLINE_DEBUG, "d");
	is_str(line, "prog: debug: d", "debug");
	off = fmt(small, sizeof small, LOGLINE_INFO, "long message");
	is_str(small, "prog: info:", "a line is cut to fit");
	is_int(off, 11, "and the offset stays inside it");

	fmt(line, sizeof line, LOGLINE_INFO, "user=%s", "x\ndynzone: forged\r\x7f");
	is_str(line, "prog: info: user=x\\x0adynzone: forged\\x0d\\x7f",
	       "control bytes are escaped: one event, one line");
	char esc[12] = "ab\ncd\nef";
	logline_escape(esc, sizeof esc);
	is_str(esc, "ab\\x0acd", "an escape that no longer fits is cut with what follows");
	char tight[9] = "abc\ndef";
	logline_escape(tight, sizeof tight);
	is_str(tight, "abc\\x0ad", "never past the buffer (9 bytes)");
	char plain[8] = "abc def";
	logline_escape(plain, sizeof plain);
	is_str(plain, "abc def", "plain text is left alone");
	return tap_done();
}
