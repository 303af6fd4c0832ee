/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the interrupt-state dump's pure parts: the JSON builders
 * fed by the PIC/IOAPIC snapshots, the LAPIC register decoding, and the one
 * text formatter (including what it does with hostile or truncated JSON, as
 * `irqvm info irq` gets it from a socket).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "irqchip/ioapic.h"
#include "irqchip/pic8259.h"
#include "vmm/arch/x86/x86_lapic_dump.h"
#include "vmm/core/irq_dump.h"

static char *render(json_t *dump)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	irq_dump_print(f, dump);
	fclose(f);
	return buf;
}

static void nop_deliver(void *opaque, unsigned pin, const struct ioapic_msi *msg)
{
	(void)opaque;
	(void)pin;
	(void)msg;
}

static const struct ioapic_ops nop_ops = { .deliver = nop_deliver };

/* A PIC pair initialised like Linux (bases 0x20/0x28) with IRQ1 pending. */
static void busy_pic(struct pic8259 *pic)
{
	pic8259_init(pic, NULL, NULL);
	static const uint8_t seq[][2] = { { 0x20, 0x11 }, { 0x21, 0x20 }, { 0x21, 0x04 },
					  { 0x21, 0x01 }, { 0xa0, 0x11 }, { 0xa1, 0x28 },
					  { 0xa1, 0x02 }, { 0xa1, 0x01 }, { 0x21, 0xf9 } };
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		pic8259_write(pic, seq[i][0], seq[i][1]);
	pic8259_set_irq(pic, 1, true);
	pic8259_set_irq(pic, 1, false);
}

static void set_reg(struct kvm_lapic_state *s, unsigned off, uint32_t v)
{
	memcpy(&s->regs[off], &v, sizeof(v));
}

static void set_vector(struct kvm_lapic_state *s, unsigned base, unsigned vector)
{
	uint32_t w = x86_lapic_reg(s, base + 0x10 * (vector / 32));
	set_reg(s, base + 0x10 * (vector / 32), w | 1u << (vector % 32));
}

/* What a vCPU thread answers on x86: LAPIC with IRR {0x30, 0xef}, ISR {0x41}. */
static json_t *sample_vcpu(void)
{
	struct kvm_lapic_state s;
	memset(&s, 0, sizeof(s));
	set_reg(&s, LAPIC_REG_ID, 1u << 24);
	set_reg(&s, LAPIC_REG_SVR, 0x1ff);
	set_reg(&s, LAPIC_REG_TPR, 0x20);
	set_reg(&s, LAPIC_REG_PPR, 0x40);
	set_vector(&s, LAPIC_REG_IRR, 0x30);
	set_vector(&s, LAPIC_REG_IRR, 0xef);
	set_vector(&s, LAPIC_REG_ISR, 0x41);
	set_vector(&s, LAPIC_REG_TMR, 0x41);
	set_reg(&s, LAPIC_REG_LVT_LINT0, 0x700);
	set_reg(&s, LAPIC_REG_LVT_LINT1, 0x400);
	set_reg(&s, LAPIC_REG_LVT_TIMER, 0x200ef);
	set_reg(&s, LAPIC_REG_LVT_ERROR, 0x10000);
	set_reg(&s, LAPIC_REG_TIMER_INITIAL, 100000);
	set_reg(&s, LAPIC_REG_TIMER_CURRENT, 4242);
	set_reg(&s, LAPIC_REG_TIMER_DIVIDE, 0xb);
	json_t *v = json_pack("{s:i,s:b,s:b,s:s,s:s,s:s,s:b}", "index", 0, "answered", 1,
			      "started", 1, "mp_state", "halted", "rip", "0x0000000000101234",
			      "rflags", "0x0000000000000202", "if", 1);
	json_object_set_new(v, "lapic", x86_lapic_json(&s, 0xfee00900));
	json_object_set_new(v, "pending", json_pack("{s:b,s:i,s:o}", "extint", 1, "nmis_queued", 0,
						    "requests", irq_dump_requests_json(0)));
	return v;
}

