// SPDX-License-Identifier: GPL-2.0
/*
 * lguest launcher: loading the guest kernel (an ELF vmlinux, or the one
 * inside a bzImage) into guest memory, with the boot parameters, the
 * command line, the initrd and the first page tables.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/bootparam.h>
#include <linux/elf.h>
#include "launcher.h"

#define PTE_PRESENT_RW		0x3u
#define PTES_PER_TABLE		1024u
#define E820_RAM		1
#define E820_RESERVED		2

static u8 *read_file(const char *path, size_t *len)
{
	struct stat st;
	u8 *buf;
	ssize_t r;
	size_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		die("%s is not a regular file", path);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		die("out of memory reading %s", path);
	while (done < (size_t)st.st_size) {
		r = read(fd, buf + done, st.st_size - done);
		if (r <= 0)
			die("cannot read %s: %s", path, r ? strerror(errno) : "short file");
		done += r;
	}
	close(fd);
	*len = done;
	return buf;
}

/* Copy an ELF vmlinux's loadable segments to their physical addresses. */
static void load_elf(struct guest *g, const u8 *buf, size_t len, const char *name)
{
	const struct elf32_hdr *eh = (const void *)buf;
	bool entry_loaded = false;
	unsigned int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		die("%s is neither an ELF vmlinux nor a bzImage", name);
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_386)
		die("%s is not a 32-bit x86 kernel", name);
	if (eh->e_type != ET_EXEC || eh->e_phentsize != sizeof(struct elf32_phdr) ||
	    eh->e_phoff > len || eh->e_phnum > (len - eh->e_phoff) / sizeof(struct elf32_phdr))
		die("%s: malformed ELF header", name);

	for (i = 0; i < eh->e_phnum; i++) {
		struct elf32_phdr copy, *ph = &copy;
		u8 *dst;

		/* The file puts the headers anywhere, aligned or not. */
		memcpy(&copy, buf + eh->e_phoff + i * sizeof(copy), sizeof(copy));

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset ||
		    ph->p_filesz > ph->p_memsz)
			die("%s: segment %u lies outside the file", name, i);
		if ((u64)ph->p_paddr + ph->p_memsz > g->top)
			die("%s: segment %u (0x%x+0x%x) needs more guest memory", name, i,
			    ph->p_paddr, ph->p_memsz);
		dst = gpa_ptr(g, ph->p_paddr, ph->p_memsz, "a kernel segment");
		memcpy(dst, buf + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		if (eh->e_entry >= ph->p_paddr && eh->e_entry < ph->p_paddr + ph->p_filesz)
			entry_loaded = true;
		verbose(g, "segment %u: 0x%08x-0x%08x\n", i, ph->p_paddr,
			ph->p_paddr + ph->p_memsz);
	}
	if (!entry_loaded)
		die("%s: the entry point 0x%x is in no loaded segment (not a vmlinux?)",
		    name, eh->e_entry);
	g->entry = eh->e_entry;
}

/* The decompressor for a bzImage payload, by its magic number. */
static const char *decompressor(const u8 *p, size_t len)
{
	static const struct {
		const char *cmd;
		unsigned int n;
		u8 magic[6];
	} kinds[] = {
		{ "gzip", 2, { 0x1f, 0x8b } },
		{ "xz", 6, { 0xfd, '7', 'z', 'X', 'Z', 0 } },
		{ "bzip2", 3, { 'B', 'Z', 'h' } },
		{ "lzma", 3, { 0x5d, 0, 0 } },
		{ "zstd", 4, { 0x28, 0xb5, 0x2f, 0xfd } },
		{ "lz4", 4, { 0x02, 0x21, 0x4c, 0x18 } },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (len >= kinds[i].n && !memcmp(p, kinds[i].magic, kinds[i].n))
			return kinds[i].cmd;
	return NULL;
}

/*
 * The vmlinux inside a bzImage: the payload after the setup sectors is the
 * compressed ELF.  Decompress it with the matching tool from $PATH.
 */
static u8 *unpack_bzimage(const u8 *buf, size_t len, const char *name, size_t *out_len)
{
	const struct setup_header *hdr = (const void *)(buf + 0x1f1);
	u32 setup_sects, off, plen;
	const char *cmd;
	char tmpl[] = "/tmp/lguest-payload.XXXXXX";
	u8 *out = NULL;
	size_t cap = 0, n = 0;
	int in, pipefd[2], status;
	ssize_t r;
	pid_t pid;

	if (len < 0x1f1 + sizeof(*hdr))
		die("%s: truncated bzImage", name);
	if (hdr->version < 0x208)
		die("%s: boot protocol %u.%02u has no payload fields", name,
		    hdr->version >> 8, hdr->version & 0xff);
	setup_sects = hdr->setup_sects ? hdr->setup_sects : 4;
	off = (setup_sects + 1) * 512 + hdr->payload_offset;
	plen = hdr->payload_length;
	if (off > len || plen > len - off)
		die("%s: payload lies outside the file", name);
	cmd = decompressor(buf + off, plen);
	if (!cmd)
		die("%s: unknown payload compression", name);
	/* Every format but gzip carries the unpacked size in 4 more bytes. */
	if (strcmp(cmd, "gzip")) {
		if (plen < 4)
			die("%s: truncated payload", name);
		plen -= 4;
	}

	in = mkstemp(tmpl);
	if (in < 0)
		die("cannot create a temporary file: %s", strerror(errno));
	unlink(tmpl);
	if (write(in, buf + off, plen) != (ssize_t)plen || lseek(in, 0, SEEK_SET))
		die("cannot write a temporary file: %s", strerror(errno));
	if (pipe(pipefd))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(in, 0);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execlp(cmd, cmd, "-dc", (char *)NULL);
		fprintf(stderr, "%s: error: cannot run %s to unpack %s: %s\n", prog, cmd,
			name, strerror(errno));
		_exit(127);
	}
	close(in);
	close(pipefd[1]);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16 << 20;
			out = realloc(out, cap);
			if (!out)
				die("out of memory unpacking %s", name);
		}
		r = read(pipefd[0], out + n, cap - n);
		if (r < 0)
			die("reading %s's output: %s", cmd, strerror(errno));
		if (r == 0)
			break;
		n += r;
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s: %s could not unpack the payload", name, cmd);
	*out_len = n;
	return out;
}

