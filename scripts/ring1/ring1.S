/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry, exception stubs and the drop to ring 1 of the ring-1 boot stub
 * (see ring1.c).  Multiboot loads us in 32-bit protected mode, flat
 * segments, paging off, %ebx pointing to the multiboot information.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory info */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cld
	movl	$stack_top, %esp
	pushl	%ebx
	call	ring1_main
1:	hlt
	jmp	1b

/* One stub per exception vector: push a dummy error code where the CPU
 * does not push one, then the vector, and join the common handler. */
.macro EXC vec, has_error
	.globl exc\vec
exc\vec:
	.if \has_error == 0
	pushl	$0
	.endif
	pushl	$\vec
	jmp	exc_common
.endm

EXC 0, 0
EXC 1, 0
EXC 2, 0
EXC 3, 0
EXC 4, 0
EXC 5, 0
EXC 6, 0
EXC 7, 0
EXC 8, 1
EXC 9, 0
EXC 10, 1
EXC 11, 1
EXC 12, 1
EXC 13, 1
EXC 14, 1
EXC 15, 0
EXC 16, 0
EXC 17, 1
EXC 18, 0
EXC 19, 0

exc_common:
	/* Ring-0 data segments for the C handler; the frame is on our stack. */
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	pushl	%esp
	call	ring1_exception
1:	hlt
	jmp	1b

/*
 * enter_ring1(eip, esp, esi): load ring-1 data segments and iret to
 * ring 1 at eip with %esi set, interrupts off, IOPL 0.
 */
	.globl enter_ring1
enter_ring1:
	movl	4(%esp), %ecx		/* eip */
	movl	8(%esp), %edx		/* esp */
	movl	12(%esp), %esi		/* esi: boot_params */
	movl	$0x21, %eax		/* ring-1 data, RPL 1 */
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	pushl	%eax			/* ss */
	pushl	%edx			/* esp */
	pushl	$0x2			/* eflags: IF off, IOPL 0 */
	pushl	$0x19			/* cs: ring-1 code, RPL 1 */
	pushl	%ecx			/* eip */
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	iret

	.bss
	.align 16
	.space 16384
	.globl stack_top
stack_top:

	.section .note.GNU-stack, "", @progbits
