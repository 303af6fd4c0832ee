/* SPDX-License-Identifier: MIT */
/* x86-64 back end of the VMM: private state shared by vmm/arch/x86/ files. */
#ifndef IRQVM_ARCH_X86_H
#define IRQVM_ARCH_X86_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "irqchip/ioapic.h"
#include "irqchip/pic8259.h"
#include "vmm/arch/x86/host_platform.h"
#include "vmm/core/elf_loader.h"
#include "vmm/core/vm.h"

struct loop_timer;
struct pit_device;

#define X86_MAX_MSI_ROUTES 16

/* x86's per-vCPU counters in vcpu->stats.arch[] (named by arch_vcpu_counters). */
enum x86_vcpu_counter {
	X86_CNT_IRQ_WINDOW_EXITS,
	X86_CNT_EOI_EXITS,            /* KVM_EXIT_IOAPIC_EOI */
	X86_CNT_EOI_EXITS_SUPPRESSED, /* ...ignored: the guest set SVR bit 12 */
	X86_CNT_EXTINT_INJECTIONS,    /* KVM_INTERRUPT calls (PIC ExtINT) */
	X86_CNT_SOFTINT_EMULATED,     /* CPL0 int n delivered by the VMM */
	X86_NR_CNT
};
_Static_assert(X86_NR_CNT <= VCPU_ARCH_COUNTERS, "vcpu_stats.arch[] is too small");

/* How the VMM learned to deliver interrupts on this host (reported by -v and `query`). */
struct x86_host_paths {
	bool split_irqchip;        /* KVM_CAP_SPLIT_IRQCHIP enabled */
	bool eoi_at_injection;     /* probed: LAPIC EOI exit arrives at injection time */
	bool eoi_probe_ran;
	bool isr_clear_in_handler; /* probed: LAPIC ISR reads 0 inside a handler (auto-EOI) */
	enum host_probe_result cpl0_int_fails; /* probed: KVM cannot run CPL0 int n */
	bool nested_pvm;           /* /dev/kvm is provided by kvm_pvm (x86_host_id.c) */
};

struct x86_vm {
	bool split; /* irqchip "split" (userspace PIC/IOAPIC) vs "kernel" */
	uint32_t devices; /* IRQVM_DEV_* */
	uint64_t tsc_khz;
	struct x86_host_paths paths;
	struct host_platform host; /* what kind of host this is (x86_host_id.c) */
	struct kvm_cpuid2 *cpuid;
	struct elf_load_info kernel;

	/* Split irqchip: one lock serialises the PIC, the IOAPIC and their
	 * outputs. Lock order: device locks -> irq_lines.lock -> irqchip_lock. */
	pthread_mutex_t irqchip_lock;
	struct pic8259 pic;
	struct ioapic ioapic;
	bool pic_output;             /* PIC INT pin, to BSP LINT0 (ExtINT) */
	bool inta_cycle;             /* the BSP is in an INTA cycle that may be undone */
	bool line_level[24];         /* per GSI line, for the wired-OR of lines 0 and 2 on pin 2 */
	uint64_t recheck_at[IOAPIC_NUM_PINS];
	struct loop_timer *recheck_timer;
	struct kvm_irq_routing *routes; /* mirror of IOAPIC entries for KVM's EOI-exit bitmap */
	uint64_t msi_delivered, msi_failed, extint_ignored;
	/* KVM's verdict on the IOAPIC's last message (accounting, vmm/core/stats.h). */
	int last_msi_status;
	/* MSI routes for irqfds (control socket), appended after the IOAPIC's
	 * mirror at GSI IOAPIC_NUM_PINS + slot. */
	struct x86_msi_route {
		bool used;
		uint64_t address;
		uint32_t data;
	} msi_routes[X86_MAX_MSI_ROUTES];

	struct pit_device *pit;
};

/* x86_boot.c */
int x86_write_boot_tables(struct vm *vm, char *err, size_t errlen);
int x86_set_long_mode(struct vcpu *vcpu, uint64_t rip, uint64_t rsp, uint64_t rdi, uint64_t rsi);
int x86_write_boot_info(struct vm *vm, const struct elf_load_info *kernel, char *err, size_t errlen);

/* x86_irqchip.c */
int x86_irqchip_create(struct vm *vm, char *err, size_t errlen);
void x86_irqchip_destroy(struct vm *vm);
void x86_irqchip_pre_run(struct vcpu *vcpu);
void x86_irqchip_eoi_exit(struct vcpu *vcpu, uint8_t vector);

/* x86_routes.c: KVM's GSI routing table for the split irqchip. r must have
 * room for IOAPIC_NUM_PINS + nr_irqfd_routes entries. */
void x86_routes_fill(struct kvm_irq_routing *r, const struct ioapic *io,
		     const struct x86_msi_route *irqfd_routes, unsigned nr_irqfd_routes);

/* x86_softint_exit.c */
enum vcpu_exit_action x86_handle_internal_error(struct vcpu *vcpu);

/* x86_probe_vm.c: a throw-away one-vCPU VM for start-up probes. */
#define X86_PROBE_CODE 0x10000    /* the program, entered in long mode */
#define X86_PROBE_HANDLER 0x10100 /* the handler behind the program's one gate */
struct x86_probe_program {
	const uint8_t *main;
	size_t main_len;
	const uint8_t *handler;
	size_t handler_len;
	uint8_t vector;     /* IDT vector whose DPL-0 interrupt gate leads to the handler */
	bool split_irqchip; /* KVM_CAP_SPLIT_IRQCHIP (in-kernel LAPIC) or no irqchip */
};
struct x86_probe_vm {
	int vm_fd;
	struct vm mini; /* only ram[] is used, to reuse the boot-table writer */
	struct vcpu cpu;
	size_t run_size;
	uint64_t run_started_ns; /* first x86_probe_vm_run(): the deadline counts from it */
};
int x86_probe_vm_create(struct vm *vm, const struct x86_probe_program *prog,
			struct x86_probe_vm *p, char *err, size_t errlen);
void x86_probe_vm_destroy(struct x86_probe_vm *p);
/* KVM_RUN for a probe, bounded: -1 with the reason in err once the probe
 * has run X86_PROBE_DEADLINE_MS in all, or when KVM_RUN fails. */
#define X86_PROBE_DEADLINE_MS 5000
int x86_probe_vm_run(struct x86_probe_vm *p, char *err, size_t errlen);

/* x86_eoi_probe.c */
int x86_probe_eoi_timing(struct vm *vm, bool *eoi_at_injection, bool *isr_clear_in_handler,
			 char *err, size_t errlen);

/* x86_int_probe.c: does KVM fail CPL0 `int n` (emulation failure)? */
int x86_probe_cpl0_int(struct vm *vm, bool *kvm_cannot, char *err, size_t errlen);

/* x86_host_facts.c: CPUID and the vendor modules under sysfs (normally "/sys"). */
void x86_host_facts_read(const char *sysfs, struct host_facts *f);

/* x86_host_id.c: probes + facts -> x->host, x->paths and vm->host_flags. */
void x86_identify_host(struct vm *vm);

/* pit wiring (x86_pit.c) */
int x86_pit_create(struct vm *vm, char *err, size_t errlen);
void x86_pit_destroy(struct vm *vm);

#endif
