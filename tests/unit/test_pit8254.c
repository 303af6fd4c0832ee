/* SPDX-License-Identifier: MIT */
/*
 * 8254 PIT model tests. Times are chosen on the model's CLK grid: pulse k
 * happens at at(k); a count written at at(k) is loaded on pulse k + 1 and
 * first decremented on pulse k + 2 (8254 datasheet: the load CLK does not
 * decrement).
 */
#include <criterion/criterion.h>

#include "devices/pit8254.h"

#define T0 5000000000ull /* init time; non-zero to catch epoch mistakes */

/* Time of CLK pulse k (ceil(k * 1e9 / f) after T0). */
static uint64_t at(uint64_t k)
{
	return T0 + k / PIT_FREQ_HZ * 1000000000ull +
	       ((k % PIT_FREQ_HZ) * 1000000000ull + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
}

static uint8_t cw(unsigned ch, unsigned rw, unsigned mode, bool bcd)
{
	return (uint8_t)(ch << 6 | rw << 4 | mode << 1 | (bcd ? 1 : 0));
}

static void program(struct pit8254 *p, unsigned ch, unsigned mode, uint16_t count, uint64_t now)
{
	pit8254_write(p, PIT_PORT_CONTROL, cw(ch, PIT_RW_LSB_MSB, mode, false), now);
	pit8254_write(p, (uint16_t)(PIT_PORT_COUNTER0 + ch), (uint8_t)count, now);
	pit8254_write(p, (uint16_t)(PIT_PORT_COUNTER0 + ch), (uint8_t)(count >> 8), now);
}

/* Latch and read a counter programmed for LSB-then-MSB. */
static uint16_t latched(struct pit8254 *p, unsigned ch, uint64_t now)
{
	pit8254_write(p, PIT_PORT_CONTROL, cw(ch, PIT_RW_LATCH, 0, false), now);
	uint8_t lo = pit8254_read(p, (uint16_t)(PIT_PORT_COUNTER0 + ch), now);
	uint8_t hi = pit8254_read(p, (uint16_t)(PIT_PORT_COUNTER0 + ch), now);
	return (uint16_t)(hi << 8 | lo);
}

static uint8_t read_status(struct pit8254 *p, unsigned ch, uint64_t now)
{
	pit8254_write(p, PIT_PORT_CONTROL, (uint8_t)(0xc0 | PIT_RB_NO_COUNT | PIT_RB_CNT(ch)), now);
	return pit8254_read(p, (uint16_t)(PIT_PORT_COUNTER0 + ch), now);
}

static void set_port61(struct pit8254 *p, uint8_t v, uint64_t now)
{
	pit8254_write(p, PIT_PORT_SYSCTL_B, v, now);
}

static struct pit8254 pit;

static void setup(void)
{
	pit8254_init(&pit, T0);
}

TestSuite(pit8254, .init = setup);

/* ---- power-on, invalid inputs ---------------------------------------- */

Test(pit8254, unprogrammed_pit_produces_no_irq0)
{
	cr_expect(pit8254_out(&pit, 0, at(100)));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(100)), UINT64_MAX);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, T0, at(10000000)), 0);
}

Test(pit8254, invalid_ports_read_all_ones_and_ignore_writes)
{
	program(&pit, 0, 2, 100, at(10));
	pit8254_write(&pit, 0x44, 0x34, at(20));
	pit8254_write(&pit, 0x3f, 0x00, at(20));
	cr_expect_eq(pit8254_read(&pit, 0x44, at(20)), 0xff);
	cr_expect_eq(pit8254_read(&pit, 0x60, at(20)), 0xff);
	cr_expect_eq(pit8254_read(&pit, 0xffff, at(20)), 0xff);
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(20)), at(111));
}

/*
 * A periodic counter asked for its next edge in the last second before the
 * 64-bit nanosecond clock wraps: the edge's time is past UINT64_MAX, so
 * there is none, not a time in the past. Found by tests/fuzz/fuzz_pit8254.c.
 */
Test(pit8254, next_edge_past_the_end_of_the_clock_is_never)
{
	uint64_t late = UINT64_MAX - 23761;

	pit8254_init(&pit, 47);
	program(&pit, 0, 3, 0, 47);
	cr_expect_eq(pit8254_next_irq0_edge(&pit, late), UINT64_MAX);
}

