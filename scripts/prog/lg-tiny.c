// SPDX-License-Identifier: GPL-2.0
/*
 * lg-tiny: the smallest guests, for tests of what running guests leaves
 * in the host (lg-attack's guests test what a guest may do).  A guest is
 * a few instructions of ring-1 code at 0x1000, its memory mapped 1:1 by
 * one page table.
 *
 *   lg-tiny cycles N       start and stop N guests one after the other,
 *                          in turn: never run (INITIALIZE, close); run
 *                          to their end (each page written, then a
 *                          hypercall the host does not know); stopped
 *                          by a signal while they spin; their launcher
 *                          SIGKILLed while they spin.  Exits 0 if each
 *                          ended as it should and the process's locked
 *                          memory (VmLck) was back to 0 after each.
 *   lg-tiny spin SECONDS   one guest kernel stuck in "cli; jmp .": its
 *                          virtual interrupts off and its clock armed,
 *                          spinning until killed or SECONDS have passed
 *                          (then exits 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <stddef.h>
#include <linux/lguest.h>

#define MEM_PAGES	256
#define PAGE		4096
#define LOAD_ADDR	0x1000u
#define PGDIR		0x2000u
#define PT		0x4000u
#define FIRST_TOUCHED	0x10000u	/* above the code, tables and stack */
#define DATA_GPA	0x5000u		/* struct lguest_data */
#define HCALL_STATUS_OFF	16	/* the ring must start empty */
#define STR_(x) #x
#define STR(x) STR_(x)

#define GUEST(name, body)						\
	asm(".pushsection .rodata\n"					\
	    "	.globl " #name "_start, " #name "_entry, " #name "_end\n" \
	    #name "_start:\n" body "\n" #name "_end:\n"			\
	    ".popsection\n");						\
	extern const unsigned char name##_start[], name##_entry[], name##_end[]

/* Write a word in every page from FIRST_TOUCHED up: the host pins each. */
#define TOUCH								\
"	movl	$0x9000, %esp\n"					\
"	movl	$" STR(FIRST_TOUCHED) ", %edi\n"			\
"1:	movl	%edi, (%edi)\n"						\
"	addl	$" STR(PAGE) ", %edi\n"					\
"	cmpl	$" STR(MEM_PAGES) " * " STR(PAGE) ", %edi\n"		\
"	jb	1b\n"

/* Then an unknown hypercall: the host ends the guest. */
GUEST(g_touch_end,
"g_touch_end_entry:\n"
TOUCH
"	movl	$98, %eax\n"
"	int	$0x1f\n");

/* Then spin, until the launcher is interrupted or killed. */
GUEST(g_touch_spin,
"g_touch_spin_entry:\n"
TOUCH
"2:	jmp	2b\n");

/*
 * A guest kernel stuck with interrupts off: lguest_data registered (the
 * hypercall ring emptied first), its irq_enabled 0 (the guest's "cli"),
 * the clockevent set 1 ms ahead (an interrupt it will never take), and
 * "jmp .".  Only the host's own interrupts get its CPU back.
 */
GUEST(g_spin,
"g_spin_entry:\n"
"	movl	$0x9000, %esp\n"
"	movl	$" STR(DATA_GPA) " + " STR(HCALL_STATUS_OFF) ", %edi\n"
"	movl	$" STR(LHCALL_RING_SIZE) ", %ecx\n"
"	movb	$" STR(LHCALL_SLOT_EMPTY) ", %al\n"
"	rep	stosb\n"
"	movl	$" STR(LHCALL_LGUEST_INIT) ", %eax\n"
"	movl	$" STR(DATA_GPA) ", %ebx\n"
"	int	$0x1f\n"
"	movl	$0, " STR(DATA_GPA) "\n"
"	movl	$" STR(LHCALL_SET_CLOCKEVENT) ", %eax\n"
"	movl	$1000000, %ebx\n"
"	xorl	%ecx, %ecx\n"
"	xorl	%edx, %edx\n"
"	int	$0x1f\n"
"3:	jmp	3b\n");

static unsigned char *mem;

