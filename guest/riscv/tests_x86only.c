/* SPDX-License-Identifier: MIT */
/*
 * The x86 groups built on x86 interrupt hardware, reported once each as
 * skipped with the RISC-V counterpart named, so the two ports' TAP output
 * lines up group by group. They come back here as the PLIC/AIA models do.
 */
#include "tap.h"
#include "test.h"

#define NO_EXTERNAL "irqvm's RISC-V board has no platform interrupt controller yet (PLIC/AIA " \
		    "are a later issue), so no external interrupts or MSIs reach a hart"

TEST_CASE(lapic, local_apic, 800)
{
	tap_skip("x86 only: RISC-V harts have no local APIC; IPIs are SBI IPI (ipi.*) and the "
		 "timer is the time CSR with SBI TIME or Sstc deadlines (timer.*)",
		 "local APIC: IPIs, priorities, EOI, timer modes");
}

TEST_CASE(pic, i8259, 810)
{
	tap_skip("x86 only: " NO_EXTERNAL, "8259A PIC pair");
}

TEST_CASE(ioapic, ioapic, 830)
{
	tap_skip("x86 only: " NO_EXTERNAL, "IOAPIC routing, levels, EOI");
}

TEST_CASE(pit, i8254, 850)
{
	tap_skip("x86 only: RISC-V timing is the time CSR (timer.*)", "8254 PIT");
}

TEST_CASE(msi, msi_delivery, 930)
{
	tap_skip(NO_EXTERNAL, "MSIs from the test device");
}

TEST_CASE(storm, interrupt_storms, 935)
{
	tap_skip("the storm generator drives interrupt lines or MSIs, and " NO_EXTERNAL,
		 "interrupt-storm defences");
}
