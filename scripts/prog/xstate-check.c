// SPDX-License-Identifier: GPL-2.0
/*
 * xstate-check: run in an lguest guest's userspace.  The guest kernel
 * switches only the x87/SSE state between its processes (it is told the
 * CPU has no XSAVE), so its user code must not be able to use any state
 * beyond that: CPUID must not report OSXSAVE, and an AVX instruction
 * must raise SIGILL, even on a host CPU with AVX.  Otherwise a guest
 * process could read AVX registers left by another guest process, or by
 * whatever ran on the host CPU before.
 *
 * Exits 0 if the state is out of reach, 1 if it is not, and 4 (skip) on
 * a CPU without XSAVE, where there is nothing to hide.
 */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define ECX_XSAVE	(1u << 26)
#define ECX_OSXSAVE	(1u << 27)
#define ECX_AVX		(1u << 28)
#define EXIT_SKIP	4

static sigjmp_buf env;

static void on_sigill(int sig)
{
	(void)sig;
	siglongjmp(env, 1);
}

int main(void)
{
	unsigned int eax, ebx, ecx, edx;
	struct sigaction sa;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
		printf("no CPUID leaf 1\n");
		return 1;
	}
	printf("CPUID.1:ECX xsave=%d osxsave=%d avx=%d\n", !!(ecx & ECX_XSAVE),
	       !!(ecx & ECX_OSXSAVE), !!(ecx & ECX_AVX));
	if (!(ecx & ECX_XSAVE)) {
		printf("this CPU has no XSAVE: no extended state to hide\n");
		return EXIT_SKIP;
	}
	if (ecx & ECX_OSXSAVE) {
		printf("CR4.OSXSAVE is visible: user code can use state the guest kernel never saves\n");
		return 1;
	}
	if (!(ecx & ECX_AVX))
		return 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigill;
	sigaction(SIGILL, &sa, NULL);
	if (sigsetjmp(env, 1) == 0) {
		asm volatile("vxorps %%ymm0, %%ymm0, %%ymm0" : : : "memory");
		printf("an AVX instruction ran in the guest\n");
		return 1;
	}
	printf("AVX raised SIGILL, as it must\n");
	return 0;
}
