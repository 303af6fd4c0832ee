/* SPDX-License-Identifier: MIT */
/*
 * What the kernel knows about the host it runs on: the facts the VMM put in
 * the boot info (host flags, the identified platform and KVM module). Tests
 * use this only to explain, never to fake, a missing behaviour: "skip with
 * a reason" where the host is known to lack a path, "TODO" where it is
 * known to get a check wrong (docs/testing.md lists both), and everywhere
 * else a difference from the architecture is a failure.
 *
 * The kernel's own ring-0 vs ring-3 timing is measured for a diagnostic
 * line only: it misfires under QEMU TCG, so it decides nothing.
 */
#ifndef X86_HOST_H
#define X86_HOST_H

#include <stdbool.h>
#include <stdint.h>

struct x86_host {
	uint32_t boot_flags;     /* IRQVM_HOSTF_* from the boot info */
	uint32_t platform;       /* enum irqvm_host_platform (0: the VMM did not say) */
	uint32_t kvm_module;     /* enum irqvm_kvm_module */
	uint64_t cpl0_loop_cycles; /* TSC cycles per turn of a 2-instruction loop */
	uint64_t cpl3_loop_cycles_x1000; /* same at CPL3, times 1000 */
};

extern struct x86_host x86_host;

/* Time the same loop in ring 0 and ring 3 (one user task): diagnostic only. */
void host_probe_cpl0(void);

/* The VMM says /dev/kvm is the nested "PVM" KVM, whose documented quirks
 * (docs/guest.md) may explain a missing behaviour. */
bool host_pvm(void);

/* The VMM identified exactly this platform (IRQVM_PLATFORM_*). */
bool host_platform_is(uint32_t platform);

/* "nested KVM under QEMU TCG (kvm_amd)", as irqvm -v names it. */
const char *host_platform_name(void);

/* The known deviations of QEMU 7.2's TCG from hardware that guest checks
 * see when KVM runs inside it (docs/testing.md, "Platform deviations"). */
#define TCG_GP_GATE_ERRCODE                                                     \
	"QEMU 7.2 TCG gives #GP error code vector*16+2 for a DPL-0 gate, not "  \
	"vector*8+2 (QEMU issue 1382, fixed in QEMU 8.0)"
#define TCG_SS_NONCANONICAL                                                     \
	"QEMU 7.2 TCG raises #GP, not #SS, for a non-canonical stack reference"
#define TCG_NO_AC                                                               \
	"QEMU 7.2 TCG does not implement alignment checking: no #AC with CR0.AM " \
	"and EFLAGS.AC at CPL3"
#define TCG_NP_NOT_DF                                                           \
	"QEMU 7.2 TCG delivers #NP for the not-present #GP gate instead of "   \
	"promoting it to #DF"

/* Report check `name` as "not ok N - name # TODO <platform>: <reason>".
 * Callers use it only on the platform the deviation belongs to and only
 * after they saw exactly that deviation. */
void host_todo(const char *reason, const char *name);

#endif /* X86_HOST_H */
