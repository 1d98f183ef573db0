/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lguest switcher: the code that moves a CPU between the host and a
 * guest.  It is copied into the first pages of the switcher slot, which
 * has the same address in the host and in every guest, and runs with the
 * switcher's own ring-0 segments (LGUEST_CS, LGUEST_DS), valid in both
 * GDTs.
 *
 * The offsets into the switcher pages (LGUEST_PAGES_*) come from
 * asm-offsets_32.c.
 *
 * There must be no reference to anything outside this page: it runs
 * half of the time on the guest's page tables.
 */
#include <linux/linkage.h>
#include <asm/asm-offsets.h>
#include <asm/page_types.h>
#include <asm/segment.h>
#include <asm/lguest.h>

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

	/* Guest descriptor tables, still on the host's page tables. */
	lgdt	LGUEST_PAGES_guest_gdt_desc(%eax)
	lidt	LGUEST_PAGES_guest_idt_desc(%eax)
#define GUEST_TSS_TYPE	(LGUEST_PAGES_guest_gdt + GDT_ENTRY_TSS * 8 + TSS_DESC_TYPE_BYTE)
	andb	$~TSS_DESC_BUSY, GUEST_TSS_TYPE(%eax)
	movl	$(GDT_ENTRY_TSS * 8), %edx
	ltr	%dx

	/*
	 * The guest's CR4 (no global pages: clearing PGE also flushes the
	 * host's global TLB entries; no SMEP/SMAP, which the guest kernel
	 * does not know about).  Written here, not with the kernel's CR4
	 * helpers, which keep SMEP/SMAP pinned; the way out restores it.
	 */
	movl	LGUEST_PAGES_guest_cr4(%eax), %edx
	movl	%edx, %cr4

	/* The guest's address space, then its registers, then go. */
	movl	LGUEST_PAGES_guest_cr3(%eax), %edx
	leal	LGUEST_PAGES_regs(%eax), %esp
	movl	%edx, %cr3
	popl	%eax
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
 */
SYM_INNER_LABEL(return_to_host, SYM_L_LOCAL)
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

	/* %esp is the register page's struct lguest_regs: find our pages. */
	movl	%esp, %eax
	subl	$LGUEST_PAGES_regs, %eax
	movl	$LGUEST_DS, %edx
	movl	%edx, %ds
	movl	%edx, %es

	/* The host's page tables, then its descriptor tables. */
	movl	LGUEST_PAGES_host_cr3(%eax), %edx
	movl	%edx, %cr3
	movl	LGUEST_PAGES_host_cr4(%eax), %edx
	movl	%edx, %cr4
	lgdt	LGUEST_PAGES_host_gdt_desc(%eax)
	lidt	LGUEST_PAGES_host_idt_desc(%eax)
	movl	(LGUEST_PAGES_host_gdt_desc + 2)(%eax), %edx
	andb	$~TSS_DESC_BUSY, (GDT_ENTRY_TSS * 8 + TSS_DESC_TYPE_BYTE)(%edx)
	movl	$(GDT_ENTRY_TSS * 8), %edx
	ltr	%dx

	movl	$(__KERNEL_DS), %edx
	movl	%edx, %ss
	movl	LGUEST_PAGES_host_sp(%eax), %esp
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
 * One stub per vector, LGUEST_STUB_SIZE bytes apart: push a zero where
 * the CPU pushes no error code, then the vector.
 */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			(v) == 21 || (v) == 29 || (v) == 30)

	.align LGUEST_STUB_SIZE
SYM_INNER_LABEL(lguest_trap_stubs, SYM_L_GLOBAL)
	vector = 0
	.rept 256
	.align LGUEST_STUB_SIZE
	.if !HAS_ERRCODE(vector)
	pushl	$0
	.endif
	pushl	$vector
	jmp	return_to_host
	vector = vector + 1
	.endr

SYM_INNER_LABEL(lguest_switcher_end, SYM_L_GLOBAL)
SYM_CODE_END(lguest_switcher_start)
