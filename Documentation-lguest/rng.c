// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: a virtio entropy source (--rng).  The guest queues
 * buffers for us to fill; we fill them from the host's /dev/urandom,
 * which never blocks once the host's pool is initialized.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include "launcher.h"

#define RNG_CHUNK	65536

struct rng {
	int fd;
};

/* Fill a buffer, RNG_CHUNK bytes at most: the guest asks again. */
static u32 rng_serve(struct device *dev, struct iovec *iov, unsigned int out,
		     unsigned int in)
{
	struct rng *rng = dev->priv;
	unsigned int i, n = 0;
	size_t room = RNG_CHUNK;
	ssize_t len;

	if (out)
		die("the guest gave the entropy source a buffer to read");
	for (i = 0; i < in && room; i++, n++) {
		if (iov[i].iov_len > room)
			iov[i].iov_len = room;
		room -= iov[i].iov_len;
	}
	len = readv(rng->fd, iov, n);
	if (len < 0)
		die("reading /dev/urandom: %s", strerror(errno));
	return len;
}

void setup_rng(struct guest *g)
{
	struct rng *rng = calloc(1, sizeof(*rng));
	struct device *dev;

	if (!rng)
		die("out of memory");
	rng->fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (rng->fd < 0)
		die("--rng: cannot open /dev/urandom: %s", strerror(errno));
	dev = add_device(g, "entropy source", VIRTIO_ID_RNG, 1, 1ULL << VIRTIO_F_VERSION_1, 0);
	dev->priv = rng;
	serve_queue(dev, 0, rng_serve);
}
