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
 * The shadows of the last LGUEST_PGDIRS address spaces the guest loaded
 * are kept (struct lguest_pgdir, least recently loaded replaced first),
 * so that a context switch back to one of them needs no fault to map
 * again what it used.  The kernel half, the same page tables in every
 * address space, has one set of shadow page tables that every shadow
 * directory points to.
 *
 * The guest changes the page tables of a process that is not running
 * without telling anyone (a CPU would have nothing of them cached): a
 * page table that a kept shadow was made from is write-protected while
 * its address space is not loaded, wherever the host maps it for the
 * guest (the guest kernel writes page tables through its direct map;
 * a high-memory one through a temporary mapping, gone before the next
 * switch).  The first write to it drops the shadows made from it.  On
 * loading, an address space's shadows are checked against its page
 * directory as it is now.
 *
 * Refused: large pages (the guest is told there are none), pfns beyond
 * the guest's memory and device pages, and any mapping of the switcher
 * slot, which only the host maps, read-only but for the register page.
 */
#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/trap_pf.h>
#include "lg.h"

#define SHADOW_PGD_FLAGS	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

/* User entries filled in around a fault, and entries read at once. */
#define FAULT_AROUND	16
#define FILL_CHUNK	64

/* The slot of idx's shadow page table: the kernel half's are shared. */
static struct page **spt_slot(struct lguest *lg, u32 idx)
{
	return idx >= lg->kernel_pgd_first ? &lg->kernel_pt[idx] : &lg->cur->pt[idx];
}

/* The guest pde that idx's shadow page table stands for. */
static u32 *spde_slot(struct lguest *lg, u32 idx)
{
	return idx >= lg->kernel_pgd_first ? &lg->kernel_pde[idx] : &lg->cur->pde[idx];
}

static u32 *pgdir_entries(struct lguest_pgdir *d)
{
	return page_address(d->pgdir);
}

/*
 * Point entry idx of the shadow directories at pt (or at nothing): every
 * kept directory for the kernel half, the current one for the user half.
 */
static void set_shadow_pde(struct lguest *lg, u32 idx, struct page *pt)
{
	u32 val = pt ? page_to_phys(pt) | SHADOW_PGD_FLAGS : 0;
	unsigned int i;

	if (idx < lg->kernel_pgd_first) {
		pgdir_entries(lg->cur)[idx] = val;
		return;
	}
	for (i = 0; i < LGUEST_PGDIRS; i++)
		if (lg->pgdirs[i].pgdir)
			pgdir_entries(&lg->pgdirs[i])[idx] = val;
}

static unsigned int switcher_pgd_index(void)
{
	return switcher_addr >> PGDIR_SHIFT;
}

/*
 * The host page of guest pfn, pinned until the guest ends.  A pfn the
 * guest has no page for is a fatal fault when the guest touches it, but
 * only a skipped entry when the host fills in others around a fault
 * (quiet).
 */
static struct page *get_guest_page(struct lguest *lg, u32 pfn, bool quiet)
{
	struct page *page;

	if (pfn >= lg->mem_pages + lg->device_pages) {
		if (!quiet)
			kill_guest(lg, "guest pfn %#x beyond its memory", pfn);
		return NULL;
	}
	if (lg->pinned[pfn])
		return lg->pinned[pfn];
	if (pin_user_pages_fast(lg->mem_base + pfn * PAGE_SIZE, 1, FOLL_WRITE | FOLL_LONGTERM,
				&page) != 1) {
		if (!quiet)
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
 * A shadow page directory for gpgdir in d: the kernel half's shadow page
 * tables, and the switcher slot's page table (the text read-only, and
 * the pages of the host CPU the guest runs on, see map_switcher_cpu()).
 */
static int new_shadow_pgdir(struct lguest *lg, struct lguest_pgdir *d, u32 gpgdir)
{
	unsigned int i;
	u32 *e;

	d->pgdir = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!d->pgdir)
		return -ENOMEM;
	e = pgdir_entries(d);
	for (i = lg->kernel_pgd_first; i < PTRS_PER_PGD; i++)
		if (lg->kernel_pt[i])
			e[i] = page_to_phys(lg->kernel_pt[i]) | SHADOW_PGD_FLAGS;
	e[switcher_pgd_index()] = page_to_phys(lg->slot_pt) | _PAGE_PRESENT | _PAGE_RW;
	d->gpgdir = gpgdir;
	d->last_used = ++lg->pgdir_clock;
	return 0;
}

