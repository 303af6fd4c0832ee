/* SPDX-License-Identifier: MIT */
/* Interrupt accounting: sources, outcomes, and injection-to-handler latency pairing. */
#include "vmm/core/stats_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/core/arch.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/vm.h"

struct vm_stats *stats_create(struct vm *vm)
{
	struct vm_stats *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sources = calloc(STATS_MAX_SOURCES, sizeof(*s->sources));
	if (!s->sources) {
		free(s);
		return NULL;
	}
	s->vm = vm;
	pthread_mutex_init(&s->lock, NULL);
	hist_init(&s->lat_all);
	s->gp.rate_source = "none";
	return s;
}

void stats_destroy(struct vm_stats *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nr_sources; i++)
		free(s->sources[i].lat);
	for (unsigned c = 0; c < STATS_MAX_CPUS; c++)
		for (unsigned v = 0; v < IRQVM_GSTATS_NR_VECTORS; v++)
			free(s->chan[c][v]);
	free(s->sources);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void source_name(struct stats_source *src)
{
	switch (src->kind) {
	case STATS_SRC_GSI: snprintf(src->name, sizeof(src->name), "gsi:%u", src->a); break;
	case STATS_SRC_MSI: snprintf(src->name, sizeof(src->name), "msi:%u:%u", src->a, src->b); break;
	case STATS_SRC_IPI: snprintf(src->name, sizeof(src->name), "ipi:%u:%u", src->a, src->b); break;
	case STATS_SRC_NMI: snprintf(src->name, sizeof(src->name), "nmi:%u", src->a); break;
	case STATS_SRC_IRQFD:
		snprintf(src->name, sizeof(src->name), "irqfd:%u:%u", src->a, src->b);
		break;
	}
}

struct stats_source *stats_source_locked(struct vm_stats *s, enum stats_kind kind, unsigned a,
					 unsigned b)
{
	if (kind == STATS_SRC_GSI && a < STATS_MAX_LINES && s->line_src[a])
		return s->line_src[a];
	if (kind == STATS_SRC_GSI || kind == STATS_SRC_NMI)
		b = 0;
	for (unsigned i = 0; i < s->nr_sources; i++) {
		struct stats_source *src = &s->sources[i];
		if (src->kind == kind && src->a == a && src->b == b)
			return src;
	}
	if (s->nr_sources == STATS_MAX_SOURCES)
		return NULL;
	struct stats_source *src = &s->sources[s->nr_sources];
	*src = (struct stats_source){ .kind = kind, .a = a, .b = b, .index = s->nr_sources };
	source_name(src);
	s->nr_sources++;
	if (kind == STATS_SRC_GSI && a < STATS_MAX_LINES)
		s->line_src[a] = src;
	return src;
}

struct stats_source *stats_source(struct vm_stats *s, enum stats_kind kind, unsigned a,
				  unsigned b)
{
	pthread_mutex_lock(&s->lock);
	struct stats_source *src = stats_source_locked(s, kind, a, b);
	pthread_mutex_unlock(&s->lock);
	return src;
}

const char *stats_source_name(const struct stats_source *src)
{
	return src->name;
}

/* This thread's last stamp: an injection's time and what the guest had
 * claimed by then (stats_stamp() and the recording run on one thread), and
 * its open in-flight slot in `owner` (-1: none). */
static _Thread_local struct {
	uint64_t at_ns;
	unsigned nr_cpus;
	uint64_t written[STATS_MAX_CPUS];
	const struct vm_stats *owner;
	int slot;
	uint64_t gen;
} last_stamp = { .slot = -1 };

/* Closes this thread's open stamp, if it is s's and still its own (a slot
 * that expired may have been taken by another thread's stamp meanwhile).
 * With s->lock held. */
static void close_stamp_locked(struct vm_stats *s)
{
	if (last_stamp.owner == s && last_stamp.slot >= 0 &&
	    s->inflight[last_stamp.slot].gen == last_stamp.gen)
		s->inflight[last_stamp.slot].open = false;
	last_stamp.slot = -1;
}

