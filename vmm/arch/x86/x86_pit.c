/* SPDX-License-Identifier: MIT */
/*
 * The userspace i8254 (devices/pit8254.c) wired into an x86 VM: ports
 * 0x40-0x43 and 0x61, and a host timer (timerfd in the event loop) armed
 * for the next rising edge of OUT0, which pulses line 0 (ISA IRQ0). If the
 * host wakes late and several edges have passed, one pulse is sent and the
 * rest are counted as coalesced: an edge-triggered IRQ0 cannot carry more,
 * and guests that need the lost ticks read the counter (docs/irqchip.md).
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pit8254.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/log.h"

struct pit_device {
	pthread_mutex_t lock;
	struct pit8254 pit;
	struct vm *vm;
	struct loop_timer *timer;
	uint64_t last_ns; /* edges up to here have been delivered */
	uint64_t pulses, coalesced;
};

static void rearm(struct pit_device *d, uint64_t now)
{
	uint64_t next = pit8254_next_irq0_edge(&d->pit, now);
	loop_timer_arm_at(d->timer, next == UINT64_MAX ? 0 : next);
}

/* Edges due by now; called with d->lock held. */
static uint64_t take_edges(struct pit_device *d, uint64_t now)
{
	uint64_t n = now > d->last_ns ? pit8254_irq0_edges_between(&d->pit, d->last_ns, now) : 0;
	d->last_ns = now;
	if (n) {
		d->pulses++;
		d->coalesced += n - 1;
	}
	return n;
}

static void pit_timer_fired(void *opaque)
{
	struct pit_device *d = opaque;
	pthread_mutex_lock(&d->lock);
	uint64_t now = monotonic_ns();
	uint64_t n = take_edges(d, now);
	rearm(d, now);
	pthread_mutex_unlock(&d->lock);
	if (n)
		irq_line_pulse(&d->vm->lines, 0);
}

static uint64_t pit_port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pit_device *d = opaque;
	(void)size;
	pthread_mutex_lock(&d->lock);
	uint8_t v = pit8254_read(&d->pit, (uint16_t)(IRQVM_PORT_PIT + offset), monotonic_ns());
	pthread_mutex_unlock(&d->lock);
	return v;
}

static void pit_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct pit_device *d = opaque;
	(void)size;
	pthread_mutex_lock(&d->lock);
	uint64_t now = monotonic_ns();
	/* Edges of the old programming are delivered before it changes. */
	uint64_t n = take_edges(d, now);
	/* Reprogramming can itself raise OUT0 (e.g. a mode 2/3 control word
	 * after mode 0): that rising edge is an IRQ0 too. */
	bool out_before = pit8254_out(&d->pit, 0, now);
	pit8254_write(&d->pit, (uint16_t)(IRQVM_PORT_PIT + offset), (uint8_t)value, now);
	if (!out_before && pit8254_out(&d->pit, 0, now))
		n++;
	rearm(d, now);
	pthread_mutex_unlock(&d->lock);
	if (n)
		irq_line_pulse(&d->vm->lines, 0);
}

static uint64_t port61_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pit_device *d = opaque;
	(void)offset;
	(void)size;
	pthread_mutex_lock(&d->lock);
	uint8_t v = pit8254_read(&d->pit, IRQVM_PORT_SYSCTL_B, monotonic_ns());
	pthread_mutex_unlock(&d->lock);
	return v;
}

static void port61_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct pit_device *d = opaque;
	(void)offset;
	(void)size;
	pthread_mutex_lock(&d->lock);
	uint64_t now = monotonic_ns();
	pit8254_write(&d->pit, IRQVM_PORT_SYSCTL_B, (uint8_t)value, now);
	rearm(d, now);
	pthread_mutex_unlock(&d->lock);
}

static const struct bus_ops pit_ops = { .read = pit_port_read, .write = pit_port_write };
static const struct bus_ops port61_ops = { .read = port61_read, .write = port61_write };

static void pit_device_free(void *opaque)
{
	struct pit_device *d = opaque;
	loop_timer_destroy(d->timer);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

int x86_pit_create(struct vm *vm, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	if (!x->split)
		return 0; /* irqchip "kernel" uses KVM's in-kernel PIT (x86_irqchip.c) */
	struct pit_device *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&d->lock, NULL);
	d->vm = vm;
	d->last_ns = monotonic_ns();
	pit8254_init(&d->pit, d->last_ns);
	d->timer = loop_timer_create(vm->loop, pit_timer_fired, d);
	if (!d->timer || vm_add_device(vm, "pit", d, pit_device_free) < 0) {
		snprintf(err, errlen, "cannot create the PIT timer: %s", strerror(errno));
		pit_device_free(d);
		return -1;
	}
	x->pit = d;
	if (bus_register(&vm->pio, "pit", IRQVM_PORT_PIT, 4, &pit_ops, d, err, errlen) < 0)
		return -1;
	return bus_register(&vm->pio, "port61", IRQVM_PORT_SYSCTL_B, 1, &port61_ops, d, err,
			    errlen);
}

void x86_pit_destroy(struct vm *vm)
{
	struct x86_vm *x = vm->arch;
	x->pit = NULL; /* freed with the VM's device list */
}