int init_shadow(struct lguest *lg, u32 pgdir)
{
	unsigned int i, first = pte_index(switcher_addr);
	u32 *pt;

	lg->pgdirs = kvcalloc(LGUEST_PGDIRS, sizeof(*lg->pgdirs), GFP_KERNEL_ACCOUNT);
	lg->pt_protected = bitmap_zalloc(lg->mem_pages, GFP_KERNEL_ACCOUNT);
	lg->slot_pt = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!lg->pgdirs || !lg->pt_protected || !lg->slot_pt)
		return -ENOMEM;
	pt = page_address(lg->slot_pt);
	for (i = 0; i < SWITCHER_TEXT_PAGES; i++)
		pt[first + i] = page_to_phys(switcher_page(i)) | _PAGE_PRESENT;
	lg->cur = &lg->pgdirs[0];
	lg->guest_pgdir = pgdir;
	return new_shadow_pgdir(lg, lg->cur, pgdir);
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

static void free_pt(struct lguest *lg, struct page **pt)
{
	__free_page(*pt);
	*pt = NULL;
	lg->stats.shadow_pages--;
}

/* Drop the shadow page table of idx in the current address space. */
static void drop_shadow_pt(struct lguest *lg, unsigned int idx)
{
	set_shadow_pde(lg, idx, NULL);
	free_pt(lg, spt_slot(lg, idx));
}

/* The user half of a kept address space that is not the current one. */
static void drop_user_pts(struct lguest *lg, struct lguest_pgdir *d)
{
	unsigned int i;

	for (i = 0; i < lg->kernel_pgd_first; i++) {
		if (!d->pt[i])
			continue;
		pgdir_entries(d)[i] = 0;
		free_pt(lg, &d->pt[i]);
	}
}

/* Forget every shadow mapping of the current address space but the switcher's. */
void drop_shadows(struct lguest *lg)
{
	unsigned int i;

	for (i = 0; i < PTRS_PER_PGD; i++)
		if (*spt_slot(lg, i))
			drop_shadow_pt(lg, i);
}

/* Two page directory entries name the same page table, same rights. */
static bool same_pde(u32 a, u32 b)
{
	return !((a ^ b) & ~(_PAGE_ACCESSED | _PAGE_DIRTY));
}

void free_shadow(struct lguest *lg)
{
	unsigned int i;

	if (lg->pgdirs) {
		for (i = 0; i < LGUEST_PGDIRS; i++) {
			struct lguest_pgdir *d = &lg->pgdirs[i];

			if (!d->pgdir)
				continue;
			drop_user_pts(lg, d);
			__free_page(d->pgdir);
		}
		for (i = 0; i < PTRS_PER_PGD; i++)
			if (lg->kernel_pt[i])
				free_pt(lg, &lg->kernel_pt[i]);
		kvfree(lg->pgdirs);
		lg->pgdirs = NULL;
	}
	bitmap_free(lg->pt_protected);
	lg->pt_protected = NULL;
	if (lg->slot_pt) {
		__free_page(lg->slot_pt);
		lg->slot_pt = NULL;
	}
}

/* The shadow entry of the guest's direct mapping of its page pfn, or NULL. */
static u32 *direct_map_spte(struct lguest *lg, u32 pfn)
{
	u32 page_offset = lg->kernel_pgd_first << PGDIR_SHIFT;
	u32 vaddr = page_offset + pfn * PAGE_SIZE, *e;

	if (vaddr < page_offset || vaddr >= switcher_addr || !lg->pinned[pfn] ||
	    !lg->kernel_pt[vaddr >> PGDIR_SHIFT])
		return NULL;
	e = (u32 *)page_address(lg->kernel_pt[vaddr >> PGDIR_SHIFT]) + pte_index(vaddr);
	/* Only if it maps that page: the direct map may end before it. */
	return (*e & PAGE_MASK) == page_to_phys(lg->pinned[pfn]) ? e : NULL;
}

