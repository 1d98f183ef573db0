// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: the device pages and the virtqueue core.
 *
 * The device pages, just above guest RAM, hold one descriptor per device
 * (struct lguest_device_desc): its virtio type, its queues' sizes, irqs
 * and (written by the guest) addresses, the features we offer and the
 * guest accepts, its configuration space and status.  The guest's
 * lguest_bus driver makes a virtio device of each and notifies us with
 * the guest-physical address of the descriptor (a status change) or of
 * a queue's configuration (a kick).  Every device's queues are served by
 * the same code here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <linux/virtio_config.h>
#include "launcher.h"

static void *dev_ptr(struct guest *g, u32 gpa, u32 len, const char *what)
{
	if (!gpa)
		die("the guest gave no address for %s", what);
	return gpa_ptr(g, gpa, len, what);
}

void init_devices(struct guest *g)
{
	g->devmem = g->mem + (size_t)g->ram_pages * PAGE_SIZE;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->quiet, NULL);
}

/*
 * Add a device to the device pages: its descriptor, queues, the features
 * we offer (the guest writes those it accepts in the 8 bytes after them)
 * and config_len bytes of configuration space, which follow.
 */
struct device *add_device(struct guest *g, const char *name, u8 type,
			  unsigned int num_vq, u64 features, u8 config_len)
{
	u32 size = sizeof(struct lguest_device_desc) +
			num_vq * sizeof(struct lguest_vqconfig) + 2 * 8 + config_len;
	struct device *dev = &g->devices[g->ndevices];
	struct lguest_vqconfig *cfg;
	unsigned int i;

	size = (size + LGUEST_DESC_ALIGN - 1) & ~(LGUEST_DESC_ALIGN - 1);
	if (g->ndevices == MAX_DEVICES || num_vq > MAX_VQS ||
	    g->devmem_used + size + sizeof(struct lguest_device_desc) > DEVICE_PAGES * PAGE_SIZE)
		die("too many devices (the %s is one too many)", name);
	dev->d = (struct lguest_device_desc *)(g->devmem + g->devmem_used);
	dev->d->type = type;
	dev->d->num_vq = num_vq;
	dev->d->feature_len = 8;
	dev->d->config_len = config_len;
	dev->guest = g;
	dev->name = name;
	dev->num_vq = num_vq;
	cfg = (struct lguest_vqconfig *)(dev->d + 1);
	for (i = 0; i < num_vq; i++) {
		struct vq *vq = &dev->vqs[i];

		vq->dev = dev;
		vq->cfg = &cfg[i];
		pthread_cond_init(&vq->kick, NULL);
		vq->efd = -1;
		vq->num = VQ_ENTRIES;
		vq->irq = FIRST_DEVICE_IRQ + g->ndevices;
		cfg[i].num = vq->num;
		cfg[i].irq = vq->irq;
	}
	memcpy(cfg + num_vq, &features, 8);
	dev->offered = features;
	g->devmem_used += size;
	g->ndevices++;
	verbose(g, "device %u: %s, virtio type %u, irq %u\n", g->ndevices - 1, name, type,
		FIRST_DEVICE_IRQ + g->ndevices - 1);
	return dev;
}

/* The device's configuration space, after its accepted features. */
void *device_config(struct device *dev)
{
	return (u8 *)((struct lguest_vqconfig *)(dev->d + 1) + dev->num_vq) + 2 * 8;
}

/*
 * A device uses no buffer before its driver says it is ready (virtio:
 * "DRIVER_OK"); then the features the guest accepted become the
 * device's, read once: those of ours it set.  They hold until the next
 * reset.
 */
static void start_device(struct device *dev)
{
	u64 accepted;

	if (dev->started)
		return;
	memcpy(&accepted, (u8 *)device_config(dev) - 8, 8);
	dev->features = accepted & dev->offered;
	if (dev->start)
		dev->start(dev);
	dev->started = true;
}

/*
 * A reset forgets the queues, and waits for the buffers the device's
 * workers are busy with: when the guest runs again, the device writes
 * nothing more into its memory for them (the workers see the new
 * generation and drop them), nor for what threads waiting for buffers
 * took before.
 */
