// SPDX-License-Identifier: GPL-2.0
/*
 * lg-fuzz: an ABI fuzzer for /dev/lguest.  Seeded and reproducible (one
 * xorshift64* stream picks every operation; only timing, the watchdog's
 * LHREQ_BREAKs and the SIGKILL delays depend on the clock):
 *
 *   lg-fuzz [SEED [OPS]]     default: seed 1, 100000 operations
 *
 * Millions on demand: "lg-fuzz 7 5000000" in the QEMU host's shell
 * (scripts/boot --mode shell, then modprobe lg).  For reproducers:
 * LGFUZZ_VERBOSE=1 prints every operation and the code of every guest;
 * LGFUZZ_GUEST=<hex> runs just that code as a plain guest (1:1 page
 * table, data page at 0x5000 not yet registered) and prints its exits.
 *
 * A handful of guest slots, each an fd of /dev/lguest in a known state
 * (closed, open, initialised by this process or by another, dead), get
 * random operations, cheap ones most often:
 *
 *  - writes of random and mutated requests: every size, the request
 *    number, out-of-range and overflowing LHREQ_INITIALIZE fields,
 *    LHREQ_EVENTFDs of addresses in and out of the device pages, with
 *    eventfds, other files, closed fds and past the limit,
 *    reserved fields, buffers that are NULL, in the kernel's half, or
 *    cut short by an unmapped page; on fds that are read-only, not
 *    initialised, initialised, dead or another process's guest;
 *  - reads of every size into good and bad buffers; other system calls
 *    (ioctl, mmap, lseek, poll, pwrite, writev, dup);
 *  - random tiny guests (ring-1 code at guest-physical 0x1000 under a
 *    1:1 page table): random bytes, or random sequences of instructions
 *    and hypercalls with boundary arguments (LHCALL_LGUEST_INIT with a
 *    data page and a prefilled hypercall ring, GDT and IDT entries,
 *    SET_STACK, NEW_PGTABLE, FLUSH_TLB, SET_PTE/SET_PGD, LOAD_TLS,
 *    NOTIFY, CONSOLE_WRITE, SHUTDOWN, CRASH, HALT, the clock, debug
 *    registers, LOAD_TR, SET_LDT), segment
 *    loads, privileged instructions, software interrupts, iret to user
 *    mode, spinning, and random page tables (present bits, large pages,
 *    pfns past memory, mappings of the top 12 MB);
 *  - while a guest runs: reads from several threads, close() of its fd,
 *    munmap/mprotect/MAP_FIXED over its memory, signals; fork (the child
 *    must get -EIO from the guests of its parent, and owns what it
 *    initialises itself); a launcher child SIGKILLed after a random delay.
 *
 * Every guest run is bounded: a watchdog thread sends LHREQ_BREAK (through
 * a dup of the fd, so that close() during the run cannot redirect it) a
 * few milliseconds into the run and again every 2 ms; a run is at most a
 * few reads.  An operation still unfinished after HANG_SECS is reported
 * as a hang (exit 3).
 *
 * Checked here: every return value is one the ABI allows, and where the
 * fuzzer knows the state, the exact errno (a write returns its length or
 * fails with EINVAL, EFAULT, ENOENT, EBUSY, EPROTO, ENOMEM, EIO or EINTR;
 * a read returns a struct lguest_exit with a known reason, the
 * arguments of CONSOLE and NOTIFY inside the guest, a NUL-terminated
 * message with zeros after it, and a dead guest stays dead with the
 * same reason); no call hangs; the kernel log gains no warning, bug or
 * oops; at the end VmLck and the number of open fds are back to where
 * they started.  Prints the operation count and a histogram of the
 * outcomes (errno per request kind, exit reasons, kill messages).
 * Exit status: 0 clean, 1 a check failed, 2 usage, 3 hang, 4 no
 * /dev/lguest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/lguest.h>

#define PAGE		4096u
#define TASK_SIZE	0xc0000000u	/* CONFIG_VMSPLIT_3G: the host's PAGE_OFFSET */
#define MAX_RW_COUNT	0x7ffff000u
#define MAX_MEM_PAGES	(3u << 18)	/* lguest_user.c: 3 GB of pages */
#define NSLOTS		6
#define SLOT_SPAN	(1u << 20)	/* each slot's guest memory in the arena */
#define ARENA_SIZE	(64u << 20)
#define KILL_SLOT	(NSLOTS)	/* the killed launcher's memory */
#define HANG_SECS	20
#define EXIT_SIZE	((unsigned int)sizeof(struct lguest_exit))

/* Guest-physical layout of the generated guests. */
#define G_CODE		0x1000u
#define G_HANDLERS	0x1800u
#define G_HANDLER_SIZE	64u
#define G_NHANDLERS	8u
#define G_PGDIR		0x2000u
#define G_STRINGS	0x3000u
#define G_TLS		0x3800u
#define G_PT		0x4000u
#define G_DATA		0x5000u
#define G_PGDIR2	0x6000u
#define G_PT2		0x7000u
#define G_STACK		0x9000u
#define G_USTACK	0xa000u
#define G_SCRATCH	0xb000u
#define G_MIN_PAGES	16u

/* ------------------------------------------------------------------ */
/* Random numbers: xorshift64*, for everything the main thread decides. */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL) >> 32;
}

