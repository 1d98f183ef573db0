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
 *   hcall      set_thread_area() of a TLS descriptor of its own: the
 *              kernel reloads the thread's TLS descriptors, which a
 *              paravirtualized guest does with one hypercall
 *   ctxsw      a one-byte round trip through two pipes between two
 *              processes (two context switches)
 *   pagefault  first write to a fresh anonymous page (a 4 MB mapping,
 *              remapped every 1024 pages)
 *   fork       fork(), _exit() in the child, waitpid()
 *   exec       fork(), execve() of this program (/proc/self/exe) doing
 *              nothing, waitpid()
 *
 * and, for make bench-peers (the same work natively, in lguest, in
 * User-Mode Linux and under nested full emulation), memory and a mix:
 *
 *   touchlin   first write to each page of a 64 MB anonymous mapping, in
 *              address order (one operation: one page; a fresh mapping
 *              every 16384 pages)
 *   touchrand  the same in a fixed pseudo-random order of the pages
 *   cow        a child of fork() writes each page of a 4 MB region its
 *              parent had written (one operation: one page copied on
 *              write; a new child every 1024 pages; timed in the child)
 *   mmap       mmap() 64 KB, write one page, munmap()
 *   mixed      a stand-in for a kernel compile: one operation is one
 *              short process (fork and exec of this program) that reads
 *              four files of a small source tree made in /tmp at the
 *              start, compresses them (a small LZ77 of this file),
 *              checks that they decompress, checksums them and writes
 *              the compressed copy out
 */
#include <asm/ldt.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAP_PAGES	1024
#define PAGE		4096
#define TOUCH_PAGES	16384		/* 64 MB */
#define COW_PAGES	1024		/* 4 MB */
#define MMAP_BYTES	65536

/* The mixed workload's tree: MIX_DIRS directories of MIX_FILES files. */
#define MIX_DIRS	8
#define MIX_FILES	16
#define MIX_READS	4		/* files read by one process */
#define MIX_MAX		8192		/* largest file */
#define MIX_ENV		"LG_BENCH_TREE"

/*
 * A workload may time itself (cow times its children only): it adds its
 * nanoseconds here, and main() prints them instead of its own clock's.
 */
static long long timed_ns = -1;

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

