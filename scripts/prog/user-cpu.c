// SPDX-License-Identifier: GPL-2.0
/*
 * What user space sees of the CPU: faults at interesting addresses,
 * privileged and trapping instructions, software interrupts of many
 * vectors, segment loads, port I/O with and without ioperm()/iopl(),
 * single-stepping (across system calls too), hardware breakpoints set
 * through ptrace, LDT segments, sigreturn to bad state and system calls
 * made from a bad stack.
 *
 * Every probe runs in its own child and prints one line: how it ended
 * (the signal with si_code, si_addr, trap number and error code, or "ok"
 * with what it measured).  Addresses inside this program are printed
 * relative to its start, so the transcript depends only on the kernel and
 * the CPU.  The rig runs it natively on the QEMU host and inside an lguest
 * guest of the same kernel and wants the two transcripts identical: a
 * guest's user space must see the hardware it would see natively.
 *
 * Not probed: SYSENTER (a guest offers system calls through int $0x80 and
 * its vDSO only) and instructions whose results are the CPU's identity
 * (CPUID, SGDT and friends report values, which are not compared).  The
 * instruction-fetch bit of a page fault's error code is left out: the
 * CPU sets it only with SMEP or NX enabled, and a guest has neither.
 */
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <cpuid.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

extern char __executable_start[], _end[];

static const char *cur;		/* the probe running in this child */
static char altstack[16384];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "%s: ", cur);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) != n)
		_exit(2);
}

static unsigned long vdso;

/* An address as the transcript shows it: relative inside us or the vDSO. */
static const char *addr(unsigned long a, char *buf)
{
	if (a >= (unsigned long)__executable_start && a < (unsigned long)_end)
		sprintf(buf, "prog+%#lx", a - (unsigned long)__executable_start);
	else if (vdso && a >= vdso && a < vdso + 2 * 4096)
		sprintf(buf, "vdso+%#lx", a - vdso);
	else
		sprintf(buf, "%#lx", a);
	return buf;
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGTRAP: return "SIGTRAP";
	case SIGALRM: return "SIGALRM";
	default: return "signal";
	}
}

/* The end of most probes: report the signal and leave. */
static void report(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	char a[32], ip[32];

	unsigned int err = g[REG_ERR];

	if (g[REG_TRAPNO] == 14)
		err &= ~0x10;		/* instruction fetch: see above */
	say("%s code=%d addr=%s trapno=%d err=%#x eip=%s", signame(sig),
	    si->si_code, addr((unsigned long)si->si_addr, a), (int)g[REG_TRAPNO],
	    err, addr(g[REG_EIP], ip));
	_exit(0);
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

static void catch_all(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };

	sigaltstack(&ss, NULL);
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		on(sigs[i], report, SA_ONSTACK);
}

/* ---- faults at addresses ---------------------------------------------- */

static void read_at(unsigned long a)
{
	unsigned int v = *(volatile unsigned int *)a;

	say("ok read %#x", v);
}

static void write_at(unsigned long a)
{
	*(volatile unsigned int *)a = 0x4c475354;
	say("ok wrote");
}

static void exec_at(unsigned long a)
{
	((void (*)(void))a)();
	say("ok returned");
}

#define ADDR_PROBES(X)			\
	X(0x0)				\
	X(0xbffff000)			\
	X(0xc0000000)			\
	X(0xc0100000)			\
	X(0xf0000000)			\
	X(0xff800000)			\
	X(0xffc00000)			\
	X(0xffe00000)			\
	X(0xfffff000)			\
	X(0xfffffffc)

#define X(a)								\
	static void read_##a(void) { read_at(a); }			\
	static void write_##a(void) { write_at(a); }			\
	static void exec_##a(void) { exec_at(a); }
ADDR_PROBES(X)
#undef X

/* ---- instructions ------------------------------------------------------ */

#define INSN_PROBE(name, text)						\
	static void name(void)						\
	{								\
		asm volatile(text ::: "eax", "ecx", "edx", "memory");	\
		say("ok");						\
	}

