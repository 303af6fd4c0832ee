/* SPDX-License-Identifier: MIT */
/*
 * Exceptions raised in S-mode. Each test provokes one exception at a known
 * instruction and checks scause, stval and sepc: on RISC-V sepc is the
 * instruction itself for every synchronous exception, ebreak and ecall
 * included (privileged spec 12.1.7), unlike x86, where traps such as int3
 * leave the next instruction. Faults resume through the exception table.
 * x86 checks without a RISC-V counterpart (trap flag, gates, segments, NMI,
 * #MC, #DF) are not built for this port: there is nothing to run or skip.
 */
#include "csr.h"
#include "kstring.h"
#include "machine.h"
#include "paging.h"
#include "percpu.h"
#include "sbi.h"
#include "sections.h"
#include "tap.h"
#include "test.h"
#include "testutil.h"
#include "uprog.h"
#include "usermode.h"

#define NONCANONICAL 0x8000000000000000ull
#define UNCLAIMED_VA 0x102000ull /* next to irqvm's test device; no device there */

/* Read-only page for the write-protection test. */
static const uint64_t ro_page[512] __aligned(4096) = { 1 };

/* Kernel data (read-write, not executable) to jump into. */
uint32_t rv_nx_probe[4] __aligned(16);

/* unimp with the C extension off: csrrw x0, cycle, x0 (ISA manual, "unimp"). */
#define UNIMP_INSN 0xc0001073u

TEST_CASE(exceptions, divide_error, 300)
{
	volatile uint64_t dividend = 7, divisor = 0;
	unsigned long seq = trap_seq();
	uint64_t q, r;
	struct task t;
	int status;
	bool ok;

	__asm__ __volatile__("divu %0, %2, %3\n\tremu %1, %2, %3"
			     : "=&r"(q), "=&r"(r)
			     : "r"(dividend), "r"(divisor));
	ok = tap_expect(trap_seq() == seq, "an exception was taken");
	ok &= tap_expect(q == ~0ull && r == 7, "quotient %#lx remainder %lu", (unsigned long)q,
			 (unsigned long)r);
	status = user_task_run(&t, "div0", u_prog_div0, 0);
	ok &= expect_exit(&t, 0, status);
	tap_ok(ok, "divide by zero in S- and U-mode: no exception (RISC-V has no #DE), quotient "
		   "all ones, remainder the dividend");
}

TEST_CASE(exceptions, breakpoint_ring0, 302)
{
	unsigned long seq = trap_seq();
	uint64_t insn, cinsn;
	bool ok;

	/* A 4-byte ebreak, then a compressed one: the handler steps over
	 * each by its own length. */
	__asm__ __volatile__(".option push\n\t.option norvc\n\t"
			     "lla %0, 1f\n"
			     "1:\tebreak\n\t"
			     ".option pop"
			     : "=&r"(insn)
			     :
			     : "memory");
	ok = expect_trap(seq, EXC_BREAKPOINT, insn);
	ok = ok && tap_expect(last_trap()->frame.stval == insn || !last_trap()->frame.stval,
			      "stval %#lx", (unsigned long)last_trap()->frame.stval);
	diag_last_trap();
	if (ok && rv_machine.has_c) {
		seq = trap_seq();
		__asm__ __volatile__(".option push\n\t.option rvc\n\t"
				     "lla %0, 1f\n"
				     "1:\tc.ebreak\n\t"
				     ".option pop"
				     : "=&r"(cinsn)
				     :
				     : "memory");
		ok = expect_trap(seq, EXC_BREAKPOINT, cinsn);
	}
	tap_ok(ok, "ebreak (and c.ebreak) in S-mode: breakpoint, sepc AT the ebreak (x86's int3 is "
		   "a trap), resumed after it");
}

TEST_CASE(exceptions, invalid_opcode, 304)
{
	unsigned long seq = trap_seq();
	uint64_t insn, stval;
	bool ok;

	__asm__ __volatile__(".option push\n\t.option norvc\n\t"
			     "lla %0, 1f\n"
			     "1:\tunimp\n"
			     "2:\n\t"
			     ".option pop\n" EXTABLE(1b, 2b)
			     : "=&r"(insn)
			     :
			     : "memory");
	ok = expect_trap(seq, EXC_ILLEGAL_INSN, insn);
	stval = last_trap()->frame.stval;
	ok = ok && tap_expect(stval == UNIMP_INSN || !stval, "stval %#lx, want the instruction "
							     "bits or 0",
			      (unsigned long)stval);
	diag_last_trap();
	tap_ok(ok, "illegal instruction (unimp) in S-mode: fault, sepc at it, stval = its bits "
		   "(%s)",
	       stval ? "given" : "0 here");
}