Test(pit8254, control_word_register_is_write_only)
{
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_CONTROL, at(3)), 0xff);
}

Test(pit8254, out_of_nonexistent_channel_is_low)
{
	cr_expect_not(pit8254_out(&pit, 3, at(1)));
	cr_expect_not(pit8254_out(&pit, 1000, at(1)));
}

Test(pit8254, times_before_init_are_harmless)
{
	program(&pit, 0, 2, 100, 0);
	cr_expect(pit8254_out(&pit, 0, 0));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, 0, 1), 0);
	cr_expect_eq(pit8254_next_irq0_edge(&pit, 0), at(101));
}

Test(pit8254, empty_or_reversed_interval_has_no_edges)
{
	program(&pit, 0, 2, 10, at(10));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(50), at(50)), 0);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(500), at(50)), 0);
}

/* ---- mode 0 ----------------------------------------------------------- */

Test(pit8254, mode0_control_word_drives_out_low)
{
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LSB_MSB, 0, false), at(5));
	cr_expect_not(pit8254_out(&pit, 0, at(5)));
	cr_expect_not(pit8254_out(&pit, 0, at(100000)));
}

Test(pit8254, mode0_out_rises_at_terminal_count_and_stays_high)
{
	program(&pit, 0, 0, 100, at(10)); /* loaded on 11, reaches 0 on 111 */
	cr_expect_not(pit8254_out(&pit, 0, at(11)));
	cr_expect_not(pit8254_out(&pit, 0, at(111) - 1));
	cr_expect(pit8254_out(&pit, 0, at(111)));
	cr_expect(pit8254_out(&pit, 0, at(111 + 65536 * 3)));
}

Test(pit8254, mode0_reports_exactly_one_edge)
{
	program(&pit, 0, 0, 100, at(10));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(111));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(111) - 1), at(111));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(111)), UINT64_MAX);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(10), at(110)), 0);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(110), at(111)), 1);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(10), at(50000000)), 1);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(111), at(50000000)), 0);
}

Test(pit8254, mode0_counter_decrements_and_wraps_after_terminal_count)
{
	program(&pit, 0, 0, 100, at(10));
	cr_expect_eq(latched(&pit, 0, at(11)), 100);
	cr_expect_eq(latched(&pit, 0, at(61)), 50);
	cr_expect_eq(latched(&pit, 0, at(111)), 0);
	cr_expect_eq(latched(&pit, 0, at(112)), 0xffff);
}

Test(pit8254, mode0_new_count_mid_count_restarts_from_new_count)
{
	program(&pit, 0, 0, 100, at(10));
	program(&pit, 0, 0, 200, at(60)); /* reload on 61: TC on 261 */
	cr_expect_not(pit8254_out(&pit, 0, at(111)));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(60)), at(261));
	cr_expect(pit8254_out(&pit, 0, at(261)));
}

Test(pit8254, mode0_first_byte_of_two_stops_counting_and_drops_out)
{
	program(&pit, 0, 0, 100, at(10));
	cr_expect(pit8254_out(&pit, 0, at(200)));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x05, at(200));
	cr_expect_not(pit8254_out(&pit, 0, at(200)));
	uint16_t frozen = latched(&pit, 0, at(201));
	cr_expect_eq(latched(&pit, 0, at(900)), frozen);
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(900)), UINT64_MAX);
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x00, at(1000)); /* count 5 */
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(1000)), at(1006));
}

Test(pit8254, mode0_gate_low_pauses_counting_on_channel2)
{
	set_port61(&pit, PIT_SYSB_GATE2, at(0));
	program(&pit, 2, 0, 100, at(10)); /* would reach TC on 111 */
	set_port61(&pit, 0, at(51));      /* 40 decrements done */
	uint16_t held = latched(&pit, 2, at(51));
	cr_expect_eq(held, 60);
	cr_expect_eq(latched(&pit, 2, at(500)), 60);
	cr_expect_not(pit8254_out(&pit, 2, at(500)));
	set_port61(&pit, PIT_SYSB_GATE2, at(1000)); /* 60 more: TC on 1060 */
	cr_expect_not(pit8254_out(&pit, 2, at(1059)));
	cr_expect(pit8254_out(&pit, 2, at(1060)));
}