INSN_PROBE(insn_ud2, "ud2")
INSN_PROBE(insn_int3, "int3")
INSN_PROBE(insn_int_3, ".byte 0xcd, 0x03")
INSN_PROBE(insn_icebp, ".byte 0xf1")
INSN_PROBE(insn_into, "movl $0x7fffffff, %%eax; addl $1, %%eax; into")
INSN_PROBE(insn_into_no_of, "xorl %%eax, %%eax; into")
INSN_PROBE(insn_div0, "xorl %%edx, %%edx; movl $1, %%eax; xorl %%ecx, %%ecx; divl %%ecx")
INSN_PROBE(insn_hlt, "hlt")
INSN_PROBE(insn_cli, "cli")
INSN_PROBE(insn_sti, "sti")
INSN_PROBE(insn_pushf_popf_if, "pushfl; andl $~0x200, (%%esp); popfl; pushfl; popl %%eax")
INSN_PROBE(insn_clts, "clts")
INSN_PROBE(insn_invd, "invd")
INSN_PROBE(insn_wbinvd, "wbinvd")
INSN_PROBE(insn_rdmsr, "movl $0x10, %%ecx; rdmsr")
INSN_PROBE(insn_wrmsr, "movl $0x174, %%ecx; xorl %%eax, %%eax; xorl %%edx, %%edx; wrmsr")
INSN_PROBE(insn_rdpmc, "xorl %%ecx, %%ecx; rdpmc")
INSN_PROBE(insn_rdtsc, "rdtsc")
INSN_PROBE(insn_mov_from_cr0, "movl %%cr0, %%eax")
INSN_PROBE(insn_mov_to_cr3, "xorl %%eax, %%eax; movl %%eax, %%cr3")
INSN_PROBE(insn_mov_from_dr7, "movl %%db7, %%eax")
INSN_PROBE(insn_mov_to_dr0, "xorl %%eax, %%eax; movl %%eax, %%db0")
INSN_PROBE(insn_lgdt, "subl $8, %%esp; lgdt (%%esp); addl $8, %%esp")
INSN_PROBE(insn_lidt, "subl $8, %%esp; lidt (%%esp); addl $8, %%esp")
INSN_PROBE(insn_lldt, "xorl %%eax, %%eax; lldt %%ax")
INSN_PROBE(insn_ltr, "movl $0x80, %%eax; ltr %%ax")
INSN_PROBE(insn_lmsw, "xorl %%eax, %%eax; lmsw %%ax")
INSN_PROBE(insn_invlpg, "invlpg 0")
INSN_PROBE(insn_syscall, "syscall")
INSN_PROBE(insn_lcall_ldt, "lcall $0x7, $0")
INSN_PROBE(insn_lcall_kernel, "lcall $0x60, $0")
INSN_PROBE(insn_ljmp_tss, "ljmp $0x80, $0")
/*
 * A far return to the kernel's code segment.  QEMU's TCG gets both wrong
 * natively: an iret that pops VM enters vm86 mode from ring 3 (so EFLAGS
 * is pushed too), and with SMAP on it reads the frame as the kernel and
 * oopses the host.  Both are skipped where CPUID reports SMAP (in a
 * guest as natively: user-mode CPUID is the CPU's).
 */
static int has_smap(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 20));
}

static void insn_iret_kernel_cs(void)
{
	if (has_smap()) {
		say("skipped (SMAP)");
		return;
	}
	asm volatile("pushl $0x202; pushl $0x60; pushl $0; iretl" ::: "memory");
	say("ok");
}

static void insn_lret_kernel_cs(void)
{
	if (has_smap()) {
		say("skipped (SMAP)");
		return;
	}
	asm volatile("pushl $0x60; pushl $0; lretl" ::: "memory");
	say("ok");
}
INSN_PROBE(insn_in_noperm, "inb $0x80, %%al")
INSN_PROBE(insn_out_noperm, "movb $0, %%al; outb %%al, $0x80")
INSN_PROBE(insn_ins_noperm, "subl $4, %%esp; pushl %%edi; leal 4(%%esp), %%edi; movl $0x80, %%edx; insb; popl %%edi; addl $4, %%esp")

/* int n of a spread of vectors (0x80 is the system call). */
#define INT_PROBES(X)							\
	X(0x00) X(0x01) X(0x02) X(0x04) X(0x05) X(0x06) X(0x07) X(0x08)	\
	X(0x0d) X(0x0e) X(0x11) X(0x12) X(0x1f) X(0x20) X(0x21) X(0x2f)	\
	X(0x30) X(0x40) X(0x7f) X(0x81) X(0xec) X(0xef) X(0xf0) X(0xff)
#define X(n) INSN_PROBE(int_##n, "int $" #n)
INT_PROBES(X)
#undef X

/* Load %fs with a selector, and take it back out. */
static void load_fs(unsigned int sel)
{
	unsigned int back = 0;

	asm volatile("movw %w1, %%fs; movw %%fs, %w0; movw %w2, %%fs"
		     : "+&r" (back) : "r" (sel), "r" (0) : "memory");
	say("ok %#x", back);
}

/* lar and lsl of a selector: whether it is visible and what it says. */
static void lar_lsl(unsigned int sel)
{
	unsigned int ar = 0, lim = 0;
	unsigned char zf1, zf2;

	asm volatile("larl %2, %0; setz %1" : "+r" (ar), "=qm" (zf1) : "r" (sel));
	asm volatile("lsll %2, %0; setz %1" : "+r" (lim), "=qm" (zf2) : "r" (sel));
	say("ok lar %s %#x lsl %s %#x", zf1 ? "valid" : "invalid", zf1 ? ar : 0,
	    zf2 ? "valid" : "invalid", zf2 ? lim : 0);
}

