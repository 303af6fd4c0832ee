/* SPDX-License-Identifier: MIT */
/*
 * x86 side of threads and the tick: which timer drives the tick, and
 * the serve-mode mirror of the ring-3 busy counters (uthread.h).
 */
#ifndef X86_SCHED_X86_H
#define X86_SCHED_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "uthread.h" /* ring-3 tasks as threads */

enum x86_tick_source {
	X86_TICK_NONE,
	X86_TICK_LAPIC, /* LAPIC timer, periodic, on every online CPU */
	X86_TICK_PIT,   /* PIT channel 0 through the 8259 PIC, boot CPU only */
};

/* Choose the source for the next start; if the tick runs, switch now.
 * Returns false if that source is not available here. */
bool x86_tick_set_source(enum x86_tick_source s);
enum x86_tick_source x86_tick_source(void);
const char *x86_tick_source_name(enum x86_tick_source s);

/* Mirror the busy counters into the statistics page at every tick. */
void x86_ring3_mirror(bool on);

#endif /* X86_SCHED_X86_H */
