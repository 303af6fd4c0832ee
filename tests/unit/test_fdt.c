/* SPDX-License-Identifier: MIT */
/* The device tree builder core and its device registry (vmm/core/fdt.c). */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <string.h>

#include "vmm/core/fdt.h"

#define BUF_SIZE 8192

static uint8_t buf[BUF_SIZE];

static void begin(void)
{
	char err[256];
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(fdt_build_begin(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
}

static struct fdt_ctx ctx_for(const struct fdt_registry *reg)
{
	return (struct fdt_ctx){ .fdt = buf, .reg = reg };
}

static int noop_node(struct fdt_ctx *ctx, void *opaque)
{
	(void)ctx;
	(void)opaque;
	return 0;
}

static const char *prop_string(const char *path, const char *name)
{
	int node = fdt_path_offset(buf, path);
	cr_assert_geq(node, 0, "no node %s", path);
	const char *s = fdt_getprop(buf, node, name, NULL);
	cr_assert_not_null(s, "no %s in %s", name, path);
	return s;
}

static uint32_t prop_u32(const char *path, const char *name, unsigned index)
{
	int len;
	int node = fdt_path_offset(buf, path);
	cr_assert_geq(node, 0, "no node %s", path);
	const fdt32_t *p = fdt_getprop(buf, node, name, &len);
	cr_assert_not_null(p, "no %s in %s", name, path);
	cr_assert_gt(len, (int)(index * 4), "%s too short", name);
	return fdt32_to_cpu(p[index]);
}

Test(fdt_registry, phandles_are_unique_and_never_zero)
{
	struct fdt_registry reg;
	fdt_registry_init(&reg);
	uint32_t a = fdt_registry_alloc_phandle(&reg);
	uint32_t b = fdt_registry_alloc_phandle(&reg);
	cr_expect_neq(a, 0u);
	cr_expect_neq(b, 0u);
	cr_expect_neq(a, b);
}

Test(fdt_registry, rejects_a_null_callback)
{
	struct fdt_registry reg;
	fdt_registry_init(&reg);
	cr_expect_eq(fdt_registry_add(&reg, "x", NULL, NULL), -1);
	cr_expect_eq(reg.nr_nodes, 0u);
}

Test(fdt_registry, refuses_more_than_the_table_holds)
{
	struct fdt_registry reg;
	fdt_registry_init(&reg);
	for (unsigned i = 0; i < FDT_MAX_NODES; i++)
		cr_assert_eq(fdt_registry_add(&reg, "x", noop_node, NULL), 0);
	cr_expect_eq(fdt_registry_add(&reg, "one too many", noop_node, NULL), -1);
	cr_expect_eq(reg.nr_nodes, FDT_MAX_NODES);
}

Test(fdt_build, empty_tree_has_root_cells_chosen_and_soc_bus)
{
	char err[256];
	begin();
	cr_assert_eq(fdt_build_finish(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(fdt_check_header(buf), 0);
	cr_expect_eq(prop_u32("/", "#address-cells", 0), 2u);
	cr_expect_eq(prop_u32("/", "#size-cells", 0), 2u);
	cr_expect_geq(fdt_path_offset(buf, "/chosen"), 0);
	cr_expect_str_eq(prop_string("/soc", "compatible"), "simple-bus");
	cr_expect_eq(prop_u32("/soc", "#address-cells", 0), 2u);
	int len = -1;
	cr_expect_not_null(fdt_getprop(buf, fdt_path_offset(buf, "/soc"), "ranges", &len));
	cr_expect_eq(len, 0, "an empty ranges maps the bus 1:1");
}

Test(fdt_build, buffer_too_small_is_an_error_with_a_message)
{
	uint8_t tiny[40];
	char err[256] = "";
	cr_expect_eq(fdt_build_begin(tiny, sizeof(tiny), err, sizeof(err)), -1);
	cr_expect_neq(err[0], '\0');
}

Test(fdt_ctx, mmio_device_gets_unit_address_compatible_list_and_reg)
{
	static const char *const compat[] = { "vendor,dev1", "vendor,dev0" };
	begin();
	struct fdt_ctx ctx = ctx_for(NULL);
	int node = fdt_ctx_add_mmio_device(&ctx, "dev", compat, 2, 0x10000000, 0x100);
	cr_assert_geq(node, 0, "%s", fdt_strerror(node));
	int len;
	const char *c = fdt_getprop(buf, fdt_path_offset(buf, "/soc/dev@10000000"), "compatible",
				    &len);
	cr_assert_not_null(c);
	cr_expect_eq(len, (int)(sizeof("vendor,dev1") + sizeof("vendor,dev0")));
	cr_expect_str_eq(c, "vendor,dev1");
	cr_expect_str_eq(c + strlen(c) + 1, "vendor,dev0");
	cr_expect_eq(prop_u32("/soc/dev@10000000", "reg", 0), 0u);
	cr_expect_eq(prop_u32("/soc/dev@10000000", "reg", 1), 0x10000000u);
	cr_expect_eq(prop_u32("/soc/dev@10000000", "reg", 2), 0u);
	cr_expect_eq(prop_u32("/soc/dev@10000000", "reg", 3), 0x100u);
}

Test(fdt_ctx, duplicate_node_is_reported)
{
	static const char *const compat[] = { "x" };
	begin();
	struct fdt_ctx ctx = ctx_for(NULL);
	cr_assert_geq(fdt_ctx_add_mmio_device(&ctx, "dev", compat, 1, 0x1000, 0x10), 0);
	cr_expect_eq(fdt_ctx_add_mmio_device(&ctx, "dev", compat, 1, 0x1000, 0x10),
		     -FDT_ERR_EXISTS);
}

Test(fdt_ctx, reg_holds_64_bit_addresses)
{
	begin();
	struct fdt_ctx ctx = ctx_for(NULL);
	int node = fdt_ctx_add_node(&ctx, "/", "memory", true, 0x180000000ull);
	cr_assert_geq(node, 0);
	cr_assert_eq(fdt_ctx_prop_reg(&ctx, node, 0x180000000ull, 0x100000000ull), 0);
	cr_expect_eq(prop_u32("/memory@180000000", "reg", 0), 1u);
	cr_expect_eq(prop_u32("/memory@180000000", "reg", 1), 0x80000000u);
	cr_expect_eq(prop_u32("/memory@180000000", "reg", 2), 1u);
	cr_expect_eq(prop_u32("/memory@180000000", "reg", 3), 0u);
}

Test(fdt_ctx, no_interrupt_properties_without_an_interrupt_controller)
{
	static const char *const compat[] = { "x" };
	struct fdt_registry reg;
	fdt_registry_init(&reg);
	begin();
	struct fdt_ctx ctx = ctx_for(&reg);
	int node = fdt_ctx_add_mmio_device(&ctx, "dev", compat, 1, 0x1000, 0x10);
	cr_assert_eq(fdt_ctx_set_irq(&ctx, node, 10), 0);
	node = fdt_path_offset(buf, "/soc/dev@1000");
	cr_expect_null(fdt_getprop(buf, node, "interrupts", NULL));
	cr_expect_null(fdt_getprop(buf, node, "interrupt-parent", NULL));
}

Test(fdt_ctx, one_cell_interrupt_parent_gets_the_line_alone)
{
	static const char *const compat[] = { "x" };
	struct fdt_registry reg;
	fdt_registry_init(&reg);
	uint32_t plic = fdt_registry_alloc_phandle(&reg);
	fdt_registry_set_irq_parent(&reg, plic, 1);
	begin();
	struct fdt_ctx ctx = ctx_for(&reg);
	int node = fdt_ctx_add_mmio_device(&ctx, "dev", compat, 1, 0x1000, 0x10);
	cr_assert_eq(fdt_ctx_set_irq(&ctx, node, 10), 0);
	cr_expect_eq(prop_u32("/soc/dev@1000", "interrupt-parent", 0), plic);
	int len;
	fdt_getprop(buf, fdt_path_offset(buf, "/soc/dev@1000"), "interrupts", &len);
	cr_expect_eq(len, 4);
	cr_expect_eq(prop_u32("/soc/dev@1000", "interrupts", 0), 10u);
}

Test(fdt_ctx, two_cell_interrupt_parent_gets_line_and_level_high)
{
	static const char *const compat[] = { "x" };
	struct fdt_registry reg;
	fdt_registry_init(&reg);
	fdt_registry_set_irq_parent(&reg, fdt_registry_alloc_phandle(&reg), 2);
	begin();
	struct fdt_ctx ctx = ctx_for(&reg);
	int node = fdt_ctx_add_mmio_device(&ctx, "dev", compat, 1, 0x1000, 0x10);
	cr_assert_eq(fdt_ctx_set_irq(&ctx, node, 7), 0);
	cr_expect_eq(prop_u32("/soc/dev@1000", "interrupts", 0), 7u);
	cr_expect_eq(prop_u32("/soc/dev@1000", "interrupts", 1), 4u);
}

Test(fdt_ctx, stdout_path_lands_in_chosen)
{
	begin();
	struct fdt_ctx ctx = ctx_for(NULL);
	cr_assert_eq(fdt_ctx_set_stdout(&ctx, "/soc/serial@10000000"), 0);
	cr_expect_str_eq(prop_string("/chosen", "stdout-path"), "/soc/serial@10000000");
}

/* Callbacks for the registry tests: record the order they ran in. */
struct order_log {
	char seen[8];
	unsigned n;
};

struct order_dev {
	struct order_log *log;
	char tag;
	uint64_t base;
};

static int order_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "test,order" };
	struct order_dev *d = opaque;
	d->log->seen[d->log->n++] = d->tag;
	int node = fdt_ctx_add_mmio_device(ctx, "dev", compat, 1, d->base, 0x10);
	return node < 0 ? node : 0;
}

Test(fdt_build, registered_callbacks_run_once_each_in_registration_order)
{
	struct order_log log = { .n = 0 };
	struct order_dev a = { &log, 'a', 0x1000 }, b = { &log, 'b', 0x2000 };
	struct fdt_registry reg;
	char err[256];
	fdt_registry_init(&reg);
	fdt_registry_add(&reg, "a", order_node, &a);
	fdt_registry_add(&reg, "b", order_node, &b);
	begin();
	struct fdt_ctx ctx = ctx_for(&reg);
	cr_assert_eq(fdt_build_devices(&ctx, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fdt_build_finish(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(log.n, 2u);
	cr_expect_eq(log.seen[0], 'a');
	cr_expect_eq(log.seen[1], 'b');
	cr_expect_geq(fdt_path_offset(buf, "/soc/dev@1000"), 0);
	cr_expect_geq(fdt_path_offset(buf, "/soc/dev@2000"), 0);
}

static int failing_node(struct fdt_ctx *ctx, void *opaque)
{
	(void)ctx;
	(void)opaque;
	return -FDT_ERR_BADVALUE;
}

Test(fdt_build, failing_callback_fails_the_build_naming_the_device)
{
	struct fdt_registry reg;
	char err[256] = "";
	fdt_registry_init(&reg);
	fdt_registry_add(&reg, "broken-uart", failing_node, NULL);
	begin();
	struct fdt_ctx ctx = ctx_for(&reg);
	cr_expect_eq(fdt_build_devices(&ctx, err, sizeof(err)), -1);
	cr_expect(strstr(err, "broken-uart") != NULL, "message: %s", err);
}

/* A PLIC-like model: a phandle taken at creation, the irq parent announced,
 * a device registered before it still gets interrupt-parent. */
struct fake_plic {
	uint32_t phandle;
};

static int fake_plic_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "riscv,plic0" };
	struct fake_plic *p = opaque;
	int node = fdt_ctx_add_mmio_device(ctx, "interrupt-controller", compat, 1, 0xc000000,
					   0x600000);
	if (node < 0)
		return node;
	return fdt_setprop_u32(ctx->fdt, node, "phandle", p->phandle);
}

static int uart_like_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "ns16550a" };
	(void)opaque;
	int node = fdt_ctx_add_mmio_device(ctx, "serial", compat, 1, 0x10000000, 0x100);
	return node < 0 ? node : fdt_ctx_set_irq(ctx, node, 10);
}

Test(fdt_build, device_registered_before_the_irq_controller_still_points_at_it)
{
	struct fdt_registry reg;
	char err[256];
	fdt_registry_init(&reg);
	fdt_registry_add(&reg, "serial", uart_like_node, NULL);
	struct fake_plic plic = { fdt_registry_alloc_phandle(&reg) };
	fdt_registry_add(&reg, "plic", fake_plic_node, &plic);
	fdt_registry_set_irq_parent(&reg, plic.phandle, 1);
	begin();
	struct fdt_ctx ctx = ctx_for(&reg);
	cr_assert_eq(fdt_build_devices(&ctx, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fdt_build_finish(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	uint32_t parent = prop_u32("/soc/serial@10000000", "interrupt-parent", 0);
	cr_expect_eq(fdt_node_offset_by_phandle(buf, parent),
		     fdt_path_offset(buf, "/soc/interrupt-controller@c000000"));
}

Test(fdt_build, finished_blob_lists_nodes_and_properties_in_creation_order)
{
	static const char *const compat[] = { "x" };
	char err[256];
	begin();
	struct fdt_ctx ctx = ctx_for(NULL);
	int a = fdt_ctx_add_mmio_device(&ctx, "first", compat, 1, 0x1000, 0x10);
	cr_assert_geq(a, 0);
	cr_assert_eq(fdt_setprop_u32(buf, a, "later-prop", 1), 0);
	cr_assert_geq(fdt_ctx_add_mmio_device(&ctx, "second", compat, 1, 0x2000, 0x10), 0);
	cr_assert_eq(fdt_build_finish(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fdt_check_header(buf), 0);

	int soc = fdt_path_offset(buf, "/soc");
	int first = fdt_first_subnode(buf, soc);
	cr_expect_str_eq(fdt_get_name(buf, first, NULL), "first@1000");
	cr_expect_str_eq(fdt_get_name(buf, fdt_next_subnode(buf, first), NULL), "second@2000");
	static const char *const want[] = { "compatible", "reg", "later-prop" };
	unsigned i = 0;
	int off;
	fdt_for_each_property_offset(off, buf, first) {
		const char *name;
		fdt_getprop_by_offset(buf, off, &name, NULL);
		cr_assert_lt(i, 3u);
		cr_expect_str_eq(name, want[i]);
		i++;
	}
	cr_expect_eq(i, 3u);
	/* Root: the cells first, /chosen before /soc. */
	cr_expect_str_eq(fdt_get_name(buf, fdt_first_subnode(buf, 0), NULL), "chosen");
}

Test(fdt_build, finish_output_is_smaller_than_the_work_buffer)
{
	char err[256];
	begin();
	cr_assert_eq(fdt_build_finish(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	cr_expect_lt(fdt_totalsize(buf), 512u, "totalsize %u", fdt_totalsize(buf));
}
