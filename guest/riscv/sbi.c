/* SPDX-License-Identifier: MIT */
/*
 * SBI calls (sbi.h): a7 = extension, a6 = function, arguments in a0-a5,
 * error in a0 and value in a1 (SBI 3.1). The legacy console call returns
 * only a0.
 */
#include "sbi.h"

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0,
			unsigned long a1, unsigned long a2, unsigned long a3)
{
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a3 __asm__("a3") = a3;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = ext;

	__asm__ __volatile__("ecall"
			     : "+r"(r_a0), "+r"(r_a1)
			     : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
			     : "memory");
	return (struct sbiret){ (long)r_a0, (long)r_a1 };
}

long sbi_spec_version(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, 0, 0, 0, 0, 0);

	return r.error ? -1 : r.value;
}

long sbi_impl_id(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, 1, 0, 0, 0, 0);

	return r.error ? -1 : r.value;
}

long sbi_impl_version(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, 2, 0, 0, 0, 0);

	return r.error ? -1 : r.value;
}

bool sbi_probe(unsigned long ext)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, 3, ext, 0, 0, 0);

	return !r.error && r.value;
}

void sbi_legacy_putchar(char c)
{
	sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0, 0);
}

long sbi_dbcn_write(const void *buf, unsigned long len)
{
	/* The kernel is identity-mapped: the address is the physical one. */
	struct sbiret r = sbi_ecall(SBI_EXT_DBCN, 0, len, (uintptr_t)buf, 0, 0);

	return r.error ? r.error : r.value;
}

long sbi_set_timer(uint64_t stime)
{
	return sbi_ecall(SBI_EXT_TIME, 0, stime, 0, 0, 0).error;
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0).error;
}

long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
			   unsigned long start, unsigned long size)
{
	return sbi_ecall(SBI_EXT_RFENCE, 1, hart_mask, hart_mask_base, start, size).error;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 0, hartid, start_addr, opaque, 0).error;
}

long sbi_hart_stop(void)
{
	return sbi_ecall(SBI_EXT_HSM, 1, 0, 0, 0, 0).error;
}

struct sbiret sbi_hart_get_status(unsigned long hartid)
{
	return sbi_ecall(SBI_EXT_HSM, 2, hartid, 0, 0, 0);
}

long sbi_hart_suspend(uint32_t type, unsigned long resume_addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 3, type, resume_addr, opaque, 0).error;
}

long sbi_system_reset(uint32_t type, uint32_t reason)
{
	return sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0, 0).error;
}

const char *sbi_error_name(long err)
{
	switch (err) {
	case SBI_SUCCESS:
		return "SUCCESS";
	case SBI_ERR_FAILED:
		return "FAILED";
	case SBI_ERR_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case SBI_ERR_INVALID_PARAM:
		return "INVALID_PARAM";
	case SBI_ERR_DENIED:
		return "DENIED";
	case SBI_ERR_INVALID_ADDRESS:
		return "INVALID_ADDRESS";
	case SBI_ERR_ALREADY_AVAILABLE:
		return "ALREADY_AVAILABLE";
	case SBI_ERR_ALREADY_STARTED:
		return "ALREADY_STARTED";
	case SBI_ERR_ALREADY_STOPPED:
		return "ALREADY_STOPPED";
	default:
		return "unknown error";
	}
}
