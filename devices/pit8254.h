/* SPDX-License-Identifier: MIT */
/*
 * Intel 8254 programmable interval timer (the PC's PIT: counters 0-2 at
 * ports 0x40-0x42, control word at 0x43) plus the PIT-related bits of the
 * PC's system control port B (0x61).
 *
 * Reference: Intel 8254 Programmable Interval Timer datasheet, order
 * number 231164-005 ("8254 datasheet" below; section names are quoted).
 *
 * Time is an input, not something this model keeps: every call passes the
 * host monotonic time in nanoseconds. The counters' CLK input runs at
 * PIT_FREQ_HZ on a fixed grid anchored at pit8254_init(): CLK pulse k
 * happens at init_ns + ceil(k * 1e9 / PIT_FREQ_HZ). Counter values and OUT
 * levels are computed in closed form from the number of pulses since the
 * count was loaded, so there is no per-tick work and no internal timer; the
 * VMM arms a host timer from pit8254_next_irq0_edge() instead.
 *
 * Wiring on a PC: OUT0 drives IRQ0 (edge), gates 0 and 1 are tied high,
 * gate 2 is port 0x61 bit 0 and OUT2 is readable as port 0x61 bit 5.
 *
 * Pure state machine: no locks, the caller serialises all calls. Times
 * passed in should not go backwards; if they do, the model treats the
 * earlier time as "no pulse has happened since the last change" and never
 * crashes.
 */
#ifndef IRQVM_DEVICES_PIT8254_H
#define IRQVM_DEVICES_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_FREQ_HZ 1193182u
#define PIT_NR_CHANNELS 3u

#define PIT_PORT_COUNTER0 0x40u
#define PIT_PORT_COUNTER1 0x41u
#define PIT_PORT_COUNTER2 0x42u
#define PIT_PORT_CONTROL 0x43u
#define PIT_PORT_SYSCTL_B 0x61u

/* Port 0x61 bits (IBM PC/AT system control port B). */
#define PIT_SYSB_GATE2 0x01u	     /* rw: gate of counter 2 */
#define PIT_SYSB_SPEAKER_EN 0x02u    /* rw: speaker data enable */
#define PIT_SYSB_PARITY_DIS 0x04u    /* rw: stored only */
#define PIT_SYSB_IOCHK_DIS 0x08u     /* rw: stored only */
#define PIT_SYSB_REFRESH 0x10u	     /* ro: toggles every 18 CLKs (~15.09 us) */
#define PIT_SYSB_OUT2 0x20u	     /* ro: OUT of counter 2 */
#define PIT_SYSB_WRITABLE 0x0fu

/* Control word fields (8254 datasheet, "Control Word Format"). */
#define PIT_CW_SC_SHIFT 6
#define PIT_CW_RW_SHIFT 4
#define PIT_CW_MODE_SHIFT 1
#define PIT_CW_BCD 0x01u
#define PIT_SC_READ_BACK 3u
#define PIT_RW_LATCH 0u
#define PIT_RW_LSB 1u
#define PIT_RW_MSB 2u
#define PIT_RW_LSB_MSB 3u

/* Read-back command (8254 datasheet, "Read-Back Command"). */
#define PIT_RB_NO_COUNT 0x20u  /* bit 5 = 0 latches the count */
#define PIT_RB_NO_STATUS 0x10u /* bit 4 = 0 latches the status */
#define PIT_RB_CNT(n) (0x02u << (n))

/* Status byte returned after a read-back status latch. */
#define PIT_STATUS_OUT 0x80u
#define PIT_STATUS_NULL_COUNT 0x40u

/* A CLK pulse index that never comes. */
#define PIT_NEVER UINT64_MAX

/*
 * One stretch of counting: the counting element (CE) was loaded with
 * `initial` on CLK pulse `load` and has counted from there. In modes 2 and
 * 3 a count written while counting only takes effect at the end of the
 * current period/half-cycle, so a channel can hold a second, future
 * segment. `phase0` is non-zero only for a mode 3 segment that begins in
 * its low half-cycle.
 */
