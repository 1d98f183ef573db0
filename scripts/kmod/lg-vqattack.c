// SPDX-License-Identifier: GPL-2.0
/*
 * lg-vqattack: misprogram a virtqueue of an lguest device from inside the
 * guest; the launcher should stop the guest, saying why.
 *
 * dev= names the device (console, blk, net or rng) and attack= the
 * misprogramming (vq_attacks[] below).  On load the module finds the
 * device's descriptor in the device pages and, for most attacks, takes
 * the device away from its driver: a reset (the launcher forgets the
 * queues), rings of the module's own for the one queue the launcher
 * serves at a kick (none for the others), DRIVER_OK.  Then it corrupts
 * those rings or the queue's configuration and notifies the launcher.
 * If the guest still runs wait= seconds later, the launcher missed it:
 * the module says "vqattack: survived" and fails with -EIO.  attack=none
 * queues one well-formed buffer instead, which the launcher should serve.
 *
 * What the module says goes to the launcher's standard output through
 * LHCALL_CONSOLE_WRITE: the driver that lost its rings may be the
 * console's.  A guest whose console was taken and that is still running
 * can print nothing more (hvc would wait for the old ring forever): it
 * powers itself off with LHCALL_SHUTDOWN.  A test module: the device is
 * of no use afterwards, and rings the launcher may still use are never
 * freed.
 */
#define pr_fmt(fmt) "vqattack: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/if_ether.h>
#include <linux/io.h>
#include <linux/lguest.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <asm/e820/api.h>

static char *dev_name_param = "blk";
module_param_named(dev, dev_name_param, charp, 0444);
MODULE_PARM_DESC(dev, "the device: console, blk, net or rng");

static char *attack_param = "none";
module_param_named(attack, attack_param, charp, 0444);
MODULE_PARM_DESC(attack, "the misprogramming (see the source)");

static unsigned int wait_secs = 10;
module_param_named(wait, wait_secs, uint, 0444);
MODULE_PARM_DESC(wait, "seconds to wait for the launcher to stop the guest");

/* The queue attacked is the one the launcher serves when it is kicked. */
struct vq_dev {
	const char *name;
	u32 type;		/* VIRTIO_ID_* */
	unsigned int queue;
	u16 dir;		/* its buffers' flags: VRING_DESC_F_WRITE or 0 */
};

static const struct vq_dev vq_devs[] = {
	{ "console", VIRTIO_ID_CONSOLE, 1, 0 },		/* output */
	{ "blk", VIRTIO_ID_BLOCK, 0, 0 },		/* a request's header */
	{ "net", VIRTIO_ID_NET, 1, 0 },			/* transmit */
	{ "rng", VIRTIO_ID_RNG, 0, VRING_DESC_F_WRITE },
};

struct vq_ctx {
	const struct vq_dev *vd;
	struct virtio_device *vdev;	/* the device's, for the rings' byte order */
	void *page;			/* the first device page, mapped */
	u32 page_pa;			/* its gpa: the end of guest RAM */
	struct lguest_device_desc *d;	/* the device's descriptor, in it */
	unsigned int num_vq;
	struct lguest_vqconfig *cfg;	/* the attacked queue's configuration */
	u16 num;			/* its entries, as the launcher set them */
	struct vring_desc *desc;	/* our rings and a page for buffers */
	struct vring_avail *avail;
	struct vring_used *used;
	u8 *buf;
	size_t desc_size, avail_size, used_size;
	u32 buf_pa;
	/* What the attack sets up. */
	u32 ring_desc, ring_avail, ring_used;	/* for the queue's configuration */
	bool clear_features;		/* accept no feature at DRIVER_OK */
	u16 head, idx;			/* avail->ring[0] and avail->idx */
	u32 notify;			/* the gpa notified at last */
	bool taken;			/* the device is ours, its driver's rings gone */
};

static unsigned long vq_hcall(unsigned long nr, unsigned long arg1, unsigned long arg2)
{
	unsigned long ret = nr;

	asm volatile("int $" __stringify(LGUEST_TRAP_ENTRY)
		     : "+a" (ret)
		     : "b" (arg1), "c" (arg2), "d" (0UL)
		     : "memory");
	return ret;
}

static void vq_notify(u32 gpa)
{
	vq_hcall(LHCALL_NOTIFY, gpa, 0);
}

