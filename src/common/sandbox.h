/* The serving process's sandbox (seccomp = yes): PR_SET_NO_NEW_PRIVS and a
 * seccomp allow-list of the system calls the running daemon makes; any
 * other call kills the whole process (SCMP_ACT_KILL_PROCESS), so a bug
 * that lets a client run code cannot exec a shell, ptrace, mount, load a
 * module or change user.
 *
 * serve calls sandbox_enter once on its main thread after everything is
 * bound, opened and started and privileges are dropped; the filter is
 * synchronised onto every thread already running (TSYNC) and inherited by
 * every thread started later (HTTPS daemons restarted on SIGHUP).
 *
 * The list is generous on purpose: what SQLite (mmap, fdatasync, fchown,
 * the journal and WAL files), glibc (clone3, rseq, futex), liburcu
 * (membarrier), libmicrohttpd (epoll, eventfd, sendfile) and the services
 * (recvmmsg/sendmmsg, the export's temp file and rename, NOTIFY's socket)
 * need.  A daemon killed by a missing call shows "Bad system call" (SIGSYS)
 * as its exit; the kernel's audit log names the call. */
#ifndef DZ_SANDBOX_H
#define DZ_SANDBOX_H

#include <stddef.h>

/* Set no-new-privs and load the allow-list on every thread.  *nrules is
 * the number of system calls allowed.  0, or DZ_EIO with a message in err
 * (the caller stops: a sandbox asked for and not had is a start-up error). */
int sandbox_enter(unsigned *nrules, char *err, size_t errlen);

#endif
