/* SPDX-License-Identifier: MIT */
/*
 * The one text formatter of the interrupt-state dump (vmm/core/irq_dump.h): used
 * for the timeout report, SIGQUIT and `irqvm info irq`. The dump may have
 * come over a socket, so every field is looked up defensively: a missing or
 * mistyped field prints "?" and nothing here trusts an array length or a
 * string to exist.
 */
#include "vmm/core/irq_dump.h"

#include <stdbool.h>
#include <string.h>

#define UNKNOWN (-1ll)

static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : UNKNOWN;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "?";
}

/* "1", "0" or "?" for a boolean field. */
static const char *flag(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_boolean(v) ? (json_is_true(v) ? "1" : "0") : "?";
}

static bool is_true(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* A byte-wide register in hex, "??" if unknown. */
static void hex8(FILE *out, const char *name, json_t *o, const char *key)
{
	long long v = num(o, key);
	if (v < 0 || v > 0xff)
		fprintf(out, "%s=??", name);
	else
		fprintf(out, "%s=%02llx", name, v);
}

static void hex32(FILE *out, const char *name, json_t *o, const char *key)
{
	long long v = num(o, key);
	if (v < 0 || v > 0xffffffffll)
		fprintf(out, "%s ?", name);
	else
		fprintf(out, "%s 0x%08llx", name, v);
}

/* An IR level field: "IRn" or "none" (-1). */
static void level(FILE *out, json_t *o, const char *key, unsigned first_irq)
{
	long long v = num(o, key);
	if (v == UNKNOWN && json_is_integer(json_object_get(o, key)))
		fprintf(out, "none");
	else if (v >= 0 && v < 8)
		fprintf(out, "IR%lld (IRQ%lld)", v, v + first_irq);
	else
		fprintf(out, "?");
}

/* An array of names as "key a+b", "key none" when empty. */
static void string_list(FILE *out, const char *sep, const char *key, json_t *arr)
{
	size_t i;
	json_t *e;
	fprintf(out, "%s%s ", sep, key);
	json_array_foreach(arr, i, e)
		fprintf(out, "%s%s", i ? "+" : "", json_is_string(e) ? json_string_value(e) : "?");
	if (!json_array_size(arr))
		fprintf(out, "none");
}

/* A flat object of integers as "key value, key value". */
static void counters(FILE *out, json_t *o)
{
	const char *key;
	json_t *v;
	const char *sep = "";
	json_object_foreach(o, key, v) {
		if (json_is_integer(v))
			fprintf(out, "%s%s %lld", sep, key, (long long)json_integer_value(v));
		else if (json_is_boolean(v))
			fprintf(out, "%s%s %s", sep, key, json_is_true(v) ? "yes" : "no");
		else if (json_is_string(v))
			fprintf(out, "%s%s %s", sep, key, json_string_value(v));
		else if (json_is_array(v))
			string_list(out, sep, key, v);
		else
			continue;
		sep = ", ";
	}
	if (!*sep)
		fprintf(out, "none");
}

static void pic_chip(FILE *out, const char *name, json_t *c, unsigned first_irq)
{
	if (!json_is_object(c)) {
		fprintf(out, "PIC %s: ?\n", name);
		return;
	}
	fprintf(out, "PIC %-6s ", name);
	hex8(out, "IRR", c, "irr");
	hex8(out, " ISR", c, "isr");
	hex8(out, " IMR", c, "imr");
	hex8(out, " ELCR", c, "elcr");
	hex8(out, " lines", c, "lines");
	fprintf(out, " INT=%s", flag(c, "int"));
	long long base = num(c, "vector_base");
	if (base >= 0)
		fprintf(out, " base 0x%02llx", base);
	else
		fprintf(out, " base ?");
	hex8(out, " ICW3", c, "icw3");
	fprintf(out, " init %s\n", str(c, "init"));
	fprintf(out, "           ICW1 ltim=%s single=%s  ICW4 upm=%s aeoi=%s sfnm=%s buf=%s ms=%s"
		"  OCW rotate-aeoi=%s special-mask=%s poll=%s read=%s\n",
		flag(c, "ltim"), flag(c, "single"), flag(c, "upm"), flag(c, "aeoi"), flag(c, "sfnm"),
		flag(c, "buf"), flag(c, "ms"), flag(c, "rotate_in_aeoi"), flag(c, "special_mask"),
		flag(c, "poll"), str(c, "read"));
	fprintf(out, "           priority: highest ");
	level(out, c, "highest_priority", first_irq);
	fprintf(out, ", lowest ");
	level(out, c, "lowest_priority", first_irq);
	fprintf(out, "; presents ");
	level(out, c, "pending", first_irq);
	fprintf(out, "; in service ");
	level(out, c, "in_service", first_irq);
	fprintf(out, "\n");
	json_t *cnt = json_object_get(c, "counters");
	if (!json_is_array(cnt))
		return;
	size_t i;
	json_t *e;
	bool any = false;
	json_array_foreach(cnt, i, e) {
		long long latched = num(e, "latched"), coalesced = num(e, "coalesced");
		long long acked = num(e, "acked"), eoi = num(e, "eoi");
		if (latched <= 0 && coalesced <= 0 && acked <= 0 && eoi <= 0)
			continue;
		fprintf(out, "%s IRQ%lld %lld/%lld/%lld/%lld", any ? "," : "           latched/coalesced/acked/eoi:",
			num(e, "irq"), latched, coalesced, acked, eoi);
		any = true;
	}
	long long spurious = num(c, "spurious");
	if (any || spurious > 0)
		fprintf(out, "%s spurious %lld\n", any ? ";" : "           counters:", spurious);
}

static void pic(FILE *out, json_t *p)
{
	pic_chip(out, "master", json_object_get(p, "master"), 0);
	pic_chip(out, "slave", json_object_get(p, "slave"), 8);
	fprintf(out, "PIC INT (to vCPU 0 LINT0): %s\n",
		!json_is_boolean(json_object_get(p, "output")) ? "?" :
		is_true(p, "output") ? "high" : "low");
}

static void ioapic(FILE *out, json_t *io)
{
	long long max_entry = num(io, "max_entry");
	fprintf(out, "IOAPIC id %lld, version 0x%02llx, %lld pins, IOREGSEL 0x%02llx, broadcast EOIs %s, "
		"storm guard %lld re-deliveries then %lld ns holdoff\n",
		num(io, "id"), num(io, "version"), max_entry >= 0 ? max_entry + 1 : UNKNOWN,
		num(io, "ioregsel"), is_true(io, "broadcast_eoi_trusted") ? "trusted" : "NOT trusted",
		num(io, "storm_threshold"), num(io, "storm_holdoff_ns"));
	fprintf(out, "  pin   vec  mode      dest       trigger pol  mask remote-irr ds line"
		"  sent coalesced masked eoi deferred\n");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(io, "pins"), i, p) {
		const char *dest_mode = str(p, "dest_mode");
		json_t *c = json_object_get(p, "counters");
		fprintf(out, "  %3lld   0x%02llx %-9s %-4s 0x%02llx  %-7s %-4s %-4s %-10s %-2s %-4s",
			num(p, "pin"), num(p, "vector"), str(p, "delivery_mode"),
			!strcmp(dest_mode, "logical") ? "log" : !strcmp(dest_mode, "physical") ? "phys" : "?",
			num(p, "dest"), str(p, "trigger"), str(p, "polarity"),
			is_true(p, "masked") ? "M" : "-", is_true(p, "remote_irr") ? "R" : "-",
			is_true(p, "delivery_status") ? "P" : "-", is_true(p, "line") ? "high" : "low");
		if (json_is_object(c))
			fprintf(out, " %5lld %9lld %6lld %3lld %lld", num(c, "delivered"), num(c, "coalesced"),
				num(c, "masked"), num(c, "eoi"),
				num(c, "storm_deferred") + num(c, "eoi_deferred"));
		if (is_true(p, "recheck_pending"))
			fprintf(out, " (re-delivery held for a recheck)");
		fprintf(out, "\n");
	}
}