/* A guest running code [start, end) from entry: its /dev/lguest fd. */
static int start_guest(const unsigned char *start, const unsigned char *entry,
		       const unsigned char *end)
{
	struct lguest_init init = {
		.req = LHREQ_INITIALIZE,
		.version = LGUEST_ABI_VERSION,
		.mem_base = (unsigned long)mem,
		.mem_pages = MEM_PAGES,
		.start = LOAD_ADDR + (entry - start),
		.pgdir = PGDIR,
		.boot_params = 0x3000,
		.page_offset = 0xc0000000,
	};
	unsigned int *pgdir = (unsigned int *)(mem + PGDIR), *pt = (unsigned int *)(mem + PT), i;
	int fd;

	memset(mem, 0, MEM_PAGES * PAGE);
	for (i = 0; i < MEM_PAGES; i++)
		pt[i] = i * PAGE | 0x7;
	pgdir[0] = PT | 0x7;
	memcpy(mem + LOAD_ADDR, start, end - start);
	fd = open("/dev/lguest", O_RDWR);
	if (fd < 0 || write(fd, &init, sizeof(init)) != sizeof(init)) {
		perror("# starting a guest");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

#define START(g) start_guest(g##_start, g##_entry, g##_end)

/* The process's locked memory in kB, from /proc/self/status. */
static long vm_locked_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void nothing(int sig)
{
	(void)sig;
}

/* SIGALRM after ms milliseconds, interrupting a read() of the guest. */
static void alarm_ms(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, ms % 1000 * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

enum { UNRUN, ENDED, INTERRUPTED, KILLED, KINDS };
static const char * const kind_names[KINDS] = { "never run", "run to their end",
						"stopped by a signal", "SIGKILLed" };

/* One cycle of kind k: 0 if it went as it should. */
static int cycle(int k)
{
	struct lguest_exit ex;
	long ret;
	pid_t pid;
	int fd, status;

	switch (k) {
	case UNRUN:
		fd = START(g_touch_end);
		if (fd < 0)
			return 1;
		close(fd);
		return 0;
	case ENDED:
		fd = START(g_touch_end);
		if (fd < 0)
			return 1;
		ret = read(fd, &ex, sizeof(ex));
		close(fd);
		ex.message[sizeof(ex.message) - 1] = 0;
		if (ret != sizeof(ex) || ex.reason != LGUEST_EXIT_KILLED ||
		    !strstr(ex.message, "unknown hypercall 98")) {
			printf("# a guest run to its end: read %ld, reason %u, \"%s\"\n", ret,
			       ex.reason, ret == sizeof(ex) ? ex.message : strerror(errno));
			return 1;
		}
		return 0;
	case INTERRUPTED:
		fd = START(g_touch_spin);
		if (fd < 0)
			return 1;
		alarm_ms(30);
		ret = read(fd, &ex, sizeof(ex));
		alarm_ms(0);
		close(fd);
		if (ret != -1 || errno != EINTR) {
			printf("# a spinning guest's read() under a signal: %ld (%s)\n", ret,
			       ret < 0 ? strerror(errno) : "an exit");
			return 1;
		}
		return 0;
	default:
		pid = fork();
		if (pid < 0) {
			perror("# fork");
			return 1;
		}
		if (pid == 0) {
			fd = START(g_touch_spin);
			if (fd < 0)
				_exit(1);
			alarm(10);
			read(fd, &ex, sizeof(ex));
			_exit(2);
		}
		usleep(30000);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) ||
		    WTERMSIG(status) != SIGKILL) {
			printf("# a launcher SIGKILLed while its guest ran: status %#x\n", status);
			return 1;
		}
		return 0;
	}
}

static int cycles(long n)
{
	unsigned long done[KINDS] = { 0 }, failures = 0;
	struct timespec t0, t1;
	long i, kb;
	int k;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		k = i % KINDS;
		if (cycle(k)) {
			failures++;
			continue;
		}
		done[k]++;
		kb = vm_locked_kb();
		if (kb != 0) {
			printf("# VmLck %ld kB after a guest %s\n", kb, kind_names[k]);
			failures++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# lg-tiny: %ld guests in %.1f s: %lu %s, %lu %s, %lu %s, %lu %s; %lu failures\n",
	       n, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       done[UNRUN], kind_names[UNRUN], done[ENDED], kind_names[ENDED],
	       done[INTERRUPTED], kind_names[INTERRUPTED], done[KILLED], kind_names[KILLED],
	       failures);
	return failures ? 1 : 0;
}

static int spin(long seconds)
{
	struct lguest_exit ex;
	long ret;
	int fd = START(g_spin);

	if (fd < 0)
		return 1;
	alarm(seconds);
	ret = read(fd, &ex, sizeof(ex));
	if (ret == -1 && errno == EINTR) {
		printf("# lg-tiny: spun for %ld s\n", seconds);
		return 0;
	}
	ex.message[sizeof(ex.message) - 1] = 0;
	printf("# lg-tiny: the spinning guest stopped: read %ld, reason %u, \"%s\"\n", ret,
	       ex.reason, ret == sizeof(ex) ? ex.message : strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = nothing };	/* no SA_RESTART */
	long n = argc == 3 ? strtol(argv[2], NULL, 10) : 0;

	_Static_assert(offsetof(struct lguest_data, irq_enabled) == 0,
		       "g_spin clears irq_enabled at DATA_GPA");
	_Static_assert(offsetof(struct lguest_data, hcall_status) == HCALL_STATUS_OFF,
		       "g_spin empties the hypercall ring at HCALL_STATUS_OFF");
	if (argc != 3 || n <= 0 || (strcmp(argv[1], "cycles") && strcmp(argv[1], "spin"))) {
		fprintf(stderr, "usage: lg-tiny cycles N | lg-tiny spin SECONDS\n");
		return 2;
	}
	sigaction(SIGALRM, &sa, NULL);
	mem = mmap(NULL, MEM_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return !strcmp(argv[1], "cycles") ? cycles(n) : spin(n);
}
