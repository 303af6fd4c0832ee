/* SPDX-License-Identifier: MIT */
/*
 * National Semiconductor PC16550D / 16550A UART with FIFOs, as wired on a
 * PC (COM1 at 0x3f8, IRQ 4). Register offsets 0-7 relative to the base.
 *
 * Reference: National Semiconductor "PC16550D Universal Asynchronous
 * Receiver/Transmitter with FIFOs" datasheet, June 1995 ("16550 datasheet"
 * below; section names are quoted).
 *
 * The serial line is a host byte stream: transmission is instantaneous
 * (the tx callback runs during the THR write and THR/TSR are empty again
 * at once), reception is whatever the host pushes with
 * uart16550_receive(). Baud rate, word length, parity and stop bits are
 * stored and read back but do not change the bytes.
 *
 * Pure state machine: no locks, the caller serialises all calls. The
 * callbacks run synchronously from inside uart16550_write/_read/_receive/
 * _reset/_set_modem_inputs; they may be NULL.
 */
#ifndef IRQVM_DEVICES_UART16550_H
#define IRQVM_DEVICES_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_NR_REGS 8u
#define UART_FIFO_SIZE 16u

/* Register offsets (16550 datasheet, Table II "Register Summary"). */
#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_ERBFI 0x01 /* received data available (and timeout) */
#define UART_IER_ETBEI 0x02 /* transmitter holding register empty */
#define UART_IER_ELSI 0x04  /* receiver line status */
#define UART_IER_EDSSI 0x08 /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID_MASK 0x0e
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c /* character timeout, FIFO mode only */
#define UART_IIR_FIFOS 0xc0

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_DMA 0x08
#define UART_FCR_TRIGGER_MASK 0xc0 /* 1, 4, 8, 14 bytes */

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_PE 0x04
#define UART_LSR_FE 0x08
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_FIFO_ERR 0x80

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_DELTAS 0x0f
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80
#define UART_MSR_LINES 0xf0

struct uart16550 {
	void (*tx)(void *opaque, uint8_t byte);
	void (*irq)(void *opaque, bool level);
	void *opaque;

	uint8_t ier, lcr, mcr, scr, fcr; /* fcr: as last accepted (write-only) */
	uint16_t divisor;
	uint8_t lsr_errors;   /* OE (PE/FE/BI are never produced) */
	uint8_t msr_deltas;   /* MSR bits 0-3 */
	uint8_t modem_inputs; /* CTS/DSR/RI/DCD lines from the far end (MSR bits 4-7) */
	bool thre_pending;    /* THRE interrupt latched, see uart16550.c */

	uint8_t rx_fifo[UART_FIFO_SIZE];
	unsigned rx_head, rx_count;
	uint8_t rbr_last; /* what RBR shows when empty */

	bool irq_line; /* last level given to the irq callback */
};

/*
 * Sets the callbacks and resets. The divisor starts at 12 (9600 baud from
 * the PC's 1.8432 MHz clock) and SCR at 0; the datasheet leaves both
 * undefined at power-on. The far end's modem lines start as CTS, DSR and
 * DCD asserted, RI not, like a connected terminal.
 */
void uart16550_init(struct uart16550 *u, void (*tx)(void *opaque, uint8_t byte),
		    void (*irq)(void *opaque, bool level), void *opaque);

/* Master reset (16550 datasheet, Table I "UART Reset Configuration"):
 * IER, FCR, LCR, MCR cleared, FIFOs emptied, LSR = THRE|TEMT; DLL/DLM and
 * SCR are untouched. May drop the irq line. */
void uart16550_reset(struct uart16550 *u);

/* offset 0..7; other offsets read 0xff / ignore writes. */
uint8_t uart16550_read(struct uart16550 *u, unsigned offset);
void uart16550_write(struct uart16550 *u, unsigned offset, uint8_t value);

/*
 * Host -> guest bytes. Accepts as many as fit (16 minus what the RX FIFO
 * holds, or 1 if FIFOs are disabled and RBR is empty, or 0 in loopback
 * mode where the serial input is disconnected) and returns that number;
 * the caller keeps the rest and retries, e.g. after the guest read RBR
 * (see uart16550_rx_space). So host input never overruns; overrun happens
 * only on the loopback path, as on hardware with flow control.
 */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len);

/* Bytes uart16550_receive would accept now. */
size_t uart16550_rx_space(const struct uart16550 *u);

/* Far-end modem lines (UART_MSR_CTS/DSR/RI/DCD); changes set the MSR
 * delta bits and may raise the modem status interrupt. */
void uart16550_set_modem_inputs(struct uart16550 *u, uint8_t lines);

/* Level of the PC's IRQ line: an interrupt is pending and MCR.OUT2 is set
 * (the PC gates INTR with the OUT2 pin, which loopback forces inactive). */
bool uart16550_irq_level(const struct uart16550 *u);

#endif
