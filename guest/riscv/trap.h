/* SPDX-License-Identifier: MIT */
/*
 * Trap frames, the record of the last exception, the exception table
 * (fixups) and the scause code descriptions.
 */
#ifndef RV_TRAP_H
#define RV_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"
#include "csr.h"
#include "extable.h" /* EXTABLE() for the tests, extable_lookup() */
#include "layout.h"

/* What the entry code (trap.S) saves: x1..x31, the trap CSRs, and the
 * vectored-mode slot the trap came through (-1 for the direct entry). */
struct trap_frame {
	uint64_t ra, sp, gp, tp, t0, t1, t2, s0, s1;
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
	uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	uint64_t t3, t4, t5, t6;
	uint64_t sepc, sstatus, scause, stval;
	int64_t slot;
};

STATIC_ASSERT(__builtin_offsetof(struct trap_frame, a0) == TF_A0, "TF_A0");
STATIC_ASSERT(__builtin_offsetof(struct trap_frame, t6) == TF_T6, "TF_T6");
STATIC_ASSERT(__builtin_offsetof(struct trap_frame, sepc) == TF_SEPC, "TF_SEPC");
STATIC_ASSERT(__builtin_offsetof(struct trap_frame, slot) == TF_SLOT, "TF_SLOT");
STATIC_ASSERT(sizeof(struct trap_frame) == TF_SIZE, "TF_SIZE");

static inline bool trap_from_user(const struct trap_frame *f)
{
	return !(f->sstatus & SSTATUS_SPP);
}

static inline bool trap_is_interrupt(const struct trap_frame *f)
{
	return f->scause & SCAUSE_INTERRUPT;
}

static inline unsigned long trap_code(const struct trap_frame *f)
{
	return f->scause & ~SCAUSE_INTERRUPT;
}

/* How an exception leaves sepc (privileged spec 12.1.7 and 12.1.8). */
enum exc_class {
	EXC_RESERVED,
	EXC_FAULT,     /* sepc = the instruction, which can be restarted */
	EXC_REQUESTED, /* ecall/ebreak: sepc = the instruction; the handler
	                  moves past it (x86's int3 is a trap instead) */
	EXC_INTERRUPT, /* sepc = the next instruction to execute */
};

struct exc_info {
	const char *mnemonic; /* "load-page-fault" */
	const char *name;     /* "load page fault" */
	enum exc_class cls;
	bool stval_addr;      /* stval holds the faulting address */
};

extern const struct exc_info rv_exceptions[RV_NR_EXCEPTIONS];
const char *exc_class_name(enum exc_class c);
const char *rv_interrupt_name(unsigned long code);

/* Everything the last exception on a hart looked like; tests read it. */
struct trap_record {
	struct trap_frame frame;
	uint64_t frame_addr; /* where the frame was: shows which stack was used */
	unsigned long seq;   /* bumped on each exception */
};

/* The last interrupt a hart took (cause, where it interrupted, which
 * vectored-mode slot it came through). */
struct irq_record {
	unsigned long code;
	uint64_t sepc;
	int64_t slot;
	bool from_user;
	unsigned long seq;
};

/* The last system call entry (ecall from U-mode). */
struct ecall_record {
	uint64_t sepc, sstatus, scause;
	unsigned long count;
};

/* Exception table (extable.h): an S-mode exception at an EXTABLE()
 * instruction resumes at its fixup. In C:
 *
 *   __asm__("1: unimp\n 2:\n" EXTABLE(1b, 2b));
 */

/* Length of the instruction at pc (2 if compressed, else 4). */
unsigned int insn_length_at(uint64_t pc);

/* Entry points in trap.S. */
void rv_trap_entry(void);
extern const uint32_t rv_trap_vectors[RV_NR_VECTOR_SLOTS];
void rv_trap_return(void);

void rv_trap_dispatch(struct trap_frame *f);

/* "load-page-fault (fault)" style description for messages. */
void trap_describe(const struct trap_frame *f, char *buf, unsigned long size);

#endif /* RV_TRAP_H */
