/* SPDX-License-Identifier: MIT */
/*
 * A virtual machine: the KVM VM, its guest RAM, vCPUs, buses, interrupt
 * lines and the host event loop. Architecture-neutral; vmm/arch/<arch>/
 * supplies the pieces declared in vmm/core/arch.h.
 *
 * Threads: the main thread runs the event loop (signals, timeout, device
 * timers, control socket); each vCPU has one thread that alone issues
 * ioctls on its vCPU fd. Other threads ask a vCPU to do something by
 * setting a request bit and kicking it out of KVM_RUN (vcpu_kick).
 *
 * Subsystem vmm/core/ (this is its main header; map: docs/architecture.md).
 * Owns the VM and its vCPU threads, guest RAM, the PIO/MMIO buses, the
 * interrupt lines, the main thread's event loop, the ELF loader, the device
 * tree builders, logging, exit codes, the interrupt-state dump and the
 * interrupt accounting (stats). May call: vmm/config/ (the checked config),
 * irqchip/ (the chip snapshots the dump formats) and, only through
 * vmm/core/arch.h, the architecture in vmm/arch/<arch>/. Never includes
 * vmm/control/, cli/ or a vmm/arch/ header; the control socket reaches it
 * through struct vm_service below.
 */
#ifndef IRQVM_VM_H
#define IRQVM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/config/config.h"
#include "vmm/core/bus.h"
#include "vmm/core/exit_codes.h"
#include "vmm/core/irqline.h"
#include <irqvm/abi.h>

struct event_loop;
struct control;
struct irqchip_line_info;
struct vm_stats;

/* Requests to a vCPU thread, handled outside KVM_RUN. */
enum vcpu_request {
	VCPU_REQ_STOP = 1u << 0,     /* leave the run loop for good */
	VCPU_REQ_START = 1u << 1,    /* an AP start request is waiting in start */
	VCPU_REQ_IRQ = 1u << 2,      /* re-evaluate pending external interrupts */
	VCPU_REQ_PAUSE = 1u << 3,    /* park until resumed */
	VCPU_REQ_ARCH = 1u << 4,     /* architecture-specific work is pending */
	VCPU_REQ_NMI = 1u << 5,      /* issue the NMIs counted in nmi_queued (arch_vcpu_inject_nmi) */
	VCPU_REQ_SNAPSHOT = 1u << 6, /* fill snapshot.result with the interrupt state (irq_dump.c) */
};

struct vcpu_start {
	uint64_t pc, sp, arg;
};

#define VCPU_ARCH_COUNTERS 8

/*
 * Per-vCPU counters. Other threads read them while the vCPU runs (control
 * socket, interrupt-state dump, accounting), so every access is atomic:
 * the vCPU thread's own counters through vcpu_count/vcpu_counter below,
 * kicks and NMIs (written by several threads) with __atomic_fetch_add.
 */
struct vcpu_stats {
	uint64_t exits;
	uint64_t pio_exits, mmio_exits;
	uint64_t unhandled_pio, unhandled_mmio;
	/* The architecture's own counters (x86: ExtINT injections, IOAPIC EOI
	 * exits, ...; RISC-V: SEIP changes), indexed by its own enum and named
	 * by arch_vcpu_counters. Written by the vCPU thread only. */
	uint64_t arch[VCPU_ARCH_COUNTERS];
	uint64_t kicks;       /* any thread; atomic */
	uint64_t nmis;        /* NMIs injected (control socket requests); atomic */
	uint64_t nmi_failed;  /* NMI injections refused; atomic */
	uint64_t nmi_merged;  /* queued NMIs merged before injection (see vcpu.c); atomic */
};

/* One more on a counter that only its vCPU thread writes: a relaxed load
 * and store (no locked read-modify-write on the exit path) are enough for
 * readers on other threads to see whole values. */
static inline void vcpu_count(uint64_t *counter)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