/* ---- mode 1 ----------------------------------------------------------- */

Test(pit8254, mode1_waits_for_gate_rising_edge_then_pulses_low_for_count)
{
	program(&pit, 2, 1, 5, at(10));
	cr_expect(pit8254_out(&pit, 2, at(100)));
	set_port61(&pit, PIT_SYSB_GATE2, at(200)); /* load on 201, low until 206 */
	cr_expect(pit8254_out(&pit, 2, at(200)));
	cr_expect_not(pit8254_out(&pit, 2, at(201)));
	cr_expect_not(pit8254_out(&pit, 2, at(205)));
	cr_expect(pit8254_out(&pit, 2, at(206)));
}

Test(pit8254, mode1_is_retriggerable)
{
	program(&pit, 2, 1, 5, at(10));
	set_port61(&pit, PIT_SYSB_GATE2, at(200));
	set_port61(&pit, 0, at(202));
	cr_expect_not(pit8254_out(&pit, 2, at(203)), "gate level must not matter in mode 1");
	set_port61(&pit, PIT_SYSB_GATE2, at(204)); /* reload on 205: low until 210 */
	cr_expect_not(pit8254_out(&pit, 2, at(207)));
	cr_expect_not(pit8254_out(&pit, 2, at(209)));
	cr_expect(pit8254_out(&pit, 2, at(210)));
}

Test(pit8254, mode1_never_triggers_on_channel0_whose_gate_is_tied_high)
{
	program(&pit, 0, 1, 5, at(10));
	cr_expect(pit8254_out(&pit, 0, at(1000)));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), UINT64_MAX);
}

/* ---- mode 2 ----------------------------------------------------------- */

Test(pit8254, mode2_out_goes_low_for_one_clock_per_period)
{
	program(&pit, 0, 2, 4, at(10)); /* CE 4,3,2,1 on pulses 11..14 */
	cr_expect(pit8254_out(&pit, 0, at(10)));
	cr_expect(pit8254_out(&pit, 0, at(13)));
	cr_expect_not(pit8254_out(&pit, 0, at(14)));
	cr_expect(pit8254_out(&pit, 0, at(15)));
	cr_expect_not(pit8254_out(&pit, 0, at(18)));
	cr_expect(pit8254_out(&pit, 0, at(19)));
}

Test(pit8254, mode2_counter_counts_down_to_one_and_reloads)
{
	program(&pit, 0, 2, 4, at(10));
	cr_expect_eq(latched(&pit, 0, at(11)), 4);
	cr_expect_eq(latched(&pit, 0, at(14)), 1);
	cr_expect_eq(latched(&pit, 0, at(15)), 4);
}

Test(pit8254, mode2_edges_are_periodic)
{
	program(&pit, 0, 2, 1000, at(10)); /* edges on 1011, 2011, ... */
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(1011));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(1011)), at(2011));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(1500)), at(2011));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(10), at(10011)), 10);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(1011), at(2010)), 0);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(1010), at(1011)), 1);
}

Test(pit8254, mode2_edge_times_are_strictly_after_now)
{
	program(&pit, 0, 2, 1193, at(10));
	uint64_t t = at(10);
	for (int i = 0; i < 50; i++) {
		uint64_t e = pit8254_next_irq0_edge(&pit, t);
		cr_assert_gt(e, t);
		cr_expect_eq(pit8254_irq0_edges_between(&pit, t, e), 1);
		cr_expect_eq(pit8254_irq0_edges_between(&pit, t, e - 1), 0);
		t = e;
	}
}

Test(pit8254, mode2_new_count_takes_effect_at_end_of_current_period)
{
	program(&pit, 0, 2, 100, at(10)); /* edges on 111, 211, ... */
	pit8254_write(&pit, PIT_PORT_COUNTER0, 50, at(150));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0, at(150));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(150)), at(211));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(211)), at(261));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(150), at(311)), 3);
	cr_expect_eq(latched(&pit, 0, at(160)), 51, "current period is not disturbed");
	cr_expect_eq(latched(&pit, 0, at(211)), 50);
}

