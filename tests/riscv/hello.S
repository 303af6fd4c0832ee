/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest riscv64 guest that proves irqvm's RISC-V boot path.
 * Loaded as an ELF at 0x80000000 and entered in S-mode with the MMU off:
 *
 *  1. prints through the legacy SBI console putchar and through the UART;
 *  2. checks the boot registers: a0 = hart id 0, a1 = an 8-byte aligned
 *     address in RAM holding a device tree (magic 0xd00dfeed);
 *  3. finds SBI DBCN with sbi_probe_extension and prints through it;
 *  4. checks that an SBI call irqvm does not implement (an experimental
 *     extension, which KVM forwards) returns SBI_ERR_NOT_SUPPORTED;
 *  5. if hart 1 exists (SBI HSM hart_get_status), checks it is STOPPED,
 *     starts it with hart_start and waits until it reports its a0/a1;
 *  6. prints "hello: PASS" and powers off with SBI SRST, reason
 *     0xE0000000 (irqvm: exit status 0).
 * On a failed check it prints "hello: FAIL <what>", writes FAIL | 3 << 16
 * to the sifive_test device (irqvm exit status 3) and, should that device
 * be absent, powers off with SRST reason "system failure".
 *
 * Build variants (mk/riscv-vmm.mk): -DHELLO_FORCE_FAIL expects the wrong
 * device tree magic; -DHELLO_DUMP_FDT also prints the device tree it got
 * as hex lines "hello-fdt: <hex>" through DBCN console_write.
 */
#include "vmm/arch/riscv/riscv_layout.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE 0x10
#define SBI_BASE_PROBE_EXT 3
#define SBI_EXT_DBCN 0x4442434E
#define SBI_DBCN_WRITE 0
#define SBI_DBCN_WRITE_BYTE 2
#define SBI_EXT_HSM 0x48534D
#define SBI_HSM_START 0
#define SBI_HSM_STOP 1
#define SBI_HSM_STATUS 2
#define SBI_HSM_STATE_STOPPED 1
#define SBI_EXT_SRST 0x53525354
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_REASON_FAILURE 1
#define SRST_REASON_IRQVM_STATUS 0xE0000000
#define SBI_EXT_EXPERIMENTAL 0x08000000
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3

#define FDT_MAGIC_LE 0xedfe0dd0 /* 0xd00dfeed stored big-endian, loaded little-endian */
#define HART1_OPAQUE 0x1234abcd
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define STACK_SIZE 4096

#ifdef HELLO_FORCE_FAIL
#define EXPECTED_MAGIC 0x12345678
#else
#define EXPECTED_MAGIC FDT_MAGIC_LE
#endif

	.option norvc /* whole-word instructions everywhere, ecall included */
	.section .text
	.globl _start
_start:
	mv	s0, a0			/* hart id */
	mv	s1, a1			/* device tree */
	la	sp, stack0 + STACK_SIZE
	la	t0, trap
	csrw	stvec, t0

	la	a0, msg_sbi
	call	puts_sbi
	la	a0, msg_uart
	call	puts_uart

	la	a0, msg_regs
	call	puts_sbi
	mv	a0, s0
	call	puthex_sbi
	la	a0, msg_a1
	call	puts_sbi
	mv	a0, s1
	call	puthex_sbi
	li	a0, '\n'
	call	putc_sbi

	la	a0, fail_hartid
	bnez	s0, fail
	la	a0, fail_fdt_addr
	li	t0, IRQVM_RV_RAM_BASE
	bltu	s1, t0, fail
	andi	t1, s1, 7
	bnez	t1, fail
	lwu	t0, 0(s1)
	li	t1, EXPECTED_MAGIC
	la	a0, fail_fdt_magic
	bne	t0, t1, fail
	la	a0, msg_fdt
	call	puts_sbi
	lwu	a0, 4(s1)		/* totalsize, big-endian */
	call	bswap32
	mv	s2, a0
	call	puthex_sbi
	li	a0, '\n'
	call	putc_sbi

	/* DBCN: probe, then one console_write and one console_write_byte. */
	li	a7, SBI_EXT_BASE
	li	a6, SBI_BASE_PROBE_EXT
	li	a0, SBI_EXT_DBCN
	ecall
	la	a0, fail_dbcn_probe
	beqz	a1, fail
	li	a7, SBI_EXT_DBCN
	li	a6, SBI_DBCN_WRITE
	la	a1, msg_dbcn
	la	s3, msg_dbcn_end
	sub	s3, s3, a1		/* length */
	mv	a0, s3
	li	a2, 0
	ecall
	mv	t0, a0
	la	a0, fail_dbcn_write
	bnez	t0, fail
	bne	a1, s3, fail
	li	a7, SBI_EXT_DBCN
	li	a6, SBI_DBCN_WRITE_BYTE
	li	a0, '\n'
	ecall