/* Say something on the launcher's standard output (and in dmesg). */
static __printf(2, 3) void vq_say(struct vq_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (!s)
		return;
	/* Not even to dmesg once the console is ours: hvc would hang. */
	if (!c->taken || c->vd->type != VIRTIO_ID_CONSOLE)
		pr_info("%s", s);
	if (*s && strlen(s) <= PAGE_SIZE - 16) {
		char *line = kasprintf(GFP_KERNEL, "vqattack: %s", s);

		if (line)
			vq_hcall(LHCALL_CONSOLE_WRITE, virt_to_phys(line), strlen(line));
		kfree(line);
	}
	kfree(s);
}

static struct lguest_vqconfig *vq_configs(struct lguest_device_desc *d)
{
	return (struct lguest_vqconfig *)(d + 1);
}

/* The device's features, then the driver's (feature_len bytes each). */
static u8 *vq_features(struct lguest_device_desc *d)
{
	return (u8 *)(vq_configs(d) + d->num_vq);
}

static size_t vq_desc_size(struct lguest_device_desc *d)
{
	return ALIGN(sizeof(*d) + d->num_vq * sizeof(struct lguest_vqconfig) +
		     2 * d->feature_len + d->config_len, LGUEST_DESC_ALIGN);
}

/* The gpa of something in the device page. */
static u32 vq_dev_gpa(struct vq_ctx *c, void *p)
{
	return c->page_pa + ((u8 *)p - (u8 *)c->page);
}

/* --- Finding the device --- */

static const struct virtio_device_id vq_no_ids[] = {
	{ 0 },
};

/* A driver of no device: it hands us the virtio bus to look at. */
static struct virtio_driver vq_finder = {
	.driver.name = KBUILD_MODNAME,
	.id_table = vq_no_ids,
};

static int vq_match(struct device *d, const void *data)
{
	const struct vq_dev *vd = data;

	return d->parent && !strcmp(dev_name(d->parent), "lguest") &&
	       dev_to_virtio(d)->id.device == vd->type;
}

/* The device on lguest_bus and where its driver put its first ring. */
static struct virtio_device *vq_find_vdev(const struct vq_dev *vd, dma_addr_t *ring)
{
	struct virtio_device *vdev;
	struct virtqueue *vq;
	struct device *d;

	if (register_virtio_driver(&vq_finder))
		return NULL;
	d = bus_find_device(vq_finder.driver.bus, NULL, vd, vq_match);
	unregister_virtio_driver(&vq_finder);
	if (!d)
		return NULL;
	vdev = dev_to_virtio(d);
	spin_lock(&vdev->vqs_list_lock);
	vq = list_first_entry_or_null(&vdev->vqs, struct virtqueue, list);
	if (vq)
		*ring = virtqueue_get_desc_addr(vq);
	spin_unlock(&vdev->vqs_list_lock);
	if (!vq) {
		put_device(d);
		return NULL;
	}
	return vdev;
}

/*
 * The device pages lie just above guest RAM, all of which the launcher's
 * e820 map covers (usable RAM, then the top it reserves for the boot
 * page tables): the first page above lowmem that no e820 entry covers.
 * It is the right one if it holds a descriptor of our device's type with
 * a queue where the driver put its ring.  Only that first page is read:
 * a page beyond the device pages would be the end of the guest.
 */
static int vq_find_desc(struct vq_ctx *c, dma_addr_t ring)
{
	u64 pa = PAGE_ALIGN(virt_to_phys(high_memory - 1) + 1);
	size_t off = 0;
	unsigned int i;

	while (pa < SZ_4G && e820__mapped_raw_any(pa, pa + PAGE_SIZE, 0))
		pa += PAGE_SIZE;
	if (pa >= SZ_4G)
		return -ENODEV;
	c->page_pa = pa;
	c->page = memremap(pa, PAGE_SIZE, MEMREMAP_WB);
	if (!c->page)
		return -ENOMEM;
	while (off + sizeof(struct lguest_device_desc) <= PAGE_SIZE) {
		struct lguest_device_desc *d = c->page + off;

		if (!d->type || vq_desc_size(d) > PAGE_SIZE - off)
			break;
		for (i = 0; d->type == c->vd->type && i < d->num_vq; i++) {
			if (vq_configs(d)[i].desc == ring) {
				c->d = d;
				return 0;
			}
		}
		off += vq_desc_size(d);
	}
	pr_err("no %s descriptor with a ring at %pad in the page at %#x\n", c->vd->name,
	       &ring, c->page_pa);
	return -ENODEV;
}

