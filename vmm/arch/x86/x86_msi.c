/* SPDX-License-Identifier: MIT */
/*
 * The x86 MSI format (SDM vol. 3 11.11): address 0xfee00000 | destination
 * APIC ID << 12 | redirection hint (bit 3) | destination mode (bit 2, 1 =
 * logical); data: vector (7:0), delivery mode (10:8), trigger mode (15).
 * vCPU index = APIC ID.
 */
#include <stdio.h>

#include "vmm/core/arch.h"

#define X86_MSI_BASE 0xfee00000ull
#define X86_MSI_DEST_SHIFT 12
#define X86_MSI_DM_SHIFT 8
#define X86_MSI_DM_LOWEST 1u
#define X86_MSI_DM_NMI 4u

const int arch_nmi_vector = 2;

void arch_msi_encode(unsigned dest, unsigned vector, enum arch_msi_delivery delivery,
		     uint64_t *address, uint32_t *data)
{
	*address = X86_MSI_BASE | ((uint64_t)(dest & 0xff) << X86_MSI_DEST_SHIFT);
	/* Edge; NMI delivery ignores the vector field. */
	switch (delivery) {
	case ARCH_MSI_NMI: *data = X86_MSI_DM_NMI << X86_MSI_DM_SHIFT; break;
	case ARCH_MSI_LOWEST: *data = (X86_MSI_DM_LOWEST << X86_MSI_DM_SHIFT) | (vector & 0xff); break;
	case ARCH_MSI_FIXED:
	default: *data = vector & 0xff; break;
	}
}

int arch_msi_check(uint64_t address, uint64_t data, int *vector, char *err, size_t errlen)
{
	unsigned mode = (unsigned)(data >> X86_MSI_DM_SHIFT) & 7;
	if ((address & ~0xffff0ull) != X86_MSI_BASE)
		snprintf(err, errlen, "address 0x%llx is not an x86 MSI address "
			 "(0xfee00000-0xfeeffff0, bits 1:0 zero)", (unsigned long long)address);
	else if (mode != 0 && mode != X86_MSI_DM_LOWEST && mode != X86_MSI_DM_NMI)
		snprintf(err, errlen, "delivery mode %u in data 0x%llx: only fixed (0), lowest "
			 "priority (1) and NMI (4) may be injected", mode, (unsigned long long)data);
	else if (data & (1u << 15))
		snprintf(err, errlen, "level-triggered MSIs (data bit 15) are not supported");
	else if (data >> 16)
		snprintf(err, errlen, "data 0x%llx has reserved bits 31:16 set",
			 (unsigned long long)data);
	else {
		*vector = mode == X86_MSI_DM_NMI ? -1 : (int)(data & 0xff);
		return 0;
	}
	return -1;
}

void arch_msi_decode(uint64_t address, uint32_t data, struct arch_msi_dest *out)
{
	out->dest = (unsigned)(address >> X86_MSI_DEST_SHIFT) & 0xff;
	out->nmi = ((data >> X86_MSI_DM_SHIFT) & 7) == X86_MSI_DM_NMI;
	out->vector = out->nmi ? arch_nmi_vector : (int)(data & 0xff);
	out->physical = !(address & (1u << 2));
}
