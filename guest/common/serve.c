/* SPDX-License-Identifier: MIT */
/*
 * Serve mode: the guest as a target for the VMM's control socket. Every
 * vector in the port's range gets a counting handler (the interrupt path
 * already counts each one in the statistics page), the port routes its
 * interrupt lines and starts ring-3 tasks whose progress the page shows,
 * and the boot thread refreshes the clock pair once a second. The guest
 * runs until the VMM stops it.
 */
#include "arch.h"
#include "cmdline.h"
#include "gstats.h"
#include "irq.h"
#include "ktimer.h"
#include "services.h"
#include "tap.h"
#include "wait.h"

static void serve_handler(unsigned int vector, void *ctx)
{
	(void)ctx;
	arch_serve_eoi(vector);
}

/* Ports without a cheaper entry path keep the general one. */
__attribute__((weak)) void arch_serve_fast_path(unsigned int vector)
{
	(void)vector;
}

bool serve_requested(void)
{
	return cmdline_flag("serve");
}

void serve_main(void)
{
	unsigned int first = 0, last = 0, taken = 0;
	const char *how;

	/* The boot thread ran the tests with interrupts off; from here on it
	 * is an ordinary thread that sleeps. */
	arch_irq_enable();
	/* The tick first: its vector must keep the tick's handler. */
	if (!tick_get())
		tap_note("serve: no tick source; ring-3 tasks will not be preempted");
	arch_serve_vectors(&first, &last);
	for (unsigned int v = first; v <= last && v < IRQ_MAX_VECTORS; v++) {
		if (irq_register(v, serve_handler, NULL))
			arch_serve_fast_path(v);
		else
			taken++; /* the kernel's own handler stays; it is counted too */
	}
	how = arch_serve_setup();
	gstats_set_flags(IRQVM_GSTATS_F_SAMPLES | IRQVM_GSTATS_F_RING3 | IRQVM_GSTATS_F_SERVE);
	tap_note("serve: counting vectors %#x-%#x (%u keep the kernel's handler); %s; statistics "
		 "page %s; idling until the VMM stops the guest",
		 first, last, taken, how, gstats_active() ? "registered" : "NOT registered");
	for (;;) {
		if (sleep_ticks(TICK_HZ) != WAIT_OK)
			arch_wait_for_interrupt(); /* no tick: at least do not spin */
		gstats_sync_clock();
	}
}