/* Each operation draws from its own stream: what it does depends on the seed and its number. */
static void rng_for_op(uint64_t seed, unsigned long op)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + op + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	rng_state = (z ^ (z >> 31)) | 1;
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int percent)
{
	return rn(100) < percent;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ------------------------------------------------------------------ */
/* Outcomes, failures, the histogram. */

enum kind {
	K_OPEN, K_CLOSE, K_JUNK, K_INIT, K_IRQ, K_BREAK, K_EVENTFD, K_READ, K_MISC, K_SETUP,
	K_RUN, K_SIGNAL, K_THREADS, K_CLOSERUN, K_MM, K_FORK, K_CHILD, K_KILL,
	K_WATCHDOG, NKINDS
};

static const char *const kind_name[NKINDS] = {
	"open", "close", "write-junk", "write-init", "write-irq", "write-break",
	"write-eventfd", "read-odd",
	"misc-syscall", "guest-init", "run-read", "signal-read", "thread-read",
	"close-in-run", "mm-in-run", "fork-child", "child-request", "kill-launcher",
	"watchdog-break",
};

/* Outcome codes: 0 success, an errno, O_EXIT + reason, or a child's fate. */
#define O_EXIT		200
#define O_CHILD_OK	220
#define O_CHILD_KILLED	221
#define O_CHILD_OTHER	222
#define NOUT		224

static unsigned long hist[NKINDS][NOUT], kind_count[NKINDS];
static uint64_t kind_ns[NKINDS];
static unsigned long op_no, nops, requests, failures;
static uint64_t seed;
static int in_child, verbose;

static const char *const exit_name[] = {
	"?", "NOTIFY", "CONSOLE", "POWEROFF", "RESTART", "CRASH", "KILLED", "BREAK",
};

static void record(enum kind k, int outcome)
{
	if (outcome < 0 || outcome >= NOUT)
		outcome = NOUT - 1;
	hist[k][outcome]++;
}

static void fail(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	failures++;
	if (failures > 30 && !in_child)
		return;
	n = snprintf(buf, sizeof(buf), "lg-fuzz: FAIL at op %lu (seed %llu)%s: ", op_no,
		     (unsigned long long)seed, in_child ? " in a child" : "");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* write(2): safe in a child forked from a threaded parent. */
	if (write(1, buf, n) < 0)
		failures++;
}

/* Kill messages with their numbers taken out: which checks the guests hit. */
#define NREASONS 96
static struct {
	char text[64];
	unsigned long count;
} reasons[NREASONS];

static void record_reason(unsigned int reason, const char *msg)
{
	char t[64];
	unsigned int i, n = 0;
	const char *p = msg;

	n = snprintf(t, sizeof(t), "%s: ", exit_name[reason]);
	while (*p && n < sizeof(t) - 2) {
		const char *w = p;
		int digit = 0;

		while (*p && *p != ' ')
			digit |= (*p >= '0' && *p <= '9'), p++;
		if (reason == LGUEST_EXIT_CRASH && w != msg && strncmp(w, "panic:", 6))
			break;	/* the guest's own words: random */
		if (digit) {
			t[n++] = 'N';
		} else {
			while (w < p && n < sizeof(t) - 2)
				t[n++] = *w++;
		}
		if (*p == ' ' && n < sizeof(t) - 2)
			t[n++] = *p++;
	}
	t[n] = 0;
	for (i = 0; i < NREASONS; i++) {
		if (!reasons[i].count)
			strcpy(reasons[i].text, t);
		if (!strcmp(reasons[i].text, t)) {
			reasons[i].count++;
			return;
		}
	}
}

/* ------------------------------------------------------------------ */
/* The watchdog: LHREQ_BREAK for the running guest, and hang detection. */

static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cond;
static int wd_fd = -1;			/* the armed run's own dup of its fd */
static uint64_t wd_deadline;
static unsigned long wd_breaks, wd_bad;
static int wd_bad_errno;
static uint64_t op_started;		/* for the hang check, under wd_lock */
static enum kind op_kind;

static void print_histogram(void);

static void *watchdog(void *arg)
{
	static const struct lguest_break brk = { LHREQ_BREAK, 0 };

	(void)arg;
	pthread_mutex_lock(&wd_lock);
	for (;;) {
		uint64_t now = now_ns(), wake = now + 500000000ULL;
		struct timespec ts;

		if (wd_fd >= 0) {
			if (now >= wd_deadline) {
				if (write(wd_fd, &brk, sizeof(brk)) == sizeof(brk)) {
					wd_breaks++;
				} else {
					wd_bad++;
					wd_bad_errno = errno;
				}
				wd_deadline = now + 2000000;
			}
			wake = wd_deadline;
		}
		if (op_started && now - op_started > HANG_SECS * 1000000000ULL) {
			char buf[200];
			int n = snprintf(buf, sizeof(buf),
					 "lg-fuzz: HANG: op %lu (%s) unfinished after %d s (seed %llu)\n",
					 op_no, kind_name[op_kind], HANG_SECS,
					 (unsigned long long)seed);

			if (write(1, buf, n) < 0)
				_exit(3);
			print_histogram();
			fflush(stdout);
			_exit(3);
		}
		ts.tv_sec = wake / 1000000000ULL;
		ts.tv_nsec = wake % 1000000000ULL;
		pthread_cond_timedwait(&wd_cond, &wd_lock, &ts);
	}
	return NULL;
}

/* Break the guest behind fd after budget_us, then every 2 ms. */
static int arm(int fd, unsigned int budget_us)
{
	int d = dup(fd);

	if (d < 0) {
		fail("dup: %s", strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&wd_lock);
	wd_fd = d;
	wd_deadline = now_ns() + budget_us * 1000ULL;
	pthread_cond_signal(&wd_cond);
	pthread_mutex_unlock(&wd_lock);
	return d;
}

static void disarm(int d)
{
	if (d < 0)
		return;
	pthread_mutex_lock(&wd_lock);
	wd_fd = -1;
	pthread_mutex_unlock(&wd_lock);
	close(d);
}

static void op_begin(enum kind k)
{
	kind_count[k]++;
	kind_ns[k] -= now_ns();
	pthread_mutex_lock(&wd_lock);
	op_started = now_ns();
	op_kind = k;
	pthread_mutex_unlock(&wd_lock);
}

static void op_end(void)
{
	kind_ns[op_kind] += now_ns();
	pthread_mutex_lock(&wd_lock);
	op_started = 0;
	pthread_mutex_unlock(&wd_lock);
}

/* ------------------------------------------------------------------ */
/* Guest slots and the model of what the host knows about them. */

enum state { ST_CLOSED, ST_UNINIT, ST_OWN, ST_FOREIGN };

struct slot {
	int fd;
	int mode;			/* O_RDONLY, O_WRONLY, O_RDWR */
	enum state state;
	int runnable;			/* its memory is all inside the arena */
	int dead;
	unsigned int dead_reason;
	char dead_msg[LGUEST_MSG_LEN];
	uint32_t mem_pages, dev_pages;
	unsigned char *mem;
	uint32_t efd_addr[LGUEST_MAX_EVENTFDS];	/* LHREQ_EVENTFDs in force */
	unsigned int n_efd;
};

/* The eventfd the fuzzer gives /dev/lguest; nobody reads it. */
static int fuzz_efd = -1;

/* Whether fd is open, and an eventfd. */
static int fd_kind(int fd)
{
	char path[64], target[64];
	ssize_t n;

	if (fcntl(fd, F_GETFD) < 0)
		return EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return EBADF;
	target[n] = 0;
	return strcmp(target, "anon_inode:[eventfd]") ? EINVAL : 0;
}

static int efd_index(const struct slot *s, uint32_t addr)
{
	unsigned int i;

	for (i = 0; i < s->n_efd; i++)
		if (s->efd_addr[i] == addr)
			return i;
	return -1;
}

static struct slot slots[NSLOTS];
static unsigned char *arena, *reqpage, *ropage;
static uint32_t switcher_addr;

static unsigned char *slot_mem(unsigned int i)
{
	return arena + i * SLOT_SPAN;
}

static int can_read(const struct slot *s)
{
	return s->mode != O_WRONLY;
}

static int can_write(const struct slot *s)
{
	return s->mode != O_RDONLY;
}

/* The kernel's access_ok() on i386. */
static int access_ok(const void *buf, size_t len)
{
	return len <= TASK_SIZE && (uintptr_t)buf <= TASK_SIZE - len;
}

/* lguest_user.c's check_init(), as the ABI describes it. */
static int check_init(const struct lguest_init *i)
{
	uint64_t pages = (uint64_t)i->mem_pages + i->device_pages, mem;
	unsigned int k;

	if (i->version != LGUEST_ABI_VERSION)
		return EPROTO;
	if (i->flags)
		return EINVAL;
	for (k = 0; k < 7; k++)
		if (i->reserved[k])
			return EINVAL;
	if (!i->mem_pages || i->mem_pages > MAX_MEM_PAGES ||
	    i->device_pages > LGUEST_MAX_DEVICE_PAGES)
		return EINVAL;
	if ((i->mem_base & (PAGE - 1)) || i->mem_base >= TASK_SIZE ||
	    pages * PAGE > TASK_SIZE - i->mem_base)
		return EINVAL;
	mem = (uint64_t)i->mem_pages * PAGE;
	if ((i->pgdir & (PAGE - 1)) || i->pgdir >= mem)
		return EINVAL;
	if (i->start >= mem || i->boot_params >= mem)
		return EINVAL;
	if ((i->page_offset & ((4u << 20) - 1)) || i->page_offset >= switcher_addr)
		return EINVAL;
	return 0;
}

/*
 * What write(fd, buf, len) must return: 0 for success (len), or the
 * errno.  readable: how many bytes from buf can be read.
 */
static int predict_write(const struct slot *s, const void *buf, size_t len, size_t readable)
{
	uint32_t req[2];
	size_t n = len > MAX_RW_COUNT ? MAX_RW_COUNT : len;
	enum state st = s->state;

	if (!can_write(s))
		return EBADF;
	if (!access_ok(buf, len))
		return EFAULT;
	if ((ssize_t)len < 0)
		return EINVAL;		/* rw_verify_area() */
	if (n < 8)
		return EINVAL;
	if (readable < 8)
		return EFAULT;
	if (st == ST_FOREIGN)
		return EIO;
	memcpy(req, buf, sizeof(req));
	switch (req[0]) {
	case LHREQ_INITIALIZE: {
		struct lguest_init init;
		int err;

		if (n != sizeof(init))
			return EINVAL;
		if (readable < sizeof(init))
			return EFAULT;
		memcpy(&init, buf, sizeof(init));
		err = check_init(&init);
		if (err)
			return err;
		return st == ST_OWN ? EBUSY : 0;
	}
	case LHREQ_IRQ:
		if (n != sizeof(struct lguest_irq) || req[1] >= LGUEST_IRQS)
			return EINVAL;
		return st == ST_UNINIT ? ENOENT : 0;
	case LHREQ_BREAK:
		if (n != sizeof(struct lguest_break) || req[1])
			return EINVAL;
		return st == ST_UNINIT ? ENOENT : 0;
	case LHREQ_EVENTFD: {
		struct lguest_eventfd e;
		int err;

		if (n != sizeof(e))
			return EINVAL;
		if (readable < sizeof(e))
			return EFAULT;
		memcpy(&e, buf, sizeof(e));
		if (e.reserved || e.fd < -1)
			return EINVAL;
		if (st == ST_UNINIT)
			return ENOENT;
		if (e.addr < s->mem_pages * PAGE || e.addr >= (s->mem_pages + s->dev_pages) * PAGE)
			return EINVAL;
		if (e.fd >= 0) {
			err = fd_kind(e.fd);
			if (err)
				return err;
			if (efd_index(s, e.addr) < 0 && s->n_efd == LGUEST_MAX_EVENTFDS)
				return ENOSPC;
		}
		return 0;
	}
	default:
		return EINVAL;
	}
}

#define P_RUN	(-1)

/* What read() must do: an errno, or P_RUN (the guest runs). */
static int predict_read(const struct slot *s, const void *buf, size_t len)
{
	size_t n = len > MAX_RW_COUNT ? MAX_RW_COUNT : len;
	enum state st = s->state;

	if (!can_read(s))
		return EBADF;
	if (!access_ok(buf, len))
		return EFAULT;
	if ((ssize_t)len < 0)
		return EINVAL;
	if (n < EXIT_SIZE)
		return EINVAL;
	if (st == ST_FOREIGN)
		return EIO;
	if (st == ST_UNINIT)
		return ENOENT;
	return P_RUN;
}

static int allowed_write_errno(int e)
{
	return e == EINVAL || e == EFAULT || e == ENOENT || e == EBUSY || e == EPROTO ||
	       e == ENOMEM || e == EIO || e == EINTR;
}

/* Compare a write's result with the prediction; the outcome code. */
static int check_write(enum kind k, const struct slot *s, long ret, int err, int want,
		       size_t len, int eintr_ok)
{
	int got = ret < 0 ? err : 0;

	requests++;
	if (ret >= 0 && (size_t)ret != len) {
		fail("%s: write returned %ld, not %zu", kind_name[k], ret, len);
	} else if (ret < 0 && !allowed_write_errno(err) && !(err == EBADF && want == EBADF)) {
		fail("%s: write failed with %s, which the ABI does not allow", kind_name[k],
		     strerror(err));
	} else if (got != want && !(eintr_ok && got == EINTR) &&
		   !(want == 0 && got == ENOMEM && k != K_IRQ && k != K_BREAK)) {
		fail("%s: write (state %d, len %zu) gave %s, expected %s", kind_name[k],
		     s->state, len, got ? strerror(got) : "success",
		     want ? strerror(want) : "success");
	}
	record(k, got);
	return got;
}

/* Open a slot's fd. */
static void do_open(struct slot *s)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDWR, O_RDWR | O_CLOEXEC,
				     O_RDWR | O_NONBLOCK, O_RDONLY, O_WRONLY };
	int m = modes[rn(sizeof(modes) / sizeof(modes[0]))];

	s->fd = open("/dev/lguest", m);
	requests++;
	if (s->fd < 0) {
		fail("open /dev/lguest: %s", strerror(errno));
		record(K_OPEN, errno);
		s->state = ST_CLOSED;
		return;
	}
	record(K_OPEN, 0);
	s->mode = m & O_ACCMODE;
	s->state = ST_UNINIT;
	s->dead = 0;
	s->runnable = 0;
	s->n_efd = 0;
}

static void do_close(struct slot *s)
{
	if (s->state == ST_CLOSED)
		return;
	requests++;
	if (close(s->fd)) {
		fail("close: %s", strerror(errno));
		record(K_CLOSE, errno);
	} else {
		record(K_CLOSE, 0);
	}
	s->fd = -1;
	s->state = ST_CLOSED;
}

/* ------------------------------------------------------------------ */
/* Request buffers: good ones, and ones cut short, NULL or the kernel's. */

struct ubuf {
	void *p;
	size_t ok;	/* readable (or writable) bytes from p */
};

static struct ubuf pick_buf(const void *content, size_t clen, int for_read)
{
	struct ubuf b;
	unsigned int r = rn(100);

	if (r < 84) {
		unsigned int off = rn(8) * (chance(80) ? 8 : 1);

		b.p = reqpage + off;
		b.ok = PAGE - off;
	} else if (r < 92) {
		unsigned int k = rn(clen + 1);

		b.p = reqpage + PAGE - k;	/* runs into the guard page */
		b.ok = k;
	} else if (r < 94) {
		b.p = NULL;
		b.ok = 0;
	} else if (r < 96) {
		b.p = (void *)(uintptr_t)(TASK_SIZE + rn(3) * 0x1000000u);
		b.ok = 0;
	} else if (r < 98) {
		b.p = (void *)(uintptr_t)(0xffffffffu - rn(64));
		b.ok = 0;
	} else {
		b.p = ropage;			/* readable, not writable */
		b.ok = for_read ? 0 : PAGE;
	}
	if (!for_read && b.ok && b.p != ropage)
		memcpy(b.p, content, clen < b.ok ? clen : b.ok);
	return b;
}

/* ------------------------------------------------------------------ */
/* Interesting numbers. */

static uint32_t boundary(uint32_t mem_size)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 12, 16, 31, 32, 33, 63, 64, 0x68, 0x69, 0x7b, 127, 128,
		255, 256, 0xfff, 0x1000, 0x1001, 0x2000, 0x5000, 0xffff, 0x10000, 0x3fffff,
		0x400000, 0x7fffffff, 0x80000000, 0xbffff000, 0xc0000000, 0xfffff000,
		0xfffffffc, 0xfffffffe, 0xffffffff, MAX_MEM_PAGES, MAX_MEM_PAGES + 1,
	};

	switch (rn(6)) {
	case 0:
		return rnd();
	case 1:
		return mem_size + rn(3) * PAGE - rn(2) * 4;
	case 2:
		return switcher_addr + (rn(3) - 1) * PAGE;
	case 3:
		return rn(mem_size ? mem_size : 1);
	default:
		return v[rn(sizeof(v) / sizeof(v[0]))];
	}
}

