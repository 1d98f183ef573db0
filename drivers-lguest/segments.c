// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's GDT.  The guest cannot load a GDT of its own: it sends its
 * descriptors one by one (and its TLS entries three at a time), and the
 * host keeps a copy that the switcher loads, after making each one safe:
 * no system descriptors, nothing more privileged than ring 1, and the
 * accessed bit preset (the CPU would otherwise try to set it in a GDT
 * the guest sees read-only).  The switcher's own segments and the TSS
 * and LDT entries are the host's.  The guest's LDT (LHCALL_SET_LDT) is
 * copied and made safe the same way.
 *
 * Every selector the host takes from the guest (in its registers, its
 * gates, its stack) is looked up with guest_desc(), which refuses what
 * is not a present, non-system entry of this GDT or that LDT.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/desc.h>
#include <asm/trapnr.h>
#include "lg.h"

void setup_default_gdt(struct lguest *lg)
{
	/* Until the guest sends its own: flat ring-1 kernel segments. */
	lg->gdt[GDT_ENTRY_KERNEL_CS] =
		(struct desc_struct)GDT_ENTRY_INIT(DESC_CODE32 | _DESC_DPL(1), 0, 0xfffff);
	lg->gdt[GDT_ENTRY_KERNEL_DS] =
		(struct desc_struct)GDT_ENTRY_INIT(DESC_DATA32 | _DESC_DPL(1), 0, 0xfffff);
}

bool host_gdt_entry(unsigned int entry)
{
	return entry == GDT_ENTRY_LGUEST_CS || entry == GDT_ENTRY_LGUEST_DS ||
	       entry == GDT_ENTRY_TSS || entry == GDT_ENTRY_LDT ||
	       entry == GDT_ENTRY_DOUBLEFAULT_TSS;
}

/*
 * The guest's present code or data descriptor that a selector names, or
 * NULL: a null selector, an index beyond the GDT or the guest's LDT, one
 * of the host's entries, or an absent one.
 */
const struct desc_struct *guest_desc(struct lguest *lg, u32 sel)
{
	unsigned int entry = sel >> 3;
	const struct desc_struct *d;

	if (sel > 0xffff)
		return NULL;
	if (sel & SEGMENT_TI_MASK) {
		if (entry >= lg->ldt_entries)
			return NULL;
		d = &lg->ldt[entry];
	} else {
		if (!entry || entry >= GDT_ENTRIES || host_gdt_entry(entry))
			return NULL;
		d = &lg->gdt[entry];
	}
	return d->p && d->s ? d : NULL;
}

static bool fix_descriptor(struct lguest *lg, const char *table, unsigned int entry,
			   struct desc_struct *d)
{
	if (!d->p)
		return true;
	if (!d->s) {
		kill_guest(lg, "system descriptor in %s entry %u", table, entry);
		return false;
	}
	if (!d->dpl)
		d->dpl = 1;
	d->type |= _DESC_ACCESSED;
	return true;
}

void load_gdt_entry(struct lguest *lg, u32 entry, u64 desc)
{
	struct desc_struct d;

	if (entry >= GDT_ENTRIES) {
		kill_guest(lg, "bad GDT entry %u", entry);
		return;
	}
	memcpy(&d, &desc, sizeof(d));
	/* Writes to the host's entries are ignored: Linux writes its TSS. */
	if (host_gdt_entry(entry) || !fix_descriptor(lg, "GDT", entry, &d))
		return;
	lg->gdt[entry] = d;
	lg->tables_changed = true;
}

void load_tls(struct lguest *lg, u32 gpa)
{
	u64 tls[GDT_ENTRY_TLS_ENTRIES];
	void __user *p = gpa_user(lg, gpa, sizeof(tls));
	unsigned int i;

	if (!p || copy_from_user(tls, p, sizeof(tls))) {
		kill_guest(lg, "bad TLS array at %#x", gpa);
		return;
	}
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		load_gdt_entry(lg, GDT_ENTRY_TLS_MIN + i, tls[i]);
}

/*
 * LHCALL_SET_LDT: the current task's LDT, read through the guest's page
 * tables and made safe like GDT entries (modify_ldt() never makes a
 * system descriptor; a call gate here would lead to ring 0).  The
 * switcher loads the host's copy.
 */