Test(pit8254, mode2_pending_count_shows_null_count_until_loaded)
{
	program(&pit, 0, 2, 100, at(10));
	cr_expect_eq(read_status(&pit, 0, at(50)) & PIT_STATUS_NULL_COUNT, 0);
	pit8254_write(&pit, PIT_PORT_COUNTER0, 50, at(150));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0, at(150));
	cr_expect_neq(read_status(&pit, 0, at(210)) & PIT_STATUS_NULL_COUNT, 0);
	cr_expect_eq(read_status(&pit, 0, at(211)) & PIT_STATUS_NULL_COUNT, 0);
}

Test(pit8254, mode2_control_word_mid_count_restarts_counter)
{
	program(&pit, 0, 2, 100, at(10));
	program(&pit, 0, 2, 50, at(150)); /* load on 151, edges on 201, 251 */
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(150)), at(201));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(150), at(251)), 2);
}

Test(pit8254, mode2_gate_low_forces_out_high_and_rising_edge_reloads)
{
	set_port61(&pit, PIT_SYSB_GATE2, at(0));
	program(&pit, 2, 2, 10, at(10)); /* low on 20 */
	cr_expect_not(pit8254_out(&pit, 2, at(20)));
	set_port61(&pit, 0, at(20));
	cr_expect(pit8254_out(&pit, 2, at(20)));
	cr_expect(pit8254_out(&pit, 2, at(100)));
	cr_expect_eq(latched(&pit, 2, at(100)), 1, "CE holds while gate is low");
	set_port61(&pit, PIT_SYSB_GATE2, at(100)); /* reload on 101, low on 110 */
	cr_expect_eq(latched(&pit, 2, at(101)), 10);
	cr_expect(pit8254_out(&pit, 2, at(109)));
	cr_expect_not(pit8254_out(&pit, 2, at(110)));
}

Test(pit8254, mode2_long_run_edge_count_is_exact)
{
	program(&pit, 0, 2, 1193, at(10)); /* edges on 11 + m * 1193 */
	uint64_t end = T0 + 3600ull * 1000000000ull;
	uint64_t pulses = 3600ull * PIT_FREQ_HZ;
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(10), end), (pulses - 11) / 1193);
}

/* ---- mode 3 ----------------------------------------------------------- */

Test(pit8254, mode3_even_count_gives_symmetric_square_wave)
{
	program(&pit, 0, 3, 10, at(10)); /* high 11..15, low 16..20 */
	cr_expect(pit8254_out(&pit, 0, at(11)));
	cr_expect(pit8254_out(&pit, 0, at(15)));
	cr_expect_not(pit8254_out(&pit, 0, at(16)));
	cr_expect_not(pit8254_out(&pit, 0, at(20)));
	cr_expect(pit8254_out(&pit, 0, at(21)));
	cr_expect_eq(latched(&pit, 0, at(11)), 10);
	cr_expect_eq(latched(&pit, 0, at(12)), 8);
	cr_expect_eq(latched(&pit, 0, at(16)), 10);
}

Test(pit8254, mode3_odd_count_is_high_one_clock_longer_than_low)
{
	program(&pit, 0, 3, 5, at(10)); /* high 11,12,13; low 14,15 */
	cr_expect(pit8254_out(&pit, 0, at(13)));
	cr_expect_not(pit8254_out(&pit, 0, at(14)));
	cr_expect_not(pit8254_out(&pit, 0, at(15)));
	cr_expect(pit8254_out(&pit, 0, at(16)));
	/* Loaded with N-1 and decremented by two; 0 shows before OUT falls. */
	cr_expect_eq(latched(&pit, 0, at(11)), 4);
	cr_expect_eq(latched(&pit, 0, at(12)), 2);
	cr_expect_eq(latched(&pit, 0, at(13)), 0);
	cr_expect_eq(latched(&pit, 0, at(14)), 4);
	cr_expect_eq(latched(&pit, 0, at(15)), 2);
}