uint64_t stats_stamp(struct vm_stats *s)
{
	last_stamp.nr_cpus = 0;
	if (!s) {
		last_stamp.at_ns = monotonic_ns();
		return last_stamp.at_ns;
	}
	pthread_mutex_lock(&s->lock);
	close_stamp_locked(s);
	last_stamp.owner = s;
	last_stamp.nr_cpus = stats_guest_written_locked(s, last_stamp.written, STATS_MAX_CPUS);
	/* After the read: every entry below `written` was claimed before it. */
	last_stamp.at_ns = monotonic_ns();
	for (int i = 0; i < STATS_MAX_INFLIGHT && last_stamp.nr_cpus; i++) {
		struct stats_inflight *f = &s->inflight[i];
		if (f->open && last_stamp.at_ns - f->at_ns < STATS_INFLIGHT_MAX_NS)
			continue;
		f->open = true;
		f->gen = ++s->inflight_gen;
		last_stamp.gen = f->gen;
		f->at_ns = last_stamp.at_ns;
		f->nr_cpus = last_stamp.nr_cpus;
		memcpy(f->written, last_stamp.written, sizeof(f->written[0]) * f->nr_cpus);
		last_stamp.slot = i;
		break;
	} /* all slots busy: this injection keeps the old race, nothing worse */
	pthread_mutex_unlock(&s->lock);
	return last_stamp.at_ns;
}

uint64_t stats_readable_locked(struct vm_stats *s, unsigned cpu, uint64_t written, uint64_t now_ns)
{
	for (int i = 0; i < STATS_MAX_INFLIGHT; i++) {
		struct stats_inflight *f = &s->inflight[i];
		if (!f->open)
			continue;
		if (now_ns - f->at_ns >= STATS_INFLIGHT_MAX_NS) {
			f->open = false;
			continue;
		}
		if (cpu < f->nr_cpus && f->written[cpu] < written)
			written = f->written[cpu];
	}
	return written;
}

void stats_forget_cpu(struct vm_stats *s, unsigned cpu)
{
	for (unsigned c = 0; c < STATS_MAX_CPUS; c++) {
		if (cpu < STATS_MAX_CPUS && c != cpu)
			continue;
		for (unsigned v = 0; v < IRQVM_GSTATS_NR_VECTORS; v++) {
			struct lat_channel *ch = s->chan[c][v];
			for (; ch && ch->count; ch->count--) {
				uint32_t i = ch->e[ch->head].src;
				if (i < s->nr_sources)
					s->sources[i].lat_forgotten++;
				ch->head = (ch->head + 1) % STATS_CHANNEL_CAP;
			}
			if (ch)
				ch->resync = false;
		}
		s->gp.seen_count[c] = 0;
		s->gp.seen_head[c] = 0;
	}
}

void stats_ring_seen(struct vm_stats *s, unsigned cpu, uint64_t written, uint64_t at_ns)
{
	struct guest_page *gp = &s->gp;
	if (cpu >= STATS_MAX_CPUS)
		return;
	gp->seen[cpu][gp->seen_head[cpu]] = (struct ring_seen){ .at_ns = at_ns, .written = written };
	gp->seen_head[cpu] = (gp->seen_head[cpu] + 1) % STATS_RING_SEEN;
	if (gp->seen_count[cpu] < STATS_RING_SEEN)
		gp->seen_count[cpu]++;
}

/*
 * How many samples the guest had certainly claimed on cpu by at_ns: what
 * the latest poll at or before at_ns saw (0 if none is remembered, which
 * lets any entry pair). The poll's time is taken after its read, so every
 * entry below that count was claimed before at_ns.
 */
static uint64_t seen_before(const struct vm_stats *s, unsigned cpu, uint64_t at_ns)
{
	const struct guest_page *gp = &s->gp;
	for (unsigned k = 1; k <= gp->seen_count[cpu]; k++) {
		const struct ring_seen *r =
			&gp->seen[cpu][(gp->seen_head[cpu] + STATS_RING_SEEN - k) % STATS_RING_SEEN];
		if (r->at_ns <= at_ns)
			return r->written;
	}
	return 0;
}

