// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: virtio disks (--block=FILE[,ro]), each backed by a
 * file of whole 512-byte sectors.
 *
 * Each disk's queue has a worker thread of its own, which takes the
 * requests the guest queued, does their I/O on the file and completes
 * them: a slow file never stalls the run loop, the console or the
 * guest's timer.  A write
 * is in the file when its request completes; it is on the file's storage
 * when a flush completes (or at once, when the guest's driver does not
 * know flushes).  A read-only disk is opened read-only and fails writes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include "launcher.h"

#define SECTOR_SIZE	512u

struct blk {
	int fd;
	const char *path;
	bool ro;
	u64 sectors;		/* the disk's capacity */
	char id[VIRTIO_BLK_ID_BYTES];
};

/* Transfer the buffers iov[0..n) at byte offset off of the file. */
static bool blk_rw(struct blk *b, bool write, struct iovec *iov, unsigned int n, u64 off)
{
	while (n) {
		ssize_t r = write ? pwritev(b->fd, iov, n, off) : preadv(b->fd, iov, n, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		off += r;
		/* A short transfer: go on after what was done. */
		while (n && (size_t)r >= iov->iov_len) {
			r -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (u8 *)iov->iov_base + r;
			iov->iov_len -= r;
		}
	}
	return true;
}

/*
 * Serve one request: a header the device reads, data, and a status byte
 * the device writes, last.  Returns the bytes written into the guest's
 * buffers.  A request without room for its header or status byte is the
 * guest's mistake and stops it; a malformed one is an I/O error.
 */
static u32 blk_request(struct device *dev, struct iovec *iov, unsigned int out,
		       unsigned int in)
{
	struct blk *b = dev->priv;
	struct virtio_blk_outhdr hdr;
	struct iovec *data;
	unsigned int ndata;
	u8 status = VIRTIO_BLK_S_OK, *statusp;
	u32 written = 1;
	u64 len;

	if (!iov_pull(iov, &out, &hdr, sizeof(hdr)))
		die("%s: the guest sent a request without its header", dev->name);
	statusp = iov_last_byte(iov + out, &in);
	if (!statusp)
		die("%s: the guest sent a request without room for its status", dev->name);

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		/* Reads fill the buffers the device writes, writes take the rest. */
		data = hdr.type == VIRTIO_BLK_T_IN ? iov + out : iov;
		ndata = hdr.type == VIRTIO_BLK_T_IN ? in : out;
		len = iov_length(data, ndata);
		if (len % SECTOR_SIZE || hdr.sector > b->sectors ||
		    len / SECTOR_SIZE > b->sectors - hdr.sector) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (hdr.type == VIRTIO_BLK_T_OUT && b->ro) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (!blk_rw(b, hdr.type == VIRTIO_BLK_T_OUT, data, ndata, hdr.sector * SECTOR_SIZE))
			status = VIRTIO_BLK_S_IOERR;
		else if (hdr.type == VIRTIO_BLK_T_IN)
			written += len;
		else if (!(dev->features & (1ULL << VIRTIO_BLK_F_FLUSH)) && fdatasync(b->fd))
			status = VIRTIO_BLK_S_IOERR;	/* write-through */
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (!b->ro && fdatasync(b->fd))
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID:
		len = iov_length(iov + out, in);
		if (len > sizeof(b->id))
			len = sizeof(b->id);
		iov_push(iov + out, in, b->id, len);
		written += len;
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
	}
	*statusp = status;
	return written;
}

/* --block=FILE[,ro] */
void setup_block(struct guest *g, const char *arg)
{
	struct virtio_blk_config cfg = { };
	struct blk *b = calloc(1, sizeof(*b));
	char *path = strdup(arg), *opt;
	u64 features = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_BLK_F_SEG_MAX |
		       1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_BLK_F_FLUSH;
	struct device *dev;
	struct stat st;
	char *name;

	if (!b || !path)
		die("out of memory");
	opt = strchr(path, ',');
	if (opt) {
		*opt++ = 0;
		if (strcmp(opt, "ro"))
			die("--block=%s: unknown flag '%s' (only 'ro')", arg, opt);
		b->ro = true;
		features |= 1ULL << VIRTIO_BLK_F_RO;
	}
	if (!*path)
		die("--block needs a file");
	b->path = path;
	b->fd = open(path, (b->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0)
		die("--block=%s: cannot open %s%s: %s", arg, path, b->ro ? "" : " for writing",
		    strerror(errno));
	if (fstat(b->fd, &st))
		die("--block=%s: %s", arg, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		die("--block=%s: %s is not a file or a block device", arg, path);
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(b->fd, 0, SEEK_END);

		if (end < 0)
			die("--block=%s: cannot size %s: %s", arg, path, strerror(errno));
		st.st_size = end;
	}
	if (st.st_size % SECTOR_SIZE)
		die("--block=%s: %s is %lld bytes, not a whole number of %u-byte sectors", arg,
		    path, (long long)st.st_size, SECTOR_SIZE);
	b->sectors = st.st_size / SECTOR_SIZE;
	/* The serial number: the file's name, as much of it as fits. */
	name = strrchr(path, '/');
	name = name ? name + 1 : path;
	memcpy(b->id, name, min_size(strlen(name), sizeof(b->id)));

	if (asprintf(&name, "disk %s", path) < 0)
		die("out of memory");
	dev = add_device(g, name, VIRTIO_ID_BLOCK, 1, features, sizeof(cfg));
	dev->priv = b;
	cfg.capacity = b->sectors;
	/* The driver adds the header and the status to its segments. */
	cfg.seg_max = MAX_IOV - 2;
	cfg.blk_size = SECTOR_SIZE;
	memcpy(device_config(dev), &cfg, sizeof(cfg));
	serve_queue(dev, 0, blk_request);
}
