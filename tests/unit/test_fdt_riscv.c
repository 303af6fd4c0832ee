/* SPDX-License-Identifier: MIT */
/* The RISC-V board device tree (vmm/core/fdt_riscv.c), checked with libfdt. */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "vmm/core/fdt_riscv.h"

#define BUF_SIZE 65536
#define LETTERS(s) letters_of(s)

static uint8_t buf[BUF_SIZE];

static uint32_t letters_of(const char *s)
{
	uint32_t m = 0;
	for (; *s; s++)
		m |= 1u << (*s - 'a');
	return m;
}

static const char *const qemu_exts[] = { "zifencei", "sstc", "zicsr", "zihintpause", "zba" };

static struct fdt_riscv_board board(unsigned harts)
{
	struct fdt_riscv_board b = {
		.ram_base = 0x80000000, .ram_size = 64ull << 20, .nr_harts = harts,
		.timebase_hz = 10000000, .xlen = 64, .isa_letters = LETTERS("acdfim"),
		.isa_exts = qemu_exts, .nr_isa_exts = 5, .satp_mode = 9,
		.bootargs = "console=hvc0",
	};
	for (unsigned i = 0; i < harts; i++)
		b.cpu_intc_phandle[i] = 100 + i;
	return b;
}

static void build(const struct fdt_riscv_board *b, const struct fdt_registry *reg)
{
	char err[256];
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(fdt_riscv_build(b, reg, buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fdt_check_header(buf), 0);
}

static const void *prop(const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(buf, path);
	cr_assert_geq(node, 0, "no node %s", path);
	return fdt_getprop(buf, node, name, len);
}

static uint32_t prop_u32(const char *path, const char *name, unsigned index)
{
	int len;
	const fdt32_t *p = prop(path, name, &len);
	cr_assert_not_null(p, "no %s in %s", name, path);
	cr_assert_gt(len, (int)(index * 4));
	return fdt32_to_cpu(p[index]);
}

static const char *prop_str(const char *path, const char *name)
{
	const char *s = prop(path, name, NULL);
	cr_assert_not_null(s, "no %s in %s", name, path);
	return s;
}

Test(fdt_riscv_isa, single_letters_follow_the_canonical_order)
{
	char s[64];
	cr_assert_geq(fdt_riscv_isa_string(64, LETTERS("acdfimv"), NULL, 0, s, sizeof(s)), 0);
	cr_expect_str_eq(s, "rv64imafdcv");
}

Test(fdt_riscv_isa, misa_s_and_u_mode_bits_are_not_extensions)
{
	char s[64];
	cr_assert_geq(fdt_riscv_isa_string(64, LETTERS("imasu"), NULL, 0, s, sizeof(s)), 0);
	cr_expect_str_eq(s, "rv64ima");
}

Test(fdt_riscv_isa, multi_letter_extensions_sorted_z_by_category_then_s_then_x)
{
	static const char *const exts[] = { "svpbmt", "zba", "xvendor", "zicsr", "sstc",
					     "zmmul", "zifencei", "zfh" };
	char s[256];
	cr_assert_geq(fdt_riscv_isa_string(64, LETTERS("imafdc"), exts, 8, s, sizeof(s)), 0);
	cr_expect_str_eq(s, "rv64imafdc_zicsr_zifencei_zmmul_zfh_zba_sstc_svpbmt_xvendor");
}

Test(fdt_riscv_isa, too_small_output_is_refused)
{
	char s[6];
	cr_expect_eq(fdt_riscv_isa_string(64, LETTERS("imafdc"), NULL, 0, s, sizeof(s)), -1);
}

Test(fdt_riscv_isa, empty_extension_name_is_refused)
{
	static const char *const exts[] = { "" };
	char s[64];
	cr_expect_eq(fdt_riscv_isa_string(64, LETTERS("i"), exts, 1, s, sizeof(s)), -1);
}

Test(fdt_riscv, memory_node_covers_the_ram)
{
	struct fdt_riscv_board b = board(1);
	build(&b, NULL);
	cr_expect_str_eq(prop_str("/memory@80000000", "device_type"), "memory");
	cr_expect_eq(prop_u32("/memory@80000000", "reg", 1), 0x80000000u);
	cr_expect_eq(prop_u32("/memory@80000000", "reg", 3), 64u << 20);
}

Test(fdt_riscv, one_cpu_node_per_hart_with_its_hart_id_in_reg)
{
	struct fdt_riscv_board b = board(3);
	build(&b, NULL);
	cr_expect_eq(prop_u32("/cpus", "#address-cells", 0), 1u);
	cr_expect_eq(prop_u32("/cpus", "#size-cells", 0), 0u);
	cr_expect_eq(prop_u32("/cpus/cpu@0", "reg", 0), 0u);
	cr_expect_eq(prop_u32("/cpus/cpu@2", "reg", 0), 2u);
	cr_expect_lt(fdt_path_offset(buf, "/cpus/cpu@3"), 0);
	/* Listed in hart order. */
	int cpus = fdt_path_offset(buf, "/cpus");
	int first = fdt_first_subnode(buf, cpus);
	cr_expect_str_eq(fdt_get_name(buf, first, NULL), "cpu@0");
}

Test(fdt_riscv, cpu_node_describes_the_hart_isa)
{
	struct fdt_riscv_board b = board(1);
	build(&b, NULL);
	const char *cpu = "/cpus/cpu@0";
	cr_expect_str_eq(prop_str(cpu, "device_type"), "cpu");
	cr_expect_str_eq(prop_str(cpu, "compatible"), "riscv");
	cr_expect_str_eq(prop_str(cpu, "status"), "okay");
	cr_expect_str_eq(prop_str(cpu, "riscv,isa"),
			 "rv64imafdc_zicsr_zifencei_zihintpause_zba_sstc");
	cr_expect_str_eq(prop_str(cpu, "riscv,isa-base"), "rv64i");
	int len;
	const char *list = prop(cpu, "riscv,isa-extensions", &len);
	cr_assert_not_null(list);
	static const char *const want[] = { "i", "m", "a", "f", "d", "c", "zicsr", "zifencei",
					    "zihintpause", "zba", "sstc" };
	const char *p = list;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_lt(p - list, len, "list ends before %s", want[i]);
		cr_expect_str_eq(p, want[i]);
		p += strlen(p) + 1;
	}
	cr_expect_eq(p - list, len, "nothing after the last extension");
}

