/* Small helpers of dynzone-update: the clock (which tests can fake), random
 * numbers, a hash, checked string copies, URL encoding into a text buffer
 * (proto/textbuf.h). */
#ifndef DU_UTIL_H
#define DU_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/errors.h"
#include "proto/textbuf.h"

/* Wall-clock seconds since the epoch.  After util_set_time() it is the
 * given time plus the real seconds elapsed since that call, so a test can
 * move the client's clock forward without waiting. */
int64_t util_now(void);

/* Pretend the current time is `epoch` (for tests: --time). */
void util_set_time(int64_t epoch);

/* Monotonic milliseconds, for time-outs; never faked. */
int64_t util_mono_ms(void);

/* 32 random bits from the kernel (getrandom); falls back to a weaker source
 * rather than fail, since jitter is not a secret. */
uint32_t util_random(void);

/* FNV-1a 64: continue hash `h` over `n` bytes.  Start with UTIL_HASH_INIT. */
#define UTIL_HASH_INIT 0xcbf29ce484222325ULL
uint64_t util_hash(uint64_t h, const void *p, size_t n);

/* Copy `n` bytes of `src` and a NUL into `dst` of `cap` bytes.  Returns 0,
 * or DZ_ESPACE (dst untouched) if it does not fit. */
int util_copy(char *dst, size_t cap, const char *src, size_t n);

/* util_copy of a NUL-terminated string. */
int util_copy_str(char *dst, size_t cap, const char *src);

/* snprintf for messages: the text is cut to fit `cap` (> 0), which is
 * fine for a log line. */
void util_fmt(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse a decimal unsigned number that must span all of [s, s+n) and be at
 * most `max`.  Returns 0 or DZ_EFORMAT. */
int util_parse_uint(const char *s, size_t n, unsigned long long max,
                    unsigned long long *out);

/* Wait until `fd` is ready for `events` (POLLIN/POLLOUT) or the monotonic
 * `deadline_ms` passes.  Returns 0, or DZ_EIO with errno ETIMEDOUT (time
 * out) or the poll error. */
int util_wait_fd(int fd, short events, int64_t deadline_ms);

/* Overwrite a secret so it does not linger in memory. */
void util_wipe(void *p, size_t n);

/* Append `s` percent-encoded for a URL query value: RFC 3986 unreserved
 * characters and ':' ',' (as dyndns2 clients send addresses) stay as they
 * are, everything else becomes %XX. */
void util_urlenc(textbuf_t *b, const char *s);

#endif
