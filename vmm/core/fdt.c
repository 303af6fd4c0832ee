/* SPDX-License-Identifier: MIT */
#include "vmm/core/fdt.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Interrupt specifier flags of a 2-cell controller (APLIC binding):
 * IRQ_TYPE_LEVEL_HIGH from dt-bindings/interrupt-controller/irq.h. */
#define FDT_IRQ_TYPE_LEVEL_HIGH 4u

void fdt_registry_init(struct fdt_registry *reg)
{
	memset(reg, 0, sizeof(*reg));
}

int fdt_registry_add(struct fdt_registry *reg, const char *name, fdt_node_fn fn, void *opaque)
{
	if (!fn || reg->nr_nodes == FDT_MAX_NODES)
		return -1;
	reg->nodes[reg->nr_nodes++] = (struct fdt_node_entry){ name, fn, opaque };
	return 0;
}

uint32_t fdt_registry_alloc_phandle(struct fdt_registry *reg)
{
	/* 0 and 0xffffffff are not valid phandles (DT spec 2.3.3). */
	return ++reg->last_phandle;
}

void fdt_registry_set_irq_parent(struct fdt_registry *reg, uint32_t phandle, unsigned cells)
{
	reg->irq_parent = phandle;
	reg->irq_cells = cells;
}

int fdt_ctx_add_node(struct fdt_ctx *ctx, const char *parent_path, const char *name,
		     bool has_unit, uint64_t unit)
{
	char full[128];
	int parent = fdt_path_offset(ctx->fdt, parent_path);
	if (parent < 0)
		return parent;
	int n = has_unit ? snprintf(full, sizeof(full), "%s@%" PRIx64, name, unit)
			 : snprintf(full, sizeof(full), "%s", name);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -FDT_ERR_BADVALUE;
	return fdt_add_subnode(ctx->fdt, parent, full);
}

int fdt_ctx_prop_strings(struct fdt_ctx *ctx, int node, const char *prop,
			 const char *const *strs, unsigned n)
{
	int r = fdt_setprop(ctx->fdt, node, prop, NULL, 0);
	for (unsigned i = 0; r == 0 && i < n; i++)
		r = fdt_appendprop_string(ctx->fdt, node, prop, strs[i]);
	return r;
}

int fdt_ctx_prop_reg(struct fdt_ctx *ctx, int node, uint64_t addr, uint64_t size)
{
	int r = fdt_setprop_u64(ctx->fdt, node, "reg", addr);
	if (r == 0)
		r = fdt_appendprop_u64(ctx->fdt, node, "reg", size);
	return r;
}

int fdt_ctx_add_mmio_device(struct fdt_ctx *ctx, const char *name, const char *const *compat,
			    unsigned nr_compat, uint64_t base, uint64_t size)
{
	int node = fdt_ctx_add_node(ctx, FDT_SOC_PATH, name, true, base);
	if (node < 0)
		return node;
	int r = fdt_ctx_prop_strings(ctx, node, "compatible", compat, nr_compat);
	if (r == 0)
		r = fdt_ctx_prop_reg(ctx, node, base, size);
	return r < 0 ? r : node;
}

int fdt_ctx_set_irq(struct fdt_ctx *ctx, int node, unsigned line)
{
	const struct fdt_registry *reg = ctx->reg;
	if (!reg || !reg->irq_parent)
		return 0;
	int r = fdt_setprop_u32(ctx->fdt, node, "interrupt-parent", reg->irq_parent);
	if (r == 0)
		r = fdt_setprop_u32(ctx->fdt, node, "interrupts", line);
	if (r == 0 && reg->irq_cells == 2)
		r = fdt_appendprop_u32(ctx->fdt, node, "interrupts", FDT_IRQ_TYPE_LEVEL_HIGH);
	return r;
}

int fdt_ctx_set_stdout(struct fdt_ctx *ctx, const char *path)
{
	int chosen = fdt_path_offset(ctx->fdt, "/chosen");
	if (chosen < 0)
		return chosen;
	return fdt_setprop_string(ctx->fdt, chosen, "stdout-path", path);
}

static int fail(char *err, size_t errlen, const char *what, int r)
{
	snprintf(err, errlen, "device tree: %s: %s", what, fdt_strerror(r));
	return -1;
}

