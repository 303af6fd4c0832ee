/* SPDX-License-Identifier: MIT */
/*
 * The test device: lets a guest drive interrupt lines and MSIs itself.
 * - QEMU pc-testdev compatible line ports: a byte write of v to
 *   IRQVM_PORT_TESTDEV_IRQ + n sets line n to (v != 0); a read returns the
 *   line's level.
 * - irqvm extensions (IRQVM_PORT_TESTDEV_EXT, 32-bit registers, abi.h):
 *   an MSI trigger (address/data then FIRE), a pulse register, an error
 *   status (a bad request is visible to the guest without ending the VM),
 *   and a storm generator (a VMM thread sending COUNT line pulses or MSIs
 *   PERIOD_NS apart) so a guest can test its storm defences by itself.
 */
#ifndef IRQVM_DEVICES_TESTDEV_H
#define IRQVM_DEVICES_TESTDEV_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/vm.h"

int testdev_create(struct vm *vm, struct bus *bus, uint64_t line_base, uint64_t ext_base,
		   char *err, size_t errlen);

#endif