/* ------------------------------------------------------------------ */
/* Requests. */

static struct lguest_init good_init(unsigned char *mem, uint32_t pages, uint32_t dev)
{
	struct lguest_init init = {
		.req = LHREQ_INITIALIZE,
		.version = LGUEST_ABI_VERSION,
		.mem_base = (uintptr_t)mem,
		.mem_pages = pages,
		.device_pages = dev,
		.start = G_CODE,
		.pgdir = G_PGDIR,
		.boot_params = G_STRINGS,
		.page_offset = 0xc0000000,
	};
	return init;
}

/* An INITIALIZE with one or more fields mutated. */
static struct lguest_init mutated_init(void)
{
	struct lguest_init init = good_init(slot_mem(rn(NSLOTS)), 16 + rn(200), rn(17));
	unsigned int n = chance(30) ? 0 : 1 + rn(3);

	while (n--) {
		switch (rn(13)) {
		case 0:
			init.version = chance(50) ? LGUEST_ABI_VERSION + rn(3) - 1 : rnd();
			break;
		case 1:
			init.mem_base = chance(50) ? (uintptr_t)arena + rn(ARENA_SIZE) :
				(uint64_t)boundary(0) << (chance(10) ? 32 : 0);
			if (chance(70))
				init.mem_base &= ~(uint64_t)(PAGE - 1);
			break;
		case 2:
			init.mem_pages = boundary(0);
			break;
		case 3:
			init.mem_pages = chance(50) ? 1 + rn(16) : ARENA_SIZE / PAGE - rn(4);
			break;
		case 4:
			init.device_pages = chance(50) ? LGUEST_MAX_DEVICE_PAGES + rn(2) :
				boundary(0);
			break;
		case 5:
			init.start = boundary(init.mem_pages * PAGE);
			break;
		case 6:
			init.pgdir = boundary(init.mem_pages * PAGE);
			break;
		case 7:
			init.boot_params = boundary(init.mem_pages * PAGE);
			break;
		case 8:
			init.page_offset = chance(50) ? rn(1024) << 22 : boundary(0);
			break;
		case 9:
			init.flags = 1u << rn(32);
			break;
		case 10:
			init.reserved[rn(7)] = chance(50) ? 1 : rnd();
			break;
		case 11:
			init.mem_base = TASK_SIZE - (uint64_t)init.mem_pages * PAGE -
				(rn(3) - 1) * PAGE;
			break;
		default:
			init.mem_pages = MAX_MEM_PAGES + rn(3) - 1;
			init.mem_base = (uintptr_t)arena;
			break;
		}
	}
	return init;
}

/* After a successful INITIALIZE: what the model knows about the guest. */
static void initialised(struct slot *s, const struct lguest_init *init)
{
	uint64_t end = init->mem_base + ((uint64_t)init->mem_pages + init->device_pages) * PAGE;

	s->state = ST_OWN;
	s->dead = 0;
	s->mem = (unsigned char *)(uintptr_t)init->mem_base;
	s->mem_pages = init->mem_pages;
	s->dev_pages = init->device_pages;
	s->runnable = init->mem_base >= (uintptr_t)arena &&
		      end <= (uintptr_t)arena + ARENA_SIZE;
}

/* write() of buf (clen bytes of content) with a length of len. */
static int do_write(enum kind k, struct slot *s, const void *content, size_t clen, size_t len)
{
	struct ubuf b = pick_buf(content, clen, 0);
	int want = predict_write(s, b.p, len, b.ok);
	struct lguest_init init;
	long ret;
	int got;

	errno = 0;
	ret = write(s->fd, b.p, len);
	got = check_write(k, s, ret, errno, want, len, 0);
	if (!got && ret >= 0 && !want && len == sizeof(init)) {
		memcpy(&init, b.p, sizeof(init));
		if (init.req == LHREQ_INITIALIZE)
			initialised(s, &init);
	}
	if (!got && ret >= 0 && !want && len == sizeof(struct lguest_eventfd)) {
		struct lguest_eventfd e;
		int i;

		memcpy(&e, b.p, sizeof(e));
		i = efd_index(s, e.addr);
		if (e.req != LHREQ_EVENTFD)
			;
		else if (e.fd >= 0 && i < 0)
			s->efd_addr[s->n_efd++] = e.addr;
		else if (e.fd < 0 && i >= 0)
			s->efd_addr[i] = s->efd_addr[--s->n_efd];
	}
	return got;
}

static size_t odd_len(size_t natural)
{
	switch (rn(10)) {
	case 0:
		return rn(8);
	case 1:
		return natural + rn(5) - 2;
	case 2:
		return rnd();
	case 3:
		return 0x80000000u + rn(4096);
	default:
		return natural;
	}
}

static void op_junk(struct slot *s)
{
	uint32_t w[24];
	unsigned int i;

	for (i = 0; i < 24; i++)
		w[i] = chance(50) ? rnd() : boundary(0);
	w[0] = chance(70) ? rn(5) : rnd();
	if (w[0] == LHREQ_INITIALIZE && chance(50))
		w[1] = LGUEST_ABI_VERSION;
	if (chance(30))
		memset(w + 2, 0, sizeof(w) - 8);
	do_write(K_JUNK, s, w, sizeof(w), chance(50) ? rn(sizeof(w) + 1) : odd_len(8));
}

static void op_init(struct slot *s)
{
	struct lguest_init init = mutated_init();

	do_write(K_INIT, s, &init, sizeof(init), chance(90) ? sizeof(init) : odd_len(sizeof(init)));
}

static void op_irq(struct slot *s)
{
	struct lguest_irq irq = { LHREQ_IRQ, chance(80) ? rn(LGUEST_IRQS) : boundary(0) };

	do_write(K_IRQ, s, &irq, sizeof(irq), chance(90) ? sizeof(irq) : odd_len(sizeof(irq)));
}

