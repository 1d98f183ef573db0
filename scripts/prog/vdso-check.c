// SPDX-License-Identifier: GPL-2.0
/*
 * vdso-check: in an lguest guest whose clock is the TSC, the vDSO answers
 * clock_gettime() and gettimeofday() without a system call (each system
 * call of a guest process is a trip through the host).  A traced child
 * reads the clock ROUNDS times each way; the parent counts its time
 * system calls with PTRACE_SYSCALL.  The child also makes CONTROL
 * getppid() calls, which the parent must count, so that a tracer that
 * sees nothing cannot pass.
 *
 * Exits 0 if there were none, 1 if there were, 4 (skip) on a CPU that
 * shows no TSC: the guest then keeps the host's clock, which the vDSO
 * cannot read.
 */
#include <cpuid.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS		1000
#define CONTROL		10
#define EDX_TSC		(1u << 4)
#define EXIT_SKIP	4

static void reader(void)
{
	struct timespec ts;
	struct timeval tv;
	int i;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(2);
	raise(SIGSTOP);
	for (i = 0; i < CONTROL; i++)
		syscall(SYS_getppid);
	for (i = 0; i < ROUNDS; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		clock_gettime(CLOCK_REALTIME, &ts);
		gettimeofday(&tv, NULL);
	}
	_exit(0);
}

static int is_time_call(long nr)
{
	return nr == SYS_clock_gettime || nr == SYS_clock_gettime64 ||
	       nr == SYS_gettimeofday || nr == SYS_time;
}

int main(void)
{
	unsigned int eax, ebx, ecx, edx;
	long calls = 0, time_calls = 0, control = 0, nr;
	int status, entering = 1;
	pid_t pid;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(edx & EDX_TSC)) {
		printf("no TSC: the guest's clock is the host's, not readable by the vDSO\n");
		return EXIT_SKIP;
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid)
		reader();
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		printf("the traced child did not stop\n");
		return 1;
	}
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0) {
			perror("PTRACE_SYSCALL");
			return 1;
		}
		if (waitpid(pid, &status, 0) != pid) {
			perror("waitpid");
			return 1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP)
			continue;
		if (entering) {
			nr = ptrace(PTRACE_PEEKUSER, pid,
				    (void *)offsetof(struct user_regs_struct, orig_eax), NULL);
			calls++;
			time_calls += is_time_call(nr);
			control += nr == SYS_getppid;
		}
		entering = !entering;
	}
	printf("%d clock reads and %d getppid(): %ld system calls, %ld time calls, %ld getppid\n",
	       3 * ROUNDS, CONTROL, calls, time_calls, control);
	if (control != CONTROL) {
		printf("the tracer did not see the child's %d getppid() calls\n", CONTROL);
		return 1;
	}
	return time_calls ? 1 : 0;
}
