/* SPDX-License-Identifier: MIT */
/*
 * A page-crossing MMIO store: KVM splits an 8-byte store at 0xfebffffd into
 * 3 bytes below the IOAPIC page and 5 bytes at 0xfec00000 (IOREGSEL). Byte
 * 3 of the value is 0x01, so IOREGSEL must select the version register and
 * IOWIN must then read 0x00170020. Exit value 0 if it does, 1 if the split
 * piece was lost. Entered in long mode per include/irqvm/abi.h.
 */
#include <stdint.h>

#include <irqvm/abi.h>

void _start(void);
void _start(void)
{
	volatile uint64_t *straddling = (volatile uint64_t *)(IRQVM_X86_IOAPIC_GPA - 3);
	volatile uint32_t *iowin = (volatile uint32_t *)(IRQVM_X86_IOAPIC_GPA + 0x10);

	*straddling = 0x0000000001000000ull; /* bytes 3.. land at IOREGSEL: 0x01 */
	uint32_t version = *iowin;
	uint32_t status = version == 0x00170020u ? 0 : 1;
	__asm__ volatile("outl %0, %1" : : "a"(status), "Nd"((uint16_t)IRQVM_PORT_DEBUG_EXIT));
	for (;;)
		__asm__ volatile("hlt");
}
