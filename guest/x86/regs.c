/* SPDX-License-Identifier: MIT */
/*
 * Register dump for panics, as TAP diagnostics.
 */
#include "arch.h"
#include "kprintf.h"
#include "trap.h"
#include "x86.h"

void arch_dump_regs(const struct trap_frame *f)
{
	if (f) {
		char what[80];

		trap_describe(f, what, sizeof(what));
		kprintf("# trap: %s, error code %#lx, cpl %lu\n", what,
			(unsigned long)f->error_code, (unsigned long)(f->cs & 3));
		kprintf("# rip %016lx cs %04lx rflags %08lx rsp %016lx ss %04lx\n", f->rip, f->cs,
			f->rflags, f->rsp, f->ss);
		kprintf("# rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx,
			f->rdx);
		kprintf("# rsi %016lx rdi %016lx rbp %016lx\n", f->rsi, f->rdi, f->rbp);
		kprintf("# r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", f->r8, f->r9, f->r10,
			f->r11);
		kprintf("# r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", f->r12, f->r13,
			f->r14, f->r15);
	} else {
		uint64_t rsp;

		__asm__ __volatile__("movq %%rsp, %0" : "=r"(rsp));
		kprintf("# rsp %016lx rflags %08lx\n", rsp, read_rflags());
	}
	kprintf("# cr0 %08lx cr2 %016lx cr3 %016lx cr4 %08lx\n", read_cr0(), read_cr2(),
		read_cr3(), read_cr4());
}
