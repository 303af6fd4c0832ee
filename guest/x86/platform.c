/* SPDX-License-Identifier: MIT */
/*
 * Platform device commands and leaving the VM.
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "platform.h"
#include "spinlock.h"
#include "x86.h"

static spinlock_t platform_lock = SPINLOCK_INIT;

static uint32_t plat_read(unsigned int reg)
{
	return inl(IRQVM_PORT_PLATFORM + reg);
}

static void plat_write(unsigned int reg, uint32_t v)
{
	outl(IRQVM_PORT_PLATFORM + reg, v);
}

bool platform_present(void)
{
	return plat_read(IRQVM_PLAT_ID) == IRQVM_PLAT_ID_VALUE;
}

uint32_t platform_command(uint32_t cmd, const uint64_t *args, unsigned int nargs,
			  uint64_t *result)
{
	uint32_t status;

	if (nargs > IRQVM_PLAT_MAX_ARGS)
		return IRQVM_PLAT_STATUS_EINVAL;
	/* The argument latch is device state shared by all CPUs. */
	spin_lock(&platform_lock);
	plat_write(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_RESET_ARGS);
	for (unsigned int i = 0; i < nargs; i++) {
		plat_write(IRQVM_PLAT_ARG_LO, (uint32_t)args[i]);
		plat_write(IRQVM_PLAT_ARG_HI, (uint32_t)(args[i] >> 32));
		plat_write(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_PUSH_ARG);
	}
	plat_write(IRQVM_PLAT_CMD, cmd);
	status = plat_read(IRQVM_PLAT_CMD);
	if (result)
		*result = plat_read(IRQVM_PLAT_RESULT_LO) |
			  ((uint64_t)plat_read(IRQVM_PLAT_RESULT_HI) << 32);
	spin_unlock(&platform_lock);
	return status;
}

void arch_exit(int status)
{
	/* isa-debug-exit semantics: the VMM exits with (status << 1) | 1 and
	 * the irqvm CLI maps that back to `status` (docs/exit-codes.md). */
	outl(IRQVM_PORT_DEBUG_EXIT, (uint32_t)status);
	arch_halt(); /* no exit device: stop here */
}

void arch_halt(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
