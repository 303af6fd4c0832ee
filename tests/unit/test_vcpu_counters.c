/* SPDX-License-Identifier: MIT */
/* -v's per-vCPU counter line, with the counters of the architecture linked in (x86-64 here). */
#include <criterion/criterion.h>
#include <string.h>

#include "vmm/core/arch.h"
#include "vmm/core/vm.h"

#if defined(__x86_64__)
#include "vmm/arch/x86/x86.h"

Test(vcpu_counters, x86_line_names_every_exit_kind_then_injections_and_softints)
{
	static struct vcpu v;
	char line[768];
	v.index = 1;
	v.stats.exits = 123456789012ull;
	v.stats.pio_exits = 11;
	v.stats.mmio_exits = 22;
	v.stats.arch[X86_CNT_IRQ_WINDOW_EXITS] = 3;
	v.stats.arch[X86_CNT_EOI_EXITS] = 4;
	v.stats.arch[X86_CNT_EOI_EXITS_SUPPRESSED] = 5;
	v.stats.arch[X86_CNT_EXTINT_INJECTIONS] = 6;
	v.stats.arch[X86_CNT_SOFTINT_EMULATED] = 7;
	vcpu_counters_line(&v, line, sizeof(line));
	cr_assert_str_eq(line, "vCPU 1: 123456789012 exits (port I/O 11, MMIO 22, interrupt window "
			 "3, IOAPIC EOI 4, 5 ignored for suppress-EOI-broadcast), 6 ExtINT "
			 "injections, 7 CPL0 int n delivered by irqvm");
}

Test(vcpu_counters, a_short_buffer_gets_a_truncated_terminated_line)
{
	static struct vcpu v;
	char line[24];
	memset(line, 'x', sizeof(line));
	vcpu_counters_line(&v, line, sizeof(line));
	cr_assert_eq(strlen(line), sizeof(line) - 1);
	cr_assert_eq(strncmp(line, "vCPU 0: 0 exits (port I", sizeof(line) - 1), 0, "%s", line);
}

#endif
