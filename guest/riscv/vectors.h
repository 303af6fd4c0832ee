/* SPDX-License-Identifier: MIT */
/*
 * The kernel's interrupt "vectors" for the common interrupt path
 * (irq_handle, irqstat). RISC-V has no vector numbers for its local
 * interrupts; external interrupts will be numbered by PLIC source id
 * (1-95 on this board), so the local ones take the top of the table, as
 * the kernel's own vectors do on x86: the timer, the software interrupt
 * and the IPI kinds multiplexed onto it (ipi.c).
 */
#ifndef RV_VECTORS_H
#define RV_VECTORS_H

#define RV_VEC_TEST_HARDIRQ 0xf7 /* tests: a hard interrupt on demand (self-IPI) */
#define RV_VEC_EXTERNAL 0xf8    /* external interrupt no driver claimed */
#define RV_VEC_IPI_TEST 0xf9
#define RV_VEC_IPI_TLB 0xfa
#define RV_VEC_IPI_CALL 0xfb
#define RV_VEC_IPI_RESCHED 0xfc
#define RV_VEC_TIMER 0xfd       /* supervisor timer interrupt (SBI TIME / Sstc) */
#define RV_VEC_SOFT 0xfe        /* supervisor software interrupt (SBI IPI, sip.SSIP) */

#endif /* RV_VECTORS_H */