/*
 * Leaving address space d: write-protect the guest page tables its user
 * shadows were made from (see the top of this file).
 */
static void protect_pts(struct lguest *lg, struct lguest_pgdir *d)
{
	unsigned int i;
	u32 pfn, *spte;

	for (i = 0; i < lg->kernel_pgd_first; i++) {
		if (!d->pt[i])
			continue;
		pfn = d->pde[i] >> PAGE_SHIFT;
		if (pfn >= lg->mem_pages)
			continue;
		set_bit(pfn, lg->pt_protected);
		spte = direct_map_spte(lg, pfn);
		if (spte)
			*spte &= ~_PAGE_RW;
	}
}

/*
 * The guest writes page table pfn, or makes it the page table of the
 * current address space: drop the shadows other address spaces have of
 * it, and let it be written.
 */
static void unprotect_pt(struct lguest *lg, u32 pfn)
{
	unsigned int i, j;

	if (pfn >= lg->mem_pages || !test_and_clear_bit(pfn, lg->pt_protected))
		return;
	for (i = 0; i < LGUEST_PGDIRS; i++) {
		struct lguest_pgdir *d = &lg->pgdirs[i];

		if (!d->pgdir || d == lg->cur)
			continue;
		for (j = 0; j < lg->kernel_pgd_first; j++) {
			if (d->pt[j] && d->pde[j] >> PAGE_SHIFT == pfn) {
				pgdir_entries(d)[j] = 0;
				free_pt(lg, &d->pt[j]);
			}
		}
	}
}

/*
 * Loading address space d again: its page tables are the guest's to
 * write freely (a CPU caches nothing of them that a write would leave
 * stale without a flush).  The direct map's shadow entries for them are
 * made writable again where the guest's are writable and dirty.
 */
static void unprotect_own_pts(struct lguest *lg, struct lguest_pgdir *d)
{
	unsigned int i;
	u32 pfn, *spte, vaddr, pde, pte, pte_gpa;

	for (i = 0; i < lg->kernel_pgd_first; i++) {
		if (!d->pt[i])
			continue;
		pfn = d->pde[i] >> PAGE_SHIFT;
		if (pfn >= lg->mem_pages || !test_bit(pfn, lg->pt_protected))
			continue;
		spte = direct_map_spte(lg, pfn);
		vaddr = (lg->kernel_pgd_first << PGDIR_SHIFT) + pfn * PAGE_SIZE;
		if (spte && guest_walk(lg, vaddr, &pde, &pte, &pte_gpa) &&
		    (pte & pde & _PAGE_RW) && (pte & _PAGE_DIRTY))
			*spte |= _PAGE_RW;
		/* (Which drops d's own shadow of it, if d is not current.) */
		unprotect_pt(lg, pfn);
	}
}

/* Forget kept address space d, which is not the current one. */
static void release_pgdir(struct lguest *lg, struct lguest_pgdir *d)
{
	unprotect_own_pts(lg, d);
	drop_user_pts(lg, d);
	__free_page(d->pgdir);
	d->pgdir = NULL;
}

/*
 * The current address space's shadows, checked against the guest's page
 * directory as it is now: a shadow page table whose guest entry names
 * another table, or other rights, goes.
 */
static void check_pdes(struct lguest *lg)
{
	u32 gpd[FILL_CHUNK];
	unsigned int i, j;

	for (i = 0; i < PTRS_PER_PGD; i += FILL_CHUNK) {
		void __user *src = gpa_user(lg, lg->guest_pgdir + i * sizeof(u32), sizeof(gpd));

		if (!src || copy_from_user(gpd, src, sizeof(gpd))) {
			kill_guest(lg, "cannot read page directory %#x", lg->guest_pgdir);
			return;
		}
		for (j = 0; j < FILL_CHUNK; j++)
			if (*spt_slot(lg, i + j) &&
			    (!(gpd[j] & _PAGE_PRESENT) || !same_pde(gpd[j], *spde_slot(lg, i + j))))
				drop_shadow_pt(lg, i + j);
	}
}

