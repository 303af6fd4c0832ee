/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the 8259A PIC pair model, through its public interface
 * only: IRQ lines, port reads/writes, the INTA cycle, the INT callback and
 * the statistics.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "irqchip/pic8259.h"

/* Vector bases used by the standard initialization below (Linux uses the same shape). */
#define MBASE 0x20
#define SBASE 0x28

struct output_log {
	unsigned calls;
	unsigned rises;
	unsigned falls;
	bool level;
};

static void record_output(void *opaque, bool level)
{
	struct output_log *log = opaque;

	log->calls++;
	if (level)
		log->rises++;
	else
		log->falls++;
	log->level = level;
}

static struct pic8259 pic;
static struct output_log out;

static void wr(uint16_t port, uint8_t value)
{
	pic8259_write(&pic, port, value);
}

static uint8_t rd(uint16_t port)
{
	return pic8259_read(&pic, port);
}

static void fresh(void)
{
	memset(&out, 0, sizeof(out));
	pic8259_init(&pic, record_output, &out);
}

/* ICW1-ICW4 for a cascaded pair with the given ICW4 values, then unmask everything. */
static void init_pair_icw4(uint8_t master_icw4, uint8_t slave_icw4)
{
	wr(0x20, 0x11); /* ICW1: edge, cascade, IC4 */
	wr(0x21, MBASE);
	wr(0x21, 0x04); /* slave on IR2 */
	wr(0x21, master_icw4);
	wr(0xa0, 0x11);
	wr(0xa1, SBASE);
	wr(0xa1, 0x02); /* slave ID 2 */
	wr(0xa1, slave_icw4);
	wr(0x21, 0x00);
	wr(0xa1, 0x00);
}

static void setup_pair(void)
{
	fresh();
	init_pair_icw4(0x01, 0x01);
}

static void pulse(unsigned irq)
{
	pic8259_set_irq(&pic, irq, true);
	pic8259_set_irq(&pic, irq, false);
}

static uint8_t master_isr(void)
{
	wr(0x20, 0x0b);
	return rd(0x20);
}

static uint8_t slave_isr(void)
{
	wr(0xa0, 0x0b);
	return rd(0xa0);
}

static uint8_t master_irr(void)
{
	wr(0x20, 0x0a);
	return rd(0x20);
}

static uint8_t slave_irr(void)
{
	wr(0xa0, 0x0a);
	return rd(0xa0);
}

static void master_eoi(void)
{
	wr(0x20, 0x20);
}

static void slave_eoi(void)
{
	wr(0xa0, 0x20);
}

static const struct pic8259_stats *stats(void)
{
	return pic8259_stats(&pic);
}

/* ---- power-on and reset ---- */

Test(pic8259, power_on_state_masks_everything_with_pc_defaults)
{
	fresh();
	cr_assert_eq(rd(0x21), 0xff);
	cr_assert_eq(rd(0xa1), 0xff);
	cr_assert_eq(rd(0x20), 0x00); /* IRR */
	cr_assert_eq(rd(0x4d0), 0x00);
	cr_assert_eq(rd(0x4d1), 0x00);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(out.calls, 0);

	/* Without any ICW the pair still routes like a PC: 0x08 and 0x70 bases. */
	wr(0x21, 0x00);
	wr(0xa1, 0x00);
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), 0x09);
	pulse(10);
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), 0x72);
}

Test(pic8259, reset_returns_to_power_on_state_and_lowers_output)
{
	setup_pair();
	pic8259_set_irq(&pic, 4, true);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(out.level, true);
	wr(0x4d0, 0x20);

	pic8259_reset(&pic);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(out.calls, 2);
	cr_assert_eq(out.level, false);
	cr_assert_eq(rd(0x21), 0xff);
	cr_assert_eq(rd(0x20), 0x00);
	cr_assert_eq(rd(0x4d0), 0x00);
}

Test(pic8259, reset_keeps_statistics)
{
	setup_pair();
	pulse(3);
	pic8259_reset(&pic);
	cr_assert_eq(stats()->latched[3], 1);
}

Test(pic8259, init_makes_no_callback_and_null_callback_is_allowed)
{
	fresh();
	cr_assert_eq(out.calls, 0);
	pic8259_init(&pic, NULL, NULL);
	init_pair_icw4(0x01, 0x01);
	pic8259_set_irq(&pic, 1, true);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	pic8259_reset(&pic);
	cr_assert_eq(out.calls, 0);
}

/* ---- initialization command words ---- */

Test(pic8259, cascade_icw_sequence_with_icw4_programs_both_vector_bases)
{
	setup_pair();
	pulse(0);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 0);
	master_eoi();
	pulse(14);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 6);
}

Test(pic8259, icw2_low_three_bits_are_ignored_for_vectors)
{
	fresh();
	wr(0x20, 0x11);
	wr(0x21, 0x47);
	wr(0x21, 0x04);
	wr(0x21, 0x01);
	wr(0x21, 0x00);
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), 0x43);
}

Test(pic8259, icw1_without_ic4_completes_after_icw3)
{
	fresh();
	wr(0x20, 0x10); /* cascade, no ICW4 */
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	wr(0x21, 0x5a); /* already OCW1 */
	cr_assert_eq(rd(0x21), 0x5a);
}

Test(pic8259, single_mode_with_icw4_skips_icw3)
{
	fresh();
	wr(0x20, 0x13); /* single, IC4 */
	wr(0x21, MBASE);
	wr(0x21, 0x01); /* ICW4 */
	wr(0x21, 0x00); /* OCW1 */
	cr_assert_eq(rd(0x21), 0x00);
	pulse(5);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
}

Test(pic8259, single_mode_without_icw4_needs_only_icw2)
{
	fresh();
	wr(0x20, 0x12);
	wr(0x21, MBASE);
	wr(0x21, 0x81); /* OCW1 */
	cr_assert_eq(rd(0x21), 0x81);
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
}

