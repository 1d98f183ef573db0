// SPDX-License-Identifier: GPL-2.0
/*
 * ring1: the smallest "hypervisor" that starts a 32-bit Linux kernel the
 * way a paravirtualizing one does, to test startup_32's deprivileged
 * entry without one.
 *
 * Booted by QEMU as a multiboot kernel with the kernel's vmlinux as its
 * module, it copies vmlinux's segments to their physical addresses, maps
 * the first 256 MB both at 0 and at PAGE_OFFSET with 4 MB pages, and
 * enters startup_32 in ring 1 with flat ring-1 segments and %esi pointing
 * to an empty boot_params page.  It has no hypercalls: the first
 * exception the kernel takes comes back here.  The stub prints the
 * vector, the faulting instruction and its code segment on the serial
 * port and exits QEMU through isa-debug-exit with status 2 * vector + 1.
 *
 * A kernel with the paravirt probe path and no probe registered stops at
 * the ud2 after the probe loop (#UD, at a virtual address); a kernel
 * without it faults on its first lgdt (#GP, at a physical address).
 */
#include <stdint.h>

#define SERIAL_PORT	0x3f8
#define DEBUG_EXIT_PORT	0xf4
#define PAGE_OFFSET	0xc0000000u
#define MAPPED_MB	256

#define SEL_CODE0	0x08
#define SEL_DATA0	0x10
#define SEL_TSS		0x28

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

struct elf32_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

struct frame {
	uint32_t vector, error, eip, cs, eflags, esp, ss;
};

void enter_ring1(uint32_t eip, uint32_t esp, uint32_t esi);
extern char exc0[], exc1[], exc2[], exc3[], exc4[], exc5[], exc6[], exc7[];
extern char exc8[], exc9[], exc10[], exc11[], exc12[], exc13[], exc14[];
extern char exc15[], exc16[], exc17[], exc18[], exc19[];

static char *const exc_stubs[] = {
	exc0, exc1, exc2, exc3, exc4, exc5, exc6, exc7, exc8, exc9,
	exc10, exc11, exc12, exc13, exc14, exc15, exc16, exc17, exc18, exc19,
};

static uint32_t page_dir[1024] __attribute__((aligned(4096)));
static uint8_t boot_params[4096] __attribute__((aligned(4096)));
static uint8_t ring1_stack[4096] __attribute__((aligned(16)));
static uint64_t gdt[6];
static uint64_t idt[32];
static uint32_t tss[26];
extern char stack_top[];

static inline void outb(uint8_t v, uint16_t port)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void puts_serial(const char *s)
{
	while (*s)
		outb(*s++, SERIAL_PORT);
}

static void put_hex(uint32_t v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[11] = "0x";
	int i;

	for (i = 0; i < 8; i++)
		buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xf];
	buf[10] = 0;
	puts_serial(buf);
}

static void __attribute__((noreturn)) finish(uint32_t code)
{
	outb(code, DEBUG_EXIT_PORT);
	for (;;)
		asm volatile("hlt");
}

