/* SPDX-License-Identifier: MIT */
/*
 * SBI console and leaving the VM (console_rv.h, arch.h).
 */
#include "arch.h"
#include "console_rv.h"
#include "csr.h"
#include "machine.h"
#include "panic.h"
#include "percpu.h"
#include "sbi.h"

void rv_console_init(void)
{
	rv_machine.sbi_dbcn = sbi_probe(SBI_EXT_DBCN);
	rv_machine.sbi_legacy_console = sbi_probe(SBI_EXT_LEGACY_PUTCHAR);
}

const char *rv_console_name(void)
{
	if (rv_machine.sbi_dbcn)
		return "SBI DBCN console_write";
	return rv_machine.sbi_legacy_console ? "legacy SBI console_putchar" : "nothing";
}

static void write_out(const char *buf, unsigned int len)
{
	while (len && rv_machine.sbi_dbcn) {
		long n = sbi_dbcn_write(buf, len);

		if (n <= 0)
			break; /* refused: fall back to the byte-wise call */
		buf += n;
		len -= (unsigned int)n;
	}
	for (unsigned int i = 0; i < len; i++)
		sbi_legacy_putchar(buf[i]);
}

void rv_console_flush(void)
{
	struct percpu *pc = this_cpu();

	if (pc->con_len) {
		write_out(pc->con_buf, pc->con_len);
		pc->con_len = 0;
	}
}

void arch_console_putc(char c)
{
	struct percpu *pc = this_cpu();

	/* console_write() holds the console lock with interrupts off, so
	 * the per-hart buffer needs no further protection. */
	pc->con_buf[pc->con_len++] = c;
	if (c == '\n' || pc->con_len == sizeof(pc->con_buf))
		rv_console_flush();
}

void arch_halt(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	for (;;)
		wfi();
}

void arch_exit(int status)
{
	const struct rv_device *d = &rv_machine.exit_dev;

	rv_console_flush();
	/* sifive_test: 0x5555 = pass, 0x3333 | code << 16 = fail with code
	 * (docs/riscv.md, "The board"). */
	if (d->present) {
		uint32_t v = status ? 0x3333u | ((uint32_t)status & 0xffff) << 16 : 0x5555u;

		*(volatile uint32_t *)(uintptr_t)d->base = v;
	}
	/* No exit device (or it did not stop us): SRST with irqvm's status
	 * reason; "system failure" if the status does not fit. */
	if (status >= 0 && status < 256)
		sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_IRQVM_STATUS + (uint32_t)status);
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
	arch_halt();
}
