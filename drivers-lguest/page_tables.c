// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow page tables.  The guest keeps ordinary 2-level page tables in
 * its own memory, with guest-physical addresses in them; the CPU runs on
 * shadow tables the host builds from those on demand, with the host's
 * physical addresses of the launcher's pages.  A guest page fault is
 * first tried here: if the guest's tables allow the access, the shadow
 * entry is filled in and the guest retries; otherwise the fault is the
 * guest's own.
 *
 * The guest's accessed and dirty bits are kept as the CPU would keep
 * them: a shadow entry is only made writable once the guest's entry is
 * dirty, so the first write faults here and sets it.
 *
 * A new guest cr3 drops the shadows of its user half but keeps those of
 * its kernel half, which every address space shares: a context switch
 * does not fault the kernel back in page by page.
 *
 * Refused: large pages (the guest is told there are none), pfns beyond
 * the guest's memory and device pages, and any mapping of the switcher
 * slot, which only the host maps, read-only but for the register page.
 */
#include <linux/mm.h>
#include <linux/io.h>
#include <asm/trap_pf.h>
#include "lg.h"

#define SHADOW_PGD_FLAGS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

static unsigned int switcher_pgd_index(void)
{
	return switcher_addr >> PGDIR_SHIFT;
}

static struct page *pin_guest_page(struct lguest *lg, u32 pfn)
{
	struct page *page;

	if (pfn >= lg->mem_pages + lg->device_pages) {
		kill_guest(lg, "guest pfn %#x beyond its memory", pfn);
		return NULL;
	}
	if (lg->pinned[pfn])
		return lg->pinned[pfn];
	if (pin_user_pages_fast(lg->mem_base + pfn * PAGE_SIZE, 1, FOLL_WRITE | FOLL_LONGTERM,
				&page) != 1) {
		kill_guest(lg, "cannot pin guest pfn %#x", pfn);
		return NULL;
	}
	lg->pinned[pfn] = page;
	lg->stats.pinned++;
	if (PageHighMem(page))
		lg->stats.pinned_highmem++;
	return page;
}

/*
 * The shadow page directory maps the switcher slot with a page table of
 * its own: the text read-only, and the pages of the host CPU the guest
 * runs on (map_switcher_cpu()).
 */
int init_shadow(struct lguest *lg, u32 pgdir)
{
	unsigned int i, first = pte_index(switcher_addr);
	u32 *pt;

	lg->shadow_pgdir = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	lg->slot_pt = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!lg->shadow_pgdir || !lg->slot_pt)
		return -ENOMEM;
	pt = page_address(lg->slot_pt);
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		pt[first + i] = page_to_phys(switcher_page(i)) | _PAGE_PRESENT;
	((u32 *)page_address(lg->shadow_pgdir))[switcher_pgd_index()] =
		page_to_phys(lg->slot_pt) | _PAGE_PRESENT | _PAGE_RW;
	lg->guest_pgdir = pgdir;
	return 0;
}

/*
 * Map host CPU cpu's pages into the guest's slot, in place of those of
 * the CPU it ran on before, so that it never sees another CPU's (which
 * hold another guest's tables): the register page read-write (ring 0
 * only: the guest kernel runs in ring 1, which the MMU counts as
 * supervisor, but every field the switcher takes from that page is
 * rewritten by the host or checked before each entry), the host state
 * and tables and the LDT read-only.  The guest is not running: its cr3
 * is reloaded, and its TLB flushed, on the way in.
 */
