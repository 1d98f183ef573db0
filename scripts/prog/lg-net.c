// SPDX-License-Identifier: GPL-2.0
/*
 * lg-net: a TCP transfer of a known stream, for the network tests.
 *
 *   lg-net recv PORT SECONDS        accept one connection, read to EOF
 *   lg-net send ADDR PORT BYTES SEED SECONDS
 *
 * The sender sends BYTES of a pseudo-random stream made from SEED; both
 * sides print one line, "lg-net: <sent|received> N bytes fnv <hash> in
 * <ms> ms", with the FNV-1a hash of the bytes, so that a test compares
 * the two.  Either side gives up after SECONDS (exit 2).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t fnv = 14695981039346656037ull;

static void hash(const unsigned char *p, size_t n)
{
	while (n--)
		fnv = (fnv ^ *p++) * 1099511628211ull;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void timeout(int sig)
{
	(void)sig;
	fprintf(stderr, "lg-net: timed out\n");
	_exit(2);
}

static void fail(const char *what)
{
	fprintf(stderr, "lg-net: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int do_recv(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	static unsigned char buf[65536];
	unsigned long long total = 0;
	int one = 1, ls, s;
	double t0;
	ssize_t r;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		fail("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sin, sizeof(sin)) || listen(ls, 1))
		fail("bind");
	printf("lg-net: listening on %d\n", port);
	fflush(stdout);
	s = accept(ls, NULL, NULL);
	if (s < 0)
		fail("accept");
	t0 = now_ms();
	while ((r = read(s, buf, sizeof(buf))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail("read");
		}
		hash(buf, r);
		total += r;
	}
	printf("lg-net: received %llu bytes fnv %016llx in %.0f ms\n", total,
	       (unsigned long long)fnv, now_ms() - t0);
	return 0;
}

static int do_send(const char *addr, int port, unsigned long long bytes, uint32_t seed)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	static unsigned char buf[65536];
	unsigned long long left = bytes;
	int s;
	double t0;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "lg-net: bad address %s\n", addr);
		return 1;
	}
	/* The receiver may not listen yet: try until the alarm. */
	for (;;) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			fail("socket");
		if (!connect(s, (struct sockaddr *)&sin, sizeof(sin)))
			break;
		close(s);
		usleep(200000);
	}
	t0 = now_ms();
	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf), i, done = 0;

		for (i = 0; i < n; i++) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			buf[i] = seed;
		}
		hash(buf, n);
		while (done < n) {
			ssize_t w = write(s, buf + done, n - done);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				fail("write");
			}
			done += w;
		}
		left -= n;
	}
	if (shutdown(s, SHUT_WR))
		fail("shutdown");
	/* Wait for the receiver to close: all of it has arrived then. */
	while (read(s, buf, sizeof(buf)) > 0)
		;
	printf("lg-net: sent %llu bytes fnv %016llx in %.0f ms\n", bytes,
	       (unsigned long long)fnv, now_ms() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, timeout);
	if (argc == 4 && !strcmp(argv[1], "recv")) {
		alarm(atoi(argv[3]));
		return do_recv(atoi(argv[2]));
	}
	if (argc == 7 && !strcmp(argv[1], "send")) {
		alarm(atoi(argv[6]));
		return do_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0),
			       strtoul(argv[5], NULL, 0) | 1);
	}
	fprintf(stderr, "usage: lg-net recv PORT SECONDS | send ADDR PORT BYTES SEED SECONDS\n");
	return 1;
}