/* LHREQ_EVENTFD: mostly an address in the slot's device pages. */
static void op_eventfd(struct slot *s)
{
	struct lguest_eventfd e = { .req = LHREQ_EVENTFD };
	uint32_t dev = s->mem_pages * PAGE;

	if (s->state == ST_OWN && s->dev_pages && chance(70))
		e.addr = dev + (chance(50) ? rn(64) * 8 : rn(s->dev_pages * PAGE));
	else
		e.addr = chance(50) ? rnd() : boundary(0);
	switch (rn(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		e.fd = fuzz_efd;
		break;
	case 4:
	case 5:
	case 6:
		e.fd = -1;
		break;
	case 7:
		e.fd = rn(24);
		break;
	default:
		e.fd = boundary(0);
	}
	e.reserved = chance(90) ? 0 : boundary(0);
	do_write(K_EVENTFD, s, &e, sizeof(e), chance(90) ? sizeof(e) : odd_len(sizeof(e)));
}

static void op_break(struct slot *s)
{
	struct lguest_break brk = { LHREQ_BREAK, chance(80) ? 0 : boundary(0) };

	do_write(K_BREAK, s, &brk, sizeof(brk), chance(90) ? sizeof(brk) : odd_len(sizeof(brk)));
}

/* ------------------------------------------------------------------ */
/* Reads, and what they return. */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void set_timer(unsigned int us)
{
	struct itimerval it = { { 0, 0 }, { us / 1000000, us % 1000000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Check one read's result against the ABI and the slot's history; update
 * the slot.  eintr_ok: a signal may have interrupted it; ebadf_ok: the fd
 * may have been closed meanwhile; wok: writable bytes at the buffer.
 */
static void check_read(enum kind k, struct slot *s, long ret, int err,
		       const struct lguest_exit *ex, size_t wok, int eintr_ok, int ebadf_ok)
{
	const unsigned char *m = (const unsigned char *)ex->message;
	unsigned int i, nul, r;

	requests++;
	if (ret < 0) {
		record(k, err);
		if ((err == EINTR && eintr_ok) || (err == EBADF && ebadf_ok) ||
		    (err == EFAULT && wok < EXIT_SIZE))
			return;
		fail("%s: read of a running guest failed with %s", kind_name[k], strerror(err));
		return;
	}
	if (ret != EXIT_SIZE || wok < EXIT_SIZE) {
		fail("%s: read returned %ld (buffer %zu bytes)", kind_name[k], ret, wok);
		return;
	}
	r = ex->reason;
	if (r < LGUEST_EXIT_NOTIFY || r > LGUEST_EXIT_BREAK) {
		fail("%s: unknown exit reason %u", kind_name[k], r);
		record(k, NOUT - 1);
		return;
	}
	record(k, O_EXIT + r);
	for (nul = 0; nul < LGUEST_MSG_LEN && m[nul]; nul++)
		;
	if (nul == LGUEST_MSG_LEN) {
		fail("%s: exit message not NUL-terminated", kind_name[k]);
		return;
	}
	for (i = nul; i < LGUEST_MSG_LEN; i++)
		if (m[i]) {
			fail("%s: bytes after the exit message's NUL", kind_name[k]);
			break;
		}
	if (ex->pad)
		fail("%s: exit pad %#x", kind_name[k], ex->pad);
	if (s->dead && r != s->dead_reason) {
		fail("%s: a dead guest (%s, \"%s\") came back with %s \"%s\"", kind_name[k],
		     exit_name[s->dead_reason], s->dead_msg, exit_name[r], ex->message);
		return;
	}
	if (s->dead && (r == LGUEST_EXIT_KILLED || r == LGUEST_EXIT_CRASH) &&
	    strcmp(s->dead_msg, ex->message))
		fail("%s: a dead guest changed its reason: \"%s\", then \"%s\"", kind_name[k],
		     s->dead_msg, ex->message);
	switch (r) {
	case LGUEST_EXIT_CONSOLE: {
		uint32_t gpa = ex->arg >> 32, len = (uint32_t)ex->arg;

		if (!len || len > PAGE || gpa >= s->mem_pages * PAGE ||
		    len > s->mem_pages * PAGE - gpa)
			fail("%s: console write %#x+%u outside the guest's %u pages",
			     kind_name[k], gpa, len, s->mem_pages);
		if (nul)
			fail("%s: message with a console exit", kind_name[k]);
		break;
	}
	case LGUEST_EXIT_NOTIFY:
		if (ex->arg < (uint64_t)s->mem_pages * PAGE ||
		    ex->arg >= ((uint64_t)s->mem_pages + s->dev_pages) * PAGE)
			fail("%s: notify %#llx outside the device pages", kind_name[k],
			     (unsigned long long)ex->arg);
		if (nul)
			fail("%s: message with a notify exit", kind_name[k]);
		break;
	case LGUEST_EXIT_BREAK:
		if (nul || ex->arg)
			fail("%s: break exit with a message or argument", kind_name[k]);
		break;
	default:
		if (!s->dead) {
			s->dead = 1;
			s->dead_reason = r;
			strcpy(s->dead_msg, ex->message);
			record_reason(r, ex->message);
		}
		break;
	}
}

/* A read with an odd size or buffer; the guest may run. */
static void op_read(struct slot *s, enum kind k)
{
	struct lguest_exit ex;
	size_t len = chance(50) ? EXIT_SIZE : odd_len(EXIT_SIZE);
	struct ubuf b = pick_buf(NULL, 0, 1);
	int want = predict_read(s, b.p, len), d = -1, e;
	long ret;

	if (want == P_RUN) {
		if (!s->runnable)
			return;
		d = arm(s->fd, 500 + rn(3000));
	}
	errno = 0;
	ret = read(s->fd, b.p, len);
	e = errno;
	disarm(d);
	if (want != P_RUN) {
		requests++;
		record(k, ret < 0 ? e : 0);
		if (ret >= 0 || e != want)
			fail("%s: read (state %d, len %zu) gave %s, expected %s", kind_name[k],
			     s->state, len, ret >= 0 ? "success" : strerror(e), strerror(want));
		return;
	}
	memset(&ex, 0, sizeof(ex));
	if (ret == EXIT_SIZE)
		memcpy(&ex, b.p, sizeof(ex));
	check_read(k, s, ret, e, &ex, b.ok, 0, 0);
}

/* Other system calls on the fd: none may do anything. */
static void op_misc(struct slot *s)
{
	struct stat st;
	struct pollfd pfd = { s->fd, POLLIN | POLLOUT, 0 };
	long ret;
	void *p;

	requests++;
	switch (rn(7)) {
	case 0:
		ret = ioctl(s->fd, rnd(), rnd());
		record(K_MISC, ret < 0 ? errno : 0);
		if (ret >= 0 || errno != ENOTTY)
			fail("ioctl gave %ld (%s)", ret, strerror(errno));
		break;
	case 1:
		p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, s->fd, 0);
		record(K_MISC, p == MAP_FAILED ? errno : 0);
		if (p != MAP_FAILED) {
			fail("mmap of /dev/lguest succeeded");
			munmap(p, PAGE);
		}
		break;
	case 2:
		ret = lseek(s->fd, (off_t)rnd(), rn(3));
		record(K_MISC, ret < 0 ? errno : 0);
		break;
	case 3:
		ret = poll(&pfd, 1, 0);
		record(K_MISC, ret < 0 ? errno : 0);
		if (ret < 0)
			fail("poll: %s", strerror(errno));
		break;
	case 4:
		ret = fstat(s->fd, &st);
		record(K_MISC, ret < 0 ? errno : 0);
		if (ret || !S_ISCHR(st.st_mode))
			fail("fstat of /dev/lguest");
		break;
	case 5: {
		/* writev: one write per iovec, stopping at the first error. */
		struct lguest_irq irq[3];
		struct iovec iov[3];
		long want = 0;
		unsigned int i, n = 1 + rn(3);

		for (i = 0; i < n; i++) {
			irq[i].req = chance(50) ? LHREQ_IRQ : LHREQ_BREAK;
			irq[i].irq = chance(70) ? (irq[i].req == LHREQ_IRQ ? rn(32) : 0) : rnd();
			iov[i].iov_base = &irq[i];
			iov[i].iov_len = chance(90) ? sizeof(irq[i]) : 1 + rn(11);
		}
		for (i = 0; i < n && !can_write(s); i++)
			want = -EBADF;
		for (i = 0; i < n && want >= 0; i++) {
			int w = predict_write(s, &irq[i], iov[i].iov_len, sizeof(irq[i]));

			if (w) {
				want = want ? want : -w;
				break;
			}
			want += iov[i].iov_len;
		}
		ret = writev(s->fd, iov, n);
		record(K_MISC, ret < 0 ? errno : 0);
		if (ret < 0 ? -errno != want : ret != want)
			fail("writev of %u requests gave %ld (%s), expected %ld", n, ret,
			     ret < 0 ? strerror(errno) : "ok", want);
		break;
	}
	default: {
		/* pwrite: the offset means nothing, a negative one is refused. */
		struct lguest_break brk = { LHREQ_BREAK, 0 };
		off_t off = chance(50) ? (off_t)rn(100) : -(off_t)rn(100) - 1;
		int want = predict_write(s, &brk, sizeof(brk), sizeof(brk));

		if (off < 0)
			want = EINVAL;
		ret = pwrite(s->fd, &brk, sizeof(brk), off);
		record(K_MISC, ret < 0 ? errno : 0);
		if (ret < 0 ? errno != want : (want || ret != sizeof(brk)))
			fail("pwrite at %ld gave %ld (%s), expected %s", (long)off, ret,
			     ret < 0 ? strerror(errno) : "ok", want ? strerror(want) : "ok");
		break;
	}
	}
}

/* ------------------------------------------------------------------ */
/* Tiny guests. */

struct gen {
	unsigned char *c;
	unsigned int pos, max;
	uint32_t mem_size, dev_base, dev_size;
};

enum { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

static void e8(struct gen *g, uint32_t v)
{
	if (g->pos < g->max)
		g->c[g->pos++] = v;
}

static void e32(struct gen *g, uint32_t v)
{
	e8(g, v);
	e8(g, v >> 8);
	e8(g, v >> 16);
	e8(g, v >> 24);
}

static void e_bytes(struct gen *g, const char *b, unsigned int n)
{
	while (n--)
		e8(g, (unsigned char)*b++);
}

static void e_mov(struct gen *g, int reg, uint32_t v)
{
	e8(g, 0xb8 + reg);
	e32(g, v);
}

static void e_hcall(struct gen *g, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
		    uint32_t a4)
{
	e_mov(g, EAX, nr);
	e_mov(g, EBX, a1);
	e_mov(g, ECX, a2);
	e_mov(g, EDX, a3);
	if (a4)
		e_mov(g, ESI, a4);
	e8(g, 0xcd);
	e8(g, LGUEST_TRAP_ENTRY);
}

/* A segment descriptor: mostly well formed, any privilege, any type. */
static uint64_t rand_desc(void)
{
	uint32_t base = chance(70) ? 0 : rnd(), limit = chance(60) ? 0xfffff : rnd() & 0xfffff;
	uint32_t type = chance(70) ? (chance(50) ? 0xa + rn(2) * 0x4 : 0x2 + rn(2) * 4) : rn(16);
	uint32_t s = chance(90), dpl = chance(60) ? 1 : rn(4), p = chance(90);
	uint32_t lo, hi;

	if (chance(5))
		return (uint64_t)rnd() << 32 | rnd();
	lo = (limit & 0xffff) | base << 16;
	hi = ((base >> 16) & 0xff) | type << 8 | s << 12 | dpl << 13 | p << 15 |
	     (limit & 0xf0000) | (chance(10) ? rn(4) << 20 : 0) | (chance(90) ? 1 << 22 : 0) |
	     (chance(80) ? 1 << 23 : 0) | (base & 0xff000000);
	return (uint64_t)hi << 32 | lo;
}

static uint32_t rand_selector(void)
{
	static const uint32_t sel[] = {
		0x61, 0x69, 0x60, 0x68, 0x73, 0x7b, 0x0, 0x3, 0x31, 0x39, 0x41, 0x51, 0x59,
		0x81, 0x83, 0xf9, 0xfb, 0x100, 0x1c1, 0x7, 0xf, 0x5, 0xd, 0x15, 0x8b,
	};

	return chance(90) ? sel[rn(sizeof(sel) / sizeof(sel[0]))] : rnd() & 0xffff;
}

static uint32_t handler_addr(void)
{
	if (chance(5))
		return rnd();
	return G_HANDLERS + rn(G_NHANDLERS) * G_HANDLER_SIZE;
}

/* An IDT gate: interrupt, trap, task or junk; any DPL; maybe absent. */
static void e_gate(struct gen *g, uint32_t vec)
{
	static const uint32_t types[] = { 0xe, 0xe, 0xf, 0xf, 0x5, 0x6, 0x7, 0xc };
	uint32_t off = handler_addr(), sel = chance(80) ? 0x61 : rand_selector();
	uint32_t type = chance(95) ? types[rn(8)] : rn(16);
	uint32_t lo = (off & 0xffff) | sel << 16;
	uint32_t hi = (off & 0xffff0000) | (chance(92) ? 1 << 15 : 0) |
		      (chance(60) ? 1 : rn(4)) << 13 | type << 8;

	e_hcall(g, LHCALL_LOAD_IDT_ENTRY, vec, lo, hi, 0);
}

static uint32_t rand_gpa(struct gen *g)
{
	switch (rn(5)) {
	case 0:
		return boundary(g->mem_size);
	case 1:
		return G_SCRATCH + rn(g->mem_size - G_SCRATCH);
	default:
		return rn(g->mem_size) & ~3u;
	}
}

/* A page table or directory entry: present or not, large, beyond memory, ... */
static uint32_t rand_pte(struct gen *g)
{
	uint32_t flags = chance(70) ? 0x7 : rn(0x1000), pfn;

	switch (rn(6)) {
	case 0:
		pfn = g->mem_size / PAGE + rn(g->dev_size / PAGE + 2);
		break;
	case 1:
		pfn = rnd() >> 12;
		break;
	case 2:
		pfn = 0x10000 + rn(16);
		break;
	default:
		pfn = rn(g->mem_size / PAGE);
		break;
	}
	if (chance(10))
		flags |= 0x80;		/* PSE */
	return pfn << 12 | flags;
}

/* One random piece of guest code. */
static void e_piece(struct gen *g)
{
	static const char *const priv[] = {
		"\xfa", "\xfb", "\xf4", "\xec", "\xee", "\xe4\x60", "\xe6\x80", "\x66\xed",
		"\x6c", "\x6e", "\x0f\x22\xd8", "\x0f\x20\xc0", "\x0f\x22\xc0", "\x0f\x23\xf8",
		"\x0f\x21\xc0", "\x0f\x30", "\x0f\x32", "\x0f\x01\x10", "\x0f\x01\x18",
		"\x0f\x00\xd8", "\x0f\x00\xd0", "\x0f\x09", "\x0f\x01\x38", "\x0f\xa2",
		"\x0f\x31", "\x0f\x33", "\x0f\x34", "\x0f\x35", "\x0f\x05", "\xcc", "\xce",
		"\xf1", "\x0f\x0b", "\xcf", "\xcb", "\x0f\x06", "\x0f\x01\xc1", "\x9d",
		"\x8e\xd0", "\x17", "\x1f", "\x07", "\x0f\xa1", "\x0f\xa9", "\xdb\xe3",
		"\x0f\x57\xc0", "\xd9\xee\xd9\xf7",
	};
	uint32_t nr, mem = g->mem_size;
	unsigned int i;

	switch (rn(30)) {
	case 0:
		/* any hypercall, any arguments */
		nr = chance(85) ? rn(21) : boundary(0);
		e_hcall(g, nr, boundary(mem), boundary(mem), boundary(mem),
			chance(20) ? boundary(mem) : 0);
		break;
	case 1:
		/* breakpoints on our code, the slot, anywhere; a TSS anywhere */
		if (chance(70)) {
			nr = chance(90) ? (uint32_t[]){ 0, 1, 2, 3, 7 }[rn(5)] : rn(9);
			e_hcall(g, LHCALL_SET_DEBUGREG, nr,
				chance(50) ? G_CODE + rn(0x800) : (chance(50) ? rnd() : boundary(mem)),
				0, 0);
		} else if (chance(50)) {
			e_hcall(g, LHCALL_LOAD_TR, chance(50) ? G_SCRATCH : boundary(mem),
				chance(50) ? 104 + rn(8300) : rnd(), 0, 0);
		} else {
			/* an LDT of whatever is there: descriptors, gates, junk */
			e_hcall(g, LHCALL_SET_LDT, chance(50) ? G_TLS : boundary(mem),
				chance(70) ? rn(8) : boundary(0), 0, 0);
		}
		break;
	case 2:
		e_hcall(g, LHCALL_LGUEST_INIT, chance(85) ? G_DATA : rand_gpa(g), 0, 0, 0);
		break;
	case 3:
	case 4: {
		uint64_t d = rand_desc();

		e_hcall(g, LHCALL_LOAD_GDT_ENTRY, chance(90) ? rn(32) : boundary(0),
			(uint32_t)d, d >> 32, 0);
		break;
	}
	case 5:
	case 6:
		e_gate(g, chance(90) ? rn(48) : (chance(50) ? rn(256) : boundary(0)));
		break;
	case 7:
		e_hcall(g, LHCALL_SET_STACK, rand_selector(),
			chance(80) ? G_STACK : rand_gpa(g), 0, 0);
		break;
	case 8: {
		static const uint32_t dirs[] = { G_PGDIR, G_PGDIR2, G_PGDIR + 4, G_PT };

		e_hcall(g, LHCALL_NEW_PGTABLE, chance(85) ? dirs[rn(4)] : rand_gpa(g), 0, 0, 0);
		break;
	}
	case 9:
		e_hcall(g, LHCALL_FLUSH_TLB, chance(90) ? rn(3) : boundary(0),
			chance(50) ? rn(mem) : boundary(mem), 0, 0);
		break;
	case 10:
		e_hcall(g, chance(50) ? LHCALL_SET_PTE : LHCALL_SET_PGD,
			chance(70) ? G_PGDIR : rand_gpa(g), chance(50) ? rn(mem) : boundary(mem),
			rand_pte(g), 0);
		break;
	case 11:
		e_hcall(g, LHCALL_LOAD_TLS, chance(80) ? G_TLS : rand_gpa(g), 0, 0, 0);
		break;
	case 12:
		e_hcall(g, LHCALL_NOTIFY, chance(70) && g->dev_size ?
			g->dev_base + rn(g->dev_size) : boundary(mem), 0, 0, 0);
		break;
	case 13:
		e_hcall(g, LHCALL_CONSOLE_WRITE, chance(70) ? G_STRINGS : rand_gpa(g),
			chance(70) ? 1 + rn(64) : boundary(mem), 0, 0);
		break;
	case 14:
		if (chance(50))
			e_hcall(g, LHCALL_SHUTDOWN, chance(80) ? rn(2) : boundary(0), 0, 0, 0);
		else
			e_hcall(g, LHCALL_CRASH, chance(70) ? G_STRINGS : rand_gpa(g), 0, 0, 0);
		break;
	case 15:
		nr = (uint32_t[]){ LHCALL_HALT, LHCALL_SEND_INTERRUPTS, LHCALL_FLUSH_ASYNC,
				   LHCALL_SET_CLOCKEVENT }[rn(4)];
		e_hcall(g, nr, chance(50) ? 1000 + rn(2000000) : boundary(0), 0, 0, 0);
		break;
	case 16:
	case 17: {
		/* movl $imm, addr: page tables, the data page, anywhere */
		uint32_t addr, val;

		switch (rn(5)) {
		case 0:
			addr = G_PT + rn(1024) * 4;
			val = rand_pte(g);
			break;
		case 1:
			addr = G_PGDIR + (chance(50) ? rn(4) : 1018 + rn(6)) * 4;
			val = chance(50) ? G_PT | 0x7 : rand_pte(g);
			break;
		case 2:
			addr = G_DATA + rn(sizeof(struct lguest_data) / 4) * 4;
			val = chance(50) ? rn(2) * 0x200 : boundary(mem);
			break;
		default:
			addr = chance(70) ? rn(mem) : boundary(mem);
			val = boundary(mem);
			break;
		}
		e8(g, 0xc7);
		e8(g, 0x05);
		e32(g, addr);
		e32(g, val);
		break;
	}
	case 18:
		e8(g, 0xa1);	/* movl addr, %eax */
		e32(g, chance(50) ? rn(mem) : boundary(mem));
		break;
	case 19: {
		/* a segment register load */
		static const unsigned char mods[] = { 0xd8, 0xc0, 0xe0, 0xe8, 0xd0 };

		e_mov(g, EAX, rand_selector());
		e8(g, 0x8e);
		e8(g, mods[rn(5)]);
		break;
	}
	case 20:
	case 21: {
		const char *p = priv[rn(sizeof(priv) / sizeof(priv[0]))];

		e_bytes(g, p, strlen(p));
		break;
	}
	case 22:
		e8(g, 0xcd);	/* int $n */
		e8(g, chance(50) ? rn(48) : rnd());
		break;
	case 23:
		/* into user mode: user segments, a stack for traps, iret */
		e_hcall(g, LHCALL_LOAD_GDT_ENTRY, 14, 0x0000ffff, 0x00cffa00, 0);
		e_hcall(g, LHCALL_LOAD_GDT_ENTRY, 15, 0x0000ffff, 0x00cff200, 0);
		e_hcall(g, LHCALL_SET_STACK, 0x69, G_STACK, 0, 0);
		e8(g, 0x68);
		e32(g, chance(90) ? 0x7b : rand_selector());
		e8(g, 0x68);
		e32(g, G_USTACK);
		e8(g, 0x68);
		e32(g, chance(80) ? 0x202 : rnd());
		e8(g, 0x68);
		e32(g, chance(90) ? 0x73 : rand_selector());
		e8(g, 0x68);
		e32(g, handler_addr());
		e8(g, 0xcf);
		break;
	case 24:
		/* single-step */
		e_bytes(g, "\x9c\x81\x0c\x24\x00\x01\x00\x00\x9d", 9);
		break;
	case 25:
		for (i = rn(8) + 1; i; i--)
			e8(g, rnd());
		break;
	case 26:
		if (chance(30)) {
			e8(g, 0xeb);	/* spin */
			e8(g, 0xfe);
		} else {
			/* 1: console write; jmp 1b: exits without end */
			unsigned int start = g->pos;

			e_hcall(g, LHCALL_CONSOLE_WRITE, G_STRINGS, 8, 0, 0);
			e8(g, 0xeb);
			e8(g, (unsigned char)(start - (g->pos + 1)));
		}
		break;
	case 27:
		e_mov(g, ESP, chance(50) ? G_STACK - rn(64) * 4 : boundary(mem));
		break;
	case 28:
		e8(g, 0xea);	/* ljmp sel:next */
		e32(g, G_CODE + g->pos + 6);
		e8(g, rand_selector());
		e8(g, 0);
		break;
	default:
		/* memory walker: touch every page (pinning them), with exits */
		e_mov(g, EDI, G_SCRATCH);
		e_bytes(g, "\x89\x3f\x81\xc7\x00\x10\x00\x00\x81\xff", 10);
		e32(g, mem);
		e_bytes(g, "\x72\xf0", 2);
		break;
	}
}

/* A guest's handlers, each at its own slot in the handler area. */
static void gen_handlers(struct gen *g)
{
	unsigned int i;

	for (i = 0; i < G_NHANDLERS; i++) {
		g->pos = 0;
		switch (rn(10)) {
		case 0:
			e_hcall(g, LHCALL_SHUTDOWN, 0, 0, 0, 0);
			break;
		case 1:
			e_hcall(g, LHCALL_CRASH, G_STRINGS, 0, 0, 0);
			break;
		case 2:
			e8(g, 0xcf);
			break;
		case 3:
			e_bytes(g, "\x83\xc4\x04\xcf", 4);	/* drop the error code, iret */
			break;
		case 4:
			e_hcall(g, LHCALL_CONSOLE_WRITE, G_STRINGS, 4, 0, 0);
			e_bytes(g, "\x83\xc4\x04\xcf", 4);
			break;
		case 5:
			e_bytes(g, "\xf4\xcf", 2);
			break;
		case 6:
			e_bytes(g, "\xeb\xfe", 2);
			break;
		case 7:
			e_piece(g);
			e_piece(g);
			break;
		default:
			for (; g->pos < 16;)
				e8(g, rnd());
			break;
		}
		g->c += G_HANDLER_SIZE;
	}
}

/* Write a random guest into mem (pages RAM pages, dev device pages). */
static void gen_guest(unsigned char *mem, uint32_t pages, uint32_t dev, uint32_t *start)
{
	struct gen g = {
		.mem_size = pages * PAGE, .dev_base = pages * PAGE, .dev_size = dev * PAGE,
	};
	uint32_t *pgdir = (uint32_t *)(mem + G_PGDIR), *pt = (uint32_t *)(mem + G_PT);
	struct lguest_data *data = (struct lguest_data *)(mem + G_DATA);
	unsigned int i, len;

	/* Random scratch, zeros elsewhere. */
	memset(mem, 0, G_SCRATCH);
	for (i = G_SCRATCH / 4; i < G_SCRATCH / 4 + 256; i++)
		((uint32_t *)mem)[i] = rnd();
	for (i = 0; i < pages + dev && i < 1024; i++)
		pt[i] = i * PAGE | 0x7;
	pgdir[0] = G_PT | 0x7;
	memcpy(mem + G_PGDIR2, pgdir, PAGE);
	memcpy(mem + G_PT2, pt, PAGE);
	((uint32_t *)(mem + G_PGDIR2))[0] = G_PT2 | 0x7;
	if (chance(20))
		pgdir[768] = G_PT | 0x7;	/* the kernel half at 0xc0000000 */
	strcpy((char *)mem + G_STRINGS, chance(80) ? "lg-fuzz guest\n" : "");
	for (i = 0; i < 6; i++)
		((uint32_t *)(mem + G_TLS))[i] = chance(50) ? rnd() :
						  (uint32_t)(rand_desc() >> 32 * (i & 1));

	/* The data page: an empty hypercall ring, or calls queued in it. */
	memset(data->hcall_status, LHCALL_SLOT_EMPTY, sizeof(data->hcall_status));
	data->irq_enabled = chance(50) ? 0x200 : 0;
	if (chance(20))
		data->blocked_interrupts[0] = rnd();
	if (chance(10)) {
		data->noirq_start = G_CODE + rn(0x800);
		data->noirq_end = data->noirq_start + rn(0x800);
	}
	if (chance(25)) {
		static const uint32_t batchable[] = {
			LHCALL_LOAD_GDT_ENTRY, LHCALL_LOAD_IDT_ENTRY, LHCALL_LOAD_TLS,
			LHCALL_SET_STACK, LHCALL_NEW_PGTABLE, LHCALL_FLUSH_TLB,
			LHCALL_SET_PTE, LHCALL_SET_PGD, LHCALL_SET_CLOCKEVENT,
		};
		unsigned int n = rn(LHCALL_RING_SIZE + 1), first = rn(LHCALL_RING_SIZE);

		for (i = 0; i < n; i++) {
			unsigned int sl = (first + i) % LHCALL_RING_SIZE;
			struct lguest_hcall *h = &data->hcalls[sl];

			data->hcall_status[sl] = chance(95) ? 0 : rn(256);
			h->nr = chance(85) ? batchable[rn(9)] : (chance(50) ? rn(20) : rnd());
			h->arg1 = boundary(g.mem_size);
			h->arg2 = boundary(g.mem_size);
			h->arg3 = boundary(g.mem_size);
			h->arg4 = boundary(g.mem_size);
			if (h->nr == LHCALL_SET_STACK && chance(70))
				h->arg1 = 0x69, h->arg2 = G_STACK;
			if (h->nr == LHCALL_LOAD_GDT_ENTRY && chance(70)) {
				uint64_t d = rand_desc();

				h->arg1 = rn(32);
				h->arg2 = (uint32_t)d;
				h->arg3 = d >> 32;
			}
		}
	}

	/* Handlers, then the main code. */
	g.c = mem + G_HANDLERS;
	g.max = G_HANDLER_SIZE;
	gen_handlers(&g);
	g.c = mem + G_CODE;
	g.max = G_HANDLERS - G_CODE;
	g.pos = 0;
	if (chance(15)) {
		for (len = 16 + rn(G_HANDLERS - G_CODE - 16); g.pos < len;)
			e8(&g, rnd());
	} else {
		e_mov(&g, ESP, G_STACK);
		if (chance(70))
			e_hcall(&g, LHCALL_LGUEST_INIT, G_DATA, 0, 0, 0);
		if (chance(50)) {
			e_gate(&g, 13);
			e_gate(&g, 14);
		}
		len = 8 + rn(chance(70) ? 200 : G_HANDLERS - G_CODE - 64);
		while (g.pos < len)
			e_piece(&g);
		switch (rn(4)) {
		case 0:
			e_hcall(&g, LHCALL_SHUTDOWN, rn(2), 0, 0, 0);
			break;
		case 1:
			e_bytes(&g, "\xeb\xfe", 2);
			break;
		case 2:
			e_hcall(&g, LHCALL_CRASH, G_STRINGS, 0, 0, 0);
			break;
		default:
			break;	/* on into zeros and the handlers */
		}
	}

	/* Random page tables now and then. */
	if (chance(25)) {
		for (i = rn(6) + 1; i; i--) {
			if (chance(60))
				pt[rn(chance(50) ? 16 : 1024)] = rand_pte(&g);
			else if (chance(50))
				pgdir[1021 + rn(3)] = chance(50) ? G_PT | 0x7 : rand_pte(&g);
			else
				pgdir[rn(1024)] = chance(30) ? rand_pte(&g) | 0x80 : rand_pte(&g);
		}
	}
	*start = chance(95) ? G_CODE : rn(g.mem_size);
}

/* Map fresh memory for slot i's guest and initialise a guest there on fd. */
static int setup_guest(struct slot *s, unsigned int i, struct lguest_init *out)
{
	uint32_t pages = chance(70) ? G_MIN_PAGES : G_MIN_PAGES + rn(200);
	uint32_t dev = chance(50) ? rn(LGUEST_MAX_DEVICE_PAGES + 1) : 0, start;
	unsigned char *mem = slot_mem(i);
	struct lguest_init init;
	long ret;

	if (mmap(mem, SLOT_SPAN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != mem) {
		fail("mmap of guest memory: %s", strerror(errno));
		return -1;
	}
	gen_guest(mem, pages, dev, &start);
	init = good_init(mem, pages, dev);
	init.start = start;
	if (chance(10))
		init.pgdir = G_PGDIR2;
	if (chance(10))
		init.page_offset = rn(switcher_addr >> 22) << 22;
	if (verbose) {
		unsigned int n, b;

		printf("  guest: %u pages + %u, start %#x, pgdir %#x, page_offset %#x\n",
		       pages, dev, init.start, init.pgdir, init.page_offset);
		for (b = G_CODE; b < G_PGDIR; b += 64) {
			for (n = 0; n < 64 && !mem[b + n]; n++)
				;
			if (n == 64)
				continue;
			printf("  %04x:", b);
			for (n = 0; n < 64; n++)
				printf("%02x", mem[b + n]);
			printf("\n");
		}
	}
	if (s) {
		ret = write(s->fd, &init, sizeof(init));
		check_write(K_SETUP, s, ret, errno, 0, sizeof(init), 0);
		if (ret != sizeof(init))
			return -1;
		initialised(s, &init);
	}
	if (out)
		*out = init;
	return 0;
}

/* Slot i with a fresh guest on a fresh fd. */
static struct slot *fresh_guest(unsigned int i)
{
	struct slot *s = &slots[i];

	do_close(s);
	s->fd = open("/dev/lguest", O_RDWR);
	requests++;
	if (s->fd < 0) {
		fail("open /dev/lguest: %s", strerror(errno));
		return NULL;
	}
	s->mode = O_RDWR;
	s->state = ST_UNINIT;
	s->dead = 0;
	if (setup_guest(s, i, NULL))
		return NULL;
	return s;
}

/* Between the reads of a run: something the launcher might do. */
static void between_reads(struct slot *s)
{
	/* A runnable guest's memory is all in the arena. */
	unsigned char *mem = s->mem;
	uint32_t pages = s->mem_pages + s->dev_pages, first = rn(pages), n = 1 + rn(4);

	if (first + n > pages)
		n = pages - first;

	switch (rn(12)) {
	case 0:
	case 1:
		op_irq(s);
		break;
	case 2:
		op_break(s);
		break;
	case 3:
		op_init(s);
		break;
	case 4:
		mprotect(mem + first * PAGE, n * PAGE, chance(50) ? PROT_READ : PROT_NONE);
		break;
	case 5:
		mmap(mem + first * PAGE, n * PAGE, PROT_READ | PROT_WRITE,
		     MAP_FIXED | MAP_ANONYMOUS | (chance(50) ? MAP_SHARED : MAP_PRIVATE), -1, 0);
		break;
	case 6:
		/* unmapped, then reserved again: nothing else may land there */
		munmap(mem + first * PAGE, n * PAGE);
		mmap(mem + first * PAGE, n * PAGE, PROT_NONE,
		     MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE | MAP_NORESERVE, -1, 0);
		break;
	default:
		break;
	}
}

/*
 * Run slot i's guest for up to max reads; each read is broken by the
 * watchdog if the guest does not stop by itself.
 */
static void run_reads(struct slot *s, enum kind k, unsigned int max,
		      int signals)
{
	uint64_t t0 = now_ns();
	struct lguest_exit ex;
	int d = arm(s->fd, 300 + rn(chance(80) ? 2000 : 20000));

	while (max-- && now_ns() - t0 < 300000000ULL) {
		unsigned int stop;
		long ret;
		int e;

		if (signals)
			set_timer(1 + rn(3000));
		memset(&ex, 0xa5, sizeof(ex));
		errno = 0;
		ret = read(s->fd, &ex, sizeof(ex));
		e = errno;
		if (signals)
			set_timer(0);
		check_read(k, s, ret, e, &ex, sizeof(ex), signals, 0);
		stop = rn(100);
		if ((s->dead && stop < 70) ||
		    (ret == EXIT_SIZE && ex.reason == LGUEST_EXIT_BREAK && stop < 40))
			break;
		if (chance(25))
			between_reads(s);
		if (chance(50) && ret == EXIT_SIZE && ex.reason == LGUEST_EXIT_NOTIFY)
			op_irq(s);
	}
	disarm(d);
}

static void op_run(int signals)
{
	unsigned int i = rn(NSLOTS);
	struct slot *s = &slots[i];

	if (chance(60) || s->state != ST_OWN || !s->runnable || !can_read(s)) {
		s = fresh_guest(i);
		if (!s)
			return;
	}
	run_reads(s, signals ? K_SIGNAL : K_RUN, 1 + rn(6), signals);
	if (chance(60))
		do_close(s);
}

/* ------------------------------------------------------------------ */
/* Threads around a running guest. */

struct reader {
	pthread_t t;
	int fd;
	unsigned int n;
	unsigned int delay_us;
	long ret[4];
	int err[4];
	struct lguest_exit ex[4];
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;
	unsigned int i;

	if (r->delay_us)
		sleep_us(r->delay_us);
	for (i = 0; i < r->n; i++) {
		errno = 0;
		r->ret[i] = read(r->fd, &r->ex[i], sizeof(r->ex[i]));
		r->err[i] = errno;
	}
	return NULL;
}

struct mm_change {
	pthread_t t;
	unsigned char *mem;
	uint32_t pages;
	unsigned int delay_us, what, first, n, repeat;
	int irq_fd;
};

static void *mm_thread(void *arg)
{
	struct mm_change *m = arg;
	unsigned char *p = m->mem + m->first * PAGE;
	size_t len = m->n * PAGE;
	unsigned int i;

	for (i = 0; i < m->repeat; i++) {
		sleep_us(m->delay_us);
		switch ((m->what + i) % 6) {
		case 0:
			munmap(p, len);
			break;
		case 1:
			mprotect(p, len, PROT_READ);
			break;
		case 2:
			mprotect(p, len, PROT_NONE);
			break;
		case 3:
			mmap(p, len, PROT_READ | PROT_WRITE,
			     MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
			break;
		case 4:
			mmap(p, len, PROT_READ | PROT_WRITE,
			     MAP_FIXED | MAP_ANONYMOUS | MAP_SHARED, -1, 0);
			break;
		default:
			if (m->irq_fd >= 0) {
				struct lguest_irq irq = { LHREQ_IRQ, i % LGUEST_IRQS };

				if (write(m->irq_fd, &irq, sizeof(irq)) != sizeof(irq))
					m->irq_fd = -2;	/* reported by the main thread */
			}
			break;
		}
	}
	return NULL;
}

/* Threads start with SIGALRM blocked: the main thread's timers are its own. */
static int spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t set, old;
	int err;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		fail("pthread_create: %s", strerror(err));
	return err;
}

/* Several threads read the same guest; maybe one closes its fd meanwhile. */
static void op_threads(int close_it)
{
	unsigned int i = rn(NSLOTS), n = close_it ? 1 + rn(2) : 2 + rn(2), t, j;
	struct reader r[3];
	struct slot *s = fresh_guest(i), before, seen;
	int d, started[3] = { 0 };

	if (!s)
		return;
	before = *s;
	d = arm(s->fd, 500 + rn(3000));
	for (t = 0; t < n; t++) {
		memset(&r[t], 0, sizeof(r[t]));
		r[t].fd = s->fd;
		r[t].n = 1 + rn(3);
		r[t].delay_us = rn(2) * rn(1000);
		started[t] = !spawn(&r[t].t, reader_thread, &r[t]);
	}
	if (close_it) {
		sleep_us(rn(3000));
		do_close(s);
	} else if (chance(50)) {
		op_irq(s);
	}
	/*
	 * Each thread's reads are in order, the threads' are not: each is
	 * checked against the guest as it was; all must agree on its end.
	 */
	for (t = 0; t < n; t++) {
		if (!started[t])
			continue;
		pthread_join(r[t].t, NULL);
		seen = before;
		for (j = 0; j < r[t].n; j++)
			check_read(close_it ? K_CLOSERUN : K_THREADS, &seen, r[t].ret[j],
				   r[t].err[j], &r[t].ex[j], EXIT_SIZE, 0, close_it);
		if (seen.dead && s->dead && (seen.dead_reason != s->dead_reason ||
		    (seen.dead_reason != LGUEST_EXIT_POWEROFF &&
		     seen.dead_reason != LGUEST_EXIT_RESTART &&
		     strcmp(seen.dead_msg, s->dead_msg))))
			fail("threads saw different ends: %s \"%s\" and %s \"%s\"",
			     exit_name[s->dead_reason], s->dead_msg,
			     exit_name[seen.dead_reason], seen.dead_msg);
		if (seen.dead && !s->dead) {
			s->dead = 1;
			s->dead_reason = seen.dead_reason;
			strcpy(s->dead_msg, seen.dead_msg);
		}
	}
	disarm(d);
	if (!close_it && chance(50))
		do_close(s);
}

/* munmap, mprotect, MAP_FIXED over the memory of a guest while it runs. */
static void op_mm(void)
{
	unsigned int i = rn(NSLOTS);
	struct slot *s = fresh_guest(i);
	struct mm_change m;
	int started;

	if (!s)
		return;
	m.mem = slot_mem(i);
	m.pages = s->mem_pages + s->dev_pages;
	m.delay_us = rn(1500);
	m.what = rn(6);
	m.first = chance(30) ? rn(12) : rn(m.pages);
	m.n = 1 + rn(chance(80) ? 4 : m.pages);
	if (m.first + m.n > m.pages)
		m.n = m.pages - m.first;
	m.repeat = 1 + rn(4);
	m.irq_fd = s->fd;
	started = !spawn(&m.t, mm_thread, &m);
	run_reads(s, K_MM, 2 + rn(4), 0);
	if (started)
		pthread_join(m.t, NULL);
	if (m.irq_fd == -2)
		fail("mm-in-run: LHREQ_IRQ from another thread failed");
	/* Holes get reserved again: nothing else may be mapped there. */
	if (msync(m.mem + m.first * PAGE, m.n * PAGE, 0) && errno == ENOMEM)
		mmap(m.mem + m.first * PAGE, m.n * PAGE, PROT_NONE,
		     MAP_FIXED | MAP_ANONYMOUS | MAP_PRIVATE | MAP_NORESERVE, -1, 0);
	if (chance(70))
		do_close(s);
}

/* ------------------------------------------------------------------ */
/* Other processes: a forked child, a killed launcher. */

struct child_rec {
	uint8_t kind, slot, inited, pad;
	uint16_t outcome;
};

static int rec_fd = -1;

static void child_record(enum kind k, unsigned int slot, int outcome, int inited)
{
	struct child_rec c = { k, slot, inited, 0, outcome };

	if (write(rec_fd, &c, sizeof(c)) != sizeof(c))
		failures++;
}

/*
 * In the child: requests on the parent's fds.  The parent's guests must
 * give -EIO; what the child initialises is its own.
 */
static void child_requests(void)
{
	unsigned int n = 1 + rn(5), i;

	for (; n; n--) {
		unsigned int si = rn(NSLOTS);
		struct slot *s = &slots[si];
		struct lguest_exit ex;
		int want, got;
		long ret;

		if (s->state == ST_CLOSED)
			continue;
		switch (rn(4)) {
		case 0: {
			struct lguest_init init = good_init(slot_mem(si), G_MIN_PAGES, 0);

			/* a guest of the child's own, in its copy of the memory */
			if (chance(50))
				setup_guest(NULL, si, &init);
			want = predict_write(s, &init, sizeof(init), sizeof(init));
			ret = write(s->fd, &init, sizeof(init));
			got = ret < 0 ? errno : 0;
			if (got != want && !(want == 0 && got == ENOMEM))
				fail("child INITIALIZE (state %d) gave %s, expected %s", s->state,
				     got ? strerror(got) : "success",
				     want ? strerror(want) : "success");
			child_record(K_CHILD, si, got, !got);
			if (!got)
				initialised(s, &init);
			if (!got && can_read(s)) {
				/* run it a little: a timer ends the read */
				for (i = 0; i < 2; i++) {
					set_timer(500 + rn(2000));
					errno = 0;
					ret = read(s->fd, &ex, sizeof(ex));
					got = errno;
					set_timer(0);
					check_read(K_CHILD, s, ret, got, &ex, sizeof(ex), 1, 0);
					child_record(K_CHILD, si,
						     ret < 0 ? got : O_EXIT + (int)ex.reason, 0);
				}
			}
			break;
		}
		case 1:
			want = predict_read(s, &ex, sizeof(ex));
			if (want == P_RUN)
				break;	/* the child's own guest: done above */
			ret = read(s->fd, &ex, sizeof(ex));
			got = ret < 0 ? errno : 0;
			if (got != want)
				fail("child read (state %d) gave %s, expected %s", s->state,
				     got ? strerror(got) : "success", strerror(want));
			child_record(K_CHILD, si, got, 0);
			break;
		default: {
			struct lguest_irq irq = { chance(50) ? LHREQ_IRQ : LHREQ_BREAK, 0 };

			if (irq.req == LHREQ_IRQ)
				irq.irq = rn(LGUEST_IRQS);
			want = predict_write(s, &irq, sizeof(irq), sizeof(irq));
			ret = write(s->fd, &irq, sizeof(irq));
			got = ret < 0 ? errno : 0;
			if (got != want)
				fail("child %s (state %d) gave %s, expected %s",
				     irq.req == LHREQ_IRQ ? "LHREQ_IRQ" : "LHREQ_BREAK", s->state,
				     got ? strerror(got) : "success",
				     want ? strerror(want) : "success");
			child_record(K_CHILD, si, got, 0);
			break;
		}
		}
	}
}

/* Wait for a child for at most secs; SIGKILL and report it if it hangs. */
static int wait_child(pid_t pid, unsigned int secs)
{
	uint64_t t0 = now_ns();
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR) {
			fail("waitpid: %s", strerror(errno));
			return -1;
		}
		if (now_ns() - t0 > secs * 1000000000ULL) {
			fail("child %d still alive after %u s", pid, secs);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		sleep_us(200);
	}
}

static void op_fork(void)
{
	struct child_rec c;
	int p[2], status;
	unsigned int i;
	pid_t pid;

	if (pipe(p)) {
		fail("pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		in_child = 1;
		failures = 0;
		close(p[0]);
		/* The parent's guests are another process's now. */
		for (i = 0; i < NSLOTS; i++)
			if (slots[i].state == ST_OWN)
				slots[i].state = ST_FOREIGN;
		rec_fd = p[1];
		child_requests();
		_exit(failures ? 1 : 0);
	}
	close(p[1]);
	while (read(p[0], &c, sizeof(c)) == sizeof(c)) {
		record(c.kind < NKINDS ? c.kind : K_CHILD, c.outcome);
		requests++;
		if (c.inited && c.slot < NSLOTS) {
			slots[c.slot].state = ST_FOREIGN;
			slots[c.slot].runnable = 0;
		}
	}
	close(p[0]);
	status = wait_child(pid, 10);
	if (status < 0)
		return;
	record(K_FORK, WIFEXITED(status) && !WEXITSTATUS(status) ? O_CHILD_OK : O_CHILD_OTHER);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("fork: the child found trouble (status %#x)", status);
}

/* A launcher of its own, SIGKILLed at a random point. */
static void op_kill(void)
{
	unsigned int delay = rn(chance(50) ? 500 : 5000);
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		struct lguest_init init;
		struct lguest_exit ex;
		unsigned int i;
		int fd;

		in_child = 2;
		fd = open("/dev/lguest", O_RDWR);
		setup_guest(NULL, KILL_SLOT, &init);
		if (fd < 0 || write(fd, &init, sizeof(init)) != sizeof(init))
			_exit(1);
		/* Without a watchdog: SIGKILL, or a timer, ends the reads. */
		set_timer(200000);
		for (i = 0; i < 1000; i++) {
			if (read(fd, &ex, sizeof(ex)) < 0 && errno != EINTR)
				break;
			if (chance(10)) {
				struct lguest_irq irq = { LHREQ_IRQ, rn(32) };

				if (write(fd, &irq, sizeof(irq)) < 0)
					break;
			}
			if (chance(5))
				munmap(slot_mem(KILL_SLOT) + rn(G_MIN_PAGES) * PAGE, PAGE);
		}
		_exit(0);
	}
	sleep_us(delay);
	kill(pid, SIGKILL);
	status = wait_child(pid, 10);
	if (status < 0)
		return;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		record(K_KILL, O_CHILD_KILLED);
	else if (WIFEXITED(status) && !WEXITSTATUS(status))
		record(K_KILL, O_CHILD_OK);
	else {
		record(K_KILL, O_CHILD_OTHER);
		fail("killed launcher: status %#x", status);
	}
}

/* ------------------------------------------------------------------ */
/* The host's view: locked memory, fds, the kernel log. */

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

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* the directory's own fd */
}

static int kmsg_fd = -1;
static unsigned long kmsg_lines, kmsg_lost, kmsg_bad;

/* New kernel log records: any warning, bug or oops is a failure. */
static void check_kmsg(void)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "BUG ", "Oops", "Call Trace", "general protection",
		"refcount", "corruption", "UBSAN", "stall", "lockup", "INFO: task",
		"Bad page", "kernel BUG", "double fault", "list_add", "list_del",
	};
	char rec[2048];
	long n;
	unsigned int i;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			kmsg_lost++;
			continue;
		}
		if (n <= 0)
			return;
		rec[n] = 0;
		kmsg_lines++;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(rec, bad[i])) {
				kmsg_bad++;
				fail("the kernel logged: %s", strchr(rec, ';') ?
				     strchr(rec, ';') + 1 : rec);
				break;
			}
	}
}

