/* SPDX-License-Identifier: MIT */
/*
 * i8254 PIT channel 0 (Intel 8254 datasheet), whose OUT0 drives ISA IRQ0:
 * PIC IR0, and IOAPIC pin 2 (the interrupt source override of a PC).
 */
#ifndef X86_PIT_H
#define X86_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u
#define PIT_IRQ 0u
#define PIT_IOAPIC_PIN 2u

bool pit_present(void);

/* Mode 2 (rate generator): an IRQ0 edge every `divisor` input clocks
 * (0 = 65536). */
void pit_periodic(uint16_t divisor);
/* Mode 0 (interrupt on terminal count): OUT0 goes low now and rises once,
 * `count` clocks later (0 = 65536): exactly one IRQ0 edge. */
void pit_oneshot(uint16_t count);
/* Stop channel 0 without a further edge from a running periodic or an
 * expired one-shot: mode 5 waits for a gate trigger that channel 0 (gate
 * tied high) never gets, and KVM's in-kernel PIT stops its timer for it.
 * (Stopping a one-shot before its terminal count raises OUT0 once.) */
void pit_stop(void);
/* Counter latch command, then LSB/MSB of channel 0. */
uint16_t pit_read_count(void);
/* Read-back command latching channel 0's status and count together (one
 * instant): returns the count, *status gets the status byte. */
#define PIT_STATUS_OUT 0x80u        /* OUT0 pin level */
#define PIT_STATUS_NULL_COUNT 0x40u /* a written count is not in the CE yet */
uint16_t pit_read_back(uint8_t *status);

#endif /* X86_PIT_H */