Test(pic8259, single_mode_master_answers_ir2_with_its_own_vector)
{
	fresh();
	wr(0x20, 0x13);
	wr(0x21, MBASE);
	wr(0x21, 0x01);
	wr(0x21, 0x00);
	/* The slave as left by power-on still drives IR2. */
	wr(0xa1, 0x00);
	pulse(9);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 2);
	cr_assert_eq(master_isr(), 0x04);
	cr_assert_eq(slave_isr(), 0x00);
}

Test(pic8259, icw1_clears_imr_isr_irr_and_selects_irr_read)
{
	setup_pair();
	pulse(3);
	pulse(5);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	wr(0x21, 0xf0);
	wr(0x20, 0x0b); /* read ISR */

	wr(0x20, 0x11);
	cr_assert_eq(rd(0x21), 0x00);
	cr_assert_eq(rd(0x20), 0x00); /* IRR, not ISR, and IR5's edge is gone */
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	wr(0x21, 0x01);
	cr_assert_eq(master_isr(), 0x00);
	cr_assert_eq(master_irr(), 0x00);
	cr_assert_not(pic8259_output(&pic));
}

Test(pic8259, edge_line_high_across_icw1_needs_a_new_rising_edge)
{
	setup_pair();
	pic8259_set_irq(&pic, 4, true);
	init_pair_icw4(0x01, 0x01);
	cr_assert_eq(master_irr(), 0x00);
	cr_assert_eq(pic8259_set_irq(&pic, 4, true), PIC8259_NO_CHANGE);
	cr_assert_not(pic8259_output(&pic));
	pic8259_set_irq(&pic, 4, false);
	cr_assert_eq(pic8259_set_irq(&pic, 4, true), PIC8259_LATCHED);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
}

Test(pic8259, icw1_resets_priority_so_ir7_is_lowest)
{
	setup_pair();
	wr(0x20, 0xc3); /* set priority: IR3 lowest */
	init_pair_icw4(0x01, 0x01);
	pulse(7);
	pulse(0);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 0);
}

Test(pic8259, icw1_clears_special_mask_mode)
{
	setup_pair();
	wr(0x20, 0x68); /* set special mask */
	init_pair_icw4(0x01, 0x01);
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	pulse(5);
	cr_assert_not(pic8259_output(&pic), "IR3 in service must block IR5 again");
}

Test(pic8259, icw1_without_ic4_turns_off_aeoi)
{
	fresh();
	init_pair_icw4(0x03, 0x01); /* master AEOI */
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	cr_assert_eq(master_isr(), 0x00);

	wr(0x20, 0x10); /* cascade, no ICW4 */
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	wr(0x21, 0x00);
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	cr_assert_eq(master_isr(), 0x02);
}

Test(pic8259, odd_port_writes_during_icw_sequence_are_consumed_as_icws)
{
	fresh();
	wr(0x20, 0x11);
	wr(0x21, 0xff); /* ICW2, not a mask */
	cr_assert_eq(rd(0x21), 0x00, "ICW1 cleared IMR and ICW2 did not touch it");
	wr(0x21, 0x04);
	wr(0x21, 0x01);
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), 0xf9);
}

Test(pic8259, even_port_ocw_writes_during_icw_sequence_are_ignored)
{
	fresh();
	wr(0x20, 0x11);
	wr(0x21, MBASE);
	wr(0x20, 0x0b); /* OCW3 "read ISR": dropped */
	wr(0x20, 0xc5); /* OCW2 set priority: dropped */
	wr(0x21, 0x04); /* still ICW3 */
	wr(0x21, 0x01); /* ICW4 */
	wr(0x21, 0x00);
	pic8259_set_irq(&pic, 6, true);
	cr_assert_eq(rd(0x20), 0x40, "even-port reads still return IRR");
	pulse(0);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 0, "priority was not changed");
}

Test(pic8259, icw1_mid_sequence_restarts_initialization)
{
	fresh();
	wr(0x20, 0x11);
	wr(0x21, 0x80);
	wr(0x20, 0x13); /* restart: single mode */
	wr(0x21, MBASE);
	wr(0x21, 0x01);
	wr(0x21, 0x00);
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
}

Test(pic8259, output_held_low_until_icw_sequence_completes)
{
	fresh();
	wr(0x20, 0x11);
	pic8259_set_irq(&pic, 1, true);
	cr_assert_not(pic8259_output(&pic));
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	cr_assert_not(pic8259_output(&pic));
	wr(0x21, 0x01);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(out.rises, 1);
}

/* ---- OCW1: masking ---- */

Test(pic8259, ocw1_writes_imr_and_odd_port_reads_it_back)
{
	setup_pair();
	wr(0x21, 0xa5);
	wr(0xa1, 0x3c);
	cr_assert_eq(rd(0x21), 0xa5);
	cr_assert_eq(rd(0xa1), 0x3c);
}

Test(pic8259, masked_irq_stays_in_irr_until_unmasked)
{
	setup_pair();
	wr(0x21, 0x08);
	pulse(3);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(master_irr(), 0x08);
	cr_assert_eq(out.calls, 0);
	wr(0x21, 0x00);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(out.rises, 1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
}

Test(pic8259, masking_a_pending_request_lowers_output)
{
	setup_pair();
	pulse(6);
	cr_assert(pic8259_output(&pic));
	wr(0x21, 0x40);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(out.falls, 1);
}

Test(pic8259, masked_level_does_not_hide_lower_priority_requests)
{
	setup_pair();
	wr(0x21, 0x01);
	pulse(0);
	pulse(4);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
}

/* ---- OCW2: EOI and rotation ---- */

Test(pic8259, nonspecific_eoi_clears_highest_priority_isr_bit)
{
	setup_pair();
	pulse(5);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	cr_assert_eq(master_isr(), 0x22);
	master_eoi();
	cr_assert_eq(master_isr(), 0x20);
	master_eoi();
	cr_assert_eq(master_isr(), 0x00);
}

Test(pic8259, specific_eoi_clears_only_the_named_level)
{
	setup_pair();
	pulse(5);
	pic8259_inta(&pic);
	pulse(1);
	pic8259_inta(&pic);
	wr(0x20, 0x65); /* specific EOI IR5 */
	cr_assert_eq(master_isr(), 0x02);
	cr_assert_eq(stats()->eoi[5], 1);
	cr_assert_eq(stats()->eoi[1], 0);
}

Test(pic8259, specific_eoi_on_idle_level_changes_nothing)
{
	setup_pair();
	pulse(4);
	pic8259_inta(&pic);
	wr(0x20, 0x66);
	cr_assert_eq(master_isr(), 0x10);
	cr_assert_eq(stats()->eoi[6], 0);
}

Test(pic8259, nonspecific_eoi_with_nothing_in_service_is_harmless)
{
	setup_pair();
	master_eoi();
	wr(0x20, 0xa0); /* rotate on non-specific EOI */
	cr_assert_eq(master_isr(), 0x00);
	pulse(0);
	pulse(7);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 0, "no rotation happened");
}