/* A per-vCPU counter as another thread may read it. */
static inline uint64_t vcpu_counter(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	/* Both written under kick_lock; thread_started is atomic so that other
	 * threads may also just look at it (vcpu.c explains the ordering). */
	_Atomic bool thread_started;
	pthread_mutex_t kick_lock;
	bool running; /* has been started (BSP at boot, APs on request) */
	_Atomic unsigned requests;
	pthread_mutex_t lock; /* protects start and paused state */
	pthread_cond_t cond;
	struct vcpu_start start;
	bool parked;
	_Atomic unsigned nmi_queued; /* NMIs asked for with vcpu_request_nmi, not yet issued */
	/* An interrupt-state snapshot asked of this vCPU's thread (vmm/core/irq_dump.c).
	 * Under lock; cond announces the answer. */
	struct vcpu_snapshot_slot {
		uint64_t asked;        /* number of the request being waited for */
		bool waiting;          /* someone waits for request `asked` */
		bool answered;         /* result belongs to request `asked` */
		bool thread_ended;     /* the vCPU thread left its loop: nobody will answer */
		struct json_t *result; /* handed to the waiter */
	} snapshot;
	struct vcpu_stats stats;
	void *arch; /* architecture-private per-vCPU state */
};

struct guest_ram_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	unsigned slot;
};

struct vm {
	const struct vm_config *cfg;
	int kvm_fd;
	int vm_fd;
	int vcpu_mmap_size;

	struct guest_ram_region ram[IRQVM_MAX_MEM_REGIONS];
	unsigned nr_ram;

	struct bus pio;
	struct bus mmio;
	struct irq_lines lines;
	struct event_loop *loop;

	unsigned nr_vcpus;
	struct vcpu vcpus[IRQVM_MAX_VCPUS];

	/* Console output (UART, SBI console); NULL for "none". */
	FILE *console;

	/* How the VM ended: written once, under stop_lock. */
	pthread_mutex_t stop_lock;
	enum vm_stop_reason stop_reason;
	int guest_status;      /* for VM_STOP_GUEST_EXIT: the value the guest wrote */
	int stop_detail;       /* signal number, ... */
	_Atomic bool paused;

	uint32_t host_flags;   /* IRQVM_HOSTF_* probed at start-up */
	/* The guest's exit value is QEMU isa-debug-exit style: VM status
	 * (v << 1) | 1 (x86). RISC-V's sifive_test reports the code itself. */
	bool exit_value_qemu_encoded;
	/* Deliver a message-signalled interrupt (x86: address/data per SDM 11.11;
	 * RISC-V AIA: IMSIC address/data). Returns 0, or -1 if the irqchip mode
	 * cannot deliver MSIs. Thread-safe. */
	int (*deliver_msi)(struct vm *vm, uint64_t address, uint32_t data);
	/* The same with KVM's verdict, for accounting: >0 local APICs that
	 * accepted it, 0 refused by the guest (APIC disabled), -1 not
	 * deliverable (bad address, no such destination). NULL if unsupported. */
	int (*deliver_msi_status)(struct vm *vm, uint64_t address, uint32_t data);
	/* Routing and counters of interrupt line `line` (vmm/core/stats.h). NULL if unknown. */
	void (*irqchip_line_info)(struct vm *vm, unsigned line, struct irqchip_line_info *out);
	/* A KVM GSI routed to one MSI, for irqfds; returns the GSI or -1. NULL if unsupported. */
	int (*msi_route_add)(struct vm *vm, uint64_t address, uint32_t data);
	void (*msi_route_del)(struct vm *vm, int gsi);
	struct vm_stats *stats;   /* interrupt accounting (vmm/core/stats.h) */
	/* The control socket (vmm/control/, through vm_options.service); NULL
	 * without --api-socket. Opaque to the core. */
	struct control *control;
	void *arch;            /* architecture-private VM state */

	/* Device instances, destroyed in reverse order of creation. */
	struct vm_device {
		const char *name;
		void *opaque;
		void (*stop)(void *opaque); /* ends the device's own threads; may be NULL */
		void (*destroy)(void *opaque);
	} devices[32];
	unsigned nr_devices;
};

/* Remember a device so vm_destroy frees it; -1 if the table is full. */
int vm_add_device(struct vm *vm, const char *name, void *opaque, void (*destroy)(void *opaque));

/* The same for a device with threads of its own that raise lines or kick
 * vCPUs (the test device's storm generator): `stop` ends them, and is
 * called again harmlessly. */
