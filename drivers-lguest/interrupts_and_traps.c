// SPDX-License-Identifier: GPL-2.0
/*
 * Traps and interrupts for the guest.  The CPU never delivers anything
 * straight to the guest: every trap comes back to the host through the
 * switcher, and what is the guest's is delivered into the guest's own
 * IDT by pushing the frame the CPU would have pushed for a ring-1
 * handler.  Virtual interrupts (the launcher's devices and the guest's
 * clockevent) are delivered the same way when the guest's virtual
 * interrupt flag, kept in struct lguest_data, allows.
 */
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/uaccess.h>
#include <asm/irq_vectors.h>
#include <asm/trapnr.h>
#include "lg.h"

static bool push_guest(struct lguest *lg, u32 *sp, u32 val)
{
	unsigned long uaddr;

	*sp -= 4;
	/* Aligned, a word never straddles two pages (or the end of RAM). */
	uaddr = IS_ALIGNED(*sp, 4) ? guest_va_to_user(lg, *sp, true) : 0;
	if (!uaddr || put_user(val, (u32 __user *)uaddr)) {
		kill_guest(lg, "cannot push a frame for trap %u (eip %#x) at %#x",
			   lg->regs.trapnum, lg->regs.eip, *sp);
		return false;
	}
	return true;
}

/*
 * Deliver a trap or interrupt through the guest's IDT as the CPU would
 * to a ring-1 handler: from user mode onto the stack the guest gave with
 * LHCALL_SET_STACK (pushing its ss:esp too), from ring 1 onto the current
 * stack.  The pushed EFLAGS carry the virtual IF, which an interrupt gate
 * then clears.
 */
bool reflect_trap(struct lguest *lg, u32 vector, bool has_err)
{
	const gate_desc *g = &lg->idt[vector];
	u32 sp, ss, eflags, virt_if = READ_DATA(lg, irq_enabled) & X86_EFLAGS_IF;

	if (lg->dead)
		return false;
	if (!g->bits.p) {
		kill_guest(lg, "trap %u at eip %#x with no guest handler (cr2 %#x)", vector,
			   lg->regs.eip, lg->cr2);
		return false;
	}
	eflags = (lg->regs.eflags & ~X86_EFLAGS_IF) | virt_if;
	if ((lg->regs.cs & SEGMENT_RPL_MASK) == USER_RPL) {
		if (!lg->esp1) {
			kill_guest(lg, "trap %u from user mode before LHCALL_SET_STACK", vector);
			return false;
		}
		sp = lg->esp1;
		ss = lg->ss1;
		if (!push_guest(lg, &sp, lg->regs.ss) || !push_guest(lg, &sp, lg->regs.esp))
			return false;
	} else {
		sp = lg->regs.esp;
		ss = lg->regs.ss;
	}
	if (!push_guest(lg, &sp, eflags) || !push_guest(lg, &sp, lg->regs.cs) ||
	    !push_guest(lg, &sp, lg->regs.eip) ||
	    (has_err && !push_guest(lg, &sp, lg->regs.errcode)))
		return false;
	lg->regs.ss = ss;
	lg->regs.esp = sp;
	/* The gate's selector is checked with the rest before the next entry. */
	lg->regs.eip = gate_offset(g);
	lg->regs.cs = (gate_segment(g) & ~SEGMENT_RPL_MASK) | 1;
	lg->regs.eflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF);
	if (g->bits.type == GATE_INTERRUPT)
		WRITE_DATA(lg, irq_enabled, 0);
	return !lg->dead;
}

/* The vectors the CPU pushes an error code for, as the switcher's stubs know them. */
bool has_errcode(u32 vector)
{
	return vector < 32 && (LGUEST_ERRCODE_VECTORS & BIT(vector));
}

/*
 * The guest's gates as the host keeps them.  A task gate (the 32-bit
 * double-fault handler) cannot work in a guest and is dropped: a double
 * fault then kills the guest.  The hypercall vector is the host's.
 */
void load_idt_entry(struct lguest *lg, u32 entry, u64 desc)
{
	gate_desc g;

	if (entry >= IDT_ENTRIES || entry == LGUEST_TRAP_ENTRY) {
		kill_guest(lg, "bad IDT entry %u", entry);
		return;
	}
	memcpy(&g, &desc, sizeof(g));
	if (g.bits.p && g.bits.type == GATE_TASK)
		memset(&g, 0, sizeof(g));
	if (g.bits.p && g.bits.type != GATE_INTERRUPT && g.bits.type != GATE_TRAP) {
		kill_guest(lg, "IDT entry %u is not an interrupt or trap gate", entry);
		return;
	}
	lg->idt[entry] = g;
	lg->tables_changed = true;
}

static enum hrtimer_restart clockevent_fired(struct hrtimer *timer)
{
	struct lguest *lg = container_of(timer, struct lguest, timer);

	raise_irq(lg, 0);
	return HRTIMER_NORESTART;
}

void init_clockevent(struct lguest *lg)
{
	hrtimer_init(&lg->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	lg->timer.function = clockevent_fired;
}

/* LHCALL_SET_CLOCKEVENT: irq 0 in delta_ns; 0 stops the clock. */
void set_clockevent(struct lguest *lg, u32 delta_ns)
{
	if (delta_ns)
		hrtimer_start(&lg->timer, ns_to_ktime(delta_ns), HRTIMER_MODE_REL);
	else
		hrtimer_cancel(&lg->timer);
}

void raise_irq(struct lguest *lg, unsigned int irq)
{
	set_bit(irq, &lg->irqs_pending);
	wake_up(&lg->irq_wq);
	kick_guest(lg);
}

/* An irq the guest has not masked, or -1. */
int pending_irq(struct lguest *lg)
{
	unsigned long avail = READ_ONCE(lg->irqs_pending);

	if (!avail)
		return -1;
	avail &= ~(unsigned long)READ_DATA(lg, blocked_interrupts[0]);
	return avail ? __ffs(avail) : -1;
}

/*
 * Before each entry: deliver the lowest pending irq if the guest takes
 * interrupts (virtual IF set, and not inside its iret's no-interrupt
 * window), and tell it whether one is waiting.
 */
void maybe_deliver_irq(struct lguest *lg)
{
	int irq = pending_irq(lg);

	WRITE_DATA(lg, irq_pending, irq >= 0);
	if (irq < 0 || !(READ_DATA(lg, irq_enabled) & X86_EFLAGS_IF))
		return;
	/* The window is the guest kernel's: user mode's eip may be anywhere. */
	if ((lg->regs.cs & SEGMENT_RPL_MASK) == 1 &&
	    lg->regs.eip >= lg->noirq_start && lg->regs.eip < lg->noirq_end)
		return;
	clear_bit(irq, &lg->irqs_pending);
	lg->stats.guest_irqs++;
	lg->halted = false;
	reflect_trap(lg, FIRST_EXTERNAL_VECTOR + irq, false);
}

/*
 * A halted guest sleeps until an irq it would take, a break or a signal;
 * only the irq ends the halt.  Its mask is read before sleeping (the
 * guest cannot change it meanwhile): nothing in the wait's condition may
 * fault or sleep.
 */
void wait_halted(struct lguest *lg)
{
	unsigned long blocked = READ_DATA(lg, blocked_interrupts[0]);

	wait_event_interruptible(lg->irq_wq, (READ_ONCE(lg->irqs_pending) & ~blocked) ||
				 lg->dead || atomic_read(&lg->break_requested));
	if (READ_ONCE(lg->irqs_pending) & ~blocked)
		lg->halted = false;
}
