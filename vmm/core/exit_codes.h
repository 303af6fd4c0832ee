/* SPDX-License-Identifier: MIT */
/*
 * irqvm's process exit status contract (docs/exit-codes.md says the same
 * for users). A guest that ends through the exit device with value v has the
 * VM status (v << 1) | 1 as in QEMU's isa-debug-exit; irqvm decodes it and
 * exits with v (like kvm-unit-tests' run scripts do), or with the raw VM
 * status when run with --exit-code=qemu.
 */
#ifndef IRQVM_EXIT_CODES_H
#define IRQVM_EXIT_CODES_H

enum irqvm_exit_code {
	IRQVM_EXIT_OK = 0,            /* guest wrote 0: all passed */
	IRQVM_EXIT_GUEST_FAIL = 1,    /* guest wrote 1: some check failed */
	IRQVM_EXIT_CONFIG = 2,        /* bad config / usage; no VM was created */
	/* irqvm's own statuses are even, so with --exit-code=qemu (guest statuses
	 * are then always odd) they never collide with a guest's. */
	IRQVM_EXIT_HOST = 4,          /* KVM or host failure (no /dev/kvm, ioctl failed) */
	IRQVM_EXIT_GUEST_CRASH = 6,   /* triple fault, unhandled emulation failure, bad entry */
	IRQVM_EXIT_GUEST_RESET = 8,   /* guest asked for reset / power-off without a status */
	IRQVM_EXIT_TIMEOUT = 124,     /* --timeout expired (as timeout(1)) */
	IRQVM_EXIT_SIGNAL_BASE = 128, /* 128 + signal number (SIGINT -> 130, SIGTERM -> 143) */
};

/* Why the VM stopped; the first reason recorded wins. */
enum vm_stop_reason {
	VM_STOP_NONE = 0,
	VM_STOP_GUEST_EXIT,   /* exit device or SBI SRST with a status */
	VM_STOP_GUEST_CRASH,
	VM_STOP_GUEST_RESET,
	VM_STOP_HOST_ERROR,
	VM_STOP_TIMEOUT,
	VM_STOP_SIGNAL,
	VM_STOP_USER,         /* control socket "quit" */
};

const char *vm_stop_reason_name(enum vm_stop_reason reason);

#endif
