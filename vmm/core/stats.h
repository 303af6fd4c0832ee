/* SPDX-License-Identifier: MIT */
/*
 * Interrupt accounting: nothing injected goes unexplained.
 *
 * A *source* is one thing the VMM injects into: an interrupt line
 * (gsi:N, whoever drives it: control socket, storm, device), an MSI to a
 * destination and vector (msi:CPU:VEC), an IPI (ipi:CPU:VEC), an NMI
 * (nmi:CPU) or an irqfd route (irqfd:CPU:VEC). Every injection is recorded
 * once, at the moment it is made, with what became of it:
 *
 *   delivered  handed to KVM and accepted (IOAPIC message sent, PIC IRR
 *              newly latched on an unmasked input, KVM_SIGNAL_MSI accepted,
 *              KVM_NMI done)
 *   coalesced  merged into an interrupt still pending (IOAPIC Remote IRR
 *              set or line already asserted, PIC IRR already set)
 *   dropped    lost: the line is masked everywhere, the MSI had no
 *              destination or the local APIC refused it
 *
 * so injected == delivered + coalesced + dropped (+ pending, NMIs queued to
 * a vCPU thread that has not issued them yet). The guest's own count of
 * handler entries per (CPU, vector) comes from its statistics page
 * (include/irqvm/guest_stats.h); the latency of each delivered injection is
 * matched to the guest's handler-entry timestamp on that CPU and vector.
 *
 * Thread-safe. Lock order: irqchip locks -> stats lock (the hooks are
 * called with the irqchip lock held); stats functions never call back
 * into the irqchip while holding their own lock.
 */
#ifndef IRQVM_STATS_H
#define IRQVM_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vm_stats;
struct stats_source;

enum stats_outcome { STATS_DELIVERED, STATS_COALESCED, STATS_DROPPED };

enum stats_kind {
	STATS_SRC_GSI,   /* a = line */
	STATS_SRC_MSI,   /* a = destination APIC ID, b = vector */
	STATS_SRC_IPI,   /* a = vCPU, b = vector */
	STATS_SRC_NMI,   /* a = vCPU */
	STATS_SRC_IRQFD, /* a = vCPU, b = vector */
};

/* What the irqchip says about a line now (struct vm's irqchip_line_info hook). */
struct irqchip_line_info {
	const char *route;    /* "ioapic", "pic", "ioapic+pic", "masked", "kernel" */
	bool level_triggered; /* of the route in use */
	int cpu;              /* vCPU of a fixed, physically addressed route; -1 otherwise */
	int vector;           /* vector the guest sees; -1 if unknown */
	uint64_t eoi;         /* EOIs that completed this line's interrupts */
	uint64_t spurious;    /* spurious PIC vectors charged to the line (IRQ7, IRQ15) */
	uint64_t msi_sent;    /* IOAPIC messages, EOI re-deliveries included */
	uint64_t inta;        /* PIC interrupt acknowledge cycles */
	/* A level-triggered route whose last interrupt is not over: Remote IRR
	 * set (IOAPIC) or the line's ISR bit set (PIC); a new assertion now
	 * would be coalesced. false for edge routes. */
	bool level_in_service;
};

struct stats_counts {
	uint64_t injected, delivered, coalesced, dropped, pending;
};

struct vm_stats *stats_create(struct vm *vm);
void stats_destroy(struct vm_stats *s);

/* The source for (kind, a, b), created on first use; stable for the VM's
 * life. NULL only if the table is full (STATS_MAX_SOURCES). */
struct stats_source *stats_source(struct vm_stats *s, enum stats_kind kind, unsigned a,
				  unsigned b);
const char *stats_source_name(const struct stats_source *src);

/*
 * One injection into src made at host time at_ns (CLOCK_MONOTONIC) and its
 * outcome. cpu/vector say where the guest will take it (for latency); -1 if
 * unknown, e.g. a logical destination.
 */
void stats_record(struct vm_stats *s, struct stats_source *src, enum stats_outcome outcome,
		  uint64_t at_ns, int cpu, int vector);
/*
 * The time of an injection about to be made (CLOCK_MONOTONIC), to pass as
 * at_ns. It also notes, for this thread, how many handler entries the guest
 * had claimed on each CPU just before: the recording of that injection uses
 * it to know which entries came before it (docs/control.md, "Latency").
 * Until that recording (or this thread's next stamp, or for at most
 * STATS_INFLIGHT_MAX_NS), polls leave the entries claimed after the stamp
 * unread: one of them may be this injection's, taken before it was recorded.
 */
#define STATS_INFLIGHT_MAX_NS 50000000ull
uint64_t stats_stamp(struct vm_stats *s);
/* The same for interrupt line `line` (irqchip back ends call this on every assertion). */
void stats_line_asserted(struct vm_stats *s, unsigned line, enum stats_outcome outcome,
			 uint64_t at_ns, int cpu, int vector);
/* An NMI queued to a vCPU thread (KVM_NMI): delivered once the vCPU issues it. */
void stats_nmi_requested(struct vm_stats *s, struct stats_source *src, uint64_t at_ns);
/* irqfd signals written by a client (the VMM cannot see them itself). */
void stats_add_signals(struct vm_stats *s, struct stats_source *src, uint64_t n);

void stats_source_counts(struct vm_stats *s, struct stats_source *src, struct stats_counts *c);

/* ---- the guest statistics page (vmm/core/stats_guest.c) ---- */

/* Platform device command: register (size > 0) or unregister (size 0). */
int stats_guest_register(struct vm_stats *s, uint64_t gpa, uint64_t size, char *err,
			 size_t errlen);
/* Reads new latency samples from the guest's rings and matches them to
 * injections. Called on every stats request and periodically. */
void stats_guest_poll(struct vm_stats *s);
/* The guest's handler entries for vector on cpu (-1: all CPUs); 0 without a page. */
uint64_t stats_guest_handled(struct vm_stats *s, int cpu, int vector);
bool stats_guest_registered(struct vm_stats *s);

/* Everything, for the "stats" command: {"sources": [...], "guest": {...}, "latency": {...}}. */
json_t *stats_to_json(struct vm_stats *s);
/* The statistics page state alone (for "query"). */
json_t *stats_guest_to_json(struct vm_stats *s);

#endif
