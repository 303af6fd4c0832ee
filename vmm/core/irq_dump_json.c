/* SPDX-License-Identifier: MIT */
/*
 * Pure builders of the interrupt-state dump's JSON (vmm/core/irq_dump.h) from the
 * device models' read-only snapshots. The field names are the protocol's
 * (docs/control.md, "Interrupt state").
 */
#include "vmm/core/irq_dump.h"

#include "irqchip/ioapic.h"
#include "irqchip/pic8259.h"

json_t *irq_dump_hex64(uint64_t value)
{
	char s[24];
	snprintf(s, sizeof(s), "0x%016llx", (unsigned long long)value);
	return json_string(s);
}

json_t *irq_dump_requests_json(unsigned requests)
{
	static const char *const names[] = { "stop", "start", "irq", "pause", "arch", "nmi",
					     "snapshot" };
	json_t *arr = json_array();
	for (unsigned bit = 0; bit < 32; bit++) {
		if (!(requests & (1u << bit)))
			continue;
		if (bit < sizeof(names) / sizeof(names[0])) {
			json_array_append_new(arr, json_string(names[bit]));
		} else {
			char s[16];
			snprintf(s, sizeof(s), "bit%u", bit);
			json_array_append_new(arr, json_string(s));
		}
	}
	return arr;
}

json_t *irq_dump_vector_set_json(const uint32_t words[8])
{
	json_t *arr = json_array();
	for (unsigned v = 0; v < 256; v++)
		if (words[v / 32] & (1u << (v % 32)))
			json_array_append_new(arr, json_integer(v));
	return arr;
}

static json_t *pic_chip_json(const struct pic8259_chip_snapshot *c, const struct pic8259_stats *stats)
{
	json_t *o = json_object();
	json_object_set_new(o, "irr", json_integer(c->irr));
	json_object_set_new(o, "isr", json_integer(c->isr));
	json_object_set_new(o, "imr", json_integer(c->imr));
	json_object_set_new(o, "elcr", json_integer(c->elcr));
	json_object_set_new(o, "lines", json_integer(c->lines));
	json_object_set_new(o, "int", json_boolean(c->int_output));
	json_object_set_new(o, "vector_base", json_integer(c->vector_base));
	json_object_set_new(o, "icw3", json_integer(c->icw3));
	json_object_set_new(o, "init", json_string(pic8259_init_step_name(c->init_step)));
	json_object_set_new(o, "ltim", json_boolean(c->ltim));
	json_object_set_new(o, "single", json_boolean(c->single));
	json_object_set_new(o, "upm", json_boolean(c->upm));
	json_object_set_new(o, "aeoi", json_boolean(c->aeoi));
	json_object_set_new(o, "sfnm", json_boolean(c->sfnm));
	json_object_set_new(o, "buf", json_boolean(c->buf));
	json_object_set_new(o, "ms", json_boolean(c->ms));
	json_object_set_new(o, "rotate_in_aeoi", json_boolean(c->rotate_in_aeoi));
	json_object_set_new(o, "special_mask", json_boolean(c->special_mask));
	json_object_set_new(o, "poll", json_boolean(c->poll));
	json_object_set_new(o, "read", json_string(c->read_isr ? "isr" : "irr"));
	json_object_set_new(o, "lowest_priority", json_integer(c->lowest_priority));
	json_object_set_new(o, "highest_priority", json_integer(c->highest_priority));
	json_object_set_new(o, "pending", json_integer(c->pending_level));
	json_object_set_new(o, "in_service", json_integer(c->in_service_level));
	if (stats) {
		unsigned first = c->is_slave ? 8 : 0;
		json_t *irqs = json_array();
		for (unsigned i = 0; i < 8; i++) {
			unsigned irq = first + i;
			json_array_append_new(irqs, json_pack("{s:i,s:I,s:I,s:I,s:I}", "irq", irq,
				"latched", (json_int_t)stats->latched[irq],
				"coalesced", (json_int_t)stats->coalesced[irq],
				"acked", (json_int_t)stats->acked[irq],
				"eoi", (json_int_t)stats->eoi[irq]));
		}
		json_object_set_new(o, "counters", irqs);
		json_object_set_new(o, "spurious", json_integer((json_int_t)stats->spurious[c->is_slave]));
	}
	return o;
}