Test(pic8259, ocw2_no_operation_changes_nothing)
{
	setup_pair();
	pulse(3);
	pic8259_inta(&pic);
	wr(0x20, 0x40);
	wr(0x20, 0x47);
	cr_assert_eq(master_isr(), 0x08);
}

Test(pic8259, rotate_on_nonspecific_eoi_makes_serviced_level_lowest)
{
	setup_pair();
	pulse(4);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
	wr(0x20, 0xa0);
	cr_assert_eq(master_isr(), 0x00);
	/* Now IR5 is highest and IR4 lowest. */
	pulse(4);
	pulse(3);
	pulse(5);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	wr(0x20, 0x20);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	wr(0x20, 0x20);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
}

Test(pic8259, automatic_rotation_serves_equal_priority_devices_round_robin)
{
	setup_pair();
	/* Three devices keep requesting; each is served once before any repeats. */
	for (unsigned round = 0; round < 3; round++) {
		pulse(1);
		pulse(3);
		pulse(6);
		uint8_t a = pic8259_inta(&pic);
		wr(0x20, 0xa0);
		uint8_t b = pic8259_inta(&pic);
		wr(0x20, 0xa0);
		uint8_t c = pic8259_inta(&pic);
		wr(0x20, 0xa0);
		cr_assert(a != b && b != c && a != c);
	}
	cr_assert_eq(stats()->acked[1], 3);
	cr_assert_eq(stats()->acked[3], 3);
	cr_assert_eq(stats()->acked[6], 3);
}

Test(pic8259, rotate_on_specific_eoi_makes_named_level_lowest)
{
	setup_pair();
	pulse(6);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 6);
	wr(0x20, 0xe6); /* rotate on specific EOI, IR6 */
	cr_assert_eq(master_isr(), 0x00);
	pulse(6);
	pulse(7);
	pulse(0);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 7);
	cr_assert_eq(stats()->eoi[6], 1);
}

Test(pic8259, set_priority_command_makes_named_level_lowest)
{
	setup_pair();
	wr(0x20, 0xc1); /* IR1 lowest, IR2 highest */
	pulse(0);
	pulse(1);
	pulse(4);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
	cr_assert_eq(master_isr(), 0x10);
	/* IR4 in service blocks IR0 and IR1, which now rank below it. */
	cr_assert_not(pic8259_output(&pic));
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 0);
}

/* ---- OCW3: status read, poll, special mask ---- */

Test(pic8259, ocw3_selects_isr_or_irr_and_the_choice_persists)
{
	setup_pair();
	pulse(3);
	pic8259_inta(&pic);
	pulse(5);
	wr(0x20, 0x0b);
	cr_assert_eq(rd(0x20), 0x08);
	cr_assert_eq(rd(0x20), 0x08);
	wr(0x20, 0x08); /* RR = 0: no change of selection */
	cr_assert_eq(rd(0x20), 0x08);
	wr(0x20, 0x0a);
	cr_assert_eq(rd(0x20), 0x20);
	cr_assert_eq(rd(0x20), 0x20);
	cr_assert_eq(rd(0x21), 0x00, "odd port still reads IMR");
}

Test(pic8259, poll_returns_highest_request_and_acts_as_inta)
{
	setup_pair();
	wr(0x21, 0xff); /* polled systems keep INT unused */
	pulse(6);
	pulse(3);
	wr(0x20, 0x0c);
	cr_assert_eq(rd(0x20), 0x00, "masked requests are not polled");
	wr(0x21, 0x00);
	wr(0x20, 0x0c);
	cr_assert_eq(rd(0x20), 0x83);
	cr_assert_eq(master_isr(), 0x08);
	cr_assert_eq(master_irr(), 0x40);
	cr_assert_eq(stats()->acked[3], 1);
}

Test(pic8259, poll_with_nothing_pending_returns_zero)
{
	setup_pair();
	wr(0x20, 0x0c);
	cr_assert_eq(rd(0x20), 0x00);
	cr_assert_eq(master_isr(), 0x00);
}

Test(pic8259, poll_applies_to_the_next_read_only)
{
	setup_pair();
	pulse(4);
	wr(0x20, 0x0e); /* poll and "read IRR" together: poll wins for one read */
	cr_assert_eq(rd(0x20), 0x84);
	cr_assert_eq(rd(0x20), 0x00, "then IRR, now empty");
	cr_assert_eq(rd(0x21), 0x00);
}

Test(pic8259, poll_answers_a_read_of_the_odd_port_too)
{
	setup_pair();
	wr(0x21, 0x00);
	pulse(5);
	wr(0x20, 0x0c);
	cr_assert_eq(rd(0x21), 0x85);
	cr_assert_eq(rd(0x21), 0x00);
}

Test(pic8259, polling_master_reports_cascade_input_then_slave_poll_reports_level)
{
	setup_pair();
	pulse(11);
	wr(0x20, 0x0c);
	cr_assert_eq(rd(0x20), 0x82);
	wr(0xa0, 0x0c);
	cr_assert_eq(rd(0xa0), 0x83);
	cr_assert_eq(master_isr(), 0x04);
	cr_assert_eq(slave_isr(), 0x08);
	cr_assert_not(pic8259_output(&pic));
}

