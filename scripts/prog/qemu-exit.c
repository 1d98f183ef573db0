// SPDX-License-Identifier: GPL-2.0
/*
 * Report a verdict from inside the test VM through QEMU's isa-debug-exit
 * device: writing N to its port ends QEMU with exit status 2N+1.  The rig
 * boots QEMU with the device at port 0xf4.
 *
 * usage: qemu-exit CODE     write CODE (0-127) and wait for QEMU to stop
 *        qemu-exit --probe  only check that the port can be claimed
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	char *end;
	long code;

	if (argc != 2) {
		fprintf(stderr, "usage: qemu-exit CODE | --probe\n");
		return 2;
	}
	if (ioperm(DEBUG_EXIT_PORT, 1, 1)) {
		fprintf(stderr, "qemu-exit: ioperm(0x%x): %s\n",
			DEBUG_EXIT_PORT, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "--probe"))
		return 0;

	code = strtol(argv[1], &end, 0);
	if (*end || code < 0 || code > 127) {
		fprintf(stderr, "qemu-exit: bad code '%s'\n", argv[1]);
		return 2;
	}
	outb(code, DEBUG_EXIT_PORT);
	/* Without the device the write is ignored: tell the caller. */
	sleep(1);
	fprintf(stderr, "qemu-exit: no isa-debug-exit device at 0x%x\n",
		DEBUG_EXIT_PORT);
	return 1;
}