#ifdef HELLO_DUMP_FDT
	mv	a0, s1
	mv	a1, s2
	call	dump_fdt
#endif

	/* A forwarded call irqvm does not implement. */
	li	a7, SBI_EXT_EXPERIMENTAL
	li	a6, 0
	ecall
	li	t0, SBI_ERR_NOT_SUPPORTED
	mv	t1, a0
	la	a0, fail_unsupported
	bne	t1, t0, fail
	la	a0, msg_unsupported
	call	puts_sbi

	/* Hart 1: STOPPED until hart_start, then up with a0/a1 as asked. */
	li	a7, SBI_EXT_HSM
	li	a6, SBI_HSM_STATUS
	li	a0, 1
	ecall
	li	t0, SBI_ERR_INVALID_PARAM
	beq	a0, t0, one_hart
	mv	t1, a0
	la	a0, fail_hsm_status
	bnez	t1, fail
	li	t0, SBI_HSM_STATE_STOPPED
	bne	a1, t0, fail
	li	a7, SBI_EXT_HSM
	li	a6, SBI_HSM_START
	li	a0, 1
	la	a1, secondary
	li	a2, HART1_OPAQUE
	ecall
	mv	t1, a0
	la	a0, fail_hsm_start
	bnez	t1, fail
	/* Wait up to 10 s of guest time for hart 1's report. */
	rdtime	t2
	li	t3, 100000000		/* 10 s at a 10 MHz timebase; longer if faster */
	add	t3, t2, t3
	la	t4, hart1_flag
1:	lw	t0, 0(t4)
	bnez	t0, 2f
	rdtime	t2
	bltu	t2, t3, 1b
	la	a0, fail_hart1_timeout
	j	fail
2:	li	t1, 1
	la	a0, fail_hart1_regs
	bne	t0, t1, fail
	la	a0, msg_hart1
	call	puts_sbi
	j	pass
one_hart:
	la	a0, msg_one_hart
	call	puts_sbi

pass:
	la	a0, msg_pass
	call	puts_uart
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, SBI_SRST_SHUTDOWN
	li	a1, SRST_REASON_IRQVM_STATUS
	ecall
	j	hang

/* fail(a0 = what): report and stop with a failure status. */
fail:
	mv	s3, a0
	la	a0, msg_fail
	call	puts_uart
	mv	a0, s3
	call	puts_uart
	li	a0, '\n'
	call	putc_uart
	li	t0, IRQVM_RV_TEST_BASE
	li	t1, IRQVM_RV_TEST_FAIL | (3 << 16)
	sw	t1, 0(t0)
	li	a7, SBI_EXT_SRST
	li	a6, 0
	li	a0, SBI_SRST_SHUTDOWN
	li	a1, SBI_SRST_REASON_FAILURE
	ecall
hang:
	wfi
	j	hang

/* Any exception: print scause/sepc and fail. */
	.balign 4
trap:
	la	sp, stack0 + STACK_SIZE
	la	a0, msg_trap
	call	puts_sbi
	csrr	a0, scause
	call	puthex_sbi
	li	a0, ' '
	call	putc_sbi
	csrr	a0, sepc
	call	puthex_sbi
	li	a0, '\n'
	call	putc_sbi
	la	a0, fail_trap
	j	fail

/* Hart 1 enters here from SBI HSM hart_start: a0 = 1, a1 = opaque. */
	.balign 4
secondary:
	la	sp, stack1 + STACK_SIZE
	li	t0, 1
	li	t1, HART1_OPAQUE
	li	t2, 2			/* flag value 2: wrong registers */
	bne	a0, t0, 1f
	bne	a1, t1, 1f
	li	t2, 1			/* flag value 1: all as expected */
1:	fence	rw, rw
	la	t0, hart1_flag
	sw	t2, 0(t0)
	li	a7, SBI_EXT_HSM
	li	a6, SBI_HSM_STOP
	ecall
	j	hang

/* --- console helpers (clobber a0-a1, a6-a7, t0-t1; keep s-registers) */
putc_sbi:
	li	a7, SBI_EXT_LEGACY_PUTCHAR
	li	a6, 0
	ecall
	ret

puts_sbi:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	sd	s4, 8(sp)
	mv	s4, a0
1:	lbu	a0, 0(s4)
	beqz	a0, 2f
	call	putc_sbi
	addi	s4, s4, 1
	j	1b
2:	ld	ra, 0(sp)
	ld	s4, 8(sp)
	addi	sp, sp, 16
	ret

putc_uart:
	li	t0, IRQVM_RV_UART_BASE
1:	lbu	t1, UART_LSR(t0)
	andi	t1, t1, UART_LSR_THRE
	beqz	t1, 1b
	sb	a0, 0(t0)
	ret

puts_uart:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	sd	s4, 8(sp)
	mv	s4, a0
