/* SPDX-License-Identifier: MIT */
/*
 * Local APIC register access (Intel SDM vol. 3, chapter 11): xAPIC
 * registers are 32-bit MMIO at IA32_APIC_BASE, x2APIC registers are MSRs
 * 0x800 + offset / 16. The ICR is one 64-bit MSR in x2APIC mode (dest in
 * bits 63:32) but two MMIO registers in xAPIC mode (dest in ICR_HI 31:24,
 * and the write to ICR_LO sends).
 */
#include "arch.h"
#include "irq.h"
#include "lapic.h"
#include "x86.h"

#define LAPIC_ID 0x20
#define LAPIC_VERSION 0x30
#define LAPIC_TPR 0x80
#define LAPIC_PPR 0xa0
#define LAPIC_EOI 0xb0
#define LAPIC_LDR 0xd0
#define LAPIC_DFR 0xe0
#define LAPIC_SVR 0xf0
#define LAPIC_ISR 0x100
#define LAPIC_TMR 0x180
#define LAPIC_IRR 0x200
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT0 0x350
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define DFR_FLAT 0xffffffffu
#define SVR_ENABLE (1u << 8)
#define SVR_SUPPRESS_EOI_BROADCAST (1u << 12)
#define VERSION_DIRECTED_EOI (1u << 24)

#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_SHORTHAND_SHIFT 18

#define LVT_MASKED (1u << 16)
#define LVT_DM_EXTINT (7u << 8)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define TIMER_DIV_16 0x3u

#define MSR_TSC_DEADLINE 0x6e0u
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID1_EDX_APIC (1u << 9)

#define X2APIC_MSR(reg) (0x800u + ((reg) >> 4))
#define ICR_WAIT_LOOPS 1000u

/* IA32_APIC_BASE as first read; 0 = not read yet. Every CPU of this kernel
 * uses the same base and mode, and nothing switches modes after boot. */
static uint64_t apic_base_msr;

static uint64_t apic_base(void)
{
	uint64_t v = READ_ONCE(apic_base_msr);

	if (!v) {
		v = rdmsr(MSR_APIC_BASE);
		WRITE_ONCE(apic_base_msr, v);
	}
	return v;
}

bool lapic_x2apic_mode(void)
{
	return apic_base() & APIC_BASE_EXTD;
}

static volatile uint32_t *mmio(uint32_t reg)
{
	return (volatile uint32_t *)((apic_base() & ~0xfffull) + reg);
}