Test(pic8259, special_mask_mode_lets_lower_levels_in_during_a_service_routine)
{
	setup_pair();
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	pulse(6);
	cr_assert_not(pic8259_output(&pic));
	/* The IR3 routine masks itself and enters special mask mode. */
	wr(0x21, 0x08);
	wr(0x20, 0x68);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 6);
	cr_assert_eq(master_isr(), 0x48);
}

Test(pic8259, special_mask_mode_ignores_isr_bits_of_unmasked_levels_too)
{
	setup_pair();
	wr(0x20, 0x68);
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	pulse(5);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	pulse(1);
	cr_assert_not(pic8259_output(&pic), "a level in service is not nested into itself");
	cr_assert_eq(master_irr(), 0x02);
}

Test(pic8259, special_mask_mode_still_inhibits_masked_levels)
{
	setup_pair();
	wr(0x20, 0x68);
	wr(0x21, 0x10);
	pulse(4);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(master_irr(), 0x10);
}

Test(pic8259, resetting_special_mask_mode_restores_nested_blocking)
{
	setup_pair();
	wr(0x20, 0x68);
	pulse(1);
	pic8259_inta(&pic);
	wr(0x20, 0x48); /* reset special mask */
	pulse(4);
	cr_assert_not(pic8259_output(&pic));
	wr(0x20, 0x28); /* ESMM = 0: no change */
	cr_assert_not(pic8259_output(&pic));
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
}

/* ---- priority and nesting ---- */

Test(pic8259, lowest_numbered_request_wins_by_default)
{
	setup_pair();
	pulse(7);
	pulse(5);
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 7);
}

Test(pic8259, slave_irqs_rank_at_the_cascade_position)
{
	setup_pair();
	pulse(3);
	pulse(15);
	pulse(8);
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), SBASE + 0);
	slave_eoi();
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), SBASE + 7);
	slave_eoi();
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
}

Test(pic8259, higher_priority_irq_nests_into_lower_one_in_service)
{
	setup_pair();
	pulse(5);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	cr_assert_not(pic8259_output(&pic));
	pulse(1);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	cr_assert_eq(master_isr(), 0x22);
}

Test(pic8259, lower_priority_irq_waits_for_eoi)
{
	setup_pair();
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	pulse(5);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(master_irr(), 0x20);
	master_eoi();
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
}

Test(pic8259, same_level_does_not_nest_into_itself)
{
	setup_pair();
	pulse(4);
	pic8259_inta(&pic);
	pulse(4);
	cr_assert_not(pic8259_output(&pic));
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
}

/* ---- AEOI ---- */

Test(pic8259, aeoi_sets_no_isr_bit_and_counts_an_eoi)
{
	fresh();
	init_pair_icw4(0x03, 0x01);
	pulse(5);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	cr_assert_eq(master_isr(), 0x00);
	cr_assert_eq(stats()->acked[5], 1);
	cr_assert_eq(stats()->eoi[5], 1);
	pulse(6);
	cr_assert(pic8259_output(&pic), "nothing in service blocks IR6");
}

Test(pic8259, rotate_in_aeoi_rotates_after_each_acknowledge)
{
	fresh();
	init_pair_icw4(0x03, 0x01);
	wr(0x20, 0x80); /* rotate in AEOI: set */
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	pulse(1);
	pulse(4);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4, "IR1 is now lowest");
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
}

Test(pic8259, rotate_in_aeoi_clear_stops_rotation)
{
	fresh();
	init_pair_icw4(0x03, 0x01);
	wr(0x20, 0x80);
	wr(0x20, 0x00); /* rotate in AEOI: clear */
	pulse(1);
	pic8259_inta(&pic);
	pulse(1);
	pulse(4);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
}

Test(pic8259, aeoi_with_level_line_reinterrupts_while_line_is_high)
{
	fresh();
	init_pair_icw4(0x03, 0x01);
	wr(0x4d0, 0x20);
	pic8259_set_irq(&pic, 5, true);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	pic8259_set_irq(&pic, 5, false);
	cr_assert_not(pic8259_output(&pic));
}

/* ---- edge and level triggering ---- */

Test(pic8259, edge_request_is_latched_and_survives_line_drop)
{
	setup_pair();
	cr_assert_eq(pic8259_set_irq(&pic, 3, true), PIC8259_LATCHED);
	cr_assert_eq(pic8259_set_irq(&pic, 3, false), PIC8259_NO_CHANGE);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	cr_assert_eq(master_irr(), 0x00);
}

Test(pic8259, edge_while_irr_is_set_is_coalesced)
{
	setup_pair();
	wr(0x21, 0x08);
	cr_assert_eq(pic8259_set_irq(&pic, 3, true), PIC8259_LATCHED);
	pic8259_set_irq(&pic, 3, false);
	cr_assert_eq(pic8259_set_irq(&pic, 3, true), PIC8259_COALESCED);
	cr_assert_eq(stats()->coalesced[3], 1);
	cr_assert_eq(stats()->latched[3], 1);
	wr(0x21, 0x00);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	master_eoi();
	cr_assert_not(pic8259_output(&pic), "two edges, one interrupt");
}

Test(pic8259, edge_line_held_high_does_not_retrigger_after_eoi)
{
	setup_pair();
	pic8259_set_irq(&pic, 4, true);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
	cr_assert_eq(pic8259_set_irq(&pic, 4, true), PIC8259_NO_CHANGE);
	master_eoi();
	cr_assert_not(pic8259_output(&pic));
}

Test(pic8259, edge_arriving_while_in_service_is_delivered_after_eoi)
{
	setup_pair();
	pulse(4);
	pic8259_inta(&pic);
	cr_assert_eq(pic8259_set_irq(&pic, 4, true), PIC8259_LATCHED);
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 4);
}

Test(pic8259, ltim_level_mode_irr_follows_the_line)
{
	fresh();
	wr(0x20, 0x19); /* ICW1 with LTIM */
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	wr(0x21, 0x01);
	wr(0x21, 0x00);
	cr_assert_eq(pic8259_set_irq(&pic, 6, true), PIC8259_LATCHED);
	cr_assert_eq(pic8259_set_irq(&pic, 6, true), PIC8259_NO_CHANGE);
	cr_assert_eq(master_irr(), 0x40);
	pic8259_set_irq(&pic, 6, false);
	cr_assert_eq(master_irr(), 0x00);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(out.rises, 1);
	cr_assert_eq(out.falls, 1);
}

