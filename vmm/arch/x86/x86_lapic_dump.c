/* SPDX-License-Identifier: MIT */
/* Decoding a KVM_GET_LAPIC register page for the interrupt-state dump. */
#include "vmm/arch/x86/x86_lapic_dump.h"

#include <stdbool.h>
#include <string.h>

#include "vmm/core/irq_dump.h"

/* LVT fields (SDM vol. 3, figure 11-8). */
#define LVT_VECTOR 0xffu
#define LVT_DELIVERY_SHIFT 8
#define LVT_SEND_PENDING (1u << 12)
#define LVT_ACTIVE_LOW (1u << 13)
#define LVT_REMOTE_IRR (1u << 14)
#define LVT_LEVEL (1u << 15)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_MODE_SHIFT 17

#define SVR_APIC_ENABLED (1u << 8)
#define SVR_SUPPRESS_EOI_BROADCAST (1u << 12)

uint32_t x86_lapic_reg(const struct kvm_lapic_state *s, unsigned offset)
{
	uint32_t v;
	if (offset > sizeof(s->regs) - sizeof(v))
		return 0;
	memcpy(&v, &s->regs[offset], sizeof(v));
	return v;
}

void x86_lapic_vector_set(const struct kvm_lapic_state *s, unsigned offset, uint32_t words[8])
{
	for (unsigned i = 0; i < 8; i++)
		words[i] = x86_lapic_reg(s, offset + 0x10 * i);
}

unsigned x86_lapic_timer_divisor(uint32_t divide_config)
{
	/* Bits 0, 1 and 3 form a 3-bit value n; 7 means divide by 1, else by 2^(n+1). */
	unsigned n = (divide_config & 3) | ((divide_config & 8) >> 1);
	return n == 7 ? 1 : 2u << n;
}

static const char *delivery_mode_name(unsigned mode)
{
	static const char *const names[8] = {
		"fixed", "lowest", "smi", "reserved3", "nmi", "init", "reserved6", "extint",
	};
	return names[mode & 7];
}

/* One LVT entry; with_mode: the entry has a delivery mode field (not timer, error). */
static json_t *lvt_json(uint32_t v, bool with_mode, bool with_pin_fields)
{
	json_t *o = json_object();
	json_object_set_new(o, "raw", json_integer(v));
	json_object_set_new(o, "vector", json_integer(v & LVT_VECTOR));
	if (with_mode)
		json_object_set_new(o, "delivery_mode",
				    json_string(delivery_mode_name(v >> LVT_DELIVERY_SHIFT)));
	json_object_set_new(o, "masked", json_boolean(v & LVT_MASKED));
	json_object_set_new(o, "send_pending", json_boolean(v & LVT_SEND_PENDING));
	if (with_pin_fields) {
		json_object_set_new(o, "trigger", json_string(v & LVT_LEVEL ? "level" : "edge"));
		json_object_set_new(o, "polarity", json_string(v & LVT_ACTIVE_LOW ? "low" : "high"));
		json_object_set_new(o, "remote_irr", json_boolean(v & LVT_REMOTE_IRR));
	}
	return o;
}

static json_t *vector_set(const struct kvm_lapic_state *s, unsigned offset)
{
	uint32_t words[8];
	x86_lapic_vector_set(s, offset, words);
	return irq_dump_vector_set_json(words);
}