static void run_hcall(long n)
{
	struct user_desc d = {
		.entry_number = -1,		/* a free TLS slot, chosen once */
		.base_addr = 0,
		.limit = 0xfffff,
		.seg_32bit = 1,
		.limit_in_pages = 1,
		.useable = 1,
	};

	if (syscall(SYS_set_thread_area, &d))
		die("set_thread_area");
	while (n--)
		if (syscall(SYS_set_thread_area, &d))
			die("set_thread_area");
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

/* A fresh anonymous mapping of @pages pages. */
static char *map_anon(long pages)
{
	char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void run_touchlin(long n)
{
	while (n > 0) {
		long i, pages = n < TOUCH_PAGES ? n : TOUCH_PAGES;
		char *p = map_anon(TOUCH_PAGES);

		for (i = 0; i < pages; i++)
			p[i * PAGE] = 1;
		munmap(p, (size_t)TOUCH_PAGES * PAGE);
		n -= pages;
	}
}

/*
 * The order of touchrand: a permutation of the 64 MB mapping's pages,
 * shuffled (Fisher-Yates) by a fixed linear congruential generator, the
 * same on every platform.  Made before the clock starts.
 */
static unsigned short touch_order[TOUCH_PAGES];

static void setup_touchrand(long n)
{
	uint32_t x = 12345;
	long i;

	(void)n;
	for (i = 0; i < TOUCH_PAGES; i++)
		touch_order[i] = i;
	for (i = TOUCH_PAGES - 1; i > 0; i--) {
		long j;
		unsigned short t;

		x = x * 1103515245u + 12345u;
		j = (x >> 8) % (i + 1);
		t = touch_order[i];
		touch_order[i] = touch_order[j];
		touch_order[j] = t;
	}
}

static void run_touchrand(long n)
{
	while (n > 0) {
		long i, pages = n < TOUCH_PAGES ? n : TOUCH_PAGES;
		char *p = map_anon(TOUCH_PAGES);

		for (i = 0; i < pages; i++)
			p[(long)touch_order[i] * PAGE] = 1;
		munmap(p, (size_t)TOUCH_PAGES * PAGE);
		n -= pages;
	}
}

/*
 * cow: the parent writes every page of its region once; each child then
 * writes up to COW_PAGES of them, every write a copy, and sends the
 * nanoseconds its writes took through a pipe.  fork() and exit() are
 * left out: they are the fork workload's.
 */
static char *cow_region;

static void setup_cow(long n)
{
	long i;

	(void)n;
	cow_region = map_anon(COW_PAGES);
	for (i = 0; i < COW_PAGES; i++)
		cow_region[i * PAGE] = 1;
}

static void run_cow(long n)
{
	timed_ns = 0;
	while (n > 0) {
		long pages = n < COW_PAGES ? n : COW_PAGES;
		long long ns;
		int fd[2];
		pid_t pid;

		if (pipe(fd))
			die("pipe");
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			long long t0 = now_ns();
			long i;

			for (i = 0; i < pages; i++)
				cow_region[i * PAGE] = 2;
			ns = now_ns() - t0;
			_exit(write(fd[1], &ns, sizeof(ns)) == sizeof(ns) ? 0 : 1);
		}
		close(fd[1]);
		if (read(fd[0], &ns, sizeof(ns)) != sizeof(ns))
			die("cow: read from the child");
		close(fd[0]);
		reap(pid);
		timed_ns += ns;
		n -= pages;
	}
}

static void run_mmap(long n)
{
	while (n--) {
		char *p = mmap(NULL, MMAP_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		p[0] = 1;
		if (munmap(p, MMAP_BYTES))
			die("munmap");
	}
}

/*
 * The mixed workload's compressor: LZ77 with a hash of the next three
 * bytes finding the last place they were seen.  The output is a list of
 * tokens: a literal run (a byte 0..127 giving its length less one, then
 * the bytes) or a match (a byte 128 + length - MIN_MATCH, then a 16-bit
 * distance).  Nothing fancy: what matters is that it reads, loops and
 * writes like a compiler pass does.
 */
#define LZ_MIN		3
#define LZ_MAX		(LZ_MIN + 127)
#define LZ_HASH		4096

static size_t lz_compress(const unsigned char *in, size_t len, unsigned char *out)
{
	static long last[LZ_HASH];
	size_t i = 0, o = 0, lit = 0;

	memset(last, 0xff, sizeof(last));
	while (i < len) {
		size_t m = 0, d = 0;

		if (i + LZ_MIN <= len) {
			unsigned int h = ((in[i] << 8) ^ (in[i + 1] << 4) ^ in[i + 2]) % LZ_HASH;
			long c = last[h];

			last[h] = i;
			if (c >= 0 && i - c <= 65535) {
				while (i + m < len && m < LZ_MAX && in[c + m] == in[i + m])
					m++;
				d = i - c;
			}
		}
		if (m >= LZ_MIN) {
			if (lit) {
				out[o - lit - 1] = lit - 1;
				lit = 0;
			}
			out[o++] = 128 + m - LZ_MIN;
			out[o++] = d & 0xff;
			out[o++] = d >> 8;
			i += m;
			continue;
		}
		if (!lit)
			o++;		/* room for the run's length */
		out[o++] = in[i++];
		if (++lit == 128) {
			out[o - lit - 1] = lit - 1;
			lit = 0;
		}
	}
	if (lit)
		out[o - lit - 1] = lit - 1;
	return o;
}

static size_t lz_expand(const unsigned char *in, size_t len, unsigned char *out, size_t room)
{
	size_t i = 0, o = 0;

	while (i < len) {
		unsigned int t = in[i++];

		if (t < 128) {
			if (i + t + 1 > len || o + t + 1 > room)
				return (size_t)-1;
			memcpy(out + o, in + i, t + 1);
			i += t + 1;
			o += t + 1;
		} else {
			size_t m = t - 128 + LZ_MIN, d, k;

			if (i + 2 > len)
				return (size_t)-1;
			d = in[i] | in[i + 1] << 8;
			i += 2;
			if (!d || d > o || o + m > room)
				return (size_t)-1;
			for (k = 0; k < m; k++, o++)
				out[o] = out[o - d];
		}
	}
	return o;
}

/* Adler-32, as a compiler's output might be checked. */
static uint32_t adler32(const unsigned char *p, size_t len)
{
	uint32_t a = 1, b = 0;

	while (len) {
		size_t k = len < 5552 ? len : 5552;	/* no overflow before % */

		len -= k;
		while (k--) {
			a += *p++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

static char mix_tree[64];

static void mix_path(char *buf, size_t size, const char *tree, long f)
{
	snprintf(buf, size, "%s/d%ld/f%ld.c", tree, f / MIX_FILES % MIX_DIRS, f % MIX_FILES);
}

/*
 * The tree: MIX_DIRS * MIX_FILES files of 1 to 8 KB of C-like text,
 * lines made from a few words by a fixed generator, so that they
 * compress about as source code does.
 */
static void setup_mixed(long n)
{
	static const char *const words[] = {
		"static", "int", "struct", "return", "if", "for", "unsigned", "long",
		"lguest", "page", "vcpu", "->", "(", ")", ";", "= 0", "+ 1", "{", "}",
		"irq", "pte", "&", "void", "const", "*", "while", "else", "NULL",
	};
	static char text[MIX_MAX];
	uint32_t x = 42;
	char path[128];
	long d, f;

	(void)n;
	snprintf(mix_tree, sizeof(mix_tree), "/tmp/lg-bench-tree.%d", (int)getpid());
	if (mkdir(mix_tree, 0755))
		die("mkdir");
	for (d = 0; d < MIX_DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%ld", mix_tree, d);
		if (mkdir(path, 0755))
			die("mkdir");
	}
	for (f = 0; f < MIX_DIRS * MIX_FILES; f++) {
		size_t len, size;
		int fd;

		x = x * 1103515245u + 12345u;
		size = 1024 + (x >> 8) % (MIX_MAX - 1024);
		for (len = 0; len < size; ) {
			const char *w;

			x = x * 1103515245u + 12345u;
			w = words[(x >> 8) % (sizeof(words) / sizeof(words[0]))];
			while (*w && len < size)
				text[len++] = *w++;
			if (len < size)
				text[len++] = (x >> 20) % 8 ? ' ' : '\n';
		}
		mix_path(path, sizeof(path), mix_tree, f);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, text, size) != (ssize_t)size || close(fd))
			die("writing the tree");
	}
	if (setenv(MIX_ENV, mix_tree, 1))
		die("setenv");
}

static void cleanup_mixed(void)
{
	char path[128];
	long d, f;

	for (f = 0; f < MIX_DIRS * MIX_FILES; f++) {
		mix_path(path, sizeof(path), mix_tree, f);
		unlink(path);
		snprintf(path, sizeof(path), "%s/out%ld.lz", mix_tree, f);
		unlink(path);
	}
	for (d = 0; d < MIX_DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%ld", mix_tree, d);
		rmdir(path);
	}
	rmdir(mix_tree);
}

static void run_mixed(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		char job[24];
		pid_t pid;

		snprintf(job, sizeof(job), "%ld", i);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			execl("/proc/self/exe", "lg-bench", "mixjob", job, (char *)NULL);
			_exit(127);
		}
		reap(pid);
	}
}

/*
 * One process of the mixed workload (run by run_mixed(), not by hand):
 * job J reads files J*MIX_READS onwards, compresses, checks and writes
 * each, and prints nothing.
 */
static void run_mixjob(long job)
{
	static unsigned char in[MIX_MAX], out[MIX_MAX * 2], back[MIX_MAX];
	const char *tree = getenv(MIX_ENV);
	uint32_t sum = 0;
	char path[128];
	long k;

	if (!tree)
		_exit(3);
	for (k = 0; k < MIX_READS; k++) {
		long f = (job * MIX_READS + k) % (MIX_DIRS * MIX_FILES);
		ssize_t len;
		size_t clen;
		int fd;

		mix_path(path, sizeof(path), tree, f);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			_exit(4);
		len = read(fd, in, sizeof(in));
		close(fd);
		if (len <= 0)
			_exit(5);
		clen = lz_compress(in, len, out);
		if (lz_expand(out, clen, back, sizeof(back)) != (size_t)len ||
		    memcmp(in, back, len))
			_exit(6);
		sum ^= adler32(in, len) ^ adler32(out, clen);
		snprintf(path, sizeof(path), "%s/out%ld.lz", tree, f);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, out, clen) != (ssize_t)clen ||
		    write(fd, &sum, sizeof(sum)) != sizeof(sum) || close(fd))
			_exit(7);
	}
	_exit(0);
}

