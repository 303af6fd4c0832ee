/* SPDX-License-Identifier: MIT */
/* The interrupt-line layer: levels, edges, pulses and bounds, via vmm/core/irqline.h. */
#include <criterion/criterion.h>

#include "vmm/core/irqline.h"

struct backend_log {
	unsigned calls;
	unsigned line[16];
	bool level[16];
};

static void record(void *opaque, unsigned line, bool level)
{
	struct backend_log *log = opaque;
	if (log->calls < 16) {
		log->line[log->calls] = line;
		log->level[log->calls] = level;
	}
	log->calls++;
}

static struct irq_lines lines;
static struct backend_log blog;

static void setup(void)
{
	irq_lines_init(&lines);
	blog = (struct backend_log){ 0 };
	struct irq_backend be = { .name = "fake", .nr_lines = 24, .set_line = record, .opaque = &blog };
	irq_lines_set_backend(&lines, &be);
}

static void teardown(void)
{
	irq_lines_destroy(&lines);
}

TestSuite(irqline, .init = setup, .fini = teardown);

Test(irqline, raising_a_line_reaches_the_backend_once)
{
	cr_assert_eq(irq_line_set(&lines, 4, true), 0);
	cr_assert_eq(blog.calls, 1);
	cr_assert_eq(blog.line[0], 4);
	cr_assert(blog.level[0]);
	cr_assert(irq_line_level(&lines, 4));
}

Test(irqline, setting_the_same_level_again_is_not_an_edge)
{
	irq_line_set(&lines, 4, true);
	irq_line_set(&lines, 4, true);
	irq_line_set(&lines, 9, false);
	cr_assert_eq(blog.calls, 1);
	cr_assert_eq(lines.stats[4].raised, 1);
}

Test(irqline, lowering_is_counted_separately)
{
	irq_line_set(&lines, 3, true);
	irq_line_set(&lines, 3, false);
	cr_assert_eq(lines.stats[3].raised, 1);
	cr_assert_eq(lines.stats[3].lowered, 1);
	cr_assert_not(irq_line_level(&lines, 3));
}

Test(irqline, a_pulse_on_a_low_line_is_high_then_low)
{
	cr_assert_eq(irq_line_pulse(&lines, 7), 0);
	cr_assert_eq(blog.calls, 2);
	cr_assert(blog.level[0]);
	cr_assert_not(blog.level[1]);
	cr_assert_not(irq_line_level(&lines, 7));
	cr_assert_eq(lines.stats[7].pulses, 1);
}

Test(irqline, a_pulse_on_a_held_line_gives_an_edge_and_keeps_it_high)
{
	irq_line_set(&lines, 7, true);
	irq_line_pulse(&lines, 7);
	cr_assert_eq(blog.calls, 3);
	cr_assert_not(blog.level[1]);
	cr_assert(blog.level[2]);
	cr_assert(irq_line_level(&lines, 7));
}

Test(irqline, lines_beyond_the_backend_are_refused_untouched)
{
	cr_assert_eq(irq_line_set(&lines, 24, true), -1);
	cr_assert_eq(irq_line_pulse(&lines, 1000), -1);
	cr_assert_eq(irq_line_set(&lines, ~0u, true), -1);
	cr_assert_eq(blog.calls, 0);
	cr_assert_not(irq_line_level(&lines, 24));
}

Test(irqline, without_a_backend_no_line_exists)
{
	struct irq_lines bare;
	irq_lines_init(&bare);
	cr_assert_eq(irq_lines_count(&bare), 0);
	cr_assert_eq(irq_line_set(&bare, 0, true), -1);
	irq_lines_destroy(&bare);
}

Test(irqline, a_backend_asking_for_too_many_lines_is_clamped)
{
	struct irq_backend be = { .name = "big", .nr_lines = 100000, .set_line = record, .opaque = &blog };
	irq_lines_set_backend(&lines, &be);
	cr_assert_eq(irq_lines_count(&lines), IRQ_LINES_MAX);
	cr_assert_eq(irq_line_set(&lines, IRQ_LINES_MAX, true), -1);
	cr_assert_eq(irq_line_set(&lines, IRQ_LINES_MAX - 1, true), 0);
}
