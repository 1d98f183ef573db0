// SPDX-License-Identifier: GPL-2.0
/*
 * lguest: the launcher.
 *
 * It maps the guest's memory into its own address space (guest-physical
 * address 0 is g->mem), loads the kernel there, writes the boot
 * parameters and the initial page tables, hands the guest to /dev/lguest
 * and serves its devices: a virtio console on our terminal, and those
 * the options ask for.
 *
 *   lguest [--initrd=FILE] [--block=FILE[,ro]]... [--tunnet=IP|bridge:NAME]...
 *          [--sharenet=FILE]... [--rng] [--user=NAME] [--chroot=DIR] [--verbose]
 *          <mem-MB> <vmlinux|bzImage> [args...]
 *
 * See Documentation/lguest/lguest.rst; launcher.h says which file does
 * what.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "launcher.h"

const char *prog = "lguest";

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: %s [options] <mem-MB> <vmlinux|bzImage> [kernel args...]\n"
		"  mem-MB                          guest memory, %d to %d\n"
		"  --initrd=FILE                   the guest's initial ramdisk\n"
		"  --block=FILE[,ro]               a virtio disk on FILE, read-only with ,ro\n"
		"  --tunnet=IP[,mac=MAC]           a virtio network device: a tap, host address IP/24\n"
		"  --tunnet=bridge:NAME[,mac=MAC]  the same, its tap in bridge NAME\n"
		"  --sharenet=FILE[,mac=MAC]       a virtio network device linked to the guests\n"
		"                                  of other launchers given the same FILE\n"
		"  --rng                           a virtio entropy source (the host's /dev/urandom)\n"
		"  --user=NAME                     run as NAME (of /etc/passwd) once devices are set up\n"
		"  --chroot=DIR                    and in DIR as the root directory\n"
		"  --no-eventfd                    pass every kick through the run loop (to compare)\n"
		"  --stats                         print the host's counters for the guest at its end\n"
		"  --verbose                       say what the launcher does\n"
		"--block, --tunnet and --sharenet may be repeated.\n",
		prog, MIN_MEM_MB, MAX_MEM_MB);
}

/*
 * The start of die(): the first thread to die says why and exits; any
 * other that dies meanwhile stops here, so that reasons do not mix and
 * exit() runs once.  (The dying thread itself may die again, from an
 * exit handler: it goes on.)
 */
void die_begin(void)
{
	static pthread_mutex_t dying = PTHREAD_MUTEX_INITIALIZER;
	static pthread_t dier;

	if (pthread_mutex_trylock(&dying)) {
		if (pthread_equal(__atomic_load_n(&dier, __ATOMIC_ACQUIRE), pthread_self()))
			return;
		pthread_mutex_lock(&dying);	/* until the process exits */
	}
	__atomic_store_n(&dier, pthread_self(), __ATOMIC_RELEASE);
}

/* A pointer to [gpa, gpa + len) of guest RAM, or death. */
void *gpa_ptr(const struct guest *g, u64 gpa, u64 len, const char *what)
{
	if (gpa + len < gpa || gpa + len > (u64)g->ram_pages * PAGE_SIZE)
		die("%s does not fit in guest memory (0x%llx+0x%llx)", what,
		    (unsigned long long)gpa, (unsigned long long)len);
	return g->mem + gpa;
}

/* Hand the guest to /dev/lguest: it runs from our first read(). */
static void initialize_guest(struct guest *g)
{
	struct lguest_init init = {
		.req = LHREQ_INITIALIZE,
		.version = LGUEST_ABI_VERSION,
		.mem_base = (uintptr_t)g->mem,
		.mem_pages = g->ram_pages,
		.device_pages = DEVICE_PAGES,
		.start = g->entry,
		.pgdir = g->pgdir,
		.boot_params = g->boot_params,
		.page_offset = PAGE_OFFSET,
	};
	int fd = open("/dev/lguest", O_RDWR);

	if (fd < 0)
		die("cannot open /dev/lguest: %s (is the lg module loaded?)", strerror(errno));
	if (write(fd, &init, sizeof(init)) != sizeof(init))
		die("/dev/lguest refused the guest: %s", strerror(errno));
	g->fd = fd;
}

/*
 * --stats: the host's counters for our guest, lg.ko's debugfs file for
 * this process, opened before --chroot can take it away.
 */
static int open_stats(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/lguest/%d/stats", (int)getpid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "%s: --stats: cannot open %s: %s (is debugfs mounted?)\n",
			prog, path, strerror(errno));
	return fd;
}

/* Each "name value" line of the counters as "lguest-stats name value". */
static void print_stats(int fd)
{
	static char buf[16384];
	size_t len = 0;
	ssize_t n;
	char *line, *save;

	while (len < sizeof(buf) - 1 &&
	       (n = pread(fd, buf + len, sizeof(buf) - 1 - len, len)) > 0)
		len += n;
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "lguest-stats %s\n", line);
	close(fd);
}

/*
 * Run the guest and serve it until it stops: 0 when it powers off, 2
 * when it asks for a restart, 1 with its reason otherwise.
 */
