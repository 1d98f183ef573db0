/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lguest switcher: the code that moves a CPU between the host and a
 * guest.  It is copied into the first pages of the switcher slot, which
 * has the same address in the host and in every guest, and runs with the
 * switcher's own ring-0 segments (LGUEST_CS, LGUEST_DS), valid in both
 * GDTs.
 *
 * The offsets into the switcher pages (LGUEST_PAGES_*) come from
 * lg-asm-offsets.c.
 *
 * There must be no reference to anything outside this page: it runs
 * half of the time on the guest's page tables.
 */
#include <linux/linkage.h>
#include <asm/page_types.h>
#include <asm/segment.h>
#include "lg-asm-offsets.h"
#include "switcher.h"

/* Type byte of a TSS descriptor: bit 1 is the busy flag ltr sets. */
#define TSS_DESC_TYPE_BYTE	5
#define TSS_DESC_BUSY		0x02

	.text
	.align PAGE_SIZE
SYM_CODE_START(lguest_switcher_start)

/*
 * switch_to_guest - enter the guest, return when it traps.
 * Called with "lcall" from the host, interrupts off.
 * In:  %eax = this CPU's struct lguest_cpu_pages (in the slot).
 * Out: the guest's registers and trap number in %eax's register page.
 * Clobbers %ecx and %edx; all other host registers and EFLAGS are
 * preserved.
 */
SYM_INNER_LABEL(switch_to_guest, SYM_L_GLOBAL)
	pushfl
	pushl	%es
	pushl	%ds
	pushl	%gs
	pushl	%fs
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%ebx
	movl	%esp, LGUEST_PAGES_host_sp(%eax)

	/*
	 * Guest descriptor tables, still on the host's page tables.  From
	 * the lidt on, a trap lands in one of the stubs below, at ring 0 if
	 * it interrupts the switcher (return_to_host tells).
	 */
	lgdt	LGUEST_PAGES_guest_gdt_desc(%eax)
	lidt	LGUEST_PAGES_guest_idt_desc(%eax)
#define GUEST_TSS_TYPE	(LGUEST_PAGES_guest_gdt + GDT_ENTRY_TSS * 8 + TSS_DESC_TYPE_BYTE)
	andb	$~TSS_DESC_BUSY, GUEST_TSS_TYPE(%eax)
	movl	$(GDT_ENTRY_TSS * 8), %edx
	ltr	%dx
	/*
	 * The guest's LDT (the host's copy in these pages), or none: the
	 * host's would be read through the guest's page tables.
	 */
	lldt	LGUEST_PAGES_guest_ldt(%eax)

	/*
	 * The guest's CR4 (no global pages: clearing PGE also flushes the
	 * host's global TLB entries; no SMEP/SMAP, which the guest kernel
	 * does not know about).  Written here, not with the kernel's CR4
	 * helpers, which keep SMEP/SMAP pinned; the way out restores it.
	 */
	movl	LGUEST_PAGES_guest_cr4(%eax), %edx
	movl	%edx, %cr4

	/*
	 * The guest's address space, then its registers, then go.  Once
	 * %esp is in the register page, a fault of these instructions
	 * (the host checks what it can, but the CPU has the last word)
	 * comes back through return_to_host as a fault in the switcher.
	 */
	movl	LGUEST_PAGES_guest_cr3(%eax), %edx
	leal	LGUEST_PAGES_regs(%eax), %esp
	movl	%edx, %cr3

	/*
	 * The guest's breakpoints, if it set any: from here to the iret,
	 * and from a trap to restore_host, the CPU touches nothing but the
	 * switcher's pages, where no guest breakpoint may be.
	 */
	movl	LGUEST_PAGES_guest_dr7(%eax), %edx
	testl	%edx, %edx
	jz	1f
	movl	%edx, %db7
1:	popl	%eax
	popl	%ebx
	popl	%ecx
	popl	%edx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%gs
	popl	%fs
	popl	%ds
	popl	%es
	addl	$8, %esp		/* trapnum, errcode */
	iret

/*
 * return_to_host - the common end of every trap stub.
 * In: on the register page's stack, the CPU's frame, the error code and
 * the vector.  Saves the guest registers there and resumes the host
 * after its lcall.
 *
 * A trap from the guest always comes with a stack switch to the top of
 * the register page.  One that interrupted the switcher itself (its code
 * segment in the frame has RPL 0) is handled by switcher_trap.
 */
SYM_INNER_LABEL(return_to_host, SYM_L_LOCAL)
	testb	$SEGMENT_RPL_MASK, 12(%esp)	/* vector, errcode, eip, cs */
	jz	switcher_trap
	pushl	%es
	pushl	%ds
	pushl	%fs
	pushl	%gs
	pushl	%ebp
	pushl	%edi
	pushl	%esi
	pushl	%edx
	pushl	%ecx
	pushl	%ebx
	pushl	%eax

	/* The register page is the first of this CPU's pages. */
	movl	%esp, %eax
	andl	$PAGE_MASK, %eax
	movl	$LGUEST_DS, %edx
	movl	%edx, %ds
	movl	%edx, %es

