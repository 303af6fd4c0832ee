/* SPDX-License-Identifier: MIT */
/*
 * The guest statistics page: how a guest tells the VMM which interrupts it
 * handled, and when. Shared by the VMM (hosted C11) and guest kernels
 * (freestanding): fixed-width types only. docs/control.md ("Guest
 * statistics page") says the same in prose.
 *
 * The guest reserves a physically contiguous, 64-byte aligned block of its
 * RAM, fills in the header, then registers it with the platform device:
 *
 *     ARG = gpa, PUSH_ARG; ARG = size in bytes, PUSH_ARG;
 *     CMD = IRQVM_PLAT_CMD_GSTATS_REGISTER   (status EINVAL if refused)
 *
 * (size 0 unregisters). From then on the VMM reads the block whenever it
 * reports statistics; it never writes it. Layout:
 *
 *     offset 0                      struct irqvm_gstats_header
 *     header_size + c * cpu_stride  struct irqvm_gstats_cpu for CPU index c
 *                                   (c < nr_cpus), immediately followed by
 *                                   ring_entries struct irqvm_gstats_sample
 *
 * The VMM re-checks every header field against the registered size on each
 * read, so a guest that scribbles over the block only loses its statistics.
 *
 * Writer rules (the guest), per CPU block, all writes done by that CPU:
 *  - handled[v] counts entries into the handler of vector v (NMI: vector 2).
 *    Increment it with one read-modify-write instruction (x86: `incq`/`lock
 *    incq`, e.g. __atomic_fetch_add relaxed) so that a nested interrupt on
 *    the same CPU cannot lose a count.
 *  - Latency samples: read the TSC first thing in the handler, then
 *        i = __atomic_fetch_add(&cpu->samples, 1);      claims slot i
 *        s = &ring[i & (ring_entries - 1)];
 *        s->seq = 0; compiler barrier;                 invalidates the slot
 *        s->tsc = tsc; s->vector = v; compiler barrier;
 *        s->seq = (uint32_t)(i + 1);                    publishes it
 *    The VMM accepts a slot only if seq reads (i + 1) both before and after
 *    copying it, so torn or overwritten samples are skipped, never misread.
 *    A guest that takes no samples sets ring_entries = 0.
 *  - A guest that takes samples publishes the sample before it increments
 *    handled[v] (a release increment): the VMM reads handled[] to pace a
 *    storm (the next event once the count moved) and the claimed count just
 *    before it injects, so an entry counted in handled[] must already be
 *    claimed, or the next injection could be paired with it.
 *  - Clock synchronisation (optional but needed for latencies): the guest
 *    reads t0 = TSC, issues IRQVM_PLAT_CMD_HOST_NS, reads t1 = TSC, then
 *    publishes sync_tsc = (t0 + t1) / 2, sync_host_ns = the command's
 *    result, sync_err_tsc = (t1 - t0) / 2, bracketed by sync_gen: odd while
 *    writing, even when done (a seqlock). Refreshing it now and then (e.g.
 *    every second) lets the VMM measure the TSC rate instead of trusting
 *    tsc_khz.
 *
 * Host time of a sample = sync_host_ns + (tsc - sync_tsc) / rate, where rate
 * is the TSC rate the VMM measured between two syncs it saw (at least 100 ms
 * apart), else tsc_khz. The uncertainty of one sample is sync_err_tsc (half
 * an exit round trip) plus the rate's error over (tsc - sync_tsc); the VMM
 * passes over a new sync whose error is larger than the one in use has by
 * then (its error plus the rate's error over its age), so a guest should
 * still refresh the pair about once a second.
 */
#ifndef IRQVM_GUEST_STATS_H
#define IRQVM_GUEST_STATS_H

#include <stdint.h>

