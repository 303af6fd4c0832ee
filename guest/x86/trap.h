/* SPDX-License-Identifier: MIT */
/*
 * Trap frames, the exception table (fixups) and the exception vector
 * descriptions.
 */
#ifndef X86_TRAP_H
#define X86_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "extable.h" /* EXTABLE() for the tests, extable_lookup() */
#include "layout.h"

/* What the entry stubs (vectors.S) save, lowest address first. The last
 * five words are the frame the CPU pushed; `error_code` is 0 for vectors
 * without one. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

STATIC_ASSERT(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "TF_VECTOR");
STATIC_ASSERT(sizeof(struct trap_frame) == TF_SIZE, "TF_SIZE");

static inline bool trap_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

/* Exception vectors (SDM vol. 3, table 6-1; AMD APM vol. 2, 8.2). */
enum {
	X86_EXC_DE = 0,
	X86_EXC_DB = 1,
	X86_EXC_NMI = 2,
	X86_EXC_BP = 3,
	X86_EXC_OF = 4,
	X86_EXC_BR = 5,
	X86_EXC_UD = 6,
	X86_EXC_NM = 7,
	X86_EXC_DF = 8,
	X86_EXC_TS = 10,
	X86_EXC_NP = 11,
	X86_EXC_SS = 12,
	X86_EXC_GP = 13,
	X86_EXC_PF = 14,
	X86_EXC_MF = 16,
	X86_EXC_AC = 17,
	X86_EXC_MC = 18,
	X86_EXC_XM = 19,
	X86_EXC_VE = 20,
	X86_EXC_CP = 21,
	X86_NR_EXCEPTIONS = 32,
};

enum exc_class {
	EXC_RESERVED,
	EXC_FAULT,       /* saved RIP = the faulting instruction: restartable */
	EXC_TRAP,        /* saved RIP = the next instruction */
	EXC_FAULT_TRAP,  /* #DB: fault for instruction breakpoints, else trap */
	EXC_ABORT,       /* saved RIP unreliable, not restartable */
	EXC_INTERRUPT,   /* NMI */
};

struct exc_info {
	const char *mnemonic; /* "#PF" */
	const char *name;     /* "page fault" */
	enum exc_class cls;
	bool error_code;      /* the CPU pushes an error code */
};

extern const struct exc_info x86_exceptions[X86_NR_EXCEPTIONS];
const char *exc_class_name(enum exc_class c);

/* #PF error code bits (SDM 4.7). */
#define PF_P (1u << 0)
#define PF_W (1u << 1)
#define PF_U (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_I (1u << 4)

/* Everything the last exception on a CPU looked like; tests read it. */
struct trap_record {
	struct trap_frame frame;
	uint64_t cr2;
	uint64_t dr6;
	uint64_t frame_addr; /* where the frame was: shows which stack was used */
	unsigned long seq;   /* bumped on each exception */
};

/* Exception table (extable.h): a kernel-mode fault at an EXTABLE()
 * instruction resumes at its fixup. In C:
 *
 *   __asm__("1: ud2\n 2:\n" EXTABLE(1b, 2b));
 */

/* Entry points in vectors.S / user_entry.S. */
extern const uint8_t x86_vector_stubs[];
#define X86_VECTOR_STUB_SIZE 16
void x86_syscall_entry(void);

void trap_dispatch(struct trap_frame *f);

/* A maskable interrupt whose interrupted code had IF clear, not raised by
 * an `int n`: a second delivery by the host, which trap_dispatch drops
 * (traps.c, docs/guest.md "Traps"). */
bool trap_is_second_delivery(const struct trap_frame *f);

/* Records one dropped second delivery on this CPU: its vector and the
 * interrupted RIP (0 where the entry path does not pass it). */
void trap_note_second_delivery(unsigned int vector, uint64_t rip);

/* Second deliveries dropped so far, on all CPUs. */
unsigned long trap_second_deliveries(void);

/* "#GP general protection (fault)" style description for messages. */
void trap_describe(const struct trap_frame *f, char *buf, unsigned long size);

#endif /* X86_TRAP_H */