Test(fdt_riscv, mmu_type_follows_satp_mode)
{
	static const struct { unsigned mode; const char *type; } cases[] = {
		{ 8, "riscv,sv39" }, { 9, "riscv,sv48" }, { 10, "riscv,sv57" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fdt_riscv_board b = board(1);
		b.satp_mode = cases[i].mode;
		build(&b, NULL);
		cr_expect_str_eq(prop_str("/cpus/cpu@0", "mmu-type"), cases[i].type);
	}
}

Test(fdt_riscv, bare_satp_mode_leaves_out_mmu_type)
{
	struct fdt_riscv_board b = board(1);
	b.satp_mode = 0;
	build(&b, NULL);
	cr_expect_null(prop("/cpus/cpu@0", "mmu-type", NULL));
}

Test(fdt_riscv, cache_block_sizes_only_when_given)
{
	struct fdt_riscv_board b = board(1);
	build(&b, NULL);
	cr_expect_null(prop("/cpus/cpu@0", "riscv,cbom-block-size", NULL));
	b.cbom_block_size = 64;
	b.cboz_block_size = 64;
	build(&b, NULL);
	cr_expect_eq(prop_u32("/cpus/cpu@0", "riscv,cbom-block-size", 0), 64u);
	cr_expect_eq(prop_u32("/cpus/cpu@0", "riscv,cboz-block-size", 0), 64u);
}

Test(fdt_riscv, timebase_frequency_is_on_cpus)
{
	struct fdt_riscv_board b = board(1);
	build(&b, NULL);
	cr_expect_eq(prop_u32("/cpus", "timebase-frequency", 0), 10000000u);
}

Test(fdt_riscv, each_hart_has_a_cpu_intc_with_its_phandle)
{
	struct fdt_riscv_board b = board(2);
	build(&b, NULL);
	for (unsigned i = 0; i < 2; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/cpus/cpu@%u/interrupt-controller", i);
		cr_expect_str_eq(prop_str(path, "compatible"), "riscv,cpu-intc");
		cr_expect_eq(prop_u32(path, "#interrupt-cells", 0), 1u);
		int len = -1;
		cr_expect_not_null(prop(path, "interrupt-controller", &len));
		cr_expect_eq(len, 0);
		cr_expect_eq(fdt_node_offset_by_phandle(buf, 100 + i), fdt_path_offset(buf, path));
	}
}

Test(fdt_riscv, chosen_has_bootargs_when_given)
{
	struct fdt_riscv_board b = board(1);
	build(&b, NULL);
	cr_expect_str_eq(prop_str("/chosen", "bootargs"), "console=hvc0");
	b.bootargs = "";
	build(&b, NULL);
	cr_expect_null(prop("/chosen", "bootargs", NULL));
}

static int serial_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "ns16550a" };
	(void)opaque;
	int node = fdt_ctx_add_mmio_device(ctx, "serial", compat, 1, 0x10000000, 0x100);
	return node < 0 ? node : fdt_ctx_set_stdout(ctx, "/soc/serial@10000000");
}

