// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: a network link between the guests of the launchers
 * given the same file (--sharenet=FILE), with no host network stack in
 * between.
 *
 * Every launcher on the link maps the file shared.  It has room for
 * SHARE_PORTS guests (ports), and for each ordered pair of ports a ring
 * of frames, written only by the sender's launcher and read only by the
 * receiver's: a frame goes from the sending guest's buffers into the
 * ring, from the ring into the receiving guest's buffers, and the
 * receiver is woken through a futex in the file.  A unicast frame goes
 * to the port with its destination MAC; any other to every port.
 *
 * Every other launcher on the link may be an attacker (its guest may
 * own it), and so may anyone who can write the file.  What we take from
 * the file (a peer's MAC, the index a peer advanced, a frame's length) is
 * read once, checked and used from our copy; our own indices live here
 * and are only published there.  A ring that makes no sense is emptied;
 * a frame for a full ring is dropped, as a wire would drop it.  Such a
 * peer can disturb the link's traffic -- drop, forge or delay frames
 * (our receiver sleeps at most a second), take ports -- but not crash or
 * stall us: the file is allocated in full when it is made, and a file cut
 * short under us ends the launcher with its reason (SIGBUS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "launcher.h"

#define SHARE_MAGIC	"lguest sharenet 1"
#define SHARE_PORTS	8
#define SHARE_RING	(256 * 1024)	/* bytes, a multiple of 4 */
#define CACHELINE	64

/* Each port and each index on a cache line of its own. */
struct share_port {
	u32 owner;		/* the pid of its launcher; 0: free */
	u32 wake;		/* futex: bumped for each frame queued to it */
	u8 mac[6];
	u8 pad[CACHELINE - 14];
};

/* Records: a u32 length, then the frame, padded to 4 bytes. */
struct share_ring {
	u32 head;		/* bytes written */
	u8 pad1[CACHELINE - 4];
	u32 tail;		/* bytes read */
	u8 pad2[CACHELINE - 4];
	u8 data[SHARE_RING];
};

struct share_file {
	char magic[CACHELINE];
	struct share_port port[SHARE_PORTS];
	struct share_ring ring[SHARE_PORTS][SHARE_PORTS];	/* [from][to] */
};

struct sharenet {
	struct share_file *f;
	unsigned int me;		/* our port */
	u32 head[SHARE_PORTS];		/* ours, of ring[me][to] */
	u32 tail[SHARE_PORTS];		/* ours, of ring[from][me] */
	unsigned int next_from;		/* whose ring we look at first */
};

static u32 load(u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(u32 *p, u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static long futex(u32 *addr, int op, u32 val, const struct timespec *timeout)
{
	return syscall(SYS_futex, addr, op, val, timeout, NULL, 0);
}

/* Copy len bytes at ring position pos (mod SHARE_RING) into or out of r. */
static void ring_copy(struct share_ring *r, u32 pos, void *buf, size_t len, bool in)
{
	while (len) {
		u32 off = pos % SHARE_RING;
		size_t k = min_size(len, SHARE_RING - off);

		if (in)
			memcpy(r->data + off, buf, k);
		else
			memcpy(buf, r->data + off, k);
		buf = (u8 *)buf + k;
		pos += k;
		len -= k;
	}
}

/* Queue the frame iov[0..n) of len bytes for port to. */
static bool ring_put(struct sharenet *s, unsigned int to, const struct iovec *iov,
		     unsigned int n, u32 len)
{
	struct share_ring *r = &s->f->ring[s->me][to];
	u32 head = s->head[to];
	u32 used = head - load(&r->tail);
	u32 rec = 4 + ((len + 3) & ~3u);
	unsigned int i;

	/* A tail that makes no sense is the receiver's loss. */
	if (used > SHARE_RING || SHARE_RING - used < rec)
		return false;
	ring_copy(r, head, &len, 4, true);
	for (i = 0, head += 4; i < n; head += iov[i++].iov_len)
		ring_copy(r, head, iov[i].iov_base, iov[i].iov_len, true);
	s->head[to] += rec;
	store(&r->head, s->head[to]);
	return true;
}

/* (A wake for each frame: a flag saying who sleeps would be the peers' to forge.) */
static void wake(struct share_port *p)
{
	__atomic_fetch_add(&p->wake, 1, __ATOMIC_SEQ_CST);
	futex(&p->wake, FUTEX_WAKE, 1, NULL);
}

/*
 * Send a frame (its virtio_net_hdr_v1 first) to the port that has its
 * destination MAC, or to every other port that has a guest.
 */
void sharenet_send(struct sharenet *s, const struct iovec *iov, unsigned int n)
{
	u64 len = iov_length(iov, n);
	struct iovec peek[MAX_IOV];
	unsigned int k = n, p, only = SHARE_PORTS;
	u8 hdr[NET_HDR_LEN], dst[6], mac[6];

	if (len < NET_HDR_LEN + 14 || len > NET_MAX_FRAME)
		return;
	memcpy(peek, iov, n * sizeof(*iov));
	if (!iov_pull(peek, &k, hdr, sizeof(hdr)) || !iov_pull(peek, &k, dst, sizeof(dst)))
		return;
	if (!(dst[0] & 1)) {
		for (p = 0; p < SHARE_PORTS; p++) {
			memcpy(mac, s->f->port[p].mac, sizeof(mac));
			if (p != s->me && !memcmp(mac, dst, sizeof(mac)))
				only = p;
		}
	}
	for (p = 0; p < SHARE_PORTS; p++) {
		if (p == s->me || (only != SHARE_PORTS && p != only) ||
		    !load(&s->f->port[p].owner))
			continue;
		if (ring_put(s, p, iov, n, len))
			wake(&s->f->port[p]);
	}
}

/* Take the next frame from port from's ring into buf: its length, or 0. */
static size_t ring_get(struct sharenet *s, unsigned int from, u8 *buf, size_t size)
{
	struct share_ring *r = &s->f->ring[from][s->me];
	u32 tail = s->tail[from];
	u32 head = load(&r->head);
	u32 avail = head - tail;
	u32 len;

	if (!avail)
		return 0;
	if (avail < 4 || avail > SHARE_RING)
		goto bad;
	ring_copy(r, tail, &len, 4, false);
	if (len < NET_HDR_LEN + 14 || len > size || 4 + ((len + 3) & ~3u) > avail)
		goto bad;
	ring_copy(r, tail + 4, buf, len, false);
	s->tail[from] = tail + 4 + ((len + 3) & ~3u);
	store(&r->tail, s->tail[from]);
	return len;
bad:
	/* Nonsense from the sender: drop all it queued. */
	s->tail[from] = head;
	store(&r->tail, head);
	return 0;
}

/* The next frame for us, into buf (size bytes): its length.  Waits for one. */
size_t sharenet_recv(struct sharenet *s, u8 *buf, size_t size)
{
	struct share_port *me = &s->f->port[s->me];
	const struct timespec second = { 1, 0 };

	for (;;) {
		u32 seq = __atomic_load_n(&me->wake, __ATOMIC_SEQ_CST);
		unsigned int i;

		for (i = 0; i < SHARE_PORTS; i++) {
			unsigned int from = (s->next_from + i) % SHARE_PORTS;
			size_t len;

			if (from == s->me)
				continue;
			len = ring_get(s, from, buf, size);
			if (len) {
				s->next_from = from + 1;
				return len;
			}
		}
		/*
		 * A sender bumps wake after it queues a frame, then wakes us:
		 * the futex returns at once if wake moved since we looked at
		 * the rings.  The timeout covers a peer that does not.
		 */
		futex(&me->wake, FUTEX_WAIT, seq, &second);
	}
}

/*
 * A bus error is a link file cut short (or, made elsewhere, not backed)
 * under us: say so and end, as die() would, but from a signal handler.
 */
static void link_sigbus(int sig)
{
	static const char msg[] =
		"lguest: error: a --sharenet file shrank under us (or its storage is gone)\n";

	(void)sig;
	restore_terminal();
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* Our ports, freed when we exit. */
static struct sharenet *claimed[MAX_DEVICES];

static void release_ports(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(claimed) && claimed[i]; i++)
		__atomic_compare_exchange_n(&claimed[i]->f->port[claimed[i]->me].owner,
					    &(u32){ getpid() }, 0, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
}

/* A port is free if it has no owner, or one that is gone. */
static bool port_free(const struct share_port *p)
{
	pid_t owner = __atomic_load_n(&p->owner, __ATOMIC_ACQUIRE);

	if (!owner)
		return true;
	if (owner == getpid())
		return false;		/* another device of ours */
	return kill(owner, 0) && errno == ESRCH;
}

/*
 * Join the link of the file path: create the file if it is new, take a
 * free port, and publish our MAC (the default one, if !mac_set, is made
 * from the file's name and the port).  The file's lock is held while we
 * set up, so that launchers starting together take different ports.
 */
struct sharenet *sharenet_open(const char *path, u8 mac[6], bool mac_set)
{
	struct sharenet *s = calloc(1, sizeof(*s));
	struct stat st;
	unsigned int p, i;
	u32 h = 2166136261u;
	const char *c;
	int fd;

	if (!s)
		die("out of memory");
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die("--sharenet=%s: %s", path, strerror(errno));
	/* Ten seconds for the launchers starting with us; no more for a squatter. */
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB); i++) {
		if (errno != EWOULDBLOCK || i == 1000)
			die("--sharenet=%s: cannot lock it: %s", path,
			    errno == EWOULDBLOCK ? "another process holds it" : strerror(errno));
		usleep(10000);
	}
	if (fstat(fd, &st))
		die("--sharenet=%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("--sharenet=%s: not a regular file", path);
	if (!st.st_size) {
		int err = posix_fallocate(fd, 0, sizeof(*s->f));

		if (err) {
			/* Leave it empty, as we found it, for the next launcher. */
			int ignored = ftruncate(fd, 0);

			(void)ignored;
			die("--sharenet=%s: cannot make it: %s", path, strerror(err));
		}
	}
	if (st.st_size && st.st_size != sizeof(*s->f))
		die("--sharenet=%s: %lld bytes: not a --sharenet file", path,
		    (long long)st.st_size);
	s->f = mmap(NULL, sizeof(*s->f), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s->f == MAP_FAILED)
		die("--sharenet=%s: cannot map it: %s", path, strerror(errno));
	signal(SIGBUS, link_sigbus);
	if (!st.st_size)
		memcpy(s->f->magic, SHARE_MAGIC, sizeof(SHARE_MAGIC));
	else if (memcmp(s->f->magic, SHARE_MAGIC, sizeof(SHARE_MAGIC)))
		die("--sharenet=%s: not a --sharenet file", path);

	for (p = 0; p < SHARE_PORTS && !port_free(&s->f->port[p]); p++)
		;
	if (p == SHARE_PORTS)
		die("--sharenet=%s: all %u ports are taken", path, SHARE_PORTS);
	s->me = p;
	store(&s->f->port[p].owner, getpid());
	if (!mac_set) {
		for (c = path; *c; c++)
			h = (h ^ (u8)*c) * 16777619u;
		mac[0] = 0x02;
		mac[1] = 0x4c;
		memcpy(mac + 2, &h, 3);
		mac[5] = p;
	}
	memcpy(s->f->port[p].mac, mac, 6);
	/* Nothing queued for the port's last owner is ours, nor to be read. */
	for (i = 0; i < SHARE_PORTS; i++) {
		s->tail[i] = load(&s->f->ring[i][p].head);
		store(&s->f->ring[i][p].tail, s->tail[i]);
		s->head[i] = load(&s->f->ring[p][i].tail);
		store(&s->f->ring[p][i].head, s->head[i]);
	}
	for (i = 0; i < ARRAY_SIZE(claimed) && claimed[i]; i++)
		;
	if (!i)
		atexit(release_ports);
	if (i < ARRAY_SIZE(claimed))
		claimed[i] = s;
	flock(fd, LOCK_UN);
	close(fd);
	return s;
}

unsigned int sharenet_port(const struct sharenet *s)
{
	return s->me;
}
