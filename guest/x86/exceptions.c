/* SPDX-License-Identifier: MIT */
/*
 * The 32 architectural exception vectors: names and classes (SDM vol. 3,
 * table 6-1; AMD APM vol. 2, table 8-1 for #HV, #VC, #SX), and the
 * exception table lookup.
 */
#include "kprintf.h"
#include "trap.h"

const struct exc_info x86_exceptions[X86_NR_EXCEPTIONS] = {
	[0] = { "#DE", "divide error", EXC_FAULT, false },
	[1] = { "#DB", "debug", EXC_FAULT_TRAP, false },
	[2] = { "NMI", "non-maskable interrupt", EXC_INTERRUPT, false },
	[3] = { "#BP", "breakpoint", EXC_TRAP, false },
	[4] = { "#OF", "overflow", EXC_TRAP, false },
	[5] = { "#BR", "BOUND range exceeded", EXC_FAULT, false },
	[6] = { "#UD", "invalid opcode", EXC_FAULT, false },
	[7] = { "#NM", "device not available", EXC_FAULT, false },
	[8] = { "#DF", "double fault", EXC_ABORT, true },
	/* Vector 9 is reserved since the i486; the SDM still classes it as
	 * a fault. */
	[9] = { "#CSO", "coprocessor segment overrun", EXC_FAULT, false },
	[10] = { "#TS", "invalid TSS", EXC_FAULT, true },
	[11] = { "#NP", "segment not present", EXC_FAULT, true },
	[12] = { "#SS", "stack-segment fault", EXC_FAULT, true },
	[13] = { "#GP", "general protection", EXC_FAULT, true },
	[14] = { "#PF", "page fault", EXC_FAULT, true },
	[15] = { "#15", "reserved", EXC_RESERVED, false },
	[16] = { "#MF", "x87 floating-point error", EXC_FAULT, false },
	[17] = { "#AC", "alignment check", EXC_FAULT, true },
	[18] = { "#MC", "machine check", EXC_ABORT, false },
	[19] = { "#XM", "SIMD floating-point", EXC_FAULT, false },
	[20] = { "#VE", "virtualization exception", EXC_FAULT, false },
	[21] = { "#CP", "control protection", EXC_FAULT, true },
	[22] = { "#22", "reserved", EXC_RESERVED, false },
	[23] = { "#23", "reserved", EXC_RESERVED, false },
	[24] = { "#24", "reserved", EXC_RESERVED, false },
	[25] = { "#25", "reserved", EXC_RESERVED, false },
	[26] = { "#26", "reserved", EXC_RESERVED, false },
	[27] = { "#27", "reserved", EXC_RESERVED, false },
	[28] = { "#HV", "hypervisor injection", EXC_FAULT, false },
	[29] = { "#VC", "VMM communication", EXC_FAULT, true },
	[30] = { "#SX", "security exception", EXC_FAULT, true },
	[31] = { "#31", "reserved", EXC_RESERVED, false },
};

const char *exc_class_name(enum exc_class c)
{
	switch (c) {
	case EXC_FAULT:
		return "fault";
	case EXC_TRAP:
		return "trap";
	case EXC_FAULT_TRAP:
		return "fault/trap";
	case EXC_ABORT:
		return "abort";
	case EXC_INTERRUPT:
		return "interrupt";
	default:
		return "reserved";
	}
}

void trap_describe(const struct trap_frame *f, char *buf, unsigned long size)
{
	if (f->vector < X86_NR_EXCEPTIONS) {
		const struct exc_info *e = &x86_exceptions[f->vector];

		ksnprintf(buf, size, "%s %s (%s)", e->mnemonic, e->name, exc_class_name(e->cls));
	} else {
		ksnprintf(buf, size, "vector %#lx", (unsigned long)f->vector);
	}
}