Test(pit8254, mode3_edges_once_per_period)
{
	program(&pit, 0, 3, 1000, at(10)); /* rising on 1011, 2011, ... */
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(1011));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(600)), at(1011));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(1011)), at(2011));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(10), at(5011)), 5);
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(10), at(5010)), 4);
}

Test(pit8254, mode3_new_count_loaded_at_end_of_current_half_cycle)
{
	program(&pit, 0, 3, 10, at(10)); /* high half ends on 16 */
	pit8254_write(&pit, PIT_PORT_COUNTER0, 20, at(13));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0, at(13));
	/* New count starts with its low half on 16 (10 clocks), rises on 26. */
	cr_expect(pit8254_out(&pit, 0, at(15)));
	cr_expect_not(pit8254_out(&pit, 0, at(16)));
	cr_expect_not(pit8254_out(&pit, 0, at(25)));
	cr_expect(pit8254_out(&pit, 0, at(26)));
	cr_expect_not(pit8254_out(&pit, 0, at(36)));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(13)), at(26));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(13), at(66)), 3); /* 26, 46, 66 */
}

Test(pit8254, mode3_new_count_written_in_low_half_starts_high)
{
	program(&pit, 0, 3, 10, at(10)); /* low 16..20, rises on 21 */
	pit8254_write(&pit, PIT_PORT_COUNTER0, 4, at(17));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0, at(17));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(17)), at(21));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(21)), at(25));
	cr_expect_not(pit8254_out(&pit, 0, at(23)));
}

Test(pit8254, modes_6_and_7_alias_modes_2_and_3)
{
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LSB_MSB, 6, false), at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 4, at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0, at(10));
	cr_expect_not(pit8254_out(&pit, 0, at(14)));
	cr_expect(pit8254_out(&pit, 0, at(15)));
	cr_expect_eq((read_status(&pit, 0, at(20)) >> 1) & 7, 6, "status echoes M2..M0");

	pit8254_write(&pit, PIT_PORT_CONTROL, cw(1, PIT_RW_LSB_MSB, 7, false), at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER1, 10, at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER1, 0, at(10));
	cr_expect(pit8254_out(&pit, 1, at(15)));
	cr_expect_not(pit8254_out(&pit, 1, at(16)));
}

/* ---- modes 4 and 5 ---------------------------------------------------- */

Test(pit8254, mode4_strobes_out_low_for_one_clock_after_count)
{
	program(&pit, 0, 4, 5, at(10)); /* loaded 11, CE 0 on 16 */
	cr_expect(pit8254_out(&pit, 0, at(15)));
	cr_expect_not(pit8254_out(&pit, 0, at(16)));
	cr_expect(pit8254_out(&pit, 0, at(17)));
	cr_expect(pit8254_out(&pit, 0, at(17 + 65536)), "no second strobe");
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(17));
	cr_expect_eq(pit8254_irq0_edges_between(&pit, at(10), at(10000000)), 1);
}

Test(pit8254, mode5_strobes_after_gate_trigger)
{
	program(&pit, 2, 5, 3, at(10));
	cr_expect(pit8254_out(&pit, 2, at(100)));
	set_port61(&pit, PIT_SYSB_GATE2, at(100)); /* load 101, strobe on 104 */
	cr_expect(pit8254_out(&pit, 2, at(103)));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(104)) & PIT_SYSB_OUT2, 0);
	cr_expect_neq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(105)) & PIT_SYSB_OUT2, 0);
}

/* ---- count encoding --------------------------------------------------- */

Test(pit8254, binary_count_0_means_65536)
{
	program(&pit, 0, 2, 0, at(10));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(11 + 65536));
	cr_expect_eq(latched(&pit, 0, at(11)), 0);
	cr_expect_eq(latched(&pit, 0, at(12)), 0xffff);
}

Test(pit8254, mode3_count_0_gives_18_hz_period)
{
	program(&pit, 0, 3, 0, at(10));
	cr_expect_not(pit8254_out(&pit, 0, at(11 + 32768)));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(11 + 65536));
}

Test(pit8254, bcd_count_0_means_10000)
{
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LSB_MSB, 2, true), at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0, at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0, at(10));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(11 + 10000));
	cr_expect_eq(latched(&pit, 0, at(12)), 0x9999);
}

