/* SPDX-License-Identifier: MIT */
/*
 * What the kernel knows about the host it runs on: the VMM's boot-info
 * flags plus its own probes. Tests use this only to explain, never to
 * fake, a missing behaviour: "skip with a reason" is allowed where the host
 * is known to deviate from the architecture; everywhere else a missing
 * exception is a failure.
 */
#ifndef X86_HOST_H
#define X86_HOST_H

#include <stdbool.h>
#include <stdint.h>

struct x86_host {
	uint32_t boot_flags;     /* IRQVM_HOSTF_* from the boot info */
	bool cpl0_emulated;      /* ring-0 code runs in KVM's instruction emulator */
	uint64_t cpl0_loop_cycles; /* TSC cycles per turn of a 2-instruction loop */
	uint64_t cpl3_loop_cycles_x1000; /* same at CPL3, times 1000 */
};

extern struct x86_host x86_host;

/* Time the same loop in ring 0 and ring 3 (one user task). */
void host_probe_cpl0(void);

/* The host is one where documented deviations (docs/guest.md) apply. */
bool host_quirky(void);

/* Executing int3/int n in ring 0 will not stop the VM. */
bool host_cpl0_int_ok(void);

#endif /* X86_HOST_H */
