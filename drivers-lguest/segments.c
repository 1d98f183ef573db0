// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's GDT.  The guest cannot load a GDT of its own: it sends its
 * descriptors one by one (and its TLS entries three at a time), and the
 * host keeps a copy that the switcher loads, after making each one safe:
 * no system descriptors, nothing more privileged than ring 1, and the
 * accessed bit preset (the CPU would otherwise try to set it in a GDT
 * the guest sees read-only).  The switcher's own segments and the TSS
 * entries are the host's.
 */
#include <linux/uaccess.h>
#include "lg.h"

static u64 flat_segment(u32 type_byte)
{
	/* Base 0, limit 4 GB in pages, 32-bit. */
	return 0xffffULL | ((u64)type_byte << 40) | (0xfULL << 48) | (0xcULL << 52);
}

void setup_default_gdt(struct lguest *lg)
{
	/* Until the guest sends its own: flat ring-1 kernel segments. */
	lg->gdt[GDT_ENTRY_KERNEL_CS] = flat_segment(0xbb);
	lg->gdt[GDT_ENTRY_KERNEL_DS] = flat_segment(0xb3);
}

bool host_gdt_entry(unsigned int entry)
{
	return entry == GDT_ENTRY_LGUEST_CS || entry == GDT_ENTRY_LGUEST_DS ||
	       entry == GDT_ENTRY_TSS || entry == GDT_ENTRY_DOUBLEFAULT_TSS;
}

static bool fix_descriptor(struct lguest *lg, unsigned int entry, u64 *d)
{
	if (!(*d & DESC_PRESENT))
		return true;
	if (!(*d & DESC_S)) {
		kill_guest(lg, "system descriptor in GDT entry %u", entry);
		return false;
	}
	if (!DESC_DPL(*d))
		*d |= 1ULL << DESC_DPL_SHIFT;
	*d |= DESC_ACCESSED;
	return true;
}

void load_gdt_entry(struct lguest *lg, u32 entry, u64 desc)
{
	if (entry >= GDT_ENTRIES) {
		kill_guest(lg, "bad GDT entry %u", entry);
		return;
	}
	/* Writes to the host's entries are ignored: Linux writes its TSS. */
	if (host_gdt_entry(entry) || !fix_descriptor(lg, entry, &desc))
		return;
	lg->gdt[entry] = desc;
	if (loaded_guest == lg)
		loaded_guest = NULL;
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
 * Can the switcher load this data segment selector for the guest?  It
 * must not fault in ring 0 on the way in.
 */
bool selector_ok(struct lguest *lg, u32 sel, bool null_ok)
{
	u64 d;

	if (sel > 0xffff || (sel & SEGMENT_TI_MASK))
		return false;
	if (sel < 4)
		return null_ok;
	if (host_gdt_entry(sel >> 3))
		return false;
	d = lg->gdt[sel >> 3];
	if (!(d & DESC_PRESENT) || !(d & DESC_S))
		return false;
	/* Code segments only if readable; DPL at least the RPL. */
	if ((d & DESC_TYPE_CODE) && !(d & DESC_TYPE_RW))
		return false;
	return DESC_DPL(d) >= (sel & SEGMENT_RPL_MASK);
}

static bool code_stack_ok(struct lguest *lg, u32 cs, u32 ss)
{
	u32 rpl = cs & SEGMENT_RPL_MASK;
	u64 c, s;

	if (cs > 0xffff || ss > 0xffff || (cs & SEGMENT_TI_MASK) || (ss & SEGMENT_TI_MASK) ||
	    cs < 4 || ss < 4 || (rpl != 1 && rpl != USER_RPL) ||
	    (ss & SEGMENT_RPL_MASK) != rpl || host_gdt_entry(cs >> 3) || host_gdt_entry(ss >> 3))
		return false;
	c = lg->gdt[cs >> 3];
	s = lg->gdt[ss >> 3];
	return (c & DESC_PRESENT) && (c & DESC_S) && (c & DESC_TYPE_CODE) && DESC_DPL(c) == rpl &&
	       (s & DESC_PRESENT) && (s & DESC_S) && !(s & DESC_TYPE_CODE) &&
	       (s & DESC_TYPE_RW) && DESC_DPL(s) == rpl;
}

/*
 * Before every entry: cs and ss must be a matching ring 1 or ring 3 pair,
 * data segments the CPU would refuse become null (as iret does), and the
 * flags the guest may not have are cleared.
 */
bool check_segments(struct lguest *lg)
{
	struct lguest_regs *r = &lg->regs;

	if (!code_stack_ok(lg, r->cs, r->ss)) {
		kill_guest(lg, "bad code or stack segment %#x:%#x", r->cs, r->ss);
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
