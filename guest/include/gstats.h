/* SPDX-License-Identifier: MIT */
/*
 * Writer of the guest statistics page (include/irqvm/guest_stats.h): a
 * block of RAM the VMM reads to learn which vectors the guest handled and
 * when. The interrupt path calls gstats_irq() for every interrupt; the
 * block is registered with the VMM through the port's hook.
 */
#ifndef GUEST_GSTATS_H
#define GUEST_GSTATS_H

#include <stdbool.h>
#include <stdint.h>

#include <irqvm/guest_stats.h>

#define GSTATS_RING_ENTRIES 1024u

extern struct irqvm_gstats_header *gstats_page;

/* Allocate and register the page; false if the VMM refused it (the guest
 * then keeps running without). */
bool gstats_init(unsigned int nr_cpus);
bool gstats_active(void);
void gstats_set_flags(uint32_t flags);

/* Per interrupt: count vector v on this CPU and record a latency sample
 * taken at cycle count tsc. */
void gstats_record(unsigned int cpu, unsigned int vector, uint64_t tsc);

static inline void gstats_irq(unsigned int cpu, unsigned int vector, uint64_t tsc)
{
	if (__atomic_load_n(&gstats_page, __ATOMIC_RELAXED))
		gstats_record(cpu, vector, tsc);
}

/* Refresh the TSC <-> host clock pair (thread context; takes an exit). */
void gstats_sync_clock(void);
void gstats_set_ring3_ticks(uint64_t v);
void gstats_add_spurious(void);

/* Port hooks: register the block (size 0 = unregister); read the host's
 * monotonic clock. Both return false when the VMM does not offer them. */
bool arch_gstats_register(uint64_t gpa, uint64_t size);
bool arch_host_ns(uint64_t *ns);

#endif /* GUEST_GSTATS_H */
