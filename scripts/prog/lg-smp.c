// SPDX-License-Identifier: GPL-2.0
/*
 * lg-smp: what an SMP host does around its guests' launchers, for the
 * lguest SMP tests.
 *
 *   lg-smp migrate MS SECONDS PID...
 *          every MS milliseconds, move every thread of each PID to the
 *          other of CPUs 0 and 1 (the PIDs in turn on opposite CPUs),
 *          until all PIDs are gone or SECONDS have passed
 *   lg-smp tlb SECONDS
 *          two threads pinned on each online CPU, each writing to its
 *          own pages of one shared mapping and taking write permission
 *          away and back with mprotect(): a TLB shootdown IPI to each
 *          other CPU that runs one of the threads then; for SECONDS.
 *          Two per CPU at nice -5, so that beside a guest's launcher on
 *          each CPU they mostly run, and on several CPUs at once (a
 *          shootdown goes only to CPUs that have the mm loaded)
 *   lg-smp share CPU SECONDS
 *          spin on CPU for SECONDS of wall time; print how much of it
 *          was CPU time of this task: "share: ... N%"
 *   lg-smp stall SECONDS CMD ARGS...
 *          run CMD (a launcher) with every thread but its first stopped
 *          (ptrace) for its first SECONDS: its device workers answer
 *          nothing meanwhile, as on a host too busy to run them, while
 *          the guest itself runs; exits with CMD's status
 *
 * Each prints what it did on lines starting with "# ".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096
#define TLB_PAGES	8	/* per thread */
#define TLB_THREADS	2	/* per CPU */
#define TLB_NICE	-5
#define MAX_CPUS	64

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

/* Move pid's threads to cpu: how many moved, or -1 if pid is gone. */
static int move_threads(pid_t pid, int cpu)
{
	char path[64];
	struct dirent *e;
	int moved = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && pin(atoi(e->d_name), cpu) == 0)
			moved++;
	closedir(d);
	return moved;
}

static int migrate(long ms, long seconds, int npids, char **pids)
{
	struct timespec gap = { ms / 1000, ms % 1000 * 1000000 };
	double t0 = now(CLOCK_MONOTONIC);
	unsigned long rounds = 0, moves = 0;
	int i, alive, n;

	do {
		alive = 0;
		for (i = 0; i < npids; i++) {
			n = move_threads(atoi(pids[i]), (rounds + i) & 1);
			if (n >= 0) {
				alive++;
				moves += n;
			}
		}
		rounds++;
		nanosleep(&gap, NULL);
	} while (alive && now(CLOCK_MONOTONIC) - t0 < seconds);
	printf("# lg-smp migrate: %lu rounds %ld ms apart in %.1f s, %lu thread moves\n",
	       rounds, ms, now(CLOCK_MONOTONIC) - t0, moves);
	return 0;
}

struct tlb_thread {
	pthread_t thread;
	int cpu;
	volatile char *mem;
	double end;
	unsigned long calls, failed;
};

static void *tlb_loop(void *arg)
{
	struct tlb_thread *t = arg;
	size_t len = TLB_PAGES * PAGE;
	unsigned long i;
	int p;

	if (pin(0, t->cpu))
		perror("# sched_setaffinity");
	if (setpriority(PRIO_PROCESS, syscall(SYS_gettid), TLB_NICE))
		perror("# setpriority");
	for (i = 0; i % 64 || now(CLOCK_MONOTONIC) < t->end; i++) {
		for (p = 0; p < TLB_PAGES; p++)
			t->mem[p * PAGE]++;
		if (mprotect((void *)t->mem, len, PROT_READ) ||
		    mprotect((void *)t->mem, len, PROT_READ | PROT_WRITE))
			t->failed++;
		t->calls += 2;
	}
	return NULL;
}