#define IRQVM_GSTATS_MAGIC 0x54535149u /* "IQST" little-endian */
#define IRQVM_GSTATS_VERSION 1u
#define IRQVM_GSTATS_NR_VECTORS 256u
#define IRQVM_GSTATS_MAX_CPUS 8u        /* = IRQVM_MAX_VCPUS */
#define IRQVM_GSTATS_MAX_RING 65536u     /* samples per CPU */
#define IRQVM_GSTATS_ALIGN 64u           /* gpa, header_size, cpu_stride */
#define IRQVM_GSTATS_MAX_SIZE (16u << 20) /* largest block the VMM accepts */

/* header.flags: what the guest maintains. */
#define IRQVM_GSTATS_F_SAMPLES (1u << 0) /* latency sample rings are filled */
#define IRQVM_GSTATS_F_RING3 (1u << 1)   /* ring3_ticks advances while user tasks run */
#define IRQVM_GSTATS_F_SERVE (1u << 2)   /* guest counts every vector (serve mode) */

struct irqvm_gstats_header {
	uint32_t magic;        /* IRQVM_GSTATS_MAGIC */
	uint32_t version;      /* IRQVM_GSTATS_VERSION */
	uint32_t header_size;  /* offset of CPU block 0; >= sizeof(header), multiple of 64 */
	uint32_t nr_cpus;      /* CPU blocks present, 1..IRQVM_GSTATS_MAX_CPUS */
	uint32_t cpu_stride;   /* bytes between CPU blocks, multiple of 64, big enough for the ring */
	uint32_t ring_entries; /* samples per CPU: 0 or a power of two <= IRQVM_GSTATS_MAX_RING */
	uint32_t flags;        /* IRQVM_GSTATS_F_* */
	uint32_t sync_gen;     /* seqlock over the three sync_* fields: odd while writing */
	uint64_t tsc_khz;      /* guest TSC frequency the guest was told (boot info), 0 = unknown */
	uint64_t sync_tsc;     /* guest TSC at the middle of a HOST_NS command */
	uint64_t sync_host_ns; /* host CLOCK_MONOTONIC the command returned */
	uint64_t sync_err_tsc; /* half the TSC round trip of that command */
	uint64_t ring3_ticks;  /* advanced by ring-3 tasks (with IRQVM_GSTATS_F_RING3) */
	uint64_t spurious;     /* interrupts the guest found no handler for */
	uint64_t reserved[6];  /* zero */
};

struct irqvm_gstats_sample {
	uint64_t tsc;    /* guest TSC read at handler entry */
	uint32_t vector; /* IDT vector (bits 7:0) */
	uint32_t seq;    /* (uint32_t)(slot index + 1) once complete, 0 while written */
};

struct irqvm_gstats_cpu {
	uint64_t handled[IRQVM_GSTATS_NR_VECTORS]; /* handler entries per vector */
	uint64_t samples;     /* samples ever claimed on this CPU (ring index) */
	uint64_t reserved[7]; /* zero */
	/* struct irqvm_gstats_sample ring[ring_entries] follows */
};

#ifdef __cplusplus
#define IRQVM_GSTATS_ASSERT static_assert
#else
#define IRQVM_GSTATS_ASSERT _Static_assert
#endif
IRQVM_GSTATS_ASSERT(sizeof(struct irqvm_gstats_header) == 128, "header layout");
IRQVM_GSTATS_ASSERT(sizeof(struct irqvm_gstats_sample) == 16, "sample layout");
IRQVM_GSTATS_ASSERT(sizeof(struct irqvm_gstats_cpu) == 2112, "cpu block layout");
#undef IRQVM_GSTATS_ASSERT

/* Bytes a CPU block needs for ring_entries samples (before rounding to 64). */
#define IRQVM_GSTATS_CPU_BYTES(ring_entries) \
	(sizeof(struct irqvm_gstats_cpu) + (uint64_t)(ring_entries) * sizeof(struct irqvm_gstats_sample))

#endif /* IRQVM_GUEST_STATS_H */
