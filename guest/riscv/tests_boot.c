/* SPDX-License-Identifier: MIT */
/*
 * Boot and CPU set-up checks: the boot protocol and the device tree, our
 * trap vector, our page tables, the exception code table, the SBI
 * implementation. The x86-only checks of the cpu group (descriptor
 * tables, IDT gates) are not built for this port; cpu.trap_vector and
 * cpu.vectored_mode are their RISC-V counterparts.
 */
#include <irqvm/abi.h>

#include "boot.h"
#include "csr.h"
#include "fdt.h"
#include "kstring.h"
#include "machine.h"
#include "paging.h"
#include "percpu.h"
#include "sbi.h"
#include "sections.h"
#include "tap.h"
#include "test.h"
#include "vmm/arch/riscv/riscv_layout.h"

TEST_CASE(boot, boot_info, 100)
{
	const struct rv_machine *m = &rv_machine;
	uint64_t a1 = m->boot_a1;
	bool ok = tap_expect(m->boot_a0 == 0, "a0 = %#lx, want hart 0", (unsigned long)m->boot_a0);

	ok &= tap_expect(m->boot_satp == 0, "satp was %#lx at entry, want 0 (MMU off)",
			 (unsigned long)m->boot_satp);
	ok &= tap_expect(!(a1 & 7) && a1 >= IRQVM_RV_RAM_BASE, "a1 = %#lx", (unsigned long)a1);
	ok &= tap_expect(fdt_be32((const void *)(uintptr_t)a1) == FDT_MAGIC, "no FDT magic at a1");
	ok &= tap_expect(m->fdt_version >= 17 && m->fdt_size <= IRQVM_RV_FDT_MAX_SIZE,
			 "version %u, %u bytes", m->fdt_version, m->fdt_size);
	ok &= tap_expect((a1 & (IRQVM_RV_FDT_SLOT - 1)) == 0,
			 "device tree not at the start of a 2 MiB slot");
	tap_ok(ok, "boot protocol: S-mode with satp = 0, a0 = hart 0, a1 = device tree at %#lx "
		   "(magic, version %u, %u bytes)",
	       (unsigned long)a1, m->fdt_version, m->fdt_size);
}

TEST_CASE(boot, memory_map, 101)
{
	const struct boot_params *bp = &boot_params;
	uint64_t total = 0, a1 = rv_machine.boot_a1;
	bool ok = tap_expect(bp->nr_mem_regions > 0, "no regions"), fdt_inside = false;

	for (unsigned int i = 0; i < bp->nr_mem_regions; i++) {
		total += bp->mem[i].size;
		fdt_inside |= a1 >= bp->mem[i].base && a1 - bp->mem[i].base < bp->mem[i].size;
		for (unsigned int j = 0; j < i; j++) {
			bool apart = bp->mem[i].base >= bp->mem[j].base + bp->mem[j].size ||
				     bp->mem[j].base >= bp->mem[i].base + bp->mem[i].size;

			ok &= tap_expect(apart, "regions %u and %u overlap", j, i);
		}
	}
	ok &= tap_expect(total == bp->mem_size, "regions add up to %lu bytes, mem_size %lu",
			 (unsigned long)total, (unsigned long)bp->mem_size);
	ok &= tap_expect(bp->mem[0].base == IRQVM_RV_RAM_BASE, "RAM at %#lx",
			 (unsigned long)bp->mem[0].base);
	ok &= tap_expect(fdt_inside, "device tree outside RAM");
	ok &= tap_expect(bp->nr_cpus >= 1 && bp->nr_cpus <= IRQVM_MAX_VCPUS, "%u harts",
			 bp->nr_cpus);
	tap_ok(ok, "device tree: %lu MiB in %u region(s) at 0x80000000, %u hart(s)",
	       (unsigned long)(bp->mem_size >> 20), bp->nr_mem_regions, bp->nr_cpus);
}

TEST_CASE(boot, kernel_image, 102)
{
	uint64_t start = (uintptr_t)__kernel_start, end = (uintptr_t)__kernel_end;
	bool ok = tap_expect(start >= IRQVM_RV_RAM_BASE, "loaded at %#lx", (unsigned long)start);

	ok &= tap_expect(end <= rv_machine.boot_a1, "image [%#lx, %#lx) overlaps the device tree",
			 (unsigned long)start, (unsigned long)end);
	tap_ok(ok, "kernel image at [%#lx, %#lx) in RAM, below the device tree",
	       (unsigned long)start, (unsigned long)end);
}

