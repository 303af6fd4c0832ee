/* SPDX-License-Identifier: MIT */
/*
 * Exception table: a kernel-mode exception at an instruction listed here
 * resumes at its fixup instead of being fatal. The tests use it to provoke
 * exceptions on purpose and carry on; the ports' trap handlers call
 * extable_lookup(). The same on both ports: two 8-byte addresses per entry
 * in .extable, which each linker script brackets with
 * __extable_start/__extable_end.
 *
 *   __asm__("1: <faulting instruction>\n 2:\n" EXTABLE(1b, 2b));
 */
#ifndef GUEST_EXTABLE_H
#define GUEST_EXTABLE_H

#include <stdint.h>

struct extable_entry {
	uint64_t insn;
	uint64_t fixup;
};

/* .8byte is what x86's .quad and RISC-V's .dword are called on every
 * GNU as target. */
#define EXTABLE(insn, fixup)                                                      \
	".pushsection .extable, \"a\"\n"                                          \
	".balign 8\n"                                                             \
	".8byte " #insn ", " #fixup "\n"                                          \
	".popsection\n"

/* The fixup for an exception at kernel pc, 0 if there is none. */
uint64_t extable_lookup(uint64_t pc);

#endif /* GUEST_EXTABLE_H */
