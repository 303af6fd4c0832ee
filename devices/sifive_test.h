/* SPDX-License-Identifier: MIT */
/*
 * Exit device compatible with QEMU's sifive_test (compatible "sifive,test0",
 * at 0x100000 on QEMU's virt board, vmm/arch/riscv/riscv_layout.h): a
 * 32-bit write to offset 0 of
 *   0x5555               ends the VM with status 0 (pass),
 *   0x3333 | code << 16  ends it with status code (fail),
 *   0x7777               asks for a reset (irqvm stops: guest reset).
 * Linux drives it through syscon-poweroff/syscon-reboot nodes.
 *
 * Deviation from QEMU (which calls exit(code)): a fail whose code is 0
 * modulo 256 ends with status 1, so a reported failure can never read as
 * success in a process exit status.
 */
#ifndef IRQVM_DEVICES_SIFIVE_TEST_H
#define IRQVM_DEVICES_SIFIVE_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/vm.h"

enum sifive_test_action {
	SIFIVE_TEST_IGNORE, /* not a command: another offset, size or value */
	SIFIVE_TEST_PASS,
	SIFIVE_TEST_FAIL,
	SIFIVE_TEST_RESET,
};

struct sifive_test_cmd {
	enum sifive_test_action action;
	int status; /* process exit status for PASS (0) and FAIL (1..255) */
};

/* Decode one guest write; pure. Accesses of 2, 4 or 8 bytes at offset 0
 * count (QEMU accepts 2..4; the low 32 bits of an 8-byte store are what
 * QEMU would see first). */
struct sifive_test_cmd sifive_test_decode(uint64_t offset, uint64_t value, unsigned size);

/* Register the device (one 4 KiB page) at base on the MMIO bus. */
int sifive_test_create(struct vm *vm, struct bus *bus, uint64_t base, char *err, size_t errlen);

#endif