static void vector_list(FILE *out, const char *name, json_t *arr)
{
	size_t i;
	json_t *v;
	fprintf(out, " %s:", name);
	if (!json_is_array(arr)) {
		fprintf(out, " ?");
		return;
	}
	json_array_foreach(arr, i, v)
		fprintf(out, " 0x%02llx", (long long)json_integer_value(v));
	if (!json_array_size(arr))
		fprintf(out, " none");
}

static void lvt(FILE *out, const char *name, json_t *l)
{
	if (!json_is_object(l))
		return;
	fprintf(out, "    LVT %-7s 0x%08llx", name, num(l, "raw"));
	if (json_object_get(l, "delivery_mode"))
		fprintf(out, " %s", str(l, "delivery_mode"));
	if (json_object_get(l, "mode"))
		fprintf(out, " %s", str(l, "mode"));
	fprintf(out, " vector 0x%02llx", num(l, "vector"));
	if (json_object_get(l, "trigger"))
		fprintf(out, " %s active-%s%s", str(l, "trigger"), str(l, "polarity"),
			is_true(l, "remote_irr") ? " remote-irr" : "");
	fprintf(out, "%s%s\n", is_true(l, "masked") ? " masked" : "",
		is_true(l, "send_pending") ? " send-pending" : "");
}

