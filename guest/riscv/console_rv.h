/* SPDX-License-Identifier: MIT */
/*
 * The SBI console: lines are buffered per hart and written with one DBCN
 * console_write call each (one exit to the VMM per line instead of one per
 * byte); without DBCN, the legacy console_putchar call per byte.
 */
#ifndef RV_CONSOLE_RV_H
#define RV_CONSOLE_RV_H

/* Probe DBCN and the legacy call (boot hart, before any output). */
void rv_console_init(void);

/* Write out this hart's buffered partial line. */
void rv_console_flush(void);

const char *rv_console_name(void);

#endif /* RV_CONSOLE_RV_H */
