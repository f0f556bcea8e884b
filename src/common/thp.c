/* Transparent huge pages for the zone table; see thp.h. */
#include "src/common/thp.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "src/common/log.h"
#include "src/common/thread.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25           /* Linux 6.1 */
#endif

#define HUGE (2ul << 20)
#define STEP (32ul << 20)          /* collapse this much per call */

/* The [heap] mapping from /proc/self/maps; false if none. */
static bool heap_range(uintptr_t *lo, uintptr_t *hi)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		if (n < 6 || strcmp(line + n - 6, "[heap]") != 0)
			continue;
		char *end;
		errno = 0;
		unsigned long long a = strtoull(line, &end, 16);
		if (errno || *end != '-')
			break;
		unsigned long long b = strtoull(end + 1, &end, 16);
		if (errno || *end != ' ' || b <= a)
			break;
		*lo = (uintptr_t)a;
		*hi = (uintptr_t)b;
		found = true;
	}
	fclose(f);
	return found;
}

static void *collapse_main(void *arg)
{
	thread_name("dz-thp");
	uintptr_t lo, hi;
	/* below the DNS workers: they answer while this runs */
	setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
	if (!heap_range(&lo, &hi))
		return NULL;
	lo = (lo + HUGE - 1) & ~(HUGE - 1);
	hi &= ~(HUGE - 1);
	if (hi <= lo)
		return NULL;
	/* HUGEPAGE first, so that khugepaged keeps the range in huge pages
	 * as the heap's free space is reused */
	if (madvise((void *)lo, hi - lo, MADV_HUGEPAGE)) {
		log_debug("huge pages: MADV_HUGEPAGE: %s", strerror(errno));
		return NULL;
	}
	size_t done = 0;
	for (uintptr_t p = lo; p < hi; p += STEP) {
		size_t len = hi - p < STEP ? hi - p : STEP;
		if (madvise((void *)p, len, MADV_COLLAPSE)) {
			if (errno == EINVAL || errno == ENOSYS) {
				log_debug("huge pages: MADV_COLLAPSE: %s", strerror(errno));
				return NULL;
			}
			continue;   /* EAGAIN/ENOMEM: part of it stays small */
		}
		done += len;
	}
	log_debug("huge pages: %zu of %zu MiB of heap collapsed", done >> 20,
	          (size_t)(hi - lo) >> 20);
	return NULL;
}

void thp_collapse_heap(void)
{
	pthread_t th;
	pthread_attr_t a;
	if (pthread_attr_init(&a))
		return;
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, collapse_main, NULL))
		log_debug("huge pages: no thread: %s", strerror(errno));
	pthread_attr_destroy(&a);
}