/* What a PLIC's callback needs from the board: every hart's intc phandle. */
static int intc_user_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "test,intc-user" };
	(void)opaque;
	int node = fdt_ctx_add_mmio_device(ctx, "user", compat, 1, 0xc000000, 0x1000);
	for (unsigned i = 0; node >= 0 && i < ctx->nr_cpus; i++) {
		int r = fdt_appendprop_u32(ctx->fdt, node, "interrupts-extended", ctx->cpu_intc[i]);
		if (r == 0)
			r = fdt_appendprop_u32(ctx->fdt, node, "interrupts-extended", 9);
		if (r < 0)
			return r;
	}
	return node < 0 ? node : 0;
}

Test(fdt_riscv, registered_devices_appear_on_soc_and_see_the_hart_intcs)
{
	struct fdt_riscv_board b = board(2);
	struct fdt_registry reg;
	fdt_registry_init(&reg);
	fdt_registry_add(&reg, "serial", serial_node, NULL);
	fdt_registry_add(&reg, "user", intc_user_node, NULL);
	build(&b, &reg);
	cr_expect_str_eq(prop_str("/chosen", "stdout-path"), "/soc/serial@10000000");
	cr_expect_eq(prop_u32("/soc/user@c000000", "interrupts-extended", 0), 100u);
	cr_expect_eq(prop_u32("/soc/user@c000000", "interrupts-extended", 2), 101u);
	cr_expect_eq(prop_u32("/soc/user@c000000", "interrupts-extended", 3), 9u);
}

Test(fdt_riscv, eight_harts_fit_in_the_vmm_slot_size)
{
	struct fdt_riscv_board b = board(8);
	build(&b, NULL);
	cr_expect_lt(fdt_totalsize(buf), 16384u, "packed size %u", fdt_totalsize(buf));
}

Test(fdt_riscv, bad_board_descriptions_are_refused)
{
	char err[256];
	struct fdt_riscv_board b = board(1);
	b.nr_harts = 0;
	cr_expect_eq(fdt_riscv_build(&b, NULL, buf, sizeof(buf), err, sizeof(err)), -1);
	b = board(1);
	b.timebase_hz = 0;
	cr_expect_eq(fdt_riscv_build(&b, NULL, buf, sizeof(buf), err, sizeof(err)), -1);
	b = board(1);
	b.cpu_intc_phandle[0] = 0;
	cr_expect_eq(fdt_riscv_build(&b, NULL, buf, sizeof(buf), err, sizeof(err)), -1);
	b = board(1);
	b.xlen = 128;
	cr_expect_eq(fdt_riscv_build(&b, NULL, buf, sizeof(buf), err, sizeof(err)), -1);
}

Test(fdt_riscv, too_small_buffer_is_an_error)
{
	char err[256] = "";
	struct fdt_riscv_board b = board(8);
	cr_expect_eq(fdt_riscv_build(&b, NULL, buf, 512, err, sizeof(err)), -1);
	cr_expect_neq(err[0], '\0');
}