restore_host:
	cmpl	$0, LGUEST_PAGES_guest_dr7(%eax)
	je	1f
	xorl	%edx, %edx
	movl	%edx, %db7
1:
	/*
	 * The host's page tables, its GDT and its stack, and only then its
	 * IDT: a host NMI handler must not run on the register page.
	 */
	movl	LGUEST_PAGES_host_cr3(%eax), %edx
	movl	%edx, %cr3
	movl	LGUEST_PAGES_host_cr4(%eax), %edx
	movl	%edx, %cr4
	lgdt	LGUEST_PAGES_host_gdt_desc(%eax)
	movl	$(__KERNEL_DS), %edx
	movl	%edx, %ss
	movl	LGUEST_PAGES_host_sp(%eax), %esp
	lidt	LGUEST_PAGES_host_idt_desc(%eax)
	movl	(LGUEST_PAGES_host_gdt_desc + 2)(%eax), %edx
	andb	$~TSS_DESC_BUSY, (GDT_ENTRY_TSS * 8 + TSS_DESC_TYPE_BYTE)(%edx)
	movl	$(GDT_ENTRY_TSS * 8), %edx
	ltr	%dx
	lldt	LGUEST_PAGES_host_ldt(%eax)

	popl	%ebx
	popl	%esi
	popl	%edi
	popl	%ebp
	popl	%fs
	popl	%gs
	popl	%ds
	popl	%es
	/*
	 * A trap leaves the guest's arithmetic flags, DF and AC in EFLAGS:
	 * the host gets its own back.
	 */
	popfl
	lret

/*
 * switcher_trap - a trap that interrupted the switcher, at ring 0, with
 * no stack switch.
 *
 * An NMI or machine check can arrive anywhere between the two lidt
 * instructions, on the host's stack or the register page's, on the
 * host's page tables or the guest's.  It is noted in debug register 1,
 * which the guest cannot read (it sets its breakpoints through the
 * host) and which the host's breakpoints never use while a guest runs; the
 * host runs its handler once back, and the switcher goes on where it was
 * struck.  (DR7 never arms DR1 at the note's addresses: see
 * lguest_arch_set_debugreg().)
 *
 * Anything else is the way into the guest failing on a segment or the
 * iret, on the register page's stack: the switcher gives up on this
 * entry, marks the trap number and goes back to the host, which ends
 * the guest.
 */
switcher_trap:
	cmpl	$X86_TRAP_NMI, (%esp)
	je	host_trap_in_switcher
	cmpl	$X86_TRAP_MC, (%esp)
	je	host_trap_in_switcher
	movl	%esp, %eax
	andl	$PAGE_MASK, %eax
	movl	$LGUEST_DS, %edx
	movl	%edx, %ds
	movl	%edx, %es
	popl	%edx
	orl	$LGUEST_TRAP_IN_SWITCHER, %edx
	movl	%edx, LGUEST_PAGES_trapnum(%eax)
	jmp	restore_host

host_trap_in_switcher:
	pushl	%eax
	pushl	%edx
	movl	%dr1, %eax
	movl	%eax, %edx
	andl	$~LGUEST_PENDING_MASK, %edx
	cmpl	$LGUEST_PENDING_TAG, %edx
	je	1f
	movl	$LGUEST_PENDING_TAG, %eax
1:	cmpl	$X86_TRAP_NMI, 8(%esp)		/* edx, eax, vector */
	jne	2f
	orl	$LGUEST_PENDING_NMI, %eax
	jmp	3f
2:	orl	$LGUEST_PENDING_MC, %eax
3:	movl	%eax, %dr1
	popl	%edx
	popl	%eax
	addl	$8, %esp			/* vector, errcode */
	iret

/*
 * One stub per vector, LGUEST_STUB_SIZE bytes apart: push a zero where
 * the CPU pushes no error code, then the vector.
 */
	.align LGUEST_STUB_SIZE
SYM_INNER_LABEL(lguest_trap_stubs, SYM_L_GLOBAL)
	vector = 0
	.rept 256
	.align LGUEST_STUB_SIZE
	errcode = 0
	.if vector < 32
	errcode = (LGUEST_ERRCODE_VECTORS >> vector) & 1
	.endif
	.if !errcode
	pushl	$0
	.endif
	pushl	$vector
	jmp	return_to_host
	vector = vector + 1
	.endr

SYM_INNER_LABEL(lguest_switcher_end, SYM_L_GLOBAL)
SYM_CODE_END(lguest_switcher_start)
