/* SPDX-License-Identifier: MIT */
/*
 * The RISC-V board's devices on the MMIO bus, each with the device tree
 * node that describes it (registered in the FDT registry, vmm/core/fdt.h).
 * Addresses and interrupt numbers: riscv_layout.h.
 */
#include "vmm/arch/riscv/riscv.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>

#include "devices/serial.h"
#include "devices/sifive_test.h"
#include "devices/testdev.h"
#include "vmm/core/log.h"

static int uart_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "ns16550a" };
	char path[64];
	(void)opaque;
	int node = fdt_ctx_add_mmio_device(ctx, "serial", compat, 1, IRQVM_RV_UART_BASE,
					   IRQVM_RV_UART_SIZE);
	if (node < 0)
		return node;
	int r = fdt_setprop_u32(ctx->fdt, node, "clock-frequency", IRQVM_RV_UART_CLOCK_HZ);
	if (r == 0)
		r = fdt_ctx_set_irq(ctx, node, IRQVM_RV_UART_IRQ);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/serial@%x", FDT_SOC_PATH, IRQVM_RV_UART_BASE);
	return fdt_ctx_set_stdout(ctx, path);
}

/* What the test device's node and its syscon users need. */
struct test_fdt {
	uint32_t phandle;
};

/* Like QEMU's virt board: the device is a syscon, and Linux powers off and
 * reboots through syscon-poweroff/syscon-reboot nodes writing its codes. */
static int syscon_action_node(struct fdt_ctx *ctx, const char *name, const char *compat,
			      uint32_t regmap, uint32_t value)
{
	int node = fdt_ctx_add_node(ctx, "/", name, false, 0);
	int r = node < 0 ? node : fdt_setprop_string(ctx->fdt, node, "compatible", compat);
	if (r == 0)
		r = fdt_setprop_u32(ctx->fdt, node, "regmap", regmap);
	if (r == 0)
		r = fdt_setprop_u32(ctx->fdt, node, "offset", 0);
	if (r == 0)
		r = fdt_setprop_u32(ctx->fdt, node, "value", value);
	return r;
}

static int test_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "sifive,test1", "sifive,test0", "syscon" };
	const struct test_fdt *t = opaque;
	int node = fdt_ctx_add_mmio_device(ctx, "test", compat, 3, IRQVM_RV_TEST_BASE,
					   IRQVM_RV_TEST_SIZE);
	int r = node < 0 ? node : fdt_setprop_u32(ctx->fdt, node, "phandle", t->phandle);
	if (r == 0)
		r = syscon_action_node(ctx, "poweroff", "syscon-poweroff", t->phandle,
				       IRQVM_RV_TEST_PASS);
	if (r == 0)
		r = syscon_action_node(ctx, "reboot", "syscon-reboot", t->phandle,
				       IRQVM_RV_TEST_RESET);
	return r;
}

static int testdev_node(struct fdt_ctx *ctx, void *opaque)
{
	static const char *const compat[] = { "irqvm,testdev" };
	(void)opaque;
	int node = fdt_ctx_add_mmio_device(ctx, "testdev", compat, 1, IRQVM_RV_TESTDEV_BASE,
					   IRQVM_TESTDEV_NR_LINES);
	if (node < 0)
		return node;
	/* Second "reg" entry: the extension registers. */
	int r = fdt_appendprop_u64(ctx->fdt, node, "reg",
				   IRQVM_RV_TESTDEV_BASE + IRQVM_RV_TESTDEV_EXT_OFFSET);
	if (r == 0)
		r = fdt_appendprop_u64(ctx->fdt, node, "reg", IRQVM_TESTDEV_EXT_SIZE);
	return r;
}

static int add_fdt_node(struct riscv_vm *r, const char *name, fdt_node_fn fn, void *opaque,
			char *err, size_t errlen)
{
	if (fdt_registry_add(&r->fdt_reg, name, fn, opaque) == 0)
		return 0;
	snprintf(err, errlen, "too many device tree nodes (adding %s)", name);
	return -1;
}

static void free_test_fdt(void *opaque)
{
	free(opaque);
}

int riscv_devices_create(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct riscv_vm *r = riscv_vm_of(vm);
	if (cfg->dev_uart) {
		if (serial_create(vm, &vm->mmio, IRQVM_RV_UART_BASE, IRQVM_RV_UART_IRQ, err,
				  errlen) < 0 ||
		    add_fdt_node(r, "serial", uart_node, NULL, err, errlen) < 0)
			return -1;
	}
	if (cfg->dev_exit) {
		struct test_fdt *t = calloc(1, sizeof(*t));
		if (!t || vm_add_device(vm, "sifive-test-fdt", t, free_test_fdt) < 0) {
			free(t);
			snprintf(err, errlen, "out of memory or too many devices");
			return -1;
		}
		t->phandle = fdt_registry_alloc_phandle(&r->fdt_reg);
		if (sifive_test_create(vm, &vm->mmio, IRQVM_RV_TEST_BASE, err, errlen) < 0 ||
		    add_fdt_node(r, "sifive-test", test_node, t, err, errlen) < 0)
			return -1;
	}
	if (cfg->dev_testdev) {
		if (testdev_create(vm, &vm->mmio, IRQVM_RV_TESTDEV_BASE,
				   IRQVM_RV_TESTDEV_BASE + IRQVM_RV_TESTDEV_EXT_OFFSET, err,
				   errlen) < 0 ||
		    add_fdt_node(r, "testdev", testdev_node, NULL, err, errlen) < 0)
			return -1;
	}
	return 0;
}
