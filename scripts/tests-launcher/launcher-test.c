// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest against the launcher's device code, in one process.
 *
 * The launcher is included whole (its main() renamed; LAUNCHER_C is a
 * file including each of its sources), given fake guest
 * memory with an inaccessible guard area above the device page, and its
 * device functions are called the way run_guest() calls them, after the
 * "guest" (this program) has written what a malicious guest kernel could
 * write.  Every test runs in a child of its own: a test passes when the
 * child ends as expected -- the launcher served the buffers, or it stopped
 * the guest with one "lguest: error: ..." line -- and fails on a crash, a
 * sanitizer report, a hang, or a wrong result.  TAP on stdout.
 *
 *   launcher-test [NAME-SUBSTRING]
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>

/* die() ends in exit(): tests that expect many guest errors catch them. */
static _Noreturn void test_exit(int status);
#define exit test_exit
#define main lguest_main
#ifndef LAUNCHER_C
#define LAUNCHER_C "../../Documentation-lguest/lguest.c"
#endif
#include LAUNCHER_C
#undef main
#undef exit

#include <poll.h>
#include <stdatomic.h>
#include <time.h>
#include <linux/userfaultfd.h>
#include <sys/syscall.h>

static jmp_buf *die_catch;

static void test_exit(int status)
{
	if (die_catch)
		longjmp(*die_catch, 1);
	exit(status);
}

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *__asan_default_options(void)
{
	return "abort_on_error=1:detect_leaks=0";
}

const char *__ubsan_default_options(void)
{
	return "abort_on_error=1:halt_on_error=1:print_stacktrace=1";
}

#define RAM_SIZE	(1024u * 1024)
#define GUARD_SIZE	(4 * RAM_SIZE)	/* PROT_NONE above the device page */
#define RING		0x10000u	/* default ring: desc, avail, used */
#define BUF		0x40000u	/* default buffer */
#define TXQ		1

static struct guest g;
static int irq_fd;			/* what the launcher raises */
static struct lguest_vqconfig *cfgs;	/* the device page, as the guest sees it */
static struct lguest_device_desc *desc0;

struct ring {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
};

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wrong: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(3);
}

static void *gmem(u32 gpa)
{
	return g.mem + gpa;
}

/* Fake guest memory, the launcher's devices, stdin and stdout. */
static void boot(u32 ram_size)
{
	size_t total = ram_size + DEVICE_PAGES * PAGE_SIZE + GUARD_SIZE;
	int p[2];

	memset(&g, 0, sizeof(g));
	g.mem = mmap(NULL, total, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g.mem == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	if (mprotect(g.mem + ram_size + DEVICE_PAGES * PAGE_SIZE, GUARD_SIZE, PROT_NONE))
		fail("mprotect: %s", strerror(errno));
	g.ram_pages = ram_size / PAGE_SIZE;
	g.top = ram_size;
	if (pipe(p))
		fail("pipe: %s", strerror(errno));
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	irq_fd = p[0];
	g.fd = p[1];
	init_devices(&g);
	setup_console(&g);
	desc0 = (struct lguest_device_desc *)g.devmem;
	cfgs = (struct lguest_vqconfig *)(desc0 + 1);
}

static u64 dev_gpa(const void *p)
{
	return (u64)g.ram_pages * PAGE_SIZE + ((const u8 *)p - g.devmem);
}

/*
 * Wait until every queue's worker has served what it was kicked for (or
 * stopped the guest, which ends this process).
 */
static void settle(void)
{
	unsigned int i, q;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < g.ndevices; i++) {
		for (q = 0; q < g.devices[i].num_vq; q++) {
			struct vq *vq = &g.devices[i].vqs[q];

			while (vq->serve && (vq->kicked || vq->busy))
				pthread_cond_wait(&g.quiet, &g.lock);
		}
	}
	pthread_mutex_unlock(&g.lock);
}

static void set_status(u8 status)
{
	desc0->status = status;
	handle_notify(&g, dev_gpa(desc0));
	settle();
}

static void kick(unsigned int q)
{
	handle_notify(&g, dev_gpa(&cfgs[q]));
	settle();
}

/* Tell the launcher where queue q's ring is, as the guest's driver does. */
static struct ring place_ring(unsigned int q, u32 desc, u32 avail, u32 used)
{
	struct ring r = { gmem(desc), gmem(avail), gmem(used) };

	cfgs[q].desc = desc;
	cfgs[q].avail = avail;
	cfgs[q].used = used;
	return r;
}

static struct ring std_ring(unsigned int q)
{
	return place_ring(q, RING, RING + 0x1000, RING + 0x2000);
}

static void make_avail(struct ring *r, u16 head)
{
	r->avail->ring[r->avail->idx % VQ_ENTRIES] = head;
	r->avail->idx++;
}

static void set_desc(struct ring *r, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	r->desc[i].addr = addr;
	r->desc[i].len = len;
	r->desc[i].flags = flags;
	r->desc[i].next = next;
}

static const u8 ok_status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			     VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;

/* A console that prints "hello": the tx ring set up and one buffer queued. */
static struct ring hello(void)
{
	struct ring r = std_ring(TXQ);

	memcpy(gmem(BUF), "hello", 5);
	set_desc(&r, 0, BUF, 5, 0, 0);
	make_avail(&r, 0);
	return r;
}

static void expect_used(struct ring *r, u16 idx, u32 id)
{
	if (r->used->idx != idx)
		fail("used idx is %u, want %u", r->used->idx, idx);
	if (idx && r->used->ring[(idx - 1) % VQ_ENTRIES].id != id)
		fail("used ring[%u] is buffer %u, want %u", (idx - 1) % VQ_ENTRIES,
		     r->used->ring[(idx - 1) % VQ_ENTRIES].id, id);
}

static void expect_irq(u32 want)
{
	struct lguest_irq irq;

	if (read(irq_fd, &irq, sizeof(irq)) != sizeof(irq))
		fail("no interrupt raised");
	if (irq.req != LHREQ_IRQ || irq.irq != want)
		fail("raised irq %u, want %u", irq.irq, want);
}

/* --- the tests --- */

static void t_sanity(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	set_status(ok_status);
	expect_used(&r, 1, 0);
	expect_irq(FIRST_DEVICE_IRQ);
	make_avail(&r, 0);
	kick(TXQ);
	expect_used(&r, 2, 0);
}

/* The console's control queues (VIRTIO_CONSOLE_F_MULTIPORT). */
#define CTRL_RXQ	2
#define CTRL_TXQ	3
#define CTRL_RX		0x50000u	/* rings and buffers of the control queues */
#define CTRL_TX		0x58000u

