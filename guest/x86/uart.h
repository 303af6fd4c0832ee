/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART console on COM1 (polled, no interrupts yet).
 */
#ifndef X86_UART_H
#define X86_UART_H

void uart_init(void);

#endif /* X86_UART_H */
