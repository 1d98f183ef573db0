// SPDX-License-Identifier: GPL-2.0
/*
 * fpu-check N: two processes each keep their own values in the SSE and
 * x87 registers across N sched_yield()s, so that the two keep switching
 * while the values sit in the registers, and check them every time.
 * Exits 0 if every value survived.  (SSE as in a Pentium III: movups.)
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int check(int who, long rounds)
{
	float in[8][4], out[8][4];
	double x87_in, x87_out, acc = 0;
	long r;
	int i, j;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 8; i++)
			for (j = 0; j < 4; j++)
				in[i][j] = (float)(who * 1000003 + r * 31 + i * 4 + j);
		x87_in = who + r / 7.0;
		asm volatile("movups 0(%0), %%xmm0\n\tmovups 16(%0), %%xmm1\n\t"
			     "movups 32(%0), %%xmm2\n\tmovups 48(%0), %%xmm3\n\t"
			     "movups 64(%0), %%xmm4\n\tmovups 80(%0), %%xmm5\n\t"
			     "movups 96(%0), %%xmm6\n\tmovups 112(%0), %%xmm7\n\t"
			     "fldl %1"
			     : : "r" (in), "m" (x87_in) : "memory");
		/* The other process runs here, with its own values. */
		asm volatile("int $0x80" : : "a" (158) : "memory");	/* sched_yield */
		asm volatile("movups %%xmm0, 0(%1)\n\tmovups %%xmm1, 16(%1)\n\t"
			     "movups %%xmm2, 32(%1)\n\tmovups %%xmm3, 48(%1)\n\t"
			     "movups %%xmm4, 64(%1)\n\tmovups %%xmm5, 80(%1)\n\t"
			     "movups %%xmm6, 96(%1)\n\tmovups %%xmm7, 112(%1)\n\t"
			     "fstpl %0"
			     : "=m" (x87_out) : "r" (out) : "memory");
		if (memcmp(in, out, sizeof(in)) || x87_in != x87_out) {
			fprintf(stderr, "process %d, round %ld: registers changed (x87 %g -> %g)\n",
				who, r, x87_in, x87_out);
			return 1;
		}
		acc += x87_out * 0.5;	/* some x87 arithmetic between rounds */
	}
	if (acc <= 0) {
		fprintf(stderr, "process %d: x87 arithmetic went wrong (%g)\n", who, acc);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 1000;
	int who, status, failed = 0;
	pid_t pid[2];

	for (who = 0; who < 2; who++) {
		pid[who] = fork();
		if (pid[who] < 0) {
			perror("fork");
			return 1;
		}
		if (!pid[who])
			_exit(check(who + 1, rounds));
	}
	for (who = 0; who < 2; who++)
		if (waitpid(pid[who], &status, 0) != pid[who] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	if (!failed)
		printf("2 processes x %ld rounds: SSE and x87 registers intact\n", rounds);
	return failed;
}
