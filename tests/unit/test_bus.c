/* SPDX-License-Identifier: MIT */
/* The PIO/MMIO bus: registration rules and dispatch, through vmm/core/bus.h. */
#include <criterion/criterion.h>
#include <string.h>

#include "vmm/core/bus.h"

struct fake_dev {
	uint64_t last_offset, last_value;
	unsigned last_size, reads, writes;
	uint64_t read_value;
};

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake_dev *d = opaque;
	d->reads++;
	d->last_offset = offset;
	d->last_size = size;
	return d->read_value;
}

static void fake_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct fake_dev *d = opaque;
	d->writes++;
	d->last_offset = offset;
	d->last_value = value;
	d->last_size = size;
}

static const struct bus_ops fake_ops = { .read = fake_read, .write = fake_write };
static struct bus bus;
static char err[256];

static void setup(void)
{
	bus_init(&bus, "test");
	err[0] = 0;
}

TestSuite(bus, .init = setup);

Test(bus, dispatches_a_write_with_the_offset_inside_the_range)
{
	struct fake_dev d = { 0 };
	cr_assert_eq(bus_register(&bus, "dev", 0x3f8, 8, &fake_ops, &d, err, sizeof(err)), 0);
	cr_assert(bus_write(&bus, 0x3fb, 1, 0x83));
	cr_assert_eq(d.writes, 1);
	cr_assert_eq(d.last_offset, 3);
	cr_assert_eq(d.last_value, 0x83);
	cr_assert_eq(d.last_size, 1);
}

Test(bus, read_returns_the_device_value_truncated_to_the_access_size)
{
	struct fake_dev d = { .read_value = 0x1122334455667788ull };
	bus_register(&bus, "dev", 0x1000, 0x100, &fake_ops, &d, err, sizeof(err));
	uint64_t v;
	cr_assert(bus_read(&bus, 0x1004, 2, &v));
	cr_assert_eq(v, 0x7788);
	cr_assert(bus_read(&bus, 0x1004, 8, &v));
	cr_assert_eq(v, 0x1122334455667788ull);
}

Test(bus, write_value_is_truncated_to_the_access_size)
{
	struct fake_dev d = { 0 };
	bus_register(&bus, "dev", 0x1000, 0x100, &fake_ops, &d, err, sizeof(err));
	cr_assert(bus_write(&bus, 0x1000, 1, 0x1234));
	cr_assert_eq(d.last_value, 0x34);
}

Test(bus, unhandled_read_yields_all_ones_of_the_size_and_is_counted)
{
	uint64_t v = 0;
	cr_assert_not(bus_read(&bus, 0x80, 1, &v));
	cr_assert_eq(v, 0xff);
	cr_assert_not(bus_read(&bus, 0x80, 4, &v));
	cr_assert_eq(v, 0xffffffffull);
	cr_assert_not(bus_read(&bus, 0x80, 8, &v));
	cr_assert_eq(v, ~0ull);
	cr_assert_eq(bus.unhandled_reads, 3);
}

Test(bus, unhandled_write_is_counted_and_reaches_no_device)
{
	struct fake_dev d = { 0 };
	bus_register(&bus, "dev", 0x1000, 0x10, &fake_ops, &d, err, sizeof(err));
	cr_assert_not(bus_write(&bus, 0x2000, 4, 1));
	cr_assert_eq(d.writes, 0);
	cr_assert_eq(bus.unhandled_writes, 1);
}

Test(bus, overlapping_ranges_are_refused_with_both_names)
{
	struct fake_dev a = { 0 }, b = { 0 };
	cr_assert_eq(bus_register(&bus, "first", 0x100, 0x10, &fake_ops, &a, err, sizeof(err)), 0);
	cr_assert_eq(bus_register(&bus, "second", 0x10f, 0x10, &fake_ops, &b, err, sizeof(err)), -1);
	cr_assert(strstr(err, "second") && strstr(err, "overlaps first"), "%s", err);
	cr_assert_eq(bus_register(&bus, "inside", 0x104, 2, &fake_ops, &b, err, sizeof(err)), -1);
	cr_assert_eq(bus_register(&bus, "around", 0xf0, 0x100, &fake_ops, &b, err, sizeof(err)), -1);
}