struct ctrl_msg {
	u32 id;
	u16 event, value;
};

/* The guest's driver sends a control message; the launcher's answers come back. */
static u16 ctrl_sent;

static void ctrl_send(u16 event, u16 value)
{
	u16 n = ctrl_sent++;
	struct ring r = place_ring(CTRL_TXQ, CTRL_TX, CTRL_TX + 0x1000, CTRL_TX + 0x2000);
	struct ctrl_msg *m = gmem(CTRL_TX + 0x3000 + n % 16 * 8);

	m->id = event == 0 ? 0xffffffff : 0;	/* VIRTIO_CONSOLE_DEVICE_READY: no port */
	m->event = event;
	m->value = value;
	set_desc(&r, n % 16, CTRL_TX + 0x3000 + n % 16 * 8, 8, 0, 0);
	make_avail(&r, n % 16);
	kick(CTRL_TXQ);
}

/* The control messages the launcher sent us, "event:id:value ..." */
static char *ctrl_received(void)
{
	static char out[256];
	struct ring r = { gmem(CTRL_RX), gmem(CTRL_RX + 0x1000), gmem(CTRL_RX + 0x2000) };
	size_t n = 0;
	u16 i;

	out[0] = 0;
	for (i = 0; i < r.used->idx && n < sizeof(out) - 32; i++) {
		struct ctrl_msg *m = gmem(r.desc[r.used->ring[i].id].addr);

		n += snprintf(out + n, sizeof(out) - n, "%s%u:%u:%u", i ? " " : "", m->event,
			      m->id, m->value);
	}
	return out;
}

/* The guest's side of the console's start, up to its port open or not. */
static struct ring guest_console_up(bool open)
{
	struct ring r = std_ring(0), c;
	int i;

