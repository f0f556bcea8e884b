/* Thread names: every thread the daemon starts names itself first, so
 * `top -H`, `ps -L`, /proc/PID/task/TID/comm and the benchmarks
 * (tools/bench/dns splits CPU by thread) tell the DNS workers from the
 * committer.  Names are "dz-" and the thread's job, at most 15 bytes (the
 * kernel's limit: a longer one is refused and the thread keeps its
 * name). */
#ifndef DZ_THREAD_H
#define DZ_THREAD_H

#include <pthread.h>

/* Name the calling thread (prctl: allowed under the sandbox); a failure
 * is ignored. */
static inline void thread_name(const char *name)
{
	(void)pthread_setname_np(pthread_self(), name);
}

#endif
