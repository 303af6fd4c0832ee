/* SPDX-License-Identifier: MIT */
/*
 * Writer of the guest statistics page (gstats.h, include/irqvm/guest_stats.h).
 * All counting follows the writer rules of guest_stats.h: one atomic add per
 * counter (an NMI may interrupt the interrupt path on the same CPU), and
 * latency samples published through their sequence word.
 */
#include "arch.h"
#include "compiler.h"
#include "gstats.h"
#include "kalloc.h"
#include "smp.h"

struct irqvm_gstats_header *gstats_page;
static uint32_t cpu_stride;
static unsigned int nr_blocks;

#define HEADER_SIZE ALIGN_UP((uint32_t)sizeof(struct irqvm_gstats_header), IRQVM_GSTATS_ALIGN)

STATIC_ASSERT((GSTATS_RING_ENTRIES & (GSTATS_RING_ENTRIES - 1)) == 0, "ring is a power of two");
STATIC_ASSERT(GSTATS_RING_ENTRIES <= IRQVM_GSTATS_MAX_RING, "ring too large");

static struct irqvm_gstats_cpu *cpu_block(struct irqvm_gstats_header *h, unsigned int cpu)
{
	return (struct irqvm_gstats_cpu *)((uint8_t *)h + HEADER_SIZE + (size_t)cpu * cpu_stride);
}

bool gstats_init(unsigned int nr_cpus)
{
	struct irqvm_gstats_header *h;
	uint64_t size;

	if (gstats_page)
		return true;
	if (!nr_cpus || nr_cpus > IRQVM_GSTATS_MAX_CPUS)
		return false;
	cpu_stride = (uint32_t)ALIGN_UP(IRQVM_GSTATS_CPU_BYTES(GSTATS_RING_ENTRIES),
					(uint64_t)IRQVM_GSTATS_ALIGN);
	size = HEADER_SIZE + (uint64_t)nr_cpus * cpu_stride;
	h = kalloc(size, 4096);
	if (!h)
		return false;
	h->magic = IRQVM_GSTATS_MAGIC;
	h->version = IRQVM_GSTATS_VERSION;
	h->header_size = HEADER_SIZE;
	h->nr_cpus = nr_cpus;
	h->cpu_stride = cpu_stride;
	h->ring_entries = GSTATS_RING_ENTRIES;
	h->flags = IRQVM_GSTATS_F_SAMPLES;
	h->tsc_khz = arch_cycles_khz();
	nr_blocks = nr_cpus;
	/* The kernel's memory is identity-mapped: the pointer is the address. */
	if (!arch_gstats_register((uint64_t)(uintptr_t)h, size))
		return false;
	__atomic_store_n(&gstats_page, h, __ATOMIC_RELEASE);
	gstats_sync_clock();
	return true;
}

bool gstats_active(void)
{
	return __atomic_load_n(&gstats_page, __ATOMIC_ACQUIRE) != NULL;
}

void gstats_set_flags(uint32_t flags)
{
	if (gstats_page)
		__atomic_store_n(&gstats_page->flags, flags, __ATOMIC_RELEASE);
}

void gstats_record(unsigned int cpu, unsigned int vector, uint64_t tsc)
{
	struct irqvm_gstats_cpu *b;
	struct irqvm_gstats_sample *s;
	uint64_t i;

	if (cpu >= nr_blocks)
		return;
	b = cpu_block(gstats_page, cpu);
	/*
	 * The ring slot is claimed before the handled count moves, and the
	 * count is released after the sample is written: the VMM reads the
	 * count to decide when to inject next (a storm paced by the guest)
	 * and, just before injecting, the claimed-sample count to know which
	 * entries can answer that injection. In the other order an injection
	 * sent the moment the count moved could be stamped before this entry's
	 * claim and be paired with it.
	 */
	i = __atomic_fetch_add(&b->samples, 1, __ATOMIC_RELAXED);
	s = (struct irqvm_gstats_sample *)(b + 1) + (i & (GSTATS_RING_ENTRIES - 1));
	WRITE_ONCE(s->seq, 0);
	barrier();
	WRITE_ONCE(s->tsc, tsc);
	WRITE_ONCE(s->vector, vector);
	barrier();
	WRITE_ONCE(s->seq, (uint32_t)(i + 1));
	__atomic_fetch_add(&b->handled[vector & 0xff], 1, __ATOMIC_RELEASE);
}

/* Round trips per sync: the tightest is published. One preempted exit (the
 * VMM thread descheduled in the middle) can be 50 times longer than the
 * rest on a loaded host; the best of a few almost never is. */
#define SYNC_TRIES 4

void gstats_sync_clock(void)
{
	struct irqvm_gstats_header *h = gstats_page;
	uint64_t best_t0 = 0, best_t1 = 0, best_ns = 0;
	bool have = false;

	if (!h)
		return;
	for (int i = 0; i < SYNC_TRIES; i++) {
		uint64_t t0, t1, ns;

		t0 = arch_cycles();
		if (!arch_host_ns(&ns))
			return;
		t1 = arch_cycles();
		if (!have || t1 - t0 < best_t1 - best_t0) {
			best_t0 = t0;
			best_t1 = t1;
			best_ns = ns;
			have = true;
		}
	}
	__atomic_fetch_add(&h->sync_gen, 1, __ATOMIC_SEQ_CST); /* odd: writing */
	/* The midpoint without overflow, and half the round trip rounded up
	 * plus a tick for the counter's own resolution: never claim better. */
	WRITE_ONCE(h->sync_tsc, best_t0 + (best_t1 - best_t0) / 2);
	WRITE_ONCE(h->sync_host_ns, best_ns);
	WRITE_ONCE(h->sync_err_tsc, (best_t1 - best_t0 + 1) / 2 + 1);
	__atomic_fetch_add(&h->sync_gen, 1, __ATOMIC_SEQ_CST); /* even: done */
}

void gstats_set_ring3_ticks(uint64_t v)
{
	if (gstats_page)
		__atomic_store_n(&gstats_page->ring3_ticks, v, __ATOMIC_RELAXED);
}

void gstats_add_spurious(void)
{
	if (gstats_page)
		__atomic_fetch_add(&gstats_page->spurious, 1, __ATOMIC_RELAXED);
}
