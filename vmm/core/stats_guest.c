/* SPDX-License-Identifier: MIT */
/*
 * The guest statistics page (include/irqvm/guest_stats.h): registration,
 * validated reads of a block the guest may change at any moment, the TSC to
 * host-time calibration, and the sample rings.
 *
 * Every read goes through the header as it is *now*, re-checked against the
 * registered size, and uses single aligned loads: a hostile or crashed guest
 * can make its numbers wrong, never make the VMM read outside the block.
 */
#include "vmm/core/stats_priv.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "vmm/core/event_loop.h"
#include "vmm/core/sat_conv.h"
#include "vmm/core/vm.h"

static uint64_t load64(const volatile void *p)
{
	return __atomic_load_n((const volatile uint64_t *)p, __ATOMIC_ACQUIRE);
}

static uint32_t load32(const volatile void *p)
{
	return __atomic_load_n((const volatile uint32_t *)p, __ATOMIC_ACQUIRE);
}

struct gp_layout {
	uint32_t header_size, nr_cpus, cpu_stride, ring_entries, flags;
	uint64_t tsc_khz;
};

#define HDR(field) offsetof(struct irqvm_gstats_header, field)

/* The header's layout fields, or -1 (with why) if they do not fit the block. */
static int read_layout(const struct guest_page *gp, struct gp_layout *l, char *why, size_t len)
{
	const volatile uint8_t *h = gp->hva;
	if (load32(h + HDR(magic)) != IRQVM_GSTATS_MAGIC) {
		snprintf(why, len, "bad magic (want 0x%08x)", IRQVM_GSTATS_MAGIC);
		return -1;
	}
	if (load32(h + HDR(version)) != IRQVM_GSTATS_VERSION) {
		snprintf(why, len, "version %u, the VMM speaks %u", load32(h + HDR(version)),
			 IRQVM_GSTATS_VERSION);
		return -1;
	}
	l->header_size = load32(h + HDR(header_size));
	l->nr_cpus = load32(h + HDR(nr_cpus));
	l->cpu_stride = load32(h + HDR(cpu_stride));
	l->ring_entries = load32(h + HDR(ring_entries));
	l->flags = load32(h + HDR(flags));
	l->tsc_khz = load64(h + HDR(tsc_khz));
	if (l->header_size < sizeof(struct irqvm_gstats_header) ||
	    l->header_size % IRQVM_GSTATS_ALIGN) {
		snprintf(why, len, "header_size %u (want >= %zu, multiple of %u)", l->header_size,
			 sizeof(struct irqvm_gstats_header), IRQVM_GSTATS_ALIGN);
		return -1;
	}
	if (l->nr_cpus == 0 || l->nr_cpus > IRQVM_GSTATS_MAX_CPUS) {
		snprintf(why, len, "nr_cpus %u (want 1..%u)", l->nr_cpus, IRQVM_GSTATS_MAX_CPUS);
		return -1;
	}
	if (l->ring_entries > IRQVM_GSTATS_MAX_RING || (l->ring_entries & (l->ring_entries - 1))) {
		snprintf(why, len, "ring_entries %u (want 0 or a power of two <= %u)",
			 l->ring_entries, IRQVM_GSTATS_MAX_RING);
		return -1;
	}
	if (l->cpu_stride % IRQVM_GSTATS_ALIGN ||
	    l->cpu_stride < IRQVM_GSTATS_CPU_BYTES(l->ring_entries)) {
		snprintf(why, len, "cpu_stride %u (want a multiple of %u >= %llu)", l->cpu_stride,
			 IRQVM_GSTATS_ALIGN,
			 (unsigned long long)IRQVM_GSTATS_CPU_BYTES(l->ring_entries));
		return -1;
	}
	uint64_t need = l->header_size + (uint64_t)l->nr_cpus * l->cpu_stride;
	if (need > gp->size) {
		snprintf(why, len, "layout needs %llu bytes, %llu registered",
			 (unsigned long long)need, (unsigned long long)gp->size);
		return -1;
	}
	return 0;
}

static const volatile uint8_t *cpu_block(const struct guest_page *gp, const struct gp_layout *l,
					 unsigned cpu)
{
	return gp->hva + l->header_size + (uint64_t)cpu * l->cpu_stride;
}

#define CPU_FIELD(field) offsetof(struct irqvm_gstats_cpu, field)