/* --- Our rings --- */

static void vq_free_rings(struct vq_ctx *c)
{
	if (c->desc)
		free_pages_exact(c->desc, c->desc_size);
	if (c->avail)
		free_pages_exact(c->avail, c->avail_size);
	if (c->used)
		free_pages_exact(c->used, c->used_size);
	if (c->buf)
		free_pages_exact(c->buf, PAGE_SIZE);
}

static int vq_alloc_rings(struct vq_ctx *c)
{
	c->desc_size = PAGE_ALIGN(c->num * sizeof(struct vring_desc));
	c->avail_size = PAGE_ALIGN(struct_size(c->avail, ring, c->num) + sizeof(__virtio16));
	c->used_size = PAGE_ALIGN(struct_size(c->used, ring, c->num) + sizeof(__virtio16));
	c->desc = alloc_pages_exact(c->desc_size, GFP_KERNEL | __GFP_ZERO);
	c->avail = alloc_pages_exact(c->avail_size, GFP_KERNEL | __GFP_ZERO);
	c->used = alloc_pages_exact(c->used_size, GFP_KERNEL | __GFP_ZERO);
	c->buf = alloc_pages_exact(PAGE_SIZE, GFP_KERNEL | __GFP_ZERO);
	if (!c->desc || !c->avail || !c->used || !c->buf) {
		vq_free_rings(c);
		return -ENOMEM;
	}
	c->ring_desc = virt_to_phys(c->desc);
	c->ring_avail = virt_to_phys(c->avail);
	c->ring_used = virt_to_phys(c->used);
	c->buf_pa = virt_to_phys(c->buf);
	return 0;
}

static void vq_set(struct vq_ctx *c, unsigned int i, u64 addr, u32 len, u16 flags, u16 next)
{
	struct vring_desc *d = &c->desc[i];

	d->addr = cpu_to_virtio64(c->vdev, addr);
	d->len = cpu_to_virtio32(c->vdev, len);
	d->flags = cpu_to_virtio16(c->vdev, flags);
	d->next = cpu_to_virtio16(c->vdev, next);
}

