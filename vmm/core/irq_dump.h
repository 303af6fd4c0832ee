/* SPDX-License-Identifier: MIT */
/*
 * The interrupt-state dump, irqvm's `info pic` + `info irq` (docs/control.md,
 * "Interrupt state"): every interrupt controller register, each vCPU's local
 * interrupt state and irqvm's own pending requests and counters.
 *
 * One structure, JSON, carries it everywhere: the collector builds it, the
 * control socket's `info` command returns it as is, and the one text
 * formatter (irq_dump_print) renders it for the timeout report, SIGQUIT and
 * `irqvm info irq`. The builders and the formatter are pure (unit-tested);
 * only the collector touches the VM.
 *
 * vCPU state is read by each vCPU's own thread: a vCPU ioctl from another
 * thread would block until that vCPU leaves KVM_RUN (a wedged guest would
 * hang the dump). The collector kicks every vCPU at once and waits for the
 * answers up to a deadline; a vCPU that does not answer is reported as such.
 */
#ifndef IRQVM_IRQ_DUMP_H
#define IRQVM_IRQ_DUMP_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Snapshots of the chip models in irqchip/ (pointers only). */
struct ioapic_snapshot;
struct ioapic_stats;
struct pic8259_snapshot;
struct pic8259_stats;
struct vm;
struct vcpu;

/* How long the collector waits for all vCPUs together. */
#define IRQ_DUMP_VCPU_WAIT_MS 1000u

/* ---- pure builders (irq_dump_json.c) ---- */

/* The PIC pair; stats may be NULL (KVM's in-kernel PIC keeps none). */
json_t *irq_dump_pic_json(const struct pic8259_snapshot *snap, const struct pic8259_stats *stats);
/* The IOAPIC; stats may be NULL. */
json_t *irq_dump_ioapic_json(const struct ioapic_snapshot *snap, const struct ioapic_stats *stats);
/* A 256-bit vector set (IRR, ISR, TMR: bit v of words[v / 32]) as a sorted array of vectors. */
json_t *irq_dump_vector_set_json(const uint32_t words[8]);
/* VCPU_REQ_* bits as an array of names ("stop", "start", "irq", ...). */
json_t *irq_dump_requests_json(unsigned requests);
/* A 64-bit value as "0x%016llx" (JSON integers are signed). */
json_t *irq_dump_hex64(uint64_t value);

/* ---- the one text formatter (irq_dump_text.c) ---- */

/*
 * Renders a dump as text for humans. dump may come from a socket: missing
 * or mistyped fields print as "?" and never crash the formatter.
 */
void irq_dump_print(FILE *out, json_t *dump);

/* ---- collection (irq_dump.c) ---- */

/*
 * The whole interrupt state now. trigger says why ("timeout", "SIGQUIT",
 * "request"). Main thread (it may wait up to wait_ms for the vCPUs).
 */
json_t *irq_dump_collect(struct vm *vm, const char *trigger, unsigned wait_ms);
/* Collect and print to stderr: the timeout and SIGQUIT reports. */
void irq_dump_report(struct vm *vm, const char *trigger);
/* vCPU thread: answer a pending snapshot request (VCPU_REQ_SNAPSHOT). */
void irq_dump_vcpu_answer(struct vcpu *vcpu);
/* vCPU thread, on its way out: no request will be answered from now on. */
void irq_dump_vcpu_thread_ends(struct vcpu *vcpu);

#endif
