/* SPDX-License-Identifier: MIT */
/* The test host's hang report: see hang_report.c. */
#ifndef IRQVM_TEST_HOST_HANG_REPORT_H
#define IRQVM_TEST_HOST_HANG_REPORT_H

/* Prints, on stderr (the console), what every process in the host is
 * doing; ran_seconds is how long the command has run. Kills nothing. */
void hang_report(double ran_seconds);

/* SIGKILL to every process but /init itself and keep (the heartbeat, so
 * the runner can still tell a live host from a hung one). Kernel threads
 * ignore it. */
void kill_all_but(int keep);

#endif
