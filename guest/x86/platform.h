/* SPDX-License-Identifier: MIT */
/*
 * irqvm's platform device (IRQVM_PORT_PLATFORM) and the exit device.
 */
#ifndef X86_PLATFORM_H
#define X86_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

bool platform_present(void);

/* Runs a command with up to IRQVM_PLAT_MAX_ARGS arguments; returns the
 * device status (IRQVM_PLAT_STATUS_*) and the 64-bit result. */
uint32_t platform_command(uint32_t cmd, const uint64_t *args, unsigned int nargs,
			  uint64_t *result);

#endif /* X86_PLATFORM_H */
