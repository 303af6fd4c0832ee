/* SPDX-License-Identifier: MIT */
/*
 * Starting the application processors through the platform device.
 */
#ifndef X86_SMP_X86_H
#define X86_SMP_X86_H

#include <stdint.h>

#include <irqvm/abi.h>

extern struct irqvm_boot_info x86_boot_info;

/* Ask the VMM to start CPUs 1..nr_cpus-1 (IRQVM_PLAT_CMD_CPU_START). */
void smp_start_aps(unsigned int nr_cpus);

/* Status of the start request for a CPU: IRQVM_PLAT_STATUS_* or one of
 * the values below. */
#define SMP_START_NOT_TRIED 0xffffff00u
#define SMP_START_NO_DEVICE 0xffffff01u
uint32_t smp_start_status(unsigned int cpu);

void smp_describe(void);

#endif /* X86_SMP_X86_H */
