// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: the guest's virtio console (hvc0) on our terminal.
 * Output is written as the guest queues it; input is read by a thread
 * of its own, which waits for the guest's receive buffers.
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

/* The console's receive buffers arrived (under g->lock). */
static pthread_cond_t rx_kick = PTHREAD_COND_INITIALIZER;

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

/* Console output: everything the guest queued goes to our stdout. */
static void console_notify(struct guest *g, struct device *dev, struct vq *vq)
{
	struct iovec iov[MAX_IOV];
	unsigned int out, in, done = 0;
	int head;

	if (vq == &dev->vqs[0]) {		/* new input buffers */
		pthread_cond_signal(&rx_kick);
		return;
	}
	while ((head = next_chain(g, vq, iov, &out, &in)) >= 0) {
		if (out && writev(STDOUT_FILENO, iov, out) < 0 && errno != EAGAIN)
			die("console output: %s", strerror(errno));
		add_used(vq, head, 0);
		done++;
	}
	if (done)
		trigger_irq(g, vq);
}

/* Console input: our stdin into the guest's receive buffers. */
static void *console_input(void *arg)
{
	struct device *dev = arg;
	struct guest *g = dev->guest;
	struct vq *vq = &dev->vqs[0];
	struct iovec iov[MAX_IOV];
	char buf[256];
	unsigned int out, in, i;
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
			ssize_t used = 0;

			while (!device_ready(dev) ||
			       (head = next_chain(g, vq, iov, &out, &in)) < 0)
				pthread_cond_wait(&rx_kick, &g->lock);
			for (i = out; i < out + in && done < len; i++) {
				size_t n = (size_t)(len - done);

				if (iov[i].iov_len < n)
					n = iov[i].iov_len;

				memcpy(iov[i].iov_base, buf + done, n);
				done += n;
				used += n;
			}
			add_used(vq, head, used);
			trigger_irq(g, vq);
		}
		pthread_mutex_unlock(&g->lock);
	}
}

void setup_console(struct guest *g)
{
	struct device *dev;
	pthread_t tid;

	dev = add_device(g, "console", VIRTIO_ID_CONSOLE, 2, 1ULL << VIRTIO_F_VERSION_1, 0,
			 console_notify);
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