static int run_guest(struct guest *g)
{
	struct lguest_exit ex;

	for (;;) {
		if (read(g->fd, &ex, sizeof(ex)) != sizeof(ex)) {
			if (errno == EINTR)
				continue;
			die("running the guest: %s", strerror(errno));
		}
		switch (ex.reason) {
		case LGUEST_EXIT_CONSOLE:
			fwrite(gpa_ptr(g, ex.arg >> 32, (u32)ex.arg, "console output"), 1,
			       (u32)ex.arg, stdout);
			fflush(stdout);
			break;
		case LGUEST_EXIT_NOTIFY:
			handle_notify(g, ex.arg);
			break;
		case LGUEST_EXIT_POWEROFF:
			return 0;
		case LGUEST_EXIT_RESTART:
			fprintf(stderr, "%s: the guest asked for a restart\n", prog);
			return 2;
		default:
			ex.message[sizeof(ex.message) - 1] = 0;
			fprintf(stderr, "%s: guest stopped: %s\n", prog, ex.message);
			return 1;
		}
	}
}

/*
 * --user: a user of /etc/passwd (read without NSS: the launcher may be
 * static), looked up before --chroot takes /etc away.
 */
static struct passwd *find_user(const char *name)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;

	if (!f)
		die("--user=%s: cannot read /etc/passwd: %s", name, strerror(errno));
	while ((pw = fgetpwent(f)))
		if (!strcmp(pw->pw_name, name))
			break;
	if (!pw)
		die("--user=%s: no such user in /etc/passwd", name);
	pw->pw_name = strdup(pw->pw_name);
	fclose(f);
	return pw;
}

/*
 * Once the guest's memory, files and devices are open, the launcher
 * needs nothing more of the host: give up the root directory and the
 * user it ran as (for every thread: glibc's setuid() does that).
 */
static void drop_privileges(const struct passwd *pw, const char *dir)
{
	if (dir && (chroot(dir) || chdir("/")))
		die("--chroot=%s: %s", dir, strerror(errno));
	if (pw && (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)))
		die("--user=%s: %s", pw->pw_name, strerror(errno));
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		die("out of memory");
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "initrd", required_argument, NULL, 'i' },
		{ "rng", no_argument, NULL, 'r' },
		{ "block", required_argument, NULL, 'b' },
		{ "tunnet", required_argument, NULL, 't' },
		{ "sharenet", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "chroot", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-eventfd", no_argument, NULL, 'e' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct guest g = { };
	const char *initrd = NULL;
	bool rng = false, eventfds = true, stats = false;
	struct passwd *user = NULL;
	const char *root_dir = NULL;
	struct stat st;
	const char *blocks[MAX_DEVICES], *nets[MAX_DEVICES], *links[MAX_DEVICES];
	unsigned int nblocks = 0, nnets = 0, nlinks = 0, i;
	char *end;
	long mb;
	int c, status, stats_fd = -1;

	/* Output to a closed pipe is an error we report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			initrd = optarg;
			break;
		case 'r':
			rng = true;
			break;
		case 'b':
			if (nblocks == ARRAY_SIZE(blocks))
				die("too many --block options");
			blocks[nblocks++] = optarg;
			break;
		case 't':
			if (nnets == ARRAY_SIZE(nets))
				die("too many --tunnet options");
			nets[nnets++] = optarg;
			break;
		case 's':
			if (nlinks == ARRAY_SIZE(links))
				die("too many --sharenet options");
			links[nlinks++] = optarg;
			break;
		case 'u':
			user = find_user(optarg);
			break;
		case 'c':
			if (stat(optarg, &st) || !S_ISDIR(st.st_mode))
				die("--chroot=%s: not a directory", optarg);
			root_dir = optarg;
			break;
		case 'v':
			g.verbose = true;
			break;
		case 'e':
			eventfds = false;
			break;
		case 'S':
			stats = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 1;
		}
	}
	if (argc - optind < 2) {
		print_usage(stderr);
		return 1;
	}
	mb = strtol(argv[optind], &end, 10);
	if (*end || end == argv[optind])
		die("'%s' is not a memory size in MB", argv[optind]);
	if (mb < MIN_MEM_MB || mb > MAX_MEM_MB)
		die("%ld MB of guest memory: need %d to %d", mb, MIN_MEM_MB, MAX_MEM_MB);

	g.ram_pages = mb * (1024 * 1024 / PAGE_SIZE);
	g.top = g.ram_pages * PAGE_SIZE;
	if (g.top > LOW_MEM_MB * (1024 * 1024))
		g.top = LOW_MEM_MB * (1024 * 1024);
	g.low_end = g.top;
	g.mem = mmap(NULL, (size_t)(g.ram_pages + DEVICE_PAGES) * PAGE_SIZE,
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (g.mem == MAP_FAILED)
		die("cannot map %ld MB of guest memory: %s", mb, strerror(errno));

	setup_boot(&g, join_args(argc - optind - 2, argv + optind + 2), initrd);
	load_kernel(&g, argv[optind + 1]);
	verbose(&g, "entry 0x%x, page directory 0x%x, boot_params 0x%x, RAM below 0x%x\n",
		g.entry, g.pgdir, g.boot_params, g.reserved_start);

	init_devices(&g);
	setup_console(&g);
	for (i = 0; i < nblocks; i++)
		setup_block(&g, blocks[i]);
	for (i = 0; i < nnets; i++)
		setup_net(&g, nets[i]);
	for (i = 0; i < nlinks; i++)
		setup_sharenet(&g, links[i]);
	if (rng)
		setup_rng(&g);
	initialize_guest(&g);
	if (eventfds)
		use_eventfds(&g);
	if (stats)
		stats_fd = open_stats();
	drop_privileges(user, root_dir);
	status = run_guest(&g);
	if (stats_fd >= 0)
		print_stats(stats_fd);
	/* A thread that dies meanwhile says why, and its status is ours. */
	die_begin();
	exit(status);
}
