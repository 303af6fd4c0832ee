/* SPDX-License-Identifier: MIT */
/*
 * The supervisor timer: one deadline per hart against the time CSR,
 * programmed either with SBI TIME set_timer (an ecall the hypervisor
 * serves) or, where the Sstc extension is usable, by writing stimecmp
 * directly. Either way the timer interrupt (scause 5) is pending while
 * time >= deadline; programming a later deadline clears it.
 */
#ifndef RV_TIMER_H
#define RV_TIMER_H

#include <stdbool.h>
#include <stdint.h>

enum rv_timer_mode {
	RV_TIMER_SBI,  /* SBI TIME set_timer */
	RV_TIMER_SSTC, /* stimecmp */
};

/* Probe Sstc, install the handler, cancel any deadline (boot hart). */
void rv_timer_init(void);

enum rv_timer_mode rv_timer_mode(void);
const char *rv_timer_mode_name(enum rv_timer_mode m);
/* Choose how deadlines are programmed from now on; false if the mode is
 * not available (Sstc missing or not writable). A running tick moves over
 * at its next deadline. */
bool rv_timer_set_mode(enum rv_timer_mode m);

/* This hart's deadline, in time-CSR ticks; UINT64_MAX = none. */
void rv_timer_program(uint64_t deadline);
void rv_timer_program_mode(enum rv_timer_mode m, uint64_t deadline);
void rv_timer_cancel(void);

/* stimecmp as read back (Sstc), for the tests. */
uint64_t rv_stimecmp_read(void);

#endif /* RV_TIMER_H */