int vm_add_threaded_device(struct vm *vm, const char *name, void *opaque,
			   void (*stop)(void *opaque), void (*destroy)(void *opaque));

/* End every device's own threads: once the VM has stopped, before the vCPU
 * threads are joined and the interrupt controllers freed, which those
 * threads would otherwise still use. vm_run and vm_destroy call it. */
void vm_stop_devices(struct vm *vm);

/*
 * A service vm_run starts and stops around the vCPU threads: the control
 * socket (vmm/control/control.h, control_service). The core calls it only
 * through these hooks and never includes its header. Any hook may be NULL.
 */
struct vm_service {
	/* Main thread, before any vCPU thread exists. 0, or -1 with err
	 * filled: vm_run then returns IRQVM_EXIT_HOST. */
	int (*start)(struct vm *vm, char *err, size_t errlen);
	/* The VM is stopping: end the service's threads that kick vCPUs
	 * (called before the vCPU threads are stopped). */
	void (*stop_threads)(struct vm *vm);
	/* Last: the VM stopped for reason (NULL: irqvm failed to start) and
	 * irqvm exits with exit_status. */
	void (*stopped)(struct vm *vm, const char *reason, int exit_status);
};

struct vm_options {
	bool qemu_exit_codes; /* --exit-code=qemu */
	const char *dump_dtb; /* RISC-V --dump-dtb FILE */
	const struct vm_service *service; /* NULL: none */
};

/*
 * Blocks the signals vm_run turns into a stop (SIGINT, SIGTERM, SIGHUP) or
 * an interrupt-state dump (SIGQUIT) in the calling thread and the threads
 * it creates from now on. Called before vm_create, a signal that comes
 * while the VM is being built stays pending and vm_run acts on it at once;
 * unblocked, one that the parent had set to ignored (a background job of a
 * shell script) would be lost, and the VM would run on.
 */
void vm_block_stop_signals(void);

/* Build the VM from a checked config. Returns 0, or an IRQVM_EXIT_* code with err filled. */
int vm_create(const struct vm_config *cfg, const struct vm_options *opts, struct vm **out,
	      char *err, size_t errlen);
/* Run until the guest or the host stops it; returns irqvm's exit status. */
int vm_run(struct vm *vm, const struct vm_options *opts);
void vm_destroy(struct vm *vm);

static inline bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop_reason, __ATOMIC_ACQUIRE) != VM_STOP_NONE;
}

/* Record why the VM stops (first caller wins) and wake the main thread. Thread-safe. */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int status);

/* Guest RAM access; NULL / -1 if [gpa, gpa+len) is not wholly inside one RAM region. */
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
int vm_read_gpa(struct vm *vm, uint64_t gpa, void *buf, size_t len);
int vm_write_gpa(struct vm *vm, uint64_t gpa, const void *buf, size_t len);

/* Ask vCPU to process requests soon: sets the bits and forces it out of KVM_RUN. */
void vcpu_request(struct vcpu *vcpu, unsigned requests);
void vcpu_kick(struct vcpu *vcpu);
/* -v's end-of-run line for one vCPU: "vCPU N: E exits (KIND N, ...), N WHAT,
 * ..." with the counters the architecture declares (arch_vcpu_counters). */
void vcpu_counters_line(const struct vcpu *vcpu, char *line, size_t size);
/* Queue one NMI; the vCPU thread issues it (arch_vcpu_inject_nmi: KVM_NMI on x86). */
void vcpu_request_nmi(struct vcpu *vcpu);
/* The same without the kick: for callers that queue many and kick now and
 * then themselves (a kick per NMI keeps the vCPU out of the guest). */
void vcpu_queue_nmi(struct vcpu *vcpu);
/* Park every vCPU outside KVM_RUN; 0 once all are parked, -1 after timeout_ns
 * (the VM stays marked paused; vm_resume undoes it). Main thread. */
int vm_pause(struct vm *vm, uint64_t timeout_ns);
void vm_resume(struct vm *vm);
/* Start a stopped AP at pc/sp/arg (x86: long mode; RISC-V: hart start). */
int vcpu_request_start(struct vcpu *vcpu, const struct vcpu_start *start);

int kvm_check_cap(struct vm *vm, long cap);

#endif