#define SEL_PROBES(X)							\
	X(0x0) X(0x3) X(0x7) X(0x33) X(0x3b) X(0x43) X(0x4b) X(0x53)	\
	X(0x5b) X(0x60) X(0x63) X(0x68) X(0x6b) X(0x73) X(0x7b) X(0x83)	\
	X(0x8b) X(0xd3) X(0xdb) X(0xe3) X(0xfb) X(0x103) X(0x1fb) X(0xfffb)
#define X(s)								\
	static void fs_##s(void) { load_fs(s); }			\
	static void lar_##s(void) { lar_lsl(s); }
SEL_PROBES(X)
#undef X

/* ---- port I/O ----------------------------------------------------------- */

static void need(int ok, const char *what)
{
	if (!ok) {
		say("%s failed: %s", what, strerror(errno));
		_exit(0);
	}
}

static void io_ioperm_in(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile("inb $0x80, %%al" ::: "eax");
	say("ok");
}

static void io_ioperm_out_dx(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile("movl $0x80, %%edx; movb $0, %%al; outb %%al, %%dx" ::: "eax", "edx");
	say("ok");
}

static void io_ioperm_other_port(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile("inb $0x84, %%al" ::: "eax");
	say("ok");
}

static void io_ioperm_word_straddles(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile("inw $0x7f, %%ax" ::: "eax");
	say("ok");
}

static void io_ioperm_dropped(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	need(ioperm(0x80, 1, 0) == 0, "ioperm off");
	asm volatile("inb $0x80, %%al" ::: "eax");
	say("ok");
}