/* ------------------------------------------------------------------ */

/*
 * A plain guest in slot 0's memory: code at G_CODE, the first pages mapped
 * 1:1, an empty hypercall ring at G_DATA.  Runs it for up to n reads;
 * returns the last read's result.
 */
static long plain_guest(const unsigned char *code, size_t len, unsigned int n,
			struct lguest_exit *ex)
{
	unsigned char *mem = slot_mem(0);
	struct lguest_data *data = (struct lguest_data *)(mem + G_DATA);
	struct lguest_init init = good_init(mem, G_MIN_PAGES, 1);
	int fd = open("/dev/lguest", O_RDWR), d;
	uint32_t *pt = (uint32_t *)(mem + G_PT), i;
	long ret = -1;

	if (fd < 0)
		return -1;
	memset(mem, 0, (G_MIN_PAGES + 1) * PAGE);
	for (i = 0; i <= G_MIN_PAGES; i++)
		pt[i] = i * PAGE | 0x7;
	((uint32_t *)(mem + G_PGDIR))[0] = G_PT | 0x7;
	memset(data->hcall_status, LHCALL_SLOT_EMPTY, sizeof(data->hcall_status));
	strcpy((char *)mem + G_STRINGS, "lg-fuzz guest\n");
	memcpy(mem + G_CODE, code, len < G_PGDIR - G_CODE ? len : G_PGDIR - G_CODE);
	if (write(fd, &init, sizeof(init)) != sizeof(init)) {
		perror("lg-fuzz: initialising a guest");
		close(fd);
		return -1;
	}
	d = arm(fd, 200000);
	while (n--) {
		ret = read(fd, ex, sizeof(*ex));
		if (verbose)
			printf("read: %ld (%s): reason %s, arg %#llx, \"%.*s\"\n", ret,
			       ret < 0 ? strerror(errno) : "ok",
			       ret == EXIT_SIZE && ex->reason <= 7 ? exit_name[ex->reason] : "-",
			       ret == EXIT_SIZE ? (unsigned long long)ex->arg : 0ULL,
			       LGUEST_MSG_LEN, ret == EXIT_SIZE ? ex->message : "");
		if (ret != EXIT_SIZE || (ex->reason != LGUEST_EXIT_CONSOLE &&
					 ex->reason != LGUEST_EXIT_NOTIFY))
			break;
	}
	disarm(d);
	close(fd);
	return ret;
}

