#include <stdint.h>

#include "proto/textbuf.h"
#include "tests/unit/tap.h"

int main(void)
{
	char s[8];
	textbuf_t b;

	textbuf_init(&b, s, sizeof s);
	is_str(s, "", "init writes the NUL");
	textbuf_str(&b, "ab");
	textbuf_char(&b, 'c');
	textbuf_add(&b, "de", 2);
	textbuf_uint(&b, 42);
	is_str(s, "abcde42", "appends in order, NUL-terminated");
	is_int(b.len, 7, "len counts the text");
	is_int(b.err, 0, "seven bytes and a NUL fit in eight");
	textbuf_char(&b, 'x');
	is_int(b.err, DZ_ESPACE, "one more sets ESPACE");
	is_str(s, "abcde42", "and keeps the text before it");
	textbuf_str(&b, "");
	textbuf_init(&b, s, sizeof s);
	textbuf_str(&b, "123");
	textbuf_str(&b, "45678");
	is_str(s, "123", "an append that does not fit leaves nothing of itself");
	textbuf_str(&b, "4");
	is_str(s, "123", "the error is sticky");

	textbuf_init(&b, s, sizeof s);
	textbuf_fmt(&b, "%s-%d", "ab", 12);
	is_str(s, "ab-12", "fmt");
	textbuf_fmt(&b, "%d", 123);
	is_int(b.err, DZ_ESPACE, "fmt that does not fit sets ESPACE");
	is_str(s, "ab-12", "and is cut off whole");
	is_int(b.len, 5, "len unchanged");

	textbuf_init(&b, s, sizeof s);
	textbuf_uint(&b, 0);
	textbuf_char(&b, ' ');
	is_str(s, "0 ", "uint 0");
	char big[32];
	textbuf_init(&b, big, sizeof big);
	textbuf_uint(&b, UINT64_MAX);
	is_str(big, "18446744073709551615", "uint 2^64-1");

	textbuf_init(&b, NULL, 0);
	is_int(b.err, DZ_ESPACE, "cap 0 starts with ESPACE");
	textbuf_str(&b, "a");
	is_int(b.len, 0, "and appends nothing");
	return tap_done();
}
