/* SPDX-License-Identifier: MIT */
/* SBI console calls (devices/sbi_console.c): legacy putchar/getchar and DBCN. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/sbi_console.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x2000ull

struct fake_guest {
	uint8_t ram[RAM_SIZE];
	uint8_t out[2 * SBI_CONSOLE_MAX_WRITE];
	size_t out_len;
	unsigned writes;
};

static void fake_out(void *opaque, const uint8_t *buf, size_t len)
{
	struct fake_guest *g = opaque;
	cr_assert_leq(g->out_len + len, sizeof(g->out));
	memcpy(g->out + g->out_len, buf, len);
	g->out_len += len;
	g->writes++;
}

static const void *fake_mem(void *opaque, uint64_t gpa, uint64_t len)
{
	struct fake_guest *g = opaque;
	if (gpa < RAM_BASE || gpa - RAM_BASE > RAM_SIZE || len > RAM_SIZE - (gpa - RAM_BASE))
		return NULL;
	return g->ram + (gpa - RAM_BASE);
}

static struct fake_guest guest;

static struct sbi_console_io io(void)
{
	memset(&guest, 0, sizeof(guest));
	return (struct sbi_console_io){ fake_out, fake_mem, &guest };
}

static bool call(const struct sbi_console_io *c, uint64_t ext, uint64_t fid, uint64_t a0,
		 uint64_t a1, uint64_t a2, struct sbi_ret *ret)
{
	const uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };
	return sbi_console_call(c, ext, fid, args, ret);
}

Test(sbi_console, legacy_putchar_writes_one_byte_and_returns_zero)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_LEGACY_PUTCHAR, 0, 'A', 0, 0, &r));
	cr_expect_eq(r.error, 0);
	cr_expect_eq(guest.out_len, 1u);
	cr_expect_eq(guest.out[0], 'A');
}

Test(sbi_console, legacy_calls_hand_a1_back_unchanged)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_LEGACY_PUTCHAR, 0, 'x', 0x1234, 0, &r));
	cr_expect_eq(r.value, 0x1234);
	cr_assert(call(&c, SBI_EXT_LEGACY_GETCHAR, 0, 0, 0x5678, 0, &r));
	cr_expect_eq(r.value, 0x5678);
}

Test(sbi_console, legacy_getchar_reports_no_input)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, &r));
	cr_expect_eq(r.error, -1);
	cr_expect_eq(guest.out_len, 0u);
}

Test(sbi_console, dbcn_write_copies_guest_memory_and_returns_the_count)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	memcpy(guest.ram + 0x100, "hello", 5);
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_WRITE, 5, RAM_BASE + 0x100, 0, &r));
	cr_expect_eq(r.error, SBI_SUCCESS);
	cr_expect_eq(r.value, 5);
	cr_expect_eq(guest.out_len, 5u);
	cr_expect_arr_eq(guest.out, "hello", 5);
}

Test(sbi_console, dbcn_write_of_zero_bytes_succeeds_without_output)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_WRITE, 0, 0, 0, &r));
	cr_expect_eq(r.error, SBI_SUCCESS);
	cr_expect_eq(r.value, 0);
	cr_expect_eq(guest.writes, 0u);
}

Test(sbi_console, dbcn_write_is_capped_and_reports_a_short_write)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_WRITE, RAM_SIZE, RAM_BASE, 0, &r));
	cr_expect_eq(r.error, SBI_SUCCESS);
	cr_expect_eq(r.value, (int64_t)SBI_CONSOLE_MAX_WRITE);
	cr_expect_eq(guest.out_len, SBI_CONSOLE_MAX_WRITE);
}

Test(sbi_console, dbcn_write_outside_ram_is_invalid_param)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, 0x1000, 0, &r));
	cr_expect_eq(r.error, SBI_ERR_INVALID_PARAM);
	cr_expect_eq(r.value, 0);
	cr_expect_eq(guest.writes, 0u);
}

Test(sbi_console, dbcn_write_running_off_the_end_of_ram_is_invalid_param)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_WRITE, 16, RAM_BASE + RAM_SIZE - 8, 0, &r));
	cr_expect_eq(r.error, SBI_ERR_INVALID_PARAM);
	cr_expect_eq(guest.writes, 0u);
}

Test(sbi_console, dbcn_address_with_upper_half_set_is_invalid_param)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, RAM_BASE, 1, &r));
	cr_expect_eq(r.error, SBI_ERR_INVALID_PARAM);
}

Test(sbi_console, dbcn_write_byte_writes_the_low_byte)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, 0x1241, 0, 0, &r));
	cr_expect_eq(r.error, SBI_SUCCESS);
	cr_expect_eq(guest.out_len, 1u);
	cr_expect_eq(guest.out[0], 'A');
}

Test(sbi_console, dbcn_read_reads_nothing_from_a_valid_buffer)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_READ, 16, RAM_BASE, 0, &r));
	cr_expect_eq(r.error, SBI_SUCCESS);
	cr_expect_eq(r.value, 0);
}

Test(sbi_console, dbcn_read_into_a_bad_buffer_is_invalid_param)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_assert(call(&c, SBI_EXT_DBCN, SBI_DBCN_READ, 16, 0x10, 0, &r));
	cr_expect_eq(r.error, SBI_ERR_INVALID_PARAM);
}

Test(sbi_console, unknown_dbcn_function_is_left_to_the_caller)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_expect_not(call(&c, SBI_EXT_DBCN, 3, 0, 0, 0, &r));
}

Test(sbi_console, other_extensions_are_left_to_the_caller)
{
	struct sbi_console_io c = io();
	struct sbi_ret r;
	cr_expect_not(call(&c, 0x08000000, 0, 0, 0, 0, &r));  /* experimental range */
	cr_expect_not(call(&c, 0x09000000, 0, 0, 0, 0, &r));  /* vendor range */
	cr_expect_not(call(&c, 0x10, 3, 0, 0, 0, &r));        /* BASE: KVM's */
	cr_expect_eq(guest.writes, 0u);
}
