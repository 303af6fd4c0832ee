/* SPDX-License-Identifier: MIT */
/*
 * RISC-V hooks of the kernel services (services.h, gstats.h) and serve
 * mode. The IPI and timer vectors are registered at boot (ipi_init,
 * rv_timer_init); irqvm's RISC-V board has no platform device, so the
 * statistics page and the host clock are not offered.
 */
#include "gstats.h"
#include "irq.h"
#include "irqstat.h"
#include "sched_rv.h"
#include "services.h"
#include "vectors.h"

#define SERVE_TASKS 3u
#define SERVE_FIRST_VECTOR 1u /* PLIC source ids, once a PLIC driver exists */
#define SERVE_LAST_VECTOR 0xf6u /* the kernel's own vectors start at 0xf7 */

static struct busy_set serve_tasks;

void arch_services_init(void)
{
	irqstat_name_vector(RV_VEC_EXTERNAL, "external (no PLIC driver)");
}

bool arch_gstats_register(uint64_t gpa, uint64_t size)
{
	(void)gpa;
	(void)size;
	return false;
}

bool arch_host_ns(uint64_t *ns)
{
	(void)ns;
	return false;
}

void arch_serve_vectors(unsigned int *first, unsigned int *last)
{
	*first = SERVE_FIRST_VECTOR;
	*last = SERVE_LAST_VECTOR;
}

void arch_serve_eoi(unsigned int vector)
{
	(void)vector; /* local interrupts need none; PLIC completion comes later */
}

const char *arch_serve_setup(void)
{
	busy_start(&serve_tasks, SERVE_TASKS, 0);
	return "no PLIC yet: no external interrupts are routed; 3 U-mode tasks on cpu 0";
}

void arch_serve_fast_path(unsigned int vector)
{
	/* Every RISC-V interrupt enters through the one trap vector and is
	 * told apart by scause (and, with a PLIC, by the claim register), so
	 * there is no per-vector entry to shorten: the general path stays. */
	(void)vector;
}
