// SPDX-License-Identifier: GPL-2.0
/*
 * lg-abi-check: /dev/lguest refuses malformed requests with the errno its
 * ABI documents, and a guest that breaks the rules is stopped with a
 * reason.  Prints one line per check; exits 0 if all held.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/lguest.h>

#define MEM_PAGES	64
#define PAGE		4096u

static int failures;
static unsigned char *mem;

static void expect(const char *what, long ret, int want_errno)
{
	int ok = want_errno ? (ret < 0 && errno == want_errno) : ret >= 0;

	printf("%s %s: %s\n", ok ? "ok" : "FAIL", what,
	       ret < 0 ? strerror(errno) : "accepted");
	failures += !ok;
}

static struct lguest_init good_init(void)
{
	struct lguest_init init = {
		.req = LHREQ_INITIALIZE,
		.version = LGUEST_ABI_VERSION,
		.mem_base = (unsigned long)mem,
		.mem_pages = MEM_PAGES,
		.start = 0x1000,
		.pgdir = 0x2000,
		.boot_params = 0x3000,
		.page_offset = 0xc0000000,
	};
	return init;
}

static long try_init(struct lguest_init *init)
{
	int fd = open("/dev/lguest", O_RDWR);
	long ret;

	if (fd < 0)
		return -1;
	ret = write(fd, init, sizeof(*init));
	close(fd);
	return ret;
}

/* A guest of one page of code at 0x1000, mapped 1:1 by a 4 MB table. */
static int start_guest(const unsigned char *code, size_t len)
{
	struct lguest_init init = good_init();
	unsigned int *pgdir = (unsigned int *)(mem + 0x2000);
	unsigned int *pt = (unsigned int *)(mem + 0x4000), i;
	int fd = open("/dev/lguest", O_RDWR);

	memset(mem, 0, MEM_PAGES * PAGE);
	for (i = 0; i < MEM_PAGES; i++)
		pt[i] = i * PAGE | 0x7;
	pgdir[0] = 0x4000 | 0x7;
	memcpy(mem + 0x1000, code, len);
	if (fd < 0 || write(fd, &init, sizeof(init)) != sizeof(init)) {
		perror("initialising a test guest");
		failures++;
		return -1;
	}
	return fd;
}

static void expect_killed(const char *what, const unsigned char *code, size_t len,
			  const char *reason)
{
	struct lguest_exit ex;
	int fd = start_guest(code, len);
	long ret;

	if (fd < 0)
		return;
	ret = read(fd, &ex, sizeof(ex));
	ex.message[sizeof(ex.message) - 1] = 0;
	if (ret == sizeof(ex) && ex.reason == LGUEST_EXIT_KILLED && strstr(ex.message, reason)) {
		printf("ok %s: \"%s\"\n", what, ex.message);
	} else {
		printf("FAIL %s: read %ld, reason %u, \"%s\"\n", what, ret, ex.reason,
		       ret == sizeof(ex) ? ex.message : "");
		failures++;
	}
	close(fd);
}

/* The launcher's locked memory, in kB, from /proc/self/status. */
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

/*
 * Guest memory is pinned: it counts as the launcher's locked memory while
 * the guest exists, and a launcher without CAP_IPC_LOCK cannot pin more
 * than RLIMIT_MEMLOCK.
 */
static void check_memlock(void)
{
	struct lguest_init init = good_init();
	long before = vm_locked_kb(), during;
	int fd = open("/dev/lguest", O_RDWR), status;
	pid_t pid;

	if (fd < 0 || write(fd, &init, sizeof(init)) != sizeof(init)) {
		perror("initialising a guest");
		failures++;
		return;
	}
	during = vm_locked_kb();
	close(fd);
	printf("%s guest memory counts as locked: VmLck %ld kB, %ld kB with the guest, %ld kB after\n",
	       during - before == MEM_PAGES * PAGE / 1024 && vm_locked_kb() == before ?
	       "ok" : "FAIL", before, during, vm_locked_kb());
	failures += !(during - before == MEM_PAGES * PAGE / 1024 && vm_locked_kb() == before);

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2] = { };
		struct rlimit lim = { MEM_PAGES * PAGE / 2, MEM_PAGES * PAGE / 2 };

		failures = 0;
		if (syscall(SYS_capget, &h, d) || setrlimit(RLIMIT_MEMLOCK, &lim))
			_exit(2);
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
		if (syscall(SYS_capset, &h, d))
			_exit(2);
		errno = 0;
		expect("guest memory beyond RLIMIT_MEMLOCK without CAP_IPC_LOCK",
		       try_init(&init), ENOMEM);
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("FAIL the RLIMIT_MEMLOCK check (child status %#x)\n", status);
		failures++;
	}
}

