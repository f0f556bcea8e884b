/* seccomp allow-list; see sandbox.h. */
#include "src/common/sandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "proto/errors.h"

/* By name, so one list serves every architecture: a name the running
 * architecture lacks (open on arm64, say) is skipped. */
static const char *const allowed[] = {
	/* files: SQLite, the export, the log file, TLS files on reload */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
	"preadv2", "pwritev2", "lseek", "_llseek", "close", "close_range",
	"open", "openat", "openat2", "stat", "fstat", "lstat", "newfstatat", "statx",
	"fstat64", "stat64", "lstat64", "fstatat64", "statfs", "fstatfs", "statfs64", "fstatfs64",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd",
	"fcntl", "fcntl64", "flock", "fsync", "fdatasync", "sync_file_range",
	"ftruncate", "ftruncate64", "truncate", "fallocate", "unlink", "unlinkat",
	"rename", "renameat", "renameat2", "fchmod", "fchown", "fchown32", "umask",
	"getdents64", "utimensat", "fadvise64", "fadvise64_64", "dup", "dup2", "dup3", "pipe", "pipe2",
	"sendfile", "sendfile64", "ioctl",
	/* memory */
	"mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "brk", "msync",
	"mincore", "membarrier",
	/* threads, time, signals */
	"futex", "futex_time64", "futex_waitv", "get_robust_list", "set_robust_list",
	"rseq", "set_tid_address", "clone", "clone3", "exit", "exit_group",
	"sched_yield", "sched_getaffinity", "sched_getparam", "sched_getscheduler",
	"sched_get_priority_max", "sched_get_priority_min", "getcpu", "get_mempolicy",
	/* the huge-page collapse thread (thp.c) lowers its own priority when
	 * it starts, which may be after the filter is in: without it a
	 * start-up race killed the server with SIGSYS now and then */
	"setpriority", "getpriority",
	"rt_sigpending", "getpgrp", "getsid",
	"nanosleep", "clock_nanosleep", "clock_nanosleep_time64", "clock_gettime",
	"clock_gettime64", "clock_getres", "clock_getres_time64", "gettimeofday", "time",
	"gettid", "getpid", "getppid", "tgkill", "tkill", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "sigreturn", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"sigaltstack", "restart_syscall", "prctl", "arch_prctl",
	"getrlimit", "prlimit64", "getrusage", "sysinfo", "uname", "getrandom",
	"getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid", "getresgid",
	"getuid32", "geteuid32", "getgid32", "getegid32",
	/* event loops */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"epoll_pwait2", "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6",
	"pselect6_time64", "eventfd", "eventfd2", "timerfd_create", "timerfd_settime",
	"timerfd_gettime",
	/* sockets: DNS, HTTP, NOTIFY */
	"socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
	"sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
	"recvmmsg_time64", "shutdown", "getsockname", "getpeername", "setsockopt",
	"getsockopt", "socketcall",
};

int sandbox_enter(unsigned *nrules, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = NULL;
	unsigned n = 0;
	int rc;
	*nrules = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "seccomp: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return DZ_EIO;
	}
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: cannot set up a filter (set seccomp = no "
		         "where the kernel has none)");
		return DZ_EIO;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (rc)
		goto fail;
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;   /* not a call of this architecture */
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc == -EEXIST)
			continue;   /* an alias of one already added */
		if (rc)
			goto fail;
		n++;
	}
	rc = seccomp_load(ctx);
	if (rc)
		goto fail;
	seccomp_release(ctx);
	*nrules = n;
	return 0;
fail:
	snprintf(err, errlen, "seccomp: loading the allow-list: %s (set seccomp = no "
	         "where the kernel has no seccomp filters)", strerror(-rc));
	seccomp_release(ctx);
	return DZ_EIO;
}
