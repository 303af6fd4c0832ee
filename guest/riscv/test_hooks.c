/* SPDX-License-Identifier: MIT */
/*
 * Hooks for the common tests (arch.h): a vector of the software
 * interrupt's set kept for the tests' self-IPIs (irqvm's RISC-V board has
 * no MSI path yet, so there is no device-like interrupt), page
 * permissions, a write probe. The signal handler's log is common
 * (common/user_progs.c).
 */
#include "arch.h"
#include "paging.h"
#include "trap.h"
#include "vectors.h"

const unsigned int arch_test_hardirq_vector = RV_VEC_TEST_HARDIRQ;
const char arch_device_irq_name[] = "none";

long arch_test_device_irq(unsigned int vector)
{
	(void)vector;
	return -1;
}

bool arch_test_page_set_writable(uintptr_t va, bool writable)
{
	return writable ? paging_set_flags(va, PTE_W, 0) : paging_set_flags(va, 0, PTE_W);
}

bool arch_test_write_faults(volatile uint8_t *p)
{
	long faulted;

	/* A store page fault resumes after the store (exception table). */
	__asm__ __volatile__("li %0, 1\n"
			     "1:\tsb %0, 0(%1)\n\t"
			     "li %0, 0\n"
			     "2:\n" EXTABLE(1b, 2b)
			     : "=&r"(faulted)
			     : "r"(p)
			     : "memory");
	return faulted;
}

const char arch_exc_code_name[] = "scause";
const char arch_user_pc_name[] = "pc";
