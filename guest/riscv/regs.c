/* SPDX-License-Identifier: MIT */
/*
 * Register dump for panics, as TAP diagnostics.
 */
#include "arch.h"
#include "csr.h"
#include "kprintf.h"
#include "trap.h"

void arch_dump_regs(const struct trap_frame *f)
{
	if (f) {
		char what[96];

		trap_describe(f, what, sizeof(what));
		kprintf("# trap: %s, from %s-mode, entry slot %ld\n", what,
			trap_from_user(f) ? "U" : "S", (long)f->slot);
		kprintf("# sepc %016lx sstatus %016lx stval %016lx\n", f->sepc, f->sstatus,
			f->stval);
		kprintf("# ra %016lx sp %016lx gp %016lx tp %016lx\n", f->ra, f->sp, f->gp, f->tp);
		kprintf("# t0 %016lx t1 %016lx t2 %016lx t3 %016lx\n", f->t0, f->t1, f->t2, f->t3);
		kprintf("# t4 %016lx t5 %016lx t6 %016lx s0 %016lx\n", f->t4, f->t5, f->t6, f->s0);
		kprintf("# a0 %016lx a1 %016lx a2 %016lx a3 %016lx\n", f->a0, f->a1, f->a2, f->a3);
		kprintf("# a4 %016lx a5 %016lx a6 %016lx a7 %016lx\n", f->a4, f->a5, f->a6, f->a7);
		kprintf("# s1 %016lx s2 %016lx s3 %016lx s4 %016lx\n", f->s1, f->s2, f->s3, f->s4);
		kprintf("# s5 %016lx s6 %016lx s7 %016lx s8 %016lx\n", f->s5, f->s6, f->s7, f->s8);
		kprintf("# s9 %016lx s10 %016lx s11 %016lx\n", f->s9, f->s10, f->s11);
	} else {
		kprintf("# sp %016lx sstatus %016lx\n", (unsigned long)read_sp(),
			csr_read(sstatus));
	}
	kprintf("# satp %016lx stvec %016lx sie %03lx sip %03lx sscratch %016lx\n", csr_read(satp),
		csr_read(stvec), csr_read(sie), csr_read(sip), csr_read(sscratch));
}
