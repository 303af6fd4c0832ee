/* SPDX-License-Identifier: MIT */
/*
 * The ipi group's checks, shared by the ports (common/tests_ipi.c). Each
 * port declares the TEST_CASEs, so the names and the wording of its TAP
 * lines stay its own ("a fixed IPI", "an SBI IPI"), and passes the
 * description; the checks themselves are the same everywhere.
 */
#ifndef GUEST_TESTS_IPI_H
#define GUEST_TESTS_IPI_H

#include <stdbool.h>

#include "ktest.h"
#include "smp_call.h"

#define IPI_TIMEOUT_US SMP_CALL_TIMEOUT_US /* only reached on failure */

/* Interrupts on for an ipi check; skips `what` if this CPU cannot send
 * IPIs or, with two_cpus, if only one CPU is online. */
bool ipi_test_begin(struct ktest_env *env, const char *what, bool two_cpus);

/* A test IPI to each other CPU arrives there, on IPI_TEST_VECTOR. */
void ipi_check_to_each_cpu(const char *what);
/* One send to all others reaches each once and not the sender. */
void ipi_check_all_but_self(const char *what);
/* A test IPI to the sender itself arrives there. */
void ipi_check_self(const char *what);
/* smp_call_function_single on each CPU runs there, in interrupt context
 * (except on this CPU), and has finished when it returns. */
void ipi_check_call_function_single(const char *what);
/* smp_call_function_others: each other CPU runs it once. */
void ipi_check_call_function_others(const char *what);
/* A page made read-only faults on every CPU after the shootdown. */
void ipi_check_tlb_shootdown(const char *what);
/* Every IPI sent was received, per kind, over the whole run. */
void ipi_check_counters(const char *what);

#endif /* GUEST_TESTS_IPI_H */
