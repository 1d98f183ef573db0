// SPDX-License-Identifier: GPL-2.0
/*
 * lguest: the launcher.
 *
 * It maps the guest's memory into its own address space (guest-physical
 * address 0 is g->mem), loads the kernel there, writes the boot
 * parameters and the initial page tables, hands the guest to /dev/lguest
 * and serves its devices: a virtio console on our terminal.
 *
 *   lguest [--initrd=FILE] [--verbose] <mem-MB> <vmlinux|bzImage> [args...]
 *
 * See Documentation/lguest/lguest.rst.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <sys/uio.h>
#include <asm/bootparam.h>
#include <linux/elf.h>
#include <linux/lguest.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define PAGE_SIZE		4096u
#define PAGE_OFFSET		0xc0000000u
#define MIN_MEM_MB		32
#define MAX_MEM_MB		768
#define DEVICE_PAGES		1
#define PTE_PRESENT_RW		0x3u
#define PTES_PER_TABLE		1024u
#define E820_RAM		1
#define E820_RESERVED		2

#define VQ_ENTRIES		256
#define MAX_DEVICES		8
#define MAX_IOV			64
#define MAX_CHAIN_LEN		0xffffffffull	/* virtio's limit, in bytes */
#define CONSOLE_IRQ		1

/*
 * The guest can rewrite its memory and the device pages at any moment,
 * from another CPU, while we look at them.  So every value we take from
 * there is read once, into a variable of ours, checked there and used
 * from there: never read twice, never used from guest memory after the
 * check.  What we wrote into the device pages ourselves (a device's
 * number of queues, their sizes and irqs) we keep in our own copy and
 * never read back; the same for the used ring's index, which only we
 * advance.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)

struct guest;

/* One split virtqueue, as the guest laid it out in its memory. */
struct vq {
	struct lguest_vqconfig *cfg;	/* in the device pages */
	u16 num;		/* entries (our copy of cfg->num) */
	u16 irq;		/* our copy of cfg->irq */
	struct vring_desc *desc;	/* checked to lie in guest RAM */
	struct vring_avail *avail;
	struct vring_used *used;
	u16 last_avail;		/* next avail entry we take */
	u16 used_idx;		/* next used entry we fill */
	bool ready;
};

struct device {
	struct lguest_device_desc *d;	/* the guest writes its status */
	unsigned int num_vq;	/* our copy of d->num_vq */
	struct vq vqs[2];
	void (*notify)(struct guest *g, struct device *dev, struct vq *vq);
};

struct guest {
	u8 *mem;		/* guest-physical 0 in our address space */
	u32 ram_pages;	/* guest RAM, in pages */
	u32 top;		/* allocations below it are taken (gpa) */
	u32 entry;		/* guest-physical entry point */
	u32 pgdir;		/* guest-physical page directory */
	u32 boot_params;	/* guest-physical boot_params page */
	u32 reserved_start; /* gpa where the reserved top area begins */
	bool verbose;
	int fd;			/* /dev/lguest */
	u8 *devmem;	/* the device pages */
	u32 devmem_used;
	struct device devices[MAX_DEVICES];
	unsigned int ndevices;
	pthread_mutex_t lock;	/* virtqueue state shared with the input thread */
	pthread_cond_t rx_kick;
};

static const char *prog = "lguest";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void verbose(const struct guest *g, const char *fmt, ...)
{
	va_list ap;

	if (!g->verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: %s [--initrd=FILE] [--verbose] <mem-MB> <vmlinux|bzImage> [kernel args...]\n"
		"  mem-MB  guest memory, %d to %d\n", prog, MIN_MEM_MB, MAX_MEM_MB);
}

/* A pointer to [gpa, gpa + len) of guest RAM, or death. */
static void *gpa_ptr(const struct guest *g, u64 gpa, u64 len, const char *what)
{
	if (gpa + len < gpa || gpa + len > (u64)g->ram_pages * PAGE_SIZE)
		die("%s does not fit in guest memory (0x%llx+0x%llx)", what,
		    (unsigned long long)gpa, (unsigned long long)len);
	return g->mem + gpa;
}

