// SPDX-License-Identifier: GPL-2.0
/*
 * mem-fill PERCENT: fill PERCENT of MemTotal with a pattern that differs
 * on every word, then read it all back.  Exits 0 if it was intact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static unsigned long mem_total_kb(void)
{
	char line[128];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	unsigned long pct = argc > 1 ? strtoul(argv[1], NULL, 10) : 80;
	unsigned long total = mem_total_kb();
	size_t len = (size_t)(total * pct / 100) * 1024, i, n = len / sizeof(uint32_t);
	uint32_t *p;

	if (!total || !pct || pct > 100) {
		fprintf(stderr, "cannot size the fill (MemTotal %lu kB, %lu%%)\n", total, pct);
		return 1;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < n; i++)
		p[i] = (uint32_t)(i * 2654435761u) ^ 0x5a5a5a5a;
	for (i = 0; i < n; i++)
		if (p[i] != ((uint32_t)(i * 2654435761u) ^ 0x5a5a5a5a)) {
			fprintf(stderr, "word %zu of %zu changed: %#x\n", i, n, p[i]);
			return 1;
		}
	printf("%zu kB of %lu kB MemTotal (%lu%%) written and read back\n",
	       len / 1024, total, pct);
	return 0;
}
