// SPDX-License-Identifier: GPL-2.0
/*
 * mm-check: address spaces stay apart across context switches, whatever
 * the kernel does to the page tables of a process that is not running.
 * For a hypervisor that keeps the shadow page tables of address spaces
 * that are not loaded, these are the cases where a stale shadow would
 * show one process another's memory, or old memory:
 *
 *   remote-cow   the parent writes into a sleeping child's copy-on-write
 *                page (process_vm_writev): the child's page table is
 *                changed while the child is not running; the child must
 *                see the new data, the parent its own (skipped without
 *                CROSS_MEMORY_ATTACH)
 *   ptrace-poke  the same through PTRACE_POKEDATA into a stopped child
 *   ring         more processes than any cache of address spaces, in a
 *                ring of pipes, each checking its private pages after
 *                every wakeup and rewriting them with a new pattern
 *   churn        short-lived processes created and reaped while the
 *                ring runs (page directories and tables freed and reused)
 *
 * Prints "ok NAME" or "not ok NAME: why" per case; exits 0 if all pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE		4096
#define RING		12		/* processes in the ring */
#define RING_PAGES	16		/* private pages each checks */
#define ROUNDS		150		/* trips of the token round the ring */

static int failures;

static void result(const char *name, const char *why)
{
	if (why) {
		printf("not ok %s: %s\n", name, why);
		failures++;
	} else {
		printf("ok %s\n", name);
	}
	fflush(stdout);
}

/* Wait for pid; true if it exited 0. */
static int reaped_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status);
}

/*
 * The child sleeps in read() on a pipe while the parent writes into its
 * copy-on-write page; then the child checks what it sees.
 */
static void remote_cow(int use_ptrace)
{
	const char *name = use_ptrace ? "ptrace-poke" : "remote-cow";
	volatile uint32_t *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], status;
	pid_t pid;
	char c;

	if (page == MAP_FAILED || pipe(go)) {
		result(name, "mmap or pipe failed");
		return;
	}
	page[0] = 0x11111111;
	page[1] = 0x22222222;
	pid = fork();
	if (pid < 0) {
		result(name, "fork failed");
		return;
	}
	if (!pid) {
		/* Touch it first: the child's shadow maps the shared page. */
		if (page[0] != 0x11111111)
			_exit(2);
		/* Asleep (and, with ptrace, stopped) while the parent writes. */
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		/* The parent's write must be what this process sees now. */
		if (page[0] != 0xc0ffee00)
			_exit(page[0] == 0x11111111 ? 1 : 4);
		_exit(page[1] == 0x22222222 ? 0 : 5);
	}
	/* Give the child time to run and sleep first. */
	usleep(100000);
	if (use_ptrace) {
		long word;

		if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) || waitpid(pid, &status, 0) != pid ||
		    !WIFSTOPPED(status)) {
			result(name, "cannot attach to the child");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return;
		}
		/* A word's first 32 bits, whatever the word size. */
		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, pid, (void *)page, NULL);
		if (errno == 0) {
			uint32_t low = 0xc0ffee00;

			memcpy(&word, &low, sizeof(low));
		}
		if (errno || ptrace(PTRACE_POKEDATA, pid, (void *)page, (void *)word) ||
		    ptrace(PTRACE_DETACH, pid, NULL, NULL)) {
			result(name, "PTRACE_PEEKDATA, POKEDATA or DETACH failed");
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return;
		}
	} else {
		uint32_t val = 0xc0ffee00;
		struct iovec local = { &val, sizeof(val) };
		struct iovec remote = { (void *)page, sizeof(val) };

		if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != sizeof(val)) {
			int err = errno;

			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			if (err == ENOSYS) {
				/* CROSS_MEMORY_ATTACH off: ptrace-poke does the same. */
				printf("ok %s # SKIP no process_vm_writev\n", name);
				return;
			}
			result(name, "process_vm_writev failed");
			return;
		}
	}
	if (write(go[1], "x", 1) != 1)
		result(name, "pipe write failed");
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		result(name, "the child did not exit");
	else if (WEXITSTATUS(status) == 1)
		result(name, "the child saw its old memory after its page table changed");
	else if (WEXITSTATUS(status))
		result(name, "the child failed otherwise (exit status 2 to 5)");
	else if (page[0] != 0x11111111)
		result(name, "the parent's copy changed");
	else
		result(name, NULL);
	close(go[0]);
	close(go[1]);
	munmap((void *)page, PAGE);
}

/* One process of the ring: its private pages carry (index, round). */
static int ring_member(unsigned int me, int in, int out)
{
	uint32_t *mem = mmap(NULL, RING_PAGES * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned int round, p;
	char token;

	if (mem == MAP_FAILED)
		return 2;
	for (round = 0; round < ROUNDS; round++) {
		uint32_t want = me << 16 | round, next = me << 16 | (round + 1);

		for (p = 0; p < RING_PAGES; p++)
			mem[p * PAGE / 4 + (p * 37 + round) % (PAGE / 4)] = want;
		if (read(in, &token, 1) != 1)
			return 3;
		for (p = 0; p < RING_PAGES; p++) {
			uint32_t *w = &mem[p * PAGE / 4 + (p * 37 + round) % (PAGE / 4)];

			if (*w != want) {
				fprintf(stderr, "ring %u round %u page %u: %#x, not %#x\n",
					me, round, p, *w, want);
				return 1;
			}
			*w = next;
		}
		if (write(out, &token, 1) != 1)
			return 4;
	}
	return 0;
}

/* Short-lived processes that touch a little memory and exit. */
static int churn(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (!pid) {
			static volatile char buf[8 * PAGE];
			unsigned int j;

			for (j = 0; j < sizeof(buf); j += PAGE)
				buf[j] = (char)j;
			_exit(0);
		}
		if (!reaped_ok(pid))
			return 1;
	}
	return 0;
}

static void ring(void)
{
	int pipes[RING][2], ok = 1;
	pid_t pids[RING], churner;
	unsigned int i;

	for (i = 0; i < RING; i++)
		if (pipe(pipes[i])) {
			result("ring", "pipe failed");
			return;
		}
	for (i = 0; i < RING; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			result("ring", "fork failed");
			return;
		}
		if (!pids[i])
			_exit(ring_member(i, pipes[i][0], pipes[(i + 1) % RING][1]));
	}
	churner = fork();
	if (!churner)
		_exit(churn(300));
	if (write(pipes[0][1], "t", 1) != 1)
		ok = 0;
	for (i = 0; i < RING; i++)
		ok &= reaped_ok(pids[i]);
	result("ring", ok ? NULL : "a process saw another's or stale memory");
	result("churn", reaped_ok(churner) ? NULL : "a short-lived process failed");
}

int main(void)
{
	remote_cow(0);
	remote_cow(1);
	ring();
	return failures ? 1 : 0;
}
