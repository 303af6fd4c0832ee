/* SPDX-License-Identifier: MIT */
/* The "stats" report: per-source counters beside the guest's counts, explained. */
#include "vmm/core/stats_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/core/vm.h"

json_t *stats_hist_json(const struct latency_hist *h)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "count", (json_int_t)h->count,
			 "min_ns", (json_int_t)(h->count ? h->min : 0),
			 "mean_ns", (json_int_t)(h->count ? h->sum / h->count : 0),
			 "p50_ns", (json_int_t)hist_percentile(h, 0.50),
			 "p90_ns", (json_int_t)hist_percentile(h, 0.90),
			 "p99_ns", (json_int_t)hist_percentile(h, 0.99),
			 "max_ns", (json_int_t)h->max);
}

static const char *kind_name(enum stats_kind kind)
{
	switch (kind) {
	case STATS_SRC_GSI: return "gsi";
	case STATS_SRC_MSI: return "msi";
	case STATS_SRC_IPI: return "ipi";
	case STATS_SRC_NMI: return "nmi";
	case STATS_SRC_IRQFD: return "irqfd";
	}
	return "?";
}

/* Where a source's interrupts land in the guest, and what the irqchip adds. */
struct src_view {
	int cpu, vector;
	struct irqchip_line_info line; /* GSI sources only */
	bool have_line;
	struct stats_counts counts;
	uint64_t handled;
};

static void explain(char *buf, size_t len, const struct stats_source *src, const struct src_view *v,
		    uint64_t vector_delivered, bool have_page)
{
	if (!have_page) {
		snprintf(buf, len, "no guest statistics page: guest-side counts unavailable");
		return;
	}
	if (v->vector < 0) {
		snprintf(buf, len, "route masked or not decodable: no guest vector to compare with");
		return;
	}
	uint64_t h = v->handled, d = vector_delivered;
	if (h == d) {
		snprintf(buf, len, "every delivery was handled by the guest");
	} else if (h < d) {
		if (src->kind == STATS_SRC_NMI)
			snprintf(buf, len, "%llu NMIs merged in KVM: a CPU holds at most one NMI "
				 "pending besides the one being handled (or the guest has not run yet)",
				 (unsigned long long)(d - h));
		else if (src->kind == STATS_SRC_GSI && v->have_line && !strcmp(v->line.route, "pic"))
			snprintf(buf, len, "%llu deliveries not handled (yet): latched in the PIC "
				 "while the guest had the interrupt masked or in service",
				 (unsigned long long)(d - h));
		else
			snprintf(buf, len, "%llu deliveries merged in the local APIC: an edge "
				 "interrupt that arrives while its IRR bit is still set is "
				 "accepted by KVM but handled once (or the guest has not run yet)",
				 (unsigned long long)(d - h));
	} else if (v->have_line && v->line.level_triggered) {
		snprintf(buf, len, "%llu more handled than delivered: level-triggered "
			 "re-deliveries at EOI while the line stayed asserted (msi_sent %llu)",
			 (unsigned long long)(h - d), (unsigned long long)v->line.msi_sent);
	} else {
		snprintf(buf, len, "%llu more handled than delivered: the guest received this "
			 "vector from elsewhere too (its own IPIs/timer, or a device)",
			 (unsigned long long)(h - d));
	}
}