TEST_CASE(boot, device_tree, 103)
{
	const struct rv_machine *m = &rv_machine;
	bool ok = tap_expect(m->timebase_hz > 0, "no timebase-frequency");

	ok &= tap_expect(m->cpu_nodes == boot_params.nr_cpus, "%u cpu nodes, %u used",
			 m->cpu_nodes, boot_params.nr_cpus);
	for (unsigned int cpu = 0; cpu < m->nr_harts; cpu++)
		ok &= tap_expect(m->hartids[cpu] == cpu, "cpu %u is hart %u (irqvm numbers harts "
							 "by vCPU index)",
				 cpu, m->hartids[cpu]);
	ok &= tap_expect(!strncmp(m->isa, "rv64i", 5) && strchr(m->isa, 'm') && strchr(m->isa, 'a'),
			 "riscv,isa \"%s\"", m->isa);
	ok &= tap_expect(!strcmp(m->mmu_type, "riscv,sv39") || !strcmp(m->mmu_type, "riscv,sv48") ||
				 !strcmp(m->mmu_type, "riscv,sv57"),
			 "mmu-type \"%s\" does not include Sv39", m->mmu_type);
	ok &= tap_expect(!m->exit_dev.present || m->exit_dev.base == IRQVM_RV_TEST_BASE,
			 "sifive,test0 at %#lx", (unsigned long)m->exit_dev.base);
	ok &= tap_expect(!m->uart.present || m->uart.base == IRQVM_RV_UART_BASE,
			 "ns16550a at %#lx", (unsigned long)m->uart.base);
	tap_ok(ok, "device tree: timebase %lu Hz, %u cpu node(s) with hart ids 0..%u, riscv,isa, "
		   "mmu-type, devices at the board's addresses",
	       (unsigned long)m->timebase_hz, m->cpu_nodes, m->nr_harts - 1);
}

static bool expect_page(const char *what, uint64_t va, uint64_t want)
{
	uint64_t got = paging_lookup(va, NULL) & PTE_PERM;

	return tap_expect(got == want, "%s at %#lx: flags %#lx, want %#lx", what,
			  (unsigned long)va, (unsigned long)got, (unsigned long)want);
}

TEST_CASE(cpu, page_tables, 202)
{
	const uint64_t r = PTE_V | PTE_R, rw = r | PTE_W;
	uint8_t *stacks = cpu_stack_block(0);
	uint64_t satp = csr_read(satp);
	bool ok = tap_expect(satp == rv_kernel_satp && (satp >> 60) == 8, "satp %#lx",
			     (unsigned long)satp);

	ok &= tap_expect(csr_read(sstatus) & SSTATUS_SUM, "sstatus.SUM clear");
	ok &= expect_page("page 0", 0, 0);
	ok &= expect_page("kernel text", (uintptr_t)__kernel_start, r | PTE_X);
	ok &= expect_page("rodata", (uintptr_t)__text_end, r);
	ok &= expect_page("user text", (uintptr_t)__user_text_start, r | PTE_X | PTE_U);
	ok &= expect_page("user data", (uintptr_t)__user_data_start, rw | PTE_U);
	ok &= expect_page("user stack", (uintptr_t)user_stack, rw | PTE_U);
	ok &= expect_page("kernel data", (uintptr_t)&percpu[0], rw);
	ok &= expect_page("guard page", (uintptr_t)guard_page, 0);
	ok &= expect_page("stack guard", (uintptr_t)(stacks + RV_STACK_GUARD0), 0);
	ok &= expect_page("kernel stack", (uintptr_t)(stacks + RV_KSTACK_BASE), rw);
	ok &= expect_page("high RAM", IRQVM_RV_RAM_BASE + boot_params.mem[0].size - 4096, rw);
	if (rv_machine.exit_dev.present)
		ok &= expect_page("exit device", rv_machine.exit_dev.base, rw);
	tap_ok(ok, "own Sv39 page tables: W^X kernel, U pages for the tasks, unmapped page 0 and "
		   "guard pages");
}

