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

bool serve_requested(void)
{
	return cmdline_flag("serve");
}

void serve_main(void)
{
	unsigned int first = 0, last = 0, taken = 0;
	const char *how;

	arch_serve_vectors(&first, &last);
	for (unsigned int v = first; v <= last && v < IRQ_MAX_VECTORS; v++)
		if (!irq_register(v, serve_handler, NULL))
			taken++; /* the kernel's own handler stays; it is counted too */
	if (!tick_get())
		tap_note("serve: no tick source; ring-3 tasks will not be preempted");
	how = arch_serve_setup();
	gstats_set_flags(IRQVM_GSTATS_F_SAMPLES | IRQVM_GSTATS_F_RING3 | IRQVM_GSTATS_F_SERVE);
	tap_note("serve: counting vectors %#x-%#x (%u keep the kernel's handler); %s; statistics "
		 "page %s; idling until the VMM stops the guest",
		 first, last, taken, how, gstats_active() ? "registered" : "NOT registered");
	for (;;) {
		sleep_ticks(TICK_HZ);
		gstats_sync_clock();
	}
}