void map_switcher_cpu(struct lguest *lg, unsigned int cpu)
{
	unsigned int i, first = pte_index(switcher_addr) + switcher_cpu_page(cpu);
	u32 *pt = page_address(lg->slot_pt);

	if (lg->slot_cpu >= 0) {
		lg->stats.migrations++;
		memset(pt + pte_index(switcher_addr) + switcher_cpu_page(lg->slot_cpu), 0,
		       SWITCHER_PAGES_PER_CPU * sizeof(*pt));
	}
	pt[first] = page_to_phys(switcher_page(switcher_cpu_page(cpu))) |
		    _PAGE_PRESENT | _PAGE_RW;
	for (i = 1; i < SWITCHER_PAGES_PER_CPU; i++)
		pt[first + i] = page_to_phys(switcher_page(switcher_cpu_page(cpu) + i)) |
				_PAGE_PRESENT;
	lg->slot_cpu = cpu;
}

static void drop_shadow_pt(struct lguest *lg, unsigned int idx)
{
	((u32 *)page_address(lg->shadow_pgdir))[idx] = 0;
	__free_page(lg->shadow_pt[idx]);
	lg->shadow_pt[idx] = NULL;
}

/* Forget every shadow mapping but the switcher's. */
void flush_shadow(struct lguest *lg)
{
	unsigned int i;

	for (i = 0; i < PTRS_PER_PGD; i++)
		if (lg->shadow_pt[i])
			drop_shadow_pt(lg, i);
}

/* Two page directory entries name the same page table, same rights. */
static bool same_pde(u32 a, u32 b)
{
	return !((a ^ b) & ~(_PAGE_ACCESSED | _PAGE_DIRTY));
}

void flush_shadow_one(struct lguest *lg, u32 vaddr)
{
	struct page *pt = lg->shadow_pt[vaddr >> PGDIR_SHIFT];

	if (pt)
		((u32 *)page_address(pt))[pte_index(vaddr)] = 0;
}

void free_shadow(struct lguest *lg)
{
	if (lg->shadow_pgdir) {
		flush_shadow(lg);
		__free_page(lg->shadow_pgdir);
		lg->shadow_pgdir = NULL;
	}
	if (lg->slot_pt) {
		__free_page(lg->slot_pt);
		lg->slot_pt = NULL;
	}
}

bool new_pgdir(struct lguest *lg, u32 pgdir)
{
	unsigned int i;
	u32 pde;

	if (!PAGE_ALIGNED(pgdir) || pgdir >= lg->mem_pages * PAGE_SIZE) {
		kill_guest(lg, "bad page directory %#x", pgdir);
		return false;
	}
	lg->guest_pgdir = pgdir;

	/*
	 * A new cr3 flushes the TLB of everything but global pages, and the
	 * guest's user mappings may have changed meanwhile, unflushed: they
	 * all go.  Its kernel half is the same page tables in every address
	 * space, and the guest flushes explicitly after changing them, as it
	 * must on a CPU with global pages: those shadows are kept wherever
	 * the new directory points to the same guest page table.
	 */
	for (i = 0; i < PTRS_PER_PGD; i++) {
		if (!lg->shadow_pt[i])
			continue;
		if (i >= lg->kernel_pgd_first &&
		    read_gpa(lg, pgdir + i * sizeof(u32), &pde) && same_pde(pde, lg->shadow_pde[i]))
			continue;
		drop_shadow_pt(lg, i);
	}
	return !lg->dead;
}

/*
 * Walk the guest's tables for vaddr: its pde and pte (and where the pte
 * is), or false if the page is not present.  A large page kills the
 * guest.
 */
static bool guest_walk(struct lguest *lg, u32 vaddr, u32 *pde, u32 *pte, u32 *pte_gpa)
{
	if (!read_gpa(lg, lg->guest_pgdir + (vaddr >> PGDIR_SHIFT) * 4, pde) ||
	    !(*pde & _PAGE_PRESENT))
		return false;
	if (*pde & _PAGE_PSE) {
		kill_guest(lg, "large page at %#x", vaddr);
		return false;
	}
	*pte_gpa = (*pde & PAGE_MASK) + pte_index(vaddr) * 4;
	return read_gpa(lg, *pte_gpa, pte) && (*pte & _PAGE_PRESENT);
}