/* A complete dump as the collector builds it: PIC, IOAPIC, lines, two vCPUs (one silent). */
static json_t *sample_dump(void)
{
	static struct pic8259 pic;
	static struct ioapic io;
	busy_pic(&pic);
	ioapic_init(&io, &nop_ops, NULL, 0);
	ioapic_mmio_write(&io, IOAPIC_IOREGSEL, 0x10 + 2 * 4, 4);
	ioapic_mmio_write(&io, IOAPIC_IOWIN, 0xa034, 4); /* pin 4: level, active low, vector 0x34 */
	ioapic_set_irq(&io, 4, false);
	struct pic8259_snapshot ps;
	struct ioapic_snapshot is;
	pic8259_snapshot(&pic, &ps);
	ioapic_snapshot(&io, &is);
	json_t *d = json_pack("{s:s,s:s,s:s,s:i}", "trigger", "timeout", "arch", "x86_64", "irqchip",
			      "split", "vcpus", 2);
	json_object_set_new(d, "pic", irq_dump_pic_json(&ps, pic8259_stats(&pic)));
	json_object_set_new(d, "ioapic", irq_dump_ioapic_json(&is, ioapic_stats(&io)));
	json_object_set_new(d, "lines", json_pack("[{s:i,s:b},{s:i,s:b}]", "line", 0, "level", 0,
						  "line", 4, "level", 1));
	json_t *vcpus = json_array();
	json_array_append_new(vcpus, sample_vcpu());
	json_array_append_new(vcpus, json_pack("{s:i,s:b,s:s}", "index", 1, "answered", 0, "error",
					       "did not answer within 1000 ms"));
	json_object_set_new(d, "vcpu", vcpus);
	return d;
}

Test(irq_dump, vector_set_lists_the_bits_in_order)
{
	uint32_t words[8] = { 0 };
	words[0] = 1u << 3;
	words[1] = 1u << 0;  /* 0x20 */
	words[7] = 1u << 31; /* 0xff */
	json_t *a = irq_dump_vector_set_json(words);
	cr_assert_eq(json_array_size(a), 3);
	cr_assert_eq(json_integer_value(json_array_get(a, 0)), 3);
	cr_assert_eq(json_integer_value(json_array_get(a, 1)), 0x20);
	cr_assert_eq(json_integer_value(json_array_get(a, 2)), 0xff);
	json_decref(a);
}

Test(irq_dump, requests_are_named)
{
	json_t *a = irq_dump_requests_json(1u << 2 | 1u << 5 | 1u << 20);
	char *s = json_dumps(a, JSON_COMPACT);
	cr_assert_str_eq(s, "[\"irq\",\"nmi\",\"bit20\"]");
	free(s);
	json_decref(a);
}

Test(irq_dump, pic_json_carries_registers_icws_and_counters)
{
	struct pic8259 pic;
	struct pic8259_snapshot ps;
	busy_pic(&pic);
	pic8259_snapshot(&pic, &ps);
	json_t *j = irq_dump_pic_json(&ps, pic8259_stats(&pic));
	json_t *m = json_object_get(j, "master");
	cr_assert_eq(json_integer_value(json_object_get(m, "irr")), 0x02);
	cr_assert_eq(json_integer_value(json_object_get(m, "imr")), 0xf9);
	cr_assert_eq(json_integer_value(json_object_get(m, "vector_base")), 0x20);
	cr_assert_eq(json_integer_value(json_object_get(m, "pending")), 1);
	cr_assert_eq(json_integer_value(json_object_get(m, "in_service")), -1);
	cr_assert(json_is_true(json_object_get(m, "int")));
	cr_assert(json_is_true(json_object_get(j, "output")), "the pair's INT pin is high");
	cr_assert_str_eq(json_string_value(json_object_get(m, "init")), "ready");
	json_t *irq1 = json_array_get(json_object_get(m, "counters"), 1);
	cr_assert_eq(json_integer_value(json_object_get(irq1, "latched")), 1);
	json_t *s = json_object_get(j, "slave");
	cr_assert_eq(json_integer_value(json_object_get(s, "vector_base")), 0x28);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(json_object_get(s, "counters"),
								       0), "irq")), 8);
	json_decref(j);
}