/* A buffer chain the device takes as it is, at head 0. */
static void vq_good_chain(struct vq_ctx *c)
{
	static const char hello[] = "vqattack: the launcher served our buffer\n";
	struct virtio_blk_outhdr *hdr = (void *)c->buf;
	struct ethhdr *eth = (void *)(c->buf + sizeof(struct virtio_net_hdr_v1));

	switch (c->vd->type) {
	case VIRTIO_ID_CONSOLE:
		memcpy(c->buf, hello, sizeof(hello) - 1);
		vq_set(c, 0, c->buf_pa, sizeof(hello) - 1, 0, 0);
		break;
	case VIRTIO_ID_BLOCK:		/* header, the disk's id, status */
		hdr->type = cpu_to_virtio32(c->vdev, VIRTIO_BLK_T_GET_ID);
		vq_set(c, 0, c->buf_pa, sizeof(*hdr), VRING_DESC_F_NEXT, 1);
		vq_set(c, 1, c->buf_pa + 512, VIRTIO_BLK_ID_BYTES,
		       VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
		vq_set(c, 2, c->buf_pa + 1024, 1, VRING_DESC_F_WRITE, 0);
		break;
	case VIRTIO_ID_NET:		/* an empty header, a minimal frame */
		memset(eth->h_dest, 0xff, ETH_ALEN);
		eth->h_source[0] = 0x02;
		eth->h_source[5] = 0x01;
		eth->h_proto = cpu_to_be16(ETH_P_802_EX1);
		vq_set(c, 0, c->buf_pa, sizeof(struct virtio_net_hdr_v1) + ETH_ZLEN, 0, 0);
		break;
	default:
		vq_set(c, 0, c->buf_pa, 64, c->vd->dir, 0);
		break;
	}
}

/* --- The attacks: each sets up what vq_init() then does --- */

enum vq_how {
	VQ_CHAIN,	/* take the device, queue head 0, kick */
	VQ_RINGS,	/* take the device with these ring addresses, kick */
	VQ_NOTIFY,	/* notify c->notify, nothing else */
};

struct vq_attack {
	const char *name;
	enum vq_how how;
	u32 only;	/* a VIRTIO_ID_* for a device's own attack, 0 for any */
	int (*prepare)(struct vq_ctx *c);
};

static int at_none(struct vq_ctx *c)
{
	vq_good_chain(c);
	return 0;
}

/* A buffer that starts just past RAM, in the device page. */
static int at_addr_outside(struct vq_ctx *c)
{
	vq_set(c, 0, c->page_pa, 16, c->vd->dir, 0);
	return 0;
}

/* A 64-bit address whose low 32 bits are our buffer. */
static int at_addr_high(struct vq_ctx *c)
{
	vq_set(c, 0, BIT_ULL(32) + c->buf_pa, 16, c->vd->dir, 0);
	return 0;
}

/* addr + len wraps around 2^64. */
static int at_addr_wrap(struct vq_ctx *c)
{
	vq_set(c, 0, ~0ULL - 0xfff, 0x2000, c->vd->dir, 0);
	return 0;
}

/* Two chained buffers of 4 GB - 1 each. */
static int at_len_huge(struct vq_ctx *c)
{
	vq_set(c, 0, c->buf_pa, U32_MAX, c->vd->dir | VRING_DESC_F_NEXT, 1);
	vq_set(c, 1, c->buf_pa, U32_MAX, c->vd->dir, 0);
	return 0;
}

/* A buffer from 16 bytes below the end of RAM, 32 bytes long. */
static int at_len_past_ram(struct vq_ctx *c)
{
	vq_set(c, 0, c->page_pa - 16, 32, c->vd->dir, 0);
	return 0;
}

/* Buffers of all of RAM each, chained until they make more than 4 GB. */
static int at_chain_4g(struct vq_ctx *c)
{
	unsigned int i, n = U32_MAX / c->page_pa + 1;

	if (n > c->num) {
		pr_err("chain-4g needs %u buffers, the ring has %u\n", n, c->num);
		return -E2BIG;
	}
	for (i = 0; i < n; i++)
		vq_set(c, i, 0, c->page_pa,
		       c->vd->dir | (i + 1 < n ? VRING_DESC_F_NEXT : 0), i + 1);
	return 0;
}

static int at_loop(struct vq_ctx *c)
{
	vq_set(c, 0, c->buf_pa, 16, c->vd->dir | VRING_DESC_F_NEXT, 1);
	vq_set(c, 1, c->buf_pa + 16, 16, c->vd->dir | VRING_DESC_F_NEXT, 0);
	return 0;
}

static int at_next_beyond(struct vq_ctx *c)
{
	vq_set(c, 0, c->buf_pa, 16, c->vd->dir | VRING_DESC_F_NEXT, c->num);
	return 0;
}

static int at_head_beyond(struct vq_ctx *c)
{
	vq_good_chain(c);
	c->head = c->num;
	return 0;
}

static int at_avail_idx(struct vq_ctx *c)
{
	vq_good_chain(c);
	c->idx = c->num + 1;
	return 0;
}

static int at_read_after_write(struct vq_ctx *c)
{
	vq_set(c, 0, c->buf_pa, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	vq_set(c, 1, c->buf_pa + 16, 16, 0, 0);
	return 0;
}

static int at_ring_misaligned(struct vq_ctx *c)
{
	c->ring_desc += 8;
	return 0;
}

static int at_ring_desc_outside(struct vq_ctx *c)
{
	c->ring_desc = c->page_pa;
	return 0;
}

static int at_ring_used_past(struct vq_ctx *c)
{
	c->ring_used = c->page_pa - 8;
	return 0;
}

static int at_ring_avail_high(struct vq_ctx *c)
{
	c->ring_avail = 0xfffffffe;
	return 0;
}

static int at_ring_noavail(struct vq_ctx *c)
{
	c->ring_avail = 0;
	return 0;
}

/* The device's features: in its descriptor, but neither it nor a queue. */
static int at_notify_nodev(struct vq_ctx *c)
{
	c->notify = vq_dev_gpa(c, vq_features(c->d));
	return 0;
}

/* 8 bytes of a 16-byte header, then the status byte. */
static int at_blk_nohdr(struct vq_ctx *c)
{
	vq_set(c, 0, c->buf_pa, 8, VRING_DESC_F_NEXT, 1);
	vq_set(c, 1, c->buf_pa + 1024, 1, VRING_DESC_F_WRITE, 0);
	return 0;
}

static int at_blk_nostatus(struct vq_ctx *c)
{
	vq_good_chain(c);
	vq_set(c, 0, c->buf_pa, sizeof(struct virtio_blk_outhdr), 0, 0);
	return 0;
}

static int at_rng_readable(struct vq_ctx *c)
{
	vq_set(c, 0, c->buf_pa, 64, 0, 0);
	return 0;
}

static int at_net_tx_writable(struct vq_ctx *c)
{
	vq_good_chain(c);
	vq_set(c, 0, c->buf_pa, sizeof(struct virtio_net_hdr_v1) + ETH_ZLEN,
	       VRING_DESC_F_WRITE, 0);
	return 0;
}

/*
 * An indirect descriptor, a feature the launcher never offers: its table
 * (one buffer, valid) is not for the device to use as data.
 */
static int at_indirect(struct vq_ctx *c)
{
	struct vring_desc *table = (void *)(c->buf + 2048);

	table->addr = cpu_to_virtio64(c->vdev, c->buf_pa);
	table->len = cpu_to_virtio32(c->vdev, 16);
	table->flags = cpu_to_virtio16(c->vdev, c->vd->dir);
	vq_set(c, 0, c->buf_pa + 2048, sizeof(*table), VRING_DESC_F_INDIRECT, 0);
	return 0;
}

/* A frame to send after a restart that accepted no feature at all. */
static int at_net_features(struct vq_ctx *c)
{
	vq_good_chain(c);
	c->clear_features = true;
	return 0;
}

/* The in-VM tests (scripts/vm/tests/lguest/38-vq-attack-*.sh) run them all. */
static const struct vq_attack vq_attacks[] = {
	{ "none", VQ_CHAIN, 0, at_none },
	{ "addr-outside", VQ_CHAIN, 0, at_addr_outside },
	{ "addr-high", VQ_CHAIN, 0, at_addr_high },
	{ "addr-wrap", VQ_CHAIN, 0, at_addr_wrap },
	{ "len-huge", VQ_CHAIN, 0, at_len_huge },
	{ "len-past-ram", VQ_CHAIN, 0, at_len_past_ram },
	{ "chain-4g", VQ_CHAIN, 0, at_chain_4g },
	{ "loop", VQ_CHAIN, 0, at_loop },
	{ "next-beyond", VQ_CHAIN, 0, at_next_beyond },
	{ "head-beyond", VQ_CHAIN, 0, at_head_beyond },
	{ "avail-idx", VQ_CHAIN, 0, at_avail_idx },
	{ "read-after-write", VQ_CHAIN, 0, at_read_after_write },
	{ "ring-misaligned", VQ_RINGS, 0, at_ring_misaligned },
	{ "ring-desc-outside", VQ_RINGS, 0, at_ring_desc_outside },
	{ "ring-used-past", VQ_RINGS, 0, at_ring_used_past },
	{ "ring-avail-high", VQ_RINGS, 0, at_ring_avail_high },
	{ "ring-noavail", VQ_RINGS, 0, at_ring_noavail },
	{ "notify-nodev", VQ_NOTIFY, 0, at_notify_nodev },
	{ "indirect", VQ_CHAIN, 0, at_indirect },
	{ "blk-nohdr", VQ_CHAIN, VIRTIO_ID_BLOCK, at_blk_nohdr },
	{ "blk-nostatus", VQ_CHAIN, VIRTIO_ID_BLOCK, at_blk_nostatus },
	{ "rng-readable", VQ_CHAIN, VIRTIO_ID_RNG, at_rng_readable },
	{ "net-tx-writable", VQ_CHAIN, VIRTIO_ID_NET, at_net_tx_writable },
	{ "net-features", VQ_CHAIN, VIRTIO_ID_NET, at_net_features },
};

/* --- The attack --- */

/*
 * Take the device from its driver: a reset, after which the launcher
 * forgets the queues; our rings in the attacked queue's configuration
 * and none in the others'; then DRIVER_OK, at which the launcher takes
 * the rings.  Interrupts are off: the driver cannot kick in between.
 */
static void vq_take(struct vq_ctx *c)
{
	struct lguest_vqconfig *cfg = vq_configs(c->d);
	unsigned int i;

	c->taken = true;
	WRITE_ONCE(c->d->status, 0);
	vq_notify(vq_dev_gpa(c, c->d));
	for (i = 0; i < c->num_vq; i++) {
		WRITE_ONCE(cfg[i].desc, 0);
		WRITE_ONCE(cfg[i].avail, 0);
		WRITE_ONCE(cfg[i].used, 0);
	}
	WRITE_ONCE(c->cfg->desc, c->ring_desc);
	WRITE_ONCE(c->cfg->avail, c->ring_avail);
	WRITE_ONCE(c->cfg->used, c->ring_used);
	if (c->clear_features)
		memset(vq_features(c->d) + c->d->feature_len, 0, c->d->feature_len);
	WRITE_ONCE(c->d->status, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	vq_notify(vq_dev_gpa(c, c->d));
}

static void vq_publish(struct vq_ctx *c)
{
	c->avail->ring[0] = cpu_to_virtio16(c->vdev, c->head);
	/* The launcher's device threads see the entry before the index. */
	virt_wmb();
	WRITE_ONCE(c->avail->idx, cpu_to_virtio16(c->vdev, c->idx));
}

static const struct vq_dev *vq_lookup_dev(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vq_devs); i++)
		if (!strcmp(vq_devs[i].name, name))
			return &vq_devs[i];
	return NULL;
}

static const struct vq_attack *vq_lookup_attack(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vq_attacks); i++)
		if (!strcmp(vq_attacks[i].name, name))
			return &vq_attacks[i];
	return NULL;
}