static void io_ioperm_fork(void)
{
	int st;
	pid_t pid;

	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	pid = fork();
	if (pid == 0) {
		asm volatile("inb $0x80, %%al" ::: "eax");
		_exit(0);
	}
	need(waitpid(pid, &st, 0) == pid, "waitpid");
	say("ok child %s %d", WIFEXITED(st) ? "exit" : "signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static void io_ioperm_ins(void)
{
	unsigned char buf[4], *p = buf;

	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile("movl $0x80, %%edx; insb" : "+D" (p) :: "edx", "memory");
	say("ok");
}

static unsigned char *io_page;	/* two pages, the second inaccessible */

static void io_pages(void)
{
	io_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	need(io_page != MAP_FAILED, "mmap");
	need(mprotect(io_page + 4096, 4096, PROT_NONE) == 0, "mprotect");
}

static void io_ioperm_rep_ins(void)
{
	unsigned char *p;
	unsigned int n = 16, ones = 0;

	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	io_pages();
	p = io_page + 100;
	asm volatile("movl $0x80, %%edx; rep insb" : "+D" (p), "+c" (n) :: "edx", "memory");
	for (unsigned int i = 0; i < 20; i++)
		ones += io_page[100 + i] == 0xff;
	say("ok ecx %u, edi +%d, %u bytes of 0xff", n, (int)(p - io_page - 100), ones);
}

static void io_ioperm_rep_outs(void)
{
	unsigned char buf[16] = { 0 }, *p = buf;
	unsigned int n = 16;

	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile("movl $0x80, %%edx; rep outsb" : "+S" (p), "+c" (n) :: "edx", "memory");
	say("ok ecx %u, esi +%d", n, (int)(p - buf));
}

static void io_ioperm_outsw_down(void)
{
	unsigned short buf[4] = { 0 }, *p = buf + 3;
	unsigned int n = 3;

	need(ioperm(0x80, 2, 1) == 0, "ioperm");
	asm volatile("std; movl $0x80, %%edx; rep outsw; cld"
		     : "+S" (p), "+c" (n) :: "edx", "memory");
	say("ok ecx %u, esi %d", n, (int)(p - buf));
}

/* rep insb across into an inaccessible page: the fault, and how far it got. */
static void on_io_fault(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	say("%s code=%d addr=page+%#lx ecx %u edi page+%#lx, %d bytes of 0xff", signame(sig),
	    si->si_code, (unsigned long)si->si_addr - (unsigned long)io_page,
	    (unsigned int)uc->uc_mcontext.gregs[REG_ECX],
	    (unsigned long)uc->uc_mcontext.gregs[REG_EDI] - (unsigned long)io_page,
	    (io_page[4092] == 0xff) + (io_page[4093] == 0xff) + (io_page[4094] == 0xff) +
	    (io_page[4095] == 0xff));
	_exit(0);
}

static void io_ioperm_ins_fault(void)
{
	unsigned char *p;
	unsigned int n = 8;

	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	io_pages();
	on(SIGSEGV, on_io_fault, SA_ONSTACK);
	p = io_page + 4092;
	asm volatile("movl $0x80, %%edx; rep insb" : "+D" (p), "+c" (n) :: "edx", "memory");
	say("ok (no fault) ecx %u", n);
}

static void io_ioperm_insl_straddle(void)
{
	unsigned char *p;
	unsigned int n = 5;	/* not a rep: the fault shows it untouched */

	need(ioperm(0x80, 4, 1) == 0, "ioperm");
	io_pages();
	on(SIGSEGV, on_io_fault, SA_ONSTACK);
	p = io_page + 4094;
	asm volatile("movl $0x80, %%edx; insl" : "+D" (p), "+c" (n) :: "edx", "memory");
	say("ok (no fault)");
}

static void io_ioperm_ins_kernel(void)
{
	unsigned char *p = (unsigned char *)0xc0000000;

	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile("movl $0x80, %%edx; insb" : "+D" (p) :: "edx", "memory");
	say("ok");
}

static void io_iopl3_in(void)
{
	need(iopl(3) == 0, "iopl");
	asm volatile("inb $0x84, %%al" ::: "eax");
	say("ok");
}

static void io_iopl3_then_0(void)
{
	need(iopl(3) == 0, "iopl 3");
	need(iopl(0) == 0, "iopl 0");
	asm volatile("inb $0x84, %%al" ::: "eax");
	say("ok");
}

/* Prefixes on port I/O: ignored (rep, segment), up to 15 bytes in all. */
static void io_ioperm_rep_in(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile(".byte 0xf3; inb $0x80, %%al" ::: "eax");
	say("ok");
}

static void io_ioperm_fs_in(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile(".byte 0x64; inb $0x80, %%al" ::: "eax");
	say("ok");
}

static void io_ioperm_in_15_bytes(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile(".fill 13, 1, 0x3e; inb $0x80, %%al" ::: "eax");
	say("ok");
}

static void io_ioperm_in_16_bytes(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	asm volatile(".fill 14, 1, 0x3e; inb $0x80, %%al" ::: "eax");
	say("ok");
}

/*
 * Port I/O from a 16-bit code segment (an LDT segment based at io16):
 * there "in" without a prefix is 16 bits wide and 0x66 makes it 32.
 * Each ends at a ud2 or faults; the report says which, and whether the
 * top half of %eax (0x1234 before) survived a 16-bit "in".
 */
extern char io16[];
asm(".text\n"
    "io16:\n"
    "	.code16\n"
    "	inw $0x80, %ax\n"		/* offset 0 */
    "	ud2\n"
    "	inl $0x80, %eax\n"		/* offset 4 */
    "	ud2\n"
    "	.code32\n");

static int ldt_set_desc(unsigned int entry, unsigned long base, unsigned int limit,
			int bits32, int pages, unsigned int contents, int not_present);

static void on_io16(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)si;
	/* (What the ports read is the machine's: only the kept half is compared.) */
	if (g[REG_EIP] == 2)
		say("%s trapno=%d after the 16-bit in, eax top %#x", signame(sig),
		    (int)g[REG_TRAPNO], (unsigned int)g[REG_EAX] >> 16);
	else
		say("%s trapno=%d err=%#x eip=%#x", signame(sig), (int)g[REG_TRAPNO],
		    (unsigned int)g[REG_ERR], (unsigned int)g[REG_EIP]);
	_exit(0);
}

static void io16_run(unsigned int ports, unsigned int off)
{
	static struct { unsigned int off; unsigned short sel; } __attribute__((packed)) far;

	need(ioperm(0x80, ports, 1) == 0, "ioperm");
	need(ldt_set_desc(4, (unsigned long)io16, 0xffff, 0, 0, 2, 0) == 0, "modify_ldt");
	on(SIGSEGV, on_io16, SA_ONSTACK);
	on(SIGILL, on_io16, SA_ONSTACK);
	far.off = off;
	far.sel = 0x27;
	asm volatile("movl $0x12345678, %%eax; ljmp *%0" :: "m" (far) : "eax", "memory");
	say("came back");
}

static void io16_in_ax(void) { io16_run(2, 0); }
static void io16_in_ax_one_port(void) { io16_run(1, 0); }
static void io16_in_eax_two_ports(void) { io16_run(2, 4); }
static void io16_in_eax(void) { io16_run(4, 4); }

/* ---- single-stepping ------------------------------------------------------ */

static volatile int steps, step_codes;
static unsigned long step_stop;

static void on_step(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)sig;
	steps++;
	step_codes |= 1 << (si->si_code & 15);
	if ((unsigned long)g[REG_EIP] == step_stop)
		g[REG_EFL] &= ~0x100;
}

