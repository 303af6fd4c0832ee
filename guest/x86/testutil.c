/* SPDX-License-Identifier: MIT */
/*
 * Test helpers (testutil.h).
 */
#include "kprintf.h"
#include "tap.h"
#include "testutil.h"

bool expect_trap(unsigned long seq, unsigned int vector, uint64_t rip)
{
	const struct trap_record *r = last_trap();
	unsigned long taken = r->seq - seq;

	if (!tap_expect(taken == 1, "%lu exceptions taken, want 1", taken))
		return false;
	if (!tap_expect(r->frame.vector == vector, "got %s, want %s",
			r->frame.vector < X86_NR_EXCEPTIONS
				? x86_exceptions[r->frame.vector].mnemonic
				: "?",
			x86_exceptions[vector].mnemonic))
		return false;
	return tap_expect(r->frame.rip == rip, "saved RIP %#lx, want %#lx",
			  (unsigned long)r->frame.rip, (unsigned long)rip);
}

bool expect_error_code(uint64_t want)
{
	uint64_t got = last_trap()->frame.error_code;

	return tap_expect(got == want, "error code %#lx, want %#lx", (unsigned long)got,
			  (unsigned long)want);
}

void pf_error_string(uint64_t err, char *buf, unsigned long size)
{
	ksnprintf(buf, size, "%#lx (P=%d W=%d U=%d RSVD=%d I=%d)", (unsigned long)err,
		  !!(err & PF_P), !!(err & PF_W), !!(err & PF_U), !!(err & PF_RSVD),
		  !!(err & PF_I));
}

void diag_last_trap(void)
{
	const struct trap_record *r = last_trap();
	const struct trap_frame *f = &r->frame;
	char what[80];

	trap_describe(f, what, sizeof(what));
	if (f->vector == X86_EXC_PF) {
		char err[64];

		pf_error_string(f->error_code, err, sizeof(err));
		tap_diag("  %s at %#lx, cpl %lu, CR2 %#lx, error %s", what,
			 (unsigned long)f->rip, (unsigned long)(f->cs & 3), (unsigned long)r->cr2,
			 err);
	} else {
		tap_diag("  %s at %#lx, cpl %lu, error code %#lx", what, (unsigned long)f->rip,
			 (unsigned long)(f->cs & 3), (unsigned long)f->error_code);
	}
}