static int tlb(long seconds)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), n = ncpu * TLB_THREADS;
	struct tlb_thread t[MAX_CPUS * TLB_THREADS];
	unsigned long calls = 0, failed = 0;
	double end = now(CLOCK_MONOTONIC) + seconds;
	char *mem;
	int i;

	if (ncpu < 1 || ncpu > MAX_CPUS) {
		printf("# lg-smp tlb: %ld CPUs online?\n", ncpu);
		return 1;
	}
	mem = mmap(NULL, n * TLB_PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("# mmap");
		return 1;
	}
	for (i = 0; i < n; i++) {
		t[i] = (struct tlb_thread){ .cpu = i % ncpu, .mem = mem + i * TLB_PAGES * PAGE,
					    .end = end };
		if (pthread_create(&t[i].thread, NULL, tlb_loop, &t[i])) {
			printf("# pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i].thread, NULL);
		calls += t[i].calls;
		failed += t[i].failed;
	}
	printf("# lg-smp tlb: %ld threads on %ld CPUs: %lu mprotect() calls in %ld s, %lu failed\n",
	       n, ncpu, calls, seconds, failed);
	return failed ? 1 : 0;
}

static int share(int cpu, long seconds)
{
	double w0, c0, wall, cpu_time;
	volatile unsigned long spin = 0;

	if (pin(0, cpu)) {
		perror("# sched_setaffinity");
		return 1;
	}
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_THREAD_CPUTIME_ID);
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
	} while (now(CLOCK_MONOTONIC) - w0 < seconds);
	wall = now(CLOCK_MONOTONIC) - w0;
	cpu_time = now(CLOCK_THREAD_CPUTIME_ID) - c0;
	printf("# lg-smp share: CPU %d: %.2f s of CPU time in %.2f s: %d%%\n", cpu, cpu_time,
	       wall, (int)(cpu_time * 100 / wall));
	return 0;
}

#define STALL_MAX	64	/* threads */

/*
 * Stop each thread of pid but the first as it appears, until SECONDS
 * have passed; then let them go and wait for pid.
 */
static int stall(long seconds, char **cmd)
{
	pid_t tids[STALL_MAX], pid;
	int n = 0, i, status;
	double end;

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		execvp(cmd[0], cmd);
		perror(cmd[0]);
		_exit(127);
	}
	end = now(CLOCK_MONOTONIC) + seconds;
	while (now(CLOCK_MONOTONIC) < end) {
		char path[64];
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		d = opendir(path);
		if (!d)
			break;
		while ((e = readdir(d))) {
			pid_t tid = atoi(e->d_name);

			if (tid <= 0 || tid == pid)
				continue;
			for (i = 0; i < n && tids[i] != tid; i++)
				;
			if (i < n || n == STALL_MAX)
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0, 0) || ptrace(PTRACE_INTERRUPT, tid, 0, 0)) {
				fprintf(stderr, "lg-smp: cannot stop thread %d: %s\n", tid, strerror(errno));
				continue;
			}
			tids[n++] = tid;
			printf("# stopped thread %d\n", tid);
		}
		closedir(d);
		usleep(1000);
	}
	for (i = 0; i < n; i++) {
		/* detach needs the tracee stopped: reap its stop first */
		if (waitpid(tids[i], &status, __WALL) == tids[i] && WIFSTOPPED(status))
			ptrace(PTRACE_DETACH, tids[i], 0, 0);
	}
	printf("# let %d threads go after %ld s\n", n, seconds);
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void usage(void)
{
	fprintf(stderr, "usage: lg-smp migrate MS SECONDS PID... | tlb SECONDS | share CPU SECONDS | stall SECONDS CMD...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 5 && !strcmp(argv[1], "migrate") && atol(argv[2]) > 0 && atol(argv[3]) > 0)
		return migrate(atol(argv[2]), atol(argv[3]), argc - 4, argv + 4);
	if (argc == 3 && !strcmp(argv[1], "tlb") && atol(argv[2]) > 0)
		return tlb(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "share") && atol(argv[3]) > 0)
		return share(atoi(argv[2]), atol(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "stall") && atol(argv[2]) > 0)
		return stall(atol(argv[2]), argv + 3);
	usage();
	return 2;
}
