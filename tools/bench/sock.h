/* The listening socket of the benchmarks' floor servers (upfloor.c,
 * axfrfloor.c): bound to the numeric ADDR:PORT, SO_REUSEADDR, listening if
 * a stream socket.  Exits with a message on failure: these are test
 * fixtures, started by the bench scripts. */
#ifndef DZ_BENCH_SOCK_H
#define DZ_BENCH_SOCK_H

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int bench_socket(const char *addr, const char *port, int type)
{
	struct addrinfo hints = { .ai_socktype = type & 0xf,
	                          .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai;
	int one = 1;
	if (getaddrinfo(addr, port, &hints, &ai) != 0) {
		fprintf(stderr, "%s: not a numeric address and port: %s %s\n", __FILE__, addr, port);
		exit(1);
	}
	int fd = socket(ai->ai_family, type, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) ||
	    ((type & 0xf) == SOCK_STREAM && listen(fd, 1024))) {
		fprintf(stderr, "%s %s: %s\n", addr, port, strerror(errno));
		exit(1);
	}
	freeaddrinfo(ai);
	return fd;
}

#endif
