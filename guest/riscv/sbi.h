/* SPDX-License-Identifier: MIT */
/*
 * Supervisor Binary Interface calls (RISC-V SBI specification v2.0): the
 * extensions this kernel uses. Under KVM the kernel implements BASE, TIME,
 * IPI, RFENCE, HSM and SRST; the debug console (DBCN) and the legacy
 * console calls go to the VMM.
 */
#ifndef RV_SBI_H
#define RV_SBI_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8

/* HSM hart states (SBI 9.1) */
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2
#define SBI_HSM_STOP_PENDING 3
#define SBI_HSM_SUSPENDED 4
#define SBI_HSM_SUSPEND_RETENTIVE 0

/* SRST (SBI 10) */
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1
/* irqvm's use of the implementation-specific reason range: power off with
 * exit status n (docs/riscv.md, "Ending the VM"). */
#define SBI_SRST_REASON_IRQVM_STATUS 0xE0000000u

/* Implementation IDs (SBI 4.9) */
#define SBI_IMPL_OPENSBI 1
#define SBI_IMPL_KVM 3

/* "all harts" for hart_mask_base (SBI 3.1) */
#define SBI_HART_MASK_ALL (~0ul)

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_ecall(unsigned long ext, unsigned long fid, unsigned long a0,
			unsigned long a1, unsigned long a2, unsigned long a3);

/* BASE */
long sbi_spec_version(void);
long sbi_impl_id(void);
long sbi_impl_version(void);
bool sbi_probe(unsigned long ext);

/* Console */
void sbi_legacy_putchar(char c);
/* DBCN console_write of a physically addressed buffer; bytes written or a
 * negative SBI error. */
long sbi_dbcn_write(const void *buf, unsigned long len);

/* TIME */
long sbi_set_timer(uint64_t stime);

/* IPI */
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);

/* RFENCE: remote sfence.vma for [start, start+size) (size ~0 = all) */
long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
			   unsigned long start, unsigned long size);

/* HSM */
long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
long sbi_hart_stop(void);
struct sbiret sbi_hart_get_status(unsigned long hartid);
long sbi_hart_suspend(uint32_t type, unsigned long resume_addr, unsigned long opaque);

/* SRST; returns only on failure */
long sbi_system_reset(uint32_t type, uint32_t reason);

const char *sbi_error_name(long err);

#endif /* RV_SBI_H */
