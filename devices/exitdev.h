/* SPDX-License-Identifier: MIT */
/*
 * Exit device compatible with QEMU's isa-debug-exit (iobase 0xf4, iosize 4):
 * a write of v ends the VM with VM status (v << 1) | 1. See
 * docs/exit-codes.md for how irqvm turns that into its exit status.
 */
#ifndef IRQVM_DEVICES_EXITDEV_H
#define IRQVM_DEVICES_EXITDEV_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/vm.h"

int exitdev_create(struct vm *vm, struct bus *bus, uint64_t base, char *err, size_t errlen);

#endif
