/* Thread names: every thread the daemon starts names itself first, so
 * `top -H`, `ps -L`, /proc/PID/task/TID/comm and the benchmarks
 * (tools/bench/dns splits CPU by thread) tell the DNS workers from the
 * committer.  Names are "dz-" and the thread's job, at most 15 bytes. */
#ifndef DZ_THREAD_H
#define DZ_THREAD_H

#include <pthread.h>

/* Name the calling thread (prctl: allowed under the sandbox).  A name
 * that does not fit is cut; failures are ignored. */
static inline void thread_name(const char *name)
{
	char n[16];
	size_t i = 0;
	for (; name[i] && i < sizeof n - 1; i++)
		n[i] = name[i];
	n[i] = 0;
	(void)pthread_setname_np(pthread_self(), n);
}

#endif