Test(pit8254, bcd_counter_counts_and_reads_in_decimal)
{
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LSB_MSB, 0, true), at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x34, at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x12, at(10)); /* 1234 decimal */
	cr_expect_eq(latched(&pit, 0, at(11 + 100)), 0x1134);
	cr_expect_eq(latched(&pit, 0, at(11 + 235)), 0x0999);
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(11 + 1234));
	cr_expect_eq(latched(&pit, 0, at(11 + 1235)), 0x9999, "wraps modulo 10000");
}

/* ---- access modes, latches, read-back ------------------------------------ */

Test(pit8254, lsb_only_access_writes_and_reads_low_byte)
{
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LSB, 2, false), at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x20, at(10)); /* count 32 */
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(11 + 32));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(12)), 31);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(13)), 30);
}

Test(pit8254, msb_only_access_writes_and_reads_high_byte)
{
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_MSB, 2, false), at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x02, at(10)); /* count 512 */
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(10)), at(11 + 512));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(11)), 0x02);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(12)), 0x01);
}

Test(pit8254, lsb_msb_read_and_write_toggles_are_independent)
{
	/* The datasheet's example: read LSB, write LSB, read MSB, write MSB. */
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LSB_MSB, 0, false), at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x34, at(10));
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x12, at(10));
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LATCH, 0, false), at(11));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(20)), 0x34);
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x78, at(20));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(21)), 0x12);
	pit8254_write(&pit, PIT_PORT_COUNTER0, 0x56, at(21)); /* 0x5678 loaded on 22 */
	cr_expect_eq(latched(&pit, 0, at(22)), 0x5678);
}

Test(pit8254, counter_latch_holds_value_until_fully_read)
{
	program(&pit, 0, 2, 1000, at(10));
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LATCH, 0, false), at(111)); /* CE 900 */
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(500)), 900 & 0xff);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(600)), 900 >> 8);
	/* Released: the next reads follow the live count (CE 700 on 311). */
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(311)), 700 & 0xff);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(311)), 700 >> 8);
}

Test(pit8254, second_latch_before_read_is_ignored)
{
	program(&pit, 0, 2, 1000, at(10));
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LATCH, 0, false), at(111));
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LATCH, 0, false), at(211));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(300)), 900 & 0xff);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(300)), 900 >> 8);
}

Test(pit8254, latch_command_keeps_mode_and_count)
{
	program(&pit, 0, 2, 100, at(10));
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(0, PIT_RW_LATCH, 0, false), at(50));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(50)), at(111));
	cr_expect_eq(read_status(&pit, 0, at(50)) & 0x3f, (PIT_RW_LSB_MSB << 4) | (2 << 1));
}

Test(pit8254, readback_status_reports_out_mode_access_bcd_and_null_count)
{
	pit8254_write(&pit, PIT_PORT_CONTROL, cw(1, PIT_RW_LSB, 4, true), at(10));
	uint8_t st = read_status(&pit, 1, at(10));
	cr_expect_eq(st, PIT_STATUS_OUT | PIT_STATUS_NULL_COUNT | PIT_RW_LSB << 4 | 4 << 1 | 1);
	pit8254_write(&pit, PIT_PORT_COUNTER1, 0x05, at(20));
	cr_expect_neq(read_status(&pit, 1, at(20)) & PIT_STATUS_NULL_COUNT, 0,
		      "count not loaded until the next CLK");
	cr_expect_eq(read_status(&pit, 1, at(21)) & PIT_STATUS_NULL_COUNT, 0);
	cr_expect_eq(read_status(&pit, 1, at(26)) & PIT_STATUS_OUT, 0, "mode 4 strobe");
}

Test(pit8254, mode1_null_count_stays_set_until_trigger)
{
	program(&pit, 2, 1, 5, at(10));
	cr_expect_neq(read_status(&pit, 2, at(500)) & PIT_STATUS_NULL_COUNT, 0);
	set_port61(&pit, PIT_SYSB_GATE2, at(500));
	cr_expect_eq(read_status(&pit, 2, at(501)) & PIT_STATUS_NULL_COUNT, 0);
}