Test(pic8259, level_line_reinterrupts_after_eoi_while_still_high)
{
	fresh();
	wr(0x20, 0x19);
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	wr(0x21, 0x01);
	wr(0x21, 0x00);
	pic8259_set_irq(&pic, 3, true);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	cr_assert_eq(master_irr(), 0x08, "IRR stays set while the line is high");
	cr_assert_not(pic8259_output(&pic));
	master_eoi();
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	pic8259_set_irq(&pic, 3, false);
	master_eoi();
	cr_assert_not(pic8259_output(&pic));
}

Test(pic8259, level_request_withdrawn_before_inta_gives_spurious_irq7)
{
	setup_pair();
	wr(0x4d0, 0x20);
	pic8259_set_irq(&pic, 5, true);
	cr_assert(pic8259_output(&pic));
	pic8259_set_irq(&pic, 5, false);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), MBASE + 7);
	cr_assert_eq(master_isr(), 0x00);
	cr_assert_eq(stats()->spurious[0], 1);
}

Test(pic8259, elcr_makes_a_single_line_level_triggered)
{
	setup_pair();
	wr(0x4d1, 0x02); /* IRQ9 level */
	pic8259_set_irq(&pic, 9, true);
	pic8259_set_irq(&pic, 10, true);
	pic8259_set_irq(&pic, 9, false);
	pic8259_set_irq(&pic, 10, false);
	cr_assert_eq(slave_irr(), 0x04, "IRQ9 went with its line, IRQ10 stayed latched");
	cr_assert_eq(pic8259_inta(&pic), SBASE + 2);
}

Test(pic8259, elcr_level_line_irr_stays_set_through_inta_while_high)
{
	setup_pair();
	wr(0x4d1, 0x08); /* IRQ11 */
	pic8259_set_irq(&pic, 11, true);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 3);
	cr_assert_eq(slave_irr(), 0x08);
	slave_eoi();
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), SBASE + 3);
}

Test(pic8259, elcr_reserved_bits_read_zero_and_ignore_writes)
{
	setup_pair();
	wr(0x4d0, 0xff);
	wr(0x4d1, 0xff);
	cr_assert_eq(rd(0x4d0), 0xf8);
	cr_assert_eq(rd(0x4d1), 0xde);
	/* IRQ0 stays edge triggered although its bit was written. */
	pulse(0);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 0);
	wr(0x4d0, 0x07);
	cr_assert_eq(rd(0x4d0), 0x00);
}

Test(pic8259, elcr_switch_to_level_drops_a_stale_edge_request)
{
	setup_pair();
	wr(0x21, 0x08);
	pulse(3);
	cr_assert_eq(master_irr(), 0x08);
	wr(0x4d0, 0x08);
	cr_assert_eq(master_irr(), 0x00);
	pic8259_set_irq(&pic, 3, true);
	wr(0x4d0, 0x00);
	pic8259_set_irq(&pic, 3, false);
	cr_assert_eq(master_irr(), 0x08, "back to edge: the request is kept as latched");
}

/* ---- cascade ---- */

Test(pic8259, slave_irq_delivers_slave_vector_and_sets_both_isr_bits)
{
	setup_pair();
	pulse(12);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(master_irr(), 0x04);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 4);
	cr_assert_eq(master_isr(), 0x04);
	cr_assert_eq(slave_isr(), 0x10);
	cr_assert_eq(slave_irr(), 0x00);
	cr_assert_eq(stats()->acked[12], 1);
	cr_assert_eq(stats()->acked[2], 1);
}

Test(pic8259, slave_irq_needs_eoi_on_both_slave_and_master)
{
	setup_pair();
	pulse(12);
	pic8259_inta(&pic);
	pulse(3);
	cr_assert_not(pic8259_output(&pic), "master IR2 in service blocks IR3");
	slave_eoi();
	cr_assert_not(pic8259_output(&pic), "still blocked until the master EOI");
	cr_assert_eq(slave_isr(), 0x00);
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	cr_assert_eq(stats()->eoi[12], 1);
	cr_assert_eq(stats()->eoi[2], 1);
}

Test(pic8259, second_slave_irq_waits_for_master_eoi_without_sfnm)
{
	setup_pair();
	pulse(12);
	pic8259_inta(&pic);
	pulse(9); /* higher priority within the slave */
	cr_assert_not(pic8259_output(&pic));
	slave_eoi();
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), SBASE + 1);
}

Test(pic8259, sfnm_passes_higher_slave_request_while_irq2_in_service)
{
	fresh();
	init_pair_icw4(0x11, 0x01); /* master SFNM */
	pulse(12);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 4);
	pulse(13);
	cr_assert_not(pic8259_output(&pic), "the slave holds back its lower level");
	pulse(9);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), SBASE + 1);
	cr_assert_eq(slave_isr(), 0x12);
	/* The datasheet's exit: EOI the slave, check its ISR, EOI the master only when empty. */
	slave_eoi();
	cr_assert_neq(slave_isr(), 0x00);
	slave_eoi();
	cr_assert_eq(slave_isr(), 0x00);
	master_eoi();
	cr_assert_eq(pic8259_inta(&pic), SBASE + 5);
}

Test(pic8259, sfnm_still_blocks_lower_master_levels)
{
	fresh();
	init_pair_icw4(0x11, 0x01);
	pulse(10);
	pic8259_inta(&pic);
	pulse(5);
	cr_assert_not(pic8259_output(&pic));
	pulse(0);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 0);
}

Test(pic8259, masking_irq2_on_master_holds_back_all_slave_irqs)
{
	setup_pair();
	wr(0x21, 0x04);
	pulse(8);
	pulse(15);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(slave_irr(), 0x81);
	wr(0x21, 0x00);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 0);
}

Test(pic8259, slave_imr_masks_individual_slave_irqs)
{
	setup_pair();
	wr(0xa1, 0x01);
	pulse(8);
	cr_assert_not(pic8259_output(&pic));
	pulse(14);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 6);
}

