/* SPDX-License-Identifier: MIT */
/*
 * The exception-table search both ports' trap handlers use (extable.h).
 */
#include "extable.h"

extern const struct extable_entry __extable_start[], __extable_end[];

uint64_t extable_lookup(uint64_t pc)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++)
		if (e->insn == pc)
			return e->fixup;
	return 0;
}