int fdt_build_begin(void *buf, size_t size, char *err, size_t errlen)
{
	if (size > INT32_MAX)
		return fail(err, errlen, "buffer", -FDT_ERR_BADVALUE);
	int r = fdt_create_empty_tree(buf, (int)size);
	if (r == 0)
		r = fdt_setprop_u32(buf, 0, "#address-cells", 2);
	if (r == 0)
		r = fdt_setprop_u32(buf, 0, "#size-cells", 2);
	if (r == 0)
		r = fdt_add_subnode(buf, 0, "chosen");
	if (r < 0)
		return fail(err, errlen, "root node", r);
	/* MMIO devices sit on a simple-bus that maps 1:1 to the root's
	 * address space (an empty "ranges"), as on QEMU's virt board. */
	int soc = fdt_add_subnode(buf, 0, FDT_SOC_PATH + 1);
	r = soc < 0 ? soc : 0;
	if (r == 0)
		r = fdt_setprop_string(buf, soc, "compatible", "simple-bus");
	if (r == 0)
		r = fdt_setprop_u32(buf, soc, "#address-cells", 2);
	if (r == 0)
		r = fdt_setprop_u32(buf, soc, "#size-cells", 2);
	if (r == 0)
		r = fdt_setprop_empty(buf, soc, "ranges");
	if (r < 0)
		return fail(err, errlen, FDT_SOC_PATH, r);
	return 0;
}

int fdt_build_devices(struct fdt_ctx *ctx, char *err, size_t errlen)
{
	if (!ctx->reg)
		return 0;
	for (unsigned i = 0; i < ctx->reg->nr_nodes; i++) {
		const struct fdt_node_entry *e = &ctx->reg->nodes[i];
		int r = e->fn(ctx, e->opaque);
		if (r < 0) {
			char what[96];
			snprintf(what, sizeof(what), "node of device %s", e->name ? e->name : "?");
			return fail(err, errlen, what, r);
		}
	}
	return 0;
}

/*
 * libfdt's read-write API puts every new property and subnode in front of
 * its siblings, so the tree in buf lists everything in reverse order of
 * creation. Re-emitting it with the sequential-write API, siblings walked
 * backwards, restores creation order, so a decompiled blob reads like the
 * code that built it (compatible before reg, cpu@0 before cpu@1, devices in
 * registration order).
 */
#define FDT_MAX_SIBLINGS 128

static int copy_in_creation_order(const void *src, int node, void *dst)
{
	int items[FDT_MAX_SIBLINGS], n = 0, off, r;
	fdt_for_each_property_offset(off, src, node) {
		if (n == FDT_MAX_SIBLINGS)
			return -FDT_ERR_NOSPACE;
		items[n++] = off;
	}
	while (n-- > 0) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(src, items[n], &name, &len);
		if (!val)
			return len;
		r = fdt_property(dst, name, val, len);
		if (r < 0)
			return r;
	}
	n = 0;
	fdt_for_each_subnode(off, src, node) {
		if (n == FDT_MAX_SIBLINGS)
			return -FDT_ERR_NOSPACE;
		items[n++] = off;
	}
	while (n-- > 0) {
		r = fdt_begin_node(dst, fdt_get_name(src, items[n], NULL));
		if (r == 0)
			r = copy_in_creation_order(src, items[n], dst);
		if (r == 0)
			r = fdt_end_node(dst);
		if (r < 0)
			return r;
	}
	return 0;
}

int fdt_build_finish(void *buf, size_t size, char *err, size_t errlen)
{
	if (size > INT32_MAX)
		return fail(err, errlen, "buffer", -FDT_ERR_BADVALUE);
	void *out = malloc(size);
	if (!out)
		return fail(err, errlen, "finish", -FDT_ERR_NOSPACE);
	int r = fdt_create(out, (int)size);
	if (r == 0)
		r = fdt_finish_reservemap(out);
	if (r == 0)
		r = fdt_begin_node(out, "");
	if (r == 0)
		r = copy_in_creation_order(buf, 0, out);
	if (r == 0)
		r = fdt_end_node(out);
	if (r == 0)
		r = fdt_finish(out);
	if (r == 0)
		memcpy(buf, out, fdt_totalsize(out));
	free(out);
	if (r < 0)
		return fail(err, errlen, "finish", r);
	return 0;
}
