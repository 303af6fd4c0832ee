/* SPDX-License-Identifier: MIT */
/*
 * MSIs on riscv64: irqvm's RISC-V platform has no MSI controller (no IMSIC),
 * so vm->deliver_msi_status stays NULL and every sender answers "this VM's
 * irqchip cannot deliver MSIs" before it uses an encoded message. There is
 * no NMI either.
 *
 * A raw message given to the control socket's msi command is still checked
 * first, against the x86 format that command documents (docs/control.md),
 * with the x86 build's words, so the riscv64 build answers a malformed one
 * exactly as it always has (invalid_argument) and a well-formed one with
 * the refusal above.
 */
#include <stdio.h>

#include "vmm/core/arch.h"

const int arch_nmi_vector = -1;

void arch_msi_encode(unsigned dest, unsigned vector, enum arch_msi_delivery delivery,
		     uint64_t *address, uint32_t *data)
{
	(void)dest, (void)vector, (void)delivery;
	*address = 0; /* never sent: see above */
	*data = 0;
}

/* The x86 build's rules and words (vmm/arch/x86/x86_msi.c), kept here on
 * purpose: the two builds answer the same malformed message the same way. */
int arch_msi_check(uint64_t address, uint64_t data, int *vector, char *err, size_t errlen)
{
	unsigned mode = (unsigned)(data >> 8) & 7;
	if ((address & ~0xffff0ull) != 0xfee00000ull)
		snprintf(err, errlen, "address 0x%llx is not an x86 MSI address "
			 "(0xfee00000-0xfeeffff0, bits 1:0 zero)", (unsigned long long)address);
	else if (mode != 0 && mode != 1 && mode != 4)
		snprintf(err, errlen, "delivery mode %u in data 0x%llx: only fixed (0), lowest "
			 "priority (1) and NMI (4) may be injected", mode, (unsigned long long)data);
	else if (data & (1u << 15))
		snprintf(err, errlen, "level-triggered MSIs (data bit 15) are not supported");
	else if (data >> 16)
		snprintf(err, errlen, "data 0x%llx has reserved bits 31:16 set",
			 (unsigned long long)data);
	else {
		*vector = mode == 4 ? -1 : (int)(data & 0xff);
		return 0;
	}
	return -1;
}

void arch_msi_decode(uint64_t address, uint32_t data, struct arch_msi_dest *out)
{
	(void)address, (void)data; /* never reached: see above */
	out->dest = 0;
	out->vector = -1;
	out->physical = false;
	out->nmi = false;
}