static u8 *read_file(const char *path, size_t *len)
{
	struct stat st;
	u8 *buf;
	ssize_t r;
	size_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		die("%s is not a regular file", path);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		die("out of memory reading %s", path);
	while (done < (size_t)st.st_size) {
		r = read(fd, buf + done, st.st_size - done);
		if (r <= 0)
			die("cannot read %s: %s", path, r ? strerror(errno) : "short file");
		done += r;
	}
	close(fd);
	*len = done;
	return buf;
}

/* Copy an ELF vmlinux's loadable segments to their physical addresses. */
static void load_elf(struct guest *g, const u8 *buf, size_t len, const char *name)
{
	const struct elf32_hdr *eh = (const void *)buf;
	bool entry_loaded = false;
	unsigned int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		die("%s is neither an ELF vmlinux nor a bzImage", name);
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_386)
		die("%s is not a 32-bit x86 kernel", name);
	if (eh->e_type != ET_EXEC || eh->e_phentsize != sizeof(struct elf32_phdr) ||
	    eh->e_phoff > len || eh->e_phnum > (len - eh->e_phoff) / sizeof(struct elf32_phdr))
		die("%s: malformed ELF header", name);

	for (i = 0; i < eh->e_phnum; i++) {
		const struct elf32_phdr *ph = (const void *)(buf + eh->e_phoff) + i * sizeof(*ph);
		u8 *dst;

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset ||
		    ph->p_filesz > ph->p_memsz)
			die("%s: segment %u lies outside the file", name, i);
		if ((u64)ph->p_paddr + ph->p_memsz > g->top)
			die("%s: segment %u (0x%x+0x%x) needs more guest memory", name, i,
			    ph->p_paddr, ph->p_memsz);
		dst = gpa_ptr(g, ph->p_paddr, ph->p_memsz, "a kernel segment");
		memcpy(dst, buf + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		if (eh->e_entry >= ph->p_paddr && eh->e_entry < ph->p_paddr + ph->p_filesz)
			entry_loaded = true;
		verbose(g, "segment %u: 0x%08x-0x%08x\n", i, ph->p_paddr,
			ph->p_paddr + ph->p_memsz);
	}
	if (!entry_loaded)
		die("%s: the entry point 0x%x is in no loaded segment (not a vmlinux?)",
		    name, eh->e_entry);
	g->entry = eh->e_entry;
}

