// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: a virtio entropy source (--rng).  The guest queues
 * buffers for us to fill; we fill them from the host's /dev/urandom,
 * which never blocks once the host's pool is initialized.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include "launcher.h"

#define RNG_CHUNK	65536

static void rng_notify(struct guest *g, struct device *dev, struct vq *vq)
{
	int fd = *(int *)dev->priv;
	struct iovec iov[MAX_IOV];
	unsigned int out, in, done = 0;
	ssize_t len;
	int head;

	while ((head = next_chain(g, vq, iov, &out, &in)) >= 0) {
		unsigned int i, n = 0;
		size_t room = RNG_CHUNK;

		if (out)
			die("the guest gave the entropy source a buffer to read");
		/* At most RNG_CHUNK bytes a buffer: the guest asks again. */
		for (i = 0; i < in && room; i++, n++) {
			if (iov[i].iov_len > room)
				iov[i].iov_len = room;
			room -= iov[i].iov_len;
		}
		len = readv(fd, iov, n);
		if (len < 0)
			die("reading /dev/urandom: %s", strerror(errno));
		add_used(vq, head, len);
		done++;
	}
	if (done)
		trigger_irq(g, vq);
}

void setup_rng(struct guest *g)
{
	static int fd;
	struct device *dev;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("--rng: cannot open /dev/urandom: %s", strerror(errno));
	dev = add_device(g, "entropy source", VIRTIO_ID_RNG, 1, 1ULL << VIRTIO_F_VERSION_1, 0,
			 rng_notify);
	dev->priv = &fd;
}