/* Wait for the launcher to end us, or (attack=none) to use our buffer. */
static bool vq_wait(struct vq_ctx *c, bool served)
{
	unsigned int i;

	for (i = 0; i < wait_secs * 10; i++) {
		if (served && READ_ONCE(c->used->idx))
			return true;
		msleep(100);
	}
	return served && READ_ONCE(c->used->idx);
}

static int __init vq_init(void)
{
	struct vq_ctx c = { .head = 0, .idx = 1 };
	const struct vq_attack *va;
	unsigned long flags;
	dma_addr_t ring = 0;
	bool none;
	int err;

	c.vd = vq_lookup_dev(dev_name_param);
	va = vq_lookup_attack(attack_param);
	if (!c.vd || !va || (va->only && va->only != c.vd->type)) {
		pr_err("no attack %s on device %s\n", attack_param, dev_name_param);
		return -EINVAL;
	}
	none = va->prepare == at_none;
	c.vdev = vq_find_vdev(c.vd, &ring);
	if (!c.vdev) {
		pr_err("no %s device with a driver on lguest_bus\n", c.vd->name);
		return -ENODEV;
	}
	err = vq_find_desc(&c, ring);
	if (err)
		goto out;
	c.num_vq = c.d->num_vq;
	if (c.vd->queue >= c.num_vq) {
		pr_err("the %s device has no queue %u\n", c.vd->name, c.vd->queue);
		err = -ENODEV;
		goto out;
	}
	c.cfg = &vq_configs(c.d)[c.vd->queue];
	c.num = c.cfg->num;
	if (!c.num || c.num > 32768) {
		pr_err("queue %u of %u entries\n", c.vd->queue, c.num);
		err = -EINVAL;
		goto out;
	}
	err = vq_alloc_rings(&c);
	if (err)
		goto out;
	c.notify = vq_dev_gpa(&c, c.cfg);
	err = va->prepare(&c);
	if (err) {
		vq_free_rings(&c);
		goto out;
	}

	vq_say(&c, "attacking %s:%s (device page %#x, descriptor %#x, queue %u of %u at %#x)\n",
	       c.vd->name, va->name, c.page_pa, vq_dev_gpa(&c, c.d), c.vd->queue, c.num,
	       vq_dev_gpa(&c, c.cfg));
	local_irq_save(flags);
	if (va->how != VQ_NOTIFY)
		vq_take(&c);
	if (va->how == VQ_CHAIN)
		vq_publish(&c);
	vq_notify(c.notify);
	local_irq_restore(flags);

	/* Still here: the launcher has not stopped us, yet. */
	if (vq_wait(&c, none)) {
		vq_say(&c, "served %s:%s\n", c.vd->name, va->name);
		err = 0;
	} else {
		vq_say(&c, "survived %s:%s\n", c.vd->name, va->name);
		err = -EIO;
	}
	if (c.taken && c.vd->type == VIRTIO_ID_CONSOLE)
		vq_hcall(LHCALL_SHUTDOWN, LGUEST_SHUTDOWN_POWEROFF, 0);
	if (!c.taken)
		vq_free_rings(&c);
out:
	if (c.page)
		memunmap(c.page);
	put_device(&c.vdev->dev);
	return err;
}
module_init(vq_init);

static void __exit vq_exit(void)
{
}
module_exit(vq_exit);

MODULE_DESCRIPTION("Misprogram an lguest virtqueue: the launcher should stop the guest");
MODULE_LICENSE("GPL");