Test(irq_dump, ioapic_json_has_every_pin_decoded)
{
	json_t *d = sample_dump();
	json_t *io = json_object_get(d, "ioapic");
	cr_assert_eq(json_integer_value(json_object_get(io, "version")), IOAPIC_VERSION);
	cr_assert_eq(json_integer_value(json_object_get(io, "max_entry")), IOAPIC_NUM_PINS - 1);
	json_t *pins = json_object_get(io, "pins");
	cr_assert_eq(json_array_size(pins), IOAPIC_NUM_PINS);
	json_t *p4 = json_array_get(pins, 4);
	cr_assert_eq(json_integer_value(json_object_get(p4, "vector")), 0x34);
	cr_assert_str_eq(json_string_value(json_object_get(p4, "trigger")), "level");
	cr_assert_str_eq(json_string_value(json_object_get(p4, "polarity")), "low");
	cr_assert_str_eq(json_string_value(json_object_get(p4, "delivery_mode")), "fixed");
	cr_assert(json_is_true(json_object_get(p4, "remote_irr")), "delivered at once");
	cr_assert(json_is_false(json_object_get(p4, "line")));
	cr_assert(json_is_true(json_object_get(p4, "asserted")));
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(p4, "counters"),
							"delivered")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(p4, "rte")), "0x000000000000e034");
	json_decref(d);
}

Test(irq_dump, lapic_registers_decode)
{
	json_t *v = sample_vcpu();
	json_t *a = json_object_get(v, "lapic");
	char *irr = json_dumps(json_object_get(a, "irr"), JSON_COMPACT);
	cr_assert_str_eq(irr, "[48,239]");
	free(irr);
	cr_assert_eq(json_integer_value(json_array_get(json_object_get(a, "isr"), 0)), 0x41);
	cr_assert_eq(json_integer_value(json_object_get(a, "id")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(a, "mode")), "xapic");
	cr_assert(json_is_true(json_object_get(a, "software_enabled")));
	cr_assert_eq(json_integer_value(json_object_get(a, "spurious_vector")), 0xff);
	cr_assert_eq(json_integer_value(json_object_get(a, "tpr")), 0x20);
	cr_assert_eq(json_integer_value(json_object_get(a, "ppr")), 0x40);
	json_t *lvt = json_object_get(a, "lvt");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(lvt, "lint0"),
							   "delivery_mode")), "extint");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(lvt, "lint1"),
							   "delivery_mode")), "nmi");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(lvt, "timer"), "mode")),
			 "periodic");
	cr_assert(json_is_true(json_object_get(json_object_get(lvt, "error"), "masked")));
	json_t *t = json_object_get(a, "timer");
	cr_assert_eq(json_integer_value(json_object_get(t, "current")), 4242);
	cr_assert_eq(json_integer_value(json_object_get(t, "divisor")), 1);
	json_decref(v);
}

Test(irq_dump, timer_divisor_follows_the_sdm_encoding)
{
	cr_assert_eq(x86_lapic_timer_divisor(0x0), 2);
	cr_assert_eq(x86_lapic_timer_divisor(0x3), 16);
	cr_assert_eq(x86_lapic_timer_divisor(0x8), 32);
	cr_assert_eq(x86_lapic_timer_divisor(0xa), 128);
	cr_assert_eq(x86_lapic_timer_divisor(0xb), 1);
}

