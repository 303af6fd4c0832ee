/* SPDX-License-Identifier: MIT */
/*
 * Hooks for the common tests (arch.h): a free vector for self-IPIs, a
 * device-like interrupt (an MSI written by irqvm's test device and
 * delivered like any device's MSI), page permissions, a write probe. The
 * signal handler's log is common (common/user_progs.c).
 */
#include "arch.h"
#include "lapic.h"
#include "paging.h"
#include "testdev.h"
#include "trap.h"

const unsigned int arch_test_hardirq_vector = 0xf8u;
const char arch_device_irq_name[] = "MSI from the test device";

long arch_test_device_irq(unsigned int vector)
{
	if (!testdev_present())
		return -1;
	return testdev_msi(msi_address(lapic_id()), msi_data((uint8_t)vector, false)) ? -1 : 0;
}

bool arch_test_page_set_writable(uintptr_t va, bool writable)
{
	return writable ? paging_set_flags(va, PTE_W, 0) : paging_set_flags(va, 0, PTE_W);
}

bool arch_test_write_faults(volatile uint8_t *p)
{
	int faulted;

	__asm__ __volatile__("movl $1, %0\n"
			     "1:\tmovb $0x5a, (%1)\n\t"
			     "movl $0, %0\n"
			     "2:\n" EXTABLE(1b, 2b)
			     : "=&r"(faulted)
			     : "r"(p)
			     : "memory");
	return faulted;
}

const char arch_exc_code_name[] = "vector";
const char arch_user_pc_name[] = "rip";