static void reset_device(struct guest *g, struct device *dev)
{
	unsigned int q;

	dev->started = false;
	for (q = 0; q < dev->num_vq; q++) {
		struct vq *vq = &dev->vqs[q];

		vq->ready = false;
		vq->gen++;
		pthread_cond_broadcast(&vq->kick);
	}
	for (q = 0; q < dev->num_vq; q++)
		while (dev->vqs[q].busy)
			pthread_cond_wait(&g->quiet, &g->lock);
	dev->features = 0;
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
int next_chain(struct guest *g, struct vq *vq, struct iovec *iov,
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
		if (flags & VRING_DESC_F_INDIRECT)
			die("the guest made an indirect buffer, which we did not offer");
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

void add_used(struct vq *vq, unsigned int head, u32 len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];

	e->id = head;
	e->len = len;
	__atomic_store_n(&vq->used->idx, ++vq->used_idx, __ATOMIC_RELEASE);
}

void trigger_irq(struct guest *g, struct vq *vq)
{
	struct lguest_irq irq = { .req = LHREQ_IRQ, .irq = vq->irq };

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (READ_ONCE(vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	if (write(g->fd, &irq, sizeof(irq)) != sizeof(irq))
		die("cannot raise irq %u: %s", irq.irq, strerror(errno));
}

static void kick_queue(struct vq *vq)
{
	u64 one = 1;

	vq->kicked = true;
	pthread_cond_broadcast(&vq->kick);
	if (vq->efd >= 0 && write(vq->efd, &one, sizeof(one)) != sizeof(one))
		die("cannot kick the %s: %s", vq->dev->name, strerror(errno));
}

/*
 * The guest changed a device's status or kicked one of its queues.  A
 * kick only wakes whoever serves the queue; DRIVER_OK kicks every queue,
 * for the buffers the guest queued before it.  A device the guest's
 * driver gave up on (FAILED) stops the guest: the user asked for it.
 */
void handle_notify(struct guest *g, u64 gpa)
{
	u32 base = g->ram_pages * PAGE_SIZE;
	unsigned int i, q;

	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->ndevices; i++) {
		struct device *dev = &g->devices[i];

		if (gpa == base + ((u8 *)dev->d - g->devmem)) {
			u8 status = READ_ONCE(dev->d->status);

			if (status & VIRTIO_CONFIG_S_FAILED) {
				die("the guest's driver failed the %s (status 0x%x)", dev->name,
				    status);
			} else if (!status) {
				reset_device(g, dev);
			} else if (status & VIRTIO_CONFIG_S_DRIVER_OK) {
				start_device(dev);
				for (q = 0; q < dev->num_vq; q++)
					if (vq_ready(g, &dev->vqs[q]))
						kick_queue(&dev->vqs[q]);
			}
			goto out;
		}
		for (q = 0; q < dev->num_vq; q++) {
			struct vq *vq = &dev->vqs[q];

			if (gpa != base + ((u8 *)vq->cfg - g->devmem))
				continue;
			if (dev->started && vq_ready(g, vq))
				kick_queue(vq);
			goto out;
		}
	}
	die("the guest notified 0x%llx, which is no device", (unsigned long long)gpa);
out:
	pthread_mutex_unlock(&g->lock);
}

/*
 * Whether the guest should kick the queue when it makes buffers
 * available (virtio's VRING_USED_F_NO_NOTIFY): not while its worker is
 * at work on them anyway.
 */
static void want_kicks(struct vq *vq, bool on)
{
	__atomic_store_n(&vq->used->flags, on ? 0 : VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static bool more_avail(struct vq *vq)
{
	return READ_ONCE(vq->avail->idx) != vq->last_avail;
}

/*
 * A queue's worker: woken by a kick (its eventfd, signalled by the host
 * or by kick_queue()), it serves each chain the guest makes available,
 * doing the chain's I/O without g->lock, and interrupts the guest when
 * there are no more.  The guest need not kick while it does.  A chain
 * taken before a reset is dropped, and the old queue left alone.
 */
static void *queue_worker(void *arg)
{
	struct vq *vq = arg;
	struct device *dev = vq->dev;
	struct guest *g = dev->guest;
	struct iovec iov[MAX_IOV];
	unsigned int out, in, gen;
	u64 count;
	int head;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		bool done = false;

		if (!vq->kicked) {
			pthread_mutex_unlock(&g->lock);
			while (read(vq->efd, &count, sizeof(count)) < 0)
				if (errno != EINTR)
					die("waiting for the %s: %s", dev->name, strerror(errno));
			pthread_mutex_lock(&g->lock);
		}
		vq->kicked = false;
		gen = vq->gen;
		/* (A kick by eventfd never passed handle_notify(): take the ring here.) */
		while (dev->started && vq_ready(g, vq) && gen == vq->gen) {
			want_kicks(vq, false);
			while (gen == vq->gen && (head = next_chain(g, vq, iov, &out, &in)) >= 0) {
				u32 len;

				vq->busy = true;
				pthread_mutex_unlock(&g->lock);
				len = vq->serve(dev, iov, out, in);
				pthread_mutex_lock(&g->lock);
				vq->busy = false;
				if (gen != vq->gen)
					break;
				add_used(vq, head, len);
				done = true;
			}
			if (gen != vq->gen)
				break;
			want_kicks(vq, true);
			if (!more_avail(vq))
				break;
		}
		if (done && gen == vq->gen)
			trigger_irq(g, vq);
		pthread_cond_broadcast(&g->quiet);
	}
	return NULL;
}

/* Serve the device's queue q by a worker of its own, with serve(). */
void serve_queue(struct device *dev, unsigned int q, serve_fn *serve)
{
	pthread_t tid;

	dev->vqs[q].serve = serve;
	dev->vqs[q].efd = eventfd(0, EFD_CLOEXEC);
	if (dev->vqs[q].efd < 0)
		die("eventfd: %s", strerror(errno));
	if (pthread_create(&tid, NULL, queue_worker, &dev->vqs[q]))
		die("cannot start a thread for the %s", dev->name);
	pthread_detach(tid);
}

/*
 * Once the guest is initialized: have the host send the guest's kicks
 * of each queue with a worker straight to the worker's eventfd, rather
 * than return them from read() for the run loop to pass on.  Status
 * changes still come through the run loop.  A host without
 * LHREQ_EVENTFD (EINVAL) leaves everything to the run loop.
 */
void use_eventfds(struct guest *g)
{
	u32 base = g->ram_pages * PAGE_SIZE;
	unsigned int i, q;
	bool first = true;

	for (i = 0; i < g->ndevices; i++) {
		struct device *dev = &g->devices[i];

		for (q = 0; q < dev->num_vq; q++) {
			struct vq *vq = &dev->vqs[q];
			struct lguest_eventfd req = {
				.req = LHREQ_EVENTFD,
				.addr = base + ((u8 *)vq->cfg - g->devmem),
				.fd = vq->efd,
			};

			if (vq->efd < 0)
				continue;
			if (write(g->fd, &req, sizeof(req)) == sizeof(req)) {
				first = false;
				continue;
			}
			if (errno != EINVAL || !first)
				die("cannot give the host the %s's eventfd: %s", dev->name,
				    strerror(errno));
			verbose(g, "no eventfds: the host passes every kick through read()\n");
			return;
		}
	}
}

/*
 * For a device's thread that fills the guest's buffers as input arrives
 * (g->lock held): the next chain of vq, as next_chain(), once the guest
 * makes one available; -1 once the device is reset (after generation
 * gen of vq), when chains taken before are no longer the guest's.
 */
int wait_chain(struct vq *vq, unsigned int gen, struct iovec *iov,
	       unsigned int *out, unsigned int *in)
{
	struct device *dev = vq->dev;
	int head;

	for (;;) {
		if (vq->gen != gen)
			return -1;
		if (dev->started) {
			head = next_chain(dev->guest, vq, iov, out, in);
			if (head >= 0)
				return head;
		}
		pthread_cond_wait(&vq->kick, &dev->guest->lock);
	}
}

/*
 * Take len bytes from the front of the buffers iov[0..*n), which then
 * describe what follows them; false if they hold fewer.
 */
bool iov_pull(struct iovec *iov, unsigned int *n, void *dst, size_t len)
{
	unsigned int i = 0;

	while (len) {
		size_t k;

		while (i < *n && !iov[i].iov_len)
			i++;
		if (i == *n)
			return false;
		k = min_size(iov[i].iov_len, len);
		memcpy(dst, iov[i].iov_base, k);
		dst = (u8 *)dst + k;
		iov[i].iov_base = (u8 *)iov[i].iov_base + k;
		iov[i].iov_len -= k;
		len -= k;
	}
	return true;
}

/* Take the last byte of the buffers iov[0..*n): its address, or NULL. */
u8 *iov_last_byte(struct iovec *iov, unsigned int *n)
{
	while (*n && !iov[*n - 1].iov_len)
		(*n)--;
	if (!*n)
		return NULL;
	return (u8 *)iov[*n - 1].iov_base + --iov[*n - 1].iov_len;
}

/* The bytes the buffers iov[0..n) hold. */
u64 iov_length(const struct iovec *iov, unsigned int n)
{
	u64 len = 0;

	while (n--)
		len += iov[n].iov_len;
	return len;
}

/* Copy len bytes into the buffers iov[0..n), as far as they go. */
void iov_push(const struct iovec *iov, unsigned int n, const void *src, size_t len)
{
	unsigned int i;

	for (i = 0; i < n && len; i++) {
		size_t k = min_size(iov[i].iov_len, len);

		memcpy(iov[i].iov_base, src, k);
		src = (const u8 *)src + k;
		len -= k;
	}
}
