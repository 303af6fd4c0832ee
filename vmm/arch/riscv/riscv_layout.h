/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical layout of irqvm's RISC-V board. It follows QEMU's virt
 * machine wherever a device exists on both, so guests (and device trees
 * written by hand) need no changes between the two. The device tree the
 * VMM builds describes all of this; guests should prefer reading it.
 *
 * Plain integer literals (no C suffixes) so assembly can include it.
 */
#ifndef IRQVM_RISCV_LAYOUT_H
#define IRQVM_RISCV_LAYOUT_H

/* sifive_test-compatible exit device (QEMU virt: VIRT_TEST). A 32-bit
 * write of 0x5555 powers off with status 0, 0x3333 | code << 16 with
 * status code, 0x7777 asks for a reset. */
#define IRQVM_RV_TEST_BASE 0x100000
#define IRQVM_RV_TEST_SIZE 0x1000
#define IRQVM_RV_TEST_PASS 0x5555
#define IRQVM_RV_TEST_FAIL 0x3333
#define IRQVM_RV_TEST_RESET 0x7777

/* irqvm's test device (abi.h register layout) on MMIO: line registers at
 * the base (one byte per line), the extension registers at +0x40. Between
 * QEMU's test device and its RTC at 0x101000, which irqvm does not have. */
#define IRQVM_RV_TESTDEV_BASE 0x101000
#define IRQVM_RV_TESTDEV_EXT_OFFSET 0x40

/* Reserved for the PLIC and ACLINT models (QEMU virt addresses). */
#define IRQVM_RV_ACLINT_BASE 0x2000000
#define IRQVM_RV_PLIC_BASE 0xc000000

/* 16550A UART (QEMU virt: UART0, PLIC source 10, 3.6864 MHz clock). */
#define IRQVM_RV_UART_BASE 0x10000000
#define IRQVM_RV_UART_SIZE 0x100
#define IRQVM_RV_UART_IRQ 10
#define IRQVM_RV_UART_CLOCK_HZ 3686400

/* RAM starts here (QEMU virt: VIRT_DRAM). */
#define IRQVM_RV_RAM_BASE 0x80000000

/* The FDT goes into the last FDT_SLOT bytes of RAM, aligned to 2 MiB like
 * QEMU's, so a kernel that maps RAM in 2 MiB pages leaves it alone. */
#define IRQVM_RV_FDT_SLOT 0x200000
#define IRQVM_RV_FDT_MAX_SIZE 0x10000

#endif