json_t *stats_to_json(struct vm_stats *s)
{
	struct vm *vm = s->vm;
	unsigned n;

	/* 1: bring the latency samples up to date and list the sources. */
	pthread_mutex_lock(&s->lock);
	stats_guest_poll_locked(s);
	n = s->nr_sources;
	pthread_mutex_unlock(&s->lock);

	struct src_view *views = calloc(n ? n : 1, sizeof(*views));
	if (!views)
		return NULL;
	/* 2: the irqchip's view of each line, without the stats lock (lock order). */
	for (unsigned i = 0; i < n; i++) {
		struct stats_source *src = &s->sources[i]; /* kind/a/b never change */
		views[i].cpu = views[i].vector = -1;
		if (src->kind == STATS_SRC_GSI && vm->irqchip_line_info) {
			vm->irqchip_line_info(vm, src->a, &views[i].line);
			views[i].have_line = true;
			views[i].cpu = views[i].line.cpu;
			views[i].vector = views[i].line.vector;
		} else if (src->kind == STATS_SRC_NMI) {
			views[i].cpu = (int)src->a;
			views[i].vector = 2;
		} else if (src->kind != STATS_SRC_GSI) {
			views[i].cpu = (int)src->a;
			views[i].vector = (int)src->b;
		}
	}

	/* 3: counters, the guest's counts and the explanations. */
	json_t *root = json_object(), *arr = json_array();
	pthread_mutex_lock(&s->lock);
	bool have_page = s->gp.registered;
	/* Delivered injections still waiting for a handler entry, per source. */
	uint64_t *awaiting = calloc(n ? n : 1, sizeof(*awaiting));
	for (unsigned c = 0; awaiting && c < STATS_MAX_CPUS; c++)
		for (unsigned v = 0; v < IRQVM_GSTATS_NR_VECTORS; v++) {
			const struct lat_channel *ch = s->chan[c][v];
			for (uint32_t k = 0; ch && k < ch->count; k++) {
				uint32_t i = ch->e[(ch->head + k) % STATS_CHANNEL_CAP].src;
				if (i < n)
					awaiting[i]++;
			}
		}
	for (unsigned i = 0; i < n; i++) {
		stats_counts_locked(s, &s->sources[i], &views[i].counts);
		views[i].handled = stats_guest_handled_locked(s, views[i].cpu, views[i].vector);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct stats_source *src = &s->sources[i];
		const struct src_view *v = &views[i];
		/* Several sources may feed one (CPU, vector); the guest cannot tell them apart. */
		uint64_t vector_delivered = 0;
		for (unsigned j = 0; j < n; j++)
			if (views[j].vector == v->vector && views[j].cpu == v->cpu)
				vector_delivered += views[j].counts.delivered;
		char own[320], why[480];
		explain(own, sizeof(own), src, v, vector_delivered, have_page);
		/* irqfd: not irqvm's count, but what the client said it wrote. */
		snprintf(why, sizeof(why), "%s%s", src->kind == STATS_SRC_IRQFD ?
			 "counted by the client (signals it reported writing to the eventfd; KVM "
			 "may merge them): " : "", own);
		const struct stats_counts *c = &v->counts;
		bool accounted = c->injected == c->delivered + c->coalesced + c->dropped + c->pending;
		struct latency_hist empty;
		hist_init(&empty);
		json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:i,s:i,s:s,s:o}",
			"source", src->name, "kind", kind_name(src->kind),
			"injected", (json_int_t)c->injected, "delivered", (json_int_t)c->delivered,
			"coalesced", (json_int_t)c->coalesced, "dropped", (json_int_t)c->dropped,
			"pending", (json_int_t)c->pending,
			"spurious", (json_int_t)(v->have_line ? v->line.spurious : 0),
			"eoi", (json_int_t)(v->have_line ? v->line.eoi : 0),
			"guest_handled", (json_int_t)v->handled,
			"vector_delivered", (json_int_t)vector_delivered,
			"accounted", accounted, "cpu", v->cpu, "vector", v->vector,
			"explanation", why,
			"latency", stats_hist_json(src->lat ? src->lat : &empty));
		if (o) {
			/* Each injection followed to the guest (docs/control.md,
			 * "Latency") ends in exactly one of: a latency,
			 * within_clock_error, clock_disagrees, merged, forgotten, or
			 * still awaiting its handler entry. */
			json_t *l = json_object_get(o, "latency");
			json_object_set_new(l, "within_clock_error",
					    json_integer((json_int_t)src->lat_within_clock_error));
			json_object_set_new(l, "clock_disagrees",
					    json_integer((json_int_t)src->lat_clock_disagrees));
			json_object_set_new(l, "merged", json_integer((json_int_t)src->lat_merged));
			json_object_set_new(l, "forgotten",
					    json_integer((json_int_t)src->lat_forgotten));
			json_object_set_new(l, "awaiting",
					    json_integer((json_int_t)(awaiting ? awaiting[i] : 0)));
		}
		if (o)
			json_object_set_new(o, "counted_by", json_string(src->kind == STATS_SRC_IRQFD
									 ? "client" : "vmm"));
		if (o && v->have_line) {
			json_object_set_new(o, "route", json_string(v->line.route));
			json_object_set_new(o, "trigger",
					    json_string(v->line.level_triggered ? "level" : "edge"));
			json_object_set_new(o, "msi_sent", json_integer((json_int_t)v->line.msi_sent));
			json_object_set_new(o, "inta", json_integer((json_int_t)v->line.inta));
		}
		if (o)
			json_array_append_new(arr, o);
	}
	json_object_set_new(root, "sources", arr);
	json_object_set_new(root, "guest", stats_guest_json_locked(s));
	json_t *lat = stats_hist_json(&s->lat_all);
	json_object_set_new(lat, "within_clock_error",
			    json_integer((json_int_t)s->lat_all_within_clock_error));
	json_object_set_new(root, "latency", lat);
	pthread_mutex_unlock(&s->lock);
	free(awaiting);
	free(views);
	return root;
}
