// SPDX-License-Identifier: GPL-2.0
/*
 * A launcher for a tiny hand-assembled guest, to test the host prototype
 * (lgproto.ko): 4 MB of guest memory mapped 1:1 by its own page table.
 * The guest registers a #UD handler, executes ud2; the host reflects the
 * trap into the handler, which prints through LHCALL_CONSOLE_WRITE, writes
 * a word that the launcher then finds in its memory, and powers off.  The
 * launcher checks the frame the host pushed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lguest_uapi.h"

#define PAGES	1024
#define CODE	0x2000
#define MSG	0x3000
#define MARK	0x200000
#define HANDLER	0x2100
#define STACK	0x10000
#define DATA	0x4000

int main(int argc, char **argv)
{
	int timer = argc > 1 && !strcmp(argv[1], "timer");
	const char *msg = timer ? "tick: a timer interrupt in a ring-1 guest\n" :
				  "hello from a ring-1 guest's #UD handler\n";
	const uint8_t code[] = {
		0xb8, LHCALL_LOAD_IDT_ENTRY, 0, 0, 0,		/* mov $7, %eax */
		0xbb, 0x06, 0, 0, 0,				/* mov $6 (#UD), %ebx */
		0xb9, 0x00, 0x21, 0x60, 0x00,			/* mov $gate_lo, %ecx */
		0xba, 0x00, 0x8e, 0x00, 0x00,			/* mov $gate_hi, %edx */
		0xcd, 0x1f,					/* int $0x1f */
		0xbc, 0x00, 0x00, 0x01, 0x00,			/* mov $STACK, %esp */
		0x0f, 0x0b,					/* UD2_AT: ud2 */
	};
#define UD2_AT	(CODE + 27)
	const uint8_t timer_code[] = {
		0xb8, LHCALL_LGUEST_INIT, 0, 0, 0,		/* mov $1, %eax */
		0xbb, 0x00, 0x40, 0x00, 0x00,			/* mov $DATA, %ebx */
		0xcd, 0x1f,					/* int $0x1f */
		0xc7, 0x05, 0x00, 0x40, 0x00, 0x00,		/* movl $IF, DATA.irq_enabled */
		0x00, 0x02, 0x00, 0x00,
		0xb8, LHCALL_LOAD_IDT_ENTRY, 0, 0, 0,		/* mov $7, %eax */
		0xbb, 0x20, 0, 0, 0,				/* mov $32 (irq 0), %ebx */
		0xb9, 0x00, 0x21, 0x60, 0x00,			/* mov $gate_lo, %ecx */
		0xba, 0x00, 0x8e, 0x00, 0x00,			/* mov $gate_hi, %edx */
		0xcd, 0x1f,					/* int $0x1f */
		0xbc, 0x00, 0x00, 0x01, 0x00,			/* mov $STACK, %esp */
		0xb8, LHCALL_SET_CLOCKEVENT, 0, 0, 0,		/* mov $9, %eax */
		0xbb, 0x80, 0x96, 0x98, 0x00,			/* mov $10000000 (10 ms), %ebx */
		0xcd, 0x1f,					/* int $0x1f */
		0xeb, 0xfe,					/* SPIN_AT: jmp . */
	};
#define SPIN_AT	(CODE + 61)
	const uint8_t handler[] = {
		0xb8, LHCALL_CONSOLE_WRITE, 0, 0, 0,		/* mov $16, %eax */
		0xbb, 0x00, 0x30, 0x00, 0x00,			/* mov $MSG, %ebx */
		0xb9, (uint8_t)strlen(msg), 0, 0, 0,		/* mov $len, %ecx */
		0xcd, 0x1f,					/* int $0x1f */
		0xc7, 0x05, 0x00, 0x00, 0x20, 0x00,		/* movl $0x12345678, MARK */
		0x78, 0x56, 0x34, 0x12,
		0xb8, LHCALL_SHUTDOWN, 0, 0, 0,			/* mov $2, %eax */
		0x31, 0xdb,					/* xor %ebx, %ebx */
		0xcd, 0x1f,					/* int $0x1f */
	};
	struct lguest_init init = { .req = LHREQ_INITIALIZE, .version = LGUEST_ABI_VERSION };
	struct lguest_exit ex;
	uint32_t *pt, *frame;
	uint8_t *mem;
	int fd, i;

	mem = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return perror("mmap"), 1;
	pt = (uint32_t *)(mem + 0x1000);
	for (i = 0; i < PAGES; i++)
		pt[i] = i * 4096 | 3;
	((uint32_t *)mem)[0] = 0x1000 | 3;
	if (timer)
		memcpy(mem + CODE, timer_code, sizeof(timer_code));
	else
		memcpy(mem + CODE, code, sizeof(code));
	memcpy(mem + HANDLER, handler, sizeof(handler));
	memcpy(mem + MSG, msg, strlen(msg));

	fd = open("/dev/lguest", O_RDWR);
	if (fd < 0)
		return perror("/dev/lguest"), 1;
	init.mem_base = (uintptr_t)mem;
	init.mem_pages = PAGES;
	init.start = CODE;
	init.pgdir = 0;
	if (write(fd, &init, sizeof(init)) != sizeof(init))
		return perror("LHREQ_INITIALIZE"), 1;
	for (;;) {
		if (read(fd, &ex, sizeof(ex)) != sizeof(ex))
			return perror("read"), 1;
		switch (ex.reason) {
		case LGUEST_EXIT_CONSOLE:
			fwrite(mem + (ex.arg >> 32), 1, (uint32_t)ex.arg, stdout);
			fflush(stdout);
			break;
		case LGUEST_EXIT_POWEROFF:
			frame = (uint32_t *)(mem + STACK) - 3;
			printf("guest powered off; word at %#x: %#x; frame: eip %#x cs %#x flags %#x\n",
			       MARK, *(uint32_t *)(mem + MARK), frame[0], frame[1], frame[2]);
			return *(uint32_t *)(mem + MARK) == 0x12345678 &&
			       frame[0] == (timer ? SPIN_AT : UD2_AT) && frame[1] == 0x61 ? 0 : 1;
		default:
			printf("guest stopped (%u): %s\n", ex.reason, ex.message);
			return 1;
		}
	}
}
