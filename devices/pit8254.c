/* SPDX-License-Identifier: MIT */
/*
 * Intel 8254 PIT model. See pit8254.h for the time model; the datasheet is
 * Intel 231164-005 ("8254 datasheet").
 *
 * Everything is expressed in CLK pulse indices. For a counter, what matters
 * is how many decrementing pulses happened since its counting element (CE)
 * was loaded; each mode's CE value and OUT level are simple functions of
 * that number, so reads cost O(1) whatever the elapsed time.
 *
 * Deliberate simplifications, all invisible to a correctly written guest:
 *  - The first CLK pulse after a count is written loads the CE and does
 *    not decrement it, as the datasheet says ("the initial count will be
 *    loaded on the next CLK pulse"); the pulse grid itself is fixed, so the
 *    write's phase within a CLK period is not modelled further.
 *  - A count of 1 in modes 2 and 3 is illegal per the datasheet
 *    ("Minimum and Maximum Initial Counts"); it is run as 2.
 *  - BCD counting is implemented. BCD digits above 9 (illegal) are taken at
 *    their binary weight, e.g. 0x00ff counts as 165.
 *  - Port 0x61 bit 4 is a fixed 18-CLK toggle rather than being derived
 *    from counter 1, because the BIOS that would program counter 1 for
 *    DRAM refresh does not exist here.
 *  - The CE value read during the single CLK period between a count write
 *    and the CE load is the value frozen at the write.
 */
#include "devices/pit8254.h"

#include <string.h>

#define NS_PER_SEC 1000000000ull
#define BIN_MODULUS 65536u
#define BCD_MODULUS 10000u
#define REFRESH_CLKS 18u /* a PC's DRAM refresh period: 18 / 1.193182 MHz */

/* ------------------------------------------------------------------ */
/* Time <-> CLK pulses                                                 */
/* ------------------------------------------------------------------ */

/* Index of the last CLK pulse at or before now_ns (pulse 0 is at epoch). */
static uint64_t pulses_at(const struct pit8254 *pit, uint64_t now_ns)
{
	if (now_ns <= pit->epoch_ns)
		return 0;
	uint64_t d = now_ns - pit->epoch_ns;
	/* Split so that d * PIT_FREQ_HZ cannot overflow: exact floor. */
	return (d / NS_PER_SEC) * PIT_FREQ_HZ + (d % NS_PER_SEC) * PIT_FREQ_HZ / NS_PER_SEC;
}

