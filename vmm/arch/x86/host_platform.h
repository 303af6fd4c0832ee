/* SPDX-License-Identifier: MIT */
/*
 * Which kind of KVM host irqvm runs on, decided from facts only: the CPUID
 * hypervisor leaves of the CPU irqvm's process runs on, which KVM vendor
 * module provides /dev/kvm, and the start-up probes' results. Never from
 * timing: a timing probe misfires under QEMU TCG (seen on the x86 test host).
 *
 * host_platform_classify() is pure (no I/O) so every rule is unit-tested;
 * x86_host_facts.c gathers the facts on the real machine.
 */
#ifndef IRQVM_ARCH_X86_HOST_PLATFORM_H
#define IRQVM_ARCH_X86_HOST_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <irqvm/abi.h>

/* The vendor modules that can provide /dev/kvm on x86, in this order. */
enum host_vendor_module {
	HOST_MOD_KVM_AMD,
	HOST_MOD_KVM_INTEL,
	HOST_MOD_KVM_PVM,
	HOST_NR_VENDOR_MODULES,
};

/* /sys/module/<name> as seen while irqvm holds /dev/kvm open. */
struct host_module_fact {
	bool present; /* /sys/module/<name> exists (loaded, or built in with parameters) */
	int refcnt;   /* /sys/module/<name>/refcnt; -1 when absent (built in) */
};

/* A probe's verdict: did not run / failed, no, yes. */
enum host_probe_result { HOST_PROBE_UNKNOWN = -1, HOST_PROBE_NO = 0, HOST_PROBE_YES = 1 };

struct host_facts {
	bool hv_bit;          /* CPUID.1:ECX[31]: a hypervisor runs below the host kernel */
	char hv_signature[12]; /* CPUID 0x40000000 EBX:ECX:EDX, raw; zero when hv_bit is clear */
	struct host_module_fact mod[HOST_NR_VENDOR_MODULES];
	enum host_probe_result cpl0_int_fails;   /* KVM cannot run CPL0 `int n` */
	enum host_probe_result eoi_at_injection; /* level EOI exit comes at injection */
};

struct host_platform {
	uint32_t platform;  /* enum irqvm_host_platform */
	uint32_t module;    /* enum irqvm_kvm_module */
	char name[112];     /* e.g. "nested KVM under QEMU TCG (kvm_amd)"; the guest
			     * rebuilds the same text from platform and module */
	char signature[13]; /* CPUID 0x40000000 signature, printable ('.' for others); "" without hv bit */
	char module_why[128]; /* how the module was identified */
	char note[160];     /* probe results that contradict the identity, or "" */
};

void host_platform_classify(const struct host_facts *f, struct host_platform *out);

/* "kvm_amd", "kvm_intel", "kvm_pvm" for HOST_MOD_*; the sysfs directory name. */
const char *host_vendor_module_name(enum host_vendor_module m);

#endif