/* A doubleword load from addr that may fault (resuming after it through
 * the exception table); returns the load's address. */
static uint64_t load_may_fault(uint64_t addr)
{
	uint64_t insn;

	__asm__ __volatile__("lla %0, 1f\n"
			     "1:\tld t0, 0(%1)\n"
			     "2:\n" EXTABLE(1b, 2b)
			     : "=&r"(insn)
			     : "r"(addr)
			     : "t0", "memory");
	return insn;
}

static bool expect_pf(unsigned long seq, unsigned long code, uint64_t insn, uint64_t addr)
{
	bool ok = expect_trap(seq, code, insn) && expect_stval(addr);

	diag_last_trap();
	return ok;
}

/* A load from addr faults with `code`, sepc at the load, stval = addr. */
static bool load_faults(unsigned long code, uint64_t addr)
{
	unsigned long seq = trap_seq();

	return expect_pf(seq, code, load_may_fault(addr), addr);
}

TEST_CASE(exceptions, gp_noncanonical, 305)
{
	tap_ok(load_faults(EXC_LOAD_PAGE_FAULT, NONCANONICAL),
	       "load from a non-canonical Sv39 address (bits 63:39 != bit 38) in S-mode: load "
	       "page fault, stval = address (x86: #GP)");
}

TEST_CASE(exceptions, pf_not_present, 311)
{
	tap_ok(load_faults(EXC_LOAD_PAGE_FAULT, (uintptr_t)guard_page + 0x10),
	       "load from an unmapped page in S-mode: load page fault, stval = address, sepc at "
	       "the load");
}

TEST_CASE(exceptions, pf_write_protect, 312)
{
	unsigned long seq = trap_seq();
	uint64_t insn, addr = (uintptr_t)&ro_page[3];

	__asm__ __volatile__("lla %0, 1f\n"
			     "1:\tsd zero, 0(%1)\n"
			     "2:\n" EXTABLE(1b, 2b)
			     : "=&r"(insn)
			     : "r"(addr)
			     : "memory");
	tap_ok(expect_pf(seq, EXC_STORE_PAGE_FAULT, insn, addr),
	       "store to a read-only page in S-mode: store/AMO page fault, stval = address (no "
	       "CR0.WP needed)");
}

TEST_CASE(exceptions, pf_kernel_nx, 319)
{
	unsigned long seq = trap_seq();
	uint64_t target = (uintptr_t)rv_nx_probe;

	/* The fetch itself faults: sepc = stval = the target, which the
	 * exception table maps to the continuation. */
	__asm__ __volatile__("jr %0\n"
			     "2:\n" EXTABLE(rv_nx_probe, 2b)
			     :
			     : "r"(target)
			     : "memory");
	tap_ok(expect_pf(seq, EXC_INSN_PAGE_FAULT, target, target),
	       "jump into a non-executable kernel page in S-mode: instruction page fault, sepc = "
	       "stval = target");
}

