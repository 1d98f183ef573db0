// SPDX-License-Identifier: GPL-2.0
/*
 * pvprobe: report what the paravirt hooks of this kernel resolved to.
 *
 * For a handful of PARAVIRT_XXL operations it prints the function pv_ops
 * points at, and what boot-time patching made of a call site of the
 * operation compiled into this module: the native instruction, a direct
 * call (and to what), or the unpatched indirect call.  The in-VM test
 * (scripts/vm/tests/host/50-paravirt.sh) checks the report against what
 * the kernel should be running on: native instructions on bare hardware,
 * calls into the hypervisor's backend when deprivileged.
 *
 * The report is printed at load time; the module does nothing else.
 */
#define pr_fmt(fmt) "pvprobe: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/paravirt.h>
#include <asm/special_insns.h>
#include <asm/cpufeature.h>

struct pv_site {
	const char *name;
	void *pv_func;
	void (*site)(void);
	const u8 *native;
	unsigned int native_len;
};

/*
 * One non-inlined function per operation: its body starts with the
 * patched site (possibly after a frame setup that we skip).  notrace:
 * with ftrace (a distribution's kernel) the function would otherwise
 * start with the 5-byte NOP that __fentry__ calls are patched into.
 */
static noinline notrace void site_irq_disable(void)
{
	arch_local_irq_disable();
}

static noinline notrace void site_irq_enable(void)
{
	arch_local_irq_enable();
}

static unsigned long flags_sink;

static noinline notrace void site_save_fl(void)
{
	WRITE_ONCE(flags_sink, arch_local_save_flags());
}

static noinline notrace void site_read_cr2(void)
{
	WRITE_ONCE(flags_sink, read_cr2());
}

static noinline notrace void site_read_cr3(void)
{
	WRITE_ONCE(flags_sink, __read_cr3());
}

static const u8 insn_cli[] = { 0xfa };
static const u8 insn_sti[] = { 0xfb };
static const u8 insn_pushf[] = { 0x9c };
static const u8 insn_mov_cr2[] = { 0x0f, 0x20, 0xd0 };	/* mov %cr2, %eax */
static const u8 insn_mov_cr3[] = { 0x0f, 0x20, 0xd8 };	/* mov %cr3, %eax */

#define SITE(op, fn, insn) {						\
	.name = #op, .pv_func = pv_ops.op, .site = fn,			\
	.native = insn, .native_len = sizeof(insn) }

/* Bounded scan of a site function for the first interesting instruction. */
#define SCAN_BYTES	32

static bool is_nop(const u8 *p, unsigned int *len)
{
	static const u8 nop1[] = { 0x90 };
	static const u8 nop2[] = { 0x66, 0x90 };
	static const u8 nop3[] = { 0x0f, 0x1f, 0x00 };
	static const u8 nop4[] = { 0x0f, 0x1f, 0x40, 0x00 };
	static const u8 nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	/* ds lea 0(%esi,%eiz,1),%esi: 32-bit x86's BYTES_NOP5 */
	static const u8 lea5[] = { 0x3e, 0x8d, 0x74, 0x26, 0x00 };
	static const u8 lea[] = { 0x8d, 0x76, 0x00 };	/* lea 0(%esi),%esi */
	static const u8 lea4[] = { 0x8d, 0x74, 0x26, 0x00 };

	if (!memcmp(p, nop1, 1)) {
		*len = 1;
	} else if (!memcmp(p, nop2, 2)) {
		*len = 2;
	} else if (!memcmp(p, nop3, 3) || !memcmp(p, lea, 3)) {
		*len = 3;
	} else if (!memcmp(p, nop4, 4) || !memcmp(p, lea4, 4)) {
		*len = 4;
	} else if (!memcmp(p, nop5, 5) || !memcmp(p, lea5, 5)) {
		*len = 5;
	} else {
		return false;
	}
	return true;
}

static void report(const struct pv_site *s)
{
	const u8 *p = (const u8 *)s->site;
	const u8 *end = p + SCAN_BYTES;
	unsigned int len;
	s32 rel;

	/*
	 * Skip padding and the frame setup the compiler may emit (push %ebp;
	 * mov %esp,%ebp), in either order.
	 */
	while (p < end && is_nop(p, &len))
		p += len;
	if (p[0] == 0x55 && p[1] == 0x89 && p[2] == 0xe5)
		p += 3;
	while (p < end && is_nop(p, &len))
		p += len;

	if (p + s->native_len <= end && !memcmp(p, s->native, s->native_len)) {
		pr_info("%s pv_ops=%ps site=native\n", s->name, s->pv_func);
	} else if (p[0] == 0xe8) {
		memcpy(&rel, p + 1, sizeof(rel));
		pr_info("%s pv_ops=%ps site=call:%ps\n", s->name, s->pv_func,
			p + 5 + rel);
	} else if (p[0] == 0xff && p[1] == 0x15) {
		pr_info("%s pv_ops=%ps site=indirect\n", s->name, s->pv_func);
	} else {
		pr_info("%s pv_ops=%ps site=unknown:%*ph\n", s->name, s->pv_func,
			8, p);
	}
}

static int __init pvprobe_init(void)
{
	const struct pv_site sites[] = {
		SITE(irq.irq_disable.func, site_irq_disable, insn_cli),
		SITE(irq.irq_enable.func, site_irq_enable, insn_sti),
		SITE(irq.save_fl.func, site_save_fl, insn_pushf),
		SITE(mmu.read_cr2.func, site_read_cr2, insn_mov_cr2),
		SITE(mmu.read_cr3, site_read_cr3, insn_mov_cr3),
	};
	unsigned int i;

	pr_info("pv_info=%s depriv=%d\n", pv_info.name,
		boot_cpu_has(X86_FEATURE_PV_DEPRIV));
#ifdef CONFIG_X86_32
	pr_info("cpu.iret pv_ops=%ps\n", pv_ops.cpu.iret);
#endif
	for (i = 0; i < ARRAY_SIZE(sites); i++)
		report(&sites[i]);
	pr_info("done\n");
	return 0;
}
module_init(pvprobe_init);

static void __exit pvprobe_exit(void)
{
}
module_exit(pvprobe_exit);

MODULE_DESCRIPTION("Report how paravirt operations resolved");
MODULE_LICENSE("GPL");
