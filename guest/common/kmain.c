/* SPDX-License-Identifier: MIT */
/*
 * The architecture-neutral boot flow: TAP header, machine set-up, command
 * line, the selected tests, summary, exit.
 */
#include "arch.h"
#include "boot.h"
#include "cmdline.h"
#include "kprintf.h"
#include "services.h"
#include "tap.h"
#include "test.h"

#ifndef GUEST_VERSION
#define GUEST_VERSION "unknown"
#endif

struct boot_params boot_params;

static void describe_machine(const struct boot_params *bp)
{
	tap_diag("memory: %lu MiB in %u region(s)", (unsigned long)(bp->mem_size >> 20),
		 bp->nr_mem_regions);
	for (unsigned int i = 0; i < bp->nr_mem_regions && i < BOOT_MAX_MEM_REGIONS; i++)
		tap_diag("  [%#lx, %#lx) %lu KiB", (unsigned long)bp->mem[i].base,
			 (unsigned long)(bp->mem[i].base + bp->mem[i].size),
			 (unsigned long)(bp->mem[i].size >> 10));
	tap_diag("cpus: %u", bp->nr_cpus);
	tap_diag("kernel: [%#lx, %#lx)", (unsigned long)bp->kernel_start,
		 (unsigned long)bp->kernel_end);
	tap_diag("cmdline: \"%s\"", bp->cmdline);
}

void kernel_main(void)
{
	char spec[256];
	bool have_spec;
	int status;

	tap_begin();
	tap_note("irqvm guest %s (%s)", GUEST_VERSION, arch_name);
	arch_setup(&boot_params);
	cmdline_init(boot_params.cmdline);
	tap_set_quiet(cmdline_flag("quiet"));
	describe_machine(&boot_params);
	arch_describe();
	kernel_services_init();

	have_spec = cmdline_value("tests", spec, sizeof(spec));
	tests_select(have_spec ? spec : NULL);
	/* "serve" alone runs no tests; with tests=..., those run first. */
	if (have_spec || !serve_requested())
		tests_run();
	kernel_services_report();
	status = tap_finish();
	if (serve_requested())
		serve_main();
	arch_exit(status);
}