static void run_noop(long n)
{
	(void)n;
}

static const struct {
	const char *name;
	void (*run)(long n);
	void (*setup)(long n);		/* before the clock starts */
	void (*cleanup)(void);		/* after it stops */
} workloads[] = {
	{ .name = "syscall", .run = run_syscall },
	{ .name = "int80", .run = run_int80 },
	{ .name = "clock", .run = run_clock },
	{ .name = "hcall", .run = run_hcall },
	{ .name = "ctxsw", .run = run_ctxsw },
	{ .name = "pagefault", .run = run_pagefault },
	{ .name = "fork", .run = run_fork },
	{ .name = "exec", .run = run_exec },
	{ .name = "touchlin", .run = run_touchlin },
	{ .name = "touchrand", .run = run_touchrand, .setup = setup_touchrand },
	{ .name = "cow", .run = run_cow, .setup = setup_cow },
	{ .name = "mmap", .run = run_mmap },
	{ .name = "mixed", .run = run_mixed, .setup = setup_mixed, .cleanup = cleanup_mixed },
	{ .name = "mixjob", .run = run_mixjob },
	{ .name = "noop", .run = run_noop },
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
		if (workloads[i].setup)
			workloads[i].setup(n);
		t0 = now_ns();
		workloads[i].run(n);
		t1 = now_ns();
		if (workloads[i].cleanup)
			workloads[i].cleanup();
		if (timed_ns >= 0)
			t1 = t0 + timed_ns;
		if (strcmp(argv[1], "noop"))
			printf("lg-bench %s %ld %.0f\n", argv[1], n,
			       n ? (double)(t1 - t0) / n : 0.0);
		return 0;
	}
	fprintf(stderr, "lg-bench: no workload '%s'\n", argv[1]);
	return 2;
}