/* The decompressor for a bzImage payload, by its magic number. */
static const char *decompressor(const u8 *p, size_t len)
{
	static const struct {
		const char *cmd;
		unsigned int n;
		u8 magic[6];
	} kinds[] = {
		{ "gzip", 2, { 0x1f, 0x8b } },
		{ "xz", 6, { 0xfd, '7', 'z', 'X', 'Z', 0 } },
		{ "bzip2", 3, { 'B', 'Z', 'h' } },
		{ "lzma", 3, { 0x5d, 0, 0 } },
		{ "zstd", 4, { 0x28, 0xb5, 0x2f, 0xfd } },
		{ "lz4", 4, { 0x02, 0x21, 0x4c, 0x18 } },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (len >= kinds[i].n && !memcmp(p, kinds[i].magic, kinds[i].n))
			return kinds[i].cmd;
	return NULL;
}

/*
 * The vmlinux inside a bzImage: the payload after the setup sectors is the
 * compressed ELF.  Decompress it with the matching tool from $PATH.
 */
static u8 *unpack_bzimage(const u8 *buf, size_t len, const char *name, size_t *out_len)
{
	const struct setup_header *hdr = (const void *)(buf + 0x1f1);
	u32 setup_sects, off, plen;
	const char *cmd;
	char tmpl[] = "/tmp/lguest-payload.XXXXXX";
	u8 *out = NULL;
	size_t cap = 0, n = 0;
	int in, pipefd[2], status;
	ssize_t r;
	pid_t pid;

	if (len < 0x1f1 + sizeof(*hdr))
		die("%s: truncated bzImage", name);
	if (hdr->version < 0x208)
		die("%s: boot protocol %u.%02u has no payload fields", name,
		    hdr->version >> 8, hdr->version & 0xff);
	setup_sects = hdr->setup_sects ? hdr->setup_sects : 4;
	off = (setup_sects + 1) * 512 + hdr->payload_offset;
	plen = hdr->payload_length;
	if (off > len || plen > len - off)
		die("%s: payload lies outside the file", name);
	cmd = decompressor(buf + off, plen);
	if (!cmd)
		die("%s: unknown payload compression", name);
	/* Every format but gzip carries the unpacked size in 4 more bytes. */
	if (strcmp(cmd, "gzip")) {
		if (plen < 4)
			die("%s: truncated payload", name);
		plen -= 4;
	}

	in = mkstemp(tmpl);
	if (in < 0)
		die("cannot create a temporary file: %s", strerror(errno));
	unlink(tmpl);
	if (write(in, buf + off, plen) != (ssize_t)plen || lseek(in, 0, SEEK_SET))
		die("cannot write a temporary file: %s", strerror(errno));
	if (pipe(pipefd))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(in, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execlp(cmd, cmd, "-dc", (char *)NULL);
		fprintf(stderr, "%s: error: cannot run %s to unpack %s: %s\n", prog, cmd,
			name, strerror(errno));
		_exit(127);
	}
	close(in);
	close(pipefd[1]);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16 << 20;
			out = realloc(out, cap);
			if (!out)
				die("out of memory unpacking %s", name);
		}
		r = read(pipefd[0], out + n, cap - n);
		if (r < 0)
			die("reading %s's output: %s", cmd, strerror(errno));
		if (r == 0)
			break;
		n += r;
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s: %s could not unpack the payload", name, cmd);
	*out_len = n;
	return out;
}

static void load_kernel(struct guest *g, const char *path)
{
	size_t len, elf_len;
	u8 *buf = read_file(path, &len);
	u8 *elf;

	if (len >= 0x206 && !memcmp(buf + 0x202, "HdrS", 4)) {
		elf = unpack_bzimage(buf, len, path, &elf_len);
		load_elf(g, elf, elf_len, path);
		free(elf);
	} else {
		load_elf(g, buf, len, path);
	}
	free(buf);
}

/* Take 'len' bytes, page aligned, from the top of the free guest memory. */
static u32 take_top(struct guest *g, u32 len, const char *what)
{
	u32 size = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (size > g->top)
		die("not enough guest memory for %s", what);
	g->top -= size;
	memset(g->mem + g->top, 0, size);
	return g->top;
}

/*
 * Initial page tables: all of guest memory (RAM and device pages) mapped
 * with 4 KB pages at 0 and again at PAGE_OFFSET, both through the same
 * page tables.  The guest replaces them early in its boot.
 */
static void build_pagetables(struct guest *g)
{
	u32 pages = g->ram_pages + DEVICE_PAGES;
	u32 ntables = (pages + PTES_PER_TABLE - 1) / PTES_PER_TABLE;
	u32 tables = take_top(g, ntables * PAGE_SIZE, "the initial page tables");
	u32 *pgdir, *pte, i;

	g->pgdir = take_top(g, PAGE_SIZE, "the initial page directory");
	pgdir = (u32 *)(g->mem + g->pgdir);
	pte = (u32 *)(g->mem + tables);
	for (i = 0; i < pages; i++)
		pte[i] = i * PAGE_SIZE | PTE_PRESENT_RW;
	for (i = 0; i < ntables; i++) {
		pgdir[i] = (tables + i * PAGE_SIZE) | PTE_PRESENT_RW;
		pgdir[(PAGE_OFFSET >> 22) + i] = pgdir[i];
	}
}

