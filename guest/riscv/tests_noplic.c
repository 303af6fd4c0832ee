/* SPDX-License-Identifier: MIT */
/*
 * The device-interrupt groups (msi, storm), reported once each as skipped:
 * RISC-V has MSIs and external interrupts (AIA, PLIC), but irqvm's board
 * has no model of them yet, so these are a missing feature of the VMM, not
 * an x86-only concept. They become real tests as the PLIC/AIA models come.
 * The x86-only groups (lapic, pic, ioapic, pit) are not built for RISC-V.
 */
#include "tap.h"
#include "test.h"

#define NO_EXTERNAL "irqvm's RISC-V board has no platform interrupt controller yet (PLIC/AIA " \
		    "are a later issue), so no external interrupts or MSIs reach a hart"

TEST_CASE(msi, msi_delivery, 930)
{
	tap_skip(NO_EXTERNAL, "MSIs from the test device");
}

TEST_CASE(storm, interrupt_storms, 935)
{
	tap_skip("the storm generator drives interrupt lines or MSIs, and " NO_EXTERNAL,
		 "interrupt-storm defences");
}