int stats_guest_register(struct vm_stats *s, uint64_t gpa, uint64_t size, char *err,
			 size_t errlen)
{
	if (!s) {
		snprintf(err, errlen, "no statistics");
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	struct guest_page *gp = &s->gp;
	if (size == 0) {
		stats_forget_cpu(s, STATS_MAX_CPUS);
		gp->registered = false;
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	int rc = -1;
	if (gpa % IRQVM_GSTATS_ALIGN || size < sizeof(struct irqvm_gstats_header) ||
	    size > IRQVM_GSTATS_MAX_SIZE) {
		snprintf(err, errlen, "page 0x%llx+0x%llx: must be %u-byte aligned, %zu..%u bytes",
			 (unsigned long long)gpa, (unsigned long long)size, IRQVM_GSTATS_ALIGN,
			 sizeof(struct irqvm_gstats_header), IRQVM_GSTATS_MAX_SIZE);
		goto out;
	}
	volatile uint8_t *hva = vm_gpa_to_hva(s->vm, gpa, size);
	if (!hva) {
		snprintf(err, errlen, "page 0x%llx+0x%llx is not guest RAM", (unsigned long long)gpa,
			 (unsigned long long)size);
		goto out;
	}
	struct guest_page next = { .registered = true, .gpa = gpa, .size = size, .hva = hva,
				   .rate_source = "none", .registrations = gp->registrations + 1 };
	struct gp_layout l;
	char why[160];
	if (read_layout(&next, &l, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "page 0x%llx: %s", (unsigned long long)gpa, why);
		goto out;
	}
	/* Samples from before the registration have no injection to pair with. */
	for (unsigned c = 0; c < l.nr_cpus; c++)
		next.read_pos[c] = load64(cpu_block(&next, &l, c) + CPU_FIELD(samples));
	/* Another page (or the same one again): nothing waiting can be paired
	 * with its entries, and what polls saw was of the old one. */
	stats_forget_cpu(s, STATS_MAX_CPUS);
	*gp = next;
	uint64_t now = monotonic_ns();
	for (unsigned c = 0; c < l.nr_cpus; c++)
		stats_ring_seen(s, c, gp->read_pos[c], now);
	rc = 0;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

bool stats_guest_registered(struct vm_stats *s)
{
	pthread_mutex_lock(&s->lock);
	bool r = s->gp.registered;
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The relative error of a rate measured between syncs a and b (TSC ticks). */
static double pair_rel_err(uint64_t tsc_a, uint64_t err_a, uint64_t tsc_b, uint64_t err_b)
{
	return tsc_b > tsc_a ? ((double)err_a + (double)err_b) / (double)(tsc_b - tsc_a) : 1.0;
}

static void set_anchor(struct guest_page *gp, uint64_t tsc, uint64_t ns, uint64_t err)
{
	gp->first_tsc = tsc;
	gp->first_ns = ns;
	gp->first_err_tsc = err;
}

/* Takes a sync pair into use; reseed: also as the anchor (first pair, or
 * the guest's TSC went backwards). */
static void use_sync(struct guest_page *gp, uint64_t tsc, uint64_t ns, uint64_t err, bool reseed)
{
	if (reseed) {
		set_anchor(gp, tsc, ns, err);
	} else if (gp->sync_tsc != gp->first_tsc && ns > gp->sync_ns + STATS_MIN_RATE_SPAN_NS &&
		   pair_rel_err(gp->sync_tsc, gp->sync_err_tsc, tsc, err) <
			   pair_rel_err(gp->first_tsc, gp->first_err_tsc, tsc, err)) {
		/* The pair in use bounds the new rate tighter than the anchor,
		 * and is far enough back to measure it. */
		set_anchor(gp, gp->sync_tsc, gp->sync_ns, gp->sync_err_tsc);
	}
	gp->sync_tsc = tsc;
	gp->sync_ns = ns;
	gp->sync_err_tsc = err;
	gp->syncs_used++;
	gp->skipped_in_a_row = 0;
}

/*
 * Where the conversion in use puts a new sync pair's TSC, against the host
 * time the pair says: if they differ by more than both error bars, the
 * bars do not hold (the guest's TSC stepped against the host's clock, as
 * a KVM host with an unstable TSC does when it reloads a vCPU), and
 * latencies near such a step are wrong by that much. Counted, not hidden.
 */
static void check_consistency(struct guest_page *gp, uint64_t tsc, uint64_t ns, uint64_t err)
{
	if (gp->tsc_per_ns <= 0)
		return;
	double dt = (double)tsc - (double)gp->sync_tsc;
	double predicted = (double)gp->sync_ns + dt / gp->tsc_per_ns;
	double bound = ((double)gp->sync_err_tsc + (double)err + fabs(dt) * gp->rate_rel_err) /
		       gp->tsc_per_ns;
	double off = fabs(predicted - (double)ns);
	if (off <= bound)
		return;
	gp->syncs_inconsistent++;
	uint64_t excess = u64_from_double_sat(off - bound);
	if (excess > gp->max_inconsistency_ns)
		gp->max_inconsistency_ns = excess;
}

/*
 * Picks up a new sync pair (seqlock) and derives the TSC rate.
 *
 * Each pair is only as good as its exit round trip, and a vCPU thread
 * preempted in the middle of one (routine on a loaded or emulated host: 16 ms
 * round trips were seen beside 0.3 ms ones) makes a pair far worse than the
 * one in use. So a new pair replaces the one in use only if its own error is
 * no larger than the error the pair in use has by now (its error plus the
 * rate's error times its age), or after STATS_SYNC_MAX_SKIPS pairs in a row
 * were passed over (the guest's clock changed, or this host is that noisy).
 * The rate is measured from an anchor, which moves to the pair in use when
 * that gives the new pair the tighter rate.
 */
static void update_clock(struct guest_page *gp, const struct gp_layout *l)
{
	const volatile uint8_t *h = gp->hva;
	uint32_t g1 = load32(h + HDR(sync_gen));
	if (g1 & 1)
		return; /* being written */
	uint64_t tsc = load64(h + HDR(sync_tsc));
	uint64_t ns = load64(h + HDR(sync_host_ns));
	uint64_t err = load64(h + HDR(sync_err_tsc));
	if (load32(h + HDR(sync_gen)) != g1 || !ns || ns > monotonic_ns())
		return;
	if (!err)
		err = 1; /* a TSC read is good to a tick at best */
	if (!gp->have_sync) {
		gp->have_sync = true;
		gp->last_gen = g1;
		use_sync(gp, tsc, ns, err, true);
	} else if (g1 != gp->last_gen) {
		gp->last_gen = g1;
		check_consistency(gp, tsc, ns, err);
		bool backwards = tsc <= gp->sync_tsc || ns <= gp->sync_ns;
		double age = backwards ? 0 : (double)(tsc - gp->sync_tsc);
		bool worse = (double)err > (double)gp->sync_err_tsc + age * gp->rate_rel_err;
		if ((backwards || worse) && gp->skipped_in_a_row < STATS_SYNC_MAX_SKIPS) {
			gp->syncs_skipped++;
			gp->skipped_in_a_row++;
		} else {
			use_sync(gp, tsc, ns, err, backwards);
		}
	}
	double measured_err = pair_rel_err(gp->first_tsc, gp->first_err_tsc, gp->sync_tsc,
					   gp->sync_err_tsc);
	if (gp->sync_ns > gp->first_ns + STATS_MIN_RATE_SPAN_NS && gp->sync_tsc > gp->first_tsc &&
	    (!l->tsc_khz || measured_err <= STATS_UNMEASURED_RATE_ERR)) {
		gp->tsc_per_ns = (double)(gp->sync_tsc - gp->first_tsc) /
				 (double)(gp->sync_ns - gp->first_ns);
		gp->rate_rel_err = measured_err > STATS_MIN_RATE_ERR ? measured_err
								     : STATS_MIN_RATE_ERR;
		gp->rate_source = "measured";
	} else if (l->tsc_khz) {
		gp->tsc_per_ns = (double)l->tsc_khz / 1e6;
		gp->rate_rel_err = STATS_UNMEASURED_RATE_ERR;
		gp->rate_source = "tsc_khz";
	} else {
		gp->tsc_per_ns = 0;
		gp->rate_rel_err = STATS_UNMEASURED_RATE_ERR;
		gp->rate_source = "none";
	}
}

static void poll_cpu(struct vm_stats *s, const struct gp_layout *l, unsigned cpu)
{
	struct guest_page *gp = &s->gp;
	const volatile uint8_t *blk = cpu_block(gp, l, cpu);
	const volatile struct irqvm_gstats_sample *ring =
		(const volatile struct irqvm_gstats_sample *)(blk + sizeof(struct irqvm_gstats_cpu));
	uint64_t written = load64(blk + CPU_FIELD(samples));
	/* The time after the read: every entry below `written` came before it. */
	const uint64_t seen_ns = monotonic_ns();
	stats_ring_seen(s, cpu, written, seen_ns);
	uint64_t n = l->ring_entries;
	uint64_t i = gp->read_pos[cpu];
	if (written < i) { /* the guest restarted its counters */
		/* Its ring's order no longer relates to what waits here. */
		stats_forget_cpu(s, cpu);
		gp->read_pos[cpu] = written;
		stats_ring_seen(s, cpu, written, monotonic_ns());
		return;
	}
	if (written - i > n) {
		gp->lost += written - n - i;
		i = written - n;
		stats_resync_cpu(s, cpu);
	}
	/* Entries an injection still on its way may be answered by wait. */
	const uint64_t readable = stats_readable_locked(s, cpu, written, seen_ns);
	for (; i < readable; i++) {
		const volatile struct irqvm_gstats_sample *slot = &ring[i & (n - 1)];
		uint32_t want = (uint32_t)(i + 1);
		if (__atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE) != want)
			break; /* claimed but not complete yet: read it next time */
		uint64_t tsc = __atomic_load_n(&slot->tsc, __ATOMIC_ACQUIRE);
		uint32_t vector = __atomic_load_n(&slot->vector, __ATOMIC_ACQUIRE) & 0xff;
		if (__atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE) != want) {
			gp->torn++; /* overwritten while copied */
			stats_resync_cpu(s, cpu);
			continue;
		}
		gp->samples++;
		if (gp->tsc_per_ns <= 0) {
			/* Paired by order all the same, without a time: an entry
			 * left unread would leave its injection to the next one. */
			gp->no_clock++;
			stats_match_sample(s, cpu, vector, i, 0, UINT64_MAX);
			continue;
		}
		int64_t dt = (int64_t)(tsc - gp->sync_tsc);
		double host = (double)gp->sync_ns + (double)dt / gp->tsc_per_ns;
		/* The conversion's error: the sync pair's, plus the rate's over dt. */
		double dist = dt < 0 ? -(double)dt : (double)dt;
		double slack = ((double)gp->sync_err_tsc + dist * gp->rate_rel_err) / gp->tsc_per_ns;
		/* The guest's TSC and clock rate are untrusted: clamp, never overflow. */
		stats_match_sample(s, cpu, vector, i, u64_from_double_sat(host),
				   u64_from_double_sat(slack));
	}
	gp->read_pos[cpu] = i;
}

unsigned stats_guest_written_locked(struct vm_stats *s, uint64_t *written, unsigned max)
{
	struct guest_page *gp = &s->gp;
	struct gp_layout l;
	char why[160];
	if (!gp->registered || read_layout(gp, &l, why, sizeof(why)) < 0)
		return 0;
	unsigned n = l.nr_cpus < max ? l.nr_cpus : max;
	for (unsigned c = 0; c < n; c++)
		written[c] = load64(cpu_block(gp, &l, c) + CPU_FIELD(samples));
	return n;
}

void stats_guest_poll_locked(struct vm_stats *s)
{
	struct guest_page *gp = &s->gp;
	struct gp_layout l;
	char why[160];
	if (!gp->registered)
		return;
	if (read_layout(gp, &l, why, sizeof(why)) < 0) {
		gp->bad_header++;
		return;
	}
	update_clock(gp, &l);
	if (!l.ring_entries)
		return;
	for (unsigned c = 0; c < l.nr_cpus; c++)
		poll_cpu(s, &l, c);
}

void stats_guest_poll(struct vm_stats *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	stats_guest_poll_locked(s);
	pthread_mutex_unlock(&s->lock);
}

uint64_t stats_guest_handled_locked(struct vm_stats *s, int cpu, int vector)
{
	struct guest_page *gp = &s->gp;
	struct gp_layout l;
	char why[160];
	if (!gp->registered || vector < 0 || vector > 255 || read_layout(gp, &l, why, sizeof(why)))
		return 0;
	uint64_t sum = 0;
	for (unsigned c = 0; c < l.nr_cpus; c++)
		if (cpu < 0 || (unsigned)cpu == c)
			sum += load64(cpu_block(gp, &l, c) + CPU_FIELD(handled) +
				      (unsigned)vector * sizeof(uint64_t));
	return sum;
}

uint64_t stats_guest_handled(struct vm_stats *s, int cpu, int vector)
{
	pthread_mutex_lock(&s->lock);
	uint64_t n = stats_guest_handled_locked(s, cpu, vector);
	pthread_mutex_unlock(&s->lock);
	return n;
}

json_t *stats_guest_json_locked(struct vm_stats *s)
{
	struct guest_page *gp = &s->gp;
	json_t *o = json_object();
	json_object_set_new(o, "registered", json_boolean(gp->registered));
	if (!gp->registered)
		return o;
	struct gp_layout l;
	char why[160];
	json_object_set_new(o, "gpa", json_integer((json_int_t)gp->gpa));
	json_object_set_new(o, "size", json_integer((json_int_t)gp->size));
	if (read_layout(gp, &l, why, sizeof(why)) < 0) {
		json_object_set_new(o, "valid", json_false());
		json_object_set_new(o, "problem", json_string(why));
		return o;
	}
	const volatile uint8_t *h = gp->hva;
	json_object_set_new(o, "valid", json_true());
	json_object_set_new(o, "nr_cpus", json_integer(l.nr_cpus));
	json_object_set_new(o, "ring_entries", json_integer(l.ring_entries));
	json_object_set_new(o, "serve", json_boolean(l.flags & IRQVM_GSTATS_F_SERVE));
	json_object_set_new(o, "samples_enabled", json_boolean(l.flags & IRQVM_GSTATS_F_SAMPLES));
	json_object_set_new(o, "ring3", json_boolean(l.flags & IRQVM_GSTATS_F_RING3));
	json_object_set_new(o, "ring3_ticks", json_integer((json_int_t)load64(h + HDR(ring3_ticks))));
	json_object_set_new(o, "spurious", json_integer((json_int_t)load64(h + HDR(spurious))));
	json_object_set_new(o, "tsc_khz", json_integer((json_int_t)l.tsc_khz));
	json_object_set_new(o, "clock", json_pack("{s:s,s:f,s:I,s:f,s:I,s:I,s:I,s:I}", "rate_source",
						  gp->rate_source, "tsc_per_ns", gp->tsc_per_ns,
						  "sync_err_ns",
						  (json_int_t)(gp->tsc_per_ns > 0 ?
							i64_from_double_sat((double)gp->sync_err_tsc /
									    gp->tsc_per_ns) : 0),
						  "rate_err_ppm", gp->rate_rel_err * 1e6,
						  "syncs_used", (json_int_t)gp->syncs_used,
						  "syncs_skipped", (json_int_t)gp->syncs_skipped,
						  "syncs_inconsistent",
						  (json_int_t)gp->syncs_inconsistent,
						  "max_inconsistency_ns",
						  (json_int_t)gp->max_inconsistency_ns));
	json_object_set_new(o, "samples", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		"read", (json_int_t)gp->samples, "lost", (json_int_t)gp->lost,
		"torn", (json_int_t)gp->torn, "unmatched", (json_int_t)gp->unmatched,
		"early", (json_int_t)gp->early, "clock_disagrees", (json_int_t)gp->clock_disagrees,
		"max_clock_disagreement_ns", (json_int_t)gp->max_clock_disagreement_ns,
		"resynced", (json_int_t)gp->resynced, "no_clock", (json_int_t)gp->no_clock,
		"within_clock_error", (json_int_t)gp->within_clock_error));
	json_t *handled = json_array();
	for (unsigned c = 0; c < l.nr_cpus; c++) {
		const volatile uint8_t *blk = cpu_block(gp, &l, c);
		for (unsigned v = 0; v < IRQVM_GSTATS_NR_VECTORS; v++) {
			uint64_t n = load64(blk + CPU_FIELD(handled) + v * sizeof(uint64_t));
			if (n)
				json_array_append_new(handled, json_pack("{s:i,s:i,s:I}", "cpu", c,
									 "vector", v,
									 "count", (json_int_t)n));
		}
	}
	json_object_set_new(o, "handled", handled);
	return o;
}

json_t *stats_guest_to_json(struct vm_stats *s)
{
	pthread_mutex_lock(&s->lock);
	json_t *o = stats_guest_json_locked(s);
	pthread_mutex_unlock(&s->lock);
	return o;
}
