// SPDX-License-Identifier: GPL-2.0
/*
 * window-check: guest user space cannot borrow the guest kernel's
 * no-interrupt window.
 *
 * The lguest host delivers no interrupt while the guest runs the few
 * instructions between lguest_noirq_start and lguest_noirq_end (its
 * direct entries and its iret).  Only the guest kernel's ring 1 may have
 * that: a process can put any offset in EIP with a code segment of its
 * own whose base makes that offset land on its own memory (modify_ldt),
 * and if the host looked at EIP alone, such a process spinning there
 * would never be interrupted, and on the guest's one CPU nothing else
 * would run again.
 *
 * A child takes an LDT code segment whose base puts the window's
 * offsets on a page holding "jmp ." and spins there; the parent sleeps
 * 200 ms, which needs the guest's timer interrupt to preempt the child,
 * then kills it.  Prints "ok user-window" if the parent came back within
 * WAKE_LIMIT seconds (elapsed), "not ok user-window: why" otherwise (a
 * host that fails this one never lets the parent print anything; the
 * test that runs the guest sees it time out); exits 4 (a skip) if the
 * kernel has no such window (not an lguest guest).
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAKE_LIMIT	20	/* s, far more than TCG needs for 200 ms */
#define LDT_ENTRY	0

/* The address of kernel symbol NAME from /proc/kallsyms, 0 if none. */
static unsigned long ksym(const char *name)
{
	char line[256], sym[128], type;
	unsigned long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 &&
		    !strcmp(sym, name)) {
			fclose(f);
			return addr;
		}
	}
	fclose(f);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void spin_in_window(unsigned long offset)
{
	unsigned char *page;
	struct user_desc d;
	struct {
		uint32_t offset;
		uint16_t selector;
	} __attribute__((packed)) target;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		_exit(2);
	page[0] = 0xeb;		/* jmp . */
	page[1] = 0xfe;

	/* base + offset == page, modulo 2^32 */
	memset(&d, 0, sizeof(d));
	d.entry_number = LDT_ENTRY;
	d.base_addr = (uint32_t)((uintptr_t)page - offset);
	d.limit = 0xfffff;
	d.seg_32bit = 1;
	d.contents = MODIFY_LDT_CONTENTS_CODE;
	d.limit_in_pages = 1;
	d.useable = 1;
	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)))
		_exit(3);

	target.offset = offset;
	target.selector = LDT_ENTRY << 3 | 4 | 3;	/* LDT, RPL 3 */
	asm volatile("ljmp *%0" : : "m" (target));
	_exit(4);
}

int main(void)
{
	unsigned long start = ksym("lguest_noirq_start");
	unsigned long end = ksym("lguest_noirq_end");
	struct timespec nap = { 0, 200000000 };
	double t0, waited;
	int status;
	pid_t pid;

	if (!start || !end || end <= start) {
		printf("SKIP: no lguest_noirq_start/end in /proc/kallsyms\n");
		return 4;	/* the rig's skip (KSFT_SKIP) */
	}
	printf("# window %#lx-%#lx\n", start, end);
	fflush(stdout);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		spin_in_window(start);

	t0 = now();
	nanosleep(&nap, NULL);
	waited = now() - t0;
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid) {
		printf("not ok user-window: waitpid failed\n");
		return 1;
	}
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		printf("not ok user-window: the child did not spin there (status %#x)\n", status);
		return 1;
	}
	printf("# the parent's 200 ms sleep took %.2f s\n", waited);
	if (waited > WAKE_LIMIT) {
		printf("not ok user-window: the parent waited %.0f s\n", waited);
		return 1;
	}
	printf("ok user-window\n");
	return 0;
}