/* Remember a delivered injection until the guest's handler entry for it shows up. */
static void channel_push(struct vm_stats *s, const struct stats_source *src, uint64_t at_ns,
			 int cpu, int vector)
{
	if (cpu < 0 || cpu >= (int)STATS_MAX_CPUS || vector < 0 || vector > 255)
		return;
	/* Without a statistics page nothing would ever drain the channel. */
	if (!s->gp.registered)
		return;
	struct lat_channel *ch = s->chan[cpu][vector];
	if (!ch) {
		ch = calloc(1, sizeof(*ch));
		if (!ch)
			return;
		s->chan[cpu][vector] = ch;
	}
	if (ch->count == STATS_CHANNEL_CAP) {
		/* The guest is far behind (or not sampling): forget the oldest. */
		uint32_t old = ch->e[ch->head].src;
		if (old < s->nr_sources)
			s->sources[old].lat_forgotten++;
		ch->head = (ch->head + 1) % STATS_CHANNEL_CAP;
		ch->count--;
		ch->resync = true;
	}
	/* What the guest had claimed before this injection: exact from this
	 * thread's stamp of it, else bounded by the last poll before it. */
	uint64_t min_index = last_stamp.at_ns == at_ns && (unsigned)cpu < last_stamp.nr_cpus
				     ? last_stamp.written[cpu]
				     : seen_before(s, (unsigned)cpu, at_ns);
	ch->e[(ch->head + ch->count) % STATS_CHANNEL_CAP] =
		(struct lat_entry){ .at_ns = at_ns, .min_index = min_index, .src = src->index };
	ch->count++;
}

void stats_resync_cpu(struct vm_stats *s, unsigned cpu)
{
	if (cpu >= STATS_MAX_CPUS)
		return;
	for (unsigned v = 0; v < IRQVM_GSTATS_NR_VECTORS; v++)
		if (s->chan[cpu][v])
			s->chan[cpu][v]->resync = true;
}

/*
 * The handler entry with ring index `index` on (cpu, vector), at host time
 * host_ns as converted from the guest's TSC to within +-slack_ns. It serves
 * the injections delivered there before it that no earlier entry served:
 * the oldest of them is the one it answers (the others were merged into it
 * while pending), so the latency is measured from the oldest.
 *
 * Whether the entry can answer the oldest waiting injection is decided by
 * order, not by the clock: an entry the guest claimed before the injection
 * was sent (index below the injection's min_index) cannot. The clock only
 * gives the latency. A guest's TSC need not keep in step with the host's
 * clock: KVM on a host whose own TSC is unstable (the emulated x86 test
 * host) re-bases it at vCPU loads, by milliseconds. So a paired entry that
 * converts to a time before its injection gets no latency: within the
 * clock's error it is `within_clock_error`, beyond it `clock_disagrees`.
 * Only injections certainly before the entry (by order and by the clock)
 * are merged into it; the others wait for the next entry.
 */
void stats_match_sample(struct vm_stats *s, unsigned cpu, unsigned vector, uint64_t index,
			uint64_t host_ns, uint64_t slack_ns)
{
	struct lat_channel *ch = cpu < STATS_MAX_CPUS && vector < 256 ? s->chan[cpu][vector] : NULL;
	if (!ch || !ch->count) {
		s->gp.unmatched++; /* the guest's own interrupt (timer, self-IPI), or a device's */
		return;
	}
	if (index < ch->e[ch->head].min_index) {
		/* Claimed before the oldest waiting injection was sent. */
		s->gp.unmatched++;
		s->gp.early++;
		return;
	}
	struct lat_entry first = ch->e[ch->head];
	/* After a loss the oldest waiting injection may not be this entry's:
	 * the entry only re-synchronises, and what it serves is given up on. */
	bool resync = ch->resync;
	ch->resync = false;
	bool oldest = true;
	do {
		uint32_t i = ch->e[ch->head].src;
		if (i < s->nr_sources && resync)
			s->sources[i].lat_forgotten++;
		else if (i < s->nr_sources && !oldest)
			s->sources[i].lat_merged++;
		oldest = false;
		ch->head = (ch->head + 1) % STATS_CHANNEL_CAP;
		ch->count--;
	} while (ch->count && ch->e[ch->head].at_ns <= host_ns &&
		 ch->e[ch->head].min_index <= index);
	if (resync) {
		s->gp.resynced++;
		return;
	}
	struct stats_source *src = first.src < s->nr_sources ? &s->sources[first.src] : NULL;
	if (first.at_ns > host_ns) {
		uint64_t gap = first.at_ns - host_ns;
		if (gap <= slack_ns) {
			s->gp.within_clock_error++;
			s->lat_all_within_clock_error++;
			if (src)
				src->lat_within_clock_error++;
		} else {
			s->gp.clock_disagrees++;
			if (gap > s->gp.max_clock_disagreement_ns)
				s->gp.max_clock_disagreement_ns = gap;
			if (src)
				src->lat_clock_disagrees++;
		}
		return;
	}
	uint64_t latency = host_ns - first.at_ns;
	if (src && !src->lat) {
		src->lat = malloc(sizeof(*src->lat));
		if (src->lat)
			hist_init(src->lat);
	}
	if (src && src->lat)
		hist_add(src->lat, latency);
	hist_add(&s->lat_all, latency);
}