/* The launcher's address for a guest virtual address in RAM, or 0. */
unsigned long guest_va_to_user(struct lguest *lg, u32 vaddr, bool write)
{
	u32 pde, pte, pte_gpa;

	if (!guest_walk(lg, vaddr, &pde, &pte, &pte_gpa) ||
	    (write && !(pte & pde & _PAGE_RW)) || (pte >> PAGE_SHIFT) >= lg->mem_pages)
		return 0;
	return lg->mem_base + (pte & PAGE_MASK) + (vaddr & ~PAGE_MASK);
}

/*
 * len bytes at a guest virtual address, through the guest's tables (any
 * privilege): false if a page is not present or not in its RAM.
 */
bool read_guest_virt(struct lguest *lg, u32 vaddr, void *buf, u32 len)
{
	while (len) {
		u32 n = min_t(u32, len, PAGE_SIZE - (vaddr & ~PAGE_MASK));
		unsigned long uaddr = guest_va_to_user(lg, vaddr, false);

		if (!uaddr || copy_from_user(buf, (void __user *)uaddr, n))
			return false;
		buf += n;
		vaddr += n;
		len -= n;
	}
	return true;
}

/*
 * A guest page fault at vaddr: true if the shadow now maps it (the guest
 * retries), false if the fault is the guest's (or the guest was killed).
 */
bool demand_page(struct lguest *lg, u32 vaddr, u32 errcode)
{
	u32 pde, pte, pte_gpa, idx = vaddr >> PGDIR_SHIFT;
	bool write = errcode & X86_PF_WRITE;
	u32 *spt, flags;
	struct page *page;

	if (idx >= switcher_pgd_index()) {
		/* From guest user mode, a fault like any at a kernel address. */
		if (!(errcode & X86_PF_USER))
			kill_guest(lg, "access to the switcher slot at %#x (eip %#x)", vaddr,
				   lg->regs.eip);
		return false;
	}
	/*
	 * The guest's own fault: its error code says what the guest's
	 * tables say (the shadow entry may be absent where the guest's is
	 * present and forbids the access).
	 */
	if (!guest_walk(lg, vaddr, &pde, &pte, &pte_gpa)) {
		lg->regs.errcode &= ~X86_PF_PROT;
		return false;
	}
	if ((write && !(pte & pde & _PAGE_RW)) ||
	    ((errcode & X86_PF_USER) && !(pte & pde & _PAGE_USER))) {
		lg->regs.errcode |= X86_PF_PROT;
		return false;
	}
	page = pin_guest_page(lg, pte >> PAGE_SHIFT);
	if (!page)
		return false;
	if (!(pde & _PAGE_ACCESSED) &&
	    !write_gpa(lg, lg->guest_pgdir + idx * 4, pde | _PAGE_ACCESSED))
		return false;
	pte |= _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
	if (!write_gpa(lg, pte_gpa, pte))
		return false;
	/* A shadow page table always stands for one guest page table. */
	if (lg->shadow_pt[idx] && !same_pde(pde, lg->shadow_pde[idx]))
		drop_shadow_pt(lg, idx);
	if (!lg->shadow_pt[idx]) {
		lg->shadow_pt[idx] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!lg->shadow_pt[idx]) {
			kill_guest(lg, "out of memory for shadow page tables");
			return false;
		}
		((u32 *)page_address(lg->shadow_pgdir))[idx] =
			page_to_phys(lg->shadow_pt[idx]) | SHADOW_PGD_FLAGS;
		lg->shadow_pde[idx] = pde;
	}
	flags = _PAGE_PRESENT | (pte & pde & _PAGE_USER);
	if ((pte & pde & _PAGE_RW) && (pte & _PAGE_DIRTY))
		flags |= _PAGE_RW;
	spt = page_address(lg->shadow_pt[idx]);
	spt[pte_index(vaddr)] = page_to_phys(page) | flags;
	lg->stats.page_faults++;
	return true;
}
