/* SPDX-License-Identifier: MIT */
/*
 * The user-pointer check of both ports: the user-accessible parts of the
 * kernel image are the same sections everywhere (sections.h), so which
 * addresses a system call or a signal frame may use is not a question of
 * the architecture.
 */
#include "sections.h"

static bool within(uintptr_t addr, uintptr_t end, const void *lo, const void *hi)
{
	return addr >= (uintptr_t)lo && end <= (uintptr_t)hi;
}

bool user_range_ok(uintptr_t addr, size_t len, bool write)
{
	uintptr_t end;

	if (__builtin_add_overflow(addr, len, &end))
		return false;
	if (!write && within(addr, end, __user_text_start, __user_text_end))
		return true;
	return within(addr, end, __user_data_start, __user_data_end) ||
	       within(addr, end, user_stack, user_stack_end);
}