json_t *irq_dump_pic_json(const struct pic8259_snapshot *snap, const struct pic8259_stats *stats)
{
	json_t *o = json_object();
	json_object_set_new(o, "output", json_boolean(snap->output));
	json_object_set_new(o, "master", pic_chip_json(&snap->master, stats));
	json_object_set_new(o, "slave", pic_chip_json(&snap->slave, stats));
	return o;
}

static json_t *ioapic_pin_json(unsigned pin, const struct ioapic_pin_snapshot *p,
			       const struct ioapic_stats *stats)
{
	json_t *o = json_object();
	json_object_set_new(o, "pin", json_integer(pin));
	json_object_set_new(o, "rte", irq_dump_hex64(p->rte));
	json_object_set_new(o, "vector", json_integer(p->vector));
	json_object_set_new(o, "delivery_mode", json_string(ioapic_delivery_mode_name(p->delivery_mode)));
	json_object_set_new(o, "dest_mode", json_string(p->dest_logical ? "logical" : "physical"));
	json_object_set_new(o, "dest", json_integer(p->dest));
	json_object_set_new(o, "trigger", json_string(p->level_triggered ? "level" : "edge"));
	json_object_set_new(o, "effective_level", json_boolean(p->effective_level));
	json_object_set_new(o, "polarity", json_string(p->active_low ? "low" : "high"));
	json_object_set_new(o, "masked", json_boolean(p->masked));
	json_object_set_new(o, "remote_irr", json_boolean(p->remote_irr));
	json_object_set_new(o, "delivery_status", json_boolean(p->delivery_status));
	json_object_set_new(o, "line", json_boolean(p->line));
	json_object_set_new(o, "asserted", json_boolean(p->asserted));
	json_object_set_new(o, "recheck_pending", json_boolean(p->recheck_pending));
	json_object_set_new(o, "storm_count", json_integer(p->storm_count));
	if (stats)
		json_object_set_new(o, "counters", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"delivered", (json_int_t)stats->delivered[pin],
			"coalesced", (json_int_t)stats->coalesced[pin],
			"masked", (json_int_t)stats->masked[pin],
			"eoi", (json_int_t)stats->eoi[pin],
			"storm_deferred", (json_int_t)stats->storm_deferred[pin],
			"eoi_deferred", (json_int_t)stats->eoi_deferred[pin],
			"invalid", (json_int_t)stats->invalid[pin]));
	return o;
}

json_t *irq_dump_ioapic_json(const struct ioapic_snapshot *snap, const struct ioapic_stats *stats)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(snap->id));
	json_object_set_new(o, "version", json_integer(snap->version & 0xff));
	json_object_set_new(o, "max_entry", json_integer((snap->version >> 16) & 0xff));
	json_object_set_new(o, "ioregsel", json_integer(snap->ioregsel));
	json_object_set_new(o, "broadcast_eoi_trusted", json_boolean(snap->broadcast_eoi_trusted));
	json_object_set_new(o, "storm_threshold", json_integer((json_int_t)snap->storm_threshold));
	json_object_set_new(o, "storm_holdoff_ns", json_integer((json_int_t)snap->storm_holdoff_ns));
	json_t *pins = json_array();
	unsigned n = snap->nr_pins <= IOAPIC_NUM_PINS ? snap->nr_pins : IOAPIC_NUM_PINS;
	for (unsigned pin = 0; pin < n; pin++)
		json_array_append_new(pins, ioapic_pin_json(pin, &snap->pins[pin], stats));
	json_object_set_new(o, "pins", pins);
	return o;
}
