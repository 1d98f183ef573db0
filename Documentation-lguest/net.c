// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: virtio network devices, on a tap device of the host
 * (--tunnet=IP or --tunnet=bridge:NAME) or on a link shared with other
 * guests (--sharenet=FILE, sharenet.c); either with ,mac=MAC.
 *
 * A tap carries a virtio_net_hdr_v1 before each frame, so that the
 * offloads the guest and the host's stack agree on (checksums, TSO) need
 * no work here: a frame the guest transmits goes to the tap as it is,
 * header included, and the tap checks the header as it checks any
 * user's.  A shared link carries the same frames, header included, and
 * a receiver takes only those its guest accepted the offloads of.  A
 * frame received is read into our own buffer and copied into as many of
 * the guest's receive buffers as it needs (mergeable receive buffers).
 * Each direction has a thread of its own: the transmit queue's worker,
 * and a receiver that waits for frames and for buffers in turn.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/ether.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include "launcher.h"

#define RX_QUEUE	0
#define TX_QUEUE	1
/* Mergeable buffers a frame may take: Linux's are 1518 bytes at least. */
#define MAX_RX_BUFS	(NET_MAX_FRAME / 1024 + 1)

struct net {
	int tap;		/* or -1, and link: */
	struct sharenet *link;
	char ifname[IFNAMSIZ];
	u8 frame[NET_MAX_FRAME];	/* the frame being received */
	struct rx_buf {		/* and the guest's buffers it goes to */
		int head;
		unsigned int in;
		struct iovec iov[MAX_IOV];
	} rx[MAX_RX_BUFS];
};

static const u64 net_features =
	1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
	1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM |
	1ULL << VIRTIO_NET_F_HOST_TSO4 | 1ULL << VIRTIO_NET_F_HOST_TSO6 |
	1ULL << VIRTIO_NET_F_HOST_ECN | 1ULL << VIRTIO_NET_F_GUEST_TSO4 |
	1ULL << VIRTIO_NET_F_GUEST_TSO6 | 1ULL << VIRTIO_NET_F_GUEST_ECN |
	1ULL << VIRTIO_NET_F_MRG_RXBUF;

static bool has(const struct device *dev, unsigned int feature)
{
	return dev->features & (1ULL << feature);
}

/*
 * The guest accepted its features (under g->lock): tell the tap which
 * offloads the guest can receive.  A guest without VIRTIO_F_VERSION_1
 * would frame its packets differently; we have no use for it.
 */
