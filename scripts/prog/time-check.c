// SPDX-License-Identifier: GPL-2.0
/*
 * time-check MS: sleep MS milliseconds in each of several ways (nanosleep,
 * clock_nanosleep on CLOCK_MONOTONIC and CLOCK_REALTIME, an absolute
 * CLOCK_MONOTONIC deadline, select, poll) and check that each returned 0
 * and that CLOCK_MONOTONIC and CLOCK_REALTIME both advanced by at least
 * MS and by less than 4 * MS + 1 s.  Also checks that CLOCK_MONOTONIC
 * never goes backwards over a busy loop.  Exits 0 if all held.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts)) {
		perror("clock_gettime");
		exit(1);
	}
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int failures;

static void check(const char *how, int ret, long long mono, long long real, long ms)
{
	long long lo = ms * 1000000LL, hi = 4 * lo + 1000000000LL;
	int ok = ret == 0 && mono >= lo && mono < hi && real >= lo - 1000000LL && real < hi;

	printf("%s %s: returned %d, monotonic %lld.%06lld s, realtime %lld.%06lld s\n",
	       ok ? "ok" : "FAIL", how, ret, mono / 1000000000, mono % 1000000000 / 1000,
	       real / 1000000000, real % 1000000000 / 1000);
	if (!ok)
		failures++;
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 500;
	struct timespec req = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };
	long long m0, r0, prev, t;
	struct timeval tv;
	int how, ret;
	long i;

	if (ms <= 0 || ms > 60000) {
		fprintf(stderr, "usage: time-check MS (1..60000)\n");
		return 2;
	}
	for (how = 0; how < 6; how++) {
		static const char * const names[] = {
			"nanosleep", "clock_nanosleep(MONOTONIC)",
			"clock_nanosleep(REALTIME)", "clock_nanosleep(MONOTONIC, ABSTIME)",
			"select", "poll",
		};
		struct timespec abs;

		m0 = now_ns(CLOCK_MONOTONIC);
		r0 = now_ns(CLOCK_REALTIME);
		switch (how) {
		case 0:
			ret = nanosleep(&req, NULL) ? errno : 0;
			break;
		case 1:
			ret = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
			break;
		case 2:
			ret = clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL);
			break;
		case 3:
			t = m0 + ms * 1000000LL;
			abs.tv_sec = t / 1000000000;
			abs.tv_nsec = t % 1000000000;
			ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
			break;
		case 4:
			tv.tv_sec = ms / 1000;
			tv.tv_usec = ms % 1000 * 1000;
			ret = select(0, NULL, NULL, NULL, &tv) ? errno : 0;
			break;
		default:
			ret = poll(NULL, 0, ms) ? errno : 0;
			break;
		}
		check(names[how], ret, now_ns(CLOCK_MONOTONIC) - m0,
		      now_ns(CLOCK_REALTIME) - r0, ms);
	}

	prev = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < 200000; i++) {
		t = now_ns(CLOCK_MONOTONIC);
		if (t < prev) {
			printf("FAIL monotonic clock went back %lld ns\n", prev - t);
			failures++;
			break;
		}
		prev = t;
	}
	if (i == 200000)
		printf("ok monotonic over %ld reads\n", i);
	return failures ? 1 : 0;
}