1:	lbu	a0, 0(s4)
	beqz	a0, 2f
	call	putc_uart
	addi	s4, s4, 1
	j	1b
2:	ld	ra, 0(sp)
	ld	s4, 8(sp)
	addi	sp, sp, 16
	ret

/* puthex_sbi(a0): 16 hex digits. */
puthex_sbi:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	s4, 8(sp)
	sd	s5, 16(sp)
	mv	s4, a0
	li	s5, 60
1:	srl	a0, s4, s5
	andi	a0, a0, 15
	la	t0, hexdigits
	add	t0, t0, a0
	lbu	a0, 0(t0)
	call	putc_sbi
	addi	s5, s5, -4
	bgez	s5, 1b
	ld	ra, 0(sp)
	ld	s4, 8(sp)
	ld	s5, 16(sp)
	addi	sp, sp, 32
	ret

/* bswap32(a0): the low 32 bits byte-swapped. */
bswap32:
	andi	t0, a0, 0xff
	slli	t0, t0, 24
	srli	t1, a0, 8
	andi	t1, t1, 0xff
	slli	t1, t1, 16
	or	t0, t0, t1
	srli	t1, a0, 16
	andi	t1, t1, 0xff
	slli	t1, t1, 8
	or	t0, t0, t1
	srli	t1, a0, 24
	andi	t1, t1, 0xff
	or	a0, t0, t1
	ret

#ifdef HELLO_DUMP_FDT
/* dump_fdt(a0 = blob, a1 = size): lines "hello-fdt: " + 32 bytes as hex,
 * each line one DBCN console_write. */
dump_fdt:
	mv	t3, a0			/* cursor */
	add	t4, a0, a1		/* end */
1:	bgeu	t3, t4, 4f
	la	t5, line
	la	t6, line_hex
	li	t2, 32			/* bytes left on this line */
2:	beqz	t2, 3f
	bgeu	t3, t4, 3f
	lbu	t0, 0(t3)
	srli	t1, t0, 4
	la	a2, hexdigits
	add	t1, a2, t1
	lbu	t1, 0(t1)
	sb	t1, 0(t6)
	andi	t1, t0, 15
	add	t1, a2, t1
	lbu	t1, 0(t1)
	sb	t1, 1(t6)
	addi	t6, t6, 2
	addi	t3, t3, 1
	addi	t2, t2, -1
	j	2b
3:	li	t0, '\n'
	sb	t0, 0(t6)
	addi	t6, t6, 1
	sub	a0, t6, t5		/* length */
	mv	a1, t5
	li	a2, 0
	li	a7, SBI_EXT_DBCN
	li	a6, SBI_DBCN_WRITE
	ecall
	j	1b
4:	ret
#endif

	.section .rodata
hexdigits:	.ascii "0123456789abcdef"
msg_sbi:	.asciz "hello: legacy SBI putchar works\n"
msg_uart:	.asciz "hello: the UART at 0x10000000 works\n"
msg_regs:	.asciz "hello: boot a0="
msg_a1:		.asciz " a1="
msg_fdt:	.asciz "hello: device tree magic ok, totalsize 0x"
msg_dbcn:	.ascii "hello: SBI DBCN console_write works"
msg_dbcn_end:
msg_unsupported: .asciz "hello: unsupported SBI call answered NOT_SUPPORTED\n"
msg_hart1:	.asciz "hello: hart 1 was STOPPED, started by SBI HSM with a0=1 a1=opaque\n"
msg_one_hart:	.asciz "hello: one hart only, HSM start not tried\n"
msg_pass:	.asciz "hello: PASS\n"
msg_fail:	.asciz "hello: FAIL "
msg_trap:	.asciz "hello: unexpected trap, scause sepc = "
fail_hartid:	.asciz "a0 is not hart 0"
fail_fdt_addr:	.asciz "a1 is not an aligned RAM address"
fail_fdt_magic:	.asciz "no device tree magic at a1"
fail_dbcn_probe: .asciz "SBI DBCN not found"
fail_dbcn_write: .asciz "DBCN console_write result"
fail_unsupported: .asciz "unsupported SBI call not answered NOT_SUPPORTED"
fail_hsm_status: .asciz "hart 1 not STOPPED before hart_start"
fail_hsm_start:	.asciz "SBI HSM hart_start failed"
fail_hart1_timeout: .asciz "hart 1 did not report within 10 s"
fail_hart1_regs: .asciz "hart 1 started with wrong a0/a1"
fail_trap:	.asciz "trap"

	.section .data
	.balign 4
hart1_flag:	.word 0
#ifdef HELLO_DUMP_FDT
line:		.ascii "hello-fdt: "
line_hex:	.space 66
#endif

	.section .bss
	.balign 16
stack0:		.space STACK_SIZE
stack1:		.space STACK_SIZE
