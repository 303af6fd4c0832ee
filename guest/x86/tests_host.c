/* SPDX-License-Identifier: MIT */
/*
 * The host's interrupt delivery as the guest sees it, checked last (after
 * every other group has made its interrupts): a maskable interrupt arrives
 * only while interrupts are enabled, and once. traps.c drops a second
 * delivery with IF clear and counts it; these checks report the count, and
 * show that an `int n` run with IF clear is still served.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "host.h"
#include "irq.h"
#include "kprintf.h"
#include "percpu.h"
#include "tap.h"
#include "test.h"
#include "trap.h"
#include "x86.h"

/* Free in every test group: only this file registers it. */
#define INT_N_VECTOR 0xee

static volatile unsigned long int_n_calls;

static void int_n_handler(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	int_n_calls++;
}

/* The rule that picks a second delivery, on made-up frames (no frame is
 * dispatched, so nothing is counted): every host runs it. */
static bool second_delivery(uint64_t vector, uint64_t rflags)
{
	const struct trap_frame f = {
		.vector = vector,
		/* A RIP no `int` instruction ends at: the handler's own entry. */
		.rip = (uint64_t)(uintptr_t)int_n_handler,
		.cs = X86_KERNEL_CS,
		.rflags = rflags,
		.ss = X86_KERNEL_DS,
	};

	return trap_is_second_delivery(&f);
}

TEST_CASE(host, redelivery_rule, 997)
{
	const char *what = "host: a frame of vector 0xee with IF clear is a second delivery; with "
			   "IF set, an exception (14) or the system call gate (0x80) it is not";
	bool ok = tap_expect(second_delivery(INT_N_VECTOR, X86_RFLAGS_FIXED),
			     "IF clear: not taken for a second delivery");

	ok &= tap_expect(!second_delivery(INT_N_VECTOR, X86_RFLAGS_FIXED | X86_RFLAGS_IF),
			 "IF set: taken for a second delivery");
	ok &= tap_expect(!second_delivery(X86_EXC_PF, X86_RFLAGS_FIXED),
			 "a page fault with IF clear: taken for a second delivery");
	ok &= tap_expect(!second_delivery(X86_SYSCALL_VECTOR, X86_RFLAGS_FIXED),
			 "the system call gate with IF clear: taken for a second delivery");
	tap_ok(ok, "%s", what);
}

TEST_CASE(host, int_n_with_if_clear, 998)
{
	const char *what = "host: int $0xee with interrupts disabled is served (not taken for "
			   "an interrupt delivered twice)";
	unsigned long dropped = this_cpu()->irq_redelivered, flags;
	bool ok;

	if (!irq_register(INT_N_VECTOR, int_n_handler, NULL)) {
		tap_skip("vector 0xee taken", "%s", what);
		return;
	}
	int_n_calls = 0;
	flags = arch_irq_save();
	__asm__ __volatile__("int $0xee" ::: "memory");
	arch_irq_restore(flags);
	irq_unregister(INT_N_VECTOR);
	ok = tap_expect(int_n_calls == 1, "handler ran %lu times, want 1", int_n_calls);
	ok = ok && tap_expect(this_cpu()->irq_redelivered == dropped,
			      "the int was dropped as a second delivery");
	tap_ok(ok, "%s", what);
}

TEST_CASE(host, interrupts_delivered_once, 999)
{
	const char *what = "host: every maskable interrupt arrived while interrupts were enabled, "
			   "none a second time (SDM Vol. 3A 6.8.1)";
	unsigned long total = 0, last_rip = 0;
	unsigned int last_vector = 0, cpus = 0;
	char why[160];

	for (unsigned int cpu = 0; cpu < X86_MAX_CPUS; cpu++) {
		const struct percpu *pc = &percpu[cpu];
		unsigned long n = READ_ONCE(pc->irq_redelivered);

		if (!n)
			continue;
		total += n;
		cpus++;
		last_rip = pc->irq_redelivered_rip;
		last_vector = pc->irq_redelivered_vector;
	}
	if (!total) {
		tap_ok(true, "%s", what);
		return;
	}
	tap_diag("  %lu interrupt(s) delivered again with IF clear on %u CPU(s), dropped; the "
		 "last: vector %#x at RIP %#lx", total, cpus, last_vector, last_rip);
	if (host_platform_is(IRQVM_PLATFORM_NESTED_TCG)) {
		ksnprintf(why, sizeof(why),
			  "QEMU's SVM emulation delivers an injected interrupt again (second deliveries: %lu)",
			  total);
		host_todo(why, what);
		return;
	}
	tap_ok(false, "%s", what);
}
