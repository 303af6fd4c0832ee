/* SPDX-License-Identifier: MIT */
/*
 * riscv64 boot: the boot hart's first C code, arch_setup() and the boot
 * diagnostics.
 */
#include "arch.h"
#include "boot.h"
#include "console_rv.h"
#include "csr.h"
#include "dt.h"
#include "fdt.h"
#include "hart.h"
#include "ipi.h"
#include "machine.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "sbi.h"
#include "sections.h"
#include "smp.h"
#include "tap.h"
#include "timer.h"
#include "usermode.h"

const char arch_name[] = "riscv64";

struct rv_machine rv_machine;
static char cmdline_buf[RV_CMDLINE_MAX];

__noreturn void rv_boot_main(uint64_t a0, uint64_t a1, uint64_t satp);
void rv_boot_main(uint64_t a0, uint64_t a1, uint64_t satp)
{
	struct rv_machine *m = &rv_machine;

	m->boot_a0 = a0;
	m->boot_a1 = a1;
	m->boot_satp = satp;
	percpu_setup(0, (unsigned int)a0);
	percpu[0].boots = 1;
	percpu[0].boot_a0 = a0;
	percpu[0].boot_a1 = a1;
	csr_write(stvec, (uintptr_t)rv_trap_entry);
	/* The console first, so that everything after can be reported. */
	rv_console_init();
	kernel_main();
}

static void probe_sbi(void)
{
	struct rv_machine *m = &rv_machine;

	m->sbi_spec = sbi_spec_version();
	m->sbi_impl = sbi_impl_id();
	m->sbi_impl_version = sbi_impl_version();
	m->sbi_time = sbi_probe(SBI_EXT_TIME);
	m->sbi_ipi = sbi_probe(SBI_EXT_IPI);
	m->sbi_rfence = sbi_probe(SBI_EXT_RFENCE);
	m->sbi_hsm = sbi_probe(SBI_EXT_HSM);
	m->sbi_srst = sbi_probe(SBI_EXT_SRST);
}

void arch_setup(struct boot_params *bp)
{
	struct rv_machine *m = &rv_machine;
	char why[96];

	if (!fdt_init((const void *)(uintptr_t)m->boot_a1, why, sizeof(why)))
		panic("%s", why);
	rv_dt_parse(bp, cmdline_buf, sizeof(cmdline_buf));
	bp->kernel_start = (uint64_t)(uintptr_t)__kernel_start;
	bp->kernel_end = (uint64_t)(uintptr_t)__kernel_end;
	probe_sbi();

	paging_init(bp);
	/* SUM: the kernel reads and writes the test tasks' pages directly
	 * (range-checked, like x86 without SMAP); FS off: this kernel has no
	 * floating point, and a task's first FP instruction traps (lazy FPU). */
	csr_set(sstatus, SSTATUS_SUM);
	csr_clear(sstatus, SSTATUS_FS);
	rv_timer_init();
	ipi_init();
	csr_set(sie, SIE_SSIE | SIE_STIE);
	smp_mark_online(0);
	hart_start_secondaries(bp->nr_cpus);
}

static const char *sbi_impl_name(long id)
{
	switch (id) {
	case 0:
		return "Berkeley Boot Loader";
	case SBI_IMPL_OPENSBI:
		return "OpenSBI";
	case 2:
		return "Xvisor";
	case SBI_IMPL_KVM:
		return "KVM";
	case 4:
		return "RustSBI";
	case 5:
		return "Diosix";
	default:
		return "unknown";
	}
}

void arch_describe(void)
{
	const struct rv_machine *m = &rv_machine;

	tap_diag("boot: hart %lu, device tree at %#lx (%u bytes, version %u), satp at entry %#lx",
		 (unsigned long)m->boot_a0, (unsigned long)m->boot_a1, m->fdt_size,
		 m->fdt_version, (unsigned long)m->boot_satp);
	tap_diag("isa: %s; mmu-type %s; timebase %lu Hz", m->isa[0] ? m->isa : "(none)",
		 m->mmu_type[0] ? m->mmu_type : "(none)", (unsigned long)m->timebase_hz);
	tap_diag("sbi: spec %ld.%ld, %s (id %ld) version %#lx; TIME %d IPI %d RFENCE %d HSM %d "
		 "SRST %d DBCN %d legacy-console %d",
		 (m->sbi_spec >> 24) & 0x7f, m->sbi_spec & 0xffffff, sbi_impl_name(m->sbi_impl),
		 m->sbi_impl, (unsigned long)m->sbi_impl_version, m->sbi_time, m->sbi_ipi,
		 m->sbi_rfence, m->sbi_hsm, m->sbi_srst, m->sbi_dbcn, m->sbi_legacy_console);
	tap_diag("devices: exit %s%#lx, uart %s%#lx, testdev %s%#lx; console via %s",
		 m->exit_dev.present ? "" : "absent ", (unsigned long)m->exit_dev.base,
		 m->uart.present ? "" : "absent ", (unsigned long)m->uart.base,
		 m->testdev.present ? "" : "absent ", (unsigned long)m->testdev.base,
		 rv_console_name());
	tap_diag("timer: %s (Sstc in the ISA: %s)", rv_timer_mode_name(rv_timer_mode()),
		 m->has_sstc ? (m->sstc_usable ? "yes, stimecmp writable" : "yes, but stimecmp traps")
			     : "no");
	tap_diag("paging: Sv39, satp %#lx", (unsigned long)rv_kernel_satp);
	hart_describe();
}

void arch_report(void)
{
	/* wfi needs no fix-up: a pending interrupt always ends it. */
}
