/* SPDX-License-Identifier: MIT */
/*
 * irqvm's paravirtual board controller (x86: IRQVM_PORT_PLATFORM): lets the
 * guest start application processors (like PSCI CPU_ON or SBI HSM on other
 * architectures) and read the host clock. Register layout in abi.h.
 */
#ifndef IRQVM_DEVICES_PLATFORM_H
#define IRQVM_DEVICES_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/vm.h"

int platform_create(struct vm *vm, struct bus *bus, uint64_t base, char *err, size_t errlen);

#endif