/* Each sequence sets TF and ends at its _end label. */
asm(".text\n"
    "step_nops:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	nop\n	nop\n	nop\n"
    "step_nops_end:\n	nop\n	ret\n"
    "step_syscall:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	movl $20, %eax\n	int $0x80\n	nop\n"
    "step_syscall_end:\n	nop\n	ret\n"
    "step_pushf:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	pushfl\n	popl %eax\n"
    "step_pushf_end:\n	nop\n	ret\n"
    "step_int3:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	nop\n	int3\n	nop\n"
    "step_int3_end:\n	nop\n	ret\n"
    "step_popf_clear:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	nop\n	pushfl\n	andl $~0x100, (%esp)\n	popfl\n	nop\n"
    "step_popf_clear_end:\n	nop\n	ret\n"
    "step_movss_int80:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	movl $20, %eax\n	movw %ss, %cx\n	movw %cx, %ss\n	int $0x80\n	nop\n"
    "step_movss_int80_end:\n	nop\n	ret\n"
    "step_io:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	inb $0x80, %al\n	movl $0x80, %edx\n	movl $3, %ecx\n"
    "	leal -8(%esp), %edi\n	rep insb\n	outb %al, %dx\n	nop\n"
    "step_io_end:\n	nop\n	ret\n"
    "step_popss_int3:\n"
    "	pushfl\n	orl $0x100, (%esp)\n	popfl\n"
    "	pushl %ss\n	popl %ss\n	int3\n	nop\n"
    "step_popss_int3_end:\n	nop\n	ret\n");

#define STEP_PROBE(name)						\
	extern char name[], name##_end[];				\
	static void probe_##name(void)					\
	{								\
		unsigned long flags;					\
		on(SIGTRAP, on_step, SA_ONSTACK);			\
		step_stop = (unsigned long)name##_end;			\
		asm volatile("call *%1; pushfl; popl %0"		\
			     : "=r" (flags) : "r" (name)		\
			     : "eax", "ecx", "edx", "memory");		\
		say("ok %d traps, si_codes %#x, TF %s", steps,		\
		    step_codes, flags & 0x100 ? "left set" : "clear");	\
	}

STEP_PROBE(step_nops)
STEP_PROBE(step_io)
STEP_PROBE(step_syscall)
STEP_PROBE(step_pushf)
STEP_PROBE(step_int3)
STEP_PROBE(step_popf_clear)
STEP_PROBE(step_movss_int80)
STEP_PROBE(step_popss_int3)

/* Single-stepping port I/O the host runs for a guest: a trap after each. */
static void probe_step_io_perm(void)
{
	need(ioperm(0x80, 1, 1) == 0, "ioperm");
	probe_step_io();
}

/* ---- hardware breakpoints through ptrace ---------------------------------- */

static volatile unsigned int watched;
static char pipe_buf[64] __attribute__((aligned(16)));

static void __attribute__((noinline)) bp_target(void)
{
	asm volatile("");
}

#define DR_OFF(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

/* The traced child: stop, then run the code the parent set traps on. */
static void bp_child(int kind)
{
	int p[2];

	if (ptrace(PTRACE_TRACEME, 0, 0, 0))
		_exit(3);
	raise(SIGSTOP);
	switch (kind) {
	case 0:
		bp_target();
		break;
	case 1:
		watched = 1;
		break;
	case 2:
		(void)watched;
		asm volatile("" ::: "memory");
		if (watched == 7)
			_exit(5);
		break;
	case 3:
		/* The kernel writes the watched buffer for us. */
		if (pipe(p) || write(p[1], "x", 1) != 1 || read(p[0], pipe_buf, 1) != 1)
			_exit(4);
		break;
	}
	_exit(0);
}