json_t *x86_lapic_json(const struct kvm_lapic_state *s, uint64_t apic_base)
{
	static const char *const timer_modes[4] = { "one-shot", "periodic", "tsc-deadline",
						    "reserved" };
	uint32_t svr = x86_lapic_reg(s, LAPIC_REG_SVR);
	uint32_t lvtt = x86_lapic_reg(s, LAPIC_REG_LVT_TIMER);
	uint32_t divide = x86_lapic_reg(s, LAPIC_REG_TIMER_DIVIDE);
	uint32_t icr_hi = x86_lapic_reg(s, LAPIC_REG_ICR_HI);
	uint32_t icr_lo = x86_lapic_reg(s, LAPIC_REG_ICR_LO);
	json_t *o = json_object();
	/* Without KVM_CAP_X2APIC_API (irqvm does not enable it) KVM reports the
	 * ID in xAPIC format, bits 31:24, in both modes. */
	json_object_set_new(o, "id", json_integer(x86_lapic_reg(s, LAPIC_REG_ID) >> 24));
	json_object_set_new(o, "version", json_integer(x86_lapic_reg(s, LAPIC_REG_VERSION)));
	json_object_set_new(o, "apic_base", irq_dump_hex64(apic_base));
	json_object_set_new(o, "enabled", json_boolean(apic_base & LAPIC_BASE_MSR_ENABLE));
	json_object_set_new(o, "mode", json_string(!(apic_base & LAPIC_BASE_MSR_ENABLE) ? "disabled" :
						   apic_base & LAPIC_BASE_MSR_X2APIC ? "x2apic" : "xapic"));
	json_object_set_new(o, "tpr", json_integer(x86_lapic_reg(s, LAPIC_REG_TPR)));
	json_object_set_new(o, "apr", json_integer(x86_lapic_reg(s, LAPIC_REG_APR)));
	json_object_set_new(o, "ppr", json_integer(x86_lapic_reg(s, LAPIC_REG_PPR)));
	json_object_set_new(o, "ldr", json_integer(x86_lapic_reg(s, LAPIC_REG_LDR)));
	json_object_set_new(o, "dfr", json_integer(x86_lapic_reg(s, LAPIC_REG_DFR)));
	json_object_set_new(o, "svr", json_integer(svr));
	json_object_set_new(o, "software_enabled", json_boolean(svr & SVR_APIC_ENABLED));
	json_object_set_new(o, "spurious_vector", json_integer(svr & 0xff));
	json_object_set_new(o, "suppress_eoi_broadcast",
			    json_boolean(svr & SVR_SUPPRESS_EOI_BROADCAST));
	json_object_set_new(o, "esr", json_integer(x86_lapic_reg(s, LAPIC_REG_ESR)));
	json_object_set_new(o, "irr", vector_set(s, LAPIC_REG_IRR));
	json_object_set_new(o, "isr", vector_set(s, LAPIC_REG_ISR));
	json_object_set_new(o, "tmr", vector_set(s, LAPIC_REG_TMR));
	json_object_set_new(o, "icr", json_pack("{s:i,s:i,s:i,s:s,s:b}", "low", icr_lo, "high",
		icr_hi, "vector", icr_lo & 0xff, "delivery_mode",
		delivery_mode_name(icr_lo >> 8), "send_pending", (icr_lo & LVT_SEND_PENDING) != 0));
	json_t *lvt = json_object();
	json_t *timer = lvt_json(lvtt, false, false);
	json_object_set_new(timer, "mode", json_string(timer_modes[(lvtt >> LVT_TIMER_MODE_SHIFT) & 3]));
	json_object_set_new(lvt, "timer", timer);
	json_object_set_new(lvt, "lint0", lvt_json(x86_lapic_reg(s, LAPIC_REG_LVT_LINT0), true, true));
	json_object_set_new(lvt, "lint1", lvt_json(x86_lapic_reg(s, LAPIC_REG_LVT_LINT1), true, true));
	json_object_set_new(lvt, "error", lvt_json(x86_lapic_reg(s, LAPIC_REG_LVT_ERROR), false, false));
	json_object_set_new(lvt, "thermal", lvt_json(x86_lapic_reg(s, LAPIC_REG_LVT_THERMAL), true, false));
	json_object_set_new(lvt, "perf", lvt_json(x86_lapic_reg(s, LAPIC_REG_LVT_PERF), true, false));
	json_object_set_new(lvt, "cmci", lvt_json(x86_lapic_reg(s, LAPIC_REG_LVT_CMCI), true, false));
	json_object_set_new(o, "lvt", lvt);
	json_object_set_new(o, "timer", json_pack("{s:I,s:I,s:i,s:i}",
		"initial", (json_int_t)x86_lapic_reg(s, LAPIC_REG_TIMER_INITIAL),
		"current", (json_int_t)x86_lapic_reg(s, LAPIC_REG_TIMER_CURRENT),
		"divide_config", divide, "divisor", x86_lapic_timer_divisor(divide)));
	return o;
}