static void setup_boot(struct guest *g, const char *cmdline, const char *initrd)
{
	struct boot_params *bp;
	u32 cmd_gpa, initrd_gpa = 0, initrd_len = 0;
	size_t cmd_len = strlen(cmdline) + 1;

	g->boot_params = take_top(g, sizeof(*bp), "the boot parameters");
	cmd_gpa = take_top(g, cmd_len, "the command line");
	build_pagetables(g);
	g->reserved_start = g->top;

	/*
	 * The initrd goes in RAM, just below, as a boot loader puts it: the
	 * kernel reserves it there and frees it after unpacking.  (One
	 * outside RAM would be copied into a boot allocation first.)
	 */
	if (initrd) {
		size_t len;
		u8 *buf = read_file(initrd, &len);

		if (len > g->top / 2)
			die("%s is too big for %u MB of guest memory", initrd,
			    g->ram_pages / 256);
		initrd_len = len;
		initrd_gpa = take_top(g, len, "the initrd");
		memcpy(g->mem + initrd_gpa, buf, len);
		free(buf);
	}

	bp = (struct boot_params *)(g->mem + g->boot_params);
	memcpy(g->mem + cmd_gpa, cmdline, cmd_len);
	bp->hdr.version = 0x020f;
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.hardware_subarch = X86_SUBARCH_LGUEST;
	bp->hdr.cmd_line_ptr = cmd_gpa;
	bp->hdr.cmdline_size = cmd_len;
	bp->hdr.ramdisk_image = initrd_gpa;
	bp->hdr.ramdisk_size = initrd_len;
	bp->e820_entries = 2;
	bp->e820_table[0].addr = 0;
	bp->e820_table[0].size = g->reserved_start;
	bp->e820_table[0].type = E820_RAM;
	bp->e820_table[1].addr = g->reserved_start;
	bp->e820_table[1].size = (u64)g->ram_pages * PAGE_SIZE - g->reserved_start;
	bp->e820_table[1].type = E820_RESERVED;
}

/* The terminal, raw while the guest owns it; restored however we exit. */
static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void raw_terminal(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios))
		return;
	termios_saved = true;
	atexit(restore_terminal);
	signal(SIGTERM, fatal_signal);
	signal(SIGHUP, fatal_signal);
	t = saved_termios;
	cfmakeraw(&t);
	t.c_oflag = saved_termios.c_oflag;	/* the boot console sends bare \n */
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void *dev_ptr(struct guest *g, u32 gpa, u32 len, const char *what)
{
	if (!gpa)
		die("the guest gave no address for %s", what);
	return gpa_ptr(g, gpa, len, what);
}

/* Add a device to the device pages: its descriptor, queues and features. */
static struct device *add_device(struct guest *g, u8 type, unsigned int num_vq,
				 u64 features, u8 config_len,
				 void (*notify)(struct guest *, struct device *, struct vq *))
{
	u32 size = sizeof(struct lguest_device_desc) +
			num_vq * sizeof(struct lguest_vqconfig) + 2 * 8 + config_len;
	struct device *dev = &g->devices[g->ndevices];
	struct lguest_vqconfig *cfg;
	unsigned int i;

	size = (size + LGUEST_DESC_ALIGN - 1) & ~(LGUEST_DESC_ALIGN - 1);
	if (g->ndevices == MAX_DEVICES || num_vq > 2 ||
	    g->devmem_used + size + sizeof(struct lguest_device_desc) > DEVICE_PAGES * PAGE_SIZE)
		die("too many devices");
	dev->d = (struct lguest_device_desc *)(g->devmem + g->devmem_used);
	dev->d->type = type;
	dev->d->num_vq = num_vq;
	dev->d->feature_len = 8;
	dev->d->config_len = config_len;
	dev->num_vq = num_vq;
	cfg = (struct lguest_vqconfig *)(dev->d + 1);
	for (i = 0; i < num_vq; i++) {
		struct vq *vq = &dev->vqs[i];

		vq->cfg = &cfg[i];
		vq->num = VQ_ENTRIES;
		vq->irq = CONSOLE_IRQ + g->ndevices;
		cfg[i].num = vq->num;
		cfg[i].irq = vq->irq;
	}
	memcpy(cfg + num_vq, &features, 8);
	dev->notify = notify;
	g->devmem_used += size;
	g->ndevices++;
	return dev;
}