static void net_start(struct device *dev)
{
	struct net *n = dev->priv;
	unsigned int off = 0;

	if (!has(dev, VIRTIO_F_VERSION_1))
		die("%s: the guest refused VIRTIO_F_VERSION_1", dev->name);
	if (n->link)
		return;
	if (has(dev, VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (has(dev, VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (has(dev, VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if (has(dev, VIRTIO_NET_F_GUEST_ECN))
			off |= TUN_F_TSO_ECN;
	}
	if (ioctl(n->tap, TUNSETOFFLOAD, off))
		die("%s: cannot set the tap's offloads: %s", dev->name, strerror(errno));
}

/* Transmit: a buffer the guest queued, header and frame, to the tap. */
static u32 net_tx(struct device *dev, struct iovec *iov, unsigned int out, unsigned int in)
{
	struct net *n = dev->priv;

	if (in)
		die("%s: the guest queued a transmit buffer for us to write", dev->name);
	if (n->link) {
		sharenet_send(n->link, iov, out);
		return 0;
	}
	/* A frame the tap refuses is dropped, as a wire would. */
	if (writev(n->tap, iov, out) < 0 && errno != EINVAL && errno != EIO &&
	    errno != ENOBUFS && errno != EAGAIN)
		die("%s: writing to %s: %s", dev->name, n->ifname, strerror(errno));
	return 0;
}

/*
 * A frame from the link: does the guest take its offloads?  (A tap only
 * gives it those it set with TUNSETOFFLOAD.)
 */
static bool link_frame_ok(const struct device *dev, const struct virtio_net_hdr_v1 *hdr)
{
	u8 gso = hdr->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if ((hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !has(dev, VIRTIO_NET_F_GUEST_CSUM))
		return false;
	if ((hdr->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !has(dev, VIRTIO_NET_F_GUEST_ECN))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return has(dev, VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return has(dev, VIRTIO_NET_F_GUEST_TSO6);
	default:
		return false;
	}
}

/*
 * Receive: a frame read from the tap goes into the guest's receive
 * buffers, as many as it takes with mergeable buffers (the header says
 * how many), else into one.  We wait for buffers as long as it takes;
 * the tap holds further frames meanwhile.  A frame that does not fit in
 * what the guest gave is cut short, and the guest's driver drops it.
 */
static void *net_rx(void *arg)
{
	struct device *dev = arg;
	struct guest *g = dev->guest;
	struct net *n = dev->priv;
	struct vq *vq = &dev->vqs[RX_QUEUE];
	struct virtio_net_hdr_v1 *hdr = (void *)n->frame;
	unsigned int out, nbufs, i, gen;
	ssize_t len;

	for (;;) {
		u64 room = 0;
		size_t done = 0;

		if (n->link)
			len = sharenet_recv(n->link, n->frame, sizeof(n->frame));
		else
			len = read(n->tap, n->frame, sizeof(n->frame));
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			die("%s: reading %s: %s", dev->name, n->ifname, strerror(errno));
		if ((size_t)len < sizeof(*hdr))
			continue;
		pthread_mutex_lock(&g->lock);
restart:
		gen = vq->gen;
		while (!dev->started && vq->gen == gen)
			pthread_cond_wait(&vq->kick, &g->lock);
		if (vq->gen != gen)
			goto restart;
		/* The features the guest accepted hold until gen changes. */
		if (n->link && !link_frame_ok(dev, hdr)) {
			pthread_mutex_unlock(&g->lock);
			continue;
		}
		for (nbufs = 0; room < (u64)len && nbufs < MAX_RX_BUFS;) {
			struct rx_buf *b = &n->rx[nbufs];

			b->head = wait_chain(vq, gen, b->iov, &out, &b->in);
			if (b->head < 0) {
				/* A reset: the buffers we took are gone. */
				room = 0;
				goto restart;
			}
			if (out)
				die("%s: the guest queued a receive buffer for us to read",
				    dev->name);
			room += iov_length(b->iov, b->in);
			nbufs++;
			if (!has(dev, VIRTIO_NET_F_MRG_RXBUF))
				break;
		}
		hdr->num_buffers = nbufs;
		for (i = 0; i < nbufs; i++) {
			struct rx_buf *b = &n->rx[i];
			size_t k = iov_length(b->iov, b->in);

			if (k > (size_t)len - done)
				k = (size_t)len - done;
			iov_push(b->iov, b->in, n->frame + done, k);
			add_used(vq, b->head, k);
			done += k;
		}
		trigger_irq(g, vq);
		pthread_mutex_unlock(&g->lock);
	}
	return NULL;
}

/* A MAC address: aa:bb:cc:dd:ee:ff, unicast and not all zeros. */
static bool parse_mac(const char *s, u8 mac[6])
{
	struct ether_addr a;

	if (!ether_aton_r(s, &a) || strchr(s, ' '))
		return false;
	memcpy(mac, a.ether_addr_octet, 6);
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/*
 * The default MAC: locally administered, and the same for the same
 * --tunnet value (an FNV-1a hash of it), so that a guest keeps its
 * address from one run to the next.
 */
static void default_mac(const char *s, u8 mac[6])
{
	u32 h = 2166136261u;

	while (*s)
		h = (h ^ (u8)*s++) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x4c;
	memcpy(mac + 2, &h, 4);
}

static void if_ioctl(int sock, unsigned long req, struct ifreq *ifr, const char *arg,
		     const char *what)
{
	if (ioctl(sock, req, ifr))
		die("--tunnet=%s: cannot %s: %s", arg, what, strerror(errno));
}

/* The device, and its threads, for the tap or link of n. */
static void add_net(struct guest *g, struct net *n, const char *name, const u8 mac[6])
{
	struct virtio_net_config cfg = { .status = VIRTIO_NET_S_LINK_UP };
	struct device *dev;
	pthread_t tid;

	memcpy(cfg.mac, mac, sizeof(cfg.mac));
	dev = add_device(g, name, VIRTIO_ID_NET, 2, net_features, sizeof(cfg.mac) +
			 sizeof(cfg.status));
	dev->priv = n;
	dev->start = net_start;
	memcpy(device_config(dev), &cfg, sizeof(cfg.mac) + sizeof(cfg.status));
	verbose(g, "%s: MAC %02x:%02x:%02x:%02x:%02x:%02x\n", name, mac[0], mac[1], mac[2],
		mac[3], mac[4], mac[5]);
	serve_queue(dev, TX_QUEUE, net_tx);
	if (pthread_create(&tid, NULL, net_rx, dev))
		die("cannot start the receiver of %s", name);
	pthread_detach(tid);
}

/* --tunnet=IP[,mac=MAC] or --tunnet=bridge:NAME[,mac=MAC] */
void setup_net(struct guest *g, const char *arg)
{
	struct virtio_net_config cfg;
	struct net *n = calloc(1, sizeof(*n));
	char *spec = strdup(arg), *opt, *name;
	const char *bridge = NULL;
	int hdrlen = NET_HDR_LEN;
	struct in_addr ip = { 0 };
	struct ifreq ifr = { };
	int sock;

	if (!n || !spec)
		die("out of memory");
	opt = strchr(spec, ',');
	if (opt) {
		*opt++ = 0;
		if (strncmp(opt, "mac=", 4) || !parse_mac(opt + 4, cfg.mac))
			die("--tunnet=%s: '%s' is not mac=<unicast MAC address>", arg, opt);
	} else {
		default_mac(spec, cfg.mac);
	}
	if (!strncmp(spec, "bridge:", 7)) {
		bridge = spec + 7;
		if (!*bridge || strlen(bridge) >= IFNAMSIZ)
			die("--tunnet=%s: '%s' is not a bridge's name", arg, bridge);
	} else if (inet_pton(AF_INET, spec, &ip) != 1) {
		die("--tunnet=%s: '%s' is not an IPv4 address or bridge:NAME", arg, spec);
	}

	n->tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (n->tap < 0)
		die("--tunnet=%s: cannot open /dev/net/tun: %s (is the tun module loaded?)", arg,
		    strerror(errno));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "lgtap%%d");
	if (ioctl(n->tap, TUNSETIFF, &ifr))
		die("--tunnet=%s: cannot create a tap device: %s", arg, strerror(errno));
	memcpy(n->ifname, ifr.ifr_name, IFNAMSIZ);
	n->ifname[IFNAMSIZ - 1] = 0;
	if (ioctl(n->tap, TUNSETVNETHDRSZ, &hdrlen) || ioctl(n->tap, TUNSETOFFLOAD, 0))
		die("--tunnet=%s: cannot set up %s: %s", arg, n->ifname, strerror(errno));

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		die("--tunnet=%s: socket: %s", arg, strerror(errno));
	if (bridge) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", bridge);
		ifr.ifr_ifindex = if_nametoindex(n->ifname);
		if (!ifr.ifr_ifindex)
			die("--tunnet=%s: %s vanished", arg, n->ifname);
		if_ioctl(sock, SIOCBRADDIF, &ifr, arg, "add the tap to the bridge");
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", n->ifname);
		sin->sin_family = AF_INET;
		sin->sin_addr = ip;
		if_ioctl(sock, SIOCSIFADDR, &ifr, arg, "set the tap's address");
		sin->sin_addr.s_addr = htonl(0xffffff00);
		if_ioctl(sock, SIOCSIFNETMASK, &ifr, arg, "set the tap's netmask");
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", n->ifname);
	if_ioctl(sock, SIOCGIFFLAGS, &ifr, arg, "read the tap's flags");
	ifr.ifr_flags |= IFF_UP;
	if_ioctl(sock, SIOCSIFFLAGS, &ifr, arg, "bring the tap up");
	close(sock);

	if (asprintf(&name, "network device %s", n->ifname) < 0)
		die("out of memory");
	add_net(g, n, name, cfg.mac);
}

/* --sharenet=FILE[,mac=MAC] */
void setup_sharenet(struct guest *g, const char *arg)
{
	struct net *n = calloc(1, sizeof(*n));
	char *path = strdup(arg), *opt, *name;
	u8 mac[6];

	if (!n || !path)
		die("out of memory");
	opt = strchr(path, ',');
	if (opt) {
		*opt++ = 0;
		if (strncmp(opt, "mac=", 4) || !parse_mac(opt + 4, mac))
			die("--sharenet=%s: '%s' is not mac=<unicast MAC address>", arg, opt);
	}
	if (!*path)
		die("--sharenet needs a file");
	n->tap = -1;
	n->link = sharenet_open(path, mac, opt);
	snprintf(n->ifname, sizeof(n->ifname), "port %u", sharenet_port(n->link));
	if (asprintf(&name, "network device on %s, port %u", path, sharenet_port(n->link)) < 0)
		die("out of memory");
	add_net(g, n, name, mac);
}