struct pit8254_segment {
	uint64_t load;	  /* CLK pulse index; PIT_NEVER if nothing is loaded */
	uint32_t initial; /* binary value, 1..65536 (1..16665 with BCD) */
	uint32_t phase0;
};

struct pit8254_channel {
	/* Programming, from the last control word. */
	uint8_t mode;	   /* 0..5 (6 and 7 are stored as 2 and 3) */
	uint8_t mode_bits; /* M2..M0 exactly as written, for the status byte */
	uint8_t access;	   /* PIT_RW_LSB, PIT_RW_MSB or PIT_RW_LSB_MSB */
	bool bcd;

	bool gate;     /* GATE input level */
	bool counting; /* decrementing enabled (gate level in modes 0, 2, 3, 4) */

	uint16_t cr;	     /* count register, raw as written */
	bool cr_valid;	     /* a full count was written since the control word */
	bool write_msb_next; /* LSB-then-MSB write toggle */
	bool read_msb_next;  /* LSB-then-MSB read toggle, independent of writes */

	bool count_latched;
	uint16_t latched_count; /* register format (binary or BCD) */
	bool status_latched;
	uint8_t latched_status;

	struct pit8254_segment seg;
	struct pit8254_segment next; /* valid if has_next (modes 2, 3) */
	bool has_next;
	/* Decrements done: dec_base + pulses in (dec_from, k] while counting. */
	uint64_t dec_base;
	uint64_t dec_from;
	uint32_t ce_idle;     /* CE value shown while nothing is loaded */
	uint64_t null_until;  /* null count reads 1 until this pulse */
};

struct pit8254 {
	uint64_t epoch_ns; /* time of CLK pulse 0 */
	struct pit8254_channel ch[PIT_NR_CHANNELS];
	uint8_t sysctl_b; /* port 0x61 writable bits as last written */
};

/*
 * Power-on state: every counter as if it had just received a control word
 * for mode 3, LSB-then-MSB, binary, with no count written yet: OUT high,
 * nothing counting, so no IRQ0 until the guest programs counter 0. (The
 * datasheet leaves the power-up state undefined; a PC BIOS would program
 * counter 0 for 18.2 Hz, which irqvm's BIOS-less guests do not expect.)
 * Gate 2 starts low (port 0x61 reads 0 in its writable bits).
 */
void pit8254_init(struct pit8254 *pit, uint64_t now_ns);

/* Ports 0x40-0x43 and 0x61; any other port reads 0xff. 0x43 (the control
 * word register) is write-only and reads 0xff like the datasheet's
 * "no-operation (3-state)". */
uint8_t pit8254_read(struct pit8254 *pit, uint16_t port, uint64_t now_ns);
/* Ports 0x40-0x43 and 0x61; writes to any other port are ignored. */
void pit8254_write(struct pit8254 *pit, uint16_t port, uint8_t value, uint64_t now_ns);

/* OUT level of counter `channel` (0-2) at now_ns; false for other channels. */
bool pit8254_out(const struct pit8254 *pit, unsigned channel, uint64_t now_ns);

/*
 * Earliest time > now_ns at which OUT0 rises (IRQ0), or UINT64_MAX if none
 * will come without further guest writes.
 *
 * These two functions describe the counter as currently programmed. They
 * do not remember history from before the latest write, and an edge that a
 * write itself causes (e.g. a mode 2 control word taking OUT0 from low to
 * high at once) happens at the write's own time, not after it; a VMM that
 * cares compares pit8254_out(pit, 0, t) before and after the write.
 */
uint64_t pit8254_next_irq0_edge(const struct pit8254 *pit, uint64_t now_ns);

/* Number of rising edges of OUT0 in the interval (from_ns, to_ns]. */
uint64_t pit8254_irq0_edges_between(const struct pit8254 *pit, uint64_t from_ns, uint64_t to_ns);

#endif
