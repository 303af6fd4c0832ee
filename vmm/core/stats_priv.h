/* SPDX-License-Identifier: MIT */
/* Internals shared by vmm/core/stats.c, vmm/core/stats_guest.c and vmm/core/stats_json.c. */
#ifndef IRQVM_STATS_PRIV_H
#define IRQVM_STATS_PRIV_H

#include <pthread.h>

#include <irqvm/guest_stats.h>

#include "vmm/core/stats.h"
#include "vmm/core/stats_hist.h"

#define STATS_MAX_SOURCES 512u
#define STATS_MAX_LINES 128u     /* = IRQ_LINES_MAX */
#define STATS_MAX_CPUS IRQVM_GSTATS_MAX_CPUS
/* Injections awaiting their handler entry, per CPU+vector: 24 KiB each, so a
 * client that sprays every vector of every CPU costs the VMM at most 48 MiB.
 * The guest's rings are read every 2 ms during storms, well within this. */
#define STATS_CHANNEL_CAP 1024u
/* Two syncs must be this far apart before their TSC rate is trusted over tsc_khz. */
#define STATS_MIN_RATE_SPAN_NS 100000000ull
/* The relative error granted to a rate the VMM has not measured (the
 * guest's tsc_khz, which KVM rounds to a kHz and an emulator may not keep):
 * generous on purpose, it only widens the pairing window until a measured
 * rate replaces it. */
#define STATS_UNMEASURED_RATE_ERR 1e-3
/* The least relative error granted to a measured rate, however long it was
 * measured: the host's CLOCK_MONOTONIC is slewed by NTP, so its ratio to the
 * TSC is not constant to better than a few ppm. */
#define STATS_MIN_RATE_ERR 1e-5
/* After this many sync pairs in a row were passed over, the next is taken
 * whatever its error: the guest's clock changed, or every pair is that bad. */
#define STATS_SYNC_MAX_SKIPS 8u

struct stats_source {
	enum stats_kind kind;
	unsigned a, b;
	unsigned index;
	char name[32];
	uint64_t injected, delivered, coalesced, dropped;
	uint64_t nmi_requested; /* injected through the vCPU thread (KVM_NMI) */
	struct latency_hist *lat; /* allocated with the first matched sample */
	/* Paired with a handler entry whose converted time fell before the
	 * injection by less than the clock's error: no latency to report. */
	uint64_t lat_within_clock_error;
	/* Paired by order, but the clock placed the entry before the injection
	 * by more than its error: no latency (the clock is wrong here). */
	uint64_t lat_clock_disagrees;
	/* Served by a handler entry that served an earlier injection too (merged
	 * in the guest's interrupt controller), or given up on (the guest's
	 * ring overran, or too many waited): no entry of their own. */
	uint64_t lat_merged, lat_forgotten;
};

/* Injections delivered to one (CPU, vector), oldest first, waiting for the
 * guest's handler entry that serves them. */
struct lat_entry {
	uint64_t at_ns;
	/* The guest had claimed this many samples on the CPU before the
	 * injection (seen by a poll before at_ns): an entry with a lower index
	 * came before it and cannot be its handler, whatever the clock says. */
	uint64_t min_index;
	uint32_t src;
};

/* What one poll saw of a CPU's ring: `written` samples claimed by `at_ns`. */
struct ring_seen {
	uint64_t at_ns, written;
};
#define STATS_RING_SEEN 8u

struct lat_channel {
	struct lat_entry e[STATS_CHANNEL_CAP];
	uint32_t head, count;
	/* Injections or samples were lost (ring overrun, full channel): the next
	 * sample cannot be paired reliably, so it only re-synchronises. */
	bool resync;
};

