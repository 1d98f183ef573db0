// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: the guest's virtio console (hvc0) on our terminal.
 * Output is written by the transmit queue's worker, so that a terminal
 * or pipe that does not keep up stalls nothing else; input is read by a
 * thread of its own, which waits for the guest's receive buffers.
 *
 * The device is a multiport console (VIRTIO_CONSOLE_F_MULTIPORT) with
 * one port, for its handshake: Linux's driver drops what arrives on a
 * port before it is set up as the console, so input -- typed early, or
 * waiting in a pipe -- goes to the guest only once the guest says the
 * port is open.  The control queues carry that: the guest's driver is
 * ready, we add port 0, it is ready, we make it the console and open
 * our end, and the guest opens its end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_config.h>
#include "launcher.h"

#define RX_QUEUE	0	/* port 0 */
#define TX_QUEUE	1
#define CTRL_RX_QUEUE	2	/* control messages to the guest */
#define CTRL_TX_QUEUE	3	/* and from it */
/* What we write of one output buffer (Linux's hvc sends at most a page). */
#define CONSOLE_CHUNK	65536u

struct console {		/* under g->lock */
	bool open;		/* the guest opened port 0 ... */
	unsigned int open_gen;	/* ... in this generation of its queues */
};

/*
 * The terminal, raw while the guest owns it; restored however we exit
 * (restore_terminal() is async-signal-safe).
 */
static struct termios saved_termios;
static bool termios_saved;

void restore_terminal(void)
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

/*
 * Console output: a buffer the guest queued, to our stdout; at most
 * CONSOLE_CHUNK bytes of it, the rest is dropped.
 */
static u32 console_output(struct device *dev, struct iovec *iov, unsigned int out,
			  unsigned int in)
{
	size_t room = CONSOLE_CHUNK;
	unsigned int n;

	(void)dev;
	(void)in;
	for (n = 0; n < out && room; n++) {
		if (iov[n].iov_len > room)
			iov[n].iov_len = room;
		room -= iov[n].iov_len;
	}
	if (n && writev(STDOUT_FILENO, iov, n) < 0 && errno != EAGAIN)
		die("console output: %s", strerror(errno));
	return 0;
}

/* Send the guest a control message (g->lock held); false after a reset. */
static bool send_control(struct device *dev, unsigned int gen, u16 event, u16 value)
{
	struct virtio_console_control msg = { .id = 0, .event = event, .value = value };
	struct vq *vq = &dev->vqs[CTRL_RX_QUEUE];
	struct iovec iov[MAX_IOV];
	unsigned int out, in;
	int head;

	head = wait_chain(vq, gen, iov, &out, &in);
	if (head < 0)
		return false;
	if (iov_length(iov + out, in) < sizeof(msg))
		die("the guest gave the console a control buffer of less than %zu bytes",
		    sizeof(msg));
	iov_push(iov + out, in, &msg, sizeof(msg));
	add_used(vq, head, sizeof(msg));
	trigger_irq(dev->guest, vq);
	return true;
}

/*
 * A control message from the guest: read once, and answered when it is
 * a step of the handshake.  The rest (port 0 closed, a port we do not
 * have) changes nothing but whether input flows.
 */
static u32 console_control(struct device *dev, struct iovec *iov, unsigned int out,
			   unsigned int in)
{
	struct virtio_console_control msg;
	struct console *con = dev->priv;
	struct guest *g = dev->guest;
	unsigned int gen;

	(void)in;
	if (!iov_pull(iov, &out, &msg, sizeof(msg)))
		die("the guest sent the console a control message of less than %zu bytes",
		    sizeof(msg));
	pthread_mutex_lock(&g->lock);
	/*
	 * A reset since we took the message (it waits for us) leaves it
	 * unanswered: the guest starts over.  Otherwise gen is current.
	 */
	if (!dev->started) {
		pthread_mutex_unlock(&g->lock);
		return 0;
	}
	gen = dev->vqs[CTRL_RX_QUEUE].gen;
	switch (msg.event) {
	case VIRTIO_CONSOLE_DEVICE_READY:
		if (msg.value == 1)
			send_control(dev, gen, VIRTIO_CONSOLE_PORT_ADD, 1);
		break;
	case VIRTIO_CONSOLE_PORT_READY:
		if (msg.id == 0 && msg.value == 1 &&
		    send_control(dev, gen, VIRTIO_CONSOLE_CONSOLE_PORT, 1))
			send_control(dev, gen, VIRTIO_CONSOLE_PORT_OPEN, 1);
		break;
	case VIRTIO_CONSOLE_PORT_OPEN:
		if (msg.id == 0) {
			con->open = msg.value;
			con->open_gen = dev->vqs[RX_QUEUE].gen;
			pthread_cond_broadcast(&dev->vqs[RX_QUEUE].kick);
		}
		break;
	}
	pthread_mutex_unlock(&g->lock);
	return 0;
}

/*
 * Console input: our stdin into the guest's receive buffers, as many as
 * it takes, once the guest has opened the port.  Input read before, or
 * while the guest has no buffer, waits.
 */
static void *console_input(void *arg)
{
	struct device *dev = arg;
	struct guest *g = dev->guest;
	struct console *con = dev->priv;
	struct vq *vq = &dev->vqs[RX_QUEUE];
	struct iovec iov[MAX_IOV];
	char buf[256];
	unsigned int out, in;
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
			unsigned int gen = vq->gen;
			size_t n;

			/* The port is open if the guest opened it since the last reset. */
			if (!con->open || con->open_gen != gen) {
				pthread_cond_wait(&vq->kick, &g->lock);
				continue;
			}
			head = wait_chain(vq, gen, iov, &out, &in);
			if (head < 0)
				continue;	/* reset: wait for the new queue */
			n = min_size(iov_length(iov + out, in), len - done);
			iov_push(iov + out, in, buf + done, n);
			done += n;
			add_used(vq, head, n);
			trigger_irq(g, vq);
		}
		pthread_mutex_unlock(&g->lock);
	}
}

void setup_console(struct guest *g)
{
	struct virtio_console_config cfg = { .max_nr_ports = 1 };
	struct console *con = calloc(1, sizeof(*con));
	struct device *dev;
	pthread_t tid;

	if (!con)
		die("out of memory");
	dev = add_device(g, "console", VIRTIO_ID_CONSOLE, 4, 1ULL << VIRTIO_F_VERSION_1 |
			 1ULL << VIRTIO_CONSOLE_F_MULTIPORT, sizeof(cfg));
	memcpy(device_config(dev), &cfg, sizeof(cfg));
	dev->priv = con;
	serve_queue(dev, TX_QUEUE, console_output);
	serve_queue(dev, CTRL_TX_QUEUE, console_control);
	/* In the background, reading the terminal would stop us all (SIGTTIN). */
	if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp()) {
		fprintf(stderr, "%s: not in the terminal's foreground: no console input\n", prog);
		return;
	}
	raw_terminal();
	if (pthread_create(&tid, NULL, console_input, dev))
		die("cannot start the console input thread");
	pthread_detach(tid);
}
