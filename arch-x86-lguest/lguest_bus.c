// SPDX-License-Identifier: GPL-2.0
/*
 * lguest_bus: the devices the launcher describes in the pages just above
 * guest RAM, as a virtio transport.  Each descriptor becomes a virtio
 * device; its virtqueues are ordinary split rings in guest memory, kicked
 * with LHCALL_NOTIFY, and the launcher's answers arrive as the queue's
 * virtual irq.
 */
#define pr_fmt(fmt) "lguest_bus: " fmt

#include <linux/console.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include "lguest.h"

static void *lguest_devices;	/* the device pages, mapped */
static struct device *lguest_root;

struct lguest_vdev {
	struct virtio_device vdev;
	struct lguest_device_desc *desc;
};

struct lguest_vq {
	struct lguest_vqconfig *cfg;
	unsigned int irq;
};

#define to_lgdev(vd) container_of(vd, struct lguest_vdev, vdev)

static struct lguest_vqconfig *lg_vqconfig(struct lguest_device_desc *d)
{
	return (void *)(d + 1);
}

static u8 *lg_features(struct lguest_device_desc *d)
{
	return (u8 *)(lg_vqconfig(d) + d->num_vq);
}

static u8 *lg_config(struct lguest_device_desc *d)
{
	return lg_features(d) + 2 * d->feature_len;
}

static size_t lg_desc_size(struct lguest_device_desc *d)
{
	return ALIGN(sizeof(*d) + d->num_vq * sizeof(struct lguest_vqconfig) +
		     2 * d->feature_len + d->config_len, LGUEST_DESC_ALIGN);
}

/* The guest-physical address of something in the device pages. */
static unsigned long lg_gpa(void *p)
{
	return lguest_data.device_base + (p - lguest_devices);
}

static void lg_notify_launcher(void *what)
{
	lguest_hcall(LHCALL_NOTIFY, lg_gpa(what), 0, 0);
}

static u64 lg_get_features(struct virtio_device *vdev)
{
	struct lguest_device_desc *d = to_lgdev(vdev)->desc;
	u8 *f = lg_features(d);
	u64 features = 0;
	unsigned int i;

	for (i = 0; i < min_t(unsigned int, d->feature_len * 8, 64); i++)
		if (f[i / 8] & BIT(i % 8))
			features |= BIT_ULL(i);
	return features;
}

static int lg_finalize_features(struct virtio_device *vdev)
{
	struct lguest_device_desc *d = to_lgdev(vdev)->desc;
	u8 *f = lg_features(d) + d->feature_len;
	unsigned int i;

	vring_transport_features(vdev);
	memset(f, 0, d->feature_len);
	for (i = 0; i < min_t(unsigned int, d->feature_len * 8, 64); i++)
		if (vdev->features & BIT_ULL(i))
			f[i / 8] |= BIT(i % 8);
	return 0;
}

static void lg_get(struct virtio_device *vdev, unsigned int offset, void *buf,
		   unsigned int len)
{
	struct lguest_device_desc *d = to_lgdev(vdev)->desc;

	if (offset > d->config_len || len > d->config_len - offset) {
		memset(buf, 0, len);
		return;
	}
	memcpy(buf, lg_config(d) + offset, len);
}

static void lg_set(struct virtio_device *vdev, unsigned int offset, const void *buf,
		   unsigned int len)
{
	struct lguest_device_desc *d = to_lgdev(vdev)->desc;

	if (offset > d->config_len || len > d->config_len - offset)
		return;
	memcpy(lg_config(d) + offset, buf, len);
}

static u8 lg_get_status(struct virtio_device *vdev)
{
	return READ_ONCE(to_lgdev(vdev)->desc->status);
}

static void lg_set_status(struct virtio_device *vdev, u8 status)
{
	struct lguest_device_desc *d = to_lgdev(vdev)->desc;

	WRITE_ONCE(d->status, status);
	lg_notify_launcher(d);
}

static void lg_reset(struct virtio_device *vdev)
{
	lg_set_status(vdev, 0);
}

static bool lg_notify(struct virtqueue *vq)
{
	struct lguest_vq *lvq = vq->priv;

	lg_notify_launcher(lvq->cfg);
	return true;
}

static void lg_del_vq(struct virtqueue *vq)
{
	struct lguest_vq *lvq = vq->priv;

	free_irq(lvq->irq, vq);
	lvq->cfg->desc = 0;
	lvq->cfg->avail = 0;
	lvq->cfg->used = 0;
	vring_del_virtqueue(vq);
	kfree(lvq);
}

static void lg_del_vqs(struct virtio_device *vdev)
{
	struct virtqueue *vq, *n;

	list_for_each_entry_safe(vq, n, &vdev->vqs, list)
		lg_del_vq(vq);
}

static struct virtqueue *lg_setup_vq(struct virtio_device *vdev, unsigned int index,
				     struct virtqueue_info *info)
{
	struct lguest_device_desc *d = to_lgdev(vdev)->desc;
	struct lguest_vqconfig *cfg = lg_vqconfig(d) + index;
	struct lguest_vq *lvq;
	struct virtqueue *vq;
	int err;

