// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: the guest's virtio console (hvc0) on our terminal.
 * Output is written by the transmit queue's worker, so that a terminal
 * or pipe that does not keep up stalls nothing else; input is read by a
 * thread of its own, which waits for the guest's receive buffers.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_config.h>
#include "launcher.h"

#define RX_QUEUE	0
#define TX_QUEUE	1
/* What we write of one output buffer (Linux's hvc sends at most a page). */
#define CONSOLE_CHUNK	65536u

/* The terminal, raw while the guest owns it; restored however we exit. */
static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
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

/*
 * Console input: our stdin into the guest's receive buffers, as many as
 * it takes.  Input read while the guest has no buffer waits for one.
 */
static void *console_input(void *arg)
{
	struct device *dev = arg;
	struct guest *g = dev->guest;
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
			size_t n;

			head = wait_chain(vq, vq->gen, iov, &out, &in);
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
	struct device *dev;
	pthread_t tid;

	dev = add_device(g, "console", VIRTIO_ID_CONSOLE, 2, 1ULL << VIRTIO_F_VERSION_1, 0);
	serve_queue(dev, TX_QUEUE, console_output);
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
