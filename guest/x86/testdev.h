/* SPDX-License-Identifier: MIT */
/*
 * irqvm's test device (registers in include/irqvm/abi.h): drives the
 * board's interrupt lines (QEMU pc-testdev numbering: line n = ISA IRQ n
 * for n < 16, IOAPIC pin n above; line 0 reaches IOAPIC pin 2), sends
 * MSIs and runs a storm generator in the VMM.
 *
 * Every call is safe from interrupt handlers and on several CPUs at once:
 * the device's registers (MSI latch, status) are shared, so each access
 * sequence runs under a lock with interrupts off.
 */
#ifndef X86_TESTDEV_H
#define X86_TESTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include <irqvm/abi.h>

/* boot_info.devices says the VMM has one. */
bool testdev_present(void);

/* Set a line's level / pulse it low-high-low. 0 or -IRQVM_TESTDEV_ERR_*. */
int testdev_set_line(unsigned int line, bool level);
int testdev_pulse(unsigned int line);

/* Deliver one MSI. 0 or -IRQVM_TESTDEV_ERR_* (NO_MSI: the irqchip mode
 * cannot deliver MSIs). The address/data stay latched for MSI storms. */
int testdev_msi(uint64_t address, uint32_t data);
/* Latch the MSI an IRQVM_TESTDEV_STORM_MSI storm sends, without sending. */
void testdev_msi_latch(uint64_t address, uint32_t data);

/* Start a storm of `count` events `period_ns` apart (0 = back to back):
 * kind IRQVM_TESTDEV_STORM_PULSE pulses line `arg`; kind
 * IRQVM_TESTDEV_STORM_MSI sends the latched MSI (`arg` unused). A running
 * storm is restarted. 0 or -IRQVM_TESTDEV_ERR_*. */
int testdev_storm_start(unsigned int kind, unsigned int arg, uint32_t count, uint32_t period_ns);
void testdev_storm_stop(void);
bool testdev_storm_running(void);
uint32_t testdev_storm_sent(void);

/* x86 MSI encoding (SDM vol. 3, 11.11): physical destination mode,
 * no redirection hint, fixed delivery. */
#define MSI_ADDR_BASE 0xfee00000ull
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_DEST_LOGICAL (1ull << 2)
#define MSI_DATA_DM_SHIFT 8
#define MSI_DATA_LEVEL_ASSERT (1u << 14)
#define MSI_DATA_TRIGGER_LEVEL (1u << 15)

static inline uint64_t msi_address(uint32_t dest_apic_id)
{
	return MSI_ADDR_BASE | (uint64_t)(dest_apic_id & 0xff) << MSI_ADDR_DEST_SHIFT;
}

/* level: a level-triggered (asserting) message, whose EOI the LAPIC
 * reports to the IOAPIC layer; otherwise edge. */
static inline uint32_t msi_data(uint8_t vector, bool level)
{
	return vector | (level ? MSI_DATA_TRIGGER_LEVEL | MSI_DATA_LEVEL_ASSERT : 0);
}

/* The same with a delivery mode (LAPIC_DM_* values, e.g. NMI = 4). */
static inline uint32_t msi_data_dm(uint8_t vector, unsigned int delivery_mode)
{
	return vector | (delivery_mode & 7) << MSI_DATA_DM_SHIFT;
}

#endif /* X86_TESTDEV_H */