Test(pic8259, slave_aeoi_queued_request_reaches_edge_triggered_master)
{
	fresh();
	init_pair_icw4(0x11, 0x03); /* master SFNM, slave AEOI */
	pic8259_set_irq(&pic, 9, true);
	pic8259_set_irq(&pic, 10, true);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 1);
	cr_assert(pic8259_output(&pic), "the slave still asserts INT for IRQ10");
	cr_assert_eq(pic8259_inta(&pic), SBASE + 2);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(slave_isr(), 0x00);
}

Test(pic8259, slave_aeoi_queued_request_follows_master_eoi_without_sfnm)
{
	fresh();
	init_pair_icw4(0x01, 0x03); /* slave AEOI only */
	pic8259_set_irq(&pic, 9, true);
	pic8259_set_irq(&pic, 10, true);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 1);
	cr_assert_not(pic8259_output(&pic), "master IR2 in service holds it back");
	cr_assert_eq(master_irr(), 0x04, "but the request is latched at the master");
	master_eoi();
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), SBASE + 2);
}

/*
 * Polling both chips for a slave request (master 0x82, then the slave) is an
 * acknowledge like INTA: if the slave still drives INT afterwards (AEOI, or
 * special mask mode with an ISR bit that blocks nothing), master IR2 must
 * see a fresh edge, or the second request is never delivered. Found by
 * tests/fuzz/fuzz_pic8259.c.
 */
static void poll_master_then_slave_then_master_eoi(void)
{
	pic8259_set_irq(&pic, 8, true);
	pic8259_set_irq(&pic, 9, true);
	wr(0x20, 0x0c);
	cr_assert_eq(rd(0x20), 0x82, "the master reports its cascade input");
	wr(0xa0, 0x0c);
	cr_assert_eq(rd(0xa0), 0x80, "the slave reports IRQ8");
	master_eoi();
}

Test(pic8259, slave_aeoi_request_left_after_a_poll_is_relatched_at_the_master)
{
	fresh();
	init_pair_icw4(0x01, 0x03); /* slave AEOI */
	poll_master_then_slave_then_master_eoi();
	cr_assert_eq(master_irr(), 0x04, "IRQ9 is latched at master IR2 again");
	cr_assert(pic8259_output(&pic), "IRQ9 still reaches the CPU");
	cr_assert_eq(pic8259_inta(&pic), SBASE + 1);
}

Test(pic8259, slave_special_mask_request_left_after_a_poll_is_relatched_at_the_master)
{
	setup_pair();
	wr(0xa0, 0x68); /* slave: set special mask mode */
	poll_master_then_slave_then_master_eoi();
	cr_assert_eq(slave_isr(), 0x01, "IRQ8 is in service at the slave");
	cr_assert_eq(master_irr(), 0x04, "IRQ9 is latched at master IR2 again");
	cr_assert(pic8259_output(&pic), "IRQ9 still reaches the CPU");
	cr_assert_eq(pic8259_inta(&pic), SBASE + 1);
}

Test(pic8259, slave_with_wrong_id_does_not_answer_the_cascade_cycle)
{
	fresh();
	wr(0x20, 0x11);
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	wr(0x21, 0x01);
	wr(0xa0, 0x11);
	wr(0xa1, SBASE);
	wr(0xa1, 0x05); /* wrong ID */
	wr(0xa1, 0x01);
	wr(0x21, 0x00);
	wr(0xa1, 0x00);
	pulse(8);
	cr_assert_eq(pic8259_inta(&pic), 0xff);
	cr_assert_eq(master_isr(), 0x04);
	cr_assert_eq(slave_isr(), 0x00);
}

Test(pic8259, level_triggered_master_follows_slave_int)
{
	fresh();
	wr(0x20, 0x19); /* master LTIM */
	wr(0x21, MBASE);
	wr(0x21, 0x04);
	wr(0x21, 0x01);
	wr(0xa0, 0x11);
	wr(0xa1, SBASE);
	wr(0xa1, 0x02);
	wr(0xa1, 0x01);
	wr(0x21, 0x00);
	wr(0xa1, 0x00);
	pulse(13);
	cr_assert_eq(master_irr(), 0x04);
	wr(0xa1, 0x20);
	cr_assert_eq(master_irr(), 0x00, "slave INT dropped, so did level IR2");
	cr_assert_not(pic8259_output(&pic));
	wr(0xa1, 0x00);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 5);
}

/* ---- spurious interrupts ---- */

Test(pic8259, inta_with_nothing_pending_returns_master_irq7_vector)
{
	setup_pair();
	cr_assert_eq(pic8259_inta(&pic), MBASE + 7);
	cr_assert_eq(master_isr(), 0x00);
	cr_assert_eq(stats()->spurious[0], 1);
	cr_assert_eq(stats()->acked[7], 0);
}

Test(pic8259, request_masked_before_inta_gives_spurious_irq7)
{
	setup_pair();
	pulse(4);
	wr(0x21, 0x10);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 7);
	cr_assert_eq(master_irr(), 0x10, "the masked request is still pending");
	cr_assert_eq(stats()->spurious[0], 1);
}

Test(pic8259, genuine_irq7_sets_isr_while_spurious_does_not)
{
	setup_pair();
	pulse(7);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 7);
	cr_assert_eq(master_isr(), 0x80);
	cr_assert_eq(stats()->spurious[0], 0);
	cr_assert_eq(stats()->acked[7], 1);
}

Test(pic8259, slave_request_vanishing_before_inta_gives_spurious_irq15)
{
	setup_pair();
	pulse(11);
	cr_assert(pic8259_output(&pic));
	wr(0xa1, 0x08); /* masked on the slave; master IRR2 stays latched */
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(pic8259_inta(&pic), SBASE + 7);
	cr_assert_eq(master_isr(), 0x04, "the master acknowledged IR2 normally");
	cr_assert_eq(slave_isr(), 0x00);
	cr_assert_eq(stats()->spurious[1], 1);
	cr_assert_eq(stats()->acked[15], 0);
	/* The guest must EOI the master only. */
	master_eoi();
	cr_assert_eq(master_isr(), 0x00);
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
}

