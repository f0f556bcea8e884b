/* Small helpers of dynzone-update; see util.h. */
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static int64_t fake_base;      /* the pretended time at util_set_time() */
static int64_t fake_mono_ms;   /* util_mono_ms() at that moment */
static int fake_on;

int64_t util_now(void)
{
	if (fake_on)
		return fake_base + (util_mono_ms() - fake_mono_ms) / 1000;
	return (int64_t)time(NULL);
}

void util_set_time(int64_t epoch)
{
	fake_base = epoch;
	fake_mono_ms = util_mono_ms();
	fake_on = 1;
}

int64_t util_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint32_t util_random(void)
{
	uint32_t r;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
		return r;
	/* Jitter only spreads load; a weak source is better than none. */
	return (uint32_t)(util_mono_ms() * 2654435761u) ^ (uint32_t)getpid();
}

uint64_t util_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int util_copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return DZ_ESPACE;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int util_copy_str(char *dst, size_t cap, const char *src)
{
	return util_copy(dst, cap, src, strlen(src));
}

void util_fmt(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, cap, fmt, ap);
	va_end(ap);
}

int util_parse_uint(const char *s, size_t n, unsigned long long max,
                    unsigned long long *out)
{
	unsigned long long v = 0;
	if (n == 0 || n > 20)
		return DZ_EFORMAT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return DZ_EFORMAT;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return DZ_EFORMAT;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int util_wait_fd(int fd, short events, int64_t deadline_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	for (;;) {
		int64_t left = deadline_ms - util_mono_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return DZ_EIO;
		}
		int n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return DZ_EIO;
	}
}

void util_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

void util_urlenc(textbuf_t *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~:,", c)) {
			textbuf_add(b, s, 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			textbuf_add(b, e, 3);
		}
	}
}