static void hw_breakpoint(int kind, unsigned long where, unsigned long dr7)
{
	pid_t pid;
	int st, stops = 0;
	char line[160] = "", a[32];

	pid = fork();
	if (pid == 0)
		bp_child(kind);
	need(waitpid(pid, &st, 0) == pid && WIFSTOPPED(st), "first stop");
	need(ptrace(PTRACE_POKEUSER, pid, DR_OFF(0), where) == 0, "set dr0");
	need(ptrace(PTRACE_POKEUSER, pid, DR_OFF(7), dr7) == 0, "set dr7");
	need(ptrace(PTRACE_CONT, pid, 0, 0) == 0, "cont");
	for (;;) {
		struct user_regs_struct regs;
		long dr6;

		need(waitpid(pid, &st, 0) == pid, "waitpid");
		if (!WIFSTOPPED(st))
			break;
		errno = 0;
		dr6 = ptrace(PTRACE_PEEKUSER, pid, DR_OFF(6), 0);
		need(errno == 0, "read dr6");
		need(ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0, "getregs");
		if (stops++ < 3) {
			size_t n = strlen(line);

			snprintf(line + n, sizeof(line) - n, " stop %s dr6 %#lx eip %s;",
				 signame(WSTOPSIG(st)), dr6 & 0xf,
				 addr(regs.eip, a));
		}
		need(ptrace(PTRACE_CONT, pid, 0, 0) == 0, "cont");
		if (stops > 10) {
			kill(pid, SIGKILL);
			break;
		}
	}
	say("ok%s %s %d", line, WIFEXITED(st) ? "exit" : "signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* DR7: L0 plus R/W0 and LEN0 in bits 16-19. */
static void hwbp_exec(void) { hw_breakpoint(0, (unsigned long)bp_target, 0x1); }
static void hwbp_write(void) { hw_breakpoint(1, (unsigned long)&watched, 0xd0001); }
static void hwbp_read(void) { hw_breakpoint(2, (unsigned long)&watched, 0xf0001); }
static void hwbp_kernel_write(void) { hw_breakpoint(3, (unsigned long)pipe_buf, 0x10001); }

/* ---- LDT ---------------------------------------------------------------- */

static unsigned int ldt_word = 0x1d7c0de5;

static int ldt_set_desc(unsigned int entry, unsigned long base, unsigned int limit,
			int bits32, int pages, unsigned int contents, int not_present)
{
	struct user_desc d = {
		.entry_number = entry,
		.base_addr = base,
		.limit = limit,
		.seg_32bit = bits32,
		.contents = contents,
		.limit_in_pages = pages,
		.seg_not_present = not_present,
		.useable = 1,
	};

	return syscall(SYS_modify_ldt, 1, &d, sizeof(d));
}

static int ldt_set(unsigned int entry, unsigned long base, unsigned int contents)
{
	return ldt_set_desc(entry, base, 0xfffff, 1, 1, contents, 0);
}

static void ldt_data(void)
{
	unsigned int v;

	need(ldt_set(0, (unsigned long)&ldt_word, 0) == 0, "modify_ldt");
	asm volatile("movw %w1, %%fs; movl %%fs:0, %0; movw %w2, %%fs"
		     : "=&r" (v) : "r" (0x7), "r" (0));
	say("ok %#x", v);
}

static void ldt_read_back(void)
{
	unsigned char buf[16];
	long n;

	need(ldt_set(1, 0x1000, 0) == 0, "modify_ldt");
	n = syscall(SYS_modify_ldt, 0, buf, sizeof(buf));
	say("ok read %ld bytes, entry 1 %02x%02x%02x%02x%02x%02x%02x%02x", n,
	    buf[15], buf[14], buf[13], buf[12], buf[11], buf[10], buf[9], buf[8]);
}

static void ldt_code(void)
{
	static struct { unsigned int off; unsigned short sel; } __attribute__((packed)) far;
	unsigned int v = 0;

	/*
	 * A flat code segment in the LDT: far jumps into it and back (not a
	 * far return, which TCG gets wrong under SMAP: see above).
	 */
	need(ldt_set(2, 0, 2) == 0, "modify_ldt");
	asm volatile("movl $1f, %1; movw $0x17, %2; ljmp *%1;"
		     "1: movl $5, %0; ljmp $0x73, $2f; 2:"
		     : "=&r" (v), "=m" (far.off), "=m" (far.sel) :: "memory");
	say("ok %u", v);
}

/* A 16-bit data segment with a base: %fs:4 is ldt_word. */
static void ldt_data16_base(void)
{
	unsigned int v;

	need(ldt_set_desc(1, (unsigned long)&ldt_word - 4, 0xffff, 0, 0, 0, 0) == 0,
	     "modify_ldt");
	asm volatile("movw %w1, %%fs; movl %%fs:4, %0; movw %w2, %%fs"
		     : "=&r" (v) : "r" (0xf), "r" (0));
	say("ok %#x", v);
}

/* A segment marked not present: loading it is the CPU's #NP. */
static void ldt_not_present(void)
{
	need(ldt_set_desc(1, 0, 0xfffff, 1, 1, 0, 1) == 0, "modify_ldt");
	asm volatile("movw %w0, %%fs; movw %w1, %%fs" :: "r" (0xf), "r" (0));
	say("ok");
}

/* The LDT is inherited across fork. */
static void ldt_fork(void)
{
	unsigned int v;
	int st;
	pid_t pid;

	need(ldt_set(0, (unsigned long)&ldt_word, 0) == 0, "modify_ldt");
	pid = fork();
	if (pid == 0) {
		asm volatile("movw %w1, %%fs; movl %%fs:0, %0; movw %w2, %%fs"
			     : "=&r" (v) : "r" (0x7), "r" (0));
		_exit(v == ldt_word ? 0 : 1);
	}
	need(waitpid(pid, &st, 0) == pid, "waitpid");
	say("ok child %s %d", WIFEXITED(st) ? "exit" : "signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/*
 * Code in an LDT segment whose base is not 0 (as Wine and dosemu run):
 * enter at offset 0, spin long enough for the host's timer to interrupt
 * it there, make a system call and an int3, come back with far jumps.
 */
extern char ldt_base_target[], ldt_base_int3[];
extern unsigned int ldt_base_run(void);
asm(".text\n"
    "ldt_base_run:\n"
    "	pushl %ebx\n"
    "	ljmp $0x1f, $0\n"
    "ldt_base_back:\n"
    "	popl %ebx\n"
    "	ret\n"
    "ldt_base_target:\n"
    "	movl $3000000, %ecx\n"
    "1:	loop 1b\n"
    "	movl $20, %eax\n"
    "	int $0x80\n"
    "	movl %eax, %ebx\n"
    "ldt_base_int3:\n"
    "	int3\n"
    "	movl %ebx, %eax\n"
    "	ljmp $0x73, $ldt_base_back\n");

static unsigned long ldt_trap_eip, ldt_trap_cs;

static void on_ldt_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	ldt_trap_eip = uc->uc_mcontext.gregs[REG_EIP];
	ldt_trap_cs = uc->uc_mcontext.gregs[REG_CS];
}

static void ldt_code_base(void)
{
	unsigned int pid;

	need(ldt_set(3, (unsigned long)ldt_base_target, 2) == 0, "modify_ldt");
	on(SIGTRAP, on_ldt_trap, SA_ONSTACK);
	pid = ldt_base_run();
	say("ok getpid %s; SIGTRAP at offset %#lx (int3 at %#lx), cs %#lx",
	    pid == (unsigned int)getpid() ? "right" : "wrong", ldt_trap_eip,
	    (unsigned long)(ldt_base_int3 - ldt_base_target), ldt_trap_cs);
}

/* ---- sigreturn to bad state, system calls from a bad stack -------------- */

static int sr_reg, sr_val;

static void on_usr1_tamper(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	if (sr_reg == REG_EFL)
		uc->uc_mcontext.gregs[REG_EFL] |= sr_val;
	else
		uc->uc_mcontext.gregs[sr_reg] = sr_val;
}

static void sigreturn_with(int reg, int val)
{
	sr_reg = reg;
	sr_val = val;
	on(SIGUSR1, on_usr1_tamper, SA_ONSTACK);
	raise(SIGUSR1);
	{
		unsigned int efl;

		asm volatile("pushfl; popl %0" : "=r" (efl));
		say("ok eflags %#x", efl & ~0x8d5);
	}
}

static void sr_cs_kernel(void) { sigreturn_with(REG_CS, 0x60); }
static void sr_cs_tss(void) { sigreturn_with(REG_CS, 0x80); }
static void sr_ss_kernel(void) { sigreturn_with(REG_SS, 0x68); }
static void sr_ss_null(void) { sigreturn_with(REG_SS, 0); }
static void sr_ds_kernel(void) { sigreturn_with(REG_DS, 0x68); }
static void sr_es_bad(void) { sigreturn_with(REG_ES, 0xfffb); }
static void sr_fs_ldt(void) { sigreturn_with(REG_FS, 0x7); }
static void sr_eip_kernel(void) { sigreturn_with(REG_EIP, 0xc0000000); }
static void sr_eip_top(void) { sigreturn_with(REG_EIP, 0xfffff000); }
static void sr_eflags_tf(void) { sigreturn_with(REG_EFL, 0x100); }
static void sr_eflags_iopl_nt_vm(void) { sigreturn_with(REG_EFL, 0x27000); }
static void sr_eflags_ac(void) { sigreturn_with(REG_EFL, 0x40000); }

static void bad_stack_getpid(void)
{
	int pid;

	asm volatile("movl %%esp, %%esi; xorl %%esp, %%esp; movl $20, %%eax;"
		     "int $0x80; movl %%esi, %%esp"
		     : "=a" (pid) :: "esi", "memory");
	say("ok %s", pid == getpid() ? "pid" : "wrong pid");
}

static void on_usr1_plain(int sig)
{
	(void)sig;
}

/* A signal due while the user stack is unusable: the frame cannot be written. */
static void bad_stack_signal(void)
{
	signal(SIGSEGV, SIG_DFL);
	signal(SIGUSR1, on_usr1_plain);
	asm volatile("movl %%esp, %%esi; movl $0x10, %%esp; movl %0, %%eax;"
		     "movl %1, %%ebx; movl %2, %%ecx; int $0x80; movl %%esi, %%esp"
		     :: "i" (SYS_kill), "d" (getpid()), "i" (SIGUSR1)
		     : "eax", "ebx", "ecx", "esi", "memory");
	say("ok survived");
}

static void syscall_efault(void)
{
	int p[2];
	long r1, r2, r3;

	need(pipe(p) == 0, "pipe");
	r1 = write(p[1], (void *)0xc0000000, 4) < 0 ? -errno : 0;
	r2 = write(p[1], (void *)0xffc00000, 4) < 0 ? -errno : 0;
	r3 = read(p[0], (void *)0xfffff000, 4) < 0 ? -errno : 0;
	say("ok %ld %ld %ld", r1, r2, r3);
}

static void syscall_bad_nr(void)
{
	long r1, r2;

	asm volatile("int $0x80" : "=a" (r1) : "a" (-1));
	asm volatile("int $0x80" : "=a" (r2) : "a" (0x7fff));
	say("ok %ld %ld", r1, r2);
}

/* ---- the table -------------------------------------------------------- */

struct probe {
	const char *name;
	void (*fn)(void);
};

#define P(fn) { #fn, fn },
static const struct probe probes[] = {
#define X(a) P(read_##a) P(write_##a) P(exec_##a)
	ADDR_PROBES(X)
#undef X
	P(insn_ud2) P(insn_int3) P(insn_int_3) P(insn_icebp) P(insn_into)
	P(insn_into_no_of) P(insn_div0) P(insn_hlt) P(insn_cli) P(insn_sti)
	P(insn_pushf_popf_if) P(insn_clts) P(insn_invd) P(insn_wbinvd)
	P(insn_rdmsr) P(insn_wrmsr) P(insn_rdpmc) P(insn_rdtsc)
	P(insn_mov_from_cr0) P(insn_mov_to_cr3) P(insn_mov_from_dr7)
	P(insn_mov_to_dr0) P(insn_lgdt) P(insn_lidt) P(insn_lldt) P(insn_ltr)
	P(insn_lmsw) P(insn_invlpg) P(insn_syscall) P(insn_lcall_ldt)
	P(insn_lcall_kernel) P(insn_ljmp_tss) P(insn_iret_kernel_cs)
	P(insn_lret_kernel_cs) P(insn_in_noperm) P(insn_out_noperm)
	P(insn_ins_noperm)
#define X(n) P(int_##n)
	INT_PROBES(X)
#undef X
#define X(s) P(fs_##s) P(lar_##s)
	SEL_PROBES(X)
#undef X
	P(io_ioperm_in) P(io_ioperm_out_dx) P(io_ioperm_other_port)
	P(io_ioperm_word_straddles) P(io_ioperm_dropped) P(io_ioperm_fork)
	P(io_ioperm_ins) P(io_ioperm_rep_ins) P(io_ioperm_rep_outs)
	P(io_ioperm_outsw_down) P(io_ioperm_ins_fault) P(io_ioperm_insl_straddle)
	P(io_ioperm_ins_kernel) P(io_iopl3_in) P(io_iopl3_then_0)
	P(io_ioperm_rep_in) P(io_ioperm_fs_in) P(io_ioperm_in_15_bytes)
	P(io_ioperm_in_16_bytes) P(io16_in_ax) P(io16_in_ax_one_port)
	P(io16_in_eax_two_ports) P(io16_in_eax)
	P(probe_step_nops) P(probe_step_syscall) P(probe_step_pushf)
	P(probe_step_int3) P(probe_step_popf_clear) P(probe_step_movss_int80)
	P(probe_step_popss_int3) P(probe_step_io_perm)
	P(hwbp_exec) P(hwbp_write) P(hwbp_read) P(hwbp_kernel_write)
	P(ldt_data) P(ldt_read_back) P(ldt_code) P(ldt_data16_base)
	P(ldt_not_present) P(ldt_fork) P(ldt_code_base)
	P(sr_cs_kernel) P(sr_cs_tss) P(sr_ss_kernel) P(sr_ss_null)
	P(sr_ds_kernel) P(sr_es_bad) P(sr_fs_ldt) P(sr_eip_kernel)
	P(sr_eip_top) P(sr_eflags_tf) P(sr_eflags_iopl_nt_vm) P(sr_eflags_ac)
	P(bad_stack_getpid) P(bad_stack_signal) P(syscall_efault)
	P(syscall_bad_nr)
};

static void run(const struct probe *p)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		cur = p->name;
		catch_all();
		alarm(10);
		p->fn();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid) {
		perror("waitpid");
		exit(1);
	}
	cur = p->name;
	if (WIFSIGNALED(st))
		say("killed by %s (%d)", signame(WTERMSIG(st)), WTERMSIG(st));
	else if (WEXITSTATUS(st))
		say("exit %d", WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
	unsigned int n = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	vdso = getauxval(AT_SYSINFO_EHDR);
	for (unsigned int i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (argc > 1 && !strstr(probes[i].name, argv[1]))
			continue;
		run(&probes[i]);
		n++;
	}
	printf("# user-cpu: %u probes\n", n);
	return 0;
}
