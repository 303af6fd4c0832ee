/* SPDX-License-Identifier: MIT */
/* A VM /init holds for the host's life: see keep_vm.c. */
#ifndef IRQVM_TEST_HOST_KEEP_VM_H
#define IRQVM_TEST_HOST_KEEP_VM_H

/* Creates the VM (in-kernel irqchip, one vCPU, never run) and keeps its
 * descriptors open, close-on-exec. Returns 0, or -1 having said why. */
int keep_vm_open(void);

#endif