static void lapic(FILE *out, json_t *a)
{
	fprintf(out, "  LAPIC id %lld, %s, base %s, version 0x%08llx, SVR 0x%03llx (%s, spurious 0x%02llx%s)\n",
		num(a, "id"), str(a, "mode"), str(a, "apic_base"), num(a, "version"), num(a, "svr"),
		is_true(a, "software_enabled") ? "software enabled" : "SOFTWARE DISABLED",
		num(a, "spurious_vector"),
		is_true(a, "suppress_eoi_broadcast") ? ", EOI broadcast suppressed" : "");
	fprintf(out, "   ");
	hex8(out, " TPR", a, "tpr");
	hex8(out, " PPR", a, "ppr");
	hex8(out, " APR", a, "apr");
	fprintf(out, " ");
	hex32(out, " ESR", a, "esr");
	hex32(out, " LDR", a, "ldr");
	hex32(out, " DFR", a, "dfr");
	fprintf(out, "\n   ");
	vector_list(out, "IRR", json_object_get(a, "irr"));
	fprintf(out, ";");
	vector_list(out, "ISR", json_object_get(a, "isr"));
	fprintf(out, ";");
	vector_list(out, "TMR", json_object_get(a, "tmr"));
	fprintf(out, "\n");
	json_t *l = json_object_get(a, "lvt");
	lvt(out, "timer", json_object_get(l, "timer"));
	lvt(out, "LINT0", json_object_get(l, "lint0"));
	lvt(out, "LINT1", json_object_get(l, "lint1"));
	lvt(out, "error", json_object_get(l, "error"));
	json_t *t = json_object_get(a, "timer");
	fprintf(out, "    timer: initial count %lld, current count %lld, divide by %lld\n",
		num(t, "initial"), num(t, "current"), num(t, "divisor"));
	json_t *icr = json_object_get(a, "icr");
	fprintf(out, "    ICR 0x%08llx:%08llx (last IPI: %s vector 0x%02llx%s)\n", num(icr, "high"),
		num(icr, "low"), str(icr, "delivery_mode"), num(icr, "vector"),
		is_true(icr, "send_pending") ? ", send pending" : "");
}

