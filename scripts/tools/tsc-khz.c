// SPDX-License-Identifier: GPL-2.0
/*
 * tsc-khz: this machine's TSC rate in kHz, measured against
 * CLOCK_MONOTONIC_RAW over 200 ms.  Under QEMU's TCG a guest's TSC is
 * the host's, so scripts/boot hands this rate to the VM's kernel
 * (tsc_early_khz=) instead of letting it calibrate against emulated
 * timers, which fails now and then on a loaded machine.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(void)
{
	double t0 = now_ns(), t1;
	unsigned long long c0 = __rdtsc(), c1;

	do
		t1 = now_ns();
	while (t1 - t0 < 2e8);
	c1 = __rdtsc();
	printf("%.0f\n", (double)(c1 - c0) * 1e6 / (t1 - t0));
	return 0;
}