/*
 * A device uses no buffer before its driver says it is ready (virtio:
 * "DRIVER_OK"); queue notifications that came before are served then.
 */
static bool driver_ok(u8 status)
{
	return status & VIRTIO_CONFIG_S_DRIVER_OK;
}

/*
 * Start using a queue once the guest has told us where it is: its three
 * parts, of our size, aligned as virtio requires and inside guest RAM.
 */
static bool vq_ready(struct guest *g, struct vq *vq)
{
	u32 desc, avail, used;

	if (vq->ready)
		return true;
	desc = READ_ONCE(vq->cfg->desc);
	avail = READ_ONCE(vq->cfg->avail);
	used = READ_ONCE(vq->cfg->used);
	if (!desc)
		return false;
	if (desc % 16 || avail % 2 || used % 4)
		die("the guest misaligned a ring (desc 0x%x, avail 0x%x, used 0x%x)",
		    desc, avail, used);
	vq->desc = dev_ptr(g, desc, vq->num * sizeof(struct vring_desc), "a ring");
	vq->avail = dev_ptr(g, avail, 6 + 2 * vq->num, "a ring");
	vq->used = dev_ptr(g, used, 6 + 8 * vq->num, "a ring");
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->ready = true;
	return true;
}

/*
 * The next buffer chain the guest made available, as iovecs (the device
 * readable ones first, *out of them): its head, or -1 if there is none.
 */
static int next_chain(struct guest *g, struct vq *vq, struct iovec *iov,
		      unsigned int *out, unsigned int *in)
{
	u16 num = vq->num, idx, head, i;
	unsigned int n = 0;
	u64 total = 0;

	if (!vq->ready)
		return -1;
	idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (idx == vq->last_avail)
		return -1;
	if ((u16)(idx - vq->last_avail) > num)
		die("the guest made %u buffers available in a ring of %u",
		    (u16)(idx - vq->last_avail), num);
	head = READ_ONCE(vq->avail->ring[vq->last_avail++ % num]);
	if (head >= num)
		die("the guest made buffer %u available in a ring of %u", head, num);
	*out = *in = 0;
	i = head;
	for (;;) {
		struct vring_desc *d = &vq->desc[i];
		u64 addr = READ_ONCE(d->addr);
		u32 len = READ_ONCE(d->len);
		u16 flags = READ_ONCE(d->flags);

		if (n == MAX_IOV || n == num)
			die("the guest made a buffer chain that is too long or loops");
		total += len;
		if (total > MAX_CHAIN_LEN)
			die("the guest made a buffer chain of more than 4 GB");
		iov[n].iov_base = gpa_ptr(g, addr, len, "a buffer");
		iov[n++].iov_len = len;
		if (flags & VRING_DESC_F_WRITE)
			(*in)++;
		else if (*in)
			die("the guest put a readable buffer after a writable one");
		else
			(*out)++;
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		i = READ_ONCE(d->next);
		if (i >= num)
			die("the guest chained to buffer %u in a ring of %u", i, num);
	}
	return head;
}

static void add_used(struct vq *vq, unsigned int head, u32 len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];

	e->id = head;
	e->len = len;
	__atomic_store_n(&vq->used->idx, ++vq->used_idx, __ATOMIC_RELEASE);
}

