/* SPDX-License-Identifier: MIT */
/*
 * x86 hooks of the kernel services: IPI vectors, the LAPIC spurious
 * vector, and the platform-device commands behind the statistics page.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "gstats.h"
#include "ipi.h"
#include "irq.h"
#include "irqstat.h"
#include "lapic.h"
#include "platform.h"
#include "services.h"
#include "smp_x86.h"

/* The LAPIC's spurious vector (SDM 11.9): delivered without setting an
 * ISR bit, so it must not be EOI'd (an EOI would retire whatever
 * interrupt really is in service). The interrupt path counts it (irqstat,
 * statistics page); there is nothing else to do. */
static void lapic_spurious_handler(unsigned int vector, void *ctx)
{
	(void)vector;
	(void)ctx;
}

static bool platform_ok(void)
{
	return (x86_boot_info.devices & IRQVM_DEV_PLATFORM) && platform_present();
}

bool arch_gstats_register(uint64_t gpa, uint64_t size)
{
	uint64_t args[2] = { gpa, size };

	return platform_ok() &&
	       platform_command(IRQVM_PLAT_CMD_GSTATS_REGISTER, args, 2, NULL) ==
		       IRQVM_PLAT_STATUS_OK;
}

bool arch_host_ns(uint64_t *ns)
{
	return platform_ok() &&
	       platform_command(IRQVM_PLAT_CMD_HOST_NS, NULL, 0, ns) == IRQVM_PLAT_STATUS_OK;
}

void arch_services_init(void)
{
	ipi_init();
	if (irq_register(LAPIC_SPURIOUS_VECTOR, lapic_spurious_handler, NULL))
		irqstat_name_vector(LAPIC_SPURIOUS_VECTOR, "lapic-spurious");
}