static void count_outcome(struct stats_source *src, enum stats_outcome outcome)
{
	src->injected++;
	switch (outcome) {
	case STATS_DELIVERED: src->delivered++; break;
	case STATS_COALESCED: src->coalesced++; break;
	case STATS_DROPPED: src->dropped++; break;
	}
}

/* One injection's outcome on src (NULL: no source, counted nowhere); it
 * closes the thread's in-flight stamp of that injection. With s->lock held. */
static void record_locked(struct vm_stats *s, struct stats_source *src,
			  enum stats_outcome outcome, uint64_t at_ns, int cpu, int vector)
{
	if (src) {
		count_outcome(src, outcome);
		if (outcome == STATS_DELIVERED)
			channel_push(s, src, at_ns, cpu, vector);
	}
	if (at_ns == last_stamp.at_ns)
		close_stamp_locked(s);
}

void stats_record(struct vm_stats *s, struct stats_source *src, enum stats_outcome outcome,
		  uint64_t at_ns, int cpu, int vector)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	record_locked(s, src, outcome, at_ns, cpu, vector);
	pthread_mutex_unlock(&s->lock);
}

void stats_line_asserted(struct vm_stats *s, unsigned line, enum stats_outcome outcome,
			 uint64_t at_ns, int cpu, int vector)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	record_locked(s, line < STATS_MAX_LINES ? stats_source_locked(s, STATS_SRC_GSI, line, 0)
						: NULL,
		      outcome, at_ns, cpu, vector);
	pthread_mutex_unlock(&s->lock);
}

void stats_nmi_requested(struct vm_stats *s, struct stats_source *src, uint64_t at_ns)
{
	if (!s || !src)
		return;
	pthread_mutex_lock(&s->lock);
	src->injected++;
	src->nmi_requested++;
	/* An NMI is arch_nmi_vector (x86: 2) on the target CPU; KVM_NMI cannot fail
	 * for a live vCPU. */
	channel_push(s, src, at_ns, (int)src->a, arch_nmi_vector);
	pthread_mutex_unlock(&s->lock);
}

void stats_add_signals(struct vm_stats *s, struct stats_source *src, uint64_t n)
{
	if (!s || !src)
		return;
	pthread_mutex_lock(&s->lock);
	src->injected += n;
	src->delivered += n;
	pthread_mutex_unlock(&s->lock);
}

void stats_counts_locked(struct vm_stats *s, const struct stats_source *src,
			 struct stats_counts *c)
{
	*c = (struct stats_counts){ .injected = src->injected, .delivered = src->delivered,
				    .coalesced = src->coalesced, .dropped = src->dropped };
	if (src->kind == STATS_SRC_NMI && src->nmi_requested && src->a < s->vm->nr_vcpus) {
		const struct vcpu_stats *vs = &s->vm->vcpus[src->a].stats;
		uint64_t done = __atomic_load_n(&vs->nmis, __ATOMIC_ACQUIRE);
		uint64_t failed = __atomic_load_n(&vs->nmi_failed, __ATOMIC_ACQUIRE);
		uint64_t merged = __atomic_load_n(&vs->nmi_merged, __ATOMIC_ACQUIRE);
		/* The vCPU only issues NMIs this source queued, so these add up. */
		c->delivered += done;
		c->dropped += failed;
		c->coalesced += merged;
		uint64_t settled = done + failed + merged;
		c->pending = src->nmi_requested > settled ? src->nmi_requested - settled : 0;
	}
}

void stats_source_counts(struct vm_stats *s, struct stats_source *src, struct stats_counts *c)
{
	pthread_mutex_lock(&s->lock);
	stats_counts_locked(s, src, c);
	pthread_mutex_unlock(&s->lock);
}
