/* SPDX-License-Identifier: MIT */
/*
 * Interrupt handler table keyed by vector. Registration happens at boot on
 * one CPU; dispatch only reads the table, so no lock is needed.
 */
#include "irq.h"

struct irq_slot {
	irq_handler_t handler;
	void *ctx;
	unsigned long count;
};

static struct irq_slot irq_table[IRQ_MAX_VECTORS];
static unsigned long spurious;

bool irq_register(unsigned int vector, irq_handler_t handler, void *ctx)
{
	if (vector >= IRQ_MAX_VECTORS || !handler || irq_table[vector].handler)
		return false;
	irq_table[vector].ctx = ctx;
	__atomic_store_n(&irq_table[vector].handler, handler, __ATOMIC_RELEASE);
	return true;
}

void irq_unregister(unsigned int vector)
{
	if (vector < IRQ_MAX_VECTORS)
		__atomic_store_n(&irq_table[vector].handler, (irq_handler_t)0,
				 __ATOMIC_RELEASE);
}

bool irq_dispatch(unsigned int vector)
{
	irq_handler_t h;

	if (vector >= IRQ_MAX_VECTORS)
		return false;
	h = __atomic_load_n(&irq_table[vector].handler, __ATOMIC_ACQUIRE);
	if (!h) {
		__atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED);
		return false;
	}
	__atomic_fetch_add(&irq_table[vector].count, 1, __ATOMIC_RELAXED);
	h(vector, irq_table[vector].ctx);
	return true;
}

unsigned long irq_count(unsigned int vector)
{
	return vector < IRQ_MAX_VECTORS ? __atomic_load_n(&irq_table[vector].count,
							  __ATOMIC_RELAXED)
					: 0;
}

unsigned long irq_spurious_count(void)
{
	return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}