	set_desc(&r, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	c = place_ring(CTRL_RXQ, CTRL_RX, CTRL_RX + 0x1000, CTRL_RX + 0x2000);
	for (i = 0; i < 8; i++) {
		set_desc(&c, i, CTRL_RX + 0x3000 + i * 8, 8, VRING_DESC_F_WRITE, 0);
		make_avail(&c, i);
	}
	set_status(ok_status);
	ctrl_send(0, 1);			/* DEVICE_READY */
	ctrl_send(3, 1);			/* PORT_READY, port 0 */
	if (open)
		ctrl_send(6, 1);		/* PORT_OPEN, port 0 */
	return r;
}

/*
 * Input waiting before the guest is: none of it goes to a port the guest
 * has not opened (its driver would drop it), all of it once it has.
 */
static void t_input(void)
{
	struct ring r;
	int p[2], i;

	if (pipe(p) || write(p[1], "abc", 3) != 3)
		fail("pipe: %s", strerror(errno));
	close(p[1]);
	dup2(p[0], STDIN_FILENO);
	boot(RAM_SIZE);
	r = guest_console_up(false);
	usleep(200000);
	if (r.used->idx)
		fail("input went to the port before the guest opened it");
	if (strcmp(ctrl_received(), "1:0:1 4:0:1 6:0:1"))
		fail("control messages '%s', want PORT_ADD, CONSOLE_PORT, PORT_OPEN",
		     ctrl_received());
	ctrl_send(6, 1);			/* PORT_OPEN */
	for (i = 0; i < 500 && !__atomic_load_n(&r.used->idx, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	if (r.used->idx != 1 || r.used->ring[0].len != 3 || memcmp(gmem(BUF), "abc", 3))
		fail("the input did not arrive (used idx %u)", r.used->idx);
}

/*
 * After a reset and a new DRIVER_OK, input waits until the guest opens
 * the port again: the port of before the reset is no longer open.
 */
static void t_input_after_reset(void)
{
	struct ring r;
	int p[2], i;

	if (pipe(p) || write(p[1], "abc", 3) != 3)
		fail("pipe: %s", strerror(errno));
	dup2(p[0], STDIN_FILENO);
	boot(RAM_SIZE);
	r = guest_console_up(true);
	for (i = 0; i < 500 && !__atomic_load_n(&r.used->idx, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	if (r.used->idx != 1)
		fail("the first input did not arrive");
	set_status(0);
	if (write(p[1], "xyz", 3) != 3)
		fail("write: %s", strerror(errno));
	usleep(100000);
	/* The driver's new queues: fresh rings, as after any reset. */
	memset(gmem(CTRL_RX), 0, 0x3000);
	memset(gmem(CTRL_TX), 0, 0x3000);
	r = place_ring(0, RING + 0x4000, RING + 0x5000, RING + 0x6000);
	set_desc(&r, 0, BUF, 16, VRING_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	set_status(ok_status);
	usleep(300000);
	if (r.used->idx)
		fail("input went to the port before the guest opened it again");
	ctrl_send(6, 1);			/* PORT_OPEN */
	for (i = 0; i < 500 && !__atomic_load_n(&r.used->idx, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	if (r.used->idx != 1 || memcmp(gmem(BUF), "xyz", 3))
		fail("the input after the reset did not arrive (used idx %u)", r.used->idx);
}

#define MSGPAGE		0x70000u

static void *reset_console(void *arg)
{
	(void)arg;
	desc0->status = 0;
	handle_notify(&g, dev_gpa(desc0));
	return NULL;
}

/*
 * Stall the console's control worker inside a control message (guest
 * memory under userfaultfd), reset the device meanwhile, then let the
 * worker go on: the reset must end.  Without userfaultfd, race them.
 */
static bool ctrl_reset_stalled(void)
{
	static u8 page[4096] __attribute__((aligned(4096)));
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy cp = { 0 };
	struct virtio_console_control *m = (void *)page;
	struct uffd_msg um;
	struct pollfd pfd;
	struct timespec ts;
	struct ring r;
	pthread_t tid;
	int uffd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (uffd < 0)
		uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return false;
	place_ring(CTRL_RXQ, CTRL_RX, CTRL_RX + 0x1000, CTRL_RX + 0x2000);
	r = place_ring(CTRL_TXQ, CTRL_TX, CTRL_TX + 0x1000, CTRL_TX + 0x2000);
	set_status(ok_status);
	madvise(gmem(MSGPAGE), 4096, MADV_DONTNEED);
	reg.range.start = (unsigned long)gmem(MSGPAGE);
	reg.range.len = 4096;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return false;
	set_desc(&r, 0, MSGPAGE, 8, 0, 0);
	make_avail(&r, 0);
	handle_notify(&g, dev_gpa(&cfgs[CTRL_TXQ]));
	pfd.fd = uffd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1 || read(uffd, &um, sizeof(um)) != sizeof(um))
		fail("the worker never read the message");
	pthread_create(&tid, NULL, reset_console, NULL);
	usleep(200000);
	m->event = VIRTIO_CONSOLE_DEVICE_READY;
	m->value = 1;
	cp.dst = (unsigned long)gmem(MSGPAGE);
	cp.src = (unsigned long)page;
	cp.len = 4096;
	if (ioctl(uffd, UFFDIO_COPY, &cp))
		fail("UFFDIO_COPY: %s", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	if (pthread_timedjoin_np(tid, NULL, &ts))
		fail("the reset still waits for the control worker after 5 s");
	return true;
}

/* A control message and a reset at once, many times. */
static void t_ctrl_reset(void)
{
	struct virtio_console_control *m;
	unsigned int i;
	struct ring r;

	boot(RAM_SIZE);
	if (ctrl_reset_stalled())
		return;
	m = gmem(MSGPAGE);
	for (i = 0; i < 20000; i++) {
		volatile unsigned int spin = rand() % 2000;

		place_ring(CTRL_RXQ, CTRL_RX, CTRL_RX + 0x1000, CTRL_RX + 0x2000);
		memset(gmem(CTRL_TX), 0, 0x3000);
		r = place_ring(CTRL_TXQ, CTRL_TX, CTRL_TX + 0x1000, CTRL_TX + 0x2000);
		m->id = 0;
		m->event = VIRTIO_CONSOLE_DEVICE_READY;
		m->value = 1;
		set_desc(&r, 0, MSGPAGE, 8, 0, 0);
		make_avail(&r, 0);
		desc0->status = ok_status;
		handle_notify(&g, dev_gpa(desc0));
		while (spin--)
			;
		desc0->status = 0;
		handle_notify(&g, dev_gpa(desc0));
	}
}

static void t_num_zero_before(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	cfgs[TXQ].num = 0;
	set_status(ok_status);
	expect_used(&r, 1, 0);
}

static void t_num_zero_after(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	set_status(ok_status);
	cfgs[TXQ].num = 0;
	make_avail(&r, 0);
	kick(TXQ);
	expect_used(&r, 2, 0);
}

static void t_num_huge_before(void)
{
	struct ring r;

	boot(4 * RAM_SIZE);
	r = hello();
	cfgs[TXQ].num = 0xffff;
	set_status(ok_status);
	expect_used(&r, 1, 0);
}

/* The guest grows the queue after it is set up, then names buffer 60000. */
static void t_num_huge_after(void)
{
	u32 top = RAM_SIZE - 0x3000;
	struct ring r;

	boot(RAM_SIZE);
	r = place_ring(TXQ, top, top + 0x1000, top + 0x2000);
	set_status(ok_status);
	cfgs[TXQ].num = 0xffff;
	make_avail(&r, 60000);
	kick(TXQ);
}

static void t_avail_ahead(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	r.avail->idx = 1000;
	set_status(ok_status);
}

static void t_avail_wrap(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	set_status(ok_status);
	r.avail->idx = 0;	/* one behind: 65535 new buffers */
	kick(TXQ);
}

static void t_head_range(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	make_avail(&r, VQ_ENTRIES);
	set_status(ok_status);
}

static void t_loop(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	set_desc(&r, 0, BUF, 1, VRING_DESC_F_NEXT, 1);
	set_desc(&r, 1, BUF, 1, VRING_DESC_F_NEXT, 0);
	make_avail(&r, 0);
	set_status(ok_status);
}

static void t_self_loop(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	set_desc(&r, 0, BUF, 1, VRING_DESC_F_NEXT, 0);
	make_avail(&r, 0);
	set_status(ok_status);
}

static void t_next_range(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	set_desc(&r, 0, BUF, 1, VRING_DESC_F_NEXT, VQ_ENTRIES);
	make_avail(&r, 0);
	set_status(ok_status);
}

static void t_len_wrap(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	set_desc(&r, 0, BUF, 0xffffffff, 0, 0);
	make_avail(&r, 0);
	set_status(ok_status);
}

static void t_addr_wrap(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	set_desc(&r, 0, 0xffffffffffffff00ull, 0x200, 0, 0);
	make_avail(&r, 0);
	set_status(ok_status);
}

static void t_addr_beyond(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	set_desc(&r, 0, RAM_SIZE, 8, 0, 0);	/* the device page */
	make_avail(&r, 0);
	set_status(ok_status);
}

static void t_ring_beyond(void)
{
	boot(RAM_SIZE);
	place_ring(TXQ, RING, RING + 0x1000, RAM_SIZE - 16);
	set_status(ok_status);
}

static void t_ring_misaligned(void)
{
	boot(RAM_SIZE);
	place_ring(TXQ, RING + 1, RING + 0x1001, RING + 0x2001);
	set_status(ok_status);
}

/* Virtio forbids chains of more than 4 GB in all. */
static void t_chain_huge(void)
{
	u32 ram = 128 * RAM_SIZE;
	struct ring r;
	int i;

	boot(ram);
	r = std_ring(TXQ);
	for (i = 0; i < 48; i++)
		set_desc(&r, i, 0, ram, i < 47 ? VRING_DESC_F_NEXT : 0, i + 1);
	make_avail(&r, 0);
	set_status(ok_status);
}

static void t_num_vq(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	desc0->num_vq = 255;
	set_status(ok_status);
	expect_used(&r, 1, 0);
}

static void t_num_vq_kick(void)
{
	boot(RAM_SIZE);
	hello();
	set_status(ok_status);
	desc0->num_vq = 255;
	kick(5);		/* past the two queues */
}

static void t_layout_fields(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	desc0->feature_len = 255;
	desc0->config_len = 255;
	set_status(ok_status);
	make_avail(&r, 0);
	kick(TXQ);
	expect_used(&r, 2, 0);
}

static void t_irq(void)
{
	boot(RAM_SIZE);
	hello();
	cfgs[TXQ].irq = 200;
	set_status(ok_status);
	expect_irq(FIRST_DEVICE_IRQ);
}

static void t_used_idx(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	r.used->idx = 77;
	set_status(ok_status);
	expect_used(&r, 1, 0);
}

/*
 * Our stdout, a pipe that is full and that nobody reads until
 * drain_stdout(): console output blocks in write().
 */
static int stdout_reader;

static void stall_stdout(void)
{
	static char junk[4096];
	int p[2];

	if (pipe(p))
		fail("pipe: %s", strerror(errno));
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	fcntl(p[1], F_SETFL, 0);
	dup2(p[1], STDOUT_FILENO);
	close(p[1]);
	stdout_reader = p[0];
}

static void drain_stdout(void)
{
	static char junk[65536];

	fcntl(stdout_reader, F_SETFL, O_NONBLOCK);
	while (read(stdout_reader, junk, sizeof(junk)) > 0)
		;
}

/*
 * The guest's console output blocks on our stdout: the run loop (which
 * notifies) goes on, and the output is served once stdout drains.
 */
static void t_stdout_stalled(void)
{
	struct ring r;

	stall_stdout();
	boot(RAM_SIZE);
	r = hello();
	desc0->status = ok_status;
	handle_notify(&g, dev_gpa(desc0));	/* must return at once */
	make_avail(&r, 0);
	handle_notify(&g, dev_gpa(&cfgs[TXQ]));
	if (r.used->idx)
		fail("output served into a full pipe");
	drain_stdout();
	settle();
	expect_used(&r, 2, 0);
}

static void *reset_and_move(void *arg)
{
	(void)arg;
	desc0->status = 0;
	handle_notify(&g, dev_gpa(desc0));
	place_ring(TXQ, RING + 0x4000, RING + 0x5000, RING + 0x6000);
	desc0->status = ok_status;
	handle_notify(&g, dev_gpa(desc0));
	return NULL;
}

/*
 * A reset while the device is busy with a buffer: once the reset is done
 * the device writes nothing more for it, neither in the old used ring nor
 * in the queue the guest sets up anew.
 */
static void t_reset_in_flight(void)
{
	struct ring r, r2;
	pthread_t tid;

	stall_stdout();
	boot(RAM_SIZE);
	r = hello();
	r2 = (struct ring){ gmem(RING + 0x4000), gmem(RING + 0x5000), gmem(RING + 0x6000) };
	desc0->status = ok_status;
	handle_notify(&g, dev_gpa(desc0));
	usleep(100000);			/* the worker is in write() */
	pthread_create(&tid, NULL, reset_and_move, NULL);
	usleep(100000);
	drain_stdout();
	pthread_join(tid, NULL);
	settle();
	if (r.used->idx || r2.used->idx)
		fail("the device completed a buffer of before the reset (used idx %u, then %u)",
		     r.used->idx, r2.used->idx);
	memcpy(gmem(BUF), "again", 5);
	set_desc(&r2, 3, BUF, 5, 0, 0);
	make_avail(&r2, 3);
	kick(TXQ);
	expect_used(&r2, 1, 3);
}

/*
 * A queue the guest sets up only after DRIVER_OK, then kicks: with
 * eventfds the kick goes straight to the worker (as the host signals
 * it), never through handle_notify(), and must still be served.
 */
static void t_late_queue_eventfd(void)
{
	struct vq *vq;
	struct ring r;
	u64 one = 1;
	int i;

	boot(RAM_SIZE);
	vq = &g.devices[0].vqs[TXQ];
	set_status(ok_status);		/* the queue has no ring yet */
	r = hello();
	if (write(vq->efd, &one, sizeof(one)) != sizeof(one))
		fail("eventfd: %s", strerror(errno));
	for (i = 0; i < 200 && !__atomic_load_n(&r.used->idx, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	expect_used(&r, 1, 0);
}

/* After a reset the device serves nothing until the guest's DRIVER_OK. */
static void t_kick_after_reset(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = hello();
	set_status(ok_status);
	expect_used(&r, 1, 0);
	set_status(0);
	desc0->status = ok_status;	/* written, not notified */
	r = place_ring(TXQ, RING + 0x4000, RING + 0x5000, RING + 0x6000);
	set_desc(&r, 0, BUF, 5, 0, 0);
	make_avail(&r, 0);
	kick(TXQ);
	if (r.used->idx)
		fail("a kick after the reset was served before DRIVER_OK");
	set_status(ok_status);
	expect_used(&r, 1, 0);
}

/* The guest's driver gives up on the device (VIRTIO_CONFIG_S_FAILED). */
static void t_driver_failed(void)
{
	boot(RAM_SIZE);
	set_status(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FAILED);
}

/* We offer no VIRTIO_F_INDIRECT_DESC: a table of descriptors is refused. */
static void t_indirect(void)
{
	struct ring r;

	boot(RAM_SIZE);
	r = std_ring(TXQ);
	set_desc(&r, 0, BUF, 16, VRING_DESC_F_INDIRECT, 0);
	make_avail(&r, 0);
	set_status(ok_status);
}

/*
 * A console buffer of 40 MB: served, and at most CONSOLE_CHUNK of it
 * written (a 32-bit launcher's writev() fails past 2 GB).
 */
static void t_console_huge(void)
{
	static char out[CONSOLE_CHUNK + 1];
	u32 ram = 64 * RAM_SIZE;
	struct ring r;
	ssize_t n;
	int p[2];

	if (pipe(p))
		fail("pipe: %s", strerror(errno));
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	dup2(p[1], STDOUT_FILENO);
	boot(ram);
	r = std_ring(TXQ);
	set_desc(&r, 0, 0x100000, 40 * RAM_SIZE, 0, 0);
	make_avail(&r, 0);
	set_status(ok_status);
	expect_used(&r, 1, 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	n = read(p[0], out, sizeof(out));
	if (n != CONSOLE_CHUNK)
		fail("%zd bytes written, want %u", n, CONSOLE_CHUNK);
}

/* A racing guest thread: flip a 32-bit word between two values. */
static u32 *race_word;
static u32 race_a, race_b;
static atomic_bool race_stop;

static void *racer(void *arg)
{
	(void)arg;
	while (!atomic_load(&race_stop)) {
		__atomic_store_n(race_word, race_a, __ATOMIC_RELAXED);
		__atomic_store_n(race_word, race_b, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * The guest changes a buffer's length while the launcher takes it: no
 * buffer handed out may reach past guest memory, whichever length the
 * launcher saw.
 */
static void t_len_race(void)
{
	u32 addr = RAM_SIZE - 16;
	struct vq *vq;
	struct iovec iov[MAX_IOV];
	unsigned int out, in;
	struct timespec t0, t;
	long tries = 0, stopped = 0;
	pthread_t tid;
	jmp_buf jb;
	int null = open("/dev/null", O_WRONLY), saved = dup(STDERR_FILENO);
	struct ring r;

	boot(RAM_SIZE);
	vq = &g.devices[0].vqs[TXQ];
	r = std_ring(TXQ);
	set_desc(&r, 0, addr, 16, 0, 0);
	set_status(ok_status);
	race_word = &r.desc[0].len;
	race_a = 16;
	race_b = 0x7fffff00;
	pthread_create(&tid, NULL, racer, NULL);
	dup2(null, STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		int head;

		r.avail->ring[r.avail->idx % VQ_ENTRIES] = 0;
		__atomic_store_n(&r.avail->idx, r.avail->idx + 1, __ATOMIC_RELEASE);
		die_catch = &jb;
		if (setjmp(jb)) {
			stopped++;	/* the launcher saw the big length */
			vq->last_avail = r.avail->idx;
			continue;
		}
		head = next_chain(&g, vq, iov, &out, &in);
		die_catch = NULL;
		tries++;
		if (head != 0 || out != 1)
			fail("next_chain gave %d (%u out)", head, out);
		if ((u8 *)iov[0].iov_base + iov[0].iov_len > g.mem + RAM_SIZE) {
			dup2(saved, STDERR_FILENO);
			fail("after %ld tries the launcher took a buffer of 0x%zx bytes at 0x%x",
			     tries, iov[0].iov_len, addr);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 2);
	die_catch = NULL;
	atomic_store(&race_stop, true);
	pthread_join(tid, NULL);
	dup2(saved, STDERR_FILENO);
	fprintf(stderr, "%ld buffers taken, %ld refused, none past guest memory\n",
		tries, stopped);
}

/* --- a disk and an entropy source, device 1 --- */

#define DISK_SECTORS	64
static struct lguest_device_desc *desc1;
static struct lguest_vqconfig *cfgs1;
static char disk_path[] = "/tmp/launcher-test-disk.XXXXXX";

/* The console, then a disk of DISK_SECTORS sectors holding byte 0x5a. */
static void boot_disk(bool ro)
{
	static u8 sector[512];
	int fd, i;

	memset(sector, 0x5a, sizeof(sector));
	fd = mkstemp(disk_path);
	if (fd < 0)
		fail("mkstemp: %s", strerror(errno));
	for (i = 0; i < DISK_SECTORS; i++)
		if (write(fd, sector, sizeof(sector)) != sizeof(sector))
			fail("write: %s", strerror(errno));
	close(fd);
	boot(RAM_SIZE);
	setup_block(&g, ro ? strcat(strcpy(malloc(64), disk_path), ",ro") : disk_path);
	unlink(disk_path);
	desc1 = g.devices[1].d;
	cfgs1 = (struct lguest_vqconfig *)(desc1 + 1);
}

static void boot_rng(void)
{
	boot(RAM_SIZE);
	setup_rng(&g);
	desc1 = g.devices[1].d;
	cfgs1 = (struct lguest_vqconfig *)(desc1 + 1);
}

/* Device 1's queue 0 at RING, ready, with what the caller queued. */
static struct ring ring1(void)
{
	struct ring r = { gmem(RING), gmem(RING + 0x1000), gmem(RING + 0x2000) };

	cfgs1->desc = RING;
	cfgs1->avail = RING + 0x1000;
	cfgs1->used = RING + 0x2000;
	return r;
}

static void start1(void)
{
	desc1->status = ok_status;
	handle_notify(&g, dev_gpa(desc1));
	settle();
}

static void kick1(void)
{
	handle_notify(&g, dev_gpa(cfgs1));
	settle();
}

/* Wait for device 1's thread to complete request number idx. */
static void wait_used(struct ring *r, u16 idx)
{
	int i;

	for (i = 0; i < 1000 && __atomic_load_n(&r->used->idx, __ATOMIC_ACQUIRE) != idx; i++)
		usleep(5000);
	if (r->used->idx != idx)
		fail("used idx is %u, want %u", r->used->idx, idx);
}

#define HDR	0x30000u
#define DATA	0x31000u
#define STATUS	0x38000u

/* A request: header (type, sector), data of len bytes, status. */
static void blk_req(struct ring *r, u32 type, u64 sector, u32 len, bool data_in)
{
	struct virtio_blk_outhdr *h = gmem(HDR);

	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	*(u8 *)gmem(STATUS) = 0xee;
	set_desc(r, 0, HDR, sizeof(*h), VRING_DESC_F_NEXT, 1);
	if (len) {
		set_desc(r, 1, DATA, len, VRING_DESC_F_NEXT | (data_in ? VRING_DESC_F_WRITE : 0), 2);
		set_desc(r, 2, STATUS, 1, VRING_DESC_F_WRITE, 0);
	} else {
		set_desc(r, 1, STATUS, 1, VRING_DESC_F_WRITE, 0);
	}
	make_avail(r, 0);
}

static u8 blk_status(void)
{
	return *(u8 *)gmem(STATUS);
}

static void t_blk_rw(void)
{
	struct ring r;
	unsigned int i;

	boot_disk(false);
	r = ring1();
	memset(gmem(DATA), 0xa5, 1024);
	blk_req(&r, VIRTIO_BLK_T_OUT, 3, 1024, false);
	start1();
	wait_used(&r, 1);
	if (blk_status() != VIRTIO_BLK_S_OK || r.used->ring[0].len != 1)
		fail("write: status %u, used len %u", blk_status(), r.used->ring[0].len);
	memset(gmem(DATA), 0, 2048);
	blk_req(&r, VIRTIO_BLK_T_IN, 2, 2048, true);
	kick1();
	wait_used(&r, 2);
	if (blk_status() != VIRTIO_BLK_S_OK || r.used->ring[1].len != 2049)
		fail("read: status %u, used len %u", blk_status(), r.used->ring[1].len);
	for (i = 0; i < 2048; i++)
		if (((u8 *)gmem(DATA))[i] != (i < 512 || i >= 1536 ? 0x5a : 0xa5))
			fail("read back byte %u: 0x%x", i, ((u8 *)gmem(DATA))[i]);
	blk_req(&r, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	kick1();
	wait_used(&r, 3);
	if (blk_status() != VIRTIO_BLK_S_OK)
		fail("flush: status %u", blk_status());
}

/* The header split over two buffers, 3 bytes and the rest. */
static void t_blk_split_header(void)
{
	struct ring r;

	boot_disk(false);
	r = ring1();
	blk_req(&r, VIRTIO_BLK_T_IN, 1, 512, true);
	set_desc(&r, 0, HDR, 3, VRING_DESC_F_NEXT, 3);
	set_desc(&r, 3, HDR + 3, sizeof(struct virtio_blk_outhdr) - 3, VRING_DESC_F_NEXT, 1);
	start1();
	wait_used(&r, 1);
	if (blk_status() != VIRTIO_BLK_S_OK || ((u8 *)gmem(DATA))[511] != 0x5a)
		fail("status %u", blk_status());
}

static void expect_status(u32 type, u64 sector, u32 len, bool data_in, u8 want)
{
	struct ring r;

	r = ring1();
	blk_req(&r, type, sector, len, data_in);
	start1();
	wait_used(&r, 1);
	if (blk_status() != want)
		fail("status %u, want %u", blk_status(), want);
}

static void t_blk_beyond(void)
{
	boot_disk(false);
	expect_status(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024, true, VIRTIO_BLK_S_IOERR);
}

static void t_blk_sector_wrap(void)
{
	boot_disk(false);
	expect_status(VIRTIO_BLK_T_OUT, ~0ull - 1, 1024, false, VIRTIO_BLK_S_IOERR);
}

static void t_blk_partial_sector(void)
{
	boot_disk(false);
	expect_status(VIRTIO_BLK_T_OUT, 0, 100, false, VIRTIO_BLK_S_IOERR);
}

static void t_blk_unknown(void)
{
	boot_disk(false);
	expect_status(0x1234, 0, 512, true, VIRTIO_BLK_S_UNSUPP);
}

static void t_blk_ro(void)
{
	boot_disk(true);
	memset(gmem(DATA), 0xa5, 512);
	expect_status(VIRTIO_BLK_T_OUT, 0, 512, false, VIRTIO_BLK_S_IOERR);
}

static void t_blk_get_id(void)
{
	char *want;

	boot_disk(false);
	expect_status(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, true, VIRTIO_BLK_S_OK);
	want = strrchr(disk_path, '/') + 1;
	if (strncmp(gmem(DATA), want, VIRTIO_BLK_ID_BYTES))
		fail("id '%.20s', want '%s'", (char *)gmem(DATA), want);
}

static void t_blk_no_header(void)
{
	struct ring r;

	boot_disk(false);
	r = ring1();
	set_desc(&r, 0, HDR, 4, VRING_DESC_F_NEXT, 1);
	set_desc(&r, 1, STATUS, 1, VRING_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	start1();
	sleep(5);
}

static void t_blk_no_status(void)
{
	struct ring r;

	boot_disk(false);
	r = ring1();
	blk_req(&r, VIRTIO_BLK_T_OUT, 0, 512, false);
	set_desc(&r, 1, DATA, 512, 0, 0);
	start1();
	sleep(5);
}

static void t_rng(void)
{
	struct ring r;

	boot_rng();
	r = ring1();
	memset(gmem(DATA), 0, 64);
	set_desc(&r, 0, DATA, 64, VRING_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	start1();
	expect_used(&r, 1, 0);
	if (r.used->ring[0].len != 64 || !memcmp(gmem(DATA), gmem(DATA) + 32, 32))
		fail("used len %u", r.used->ring[0].len);
}

static void t_rng_huge(void)
{
	struct ring r;

	boot_rng();
	r = ring1();
	set_desc(&r, 0, 0x100000 - 0x80000, 0x80000, VRING_DESC_F_WRITE, 0);
	make_avail(&r, 0);
	start1();
	expect_used(&r, 1, 0);
	if (r.used->ring[0].len != 65536)
		fail("used len %u, want 65536", r.used->ring[0].len);
}

static void t_rng_readable(void)
{
	struct ring r;

	boot_rng();
	r = ring1();
	set_desc(&r, 0, DATA, 64, 0, 0);
	make_avail(&r, 0);
	start1();
}

/* --- links between guests (--sharenet), several ports in this process --- */

static char link_path[] = "/tmp/launcher-test-link.XXXXXX";
static bool link_made;

static void link_cleanup(void)
{
	if (link_made)
		unlink(link_path);
}

static struct sharenet *link_port(u8 last)
{
	u8 mac[6] = { 0x02, 0, 0, 0, 0, last };

	if (!link_made) {
		int fd = mkstemp(link_path);

		if (fd < 0)
			fail("mkstemp: %s", strerror(errno));
		close(fd);
		unlink(link_path);
		link_made = true;
		atexit(link_cleanup);
	}
	return sharenet_open(link_path, mac, true);
}

/* A frame: header, destination, source 02:..:src, then len - 24 bytes of fill. */
static u8 *link_frame(u8 dst_last, bool bcast, u8 src, u32 len, u8 fill)
{
	static u8 f[NET_MAX_FRAME];

	memset(f, 0, NET_HDR_LEN);
	memset(f + NET_HDR_LEN, bcast ? 0xff : 0, 6);
	if (!bcast) {
		f[NET_HDR_LEN] = 0x02;
		f[NET_HDR_LEN + 5] = dst_last;
	}
	memset(f + NET_HDR_LEN + 6, 0, 6);
	f[NET_HDR_LEN + 6] = 0x02;
	f[NET_HDR_LEN + 11] = src;
	memset(f + NET_HDR_LEN + 12, fill, len - NET_HDR_LEN - 12);
	return f;
}

static void link_send(struct sharenet *s, u8 *f, u32 len)
{
	/* In two pieces, as a guest's driver gives the header apart. */
	struct iovec iov[2] = { { f, NET_HDR_LEN }, { f + NET_HDR_LEN, len - NET_HDR_LEN } };

	sharenet_send(s, iov, 2);
}

/* What port s has from port from, without waiting: its length or 0. */
static size_t link_get(struct sharenet *s, unsigned int from, u8 *buf)
{
	return ring_get(s, from, buf, NET_MAX_FRAME);
}

static void t_link_unicast(void)
{
	struct sharenet *a = link_port(1), *b = link_port(2), *c = link_port(3);
	static u8 buf[NET_MAX_FRAME];
	u8 *f;

	if (sharenet_port(a) != 0 || sharenet_port(b) != 1 || sharenet_port(c) != 2)
		fail("ports %u %u %u", sharenet_port(a), sharenet_port(b), sharenet_port(c));
	f = link_frame(2, false, 1, 1000, 0x5a);
	link_send(a, f, 1000);
	if (link_get(b, 0, buf) != 1000 || memcmp(buf, f, 1000))
		fail("the frame did not reach its port");
	if (link_get(c, 0, buf) || link_get(b, 0, buf))
		fail("the frame went elsewhere too");
	f = link_frame(0, true, 2, NET_MAX_FRAME, 0xa5);
	link_send(b, f, NET_MAX_FRAME);
	if (sharenet_recv(a, buf, NET_MAX_FRAME) != NET_MAX_FRAME || memcmp(buf, f, 1000) ||
	    sharenet_recv(c, buf, NET_MAX_FRAME) != NET_MAX_FRAME || buf[NET_MAX_FRAME - 1] != 0xa5)
		fail("a broadcast did not reach every port");
}

/* A receiver that reads nothing: frames beyond the ring are dropped. */
static void t_link_full(void)
{
	struct sharenet *a = link_port(1), *b = link_port(2);
	static u8 buf[NET_MAX_FRAME];
	u8 *f = link_frame(2, false, 1, 60000, 0x11);
	unsigned int i, got = 0;

	for (i = 0; i < 100; i++)
		link_send(a, f, 60000);
	while (link_get(b, 0, buf) == 60000)
		got++;
	if (!got || got >= 100)
		fail("%u frames of 100 arrived", got);
	link_send(a, f, 60000);
	if (link_get(b, 0, buf) != 60000)
		fail("no frame after the ring drained");
}

/* What a hostile peer can write in the file: nothing but lost frames. */
static void t_link_hostile(void)
{
	struct sharenet *a = link_port(1), *b = link_port(2);
	struct share_ring *r = &a->f->ring[0][1];
	static u8 buf[NET_MAX_FRAME];
	u8 *f = link_frame(2, false, 1, 100, 0x22);
	u32 bad[] = { 0, 3, NET_HDR_LEN + 13, NET_MAX_FRAME + 1, 0xfffffffc, SHARE_RING };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		link_send(a, f, 100);
		memcpy(r->data + b->tail[0] % SHARE_RING, &bad[i], 4);
		if (link_get(b, 0, buf))
			fail("a frame of length %u was taken", bad[i]);
	}
	/* A head far ahead of the tail, or behind it. */
	r->head = b->tail[0] + SHARE_RING + 4;
	if (link_get(b, 0, buf))
		fail("a ring fuller than full was read");
	r->head = b->tail[0] - 8;
	if (link_get(b, 0, buf))
		fail("a ring with its head behind its tail was read");
	/* A peer's MAC changed under us, and a tail that makes no sense. */
	memset(a->f->port[1].mac, 0xff, 6);
	r->tail = a->head[1] + 12345;
	link_send(a, f, 100);
	/* Every index is ours again: the link works. */
	r->head = a->head[1];
	b->tail[0] = r->tail = a->head[1];
	memcpy(a->f->port[1].mac, (u8[]){ 0x02, 0, 0, 0, 0, 2 }, 6);
	link_send(a, f, 100);
	if (link_get(b, 0, buf) != 100 || memcmp(buf, f, 100))
		fail("the link did not recover");
}

static void t_link_ports(void)
{
	unsigned int i;

	for (i = 0; i < SHARE_PORTS + 1; i++)
		link_port(i + 1);
}

/* A launcher that died without freeing its port leaves it free. */
static void t_link_dead_owner(void)
{
	struct sharenet *a;
	pid_t pid;
	int status;

	link_port(1);		/* makes the file */
	pid = fork();
	if (pid == 0) {
		link_port(2);
		_exit(0);	/* no exit handlers: the port stays taken */
	}
	waitpid(pid, &status, 0);
	a = link_port(3);
	if (sharenet_port(a) != 1)
		fail("took port %u, not the dead launcher's 1", sharenet_port(a));
}

static void t_link_not_ours(void)
{
	int fd = mkstemp(link_path);

	if (fd < 0 || write(fd, "hello", 5) != 5)
		fail("mkstemp: %s", strerror(errno));
	close(fd);
	link_made = true;
	atexit(link_cleanup);
	sharenet_open(link_path, (u8[6]){ 0 }, false);
}

/* The link's path is a symbolic link (planted, say, to a file of root's). */
static void t_link_symlink(void)
{
	int fd = mkstemp(link_path);
	char target[] = "/tmp/launcher-test-target.XXXXXX";
	int tfd = mkstemp(target);

	if (fd < 0 || tfd < 0)
		fail("mkstemp: %s", strerror(errno));
	close(fd);
	close(tfd);
	unlink(link_path);
	if (symlink(target, link_path))
		fail("symlink: %s", strerror(errno));
	unlink(target);			/* dangling: O_CREAT would make it */
	link_made = true;
	atexit(link_cleanup);
	sharenet_open(link_path, (u8[6]){ 0 }, false);
}

/* Someone cuts the link's file short under the launchers. */
static void t_link_truncated(void)
{
	struct sharenet *a = link_port(1), *b = link_port(2);
	static u8 buf[NET_MAX_FRAME];
	u8 *f = link_frame(2, false, 1, 100, 0x22);
	int fd = open(link_path, O_RDWR);

	if (fd < 0 || unlink(link_path) || ftruncate(fd, 0))
		fail("cutting the link short: %s", strerror(errno));
	link_made = false;
	link_send(a, f, 100);
	link_get(b, 0, buf);
}

/* A vmlinux whose program headers are misaligned in the file. */
static void t_elf_misaligned(void)
{
	static u8 img[4096];
	Elf32_Ehdr *eh = (void *)img;
	Elf32_Phdr ph = { 0 };
	char path[] = "/tmp/launcher-test-elf.XXXXXX";
	int fd;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_phentsize = sizeof(ph);
	eh->e_phnum = 1;
	eh->e_phoff = 0x101;
	eh->e_entry = 0x100000;
	ph.p_type = PT_LOAD;
	ph.p_paddr = 0x100000;
	ph.p_filesz = 0x100;
	ph.p_memsz = 0x100;
	memcpy(img + 0x101, &ph, sizeof(ph));
	fd = mkstemp(path);
	if (fd < 0 || write(fd, img, sizeof(img)) != sizeof(img))
		fail("mkstemp: %s", strerror(errno));
	close(fd);
	boot(4 * RAM_SIZE);
	load_kernel(&g, path);
	unlink(path);
	if (g.entry != 0x100000 || memcmp(gmem(0x100000), img, 0x100))
		fail("entry 0x%x", g.entry);
}

enum expect { SERVED, STOPPED };

static const struct test {
	const char *name;
	void (*fn)(void);
	enum expect expect;
} tests[] = {
	{ "a well-formed console output buffer is served", t_sanity, SERVED },
	{ "console input reaches a well-formed receive buffer", t_input, SERVED },
	{ "queue size 0 written by the guest before DRIVER_OK", t_num_zero_before, SERVED },
	{ "queue size 0 written by the guest after setup", t_num_zero_after, SERVED },
	{ "queue size 65535 written by the guest before DRIVER_OK", t_num_huge_before, SERVED },
	{ "queue size 65535 written after setup, buffer 60000", t_num_huge_after, STOPPED },
	{ "avail idx 1000 entries ahead", t_avail_ahead, STOPPED },
	{ "avail idx moved back (65535 new entries)", t_avail_wrap, STOPPED },
	{ "avail ring head beyond the ring", t_head_range, STOPPED },
	{ "descriptor chain loop of two", t_loop, STOPPED },
	{ "descriptor chained to itself", t_self_loop, STOPPED },
	{ "descriptor next beyond the ring", t_next_range, STOPPED },
	{ "descriptor length wrapping past 4 GB", t_len_wrap, STOPPED },
	{ "descriptor address wrapping past 2^64", t_addr_wrap, STOPPED },
	{ "descriptor address in the device page", t_addr_beyond, STOPPED },
	{ "used ring reaching past guest RAM", t_ring_beyond, STOPPED },
	{ "misaligned ring addresses", t_ring_misaligned, STOPPED },
	{ "buffer chain of 6 GB in all", t_chain_huge, STOPPED },
	{ "num_vq 255 written by the guest before DRIVER_OK", t_num_vq, SERVED },
	{ "num_vq 255 and a kick past the queues", t_num_vq_kick, STOPPED },
	{ "feature_len and config_len 255 (past the device page)", t_layout_fields, SERVED },
	{ "queue irq rewritten by the guest", t_irq, SERVED },
	{ "used idx rewritten by the guest", t_used_idx, SERVED },
	{ "descriptor length changed while the launcher reads it", t_len_race, SERVED },
	{ "console output into a stalled stdout leaves the run loop free", t_stdout_stalled, SERVED },
	{ "reset while the device is busy with a buffer", t_reset_in_flight, SERVED },
	{ "a kick after a reset is not served before DRIVER_OK", t_kick_after_reset, SERVED },
	{ "a queue set up after DRIVER_OK, kicked through its eventfd", t_late_queue_eventfd,
	  SERVED },
	{ "console input after a reset waits for the port to open again", t_input_after_reset,
	  SERVED },
	{ "console control message racing a reset", t_ctrl_reset, SERVED },
	{ "the guest's driver fails the device", t_driver_failed, STOPPED },
	{ "an indirect descriptor, not offered", t_indirect, STOPPED },
	{ "console output of 40 MB in one buffer", t_console_huge, SERVED },
	{ "disk: write, read back, flush", t_blk_rw, SERVED },
	{ "disk: request header split over two buffers", t_blk_split_header, SERVED },
	{ "disk: read past the end is an I/O error", t_blk_beyond, SERVED },
	{ "disk: sector number wrapping past 2^64 is an I/O error", t_blk_sector_wrap, SERVED },
	{ "disk: partial sector is an I/O error", t_blk_partial_sector, SERVED },
	{ "disk: unknown request type is unsupported", t_blk_unknown, SERVED },
	{ "disk: write to a read-only disk is an I/O error", t_blk_ro, SERVED },
	{ "disk: get-id gives the file's name", t_blk_get_id, SERVED },
	{ "disk: request shorter than its header", t_blk_no_header, STOPPED },
	{ "disk: request with no status byte", t_blk_no_status, STOPPED },
	{ "rng: a receive buffer is filled", t_rng, SERVED },
	{ "rng: a 512 KB buffer gets 64 KB", t_rng_huge, SERVED },
	{ "rng: a buffer for the device to read", t_rng_readable, STOPPED },
	{ "link: unicast to one port, broadcast to all", t_link_unicast, SERVED },
	{ "link: a full ring drops frames, and recovers", t_link_full, SERVED },
	{ "link: lengths, indices and MACs a hostile peer writes", t_link_hostile, SERVED },
	{ "link: a ninth port is refused", t_link_ports, STOPPED },
	{ "link: a dead launcher's port is taken again", t_link_dead_owner, SERVED },
	{ "link: a file that is not a link is refused", t_link_not_ours, STOPPED },
	{ "link: a symbolic link is refused", t_link_symlink, STOPPED },
	{ "link: the file cut short under the launchers", t_link_truncated, STOPPED },
	{ "kernel: an ELF file with misaligned program headers", t_elf_misaligned, SERVED },
};

/* Run one test in a child; its stderr comes back as diagnostics. */
static bool run(const struct test *t)
{
	char err[4096];
	size_t n = 0;
	ssize_t r;
	int p[2], status, null;
	pid_t pid;
	bool stopped_line, sanitizer;

	fflush(stdout);
	if (pipe(p))
		return false;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		null = open("/dev/null", O_RDWR);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		alarm(20);
		t->fn();
		link_cleanup();
		_exit(0);
	}
	close(p[1]);
	while (n < sizeof(err) - 1 && (r = read(p[0], err + n, sizeof(err) - 1 - n)) > 0)
		n += r;
	err[n] = 0;
	while (read(p[0], &status, sizeof(status)) > 0)
		;
	close(p[0]);
	waitpid(pid, &status, 0);

	stopped_line = !strncmp(err, "lguest: error: ", 15) && strchr(err, '\n') == err + n - 1;
	sanitizer = strstr(err, "Sanitizer") || strstr(err, "runtime error");
	if (WIFSIGNALED(status))
		printf("# killed by signal %d (%s)%s\n", WTERMSIG(status),
		       strsignal(WTERMSIG(status)), WTERMSIG(status) == SIGALRM ? ": hung" : "");
	else if (WEXITSTATUS(status) == 3)
		printf("# wrong result\n");
	else if (WEXITSTATUS(status))
		printf("# exit status %d\n", WEXITSTATUS(status));
	else
		printf("# served\n");
	if (n) {
		char *line = strtok(err, "\n");
		int shown = 0;

		for (; line && shown < 12; line = strtok(NULL, "\n"), shown++)
			printf("#   %s\n", line);
	}
	if (sanitizer || WIFSIGNALED(status))
		return false;
	if (WEXITSTATUS(status) == 0)
		return t->expect != STOPPED;
	return WEXITSTATUS(status) == 1 && stopped_line && t->expect != SERVED;
}

int main(int argc, char **argv)
{
	unsigned int i, n = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		if (argc < 2 || strstr(tests[i].name, argv[1]))
			n++;
	printf("1..%u\n", n);
	n = 0;
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		bool ok;

		if (argc >= 2 && !strstr(tests[i].name, argv[1]))
			continue;
		ok = run(&tests[i]);
		printf("%s %u - launcher: %s\n", ok ? "ok" : "not ok", ++n, tests[i].name);
		failed += !ok;
	}
	return failed ? 1 : 0;
}