/*
 * The guest loads cr3.  Its TLB then holds nothing of the user half, but
 * the kernel half's global pages, which the guest flushes explicitly
 * when it changes them.  The address space's kept shadows are taken up
 * again (or, for a new one, the least recently loaded one's slot, never
 * the current one's); a reload of the current one drops its user half,
 * as the CPU's reload would.
 */
bool new_pgdir(struct lguest *lg, u32 pgdir)
{
	struct lguest_pgdir *d = NULL, *lru = NULL;
	unsigned int i;

	if (!PAGE_ALIGNED(pgdir) || pgdir >= lg->mem_pages * PAGE_SIZE) {
		kill_guest(lg, "bad page directory %#x", pgdir);
		return false;
	}
	if (pgdir == lg->guest_pgdir) {
		for (i = 0; i < lg->kernel_pgd_first; i++)
			if (lg->cur->pt[i])
				drop_shadow_pt(lg, i);
		check_pdes(lg);
		return !lg->dead;
	}
	for (i = 0; i < LGUEST_PGDIRS; i++) {
		struct lguest_pgdir *e = &lg->pgdirs[i];

		if (e->pgdir && e->gpgdir == pgdir) {
			d = e;
			break;
		}
		if (e == lg->cur)
			continue;
		if (!lru || !e->pgdir || (lru->pgdir && e->last_used < lru->last_used))
			lru = e;
	}
	if (!d) {
		d = lru;
		if (d->pgdir) {
			lg->stats.pgdir_evictions++;
			release_pgdir(lg, d);
		}
		if (new_shadow_pgdir(lg, d, pgdir)) {
			kill_guest(lg, "out of memory for shadow page tables");
			return false;
		}
	} else {
		lg->stats.pgdir_hits++;
	}
	/*
	 * Leaving an address space flushes the TLB of it: Linux may have
	 * changed its page tables while it stayed loaded under a kernel
	 * thread, whose flush is the switch itself.  Its shadows are brought
	 * in line with its tables, and from now on its tables are guarded.
	 */
	flush_shadow(lg, true);
	protect_pts(lg, lg->cur);
	d->last_used = ++lg->pgdir_clock;
	lg->cur = d;
	lg->guest_pgdir = pgdir;
	check_pdes(lg);
	unprotect_own_pts(lg, d);
	return !lg->dead;
}

/*
 * The guest is done with the address space of pgdir (LHCALL_DROP_PGTABLE,
 * from exit_mmap()), or changed it while it was not loaded
 * (LHCALL_SET_PTE, LHCALL_SET_PGD): its kept shadows go.  The current
 * one's user half goes; its kernel half is every address space's.
 */
void forget_pgdir(struct lguest *lg, u32 pgdir)
{
	unsigned int i;

	if (pgdir == lg->guest_pgdir) {
		for (i = 0; i < lg->kernel_pgd_first; i++)
			if (lg->cur->pt[i])
				drop_shadow_pt(lg, i);
		return;
	}
	for (i = 0; i < LGUEST_PGDIRS; i++) {
		struct lguest_pgdir *d = &lg->pgdirs[i];

		if (d->pgdir && d->gpgdir == pgdir)
			release_pgdir(lg, d);
	}
}

/*
 * The shadow entry for a guest pte under pde, or 0 if its page is not
 * the guest's (see get_guest_page() for quiet): the guest's own rights,
 * but writable only once the guest's entry is dirty, and not if it is a
 * write-protected page table.
 */
