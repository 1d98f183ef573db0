// SPDX-License-Identifier: GPL-2.0
/*
 * lg-bench WORKLOAD N: run N operations of one microbenchmark and print
 * "lg-bench WORKLOAD N NS_PER_OP".  scripts/bench runs each workload on
 * the QEMU host and in an lguest guest booted for it, and divides the
 * host exits the guest cost by N.  The workloads follow virtbench:
 *
 *   syscall    getppid() through libc
 *   int80      getppid() with "int $0x80"
 *   clock      clock_gettime(CLOCK_MONOTONIC)
 *   ctxsw      a one-byte round trip through two pipes between two
 *              processes (two context switches)
 *   pagefault  first write to a fresh anonymous page (a 4 MB mapping,
 *              remapped every 1024 pages)
 *   fork       fork(), _exit() in the child, waitpid()
 *   exec       fork(), execve() of this program (/proc/self/exe) doing
 *              nothing, waitpid()
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAP_PAGES	1024
#define PAGE		4096

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Reap a child of the fork and exec workloads; it must have exited 0. */
static void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "lg-bench: a child failed (status %#x)\n", status);
		exit(1);
	}
}

static void run_syscall(long n)
{
	while (n--)
		syscall(SYS_getppid);
}

static void run_int80(long n)
{
	long ret;

	while (n--)
		asm volatile("int $0x80" : "=a" (ret) : "0" ((long)SYS_getppid) : "memory");
}

static void run_clock(long n)
{
	struct timespec ts;

	while (n--)
		clock_gettime(CLOCK_MONOTONIC, &ts);
}

static void run_ctxsw(long n)
{
	int there[2], back[2];
	char c = 0;
	pid_t pid;

	if (pipe(there) || pipe(back))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(there[1]);
		close(back[0]);
		while (read(there[0], &c, 1) == 1 && write(back[1], &c, 1) == 1)
			;
		_exit(0);
	}
	close(there[0]);
	close(back[1]);
	while (n--)
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			die("pipe round trip");
	close(there[1]);
	close(back[0]);
	waitpid(pid, NULL, 0);
}

static void run_pagefault(long n)
{
	while (n > 0) {
		long i, pages = n < MAP_PAGES ? n : MAP_PAGES;
		char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		for (i = 0; i < pages; i++)
			p[i * PAGE] = 1;
		munmap(p, pages * PAGE);
		n -= pages;
	}
}

static void run_fork(long n)
{
	while (n--) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(0);
		reap(pid);
	}
}

static void run_exec(long n)
{
	while (n--) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			execl("/proc/self/exe", "lg-bench", "noop", "0", (char *)NULL);
			_exit(127);
		}
		reap(pid);
	}
}

static void run_noop(long n)
{
	(void)n;
}

static const struct {
	const char *name;
	void (*run)(long n);
} workloads[] = {
	{ "syscall", run_syscall },
	{ "int80", run_int80 },
	{ "clock", run_clock },
	{ "ctxsw", run_ctxsw },
	{ "pagefault", run_pagefault },
	{ "fork", run_fork },
	{ "exec", run_exec },
	{ "noop", run_noop },
};

int main(int argc, char **argv)
{
	unsigned int i;
	long long t0, t1;
	long n;

	if (argc != 3 || (n = atol(argv[2])) < 0) {
		fprintf(stderr, "usage: lg-bench WORKLOAD N\n");
		return 2;
	}
	for (i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++) {
		if (strcmp(argv[1], workloads[i].name))
			continue;
		t0 = now_ns();
		workloads[i].run(n);
		t1 = now_ns();
		if (strcmp(argv[1], "noop"))
			printf("lg-bench %s %ld %.0f\n", argv[1], n,
			       n ? (double)(t1 - t0) / n : 0.0);
		return 0;
	}
	fprintf(stderr, "lg-bench: no workload '%s'\n", argv[1]);
	return 2;
}
