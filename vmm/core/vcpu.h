/* SPDX-License-Identifier: MIT */
/* vCPU creation and threads (see vcpu.c for the kick protocol). */
#ifndef IRQVM_VCPU_H
#define IRQVM_VCPU_H

#include <stddef.h>

#include "vmm/core/vm.h"

int vcpu_create(struct vm *vm, unsigned index, char *err, size_t errlen);
void vcpu_destroy(struct vcpu *vcpu);
int vcpus_start_threads(struct vm *vm, char *err, size_t errlen);
/* Ask every vCPU thread to stop, kick it, and join it. */
void vcpus_stop_threads(struct vm *vm);

#endif