static u32 shadow_pte(struct lguest *lg, u32 pde, u32 pte, bool quiet)
{
	u32 pfn = pte >> PAGE_SHIFT, flags = _PAGE_PRESENT | (pte & pde & _PAGE_USER);
	struct page *page = get_guest_page(lg, pfn, quiet);

	if (!page)
		return 0;
	if ((pte & pde & _PAGE_RW) && (pte & _PAGE_DIRTY) &&
	    (pfn >= lg->mem_pages || !test_bit(pfn, lg->pt_protected)))
		flags |= _PAGE_RW;
	return page_to_phys(page) | flags;
}

/*
 * Around a fault, fill in the entries of the same guest page table that
 * the guest has already used (accessed bit set: nothing it has not
 * touched, as a CPU would not cache it): in the kernel half the whole
 * table, since the kernel's mappings (its direct map, mostly) are
 * shared by every process and touched by all; in the user half an
 * aligned block of FAULT_AROUND.  Each saves a trip through the host.
 */
static void fill_around(struct lguest *lg, u32 idx, u32 pde, u32 vaddr)
{
	u32 *spt = page_address(*spt_slot(lg, idx)), first, n, i, j;
	u32 buf[FILL_CHUNK];

	if (idx >= lg->kernel_pgd_first) {
		first = 0;
		n = PTRS_PER_PTE;
	} else {
		first = pte_index(vaddr) & ~(FAULT_AROUND - 1);
		n = FAULT_AROUND;
	}
	for (i = first; i < first + n; i += FILL_CHUNK) {
		u32 len = min_t(u32, FILL_CHUNK, first + n - i) * sizeof(u32);
		void __user *src = gpa_user(lg, (pde & PAGE_MASK) + i * sizeof(u32), len);

		if (!src || copy_from_user(buf, src, len))
			return;
		for (j = 0; j < len / sizeof(u32); j++) {
			if (spt[i + j] || (buf[j] & (_PAGE_PRESENT | _PAGE_ACCESSED)) !=
					  (_PAGE_PRESENT | _PAGE_ACCESSED))
				continue;
			spt[i + j] = shadow_pte(lg, pde, buf[j], true);
		}
	}
}

/*
 * Bring shadow page table idx in line with the guest's page table, as if
 * the CPU had flushed its TLB and at once walked the guest's tables again
 * for every address the shadow maps: each entry the guest has not
 * changed back to not present or not accessed is kept, with the rights
 * the guest's entry gives now (a fork's write protection, say).  The
 * shadow is dropped if the guest's directory no longer names that
 * table.
 */
static void resync_shadow_pt(struct lguest *lg, unsigned int idx)
{
	u32 *spt = page_address(*spt_slot(lg, idx)), buf[FILL_CHUNK], pde, i, j;
	void __user *src;

	if (!read_gpa(lg, lg->guest_pgdir + idx * sizeof(u32), &pde) ||
	    !(pde & _PAGE_PRESENT) || !same_pde(pde, *spde_slot(lg, idx))) {
		drop_shadow_pt(lg, idx);
		return;
	}
	for (i = 0; i < PTRS_PER_PTE; i += FILL_CHUNK) {
		if (!memchr_inv(spt + i, 0, sizeof(buf)))
			continue;
		src = gpa_user(lg, (pde & PAGE_MASK) + i * sizeof(u32), sizeof(buf));
		if (!src || copy_from_user(buf, src, sizeof(buf))) {
			drop_shadow_pt(lg, idx);
			return;
		}
		for (j = 0; j < FILL_CHUNK; j++) {
			if (!spt[i + j])
				continue;
			if ((buf[j] & (_PAGE_PRESENT | _PAGE_ACCESSED)) !=
			    (_PAGE_PRESENT | _PAGE_ACCESSED))
				spt[i + j] = 0;
			else
				spt[i + j] = shadow_pte(lg, pde, buf[j], true);
		}
	}
}

/*
 * A TLB flush of the guest's: of its user half only (user), or of all,
 * the guest's kernel mappings too (which it flushes explicitly when it
 * changes them, as on a CPU with global pages).  The shadows are brought
 * in line with the guest's tables rather than dropped: what the guest
 * still maps, it need not fault in again.
 */
