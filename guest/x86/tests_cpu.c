/* SPDX-License-Identifier: MIT */
/*
 * Boot and CPU set-up checks: the boot protocol, our descriptor tables,
 * our page tables, the exception vector table.
 */
#include <irqvm/abi.h>

#include "boot.h"
#include "desc.h"
#include "host.h"
#include "paging.h"
#include "percpu.h"
#include "sections.h"
#include "smp_x86.h"
#include "tap.h"
#include "test.h"
#include "x86.h"

TEST_CASE(boot, boot_info, 100)
{
	const struct irqvm_boot_info *c = &x86_boot_info;
	bool ok = tap_expect(c->magic == IRQVM_BOOT_MAGIC, "magic %#x", c->magic);

	ok &= tap_expect(c->version == IRQVM_BOOT_VERSION, "version %u", c->version);
	ok &= tap_expect(c->size >= sizeof(*c), "VMM structure is %u bytes, ours %zu", c->size,
			 sizeof(*c));
	tap_ok(ok, "boot info: magic \"IRQV\", version %u, %u bytes", c->version, c->size);
}

TEST_CASE(boot, memory_map, 101)
{
	const struct boot_params *bp = &boot_params;
	uint64_t total = 0;
	bool ok = tap_expect(bp->nr_mem_regions > 0, "no regions");

	for (unsigned int i = 0; i < bp->nr_mem_regions; i++) {
		total += bp->mem[i].size;
		for (unsigned int j = 0; j < i; j++) {
			bool apart = bp->mem[i].base >= bp->mem[j].base + bp->mem[j].size ||
				     bp->mem[j].base >= bp->mem[i].base + bp->mem[i].size;

			ok &= tap_expect(apart, "regions %u and %u overlap", j, i);
		}
	}
	ok &= tap_expect(total == bp->mem_size, "regions add up to %lu bytes, mem_size %lu",
			 (unsigned long)total, (unsigned long)bp->mem_size);
	ok &= tap_expect(bp->nr_cpus >= 1 && bp->nr_cpus <= IRQVM_MAX_VCPUS, "%u CPUs",
			 bp->nr_cpus);
	tap_ok(ok, "boot info: %lu MiB in %u region(s), %u CPU(s)",
	       (unsigned long)(bp->mem_size >> 20), bp->nr_mem_regions, bp->nr_cpus);
}

TEST_CASE(boot, kernel_image, 102)
{
	uint64_t end = x86_boot_info.kernel_end_gpa;
	bool ok = tap_expect((uint64_t)__kernel_start >= IRQVM_X86_KERNEL_MIN_GPA,
			     "loaded at %#lx", (unsigned long)(uint64_t)__kernel_start);

	if (end)
		ok &= tap_expect(end == (uint64_t)__kernel_end,
				 "VMM says the image ends at %#lx, linker at %#lx",
				 (unsigned long)end, (unsigned long)(uint64_t)__kernel_end);
	tap_ok(ok, "kernel image at [%#lx, %#lx), at or above 1 MiB",
	       (unsigned long)(uint64_t)__kernel_start, (unsigned long)(uint64_t)__kernel_end);
}

TEST_CASE(cpu, descriptor_tables, 200)
{
	struct desc_ptr gdtr, idtr;
	struct percpu *pc = this_cpu();
	uint16_t cs;
	bool ok;

	sgdt(&gdtr);
	sidt(&idtr);
	__asm__ __volatile__("movw %%cs, %0" : "=r"(cs));
	ok = tap_expect(gdtr.base == (uint64_t)x86_gdt, "GDTR base %#lx",
			(unsigned long)gdtr.base);
	ok &= tap_expect(idtr.base == (uint64_t)x86_idt && idtr.limit == sizeof(x86_idt) - 1,
			 "IDTR %#lx/%#x", (unsigned long)idtr.base, idtr.limit);
	ok &= tap_expect(str() == X86_TSS_SEL(pc->cpu), "TR %#x", str());
	ok &= tap_expect(cs == X86_KERNEL_CS, "CS %#x", cs);
	ok &= tap_expect(rdmsr(MSR_GS_BASE) == (uint64_t)pc, "GS base %#lx",
			 (unsigned long)rdmsr(MSR_GS_BASE));
	ok &= tap_expect(pc->tss.rsp[0] == pc->trap_stack_top && pc->tss.ist[X86_IST_DF - 1],
			 "TSS stacks not set");
	tap_ok(ok, "own GDT, IDT (256 gates) and TSS loaded, GS base = per-CPU data");
}