/* A guest that registers its data page and powers off: where is the switcher? */
static int probe(void)
{
	struct lguest_data *data = (struct lguest_data *)(slot_mem(0) + G_DATA);
	unsigned char code[64];
	struct gen g = { .c = code, .max = sizeof(code) };
	struct lguest_exit ex;
	long ret;

	e_mov(&g, ESP, G_STACK);
	e_hcall(&g, LHCALL_LGUEST_INIT, G_DATA, 0, 0, 0);
	e_hcall(&g, LHCALL_SHUTDOWN, LGUEST_SHUTDOWN_POWEROFF, 0, 0, 0);
	ret = plain_guest(code, g.pos, 1, &ex);
	if (ret != sizeof(ex) || ex.reason != LGUEST_EXIT_POWEROFF || !data->reserve_mem) {
		printf("lg-fuzz: the probe guest did not power off (%ld, reason %u, \"%.*s\")\n",
		       ret, ret == sizeof(ex) ? ex.reason : 0, LGUEST_MSG_LEN,
		       ret == sizeof(ex) ? ex.message : "");
		return -1;
	}
	switcher_addr = 0u - data->reserve_mem;
	return 0;
}

/* LGFUZZ_GUEST=hex: run that code as a plain guest (for reproducers). */
static int hex_guest(const char *hex)
{
	unsigned char code[G_PGDIR - G_CODE];
	struct lguest_exit ex;
	unsigned int n = 0, b;

	while (n < sizeof(code) && sscanf(hex + 2 * n, "%2x", &b) == 1)
		code[n++] = b;
	verbose = 1;
	printf("lg-fuzz: a guest of %u bytes\n", n);
	op_begin(K_RUN);
	return plain_guest(code, n, 4, &ex) < 0;
}