void flush_shadow(struct lguest *lg, bool user)
{
	unsigned int i, end = user ? lg->kernel_pgd_first : PTRS_PER_PGD;

	for (i = 0; i < end && !lg->dead; i++) {
		if (*spt_slot(lg, i))
			resync_shadow_pt(lg, i);
		cond_resched();
	}
}

/*
 * The guest changed the mapping of vaddr and flushes it: the new entry,
 * if the guest has used it already, replaces the shadow's at once (a
 * copy-on-write fault needs no second trip to map the copy).
 */
void flush_shadow_one(struct lguest *lg, u32 vaddr)
{
	u32 idx = vaddr >> PGDIR_SHIFT, pde, pte, pte_gpa, *spt;

	if (!*spt_slot(lg, idx))
		return;
	spt = page_address(*spt_slot(lg, idx));
	spt[pte_index(vaddr)] = 0;
	if (guest_walk(lg, vaddr, &pde, &pte, &pte_gpa) && same_pde(pde, *spde_slot(lg, idx)) &&
	    (pte & _PAGE_ACCESSED))
		spt[pte_index(vaddr)] = shadow_pte(lg, pde, pte, true);
}

/*
 * Before another shadow page table: within LGUEST_SHADOW_PAGES, by
 * forgetting the least recently loaded address spaces, and then the
 * current one's shadows.
 */
static void make_room(struct lguest *lg)
{
	while (lg->stats.shadow_pages >= LGUEST_SHADOW_PAGES) {
		struct lguest_pgdir *lru = NULL;
		unsigned int i;

		for (i = 0; i < LGUEST_PGDIRS; i++) {
			struct lguest_pgdir *e = &lg->pgdirs[i];

			if (e->pgdir && e != lg->cur && (!lru || e->last_used < lru->last_used))
				lru = e;
		}
		if (!lru) {
			drop_shadows(lg);
			return;
		}
		lg->stats.pgdir_evictions++;
		release_pgdir(lg, lru);
	}
}

/*
 * A guest page fault at vaddr: true if the shadow now maps it (the guest
 * retries), false if the fault is the guest's (or the guest was killed).
 */
bool demand_page(struct lguest *lg, u32 vaddr, u32 errcode)
{
	u32 pde, pte, pte_gpa, idx = vaddr >> PGDIR_SHIFT, spte;
	bool write = errcode & X86_PF_WRITE;

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
	if (!get_guest_page(lg, pte >> PAGE_SHIFT, false))
		return false;
	/* A write to the page table of an address space that is not loaded. */
	if (write)
		unprotect_pt(lg, pte >> PAGE_SHIFT);
	if (!(pde & _PAGE_ACCESSED) &&
	    !write_gpa(lg, lg->guest_pgdir + idx * 4, pde | _PAGE_ACCESSED))
		return false;
	pte |= _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
	if (!write_gpa(lg, pte_gpa, pte))
		return false;
	/* A shadow page table always stands for one guest page table. */
	if (*spt_slot(lg, idx) && !same_pde(pde, *spde_slot(lg, idx)))
		drop_shadow_pt(lg, idx);
	if (!*spt_slot(lg, idx)) {
		struct page *pt;

		make_room(lg);
		pt = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!pt) {
			kill_guest(lg, "out of memory for shadow page tables");
			return false;
		}
		/* Another address space's shadow of that table would go stale. */
		if (idx < lg->kernel_pgd_first)
			unprotect_pt(lg, pde >> PAGE_SHIFT);
		*spt_slot(lg, idx) = pt;
		*spde_slot(lg, idx) = pde;
		set_shadow_pde(lg, idx, pt);
		lg->stats.shadow_pages++;
	}
	spte = shadow_pte(lg, pde, pte, false);
	if (!spte)
		return false;
	((u32 *)page_address(*spt_slot(lg, idx)))[pte_index(vaddr)] = spte;
	fill_around(lg, idx, pde, vaddr);
	lg->stats.pf_shadow++;
	return true;
}
