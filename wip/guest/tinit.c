// SPDX-License-Identifier: GPL-2.0
/*
 * A libc-free /init for poking at a new guest's userspace: raw int $0x80
 * system calls, messages to /dev/kmsg.  (wip debugging aid)
 */
#define SYS_exit 1
#define SYS_write 4
#define SYS_open 5
#define SYS_mknod 14
#define SYS_brk 45
#define SYS_reboot 88
#define SYS_set_thread_area 243

static long sys(long nr, long a, long b, long c, long d)
{
	long ret;

	asm volatile("int $0x80" : "=a" (ret) : "a" (nr), "b" (a), "c" (b), "d" (c), "S" (d)
		     : "memory");
	return ret;
}

static int kmsg = -1;

static void put(const char *s)
{
	int n = 0;

	while (s[n])
		n++;
	sys(SYS_write, kmsg, (long)s, n, 0);
}

static void hex(const char *what, unsigned long v)
{
	char buf[64], *p = buf;
	int i;

	while (*what)
		*p++ = *what++;
	*p++ = '=';
	for (i = 28; i >= 0; i -= 4)
		*p++ = "0123456789abcdef"[(v >> i) & 15];
	*p++ = '\n';
	*p = 0;
	put(buf);
}

struct user_desc {
	unsigned int entry_number, base_addr, limit;
	unsigned int flags;
};

static int tls_word = 0x5a5a1234;

void _start(void)
{
	struct user_desc d = { -1, (unsigned long)&tls_word, 0xfffff, 0x51 };
	unsigned long b0, b1;
	unsigned int gsval;

	sys(SYS_mknod, (long)"/kmsg", 020600, (1 << 8) | 11, 0);
	kmsg = sys(SYS_open, (long)"/kmsg", 1, 0, 0);
	put("tinit: hello from user mode\n");
	b0 = sys(SYS_brk, 0, 0, 0, 0);
	b1 = sys(SYS_brk, b0 + 8192, 0, 0, 0);
	hex("tinit: brk0", b0);
	hex("tinit: brk1", b1);
	*(volatile int *)(b0 + 100) = 42;
	put("tinit: wrote brk memory\n");
	hex("tinit: set_thread_area", sys(SYS_set_thread_area, (long)&d, 0, 0, 0));
	hex("tinit: entry", d.entry_number);
	asm volatile("movw %w1, %%gs; movl %%gs:0, %0" : "=r" (gsval) : "r" (d.entry_number * 8 + 3));
	hex("tinit: gs:0", gsval);
	sys(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, 0);
	sys(SYS_exit, 0, 0, 0, 0);
	for (;;)
		;
}
