/*
 * axfrfloor: the floor reference for the AXFR benchmark, as echo.c is for
 * the DNS one.  A primary that costs nothing: it serves a zone transfer
 * captured beforehand from a real primary (FILE: the AXFR's DNS messages,
 * each with its 2-byte TCP length, as they came), so a secondary's time
 * against it is the secondary's own time plus the network's.
 *
 *   axfrfloor ADDR PORT FILE      e.g. axfrfloor 127.0.0.1 5303 /tmp/zone.axfr
 *
 * Over TCP, an AXFR query gets the whole stream, its message IDs set to
 * the query's, in as few writes as the kernel takes; any other query, over
 * TCP or UDP, gets the stream's first record (the SOA) as its answer, so a
 * secondary's SOA probe sees the zone's serial.  One thread, one
 * connection at a time.  Runs until SIGTERM/SIGINT.  Built by
 * tools/bench/xfr with `cc -O2 -I<repo>` into its work directory.
 */
#define _POSIX_C_SOURCE 200809L /* getaddrinfo */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tools/bench/sock.h"

#define MAX_MSGS 1000000

static uint8_t *stream;       /* the file: length-prefixed messages */
static size_t stream_len;
static size_t *msg_at;        /* offset of each message (after its length) */
static size_t nmsgs;
static uint8_t soa_reply[1024]; /* header | question | SOA, id and question patched per query */

static void die(const char *what)
{
	fprintf(stderr, "axfrfloor: %s: %s\n", what, errno ? strerror(errno) : "bad input");
	exit(1);
}

/* Length of the name at p (uncompressed labels ending in a root label or a
 * pointer), or 0 if it runs past end. */
static size_t name_len(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *s = p;
	while (p < end) {
		if (*p >= 0xc0)
			return p + 2 <= end ? (size_t)(p + 2 - s) : 0;
		if (*p == 0)
			return (size_t)(p + 1 - s);
		p += *p + 1;
	}
	return 0;
}

static void load(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path);
	fseek(f, 0, SEEK_END);
	stream_len = (size_t)ftell(f);
	rewind(f);
	stream = malloc(stream_len ? stream_len : 1);
	msg_at = malloc(MAX_MSGS * sizeof *msg_at);
	if (!stream || !msg_at || fread(stream, 1, stream_len, f) != stream_len)
		die(path);
	fclose(f);
	for (size_t off = 0; off + 2 <= stream_len;) {
		size_t n = (size_t)stream[off] << 8 | stream[off + 1];
		if (n < 12 || off + 2 + n > stream_len || nmsgs == MAX_MSGS) {
			errno = 0;
			die("the stream's framing");
		}
		msg_at[nmsgs++] = off + 2;
		off += 2 + n;
	}
	if (!nmsgs) {
		errno = 0;
		die("an empty stream");
	}
}

/* The reply to a non-AXFR query q (qlen bytes): its header and question,
 * and the first message's first answer record.  Its length, or 0. */
static size_t soa_answer(const uint8_t *q, size_t qlen)
{
	const uint8_t *m = stream + msg_at[0];
	const uint8_t *mend = m + ((size_t)m[-2] << 8 | m[-1]);
	size_t mq = name_len(m + 12, mend);
	size_t qn = qlen > 12 ? name_len(q + 12, q + qlen) : 0;
	if (!mq || !qn || 12 + qn + 4 > qlen)
		return 0;
	const uint8_t *rr = m + 12 + mq + 4;
	size_t on = name_len(rr, mend);
	if (!on || rr + on + 10 > mend)
		return 0;
	size_t rrlen = on + 10 + ((size_t)rr[on + 8] << 8 | rr[on + 9]);
	if (rr + rrlen > mend || 12 + qn + 4 + rrlen > sizeof soa_reply)
		return 0;
	/* a pointer in the record points into the stream's question, at the
	 * same offset as ours only if the names are alike: the bench asks
	 * for the zone's own SOA, whose question is the stream's */
	memcpy(soa_reply, q, 12 + qn + 4);
	soa_reply[2] = 0x84 | (q[2] & 0x01);   /* QR, AA, RD copied */
	soa_reply[3] = 0;
	soa_reply[6] = 0, soa_reply[7] = 1;    /* one answer */
	memset(soa_reply + 8, 0, 4);
	memcpy(soa_reply + 12 + qn + 4, rr, rrlen);
	return 12 + qn + 4 + rrlen;
}

static int read_full(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void serve_tcp(int fd)
{
	uint8_t q[65536 + 2];
	for (;;) {
		if (read_full(fd, q, 2))
			break;
		size_t qlen = (size_t)q[0] << 8 | q[1];
		if (qlen < 12 || read_full(fd, q + 2, qlen))
			break;
		size_t qn = name_len(q + 14, q + 2 + qlen);
		if (qn && 12 + qn + 4 <= qlen && q[14 + qn] == 0 && q[14 + qn + 1] == 252) {
			for (size_t i = 0; i < nmsgs; i++)
				memcpy(stream + msg_at[i], q + 2, 2);
			if (write_full(fd, stream, stream_len))
				break;
			continue;
		}
		size_t n = soa_answer(q + 2, qlen);
		uint8_t len[2] = { (uint8_t)(n >> 8), (uint8_t)n };
		if (!n || write_full(fd, len, 2) || write_full(fd, soa_reply, n))
			break;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: axfrfloor ADDR PORT FILE\n");
		return 2;
	}
	load(argv[3]);
	struct pollfd p[2] = { { .fd = bench_socket(argv[1], argv[2], SOCK_STREAM), .events = POLLIN },
	                       { .fd = bench_socket(argv[1], argv[2], SOCK_DGRAM), .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p[0].revents & POLLIN) {
			int fd = accept(p[0].fd, NULL, NULL);
			if (fd >= 0)
				serve_tcp(fd);
		}
		if (p[1].revents & POLLIN) {
			uint8_t q[4096];
			struct sockaddr_storage from;
			socklen_t fl = sizeof from;
			ssize_t r = recvfrom(p[1].fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
			size_t n = r >= 12 ? soa_answer(q, (size_t)r) : 0;
			if (n)
				sendto(p[1].fd, soa_reply, n, 0, (struct sockaddr *)&from, fl);
		}
	}
}