static uint32_t lapic_read(uint32_t reg)
{
	return lapic_x2apic_mode() ? (uint32_t)rdmsr(X2APIC_MSR(reg)) : *mmio(reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (lapic_x2apic_mode())
		wrmsr(X2APIC_MSR(reg), v);
	else
		*mmio(reg) = v;
}

bool lapic_present(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return (d & CPUID1_EDX_APIC) && (apic_base() & APIC_BASE_EN);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(LAPIC_ID);

	return lapic_x2apic_mode() ? id : id >> 24;
}

void lapic_enable(void)
{
	uint32_t svr = lapic_read(LAPIC_SVR) & SVR_SUPPRESS_EOI_BROADCAST;
	uint32_t id;

	if (!lapic_x2apic_mode()) {
		/* SDM 11.6.2.2: flat model, one bit per CPU (8 at most). */
		id = lapic_id();
		lapic_write(LAPIC_DFR, DFR_FLAT);
		lapic_write(LAPIC_LDR, id < 8 ? (1u << id) << 24 : 0);
	}
	lapic_write(LAPIC_SVR, svr | SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
}

uint32_t lapic_logical_id(void)
{
	uint32_t ldr = lapic_read(LAPIC_LDR);

	return lapic_x2apic_mode() ? ldr : ldr >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_version(void)
{
	return lapic_read(LAPIC_VERSION);
}

bool lapic_directed_eoi_supported(void)
{
	return lapic_version() & VERSION_DIRECTED_EOI;
}

void lapic_set_suppress_eoi_broadcast(bool on)
{
	uint32_t svr = lapic_read(LAPIC_SVR);

	svr = on ? svr | SVR_SUPPRESS_EOI_BROADCAST : svr & ~SVR_SUPPRESS_EOI_BROADCAST;
	lapic_write(LAPIC_SVR, svr);
}

bool lapic_suppress_eoi_broadcast(void)
{
	return lapic_read(LAPIC_SVR) & SVR_SUPPRESS_EOI_BROADCAST;
}

/* ISR, TMR and IRR are eight 32-bit registers 16 bytes apart (SDM 11.8.4). */
static bool vector_bit(uint32_t base, unsigned int vector)
{
	if (vector > 255)
		return false;
	return (lapic_read(base + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

bool lapic_isr_bit(unsigned int vector)
{
	return vector_bit(LAPIC_ISR, vector);
}

bool lapic_irr_bit(unsigned int vector)
{
	return vector_bit(LAPIC_IRR, vector);
}

bool lapic_tmr_bit(unsigned int vector)
{
	return vector_bit(LAPIC_TMR, vector);
}

uint32_t lapic_ppr(void)
{
	return lapic_read(LAPIC_PPR);
}

uint32_t lapic_tpr(void)
{
	return lapic_read(LAPIC_TPR);
}

void lapic_set_tpr(uint32_t tpr)
{
	lapic_write(LAPIC_TPR, tpr & 0xff);
}

/* One ICR write. INIT is sent as "assert" (the de-assert form only
 * matters to pre-Pentium-4 processors, SDM 11.6.1). */
static void send_icr(uint32_t dest, uint32_t low)
{
	unsigned long flags;

	low |= ICR_LEVEL_ASSERT;
	if (lapic_x2apic_mode()) {
		wrmsr(X2APIC_MSR(LAPIC_ICR_LO), ((uint64_t)dest << 32) | low);
		return;
	}
	/* ICR_HI then ICR_LO must not be split by a handler that sends its
	 * own IPI; and a previous IPI must have left the ICR first. */
	flags = arch_irq_save();
	for (unsigned int i = 0; i < ICR_WAIT_LOOPS && (*mmio(LAPIC_ICR_LO) & ICR_DELIVERY_PENDING);
	     i++)
		arch_cpu_relax();
	*mmio(LAPIC_ICR_HI) = dest << 24;
	*mmio(LAPIC_ICR_LO) = low;
	arch_irq_restore(flags);
}

void lapic_send_ipi(uint32_t dest_apic_id, uint8_t vector, unsigned int delivery_mode)
{
	send_icr(dest_apic_id, vector | (delivery_mode & 7) << 8);
}

void lapic_send_ipi_shorthand(unsigned int shorthand, uint8_t vector, unsigned int delivery_mode)
{
	send_icr(0, vector | (delivery_mode & 7) << 8 | (shorthand & 3) << ICR_SHORTHAND_SHIFT);
}

void lapic_send_nmi_self(void)
{
	/* Physical destination = own ID rather than the "self" shorthand,
	 * which the SDM does not allow with NMI delivery mode. */
	lapic_send_ipi(lapic_id(), 0, LAPIC_DM_NMI);
}

static void timer_start(uint32_t lvt, uint32_t initial_count)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, lvt);
	lapic_write(LAPIC_TIMER_INIT, initial_count);
}

void lapic_timer_oneshot(uint8_t vector, uint32_t initial_count)
{
	timer_start(vector, initial_count);
}

void lapic_timer_periodic(uint8_t vector, uint32_t initial_count)
{
	timer_start(vector | LVT_TIMER_PERIODIC, initial_count);
}

void lapic_timer_stop(void)
{
	uint32_t lvt = lapic_read(LAPIC_LVT_TIMER);

	lapic_write(LAPIC_LVT_TIMER, (lvt & 0xff) | LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if ((lvt & (3u << 17)) == LVT_TIMER_TSC_DEADLINE)
		wrmsr(MSR_TSC_DEADLINE, 0);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

bool lapic_tsc_deadline_supported(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return c & CPUID1_ECX_TSC_DEADLINE;
}

void lapic_tsc_deadline_arm(uint8_t vector, uint64_t tsc)
{
	uint32_t a, b, c, d;

	lapic_write(LAPIC_LVT_TIMER, vector | LVT_TIMER_TSC_DEADLINE);
	/* SDM 11.5.4.1: the mode switch must be visible before the deadline
	 * write. The SDM suggests MFENCE, which KVM's instruction emulator
	 * cannot run in ring 0 on nested hosts; CPUID serializes everywhere. */
	cpuid(0, 0, &a, &b, &c, &d);
	wrmsr(MSR_TSC_DEADLINE, tsc);
}

void lapic_set_lint0_extint(bool on)
{
	lapic_write(LAPIC_LVT0, LVT_DM_EXTINT | (on ? 0 : LVT_MASKED));
}

uint32_t lapic_lvt0(void)
{
	return lapic_read(LAPIC_LVT0);
}

/* ---- timer calibration and idling ---- */

#define CALIBRATE_US 2000u
#define CALIBRATE_ROUNDS 3u
#define WAKE_SLICE_US 500u

static uint64_t timer_hz;

/* One current-count read, bracketed by TSC reads: the count was sampled
 * somewhere between tsc_lo and tsc_hi (inside the MMIO or MSR exit). */
struct count_sample {
	uint64_t tsc_lo, tsc_hi;
	uint32_t count;
};

static void sample_count(struct count_sample *s)
{
	s->tsc_lo = rdtsc();
	s->count = lapic_read(LAPIC_TIMER_CUR);
	s->tsc_hi = rdtsc();
}

uint64_t lapic_timer_hz(void)
{
	uint64_t khz = arch_cycles_khz(), best_width = UINT64_MAX;
	struct count_sample a, b;
	uint32_t lvt;
	unsigned long flags;

	if (timer_hz || !khz)
		return timer_hz;
	/*
	 * Count down with the LVT masked (no interrupt) over ~2 ms of TSC
	 * time, wide enough for the ~1 us per instruction of emulated ring 0.
	 * Each end is one counter read between two TSC reads. A vCPU that is
	 * descheduled inside a read (a busy nested host stalls it for
	 * milliseconds) widens that bracket; an unbracketed "read the count,
	 * then the TSC" would put such a stall into the TSC span only and
	 * under-measure the clock several times over. So: several rounds,
	 * the one with the narrowest brackets wins, and the span is taken
	 * between the brackets' midpoints. Nothing checks a time against
	 * this rate (docs/guest.md, "Timer checks"): it only sizes counts.
	 */
	flags = arch_irq_save();
	lvt = lapic_read(LAPIC_LVT_TIMER);
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | (lvt & 0xff));
	for (unsigned int round = 0; round < CALIBRATE_ROUNDS; round++) {
		uint64_t width, span;

		lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
		sample_count(&a);
		while (rdtsc() - a.tsc_hi < khz * CALIBRATE_US / 1000)
			arch_cpu_relax();
		sample_count(&b);
		width = (a.tsc_hi - a.tsc_lo) + (b.tsc_hi - b.tsc_lo);
		span = (b.tsc_lo + b.tsc_hi) / 2 - (a.tsc_lo + a.tsc_hi) / 2;
		if (a.count > b.count && span && width < best_width) {
			best_width = width;
			timer_hz = (uint64_t)(a.count - b.count) * khz * 1000 / span;
		}
	}
	lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_write(LAPIC_LVT_TIMER, lvt);
	arch_irq_restore(flags);
	return timer_hz;
}

static void wake_handler(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	lapic_eoi();
}

/* The watchdog may use the timer only when nobody else does. */
static bool timer_is_free(void)
{
	uint32_t lvt = lapic_read(LAPIC_LVT_TIMER);

	return (lvt & LVT_MASKED) || (lvt & 0xff) == LAPIC_WAKE_VECTOR;
}

static bool arm_wake(uint32_t us)
{
	uint64_t hz = lapic_timer_hz();
	uint64_t count = hz * us / 1000000;

	if (!count)
		return false;
	if (count > 0xffffffffu)
		count = 0xffffffffu;
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_WAKE_VECTOR);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
	return true;
}

static bool never(void *ctx)
{
	(void)ctx;
	return false;
}

bool lapic_idle_until(bool (*done)(void *ctx), void *ctx, uint32_t timeout_us)
{
	static int wake_registered;
	uint64_t khz = arch_cycles_khz() ? arch_cycles_khz() : 1000000;
	uint64_t start = rdtsc(), limit = khz * timeout_us / 1000;
	unsigned long flags = arch_irq_save();
	bool use_timer, ok;

	/* First caller installs the watchdog's handler (it only EOIs). */
	if (!__atomic_exchange_n(&wake_registered, 1, __ATOMIC_ACQ_REL))
		irq_register(LAPIC_WAKE_VECTOR, wake_handler, NULL);
	/* A software-disabled LAPIC keeps every LVT masked: no watchdog. */
	use_timer = lapic_present() && (lapic_read(LAPIC_SVR) & SVR_ENABLE) && timer_is_free() &&
		    lapic_timer_hz();
	for (;;) {
		uint64_t elapsed;

		if (done(ctx)) {
			ok = true;
			break;
		}
		elapsed = rdtsc() - start;
		if (elapsed >= limit) {
			ok = false;
			break;
		}
		if (use_timer) {
			uint64_t left_us = (limit - elapsed) * 1000 / khz + 1;

			if (arm_wake(left_us < WAKE_SLICE_US ? (uint32_t)left_us : WAKE_SLICE_US)) {
				/* "sti; hlt" is atomic (safe_halt.S): an interrupt
				 * already pending wakes the hlt. */
				x86_safe_halt();
				__asm__ __volatile__("cli" ::: "memory");
				continue;
			}
		}
		/* Spin with interrupts on: an emulated ring 0 looks for pending
		 * interrupts only now and then, so a one-instruction window
		 * ("sti; pause; cli") would almost never let one in. done()
		 * then runs with interrupts on. */
		__asm__ __volatile__("sti\n\tpause" ::: "memory");
	}
	__asm__ __volatile__("cli" ::: "memory");
	if (use_timer) {
		lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LAPIC_WAKE_VECTOR);
		lapic_write(LAPIC_TIMER_INIT, 0);
	}
	arch_irq_restore(flags);
	return ok;
}

void lapic_idle_us(uint32_t us)
{
	lapic_idle_until(never, NULL, us);
}

/* ---- does the ISR hold a vector until EOI? ---- */

static volatile int probe_isr = -1;

static void probe_handler(unsigned int vector, void *ctx)
{
	(void)ctx;
	probe_isr = lapic_isr_bit(vector);
	lapic_eoi();
}

static bool probe_done(void *ctx)
{
	(void)ctx;
	return probe_isr >= 0;
}

enum lapic_isr_behaviour lapic_isr_probe(void)
{
	static enum lapic_isr_behaviour cached = LAPIC_ISR_UNKNOWN;

	if (cached != LAPIC_ISR_UNKNOWN || !lapic_present())
		return cached;
	if (!irq_register(LAPIC_PROBE_VECTOR, probe_handler, NULL))
		return cached;
	lapic_enable();
	probe_isr = -1;
	lapic_send_ipi_shorthand(LAPIC_DEST_SELF, LAPIC_PROBE_VECTOR, LAPIC_DM_FIXED);
	/* A hang guard, not a latency bound: a busy nested host has been
	 * seen to take over 100 ms to deliver this self-IPI. */
	if (lapic_idle_until(probe_done, NULL, 1000000))
		cached = probe_isr ? LAPIC_ISR_HELD : LAPIC_ISR_CLEAR;
	irq_unregister(LAPIC_PROBE_VECTOR);
	return cached;
}