TEST_CASE(cpu, idt_gates, 201)
{
	bool ok = true;

	for (unsigned int v = 0; v < 256; v++) {
		const struct idt_gate *g = &x86_idt[v];
		uint64_t addr = g->offset_lo | ((uint64_t)g->offset_mid << 16) |
				((uint64_t)g->offset_hi << 32);
		unsigned int dpl = (g->type_attr >> 5) & 3;
		bool user = v == X86_EXC_BP || v == X86_EXC_OF || v == X86_SYSCALL_VECTOR;
		unsigned int ist = v == X86_EXC_NMI ? X86_IST_NMI
				 : v == X86_EXC_DF  ? X86_IST_DF
				 : v == X86_EXC_MC  ? X86_IST_MC
						    : 0;

		ok &= tap_expect(addr == (uint64_t)(x86_vector_stubs + v * X86_VECTOR_STUB_SIZE),
				 "vector %u stub %#lx", v, (unsigned long)addr);
		ok &= tap_expect(g->selector == X86_KERNEL_CS && (g->type_attr & 0x9f) == 0x8e,
				 "vector %u: selector %#x type %#x", v, g->selector, g->type_attr);
		ok &= tap_expect(dpl == (user ? 3u : 0u), "vector %u DPL %u", v, dpl);
		ok &= tap_expect(g->ist == ist, "vector %u IST %u", v, g->ist);
	}
	tap_ok(ok, "IDT: interrupt gates, DPL 3 only for int3/into/int 0x80, IST for NMI/#DF/#MC");
}

static bool expect_page(const char *what, uint64_t va, uint64_t want)
{
	uint64_t mask = PTE_P | PTE_W | PTE_U | PTE_NX;
	uint64_t got = paging_lookup(va, NULL) & mask;

	return tap_expect(got == want, "%s at %#lx: flags %#lx, want %#lx", what,
			  (unsigned long)va, (unsigned long)got, (unsigned long)want);
}

TEST_CASE(cpu, page_tables, 202)
{
	uint8_t *stacks = cpu_stack_block(0);
	bool ok = tap_expect(read_cr3() == x86_kernel_cr3, "CR3 %#lx", (unsigned long)read_cr3());

	ok &= tap_expect(read_cr0() & X86_CR0_WP, "CR0.WP clear");
	ok &= tap_expect(rdmsr(MSR_EFER) & EFER_NXE, "EFER.NXE clear");
	ok &= expect_page("page 0", 0, 0);
	ok &= expect_page("kernel text", (uint64_t)__kernel_start, PTE_P);
	ok &= expect_page("rodata", (uint64_t)__text_end, PTE_P | PTE_NX);
	ok &= expect_page("user text", (uint64_t)__user_text_start, PTE_P | PTE_U);
	ok &= expect_page("user data", (uint64_t)__user_data_start,
			  PTE_P | PTE_W | PTE_U | PTE_NX);
	ok &= expect_page("user stack", (uint64_t)user_stack, PTE_P | PTE_W | PTE_U | PTE_NX);
	ok &= expect_page("kernel data", (uint64_t)&x86_gdt, PTE_P | PTE_W | PTE_NX);
	ok &= expect_page("guard page", (uint64_t)guard_page, 0);
	ok &= expect_page("stack guard", (uint64_t)(stacks + X86_STACK_GUARD0), 0);
	ok &= expect_page("kernel stack", (uint64_t)(stacks + X86_KSTACK_BASE),
			  PTE_P | PTE_W | PTE_NX);
	ok &= expect_page("high RAM", boot_params.mem_size - 4096, PTE_P | PTE_W | PTE_NX);
	tap_ok(ok, "own page tables: W^X kernel, user pages, unmapped page 0 and guard pages");
}

TEST_CASE(cpu, exception_table, 203)
{
	/* Vectors whose stubs leave the CPU's error code in place. */
	const uint32_t with_error = (1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) |
				    (1u << 13) | (1u << 14) | (1u << 17) | (1u << 21) |
				    (1u << 29) | (1u << 30);
	bool ok = true;

	for (unsigned int v = 0; v < X86_NR_EXCEPTIONS; v++) {
		const struct exc_info *e = &x86_exceptions[v];

		ok &= tap_expect(e->mnemonic && e->name, "vector %u unnamed", v);
		ok &= tap_expect(e->error_code == !!(with_error & (1u << v)),
				 "vector %u error-code flag disagrees with the stubs", v);
	}
	ok &= tap_expect(x86_exceptions[X86_EXC_PF].cls == EXC_FAULT &&
				 x86_exceptions[X86_EXC_BP].cls == EXC_TRAP &&
				 x86_exceptions[X86_EXC_DB].cls == EXC_FAULT_TRAP &&
				 x86_exceptions[X86_EXC_DF].cls == EXC_ABORT &&
				 x86_exceptions[X86_EXC_MC].cls == EXC_ABORT &&
				 x86_exceptions[X86_EXC_NMI].cls == EXC_INTERRUPT,
			 "class table wrong");
	for (unsigned int v = 0; v < X86_NR_EXCEPTIONS; v += 4)
		tap_diag("%2u %-4s %-10s %2u %-4s %-10s %2u %-4s %-10s %2u %-4s %s", v,
			 x86_exceptions[v].mnemonic, exc_class_name(x86_exceptions[v].cls),
			 v + 1, x86_exceptions[v + 1].mnemonic,
			 exc_class_name(x86_exceptions[v + 1].cls), v + 2,
			 x86_exceptions[v + 2].mnemonic, exc_class_name(x86_exceptions[v + 2].cls),
			 v + 3, x86_exceptions[v + 3].mnemonic,
			 exc_class_name(x86_exceptions[v + 3].cls));
	tap_ok(ok, "exception vectors 0-31 named and classed (fault/trap/abort)");
}