Test(pit8254, readback_status_and_count_returns_status_first)
{
	program(&pit, 0, 2, 1000, at(10));
	pit8254_write(&pit, PIT_PORT_CONTROL, (uint8_t)(0xc0 | PIT_RB_CNT(0)), at(111));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(300)),
		     PIT_STATUS_OUT | PIT_RW_LSB_MSB << 4 | 2 << 1);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(300)), 900 & 0xff);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(300)), 900 >> 8);
}

Test(pit8254, readback_latches_every_selected_counter)
{
	program(&pit, 0, 2, 1000, at(10));
	program(&pit, 2, 0, 3000, at(10));
	pit8254_write(&pit, PIT_PORT_CONTROL,
		      (uint8_t)(0xc0 | PIT_RB_NO_STATUS | PIT_RB_CNT(0) | PIT_RB_CNT(2)), at(111));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(400)), 900 & 0xff);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER0, at(400)), 900 >> 8);
	/* Gate 2 is low at power-on, so counter 2 has not decremented. */
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER2, at(400)), 3000 & 0xff);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_COUNTER2, at(400)), 3000 >> 8);
}

Test(pit8254, control_word_releases_latches)
{
	program(&pit, 0, 2, 1000, at(10));
	pit8254_write(&pit, PIT_PORT_CONTROL, (uint8_t)(0xc0 | PIT_RB_CNT(0)), at(111));
	program(&pit, 0, 2, 500, at(200)); /* loaded on 201 */
	cr_expect_eq(latched(&pit, 0, at(211)), 490);
}

/* ---- port 0x61 ---------------------------------------------------------- */

Test(pit8254, port61_writable_bits_read_back)
{
	set_port61(&pit, 0xff, at(0));
	uint8_t v = pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(0));
	cr_expect_eq(v & 0xcf, PIT_SYSB_WRITABLE, "bits 6-7 stay clear, 0-3 stored");
	set_port61(&pit, PIT_SYSB_SPEAKER_EN, at(0));
	v = pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(0));
	cr_expect_eq(v & PIT_SYSB_WRITABLE, PIT_SYSB_SPEAKER_EN);
}

Test(pit8254, port61_refresh_bit_toggles_every_18_clocks)
{
	uint8_t a = pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(0)) & PIT_SYSB_REFRESH;
	uint8_t b = pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(17)) & PIT_SYSB_REFRESH;
	uint8_t c = pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(18)) & PIT_SYSB_REFRESH;
	uint8_t d = pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(36)) & PIT_SYSB_REFRESH;
	cr_expect_eq(a, b);
	cr_expect_neq(b, c);
	cr_expect_neq(c, d);
}

Test(pit8254, port61_out2_follows_channel2_square_wave)
{
	set_port61(&pit, PIT_SYSB_GATE2 | PIT_SYSB_SPEAKER_EN, at(0));
	program(&pit, 2, 3, 10, at(10)); /* high 11..15, low 16..20 */
	cr_expect_neq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(12)) & PIT_SYSB_OUT2, 0);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(17)) & PIT_SYSB_OUT2, 0);
	cr_expect_neq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(21)) & PIT_SYSB_OUT2, 0);
}

Test(pit8254, port61_gate2_starts_channel2_mode0_countdown)
{
	/* The classic calibration loop: program counter 2, then open gate 2. */
	program(&pit, 2, 0, 50, at(10));
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(500)) & PIT_SYSB_OUT2, 0);
	set_port61(&pit, PIT_SYSB_GATE2, at(500)); /* TC on 550 */
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(549)) & PIT_SYSB_OUT2, 0);
	cr_expect_neq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(550)) & PIT_SYSB_OUT2, 0);
	cr_expect_eq(pit8254_read(&pit, PIT_PORT_SYSCTL_B, at(550)) & PIT_SYSB_GATE2,
		     PIT_SYSB_GATE2);
}

Test(pit8254, channel2_gate_does_not_affect_channel0)
{
	program(&pit, 0, 2, 100, at(10));
	set_port61(&pit, PIT_SYSB_GATE2, at(50));
	set_port61(&pit, 0, at(60));
	cr_expect_eq(pit8254_next_irq0_edge(&pit, at(60)), at(111));
}