/* Only the process that initialised a guest may run it or raise its irqs. */
static void check_owner(void)
{
	struct lguest_init init = good_init();
	struct lguest_irq irq = { .req = LHREQ_IRQ, .irq = 1 };
	int fd = open("/dev/lguest", O_RDWR), status;
	struct lguest_exit ex;
	pid_t pid;

	if (fd < 0 || write(fd, &init, sizeof(init)) != sizeof(init)) {
		perror("initialising a guest");
		failures++;
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		failures = 0;
		expect("another process's read()", read(fd, &ex, sizeof(ex)), EIO);
		expect("another process's LHREQ_IRQ", write(fd, &irq, sizeof(irq)), EIO);
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("FAIL another process drove the guest (child status %#x)\n", status);
		failures++;
	}
	close(fd);
}

static long eventfd_req(int fd, unsigned int addr, int efd, unsigned int reserved)
{
	struct lguest_eventfd req = {
		.req = LHREQ_EVENTFD, .addr = addr, .fd = efd, .reserved = reserved,
	};

	return write(fd, &req, sizeof(req));
}

/*
 * LHREQ_EVENTFD: checked like every request; a notification of a
 * registered address signals its eventfd and the guest runs on, one of
 * another address still returns from read().
 */
static void check_eventfd(void)
{
	const unsigned int dev = MEM_PAGES * PAGE;
	struct lguest_init init = good_init();
	/* notify dev + 0x10, then dev + 0x20; spin */
	unsigned char code[] = {
		0xb8, 14, 0, 0, 0, 0xbb, 0x10, dev >> 8 & 0xff, dev >> 16 & 0xff, 0, 0xcd, 0x1f,
		0xb8, 14, 0, 0, 0, 0xbb, 0x20, dev >> 8 & 0xff, dev >> 16 & 0xff, 0, 0xcd, 0x1f,
		0xeb, 0xfe,
	};
	unsigned int *pgdir = (unsigned int *)(mem + 0x2000);
	unsigned int *pt = (unsigned int *)(mem + 0x4000), i;
	int fd = open("/dev/lguest", O_RDWR), efd = eventfd(0, EFD_NONBLOCK), null;
	struct lguest_exit ex;
	unsigned long long count = 0;
	long ret;

	null = open("/dev/null", O_RDONLY);
	expect("EVENTFD before INITIALIZE", eventfd_req(fd, dev, efd, 0), ENOENT);
	memset(mem, 0, MEM_PAGES * PAGE);
	for (i = 0; i < MEM_PAGES; i++)
		pt[i] = i * PAGE | 0x7;
	pgdir[0] = 0x4000 | 0x7;
	memcpy(mem + 0x1000, code, sizeof(code));
	init.device_pages = 1;
	expect("INITIALIZE with a device page", write(fd, &init, sizeof(init)), 0);
	expect("EVENTFD of the wrong size",
	       write(fd, &(struct lguest_eventfd){ LHREQ_EVENTFD, dev, efd, 0 }, 12), EINVAL);
	expect("EVENTFD with a reserved field set", eventfd_req(fd, dev, efd, 1), EINVAL);
	expect("EVENTFD fd -2", eventfd_req(fd, dev, -2, 0), EINVAL);
	expect("EVENTFD of guest RAM", eventfd_req(fd, dev - 4, efd, 0), EINVAL);
	expect("EVENTFD past the device pages", eventfd_req(fd, dev + PAGE, efd, 0), EINVAL);
	expect("EVENTFD of a file that is no eventfd", eventfd_req(fd, dev, null, 0), EINVAL);
	expect("EVENTFD of a closed fd", eventfd_req(fd, dev, 1000, 0), EBADF);
	expect("EVENTFD -1 of an address without one", eventfd_req(fd, dev, -1, 0), 0);
	for (i = 0; i < LGUEST_MAX_EVENTFDS; i++)
		if (eventfd_req(fd, dev + 0x100 + i * 4, efd, 0) < 0)
			break;
	expect("as many EVENTFDs as LGUEST_MAX_EVENTFDS", i == LGUEST_MAX_EVENTFDS ? 0 : -1, 0);
	expect("one EVENTFD more", eventfd_req(fd, dev + 0x10, efd, 0), ENOSPC);
	expect("a new eventfd for a registered address", eventfd_req(fd, dev + 0x100, efd, 0), 0);
	for (i = 0; i < LGUEST_MAX_EVENTFDS; i++)
		eventfd_req(fd, dev + 0x100 + i * 4, -1, 0);
	expect("EVENTFD once the others are gone", eventfd_req(fd, dev + 0x10, efd, 0), 0);

	ret = read(fd, &ex, sizeof(ex));
	if (ret == sizeof(ex) && ex.reason == LGUEST_EXIT_NOTIFY && ex.arg == dev + 0x20 &&
	    read(efd, &count, sizeof(count)) == sizeof(count) && count == 1) {
		printf("ok a notify of an EVENTFD address signals it, the guest runs on\n");
	} else {
		printf("FAIL notify: read %ld, reason %u, arg %#llx; eventfd count %llu\n", ret,
		       ex.reason, (unsigned long long)ex.arg, count);
		failures++;
	}
	close(fd);
	close(efd);
	close(null);
}