/* ---- output callback ---- */

Test(pic8259, output_changed_fires_exactly_on_level_changes)
{
	setup_pair();
	cr_assert_eq(out.calls, 0);
	pulse(5);
	cr_assert_eq(out.calls, 1);
	cr_assert(out.level);
	pulse(6); /* INT already high */
	pulse(12);
	cr_assert_eq(out.calls, 1);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 4);
	cr_assert_eq(out.calls, 2, "IR2 in service blocks IR5 and IR6");
	cr_assert_not(out.level);
	pulse(1);
	cr_assert_eq(out.calls, 3);
	cr_assert(out.level);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	cr_assert_eq(out.calls, 4);
	master_eoi(); /* IR1 done, IR2 still in service */
	slave_eoi();
	cr_assert_eq(out.calls, 4);
	master_eoi(); /* IR2 done: IR5 pending */
	cr_assert_eq(out.calls, 5);
	cr_assert(out.level);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 5);
	cr_assert_eq(out.calls, 6);
	master_eoi();
	cr_assert_eq(out.calls, 7);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 6);
	cr_assert_eq(out.calls, 8);
	cr_assert_not(out.level);
	cr_assert_eq(out.rises, 4);
	cr_assert_eq(out.falls, 4);
	cr_assert_eq(pic8259_output(&pic), out.level);
}

Test(pic8259, output_changed_not_called_for_writes_that_change_nothing)
{
	setup_pair();
	pulse(1);
	cr_assert_eq(out.calls, 1);
	wr(0x21, 0x00);
	wr(0x20, 0x0a);
	wr(0x20, 0x0b);
	wr(0x4d1, 0x00);
	wr(0x20, 0x40);
	rd(0x20);
	rd(0x21);
	rd(0x4d0);
	cr_assert_eq(out.calls, 1);
}

/* ---- an INTA cycle taken back (the CPU did not take the vector) ---- */

Test(pic8259, inta_undo_puts_an_edge_request_back_and_sets_no_isr_bit)
{
	setup_pair();
	pulse(3);
	struct pic8259 before = pic;
	unsigned rises = out.rises, falls = out.falls;
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	cr_assert_eq(out.falls, falls + 1, "INTA lowered INT");
	pic8259_inta_undo(&pic, &before);
	cr_assert_eq(master_isr(), 0x00);
	cr_assert_eq(master_irr(), 1u << 3);
	cr_assert(pic8259_output(&pic));
	cr_assert_eq(out.rises, rises + 1, "INT reported high again");
	cr_assert(out.level);
	cr_assert_eq(stats()->acked[3], 0);
	/* The retried cycle gets the same vector and leaves the usual state. */
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	cr_assert_eq(master_isr(), 1u << 3);
	cr_assert_eq(stats()->acked[3], 1);
}

Test(pic8259, inta_undo_through_the_slave_restores_both_chips)
{
	setup_pair();
	pulse(10);
	struct pic8259 before = pic;
	cr_assert_eq(pic8259_inta(&pic), SBASE + 2);
	pic8259_inta_undo(&pic, &before);
	cr_assert_eq(master_isr(), 0x00);
	cr_assert_eq(slave_isr(), 0x00);
	cr_assert_eq(slave_irr(), 1u << 2);
	cr_assert_eq(master_irr(), 1u << PIC8259_CASCADE_IRQ);
	cr_assert_eq(pic8259_inta(&pic), SBASE + 2);
	cr_assert_eq(master_isr(), 1u << PIC8259_CASCADE_IRQ);
	cr_assert_eq(slave_isr(), 1u << 2);
}

Test(pic8259, inta_undo_reverts_a_rotation_in_aeoi)
{
	fresh();
	init_pair_icw4(0x03, 0x01);
	wr(0x20, 0x80); /* rotate in AEOI: set */
	pulse(1);
	struct pic8259 before = pic;
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
	pic8259_inta_undo(&pic, &before);
	cr_assert_eq(stats()->eoi[1], 0);
	pulse(4);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1, "IR1 did not become lowest");
}

Test(pic8259, inta_undo_of_a_cycle_that_kept_int_high_makes_no_callback)
{
	fresh();
	init_pair_icw4(0x03, 0x01); /* AEOI: nothing in service blocks IR4 */
	pulse(3);
	pulse(4);
	struct pic8259 before = pic;
	unsigned calls = out.calls;
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	cr_assert(pic8259_output(&pic), "IR4 keeps INT high");
	pic8259_inta_undo(&pic, &before);
	cr_assert_eq(out.calls, calls);
	cr_assert_eq(master_irr(), (1u << 3) | (1u << 4));
}

/* ---- statistics ---- */

Test(pic8259, stats_count_latches_coalescing_acks_and_eois)
{
	setup_pair();
	pulse(9);
	pic8259_set_irq(&pic, 9, true); /* coalesced while still pending */
	pic8259_inta(&pic);
	slave_eoi();
	master_eoi();
	const struct pic8259_stats *s = stats();
	cr_assert_eq(s->latched[9], 1);
	cr_assert_eq(s->coalesced[9], 1);
	cr_assert_eq(s->acked[9], 1);
	cr_assert_eq(s->eoi[9], 1);
	cr_assert_eq(s->latched[2], 1);
	cr_assert_eq(s->acked[2], 1);
	cr_assert_eq(s->eoi[2], 1);
	cr_assert_eq(s->spurious[0] + s->spurious[1], 0);
	for (unsigned irq = 0; irq < 16; irq++) {
		if (irq == 2 || irq == 9)
			continue;
		cr_assert_eq(s->latched[irq] + s->coalesced[irq] + s->acked[irq] + s->eoi[irq], 0);
	}
}

/* ---- invalid inputs ---- */

Test(pic8259, set_irq_out_of_range_is_invalid_and_changes_nothing)
{
	setup_pair();
	cr_assert_eq(pic8259_set_irq(&pic, 16, true), PIC8259_INVALID);
	cr_assert_eq(pic8259_set_irq(&pic, 255, true), PIC8259_INVALID);
	cr_assert_eq(pic8259_set_irq(&pic, UINT_MAX, true), PIC8259_INVALID);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(master_irr(), 0x00);
	cr_assert_eq(slave_irr(), 0x00);
	cr_assert_eq(out.calls, 0);
}