static void print_histogram(void)
{
	static const char *const names[NOUT] = {
		[0] = "ok", [O_CHILD_OK] = "exited", [O_CHILD_KILLED] = "SIGKILLed",
		[O_CHILD_OTHER] = "other", [NOUT - 1] = "?",
	};
	unsigned int k, o;

	printf("outcomes (kind, outcome, count):\n");
	for (k = 0; k < NKINDS; k++)
		for (o = 0; o < NOUT; o++) {
			const char *name = names[o];
			char buf[32];

			if (!hist[k][o])
				continue;
			if (!name && o > O_EXIT && o <= O_EXIT + LGUEST_EXIT_BREAK)
				name = exit_name[o - O_EXIT];
			if (!name && o < O_EXIT) {
				name = strerrorname_np(o);
				if (!name) {
					snprintf(buf, sizeof(buf), "errno %u", o);
					name = buf;
				}
			}
			printf("  %-16s %-10s %lu\n", kind_name[k], name ? name : "?", hist[k][o]);
		}
	printf("operations (kind, count, total ms):\n");
	for (k = 0; k < NKINDS; k++)
		if (kind_count[k])
			printf("  %-16s %8lu %8llu\n", kind_name[k], kind_count[k],
			       (unsigned long long)kind_ns[k] / 1000000);
	printf("how guests ended (reason, count):\n");
	for (o = 0; o < NREASONS && reasons[o].count; o++)
		printf("  %-56s %lu\n", reasons[o].text, reasons[o].count);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	pthread_condattr_t ca;
	pthread_t wd;
	long lck0, lck1;
	int fds0, fds1, fd;
	uint64_t t0;
	unsigned int i;
	char *end;

	seed = 1;
	nops = 100000;
	if (argc > 3 || (argc > 1 && !strcmp(argv[1], "-h"))) {
		fprintf(stderr, "usage: lg-fuzz [SEED [OPS]]\n");
		return 2;
	}
	if (argc > 1) {
		seed = strtoull(argv[1], &end, 0);
		if (*end) {
			fprintf(stderr, "lg-fuzz: bad seed '%s'\n", argv[1]);
			return 2;
		}
	}
	if (argc > 2) {
		nops = strtoul(argv[2], &end, 0);
		if (*end) {
			fprintf(stderr, "lg-fuzz: bad operation count '%s'\n", argv[2]);
			return 2;
		}
	}
	rng_for_op(seed, ~0UL);
	verbose = getenv("LGFUZZ_VERBOSE") != NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open("/dev/lguest", O_RDWR);
	if (fd < 0) {
		printf("lg-fuzz: /dev/lguest: %s\n", strerror(errno));
		return 4;
	}
	close(fd);
	fuzz_efd = eventfd(0, EFD_CLOEXEC);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Guest memory only ever lives in the arena, away from our own. */
	arena = mmap(NULL, ARENA_SIZE + 3 * PAGE, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		perror("lg-fuzz: mmap");
		return 1;
	}
	reqpage = arena + ARENA_SIZE;
	ropage = reqpage + 2 * PAGE;	/* reqpage + PAGE stays PROT_NONE */
	mprotect(reqpage, PAGE, PROT_READ | PROT_WRITE);
	mprotect(ropage, PAGE, PROT_READ);
	mmap(slot_mem(0), SLOT_SPAN, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	for (i = 0; i < NSLOTS; i++)
		slots[i].fd = -1;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wd_cond, &ca);
	if (spawn(&wd, watchdog, NULL))
		return 1;

	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	lck0 = vm_locked_kb();
	fds0 = open_fds();

	if (probe()) {
		printf("lg-fuzz: cannot run a guest\n");
		return 1;
	}
	if (getenv("LGFUZZ_GUEST"))
		return hex_guest(getenv("LGFUZZ_GUEST"));
	printf("lg-fuzz: seed %llu, %lu operations; switcher at %#x\n",
	       (unsigned long long)seed, nops, switcher_addr);

	t0 = now_ns();
	for (op_no = 0; op_no < nops && failures <= 30; op_no++) {
		unsigned int r, si;
		struct slot *s;
		enum kind k;

		rng_for_op(seed, op_no);
		r = rn(1000);
		si = rn(NSLOTS);
		s = &slots[si];

		/* Cheap requests most of the time; guest runs, threads, processes less. */
		if (r < 60)
			k = K_OPEN;
		else if (r < 100)
			k = K_CLOSE;
		else if (r < 330)
			k = K_JUNK;
		else if (r < 370)
			k = K_EVENTFD;
		else if (r < 580)
			k = K_INIT;
		else if (r < 690)
			k = K_IRQ;
		else if (r < 780)
			k = K_BREAK;
		else if (r < 880)
			k = K_READ;
		else if (r < 945)
			k = K_MISC;
		else if (r < 980)
			k = K_RUN;
		else if (r < 984)
			k = K_SIGNAL;
		else if (r < 987)
			k = K_THREADS;
		else if (r < 989)
			k = K_CLOSERUN;
		else if (r < 993)
			k = K_MM;
		else if (r < 997)
			k = K_FORK;
		else
			k = K_KILL;

		/* Requests need an fd: most ops open one if the slot has none. */
		if (s->state == ST_CLOSED && k <= K_MISC && k != K_OPEN && k != K_CLOSE) {
			op_begin(K_OPEN);
			do_open(s);
			op_end();
		}
		op_begin(k);
		if (verbose)
			printf("op %lu: %s, slot %u (state %d)\n", op_no, kind_name[k], si,
			       s->state);
		switch (k) {
		case K_OPEN:
			if (s->state != ST_CLOSED)
				do_close(s);
			do_open(s);
			break;
		case K_CLOSE:
			do_close(s);
			break;
		case K_JUNK:
			op_junk(s);
			break;
		case K_INIT:
			op_init(s);
			break;
		case K_IRQ:
			op_irq(s);
			break;
		case K_BREAK:
			op_break(s);
			break;
		case K_EVENTFD:
			op_eventfd(s);
			break;
		case K_READ:
			op_read(s, K_READ);
			break;
		case K_MISC:
			op_misc(s);
			break;
		case K_RUN:
			op_run(0);
			break;
		case K_SIGNAL:
			op_run(1);
			break;
		case K_THREADS:
			op_threads(0);
			break;
		case K_CLOSERUN:
			op_threads(1);
			break;
		case K_MM:
			op_mm();
			break;
		case K_FORK:
			op_fork();
			break;
		default:
			op_kill();
			break;
		}
		op_end();
		if (k >= K_SETUP || !(op_no & 255))
			check_kmsg();
	}

	for (i = 0; i < NSLOTS; i++)
		do_close(&slots[i]);
	pthread_mutex_lock(&wd_lock);
	if (wd_bad) {
		pthread_mutex_unlock(&wd_lock);
		fail("%lu LHREQ_BREAKs from the watchdog failed (%s)", wd_bad,
		     strerror(wd_bad_errno));
		pthread_mutex_lock(&wd_lock);
	}
	hist[K_WATCHDOG][0] = wd_breaks;
	requests += wd_breaks + wd_bad;
	pthread_mutex_unlock(&wd_lock);
	check_kmsg();
	lck1 = vm_locked_kb();
	fds1 = open_fds();
	if (lck1 != lck0)
		fail("VmLck %ld kB at the start, %ld kB at the end", lck0, lck1);
	if (fds1 != fds0)
		fail("%d open fds at the start, %d at the end", fds0, fds1);

	print_histogram();
	printf("kernel log: %lu new records, %lu lost to wrapping, %lu bad\n", kmsg_lines,
	       kmsg_lost, kmsg_bad);
	printf("lg-fuzz: seed %llu: %lu operations, %lu requests to /dev/lguest, %.1f s, %lu failures\n",
	       (unsigned long long)seed, op_no, requests, (now_ns() - t0) / 1e9, failures);
	return failures ? 1 : 0;
}
