/* SPDX-License-Identifier: MIT */
/*
 * What irqvm says when it crashes: the signal, the faulting address, the
 * thread, and a backtrace on stderr, then the usual death by that signal
 * (so the exit status is unchanged: 128 + signal in a shell). Without it a
 * crash inside a test host left only "exit 139" and an empty stderr.
 */
#ifndef IRQVM_VMM_CORE_CRASH_H
#define IRQVM_VMM_CORE_CRASH_H

/* Install the report for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT.
 * Call once, early in main(), before any thread starts. */
void crash_report_install(void);

#endif /* IRQVM_VMM_CORE_CRASH_H */