Test(pic8259, set_irq_on_the_cascade_input_is_invalid)
{
	setup_pair();
	cr_assert_eq(pic8259_set_irq(&pic, 2, true), PIC8259_INVALID);
	cr_assert_not(pic8259_output(&pic));
	cr_assert_eq(stats()->latched[2], 0);
}

Test(pic8259, unknown_ports_read_ff_and_ignore_writes)
{
	static const uint16_t ports[] = { 0x00, 0x1f, 0x22, 0x23, 0x9f, 0xa2, 0x4cf, 0x4d2, 0xffff };

	setup_pair();
	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		cr_assert_eq(rd(ports[i]), 0xff);
		wr(ports[i], 0x11);
		wr(ports[i], 0xff);
	}
	cr_assert_eq(rd(0x21), 0x00);
	cr_assert_eq(rd(0xa1), 0x00);
	pulse(1);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 1);
}

Test(pic8259, any_value_on_any_port_in_any_sequence_is_safe)
{
	static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	uint32_t seed = 12345;

	setup_pair();
	for (unsigned step = 0; step < 200000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned what = (seed >> 16) % 10;
		uint8_t value = (uint8_t)(seed >> 8);
		uint16_t port = ports[(seed >> 24) % 6];

		if (what < 4) {
			wr(port, value);
		} else if (what < 6) {
			rd(port);
		} else if (what < 9) {
			pic8259_set_irq(&pic, value % 17, value & 0x80);
		} else {
			uint8_t vector = pic8259_inta(&pic);
			(void)vector;
		}
		cr_assert_eq(out.level, pic8259_output(&pic));
	}
	/* Still fully programmable afterwards. */
	for (unsigned irq = 0; irq < 16; irq++)
		pic8259_set_irq(&pic, irq, false);
	wr(0x4d0, 0);
	wr(0x4d1, 0);
	init_pair_icw4(0x01, 0x01);
	pulse(6);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 6);
}

/* ---- read-only snapshot (the interrupt-state dump's view) ---- */

Test(pic8259_snapshot, decodes_registers_icws_priority_and_int_output)
{
	setup_pair();
	wr(0x21, 0xf8); /* master: IR0-2 open */
	wr(0xa1, 0xfe); /* slave: IR8 open */
	pic8259_write(&pic, PIC8259_ELCR_SLAVE, 0x02); /* IRQ9 level */
	pulse(1);
	pic8259_set_irq(&pic, 8, true);

	struct pic8259_snapshot s;
	pic8259_snapshot(&pic, &s);
	cr_assert_eq(s.master.irr, 0x02 | 0x04, "IR1 latched, IR2 from the slave's INT");
	cr_assert_eq(s.master.imr, 0xf8);
	cr_assert_eq(s.master.isr, 0);
	cr_assert_eq(s.master.vector_base, MBASE);
	cr_assert_eq(s.slave.vector_base, SBASE);
	cr_assert_eq(s.master.icw3, 0x04);
	cr_assert_eq(s.slave.icw3, 0x02);
	cr_assert_eq(s.slave.elcr, 0x02);
	cr_assert_eq(s.slave.lines, 0x01);
	cr_assert_eq(s.slave.irr, 0x01);
	cr_assert(s.master.upm && !s.master.aeoi && !s.master.special_mask && !s.master.poll);
	cr_assert_eq(s.master.init_step, PIC8259_READY);
	cr_assert_str_eq(pic8259_init_step_name(s.master.init_step), "ready");
	cr_assert_eq(s.master.lowest_priority, 7);
	cr_assert_eq(s.master.highest_priority, 0);
	cr_assert_eq(s.master.pending_level, 1, "IR1 outranks IR2 in fully nested mode");
	cr_assert_eq(s.slave.pending_level, 0);
	cr_assert_eq(s.master.in_service_level, -1);
	cr_assert(s.master.int_output && s.slave.int_output && s.output);
	cr_assert(!s.master.is_slave && s.slave.is_slave);
}

Test(pic8259_snapshot, follows_isr_rotation_and_init_sequence)
{
	setup_pair();
	pulse(3);
	cr_assert_eq(pic8259_inta(&pic), MBASE + 3);
	wr(0x20, 0xc4); /* OCW2: set priority, IR4 lowest */
	wr(0x20, 0x68); /* OCW3: special mask mode on */
	wr(0x20, 0x0b); /* OCW3: read ISR */
	struct pic8259_snapshot s;
	pic8259_snapshot(&pic, &s);
	cr_assert_eq(s.master.isr, 0x08);
	cr_assert_eq(s.master.in_service_level, 3);
	cr_assert_eq(s.master.lowest_priority, 4);
	cr_assert_eq(s.master.highest_priority, 5);
	cr_assert(s.master.special_mask);
	cr_assert(s.master.read_isr);
	cr_assert(!s.master.int_output && !s.output);

	wr(0xa0, 0x11); /* ICW1 on the slave: waits for ICW2 */
	pic8259_snapshot(&pic, &s);
	cr_assert_eq(s.slave.init_step, PIC8259_WANT_ICW2);
	cr_assert_str_eq(pic8259_init_step_name(s.slave.init_step), "icw2");
}

Test(pic8259_snapshot, changes_nothing)
{
	setup_pair();
	pulse(4);
	wr(0x20, 0x0c); /* OCW3 poll: the next read would acknowledge */
	struct pic8259 before = pic;
	struct pic8259_snapshot s;
	pic8259_snapshot(&pic, &s);
	cr_assert(s.master.poll);
	cr_assert(!memcmp(&before.master, &pic.master, sizeof(pic.master)));
	cr_assert(!memcmp(&before.slave, &pic.slave, sizeof(pic.slave)));
	cr_assert(!memcmp(&before.stats, &pic.stats, sizeof(pic.stats)));
	cr_assert_eq(out.calls, 1, "no output callback from a snapshot");
}