void load_kernel(struct guest *g, const char *path)
{
	size_t len, elf_len;
	u8 *buf = read_file(path, &len);
	u8 *elf;

	if (len >= 0x206 && !memcmp(buf + 0x202, "HdrS", 4)) {
		elf = unpack_bzimage(buf, len, path, &elf_len);
		load_elf(g, elf, elf_len, path);
		free(elf);
	} else {
		load_elf(g, buf, len, path);
	}
	free(buf);
}

/* Take 'len' bytes, page aligned, from the top of the free guest memory. */
static u32 take_top(struct guest *g, u32 len, const char *what)
{
	u32 size = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (size > g->top)
		die("not enough guest memory for %s", what);
	g->top -= size;
	memset(g->mem + g->top, 0, size);
	return g->top;
}

/*
 * Initial page tables: guest memory (RAM and device pages, or its low
 * memory if it has more) mapped with 4 KB pages at 0 and again at
 * PAGE_OFFSET, both through the same page tables.  The guest replaces
 * them early in its boot.
 */
static void build_pagetables(struct guest *g)
{
	u32 pages = g->ram_pages + DEVICE_PAGES;

	if (g->low_end < g->ram_pages * PAGE_SIZE)
		pages = g->low_end / PAGE_SIZE;
	u32 ntables = (pages + PTES_PER_TABLE - 1) / PTES_PER_TABLE;
	u32 tables = take_top(g, ntables * PAGE_SIZE, "the initial page tables");
	u32 *pgdir, *pte, i;

	g->pgdir = take_top(g, PAGE_SIZE, "the initial page directory");
	pgdir = (u32 *)(g->mem + g->pgdir);
	pte = (u32 *)(g->mem + tables);
	for (i = 0; i < pages; i++)
		pte[i] = i * PAGE_SIZE | PTE_PRESENT_RW;
	for (i = 0; i < ntables; i++) {
		pgdir[i] = (tables + i * PAGE_SIZE) | PTE_PRESENT_RW;
		pgdir[(PAGE_OFFSET >> 22) + i] = pgdir[i];
	}
}

void setup_boot(struct guest *g, const char *cmdline, const char *initrd)
{
	struct boot_params *bp;
	u32 cmd_gpa, initrd_gpa = 0, initrd_len = 0;
	size_t cmd_len = strlen(cmdline) + 1;

	g->boot_params = take_top(g, sizeof(*bp), "the boot parameters");
	cmd_gpa = take_top(g, cmd_len, "the command line");
	build_pagetables(g);
	g->reserved_start = g->top;

	/*
	 * The initrd goes in RAM, just below, as a boot loader puts it: the
	 * kernel reserves it there and frees it after unpacking.  (One
	 * outside RAM would be copied into a boot allocation first.)
	 */
	if (initrd) {
		size_t len;
		u8 *buf = read_file(initrd, &len);

		if (len > g->top / 2)
			die("%s is too big for %u MB of guest memory", initrd,
			    g->ram_pages / 256);
		initrd_len = len;
		initrd_gpa = take_top(g, len, "the initrd");
		memcpy(g->mem + initrd_gpa, buf, len);
		free(buf);
	}

	bp = (struct boot_params *)(g->mem + g->boot_params);
	memcpy(g->mem + cmd_gpa, cmdline, cmd_len);
	bp->hdr.version = 0x020f;
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.hardware_subarch = X86_SUBARCH_LGUEST;
	bp->hdr.cmd_line_ptr = cmd_gpa;
	bp->hdr.cmdline_size = cmd_len;
	bp->hdr.ramdisk_image = initrd_gpa;
	bp->hdr.ramdisk_size = initrd_len;
	bp->e820_entries = 2;
	bp->e820_table[0].addr = 0;
	bp->e820_table[0].size = g->reserved_start;
	bp->e820_table[0].type = E820_RAM;
	bp->e820_table[1].addr = g->reserved_start;
	bp->e820_table[1].size = g->low_end - g->reserved_start;
	bp->e820_table[1].type = E820_RESERVED;
	/* Memory above what we used: the guest's high memory. */
	if (g->low_end < g->ram_pages * PAGE_SIZE) {
		bp->e820_entries = 3;
		bp->e820_table[2].addr = g->low_end;
		bp->e820_table[2].size = (u64)g->ram_pages * PAGE_SIZE - g->low_end;
		bp->e820_table[2].type = E820_RAM;
	}
}
