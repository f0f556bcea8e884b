/*
 * echo: the floor reference for the DNS benchmark.  A do-nothing UDP server
 * that receives datagrams in batches with recvmmsg, sets the QR bit of each
 * (so DNS tools take it for a reply) and sends the batch back with sendmmsg.
 * Whatever a real server spends per query above this is its own work.
 *
 *   echo ADDR PORT        e.g. echo 127.0.0.1 53001
 *
 * One thread, blocking sockets, runs until SIGTERM/SIGINT.  Built by
 * tools/bench/dns with `cc -O2 -I<repo>` into the bench work directory.
 */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/errors.h"

#define ECHO_BATCH 64
#define ECHO_PKT_MAX 4096

/* Opens the UDP socket bound to addr:port (numeric IPv4 or IPv6); the fd,
 * or a negative DZ_E* code. */
static int open_socket(const char *addr, const char *port)
{
	struct addrinfo hints;
	struct addrinfo *ai = NULL;
	int fd;
	int one = 1;
	int bufsz = 4 << 20;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(addr, port, &hints, &ai) != 0)
		return DZ_EINVAL;
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		goto fail;
	/* Failing to raise the buffers only costs drops, not correctness. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz);
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		goto fail;
	}
	freeaddrinfo(ai);
	return fd;
fail:
	freeaddrinfo(ai);
	return DZ_EIO;
}

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	static unsigned char bufs[ECHO_BATCH][ECHO_PKT_MAX];
	static struct sockaddr_storage peers[ECHO_BATCH];
	static struct iovec iov[ECHO_BATCH];
	static struct mmsghdr msgs[ECHO_BATCH];
	int fd;
	int i;
	int n;
	int sent;

	if (argc != 3) {
		fprintf(stderr, "usage: echo ADDR PORT\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fd = open_socket(argv[1], argv[2]);
	if (fd < 0) {
		fprintf(stderr, "echo: cannot bind %s port %s: %s (%s)\n", argv[1], argv[2],
			dz_strerror(fd), strerror(errno));
		return 1;
	}
	fprintf(stderr, "ready\n");
	for (;;) {
		for (i = 0; i < ECHO_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = ECHO_PKT_MAX;
			memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &peers[i];
			msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
		}
		/* Block for the first datagram, then take what is queued. */
		n = recvmmsg(fd, msgs, ECHO_BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "echo: recvmmsg: %s\n", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			iov[i].iov_len = msgs[i].msg_len;
			if (msgs[i].msg_len >= 3)
				bufs[i][2] |= 0x80; /* QR: this is a reply now */
		}
		for (sent = 0; sent < n;) {
			int r = sendmmsg(fd, msgs + sent, (unsigned)(n - sent), 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				break; /* drop the rest of the batch, like a full queue */
			}
			sent += r;
		}
	}
}