TEST_CASE(exceptions, pf_supervisor_user, 320)
{
	unsigned long seq = trap_seq();
	uint64_t insn, addr = (uintptr_t)&u_value, v = 0;
	bool ok;

	/* sstatus.SUM = 0: S-mode loads from U pages fault (privileged spec
	 * 12.1.1.3), the equivalent of x86's SMAP. */
	csr_clear(sstatus, SSTATUS_SUM);
	insn = load_may_fault(addr);
	csr_set(sstatus, SSTATUS_SUM);
	ok = expect_pf(seq, EXC_LOAD_PAGE_FAULT, insn, addr);
	seq = trap_seq();
	__asm__ __volatile__("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
	ok = ok && tap_expect(trap_seq() == seq, "faulted with SUM = 1 too");
	tap_ok(ok, "S-mode load from a U page: load page fault with sstatus.SUM = 0, allowed with "
		   "SUM = 1");
}

TEST_CASE(exceptions, pf_supervisor_exec_user, 321)
{
	unsigned long seq = trap_seq();
	uint64_t target = (uintptr_t)u_prog_exit;

	/* S-mode never executes from U pages, whatever SUM says (12.4.1). */
	__asm__ __volatile__("jr %0\n"
			     "2:\n" EXTABLE(u_prog_exit, 2b)
			     :
			     : "r"(target)
			     : "memory");
	tap_ok(expect_pf(seq, EXC_INSN_PAGE_FAULT, target, target),
	       "S-mode jump into U-mode text: instruction page fault even with sstatus.SUM = 1");
}

/* A misaligned access traps only where neither the hart nor the firmware
 * completes it (privileged spec 3.6.3.4 lets either happen). */
static bool misaligned_trapped(unsigned long seq, unsigned long code, uint64_t insn,
			       uint64_t addr, const char *what)
{
	if (trap_seq() == seq) {
		tap_skip("this platform completed the access without a trap (QEMU handles "
			 "misaligned loads and stores itself; the ISA allows it)",
			 "%s", what);
		return false;
	}
	tap_ok(expect_pf(seq, code, insn, addr), "%s", what);
	return true;
}

TEST_CASE(exceptions, misaligned_load, 322)
{
	static uint64_t buf[2] __aligned(16);
	unsigned long seq = trap_seq();
	uint64_t insn, addr = (uintptr_t)buf + 1;

	insn = load_may_fault(addr);
	misaligned_trapped(seq, EXC_LOAD_MISALIGNED, insn, addr,
			   "misaligned doubleword load in S-mode: load address misaligned, stval = "
			   "address");
}

TEST_CASE(exceptions, misaligned_amo, 323)
{
	static uint32_t buf[4] __aligned(16);
	unsigned long seq = trap_seq();
	uint64_t insn, addr = (uintptr_t)buf + 2;
	const char *what = "misaligned AMO (amoadd.w) in S-mode: store/AMO address misaligned or "
			   "access fault, stval = address";

	__asm__ __volatile__("lla %0, 1f\n"
			     "1:\tamoadd.w zero, zero, (%1)\n"
			     "2:\n" EXTABLE(1b, 2b)
			     : "=&r"(insn)
			     : "r"(addr)
			     : "memory");
	if (trap_seq() != seq && last_trap()->frame.scause == EXC_STORE_ACCESS) {
		/* Allowed too (ISA manual, "A" extension, 8.4). */
		tap_ok(expect_pf(seq, EXC_STORE_ACCESS, insn, addr), "%s", what);
		return;
	}
	misaligned_trapped(seq, EXC_STORE_MISALIGNED, insn, addr, what);
}

TEST_CASE(exceptions, misaligned_fetch, 324)
{
	tap_skip("cannot happen here: with the C extension instructions are 2-byte aligned and "
		 "jalr clears bit 0 of the target",
		 "instruction address misaligned");
}

static bool map_unclaimed(bool on)
{
	return paging_map_page(UNCLAIMED_VA, UNCLAIMED_VA,
			       on ? PTE_V | PTE_R | PTE_W | PTE_A | PTE_D : 0);
}

TEST_CASE_CHECKS(exceptions, access_fault, 325, 2)
{
	unsigned long seq;
	uint64_t v = 0;
	bool ok;

	/* A KVM guest sees no access faults: guest-physical addresses
	 * without RAM are MMIO, loads and stores there exit to the VMM
	 * (irqvm reads all ones and drops writes), and KVM refuses
	 * instruction fetches from them (the vCPU would stop). What can be
	 * checked is that the load completes without an exception. */
	if (tap_expect(map_unclaimed(true), "cannot map the test page")) {
		seq = trap_seq();
		__asm__ __volatile__("lwu %0, 0(%1)" : "=r"(v) : "r"(UNCLAIMED_VA) : "memory");
		map_unclaimed(false);
		ok = tap_expect(trap_seq() == seq, "an exception was taken");
		ok = ok && tap_expect(v == 0xffffffffull, "read %#lx, want 0xffffffff",
				      (unsigned long)v);
	} else {
		ok = false;
	}
	tap_ok(ok, "load from an unclaimed guest-physical address: MMIO exit to the VMM, all ones, "
		   "no access fault");
	tap_skip("not reachable in a KVM guest: unbacked addresses are MMIO (loads/stores go to "
		 "the VMM, fetches stop the vCPU) and S-mode cannot program PMP",
		 "load/store/instruction access faults");
}

TEST_CASE(exceptions, mmio_load_sign_extension, 326)
{
	const char *what = "lw from MMIO sign-extends the value (all ones from an unclaimed "
			   "address)";
	uint64_t v = 0;

	map_unclaimed(true);
	__asm__ __volatile__("lw %0, 0(%1)" : "=r"(v) : "r"(UNCLAIMED_VA) : "memory");
	map_unclaimed(false);
	if (v == 0xffffffffull && rv_machine.sbi_impl == SBI_IMPL_KVM) {
		/* Linux's MMIO completion (arch/riscv/kvm/vcpu_insn.c, up to at
		 * least 6.12) shifts the loaded value as unsigned long, so lw,
		 * lh and lb come back zero-extended. A host deviation, not
		 * irqvm's: drivers here must use lwu or mask. */
		tap_skip("this host's KVM zero-extends MMIO loads (lw returned 0xffffffff)", "%s",
			 what);
		return;
	}
	tap_ok(tap_expect(v == ~0ull, "lw returned %#lx", (unsigned long)v), "%s", what);
}
