/* SPDX-License-Identifier: MIT */
/*
 * What each architecture directory (vmm/arch/x86, vmm/arch/riscv) supplies
 * to the neutral VM core. Exactly one is linked into a given irqvm binary.
 */
#ifndef IRQVM_ARCH_H
#define IRQVM_ARCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Pointers only: the interface does not need vm.h (vmm/core/vm.h). */
struct vm;
struct vcpu;
struct vm_options;

enum vcpu_exit_action {
	VCPU_EXIT_CONTINUE, /* handled, re-enter the guest */
	VCPU_EXIT_STOP,     /* the VM is stopping (vm_request_stop was called) */
};

/* Name as in configs ("x86_64", "riscv64"). */
extern const char arch_name[];

/* KVM capabilities the arch needs, checked with clear messages; 0 or -1 with err. */
int arch_check_kvm(struct vm *vm, char *err, size_t errlen);
/* Guest RAM layout for the configured size: fills vm->ram[] (gpa, size). */
int arch_plan_ram(struct vm *vm, char *err, size_t errlen);
/* After RAM exists: interrupt controllers, devices, kernel, boot data.
 * Returns 0 or an IRQVM_EXIT_* status (CONFIG for an unusable kernel file). */
int arch_vm_init(struct vm *vm, const struct vm_options *opts, char *err, size_t errlen);
/* After KVM_CREATE_VCPU: CPUID/registers; BSP gets boot state. */
int arch_vcpu_init(struct vcpu *vcpu, char *err, size_t errlen);
/* Called with vcpu->start filled, on the vCPU's own thread. */
int arch_vcpu_start(struct vcpu *vcpu);
/* Just before each KVM_RUN on the vCPU thread (e.g. inject ExtINT). */
void arch_vcpu_pre_run(struct vcpu *vcpu);
/* One NMI queued with vcpu_request_nmi, on the vCPU's own thread (x86:
 * KVM_NMI). 0, or -1 with err (the caller warns "vCPU N: <err>"). */
int arch_vcpu_inject_nmi(struct vcpu *vcpu, char *err, size_t errlen);
/* Exits the neutral core does not handle (it does IO, MMIO, SHUTDOWN, SYSTEM_EVENT). */
enum vcpu_exit_action arch_vcpu_exit(struct vcpu *vcpu);
/*
 * Message-signalled interrupts as the platform's interrupt controller takes
 * them (vm->deliver_msi_status sends one; x86: local APIC address/data, SDM
 * vol. 3 11.11). A platform without MSIs leaves deliver_msi_status NULL and
 * every sender refuses before a message it encoded is used.
 */
enum arch_msi_delivery { ARCH_MSI_FIXED, ARCH_MSI_LOWEST, ARCH_MSI_NMI };
/* An edge message to vCPU dest (physical destination); NMI ignores vector. */
void arch_msi_encode(unsigned dest, unsigned vector, enum arch_msi_delivery delivery,
		     uint64_t *address, uint32_t *data);
/* A raw message from the control socket: 0 if it may be sent, else -1 with
 * err (only ordinary interrupts, never one that resets or hijacks a vCPU).
 * *vector is the vector it carries, -1 if none (NMI): its range is the
 * caller's to check, after this. */
int arch_msi_check(uint64_t address, uint64_t data, int *vector, char *err, size_t errlen);
struct arch_msi_dest {
	unsigned dest;  /* destination field */
	int vector;     /* what the guest takes (arch_nmi_vector for an NMI) */
	bool physical;  /* dest names one vCPU */
	bool nmi;
};
void arch_msi_decode(uint64_t address, uint32_t data, struct arch_msi_dest *out);
/* The vector an NMI is accounted under (x86: 2); -1 where there is no NMI. */
extern const int arch_nmi_vector;
/*
 * A vCPU's counters for the end-of-run report of -v, in print order: "NAME
 * VALUE", or "VALUE NAME" when value_first. Exit kinds go inside the
 * parentheses after the vCPU's exit count, the others after them:
 *   vCPU 0: 9 exits (port I/O 5, MMIO 4), 3 ExtINT injections
 * Fills at most max entries; returns how many.
 */
struct arch_vcpu_counter {
	const char *name;
	uint64_t value;
	bool value_first;
	bool exit_kind;
};
unsigned arch_vcpu_counters(const struct vcpu *vcpu, struct arch_vcpu_counter *out, unsigned max);
/* A spin-wait hint for the host CPU (x86: pause), in busy loops of any thread. */
void arch_cpu_relax(void);
/* Print the vCPU's registers (crash reports). */
void arch_vcpu_dump(struct vcpu *vcpu, FILE *out);
/*
 * The interrupt-state dump (vmm/core/irq_dump.h). arch_irq_dump_chips adds the
 * platform's interrupt controllers to dump ("pic", "ioapic", "irqchip_note",
 * "irqchip_counters"); main thread, takes the irqchip lock itself.
 * arch_vcpu_irq_state returns the vCPU's interrupt state as a new object
 * (never NULL; "error" says what could not be read). It issues vCPU ioctls,
 * so it runs on the vCPU's own thread, or on another only when no thread
 * can be in KVM_RUN for that vCPU.
 */
void arch_irq_dump_chips(struct vm *vm, json_t *dump);
json_t *arch_vcpu_irq_state(struct vcpu *vcpu);
/* Start-of-run hooks that need the event loop (timers). */
int arch_vm_start(struct vm *vm, char *err, size_t errlen);
void arch_vm_destroy(struct vm *vm);
void arch_vcpu_destroy(struct vcpu *vcpu);

#endif