int main(void)
{
	struct lguest_init init;
	struct lguest_irq irq = { .req = LHREQ_IRQ, .irq = LGUEST_IRQS };
	struct lguest_exit ex;
	unsigned int junk[4] = { 99, 0, 0, 0 };
	int fd;

	mem = mmap(NULL, (MEM_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	init = good_init();
	init.version = LGUEST_ABI_VERSION + 1;
	expect("other ABI version", try_init(&init), EPROTO);
	init = good_init();
	init.reserved[6] = 1;
	expect("non-zero reserved field", try_init(&init), EINVAL);
	init = good_init();
	init.flags = 1;
	expect("unknown flag", try_init(&init), EINVAL);
	init = good_init();
	init.mem_pages = 0;
	expect("no memory", try_init(&init), EINVAL);
	init = good_init();
	init.device_pages = LGUEST_MAX_DEVICE_PAGES + 1;
	expect("too many device pages", try_init(&init), EINVAL);
	init = good_init();
	init.pgdir = MEM_PAGES * PAGE;
	expect("page directory beyond memory", try_init(&init), EINVAL);
	init = good_init();
	init.pgdir = 0x2004;
	expect("unaligned page directory", try_init(&init), EINVAL);
	init = good_init();
	init.mem_base = 0xc0000000;
	expect("memory in the kernel's half", try_init(&init), EINVAL);
	init = good_init();
	init.mem_base += 12;
	expect("unaligned memory", try_init(&init), EINVAL);

	fd = open("/dev/lguest", O_RDWR);
	expect("read before INITIALIZE", read(fd, &ex, sizeof(ex)), ENOENT);
	expect("unknown request", write(fd, junk, sizeof(junk)), EINVAL);
	expect("short request", write(fd, junk, 2), EINVAL);
	expect("IRQ before INITIALIZE", write(fd, &(struct lguest_irq){ LHREQ_IRQ, 1 },
					      sizeof(irq)), ENOENT);
	init = good_init();
	expect("INITIALIZE", write(fd, &init, sizeof(init)), 0);
	expect("second INITIALIZE", write(fd, &init, sizeof(init)), EBUSY);
	expect("irq out of range", write(fd, &irq, sizeof(irq)), EINVAL);
	expect("short read buffer", read(fd, &ex, 4), EINVAL);
	close(fd);

	{
		/* mov $99,%eax; int $0x1f */
		static const unsigned char bad_hcall[] = { 0xb8, 99, 0, 0, 0, 0xcd, 0x1f };
		/* movl $0, 0xffc00000: the top 4 MB, above the slot (lg-attack slot: in it) */
		static const unsigned char slot[] = { 0xc7, 0x05, 0, 0, 0xc0, 0xff, 0, 0, 0, 0 };
		/* mov $0x10000000,%eax; mov (%eax),%eax: beyond guest memory */
		static const unsigned char wild[] = { 0xb8, 0, 0, 0, 0x10, 0x8b, 0 };
		/* ud2 with no IDT */
		static const unsigned char ud2[] = { 0x0f, 0x0b };

		expect_killed("unknown hypercall kills the guest", bad_hcall, sizeof(bad_hcall),
			      "unknown hypercall 99");
		expect_killed("touching the top of the address space kills the guest", slot,
			      sizeof(slot), "switcher");
		expect_killed("a trap with no guest handler kills the guest", ud2, sizeof(ud2),
			      "no guest handler");
		expect_killed("an unmapped address is the guest's own fault", wild, sizeof(wild),
			      "trap 14");
	}
	check_memlock();
	check_owner();
	check_eventfd();
	return failures ? 1 : 0;
}