TEST_CASE(cpu, exception_table, 203)
{
	bool ok = true;

	for (unsigned int c = 0; c < RV_NR_EXCEPTIONS; c++)
		ok &= tap_expect(rv_exceptions[c].mnemonic && rv_exceptions[c].name,
				 "code %u unnamed", c);
	ok &= tap_expect(rv_exceptions[EXC_LOAD_PAGE_FAULT].cls == EXC_FAULT &&
				 rv_exceptions[EXC_ILLEGAL_INSN].cls == EXC_FAULT &&
				 rv_exceptions[EXC_BREAKPOINT].cls == EXC_REQUESTED &&
				 rv_exceptions[EXC_ECALL_U].cls == EXC_REQUESTED &&
				 rv_exceptions[10].cls == EXC_RESERVED,
			 "class table wrong");
	for (unsigned int c = 0; c < 16; c += 4)
		tap_diag("%2u %-16s %2u %-16s %2u %-16s %2u %s", c, rv_exceptions[c].mnemonic, c + 1,
			 rv_exceptions[c + 1].mnemonic, c + 2, rv_exceptions[c + 2].mnemonic, c + 3,
			 rv_exceptions[c + 3].mnemonic);
	tap_ok(ok, "scause exception codes 0-23 named and classed (fault/requested/reserved)");
}

TEST_CASE(cpu, trap_vector, 204)
{
	struct percpu *pc = this_cpu();
	uint64_t stvec = csr_read(stvec);
	bool ok = tap_expect(stvec == (uintptr_t)rv_trap_entry, "stvec %#lx, entry %p",
			     (unsigned long)stvec, (void *)rv_trap_entry);

	ok &= tap_expect((stvec & 3) == STVEC_MODE_DIRECT, "stvec mode %lu", (unsigned long)(stvec & 3));
	ok &= tap_expect(csr_read(sscratch) == 0, "sscratch %#lx in the kernel, want 0",
			 csr_read(sscratch));
	ok &= tap_expect(pc->self == pc && pc == &percpu[0], "tp does not point at CPU 0's data");
	ok &= tap_expect((csr_read(sie) & (SIE_SSIE | SIE_STIE)) == (SIE_SSIE | SIE_STIE),
			 "sie %#lx", csr_read(sie));
	ok &= tap_expect(!(csr_read(sstatus) & SSTATUS_SIE), "interrupts on in the boot thread");
	ok &= tap_expect(((uintptr_t)rv_trap_vectors & 0xff) == 0, "vector table at %p",
			 (const void *)rv_trap_vectors);
	tap_ok(ok, "stvec = trap entry in direct mode, sscratch = 0 in S-mode, tp = per-CPU data, "
		   "software and timer interrupts enabled in sie");
}

TEST_CASE(cpu, sbi, 205)
{
	const struct rv_machine *m = &rv_machine;
	bool ok = tap_expect(m->sbi_spec >= 2, "SBI spec version %#lx (want >= 0.2)",
			     (unsigned long)m->sbi_spec);

	ok &= tap_expect(m->sbi_time && m->sbi_ipi && m->sbi_rfence && m->sbi_hsm && m->sbi_srst,
			 "TIME %d IPI %d RFENCE %d HSM %d SRST %d", m->sbi_time, m->sbi_ipi,
			 m->sbi_rfence, m->sbi_hsm, m->sbi_srst);
	ok &= tap_expect(m->sbi_dbcn || m->sbi_legacy_console, "no SBI console");
	ok &= tap_expect(!sbi_probe(0x08000000), "an experimental extension probes as present");
	ok &= tap_expect(sbi_ecall(0x08000000, 0, 0, 0, 0, 0).error == SBI_ERR_NOT_SUPPORTED,
			 "an unknown extension did not answer NOT_SUPPORTED");
	tap_ok(ok, "SBI %ld.%ld (implementation %ld): TIME, IPI, RFENCE, HSM, SRST and a console; "
		   "unknown extensions answer NOT_SUPPORTED",
	       (m->sbi_spec >> 24) & 0x7f, m->sbi_spec & 0xffffff, m->sbi_impl);
}
