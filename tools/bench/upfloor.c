/*
 * upfloor: the floor reference for the update benchmark, as echo.c is for
 * the DNS one.  A do-nothing durable HTTP server: for each request (one
 * connection each, as dyndns2 clients send them) it reads the request head,
 * writes one 4 KiB block to a log file, and answers `good ADDR` once an
 * fdatasync that began after that write has returned, then closes.  Group
 * commit: one fdatasync covers every request written while the previous
 * one ran.  No parsing beyond finding myip=, no authentication, no
 * database, no DNS.  What a real server spends per update above this is
 * its own work; what this needs is the least any server with per-request
 * connections and durable replies can need on this machine.
 *
 *   upfloor ADDR PORT FILE        e.g. upfloor 127.0.0.1 8309 /tmp/floor.log
 *
 * FILE (64 MiB) is written in full and synced before listening, and then
 * used as a ring, so no update grows it (as SQLite reuses its WAL): the
 * fdatasyncs sync data, not the file's size.  Two threads: the main one
 * accepts, reads and writes (epoll, non-blocking sockets); the syncer
 * syncs, replies and closes.  Runs until SIGTERM/SIGINT.  Built by
 * tools/bench/update with `cc -O2 -pthread -I<repo>` into its work directory.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tools/bench/sock.h"

#define LOG_SIZE (64u << 20)
#define BLOCK 4096u
#define HEAD_MAX 2048u

struct conn {
	struct conn *next;
	int fd;
	size_t len;
	char head[HEAD_MAX];
};

static int log_fd;

/* The syncer's queue: requests written, waiting for an fdatasync. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct conn *queue;

static int die(const char *what)
{
	fprintf(stderr, "upfloor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Replies `good ADDR` (ADDR: the request's myip=, as dynzone echoes it),
 * blocking until sent, and closes.  Syncer thread. */
static void reply(struct conn *c)
{
	char addr[64] = "";
	const char *p = strstr(c->head, "myip=");
	if (p) {
		size_t n = strcspn(p + 5, "& \r\n");
		if (n >= sizeof addr)
			n = sizeof addr - 1;
		memcpy(addr, p + 5, n);
		addr[n] = 0;
	}
	char body[96], out[256];
	int blen = snprintf(body, sizeof body, "good %s", addr);
	int len = snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	                   "Content-Length: %d\r\nConnection: close\r\n\r\n%s", blen, body);
	int fl = fcntl(c->fd, F_GETFL);
	fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
	for (int off = 0; off < len;) {
		ssize_t w = send(c->fd, out + off, (size_t)(len - off), MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (int)w;
	}
	close(c->fd);
	free(c);
}

static void *syncer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (!queue)
			pthread_cond_wait(&cond, &lock);
		struct conn *list = queue;
		queue = NULL;
		pthread_mutex_unlock(&lock);
		if (fdatasync(log_fd))
			die("fdatasync");
		while (list) {
			struct conn *c = list;
			list = c->next;
			reply(c);
		}
	}
	return NULL;
}

static void make_log(const char *path)
{
	static char zero[1 << 20];
	log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log_fd < 0)
		die(path);
	for (unsigned off = 0; off < LOG_SIZE; off += sizeof zero)
		if (pwrite(log_fd, zero, sizeof zero, off) != (ssize_t)sizeof zero)
			die("writing the log");
	if (fsync(log_fd))
		die("fsync");
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: upfloor ADDR PORT FILE\n");
		return 2;
	}
	make_log(argv[3]);
	int lfd = bench_socket(argv[1], argv[2], SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev))
		die("epoll");
	pthread_t t;
	if (pthread_create(&t, NULL, syncer, NULL))
		die("pthread_create");
	static char block[BLOCK];
	unsigned long slot = 0;
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		struct conn *done = NULL, **tail = &done;
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				int fd;
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					c = calloc(1, sizeof *c);
					if (!c)
						die("calloc");
					c->fd = fd;
					struct epoll_event cev = { .events = EPOLLIN, .data.ptr = c };
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev))
						die("epoll_ctl");
				}
				continue;
			}
			ssize_t r = read(c->fd, c->head + c->len, HEAD_MAX - 1 - c->len);
			if (r < 0 && errno == EAGAIN)
				continue;
			if (r <= 0 || c->len + (size_t)r >= HEAD_MAX - 1) {
				close(c->fd); /* also leaves the epoll set */
				free(c);
				continue;
			}
			c->len += (size_t)r;
			c->head[c->len] = 0;
			if (!strstr(c->head, "\r\n\r\n"))
				continue;
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			memcpy(block, c->head, c->len);
			if (pwrite(log_fd, block, BLOCK, (off_t)(slot++ % (LOG_SIZE / BLOCK)) * BLOCK) !=
			    (ssize_t)BLOCK)
				die("pwrite");
			*tail = c;
			tail = &c->next;
		}
		if (done) {
			/* every block is written: a sync the syncer begins now covers them */
			pthread_mutex_lock(&lock);
			struct conn **q = &queue;
			while (*q)
				q = &(*q)->next;
			*q = done;
			pthread_cond_signal(&cond);
			pthread_mutex_unlock(&lock);
		}
	}
}