	if (!cfg->num || lguest_setup_irq(cfg->irq))
		return ERR_PTR(-EINVAL);
	lvq = kzalloc(sizeof(*lvq), GFP_KERNEL);
	if (!lvq)
		return ERR_PTR(-ENOMEM);
	vq = vring_create_virtqueue(index, cfg->num, PAGE_SIZE, vdev, true, false, info->ctx,
				    lg_notify, info->callback, info->name);
	if (!vq) {
		kfree(lvq);
		return ERR_PTR(-ENOMEM);
	}
	lvq->cfg = cfg;
	lvq->irq = cfg->irq;
	vq->priv = lvq;
	cfg->desc = virtqueue_get_desc_addr(vq);
	cfg->avail = virtqueue_get_avail_addr(vq);
	cfg->used = virtqueue_get_used_addr(vq);
	err = request_irq(lvq->irq, vring_interrupt, IRQF_SHARED, dev_name(&vdev->dev), vq);
	if (err) {
		cfg->desc = 0;
		cfg->avail = 0;
		cfg->used = 0;
		vring_del_virtqueue(vq);
		kfree(lvq);
		return ERR_PTR(err);
	}
	return vq;
}

static int lg_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		       struct virtqueue_info vqs_info[], struct irq_affinity *desc)
{
	struct lguest_device_desc *d = to_lgdev(vdev)->desc;
	unsigned int i, index = 0;

	for (i = 0; i < nvqs; i++) {
		if (!vqs_info[i].name) {
			vqs[i] = NULL;
			continue;
		}
		if (index >= d->num_vq) {
			lg_del_vqs(vdev);
			return -ENOENT;
		}
		vqs[i] = lg_setup_vq(vdev, index++, &vqs_info[i]);
		if (IS_ERR(vqs[i])) {
			int err = PTR_ERR(vqs[i]);

			lg_del_vqs(vdev);
			return err;
		}
	}
	return 0;
}

static const char *lg_bus_name(struct virtio_device *vdev)
{
	return "lguest";
}

static const struct virtio_config_ops lguest_config_ops = {
	.get = lg_get,
	.set = lg_set,
	.get_status = lg_get_status,
	.set_status = lg_set_status,
	.reset = lg_reset,
	.find_vqs = lg_find_vqs,
	.del_vqs = lg_del_vqs,
	.get_features = lg_get_features,
	.finalize_features = lg_finalize_features,
	.bus_name = lg_bus_name,
};

static void lg_release(struct device *dev)
{
	kfree(to_lgdev(dev_to_virtio(dev)));
}

/* A console device was found: lguest_bus_console_wait() waits for it. */
static bool lguest_bus_console __initdata;

static void __init lg_add_device(struct lguest_device_desc *d)
{
	struct lguest_vdev *ldev = kzalloc(sizeof(*ldev), GFP_KERNEL);

	if (!ldev)
		return;
	ldev->desc = d;
	ldev->vdev.dev.parent = lguest_root;
	ldev->vdev.dev.release = lg_release;
	ldev->vdev.id.device = d->type;
	ldev->vdev.config = &lguest_config_ops;
	if (register_virtio_device(&ldev->vdev)) {
		pr_err("cannot register device type %u\n", d->type);
		put_device(&ldev->vdev.dev);
		return;
	}
	if (d->type == VIRTIO_ID_CONSOLE)
		lguest_bus_console = true;
}

static int __init lguest_bus_init(void)
{
	size_t size = lguest_data.device_pages * PAGE_SIZE, off = 0;

	if (!running_on_lguest() || !size)
		return 0;
	lguest_devices = memremap(lguest_data.device_base, size, MEMREMAP_WB);
	if (!lguest_devices)
		return -ENOMEM;
	lguest_root = root_device_register("lguest");
	if (IS_ERR(lguest_root))
		return PTR_ERR(lguest_root);
	while (off + sizeof(struct lguest_device_desc) <= size) {
		struct lguest_device_desc *d = lguest_devices + off;

		if (!d->type)
			break;
		if (lg_desc_size(d) > size - off) {
			pr_err("device descriptor at %#zx runs past the device pages\n", off);
			break;
		}
		lg_add_device(d);
		off += lg_desc_size(d);
	}
	return 0;
}
device_initcall(lguest_bus_init);

/*
 * The guest's console, hvc0, is a port of a multiport virtio console,
 * and virtio_console adds ports from a work item once the launcher has
 * answered the driver's DEVICE_READY: nothing orders that before init
 * opens /dev/console, and an init that comes first runs with no console
 * at all ("unable to open an initial console").  The last initcalls run
 * before that open: with a console device, wait there until a console
 * with a tty is registered, or LGUEST_CONSOLE_WAIT_MS.
 */
#define LGUEST_CONSOLE_WAIT_MS	10000

static int __init lguest_bus_console_wait(void)
{
	unsigned int waited;
	int index;

	if (!lguest_bus_console)
		return 0;
	/* (console_device() takes no reference on the driver it returns) */
	for (waited = 0; waited < LGUEST_CONSOLE_WAIT_MS; waited += 20) {
		if (console_device(&index))
			return 0;
		msleep(20);
	}
	pr_warn("no console %u ms after the console device was added\n",
		LGUEST_CONSOLE_WAIT_MS);
	return 0;
}
late_initcall_sync(lguest_bus_console_wait);