static void trigger_irq(struct guest *g, struct vq *vq)
{
	struct lguest_irq irq = { .req = LHREQ_IRQ, .irq = vq->irq };

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (READ_ONCE(vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	if (write(g->fd, &irq, sizeof(irq)) != sizeof(irq))
		die("cannot raise irq %u: %s", irq.irq, strerror(errno));
}

/* Console output: everything the guest queued goes to our stdout. */
static void console_notify(struct guest *g, struct device *dev, struct vq *vq)
{
	struct iovec iov[MAX_IOV];
	unsigned int out, in, done = 0;
	int head;

	if (vq == &dev->vqs[0]) {		/* new input buffers */
		pthread_cond_signal(&g->rx_kick);
		return;
	}
	while ((head = next_chain(g, vq, iov, &out, &in)) >= 0) {
		if (out && writev(STDOUT_FILENO, iov, out) < 0 && errno != EAGAIN)
			die("console output: %s", strerror(errno));
		add_used(vq, head, 0);
		done++;
	}
	if (done)
		trigger_irq(g, vq);
}

/* Console input: our stdin into the guest's receive buffers. */
static void *console_input(void *arg)
{
	struct guest *g = arg;
	struct vq *vq = &g->devices[0].vqs[0];
	struct iovec iov[MAX_IOV];
	char buf[256];
	unsigned int out, in, i;
	ssize_t len, done;
	int head;

	for (;;) {
		len = read(STDIN_FILENO, buf, sizeof(buf));
		if (len <= 0) {
			if (len < 0 && errno == EINTR)
				continue;
			return NULL;		/* no more input */
		}
		pthread_mutex_lock(&g->lock);
		for (done = 0; done < len;) {
			ssize_t used = 0;

			while (!driver_ok(READ_ONCE(g->devices[0].d->status)) ||
			       (head = next_chain(g, vq, iov, &out, &in)) < 0)
				pthread_cond_wait(&g->rx_kick, &g->lock);
			for (i = out; i < out + in && done < len; i++) {
				size_t n = (size_t)(len - done);

				if (iov[i].iov_len < n)
					n = iov[i].iov_len;

				memcpy(iov[i].iov_base, buf + done, n);
				done += n;
				used += n;
			}
			add_used(vq, head, used);
			trigger_irq(g, vq);
		}
		pthread_mutex_unlock(&g->lock);
	}
}

/* The guest changed a device's status or kicked one of its queues. */
static void handle_notify(struct guest *g, u64 gpa)
{
	u32 base = g->ram_pages * PAGE_SIZE;
	unsigned int i, q;

	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->ndevices; i++) {
		struct device *dev = &g->devices[i];
		u8 status = READ_ONCE(dev->d->status);

		if (gpa == base + ((u8 *)dev->d - g->devmem)) {
			/*
			 * A reset forgets the queues; DRIVER_OK serves what
			 * the guest queued before it.
			 */
			if (!status)
				for (q = 0; q < dev->num_vq; q++)
					dev->vqs[q].ready = false;
			else if (driver_ok(status))
				for (q = 0; q < dev->num_vq; q++)
					if (vq_ready(g, &dev->vqs[q]))
						dev->notify(g, dev, &dev->vqs[q]);
			goto out;
		}
		for (q = 0; q < dev->num_vq; q++) {
			struct vq *vq = &dev->vqs[q];

			if (gpa != base + ((u8 *)vq->cfg - g->devmem))
				continue;
			if (vq_ready(g, vq) && driver_ok(status))
				dev->notify(g, dev, vq);
			goto out;
		}
	}
	die("the guest notified 0x%llx, which is no device", (unsigned long long)gpa);
out:
	pthread_mutex_unlock(&g->lock);
}

static void setup_devices(struct guest *g)
{
	pthread_t tid;

	g->devmem = g->mem + (size_t)g->ram_pages * PAGE_SIZE;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->rx_kick, NULL);
	add_device(g, VIRTIO_ID_CONSOLE, 2, 1ULL << VIRTIO_F_VERSION_1, 0, console_notify);
	/* In the background, reading the terminal would stop us all (SIGTTIN). */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp()) {
		fprintf(stderr, "%s: not in the terminal's foreground: no console input\n", prog);
		return;
	}
	raw_terminal();
	if (pthread_create(&tid, NULL, console_input, g))
		die("cannot start the console input thread");
	pthread_detach(tid);
}

