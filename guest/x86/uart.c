/* SPDX-License-Identifier: MIT */
/*
 * Polled 16550A driver for the console (IRQVM_PORT_UART0).
 *
 * Every port access is a VM exit (~11 us on the development hosts), so the
 * transmitter is polled only when our budget runs out: once LSR.THRE says
 * the FIFO is empty, a whole FIFO's worth (16 bytes) can be written
 * without looking again (16550A datasheet, "FIFO mode operation").
 */
#include <irqvm/abi.h>

#include "arch.h"
#include "uart.h"
#include "x86.h"

#define UART_BASE IRQVM_PORT_UART0
#define UART_THR 0 /* write, DLAB=0 */
#define UART_IER 1
#define UART_DLL 0 /* DLAB=1 */
#define UART_DLM 1
#define UART_FCR 2 /* write */
#define UART_IIR 2 /* read */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07 /* enable FIFOs, clear both */
#define IIR_FIFO_MASK 0xc0    /* both set: FIFOs enabled (16550A) */
#define MCR_DTR_RTS 0x03
#define LSR_THRE 0x20

static unsigned int tx_fifo_depth = 1;
static unsigned int tx_budget;

void uart_init(void)
{
	outb(UART_BASE + UART_IER, 0); /* polled: no interrupts */
	outb(UART_BASE + UART_LCR, LCR_DLAB);
	outb(UART_BASE + UART_DLL, 1); /* 115200 baud */
	outb(UART_BASE + UART_DLM, 0);
	outb(UART_BASE + UART_LCR, LCR_8N1);
	outb(UART_BASE + UART_FCR, FCR_ENABLE_CLEAR);
	if ((inb(UART_BASE + UART_IIR) & IIR_FIFO_MASK) == IIR_FIFO_MASK)
		tx_fifo_depth = 16;
	outb(UART_BASE + UART_MCR, MCR_DTR_RTS);
	tx_budget = 0;
}

void arch_console_putc(char c)
{
	if (!tx_budget) {
		/* An absent UART reads 0xff (THRE set): no hang. */
		while (!(inb(UART_BASE + UART_LSR) & LSR_THRE))
			arch_cpu_relax();
		tx_budget = tx_fifo_depth;
	}
	outb(UART_BASE + UART_THR, (uint8_t)c);
	tx_budget--;
}
