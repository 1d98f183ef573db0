/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the lguest launcher share: the guest, its devices
 * and their virtqueues.
 *
 *   lguest.c   options and the run loop
 *   boot.c     loading the kernel, the boot parameters, page tables
 *   virtio.c   the device pages (lguest_bus) and the virtqueue core
 *   console.c  the virtio console on our terminal
 *   rng.c      a virtio entropy source
 *   blk.c      virtio disks backed by files
 *   net.c      virtio network devices, on taps or shared links
 *   sharenet.c links between guests through a shared file
 */
#ifndef LGUEST_LAUNCHER_H
#define LGUEST_LAUNCHER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <linux/lguest.h>
#include <linux/virtio_ring.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define PAGE_SIZE		4096u
#define PAGE_OFFSET		0xc0000000u
#define MIN_MEM_MB		32
#define MAX_MEM_MB		2048
/*
 * What the launcher puts in guest memory (boot data, page tables, the
 * initrd) stays below this, in what any guest kernel can reach in its
 * linear mapping, above which a guest needs HIGHMEM.
 */
#define LOW_MEM_MB		768
#define DEVICE_PAGES		1

#define VQ_ENTRIES		256
#define MAX_DEVICES		8
#define MAX_VQS			4	/* per device */
#define MAX_IOV			64
#define MAX_CHAIN_LEN		0xffffffffull	/* virtio's limit, in bytes */
#define FIRST_DEVICE_IRQ	1

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
struct device;

/*
 * Serve one buffer chain of a queue (iov[0..out) for the device to read,
 * then in for it to write), without g->lock: the bytes it wrote.
 */
typedef u32 serve_fn(struct device *dev, struct iovec *iov, unsigned int out,
		     unsigned int in);

/* The guest accepted the device's features (g->lock held). */
typedef void start_fn(struct device *dev);

/*
 * One split virtqueue, as the guest laid it out in its memory, and who
 * serves it: a worker thread calling serve() for each chain, or a thread
 * of the device's own that waits for buffers to fill (wait_chain()).
 */
struct vq {
	struct device *dev;
	struct lguest_vqconfig *cfg;	/* in the device pages */
	u16 num;		/* entries (our copy of cfg->num) */
	u16 irq;		/* our copy of cfg->irq */
	struct vring_desc *desc;	/* checked to lie in guest RAM */
	struct vring_avail *avail;
	struct vring_used *used;
	u16 last_avail;		/* next avail entry we take */
	u16 used_idx;		/* next used entry we fill */
	bool ready;
	serve_fn *serve;	/* the worker's, if the queue has one */
	pthread_cond_t kick;	/* with g->lock: kicked, or reset */
	int efd;		/* the worker's eventfd: kicked */
	bool kicked;		/* not yet seen by the worker */
	bool busy;		/* the worker serves a chain, unlocked */
	unsigned int gen;	/* counts the device's resets */
};

struct device {
	struct lguest_device_desc *d;	/* the guest writes its status */
	struct guest *guest;
	const char *name;
	unsigned int num_vq;	/* our copy of d->num_vq */
	struct vq vqs[MAX_VQS];
	start_fn *start;	/* optional */
	u64 offered;		/* the features we offer */
	u64 features;		/* those the guest accepted, from DRIVER_OK */
	bool started;		/* from DRIVER_OK to the next reset */
	void *priv;		/* the device's own state */
};

struct guest {
	u8 *mem;		/* guest-physical 0 in our address space */
	u32 ram_pages;	/* guest RAM, in pages */
	u32 top;		/* allocations below it are taken (gpa) */
	u32 low_end;		/* the first top: the end of low memory */
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
	pthread_mutex_t lock;	/* virtqueue state shared with device threads */
	pthread_cond_t quiet;	/* with lock: a worker finished a chain */
};

extern const char *prog;

static inline size_t min_size(size_t a, size_t b)
{
	if (a < b)
		return a;
	return b;
}

void die_begin(void);

/*
 * Say what is wrong, on standard error, and exit with status 1.  The
 * first thread to die does; any other that dies meanwhile waits for it.
 */
#define die(...)						\
	do {							\
		die_begin();					\
		fprintf(stderr, "%s: error: ", prog);		\
		fprintf(stderr, __VA_ARGS__);			\
		fputc('\n', stderr);				\
		exit(1);					\
	} while (0)

/* Say what we do, with --verbose. */
#define verbose(g, ...)						\
	do {							\
		if ((g)->verbose)				\
			fprintf(stderr, __VA_ARGS__);		\
	} while (0)

/* lguest.c */
void *gpa_ptr(const struct guest *g, u64 gpa, u64 len, const char *what);

/* boot.c */
void setup_boot(struct guest *g, const char *cmdline, const char *initrd);
void load_kernel(struct guest *g, const char *path);

/* virtio.c */
void init_devices(struct guest *g);
struct device *add_device(struct guest *g, const char *name, u8 type,
			  unsigned int num_vq, u64 features, u8 config_len);
void serve_queue(struct device *dev, unsigned int q, serve_fn *serve);
void use_eventfds(struct guest *g);
void *device_config(struct device *dev);
int next_chain(struct guest *g, struct vq *vq, struct iovec *iov,
	       unsigned int *out, unsigned int *in);
int wait_chain(struct vq *vq, unsigned int gen, struct iovec *iov,
	       unsigned int *out, unsigned int *in);
void add_used(struct vq *vq, unsigned int head, u32 len);
void trigger_irq(struct guest *g, struct vq *vq);
void handle_notify(struct guest *g, u64 gpa);
bool iov_pull(struct iovec *iov, unsigned int *n, void *dst, size_t len);
void iov_push(const struct iovec *iov, unsigned int n, const void *src, size_t len);
u8 *iov_last_byte(struct iovec *iov, unsigned int *n);
u64 iov_length(const struct iovec *iov, unsigned int n);

/* console.c */
void setup_console(struct guest *g);
void restore_terminal(void);

/* rng.c */
void setup_rng(struct guest *g);

/* blk.c */
void setup_block(struct guest *g, const char *arg);

/* net.c: a frame, as the guest's driver sends and receives it */
#define NET_HDR_LEN		12	/* struct virtio_net_hdr_v1 */
#define NET_MAX_FRAME		(NET_HDR_LEN + 65550)	/* a 64 KB GSO packet */
void setup_net(struct guest *g, const char *arg);
void setup_sharenet(struct guest *g, const char *arg);

/* sharenet.c */
struct sharenet;
struct sharenet *sharenet_open(const char *path, u8 mac[6], bool mac_set);
unsigned int sharenet_port(const struct sharenet *s);
void sharenet_send(struct sharenet *s, const struct iovec *iov, unsigned int n);
size_t sharenet_recv(struct sharenet *s, u8 *buf, size_t size);

#endif /* LGUEST_LAUNCHER_H */
