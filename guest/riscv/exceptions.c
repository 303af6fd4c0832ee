/* SPDX-License-Identifier: MIT */
/*
 * The scause exception codes as S-mode sees them (privileged spec, table
 * 12.2; codes 20-23 are the hypervisor's guest-page faults, which a guest
 * never sees), interrupt names, the exception table lookup.
 */
#include "kprintf.h"
#include "trap.h"

const struct exc_info rv_exceptions[RV_NR_EXCEPTIONS] = {
	[0] = { "insn-misaligned", "instruction address misaligned", EXC_FAULT, true },
	[1] = { "insn-access", "instruction access fault", EXC_FAULT, true },
	[2] = { "illegal-insn", "illegal instruction", EXC_FAULT, false },
	[3] = { "breakpoint", "breakpoint", EXC_REQUESTED, true },
	[4] = { "load-misaligned", "load address misaligned", EXC_FAULT, true },
	[5] = { "load-access", "load access fault", EXC_FAULT, true },
	[6] = { "store-misaligned", "store/AMO address misaligned", EXC_FAULT, true },
	[7] = { "store-access", "store/AMO access fault", EXC_FAULT, true },
	[8] = { "ecall-u", "environment call from U-mode", EXC_REQUESTED, false },
	[9] = { "ecall-s", "environment call from S-mode", EXC_REQUESTED, false },
	[10] = { "#10", "reserved", EXC_RESERVED, false },
	[11] = { "#11", "reserved", EXC_RESERVED, false },
	[12] = { "insn-page-fault", "instruction page fault", EXC_FAULT, true },
	[13] = { "load-page-fault", "load page fault", EXC_FAULT, true },
	[14] = { "#14", "reserved", EXC_RESERVED, false },
	[15] = { "store-page-fault", "store/AMO page fault", EXC_FAULT, true },
	[16] = { "double-trap", "double trap", EXC_FAULT, false },
	[17] = { "#17", "reserved", EXC_RESERVED, false },
	[18] = { "software-check", "software check", EXC_FAULT, false },
	[19] = { "hardware-error", "hardware error", EXC_FAULT, false },
	[20] = { "#20", "reserved (guest-page fault in HS-mode)", EXC_RESERVED, false },
	[21] = { "#21", "reserved (guest-page fault in HS-mode)", EXC_RESERVED, false },
	[22] = { "#22", "reserved (virtual instruction in HS-mode)", EXC_RESERVED, false },
	[23] = { "#23", "reserved (guest-page fault in HS-mode)", EXC_RESERVED, false },
};

const char *exc_class_name(enum exc_class c)
{
	switch (c) {
	case EXC_FAULT:
		return "fault";
	case EXC_REQUESTED:
		return "requested";
	case EXC_INTERRUPT:
		return "interrupt";
	default:
		return "reserved";
	}
}

const char *rv_interrupt_name(unsigned long code)
{
	switch (code) {
	case IRQ_S_SOFT:
		return "supervisor software interrupt";
	case IRQ_S_TIMER:
		return "supervisor timer interrupt";
	case IRQ_S_EXT:
		return "supervisor external interrupt";
	case 13:
		return "counter overflow interrupt";
	default:
		return "reserved interrupt";
	}
}

unsigned int insn_length_at(uint64_t pc)
{
	/* Instructions are 2-byte aligned with the C extension; the low two
	 * bits of the first halfword say 16-bit (!= 3) or 32-bit. */
	return (*(const volatile uint16_t *)(uintptr_t)pc & 3) == 3 ? 4 : 2;
}

void trap_describe(const struct trap_frame *f, char *buf, unsigned long size)
{
	unsigned long code = trap_code(f);

	if (trap_is_interrupt(f))
		ksnprintf(buf, size, "%s (cause %lu)", rv_interrupt_name(code), code);
	else if (code < RV_NR_EXCEPTIONS)
		ksnprintf(buf, size, "%s %s (%s)", rv_exceptions[code].mnemonic,
			  rv_exceptions[code].name, exc_class_name(rv_exceptions[code].cls));
	else
		ksnprintf(buf, size, "exception %lu", code);
}