/* Earliest time at which pulse k has happened; UINT64_MAX if unrepresentable. */
static uint64_t pulse_time(const struct pit8254 *pit, uint64_t k)
{
	if (k == PIT_NEVER)
		return UINT64_MAX;
	uint64_t whole = k / PIT_FREQ_HZ, part = k % PIT_FREQ_HZ;
	uint64_t frac = (part * NS_PER_SEC + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
	uint64_t room = UINT64_MAX - pit->epoch_ns;
	/* The whole seconds and the fraction must fit together: each alone
	 * can while their sum does not. */
	if (frac > room || whole > (room - frac) / NS_PER_SEC)
		return UINT64_MAX;
	return pit->epoch_ns + whole * NS_PER_SEC + frac;
}

/* ------------------------------------------------------------------ */
/* Count encoding                                                      */
/* ------------------------------------------------------------------ */

static uint32_t bcd_decode(uint16_t v)
{
	return ((v >> 12) & 0xf) * 1000u + ((v >> 8) & 0xf) * 100u + ((v >> 4) & 0xf) * 10u +
	       (v & 0xf);
}

static uint16_t bcd_encode(uint32_t v)
{
	v %= BCD_MODULUS;
	return (uint16_t)(((v / 1000) << 12) | ((v / 100 % 10) << 8) | ((v / 10 % 10) << 4) |
			  (v % 10));
}

static uint32_t modulus(const struct pit8254_channel *ch)
{
	return ch->bcd ? BCD_MODULUS : BIN_MODULUS;
}

/* The count register as a number of CLKs; 0 means the maximum count. */
static uint32_t initial_count(const struct pit8254_channel *ch)
{
	uint32_t n = ch->bcd ? bcd_decode(ch->cr) : ch->cr;
	if (n == 0)
		n = modulus(ch);
	if ((ch->mode == 2 || ch->mode == 3) && n < 2)
		n = 2;
	return n;
}

/* CE value (binary) in the register format the guest reads. */
static uint16_t register_format(const struct pit8254_channel *ch, uint32_t v)
{
	return ch->bcd ? bcd_encode(v) : (uint16_t)v;
}

static bool is_periodic(const struct pit8254_channel *ch)
{
	return ch->mode == 2 || ch->mode == 3;
}

/* ------------------------------------------------------------------ */
/* Counting element, computed from pulses                              */
/* ------------------------------------------------------------------ */

static const struct pit8254_segment *segment_at(const struct pit8254_channel *ch, uint64_t k)
{
	if (ch->has_next && k >= ch->next.load)
		return &ch->next;
	return &ch->seg;
}

static bool loaded_at(const struct pit8254_segment *s, uint64_t k)
{
	return s->load != PIT_NEVER && k >= s->load;
}

/* Decrementing pulses in (load, k]; k must be >= s->load. */
static uint64_t decrements(const struct pit8254_channel *ch, const struct pit8254_segment *s,
			   uint64_t k)
{
	if (s == &ch->next)
		return k - s->load; /* only exists while counting freely */
	uint64_t d = ch->dec_base;
	if (ch->counting && k > ch->dec_from)
		d += k - ch->dec_from;
	return d;
}

/* Mode 3 (8254 datasheet, "Mode 3"): OUT is high for ceil(N/2) CLKs and
 * low for floor(N/2); the CE counts down by two from N (even N) or N-1
 * (odd N) in each half, so an odd N shows a 0 once at the end of the high
 * half before OUT falls. */
static uint32_t mode3_high_clks(uint32_t n)
{
	return (n + 1) / 2;
}

static uint32_t ce_value(const struct pit8254_channel *ch, uint64_t k)
{
	const struct pit8254_segment *s = segment_at(ch, k);
	if (!loaded_at(s, k))
		return ch->ce_idle;
	uint64_t dec = decrements(ch, s, k);
	uint32_t n = s->initial, m = modulus(ch);

	switch (ch->mode) {
	case 2:
		return n - (uint32_t)(dec % n);
	case 3: {
		uint32_t phase = (uint32_t)((dec + s->phase0) % n);
		uint32_t high = mode3_high_clks(n);
		uint32_t in_half = phase < high ? phase : phase - high;
		return (n & ~1u) - 2 * in_half;
	}
	default: /* one-shot modes wrap around and keep counting after TC */
		return (n % m + m - (uint32_t)(dec % m)) % m;
	}
}

static bool out_level(const struct pit8254_channel *ch, uint64_t k)
{
	const struct pit8254_segment *s = segment_at(ch, k);
	bool loaded = loaded_at(s, k);
	uint64_t dec = loaded ? decrements(ch, s, k) : 0;
	uint32_t n = s->initial;

	switch (ch->mode) {
	case 0: /* low from the control word/count write until terminal count */
		return loaded && dec >= n;
	case 1: /* low from the trigger's load pulse for N CLKs */
		return !(loaded && dec < n);
	case 2: /* low for the one CLK in which the CE holds 1; GATE low forces high */
		if (!loaded || !ch->counting)
			return true;
		return dec % n != n - 1;
	case 3:
		if (!loaded || !ch->counting)
			return true;
		return (dec + s->phase0) % n < mode3_high_clks(n);
	default: /* modes 4 and 5: one CLK low strobe when the CE reaches 0 */
		return !(loaded && dec == n);
	}
}

/* Pulse of the single rising edge a one-shot mode will still produce. */
static uint64_t oneshot_edge_pulse(const struct pit8254_channel *ch)
{
	if (ch->seg.load == PIT_NEVER || !ch->counting)
		return PIT_NEVER;
	/* Modes 0/1 rise at TC; modes 4/5 rise one CLK after their strobe. */
	uint64_t edge_dec = (uint64_t)ch->seg.initial + (ch->mode >= 4 ? 1 : 0);
	if (ch->dec_base >= edge_dec)
		return PIT_NEVER;
	return ch->dec_from + (edge_dec - ch->dec_base);
}

/* Rising edges of a freely counting periodic segment at pulses in (load, k]:
 * they are where the phase wraps to 0, i.e. at load + m*N - phase0, m >= 1. */
static uint64_t periodic_edges_upto(const struct pit8254_segment *s, uint64_t k)
{
	if (k < s->load)
		return 0;
	return (k - s->load + s->phase0) / s->initial;
}

static uint64_t periodic_first_edge_after(const struct pit8254_segment *s, uint64_t k)
{
	uint64_t m = periodic_edges_upto(s, k) + 1;
	return s->load + m * s->initial - s->phase0;
}

/* Rising edges at pulses <= k, counted from an arbitrary origin: only
 * differences between two calls are meaningful. */
static uint64_t edges_upto(const struct pit8254_channel *ch, uint64_t k)
{
	if (!is_periodic(ch)) {
		uint64_t e = oneshot_edge_pulse(ch);
		return e != PIT_NEVER && k >= e;
	}
	if (ch->seg.load == PIT_NEVER || !ch->counting)
		return 0;
	if (!ch->has_next)
		return periodic_edges_upto(&ch->seg, k);
	/* The old segment owns pulses up to and including the switch. */
	uint64_t split = ch->next.load;
	uint64_t e = periodic_edges_upto(&ch->seg, k < split ? k : split);
	if (k > split)
		e += periodic_edges_upto(&ch->next, k);
	return e;
}

static uint64_t next_edge_pulse(const struct pit8254_channel *ch, uint64_t k)
{
	if (!is_periodic(ch)) {
		uint64_t e = oneshot_edge_pulse(ch);
		return e != PIT_NEVER && e > k ? e : PIT_NEVER;
	}
	if (ch->seg.load == PIT_NEVER || !ch->counting)
		return PIT_NEVER;
	if (ch->has_next && k >= ch->next.load)
		return periodic_first_edge_after(&ch->next, k);
	uint64_t e = periodic_first_edge_after(&ch->seg, k);
	if (ch->has_next && e > ch->next.load)
		return periodic_first_edge_after(&ch->next, ch->next.load);
	return e;
}

/* ------------------------------------------------------------------ */
/* State changes                                                       */
/* ------------------------------------------------------------------ */

/* Make a pending mode 2/3 count current once its load pulse has passed, so
 * that mutations always start from a single segment. */
static void settle(struct pit8254_channel *ch, uint64_t k)
{
	if (ch->has_next && k >= ch->next.load) {
		ch->seg = ch->next;
		ch->has_next = false;
		ch->dec_base = 0;
		ch->dec_from = ch->seg.load;
	}
}

/* Load CR into the CE on pulse `load` (the next CLK after the event). */
static void start_segment(struct pit8254_channel *ch, uint64_t k, uint32_t phase0)
{
	ch->ce_idle = ce_value(ch, k);
	ch->seg.load = k + 1;
	ch->seg.initial = initial_count(ch);
	ch->seg.phase0 = phase0;
	ch->has_next = false;
	ch->dec_base = 0;
	ch->dec_from = ch->seg.load;
	ch->null_until = ch->seg.load;
}

/* Freeze counting where it is (CE keeps its value). */
static void stop_counting(struct pit8254_channel *ch, uint64_t k)
{
	if (ch->seg.load != PIT_NEVER)
		ch->dec_base = loaded_at(&ch->seg, k) ? decrements(ch, &ch->seg, k) : 0;
	ch->counting = false;
}

/*
 * Modes 2/3: "Writing a new count while counting does not affect the
 * current counting sequence ... the new count will be loaded at the end of
 * the current counting cycle" (mode 2) / "half-cycle" (mode 3).
 */
static void schedule_periodic_reload(struct pit8254_channel *ch, uint64_t k)
{
	uint64_t dec = decrements(ch, &ch->seg, k);
	uint32_t n = ch->seg.initial;
	uint32_t new_n = initial_count(ch);
	uint32_t phase, delta, phase0 = 0;

	if (ch->mode == 2) {
		phase = (uint32_t)(dec % n);
		delta = n - phase;
	} else {
		uint32_t high = mode3_high_clks(n);
		phase = (uint32_t)((dec + ch->seg.phase0) % n);
		if (phase < high) {
			/* Ends the high half: the new count starts low. */
			delta = high - phase;
			phase0 = mode3_high_clks(new_n);
		} else {
			delta = n - phase;
		}
	}
	ch->next.load = k + delta;
	ch->next.initial = new_n;
	ch->next.phase0 = phase0;
	ch->has_next = true;
	ch->null_until = ch->next.load;
}

/* A complete count has been written to CR. */
static void count_written(struct pit8254_channel *ch, uint64_t k)
{
	ch->cr_valid = true;
	switch (ch->mode) {
	case 0:
	case 4: /* "loaded on the next CLK pulse and counting continues from the new count" */
		start_segment(ch, k, 0);
		ch->counting = ch->gate;
		break;
	case 1:
	case 5: /* waits for a gate trigger; does not disturb a running one-shot */
		ch->null_until = PIT_NEVER;
		break;
	default:
		if (ch->seg.load == PIT_NEVER) {
			/* First count after the control word. Loaded even with GATE
			 * low; counting then waits for the gate's rising edge. */
			start_segment(ch, k, 0);
			ch->counting = ch->gate;
		} else if (k < ch->seg.load) {
			/* Rewritten before the load pulse: the load takes the newest. */
			ch->seg.initial = initial_count(ch);
		} else if (!ch->counting) {
			/* GATE low: the next trigger loads it. */
			ch->null_until = PIT_NEVER;
		} else {
			schedule_periodic_reload(ch, k);
		}
		break;
	}
}

static void set_gate(struct pit8254_channel *ch, bool level, uint64_t k)
{
	if (ch->gate == level)
		return;
	ch->gate = level;
	settle(ch, k);

	/* 8254 datasheet, "Gate Pin Operations Summary". */
	switch (ch->mode) {
	case 0:
	case 4: /* level-sensitive enable, counting resumes where it stopped */
		if (!level) {
			stop_counting(ch, k);
		} else {
			ch->counting = true;
			if (ch->seg.load != PIT_NEVER)
				ch->dec_from = k > ch->seg.load ? k : ch->seg.load;
		}
		break;
	case 1:
	case 5: /* rising edge triggers a (re)load; level is ignored */
		if (level && ch->cr_valid)
			start_segment(ch, k, 0);
		break;
	default: /* 2, 3: low stops counting and forces OUT high; rising reloads */
		if (!level) {
			stop_counting(ch, k);
			ch->has_next = false;
			if (ch->null_until > k)
				ch->null_until = PIT_NEVER;
		} else {
			ch->counting = true;
			if (ch->cr_valid)
				start_segment(ch, k, 0);
		}
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Control word, latches, data ports                                   */
/* ------------------------------------------------------------------ */

static uint8_t status_byte(const struct pit8254_channel *ch, uint64_t k)
{
	uint8_t st = (uint8_t)(ch->access << PIT_CW_RW_SHIFT | ch->mode_bits << PIT_CW_MODE_SHIFT |
			       (ch->bcd ? PIT_CW_BCD : 0));
	if (out_level(ch, k))
		st |= PIT_STATUS_OUT;
	if (k < ch->null_until)
		st |= PIT_STATUS_NULL_COUNT;
	return st;
}

/* "If a Counter is latched and then, some time later, latched again before
 * the count is read, the second Counter Latch Command is ignored." */
static void latch_count(struct pit8254_channel *ch, uint64_t k)
{
	if (ch->count_latched)
		return;
	ch->latched_count = register_format(ch, ce_value(ch, k));
	ch->count_latched = true;
}

static void latch_status(struct pit8254_channel *ch, uint64_t k)
{
	if (ch->status_latched)
		return;
	ch->latched_status = status_byte(ch, k);
	ch->status_latched = true;
}

/* "When a Control Word is written to a Counter, all Control Logic is
 * immediately reset and OUT goes to a known initial state." */
static void program_channel(struct pit8254_channel *ch, uint8_t cw, uint64_t k)
{
	ch->ce_idle = ce_value(ch, k); /* the CE keeps whatever it held */
	ch->mode_bits = (cw >> PIT_CW_MODE_SHIFT) & 7;
	ch->mode = ch->mode_bits > 5 ? ch->mode_bits - 4 : ch->mode_bits;
	ch->access = (cw >> PIT_CW_RW_SHIFT) & 3;
	ch->bcd = cw & PIT_CW_BCD;
	ch->seg.load = PIT_NEVER;
	ch->seg.initial = 1;
	ch->seg.phase0 = 0;
	ch->has_next = false;
	ch->dec_base = 0;
	ch->dec_from = 0;
	ch->counting = (ch->mode == 1 || ch->mode == 5) ? true : ch->gate;
	ch->cr_valid = false;
	ch->write_msb_next = false;
	ch->read_msb_next = false;
	ch->count_latched = false;
	ch->status_latched = false;
	ch->null_until = PIT_NEVER;
}

static void write_control(struct pit8254 *pit, uint8_t cw, uint64_t k)
{
	unsigned sc = cw >> PIT_CW_SC_SHIFT;

	if (sc == PIT_SC_READ_BACK) {
		for (unsigned i = 0; i < PIT_NR_CHANNELS; i++) {
			struct pit8254_channel *ch = &pit->ch[i];
			if (!(cw & PIT_RB_CNT(i)))
				continue;
			if (!(cw & PIT_RB_NO_COUNT))
				latch_count(ch, k);
			if (!(cw & PIT_RB_NO_STATUS))
				latch_status(ch, k);
		}
		return;
	}
	if (((cw >> PIT_CW_RW_SHIFT) & 3) == PIT_RW_LATCH)
		latch_count(&pit->ch[sc], k);
	else
		program_channel(&pit->ch[sc], cw, k);
}

/*
 * Reads go through the output latch: a latched value is returned until the
 * last byte of it (per the access mode) has been read; otherwise the live
 * CE is read. A latched status byte comes first ("the first read operation
 * of that Counter will return the latched status").
 */
static uint8_t read_counter(struct pit8254_channel *ch, uint64_t k)
{
	if (ch->status_latched) {
		ch->status_latched = false;
		return ch->latched_status;
	}
	uint16_t v = ch->count_latched ? ch->latched_count : register_format(ch, ce_value(ch, k));
	bool msb;

	switch (ch->access) {
	case PIT_RW_LSB:
		msb = false;
		break;
	case PIT_RW_MSB:
		msb = true;
		break;
	default:
		msb = ch->read_msb_next;
		ch->read_msb_next = !ch->read_msb_next;
		break;
	}
	if (msb || ch->access == PIT_RW_LSB)
		ch->count_latched = false;
	return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static void write_counter(struct pit8254_channel *ch, uint8_t value, uint64_t k)
{
	switch (ch->access) {
	case PIT_RW_LSB:
		ch->cr = value;
		break;
	case PIT_RW_MSB:
		ch->cr = (uint16_t)(value << 8);
		break;
	default:
		if (!ch->write_msb_next) {
			ch->cr = (uint16_t)((ch->cr & 0xff00) | value);
			ch->write_msb_next = true;
			/* Mode 0: "Writing the first byte disables counting. OUT is
			 * set low immediately (no clock pulse required)." */
			if (ch->mode == 0) {
				ch->ce_idle = ce_value(ch, k);
				ch->seg.load = PIT_NEVER;
				ch->has_next = false;
			}
			return;
		}
		ch->cr = (uint16_t)((ch->cr & 0x00ff) | value << 8);
		ch->write_msb_next = false;
		break;
	}
	count_written(ch, k);
}

/* ------------------------------------------------------------------ */
/* Public interface                                                    */
/* ------------------------------------------------------------------ */

void pit8254_init(struct pit8254 *pit, uint64_t now_ns)
{
	memset(pit, 0, sizeof(*pit));
	pit->epoch_ns = now_ns;
	for (unsigned i = 0; i < PIT_NR_CHANNELS; i++) {
		struct pit8254_channel *ch = &pit->ch[i];
		ch->gate = i != 2; /* PC wiring: gates 0 and 1 tied high */
		ch->seg.load = PIT_NEVER;
		program_channel(ch, (uint8_t)(PIT_RW_LSB_MSB << PIT_CW_RW_SHIFT |
					      3u << PIT_CW_MODE_SHIFT), 0);
	}
}

uint8_t pit8254_read(struct pit8254 *pit, uint16_t port, uint64_t now_ns)
{
	uint64_t k = pulses_at(pit, now_ns);

	if (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_COUNTER2) {
		struct pit8254_channel *ch = &pit->ch[port - PIT_PORT_COUNTER0];
		settle(ch, k);
		return read_counter(ch, k);
	}
	if (port == PIT_PORT_SYSCTL_B) {
		uint8_t v = pit->sysctl_b & PIT_SYSB_WRITABLE;
		if ((k / REFRESH_CLKS) & 1)
			v |= PIT_SYSB_REFRESH;
		if (out_level(&pit->ch[2], k))
			v |= PIT_SYSB_OUT2;
		return v; /* bits 6-7 (parity/IOCHK errors) never set */
	}
	return 0xff; /* includes the write-only control word register */
}

void pit8254_write(struct pit8254 *pit, uint16_t port, uint8_t value, uint64_t now_ns)
{
	uint64_t k = pulses_at(pit, now_ns);

	for (unsigned i = 0; i < PIT_NR_CHANNELS; i++)
		settle(&pit->ch[i], k);

	if (port >= PIT_PORT_COUNTER0 && port <= PIT_PORT_COUNTER2) {
		write_counter(&pit->ch[port - PIT_PORT_COUNTER0], value, k);
	} else if (port == PIT_PORT_CONTROL) {
		write_control(pit, value, k);
	} else if (port == PIT_PORT_SYSCTL_B) {
		pit->sysctl_b = value & PIT_SYSB_WRITABLE;
		set_gate(&pit->ch[2], value & PIT_SYSB_GATE2, k);
	}
}

bool pit8254_out(const struct pit8254 *pit, unsigned channel, uint64_t now_ns)
{
	if (channel >= PIT_NR_CHANNELS)
		return false;
	return out_level(&pit->ch[channel], pulses_at(pit, now_ns));
}

uint64_t pit8254_next_irq0_edge(const struct pit8254 *pit, uint64_t now_ns)
{
	uint64_t k = next_edge_pulse(&pit->ch[0], pulses_at(pit, now_ns));
	return pulse_time(pit, k);
}

uint64_t pit8254_irq0_edges_between(const struct pit8254 *pit, uint64_t from_ns, uint64_t to_ns)
{
	if (to_ns <= from_ns)
		return 0;
	const struct pit8254_channel *ch = &pit->ch[0];
	return edges_upto(ch, pulses_at(pit, to_ns)) - edges_upto(ch, pulses_at(pit, from_ns));
}