/*
 * Hand the guest to /dev/lguest and serve it until it stops: 0 when it
 * powers off, 2 when it asks for a restart, 1 with its reason otherwise.
 */
static int run_guest(struct guest *g)
{
	struct lguest_init init = {
		.req = LHREQ_INITIALIZE,
		.version = LGUEST_ABI_VERSION,
		.mem_base = (uintptr_t)g->mem,
		.mem_pages = g->ram_pages,
		.device_pages = DEVICE_PAGES,
		.start = g->entry,
		.pgdir = g->pgdir,
		.boot_params = g->boot_params,
		.page_offset = PAGE_OFFSET,
	};
	struct lguest_exit ex;
	int fd = open("/dev/lguest", O_RDWR);

	if (fd < 0)
		die("cannot open /dev/lguest: %s (is the lg module loaded?)", strerror(errno));
	if (write(fd, &init, sizeof(init)) != sizeof(init))
		die("/dev/lguest refused the guest: %s", strerror(errno));
	g->fd = fd;
	setup_devices(g);
	for (;;) {
		if (read(fd, &ex, sizeof(ex)) != sizeof(ex)) {
			if (errno == EINTR)
				continue;
			die("running the guest: %s", strerror(errno));
		}
		switch (ex.reason) {
		case LGUEST_EXIT_CONSOLE:
			fwrite(gpa_ptr(g, ex.arg >> 32, (u32)ex.arg, "console output"), 1,
			       (u32)ex.arg, stdout);
			fflush(stdout);
			break;
		case LGUEST_EXIT_NOTIFY:
			handle_notify(g, ex.arg);
			break;
		case LGUEST_EXIT_POWEROFF:
			return 0;
		case LGUEST_EXIT_RESTART:
			fprintf(stderr, "%s: the guest asked for a restart\n", prog);
			return 2;
		default:
			ex.message[sizeof(ex.message) - 1] = 0;
			fprintf(stderr, "%s: guest stopped: %s\n", prog, ex.message);
			return 1;
		}
	}
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		die("out of memory");
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "initrd", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct guest g = { };
	const char *initrd = NULL;
	char *end;
	long mb;
	int c;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			initrd = optarg;
			break;
		case 'v':
			g.verbose = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 1;
		}
	}
	if (argc - optind < 2) {
		print_usage(stderr);
		return 1;
	}
	mb = strtol(argv[optind], &end, 10);
	if (*end || end == argv[optind])
		die("'%s' is not a memory size in MB", argv[optind]);
	if (mb < MIN_MEM_MB || mb > MAX_MEM_MB)
		die("%ld MB of guest memory: need %d to %d", mb, MIN_MEM_MB, MAX_MEM_MB);

	g.ram_pages = mb * (1024 * 1024 / PAGE_SIZE);
	g.top = g.ram_pages * PAGE_SIZE;
	g.mem = mmap(NULL, (size_t)(g.ram_pages + DEVICE_PAGES) * PAGE_SIZE,
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (g.mem == MAP_FAILED)
		die("cannot map %ld MB of guest memory: %s", mb, strerror(errno));

	setup_boot(&g, join_args(argc - optind - 2, argv + optind + 2), initrd);
	load_kernel(&g, argv[optind + 1]);
	verbose(&g, "entry 0x%x, page directory 0x%x, boot_params 0x%x, RAM below 0x%x\n",
		g.entry, g.pgdir, g.boot_params, g.reserved_start);

	return run_guest(&g);
}