static void vcpu(FILE *out, json_t *v)
{
	fprintf(out, "vCPU %lld:", num(v, "index"));
	if (!is_true(v, "answered")) {
		fprintf(out, " %s\n", str(v, "error"));
		return;
	}
	fprintf(out, " %s, mp_state %s", is_true(v, "started") ? "started" : "not started by the guest",
		str(v, "mp_state"));
	if (json_object_get(v, "rip"))
		fprintf(out, ", RIP %s, RFLAGS %s (IF=%s)", str(v, "rip"), str(v, "rflags"), flag(v, "if"));
	if (json_object_get(v, "rip_unmapped"))
		fprintf(out, ", RIP not mapped for execution by the guest's page tables (%s)", str(v, "rip_unmapped"));
	if (json_object_get(v, "pc"))
		fprintf(out, ", pc %s, mode %s", str(v, "pc"), str(v, "mode"));
	if (json_object_get(v, "read_by"))
		fprintf(out, " [read by the %s]", str(v, "read_by"));
	fprintf(out, "\n");
	if (json_object_get(v, "error"))
		fprintf(out, "  (incomplete: %s)\n", str(v, "error"));
	if (json_is_object(json_object_get(v, "lapic")))
		lapic(out, json_object_get(v, "lapic"));
	if (json_is_object(json_object_get(v, "csrs"))) {
		fprintf(out, "  CSRs: ");
		counters(out, json_object_get(v, "csrs"));
		fprintf(out, "\n");
	}
	if (json_is_object(json_object_get(v, "events"))) {
		fprintf(out, "  KVM events: ");
		counters(out, json_object_get(v, "events"));
		fprintf(out, "\n");
	}
	json_t *p = json_object_get(v, "pending");
	if (json_is_object(p)) {
		fprintf(out, "  irqvm pending: ");
		counters(out, p);
		fprintf(out, "\n");
	}
	if (json_is_object(json_object_get(v, "counters"))) {
		fprintf(out, "  counters: ");
		counters(out, json_object_get(v, "counters"));
		fprintf(out, "\n");
	}
}

static void lines(FILE *out, json_t *arr)
{
	size_t i;
	json_t *l;
	unsigned high = 0;
	fprintf(out, "lines (%zu): high:", json_array_size(arr));
	json_array_foreach(arr, i, l) {
		if (!is_true(l, "level"))
			continue;
		fprintf(out, " %lld", num(l, "line"));
		high++;
	}
	fprintf(out, "%s\n", high ? "" : " none");
	bool any = false;
	json_array_foreach(arr, i, l) {
		long long raised = num(l, "raised"), pulses = num(l, "pulses");
		if (raised <= 0 && pulses <= 0)
			continue;
		fprintf(out, "%s %lld: %lld/%lld/%lld", any ? "," : "  raised/lowered/pulses:", num(l, "line"),
			raised, num(l, "lowered"), pulses);
		any = true;
	}
	if (any)
		fprintf(out, "\n");
}

void irq_dump_print(FILE *out, json_t *dump)
{
	if (!json_is_object(dump)) {
		fprintf(out, "interrupt state: (not a dump)\n");
		return;
	}
	fprintf(out, "=== irqvm interrupt state (%s): %s, irqchip %s, %lld vCPU(s) ===\n",
		str(dump, "trigger"), str(dump, "arch"), str(dump, "irqchip"), num(dump, "vcpus"));
	if (json_is_string(json_object_get(dump, "host")))
		fprintf(out, "host: %s\n", str(dump, "host"));
	if (json_is_object(json_object_get(dump, "pic")))
		pic(out, json_object_get(dump, "pic"));
	if (json_is_object(json_object_get(dump, "ioapic")))
		ioapic(out, json_object_get(dump, "ioapic"));
	if (json_is_string(json_object_get(dump, "irqchip_note")))
		fprintf(out, "irqchip: %s\n", str(dump, "irqchip_note"));
	if (json_is_object(json_object_get(dump, "irqchip_counters"))) {
		fprintf(out, "irqchip counters: ");
		counters(out, json_object_get(dump, "irqchip_counters"));
		fprintf(out, "\n");
	}
	if (json_is_array(json_object_get(dump, "lines")))
		lines(out, json_object_get(dump, "lines"));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(dump, "vcpu"), i, v)
		vcpu(out, v);
	fprintf(out, "=== end of interrupt state ===\n");
}