Test(irq_dump, text_names_every_pin_and_each_vcpu)
{
	json_t *d = sample_dump();
	char *t = render(d);
	cr_assert(strstr(t, "=== irqvm interrupt state (timeout): x86_64, irqchip split, 2 vCPU(s) ==="), "%s", t);
	cr_assert(strstr(t, "PIC master IRR=02 ISR=00 IMR=f9 ELCR=00"), "%s", t);
	cr_assert(strstr(t, "base 0x20"), "%s", t);
	cr_assert(strstr(t, "PIC slave  IRR=00"), "%s", t);
	cr_assert(strstr(t, "presents IR1 (IRQ1)"), "%s", t);
	cr_assert(strstr(t, "IOAPIC id 0, version 0x20, 24 pins"), "%s", t);
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		char row[16];
		snprintf(row, sizeof(row), "\n  %3u   0x", pin);
		cr_assert(strstr(t, row), "pin %u missing:\n%s", pin, t);
	}
	cr_assert(strstr(t, "    4   0x34 fixed     phys 0x00  level   low  -    R"), "%s", t);
	cr_assert(strstr(t, "lines (2): high: 4\n"), "%s", t);
	cr_assert(strstr(t, "vCPU 0: started, mp_state halted, RIP 0x0000000000101234"), "%s", t);
	cr_assert(strstr(t, "(IF=1)"), "%s", t);
	cr_assert(strstr(t, "IRR: 0x30 0xef; ISR: 0x41; TMR: 0x41"), "%s", t);
	cr_assert(strstr(t, "TPR=20 PPR=40"), "%s", t);
	cr_assert(strstr(t, "LVT LINT0   0x00000700 extint"), "%s", t);
	cr_assert(strstr(t, "current count 4242"), "%s", t);
	cr_assert(strstr(t, "irqvm pending: extint yes, nmis_queued 0, requests none"), "%s", t);
	cr_assert(strstr(t, "vCPU 1: did not answer within 1000 ms\n"), "%s", t);
	cr_assert(strstr(t, "=== end of interrupt state ===\n"), "%s", t);
	free(t);
	json_decref(d);
}

Test(irq_dump, text_names_the_host_and_a_vcpu_at_an_unmapped_rip)
{
	json_t *d = sample_dump();
	char *t = render(d);
	cr_assert_null(strstr(t, "host: "), "no host key, no host line:\n%s", t);
	cr_assert_null(strstr(t, "not mapped"), "a mapped RIP is not flagged:\n%s", t);
	free(t);
	json_object_set_new(d, "host", json_string("nested KVM under QEMU TCG"));
	json_object_set_new(json_array_get(json_object_get(d, "vcpu"), 0), "rip_unmapped",
			    json_string("not present"));
	t = render(d);
	cr_assert(strstr(t, "2 vCPU(s) ===\nhost: nested KVM under QEMU TCG\n"), "%s", t);
	cr_assert(strstr(t, "(IF=1), RIP not mapped for execution by the guest's page tables (not present)\n"),
		  "%s", t);
	free(t);
	json_decref(d);
}

Test(irq_dump, text_is_the_same_after_a_trip_through_the_socket)
{
	json_t *d = sample_dump();
	char *wire = json_dumps(d, JSON_COMPACT);
	json_t *back = json_loads(wire, 0, NULL);
	char *local = render(d), *remote = render(back);
	cr_assert_str_eq(local, remote);
	free(local);
	free(remote);
	free(wire);
	json_decref(back);
	json_decref(d);
}

Test(irq_dump, hostile_json_prints_question_marks_and_never_crashes)
{
	static const char *const inputs[] = {
		"null", "[]", "{}", "{\"pic\":5,\"ioapic\":[],\"vcpu\":{}}",
		"{\"pic\":{\"master\":[],\"slave\":{\"irr\":-7,\"counters\":[1,null,{}]}}}",
		"{\"ioapic\":{\"pins\":[1,\"x\",null,{},{\"dest_mode\":7,\"counters\":{}}]}}",
		"{\"vcpu\":[3,null,{\"answered\":true,\"lapic\":{\"irr\":\"zz\",\"lvt\":[],\"icr\":1}}]}",
		"{\"vcpu\":[{\"answered\":true,\"pending\":{\"requests\":[1,{},\"nmi\"]},\"events\":[]}]}",
		"{\"lines\":[{\"line\":\"x\",\"level\":true},7],\"irqchip_counters\":{\"a\":[[]]}}",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		json_t *j = json_loads(inputs[i], JSON_DECODE_ANY, NULL);
		cr_assert_not_null(j, "%s", inputs[i]);
		char *t = render(j);
		cr_assert_not_null(t);
		free(t);
		json_decref(j);
	}
	json_t *j = json_loads("{\"pic\":{\"master\":{\"irr\":300}}}", 0, NULL);
	char *t = render(j);
	cr_assert(strstr(t, "IRR=??"), "%s", t);
	free(t);
	json_decref(j);
}
