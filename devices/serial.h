/* SPDX-License-Identifier: MIT */
/* A 16550A serial port wired to the VM: a bus range, an IRQ line, the console. */
#ifndef IRQVM_DEVICES_SERIAL_H
#define IRQVM_DEVICES_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/vm.h"

/* Eight byte-wide registers at base on bus (x86 ports or RISC-V MMIO);
 * the UART's interrupt output drives irq_line. */
int serial_create(struct vm *vm, struct bus *bus, uint64_t base, unsigned irq_line,
		  char *err, size_t errlen);

#endif