void load_ldt(struct lguest *lg, u32 vaddr, u32 entries)
{
	u32 i;

	if (entries > LGUEST_LDT_ENTRIES) {
		kill_guest(lg, "bad LDT size %u", entries);
		return;
	}
	if (entries && !lg->ldt) {
		lg->ldt = kvcalloc(LGUEST_LDT_ENTRIES, sizeof(*lg->ldt), GFP_KERNEL_ACCOUNT);
		if (!lg->ldt) {
			kill_guest(lg, "out of memory for the LDT");
			return;
		}
	}
	lg->tables_changed = true;
	lg->ldt_entries = 0;
	if (entries && !read_guest_virt(lg, vaddr, lg->ldt, entries * LDT_ENTRY_SIZE)) {
		kill_guest(lg, "cannot read the LDT at %#x", vaddr);
		return;
	}
	for (i = 0; i < entries; i++)
		if (!fix_descriptor(lg, "LDT", i, &lg->ldt[i]))
			return;
	lg->ldt_entries = entries;
}

/*
 * Can the switcher load this data segment selector for the guest?  It
 * must not fault in ring 0 on the way in.
 */
bool selector_ok(struct lguest *lg, u32 sel, bool null_ok)
{
	const struct desc_struct *d;

	if (sel < 4)
		return null_ok;
	d = guest_desc(lg, sel);
	if (!d)
		return false;
	/* Code segments only if readable; DPL at least the RPL. */
	if ((d->type & _DESC_CODE_EXECUTABLE) && !(d->type & _DESC_CODE_READABLE))
		return false;
	return d->dpl >= (sel & SEGMENT_RPL_MASK);
}

/* The last valid offset of a segment. */
u32 desc_limit(const struct desc_struct *d)
{
	u32 limit = get_desc_limit(d);

	return d->g ? (limit << PAGE_SHIFT) | ~PAGE_MASK : limit;
}

/*
 * What the switcher's iret will check of the guest's code and stack
 * segments, checked first (a fault there would be the switcher's): NULL
 * if the pair is good, or what is wrong with it.  The guest kernel's
 * must also be flat: the host pushes trap frames at its stack pointer as
 * a linear address.  Its user mode's may have any base (LDT segments);
 * the host reads user code at cs's base plus eip.
 */
static const char *code_stack_bad(struct lguest *lg, const struct lguest_regs *r)
{
	u32 rpl = r->cs & SEGMENT_RPL_MASK;
	const struct desc_struct *c, *s;

	if ((rpl != 1 && rpl != USER_RPL) || (r->ss & SEGMENT_RPL_MASK) != rpl)
		return "bad code or stack segment";
	c = guest_desc(lg, r->cs);
	s = guest_desc(lg, r->ss);
	if (!c || !s || !(c->type & _DESC_CODE_EXECUTABLE) || c->dpl != rpl ||
	    (s->type & _DESC_CODE_EXECUTABLE) || !(s->type & _DESC_DATA_WRITABLE) ||
	    s->dpl != rpl)
		return "bad code or stack segment";
	if (rpl == 1 && (get_desc_base(c) || get_desc_base(s)))
		return "code or stack segment not flat";
	return NULL;
}

/* Past the limit of a code segment that code_stack_bad() accepted? */
static bool eip_beyond_limit(struct lguest *lg, const struct lguest_regs *r)
{
	return r->eip > desc_limit(guest_desc(lg, r->cs));
}

/*
 * Before every entry: cs and ss must be a matching ring 1 or ring 3 pair
 * the CPU accepts with this eip, data segments the CPU would refuse
 * become null (as iret does), and the flags the guest may not have are
 * cleared.
 */
bool check_segments(struct lguest *lg)
{
	struct lguest_regs *r = &lg->regs;
	const char *bad = code_stack_bad(lg, r);

	/*
	 * Guest user mode reaches the end of its code segment legitimately:
	 * an instruction ends at the limit and an interrupt, or the host
	 * emulating that instruction, comes before the next fetch.  That
	 * fetch is the CPU's #GP(0), for the guest kernel.
	 */
	if (!bad && eip_beyond_limit(lg, r)) {
		if ((r->cs & SEGMENT_RPL_MASK) == USER_RPL) {
			r->errcode = 0;
			if (!reflect_trap(lg, X86_TRAP_GP, true))
				return false;
			bad = code_stack_bad(lg, r);
		}
		if (!bad && eip_beyond_limit(lg, r))
			bad = "bad code or stack segment";
	}
	if (bad) {
		kill_guest(lg, "%s %#x:%#x (eip %#x)", bad, r->cs, r->ss, r->eip);
		return false;
	}
	if (!selector_ok(lg, r->ds, true))
		r->ds = 0;
	if (!selector_ok(lg, r->es, true))
		r->es = 0;
	if (!selector_ok(lg, r->fs, true))
		r->fs = 0;
	if (!selector_ok(lg, r->gs, true))
		r->gs = 0;
	r->eflags = (r->eflags | X86_EFLAGS_IF | X86_EFLAGS_FIXED) &
		    ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM | X86_EFLAGS_NT);
	return true;
}
