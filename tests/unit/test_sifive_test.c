/* SPDX-License-Identifier: MIT */
/* The sifive_test-compatible exit device's command decoding (devices/sifive_test.c). */
#include <criterion/criterion.h>

#include "devices/sifive_test.h"

Test(sifive_test, pass_code_exits_zero)
{
	struct sifive_test_cmd c = sifive_test_decode(0, 0x5555, 4);
	cr_expect_eq(c.action, SIFIVE_TEST_PASS);
	cr_expect_eq(c.status, 0);
}

Test(sifive_test, fail_code_carries_the_status_in_the_upper_half)
{
	struct sifive_test_cmd c = sifive_test_decode(0, 0x3333 | (3u << 16), 4);
	cr_expect_eq(c.action, SIFIVE_TEST_FAIL);
	cr_expect_eq(c.status, 3);
}

Test(sifive_test, fail_with_code_zero_never_exits_zero)
{
	struct sifive_test_cmd c = sifive_test_decode(0, 0x3333, 4);
	cr_expect_eq(c.action, SIFIVE_TEST_FAIL);
	cr_expect_eq(c.status, 1);
	c = sifive_test_decode(0, 0x3333 | (256u << 16), 4);
	cr_expect_eq(c.status, 1, "256 would be 0 as a process status");
}

Test(sifive_test, reset_code_asks_for_reset)
{
	cr_expect_eq(sifive_test_decode(0, 0x7777, 4).action, SIFIVE_TEST_RESET);
}

Test(sifive_test, other_values_are_ignored)
{
	cr_expect_eq(sifive_test_decode(0, 0x1234, 4).action, SIFIVE_TEST_IGNORE);
	cr_expect_eq(sifive_test_decode(0, 0, 4).action, SIFIVE_TEST_IGNORE);
}

Test(sifive_test, writes_to_other_offsets_are_ignored)
{
	cr_expect_eq(sifive_test_decode(4, 0x5555, 4).action, SIFIVE_TEST_IGNORE);
	cr_expect_eq(sifive_test_decode(0xffc, 0x5555, 4).action, SIFIVE_TEST_IGNORE);
}

Test(sifive_test, byte_writes_are_ignored_like_qemu)
{
	cr_expect_eq(sifive_test_decode(0, 0x55, 1).action, SIFIVE_TEST_IGNORE);
}

Test(sifive_test, halfword_write_of_pass_counts)
{
	cr_expect_eq(sifive_test_decode(0, 0x5555, 2).action, SIFIVE_TEST_PASS);
}

Test(sifive_test, doubleword_write_uses_the_low_word)
{
	struct sifive_test_cmd c = sifive_test_decode(0, 0xdeadbeef00053333ull, 8);
	cr_expect_eq(c.action, SIFIVE_TEST_FAIL);
	cr_expect_eq(c.status, 5);
}