struct guest_page {
	bool registered;
	uint64_t gpa, size;
	volatile uint8_t *hva;
	uint64_t read_pos[STATS_MAX_CPUS]; /* next sample index to read, per CPU */
	/* The last polls' view of each CPU's ring, newest at seen_head - 1. */
	struct ring_seen seen[STATS_MAX_CPUS][STATS_RING_SEEN];
	unsigned seen_head[STATS_MAX_CPUS], seen_count[STATS_MAX_CPUS];
	/* clock: the anchor the rate is measured from, and the sync pair in use
	 * (each with its error bar, in TSC ticks) */
	bool have_sync;
	uint32_t last_gen;
	uint64_t first_tsc, first_ns, first_err_tsc;
	uint64_t sync_tsc, sync_ns, sync_err_tsc;
	double tsc_per_ns;       /* 0: no clock, no latencies */
	double rate_rel_err;     /* relative error bound of tsc_per_ns */
	const char *rate_source; /* "measured", "tsc_khz", "none" */
	uint64_t syncs_used, syncs_skipped; /* sync pairs taken and passed over */
	unsigned skipped_in_a_row;
	/* New sync pairs that the conversion in use placed further from their
	 * host time than both error bars allow (the guest's TSC stepped, or a
	 * rate was wrong), and by how much at most beyond those bars. */
	uint64_t syncs_inconsistent, max_inconsistency_ns;
	/* sample bookkeeping */
	uint64_t samples, lost, torn, unmatched, resynced, no_clock, bad_header;
	uint64_t within_clock_error;
	/* Of the unmatched: entries claimed before the oldest injection waiting
	 * on their CPU and vector was sent (by the ring's order). */
	uint64_t early;
	/* Paired entries the clock placed before their injection beyond its
	 * error bar, and the worst such gap. */
	uint64_t clock_disagrees, max_clock_disagreement_ns;
	uint64_t registrations;
};

/*
 * An injection between its stamp (stats_stamp) and its record: the guest
 * may already be in its handler, and a poll that read that entry before the
 * injection is in its channel would leave both unpaired (and pair the
 * injection with the next entry). So a poll reads no entry at or past
 * what the guest had claimed at an open stamp. A stamp closes at its
 * record, at the thread's next stamp, or after STATS_INFLIGHT_MAX_NS (a
 * path that stamped and recorded nothing must not hold the polls back).
 */
#define STATS_MAX_INFLIGHT 16
struct stats_inflight {
	bool open;
	uint64_t gen; /* which stamp holds it (a late thread must not close another's) */
	uint64_t at_ns;
	unsigned nr_cpus;
	uint64_t written[STATS_MAX_CPUS];
};

struct vm_stats {
	struct vm *vm;
	pthread_mutex_t lock;
	struct stats_source *sources; /* STATS_MAX_SOURCES */
	unsigned nr_sources;
	struct stats_source *line_src[STATS_MAX_LINES];
	struct lat_channel *chan[STATS_MAX_CPUS][IRQVM_GSTATS_NR_VECTORS];
	struct latency_hist lat_all;
	uint64_t lat_all_within_clock_error;
	struct guest_page gp;
	struct stats_inflight inflight[STATS_MAX_INFLIGHT];
	uint64_t inflight_gen;
};

/* With s->lock held. */
struct stats_source *stats_source_locked(struct vm_stats *s, enum stats_kind kind, unsigned a,
					 unsigned b);
void stats_counts_locked(struct vm_stats *s, const struct stats_source *src,
			 struct stats_counts *c);
/* The handler entry with ring index `index` at host time host_ns, known to
 * within +-slack_ns. */
void stats_match_sample(struct vm_stats *s, unsigned cpu, unsigned vector, uint64_t index,
			uint64_t host_ns, uint64_t slack_ns);
/* A poll saw `written` samples claimed on cpu; taken after reading it. */
void stats_ring_seen(struct vm_stats *s, unsigned cpu, uint64_t written, uint64_t at_ns);
/* The guest restarted its counters on cpu, or its page changed: what waits
 * there can no longer be paired (given up on), and what polls saw is void.
 * cpu STATS_MAX_CPUS: every CPU. */
void stats_forget_cpu(struct vm_stats *s, unsigned cpu);
/* Entries claimed so far per CPU of the registered page (up to max CPUs);
 * returns how many CPUs it filled, 0 without a valid page. */
unsigned stats_guest_written_locked(struct vm_stats *s, uint64_t *written, unsigned max);
void stats_resync_cpu(struct vm_stats *s, unsigned cpu);
/* How far a poll at now_ns may read cpu's ring: `written`, or less while an
 * injection stamped after fewer entries is not recorded yet. */
uint64_t stats_readable_locked(struct vm_stats *s, unsigned cpu, uint64_t written, uint64_t now_ns);
void stats_guest_poll_locked(struct vm_stats *s);
uint64_t stats_guest_handled_locked(struct vm_stats *s, int cpu, int vector);
json_t *stats_guest_json_locked(struct vm_stats *s);
json_t *stats_hist_json(const struct latency_hist *h);

#endif