static void __attribute__((noreturn)) fail(const char *why)
{
	puts_serial("ring1: error: ");
	puts_serial(why);
	puts_serial("\n");
	finish(0x7f);
}

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t access,
			 uint32_t flags)
{
	return (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

static uint64_t gate_desc(uint32_t handler)
{
	/* 32-bit interrupt gate, present, DPL 0, ring-0 code segment. */
	return (uint64_t)(handler & 0xffff) | ((uint64_t)SEL_CODE0 << 16) |
	       ((uint64_t)0x8e << 40) | ((uint64_t)(handler >> 16) << 48);
}

static void load_kernel(const struct mb_info *mbi)
{
	const struct mb_module *mod;
	const struct elf32_ehdr *eh;
	const struct elf32_phdr *ph;
	uint32_t i, j;

	if (!(mbi->flags & (1u << 3)) || mbi->mods_count < 1)
		fail("no vmlinux module (use -initrd vmlinux)");
	mod = (const struct mb_module *)mbi->mods_addr;
	eh = (const struct elf32_ehdr *)mod->start;
	if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' ||
	    eh->ident[3] != 'F' || eh->ident[4] != 1 || eh->machine != 3)
		fail("the module is not a 32-bit x86 ELF vmlinux");
	for (i = 0; i < eh->phnum; i++) {
		ph = (const struct elf32_phdr *)(mod->start + eh->phoff +
						 i * eh->phentsize);
		if (ph->type != 1)
			continue;
		if (ph->paddr < mod->end || ph->paddr + ph->memsz > (MAPPED_MB << 20))
			fail("a vmlinux segment overlaps the stub or lies beyond the map");
		for (j = 0; j < ph->filesz; j++)
			((uint8_t *)ph->paddr)[j] = ((const uint8_t *)mod->start)[ph->offset + j];
		for (; j < ph->memsz; j++)
			((uint8_t *)ph->paddr)[j] = 0;
	}
	puts_serial("ring1: entering startup_32 at ");
	put_hex(eh->entry);
	puts_serial(" in ring 1\n");
	enter_ring1(eh->entry, (uint32_t)(ring1_stack + sizeof(ring1_stack)),
		    (uint32_t)boot_params);
}

void ring1_main(const struct mb_info *mbi)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr, idtr;
	uint32_t i;

	gdt[1] = seg_desc(0, 0xfffff, 0x9a, 0xc);	/* ring-0 code */
	gdt[2] = seg_desc(0, 0xfffff, 0x92, 0xc);	/* ring-0 data */
	gdt[3] = seg_desc(0, 0xfffff, 0xba, 0xc);	/* ring-1 code */
	gdt[4] = seg_desc(0, 0xfffff, 0xb2, 0xc);	/* ring-1 data */
	gdt[5] = seg_desc((uint32_t)tss, sizeof(tss) - 1, 0x89, 0);
	tss[1] = (uint32_t)stack_top;			/* esp0 */
	tss[2] = SEL_DATA0;				/* ss0 */
	tss[25] = sizeof(tss) << 16;			/* no I/O bitmap */
	for (i = 0; i < 20; i++)
		idt[i] = gate_desc((uint32_t)exc_stubs[i]);

	gdtr.limit = sizeof(gdt) - 1;
	gdtr.base = (uint32_t)gdt;
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint32_t)idt;
	asm volatile("lgdt %0\n\t"
		     "ljmp %1, $1f\n"
		     "1:\tmovl %2, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "lidt %3\n\t"
		     "ltr %w4"
		     : : "m"(gdtr), "i"(SEL_CODE0), "i"(SEL_DATA0), "m"(idtr),
		       "r"(SEL_TSS) : "eax", "memory");

	/* 4 MB pages: the first MAPPED_MB at 0 and again at PAGE_OFFSET. */
	for (i = 0; i < MAPPED_MB / 4; i++) {
		page_dir[i] = (i << 22) | 0x83;
		page_dir[(PAGE_OFFSET >> 22) + i] = (i << 22) | 0x83;
	}
	asm volatile("movl %%cr4, %%eax\n\t"
		     "orl $0x10, %%eax\n\t"		/* PSE */
		     "movl %%eax, %%cr4\n\t"
		     "movl %0, %%cr3\n\t"
		     "movl %%cr0, %%eax\n\t"
		     "orl $0x80000000, %%eax\n\t"	/* PG */
		     "movl %%eax, %%cr0"
		     : : "r"(page_dir) : "eax", "memory");

	load_kernel(mbi);
}

void ring1_exception(const struct frame *f)
{
	const uint8_t *insn = (const uint8_t *)f->eip;

	puts_serial("ring1: vector=");
	put_hex(f->vector);
	puts_serial(" error=");
	put_hex(f->error);
	puts_serial(" eip=");
	put_hex(f->eip);
	puts_serial(" cs=");
	put_hex(f->cs);
	puts_serial(" insn=");
	put_hex(insn[0] | insn[1] << 8);
	puts_serial("\n");
	finish(f->vector);
}
