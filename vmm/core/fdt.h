/* SPDX-License-Identifier: MIT */
/*
 * Flattened device tree builder with a device registry.
 *
 * The board code (vmm/core/fdt_riscv.c) writes the fixed skeleton: root, memory,
 * cpus with their per-CPU interrupt controllers, chosen, and an empty /soc
 * bus. Every device that wants a node registers an fdt_node_fn while the VM
 * is being put together; at build time the callbacks run in registration
 * order and each adds its own node(s). So an interrupt controller model
 * (PLIC, ACLINT, APLIC) plugs in by registering a callback and, for the
 * platform interrupt controller, announcing its phandle with
 * fdt_registry_set_irq_parent(): devices registered before or after it get
 * "interrupt-parent" from that, because nodes are written only once all
 * devices exist.
 *
 * The tree is built with libfdt's read-write API inside a caller buffer.
 * Node offsets from libfdt are only valid until the next node is added, so
 * callbacks add a node, fill it, and look nodes up again by path.
 */
#ifndef IRQVM_FDT_H
#define IRQVM_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_NODES 32u    /* registered device callbacks */
#define FDT_MAX_CPUS 64u     /* per-CPU interrupt controller phandles */
#define FDT_SOC_PATH "/soc"  /* the simple-bus MMIO devices live on */

struct fdt_ctx;

/* Adds the device's node(s) to ctx->fdt. Returns 0, or a negative libfdt
 * error (-FDT_ERR_*) that fails the whole build. */
typedef int (*fdt_node_fn)(struct fdt_ctx *ctx, void *opaque);

struct fdt_node_entry {
	const char *name; /* for error messages */
	fdt_node_fn fn;
	void *opaque;
};

struct fdt_registry {
	struct fdt_node_entry nodes[FDT_MAX_NODES];
	unsigned nr_nodes;
	uint32_t last_phandle;
	/* The platform interrupt controller's phandle (0: none yet) and its
	 * #interrupt-cells (1 for a PLIC, 2 for an APLIC). */
	uint32_t irq_parent;
	unsigned irq_cells;
};

void fdt_registry_init(struct fdt_registry *reg);
/* Returns 0, or -1 if the table is full or fn is NULL. */
int fdt_registry_add(struct fdt_registry *reg, const char *name, fdt_node_fn fn, void *opaque);
/* A fresh phandle, unique within the registry's tree; never 0. */
uint32_t fdt_registry_alloc_phandle(struct fdt_registry *reg);
void fdt_registry_set_irq_parent(struct fdt_registry *reg, uint32_t phandle, unsigned cells);

/* What callbacks see. */
struct fdt_ctx {
	void *fdt;                        /* libfdt read-write tree */
	const struct fdt_registry *reg;
	unsigned nr_cpus;
	const uint32_t *cpu_intc;         /* [nr_cpus] phandles of per-CPU irq controllers */
};

/*
 * Add PARENT_PATH/NAME@UNIT (NAME alone when has_unit is false). Returns the
 * new node's offset or a negative libfdt error (-FDT_ERR_EXISTS for a
 * duplicate).
 */
int fdt_ctx_add_node(struct fdt_ctx *ctx, const char *parent_path, const char *name,
		     bool has_unit, uint64_t unit);
/*
 * The usual MMIO device on /soc: node NAME@BASE with "compatible" (a
 * stringlist of nr_compat entries) and "reg" = <BASE SIZE> in two-cell
 * address and size form. Returns the node offset or a negative libfdt error.
 */
int fdt_ctx_add_mmio_device(struct fdt_ctx *ctx, const char *name, const char *const *compat,
			    unsigned nr_compat, uint64_t base, uint64_t size);
/* "interrupts" = <line> with "interrupt-parent" when the registry has an
 * interrupt controller; nothing when it has none (the device is polled).
 * An irq parent with 2 cells gets <line 4> (level-high, as for an APLIC). */
int fdt_ctx_set_irq(struct fdt_ctx *ctx, int node, unsigned line);
/* A stringlist property from an array of n strings. */
int fdt_ctx_prop_strings(struct fdt_ctx *ctx, int node, const char *prop,
			 const char *const *strs, unsigned n);
/* "reg" = <addr size>, two cells each (the root and /soc use 2/2). */
int fdt_ctx_prop_reg(struct fdt_ctx *ctx, int node, uint64_t addr, uint64_t size);
/* Make /chosen/stdout-path point at PATH (the console device's node path). */
int fdt_ctx_set_stdout(struct fdt_ctx *ctx, const char *path);

/*
 * Build steps used by the board code: start an empty tree in buf, run
 * every registered callback, then finish it. Errors come back as a message
 * in err naming the step or callback. fdt_build_begin also writes the root
 * node's #address-cells/#size-cells (2/2) and creates /chosen and the /soc
 * simple-bus. fdt_build_finish rewrites buf as a compact blob that lists
 * properties and nodes in the order they were created (libfdt's
 * read-write API itself prepends them).
 */
int fdt_build_begin(void *buf, size_t size, char *err, size_t errlen);
int fdt_build_devices(struct fdt_ctx *ctx, char *err, size_t errlen);
int fdt_build_finish(void *buf, size_t size, char *err, size_t errlen);

#endif