Test(bus, adjacent_ranges_are_allowed_and_kept_apart)
{
	struct fake_dev a = { 0 }, b = { 0 };
	cr_assert_eq(bus_register(&bus, "a", 0x100, 0x10, &fake_ops, &a, err, sizeof(err)), 0);
	cr_assert_eq(bus_register(&bus, "b", 0x110, 0x10, &fake_ops, &b, err, sizeof(err)), 0);
	bus_write(&bus, 0x10f, 1, 1);
	bus_write(&bus, 0x110, 1, 2);
	cr_assert_eq(a.writes, 1);
	cr_assert_eq(b.writes, 1);
	cr_assert_eq(b.last_offset, 0);
}

Test(bus, empty_and_wrapping_ranges_are_refused)
{
	struct fake_dev d = { 0 };
	cr_assert_eq(bus_register(&bus, "empty", 0x100, 0, &fake_ops, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "empty"), "%s", err);
	cr_assert_eq(bus_register(&bus, "wrap", ~0ull - 4, 16, &fake_ops, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "wraps"), "%s", err);
}

Test(bus, a_range_reaching_the_top_of_the_address_space_works)
{
	struct fake_dev d = { 0 };
	cr_assert_eq(bus_register(&bus, "top", ~0ull - 15, 16, &fake_ops, &d, err, sizeof(err)), 0);
	cr_assert(bus_write(&bus, ~0ull - 7, 8, 5));
	cr_assert_eq(d.last_offset, 8);
}

Test(bus, registration_without_handlers_is_refused)
{
	static const struct bus_ops no_read = { .write = fake_write };
	cr_assert_eq(bus_register(&bus, "x", 0x100, 1, &no_read, NULL, err, sizeof(err)), -1);
	cr_assert_eq(bus_register(&bus, "y", 0x100, 1, NULL, NULL, err, sizeof(err)), -1);
}

Test(bus, an_access_straddling_the_end_of_a_range_is_not_handled)
{
	struct fake_dev d = { 0 };
	bus_register(&bus, "dev", 0x100, 4, &fake_ops, &d, err, sizeof(err));
	cr_assert_not(bus_write(&bus, 0x102, 4, 1));
	cr_assert(bus_write(&bus, 0x100, 4, 1));
	cr_assert_eq(d.writes, 1);
}

Test(bus, access_sizes_other_than_1_2_4_8_are_not_handled)
{
	struct fake_dev d = { 0 };
	uint64_t v;
	bus_register(&bus, "dev", 0x100, 16, &fake_ops, &d, err, sizeof(err));
	cr_assert_not(bus_write(&bus, 0x100, 3, 1));
	cr_assert_not(bus_read(&bus, 0x100, 0, &v));
	cr_assert_not(bus_read(&bus, 0x100, 16, &v));
	cr_assert_eq(d.writes + d.reads, 0);
}

Test(bus, the_table_has_a_limit_and_says_so)
{
	struct fake_dev d = { 0 };
	for (unsigned i = 0; i < BUS_MAX_RANGES; i++)
		cr_assert_eq(bus_register(&bus, "d", i * 16, 16, &fake_ops, &d, err, sizeof(err)), 0);
	cr_assert_eq(bus_register(&bus, "one-too-many", 0x10000, 16, &fake_ops, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "too many"), "%s", err);
}

Test(bus, lookup_finds_every_range_whatever_the_registration_order)
{
	struct fake_dev d[8] = { 0 };
	const uint64_t bases[8] = { 0x700, 0x20, 0x3f8, 0xa0, 0x40, 0x4d0, 0xf4, 0x2000 };
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(bus_register(&bus, "d", bases[i], 2, &fake_ops, &d[i], err, sizeof(err)), 0);
	for (unsigned i = 0; i < 8; i++) {
		const struct bus_range *r = bus_find(&bus, bases[i] + 1);
		cr_assert_not_null(r);
		cr_assert_eq(r->opaque, &d[i]);
	}
	cr_assert_null(bus_find(&bus, 0x21 + 1));
	cr_assert_null(bus_find(&bus, 0));
}

Test(bus, per_range_counters_count_accesses)
{
	struct fake_dev d = { 0 };
	uint64_t v;
	bus_register(&bus, "dev", 0x100, 4, &fake_ops, &d, err, sizeof(err));
	bus_read(&bus, 0x100, 1, &v);
	bus_write(&bus, 0x101, 1, 0);
	bus_write(&bus, 0x102, 1, 0);
	const struct bus_range *r = bus_find(&bus, 0x100);
	cr_assert_eq(r->reads, 1);
	cr_assert_eq(r->writes, 2);
}
