/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART model. See uart16550.h; "16550 datasheet" is National
 * Semiconductor's PC16550D datasheet.
 *
 * Interrupt sources are not stored as a pending set: the IIR value and the
 * IRQ level are recomputed from the register state after every change, so
 * they cannot go stale. The one exception is THRE, which the datasheet
 * defines by events rather than by state (Table IV "Interrupt Control
 * Functions": set by "Transmitter Holding Register Empty", reset by
 * "Reading the IIR Register (if source of interrupt) or Writing into the
 * Transmitter Holding Register"), so it is a latched flag.
 *
 * Deviations, all because the line has no time:
 *  - Character timeout (IIR 0x0c) is reported as soon as the FIFO holds
 *    data below the trigger level, instead of after four character times
 *    without FIFO activity: host input arrives in bursts, and the end of a
 *    uart16550_receive() call is the idle period.
 *  - PE/FE/BI never occur (the host stream has no framing), so LSR bit 7
 *    is always 0 and the line status interrupt is only ever an overrun.
 *  - LCR word length/parity/stop bits and the divisor do not alter bytes.
 */
#include "devices/uart16550.h"

#include <string.h>

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART_FIFO_SIZE : 1; /* 16450 mode: RBR only */
}

static unsigned rx_trigger_level(const struct uart16550 *u)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	return levels[(u->fcr & UART_FCR_TRIGGER_MASK) >> 6];
}

static bool loopback(const struct uart16550 *u)
{
	return u->mcr & UART_MCR_LOOP;
}

/* MSR bits 4-7 as the chip sees them. "In the diagnostic mode ... the four
 * MODEM Control outputs are internally connected to the four MODEM Control
 * inputs": DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
static uint8_t modem_status_lines(const struct uart16550 *u)
{
	if (!loopback(u))
		return u->modem_inputs & UART_MSR_LINES;
	uint8_t v = 0;
	if (u->mcr & UART_MCR_DTR)
		v |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_RTS)
		v |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_OUT1)
		v |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		v |= UART_MSR_DCD;
	return v;
}

/* Record MSR deltas for a change of the status lines from `before`. */
static void note_modem_change(struct uart16550 *u, uint8_t before)
{
	uint8_t after = modem_status_lines(u);
	uint8_t changed = before ^ after;

	if (changed & UART_MSR_CTS)
		u->msr_deltas |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr_deltas |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		u->msr_deltas |= UART_MSR_DDCD;
	/* TERI: "RI input ... has changed from a low to a high state", i.e. the
	 * bit (which is the complement of the pin) went from 1 to 0. */
	if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
		u->msr_deltas |= UART_MSR_TERI;
}

static uint8_t line_status(const struct uart16550 *u)
{
	uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors;
	if (u->rx_count)
		lsr |= UART_LSR_DR;
	return lsr;
}

/* IIR bits 0-3 of the highest-priority pending source (16550 datasheet,
 * Table IV "Interrupt Control Functions"). */
static uint8_t pending_interrupt(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_ELSI) && (u->lsr_errors & (UART_LSR_OE | UART_LSR_PE |
							    UART_LSR_FE | UART_LSR_BI)))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count) {
		if (fifo_enabled(u) && u->rx_count < rx_trigger_level(u))
			return UART_IIR_CTI;
		return UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && u->msr_deltas)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

bool uart16550_irq_level(const struct uart16550 *u)
{
	/* On a PC the INTR pin reaches the bus only through a buffer enabled by
	 * the OUT2 pin, and loopback forces that pin inactive ("the MODEM
	 * Control output pins are forced to their inactive state"). */
	if (!(u->mcr & UART_MCR_OUT2) || loopback(u))
		return false;
	return pending_interrupt(u) != UART_IIR_NO_INT;
}

static void update_irq(struct uart16550 *u)
{
	bool level = uart16550_irq_level(u);
	if (level == u->irq_line)
		return;
	u->irq_line = level;
	if (u->irq)
		u->irq(u->opaque, level);
}

static void rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

static void rx_push(struct uart16550 *u, uint8_t byte)
{
	u->rx_fifo[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = byte;
	u->rx_count++;
}

/* A character arrives in the receiver shift register on the loopback path. */
static void rx_from_line(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_count < rx_capacity(u)) {
		rx_push(u, byte);
		return;
	}
	/* LSR bit 1: with FIFOs the new character is lost; without, it
	 * overwrites RBR ("thereby destroying the previous character"). */
	u->lsr_errors |= UART_LSR_OE;
	if (!fifo_enabled(u))
		u->rx_fifo[u->rx_head] = byte;
}

static uint8_t read_rbr(struct uart16550 *u)
{
	if (u->rx_count) {
		u->rbr_last = u->rx_fifo[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
		u->rx_count--;
	}
	return u->rbr_last;
}

static void write_thr(struct uart16550 *u, uint8_t byte)
{
	/* Writing THR clears the THRE interrupt; the byte then leaves at once
	 * and THR is empty again, which raises it anew. The line therefore
	 * pulses low when it was high, giving an edge-triggered PIC a fresh
	 * edge as the real chip would one character time later. */
	u->thre_pending = false;
	update_irq(u);
	if (loopback(u))
		rx_from_line(u, byte); /* SOUT is held marking; nothing leaves */
	else if (u->tx)
		u->tx(u->opaque, byte);
	u->thre_pending = true;
}

static void write_ier(struct uart16550 *u, uint8_t value)
{
	uint8_t old = u->ier;
	u->ier = value & 0x0f;
	/* Enabling ETBEI while THR is empty raises THRE, as 8250-family parts
	 * do and drivers rely on to start transmission. */
	if ((u->ier & UART_IER_ETBEI) && !(old & UART_IER_ETBEI))
		u->thre_pending = true;
}

static void write_fcr(struct uart16550 *u, uint8_t value)
{
	/* "Resetting FCR0 will clear all bytes in both FIFOs"; and the other
	 * bits are only programmed when bit 0 is set. */
	if (!(value & UART_FCR_ENABLE)) {
		if (fifo_enabled(u))
			rx_clear(u);
		u->fcr = 0;
		return;
	}
	if (!fifo_enabled(u) || (value & UART_FCR_CLEAR_RX))
		rx_clear(u);
	/* The TX FIFO is always empty: transmission is instantaneous. */
	u->fcr = value & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER_MASK);
}

static void write_mcr(struct uart16550 *u, uint8_t value)
{
	uint8_t before = modem_status_lines(u);
	u->mcr = value & UART_MCR_MASK;
	note_modem_change(u, before);
}

void uart16550_init(struct uart16550 *u, void (*tx)(void *opaque, uint8_t byte),
		    void (*irq)(void *opaque, bool level), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->irq = irq;
	u->opaque = opaque;
	u->divisor = 12;
	u->modem_inputs = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	uart16550_reset(u);
}

void uart16550_reset(struct uart16550 *u)
{
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr_errors = 0;
	u->msr_deltas = 0;
	u->thre_pending = false;
	u->rbr_last = 0;
	rx_clear(u);
	update_irq(u);
}

uint8_t uart16550_read(struct uart16550 *u, unsigned offset)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (offset) {
	case UART_RBR:
		if (dlab)
			return (uint8_t)u->divisor;
		v = read_rbr(u);
		break;
	case UART_IER:
		return dlab ? (uint8_t)(u->divisor >> 8) : u->ier;
	case UART_IIR:
		v = pending_interrupt(u);
		if (v == UART_IIR_THRI)
			u->thre_pending = false;
		if (fifo_enabled(u))
			v |= UART_IIR_FIFOS;
		break;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = line_status(u);
		u->lsr_errors = 0; /* OE/PE/FE/BI are cleared by reading LSR */
		break;
	case UART_MSR:
		v = modem_status_lines(u) | u->msr_deltas;
		u->msr_deltas = 0;
		break;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
	update_irq(u);
	return v;
}

void uart16550_write(struct uart16550 *u, unsigned offset, uint8_t value)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (offset) {
	case UART_THR:
		if (dlab)
			u->divisor = (uint16_t)((u->divisor & 0xff00) | value);
		else
			write_thr(u, value);
		break;
	case UART_IER:
		if (dlab)
			u->divisor = (uint16_t)((u->divisor & 0x00ff) | value << 8);
		else
			write_ier(u, value);
		break;
	case UART_FCR:
		write_fcr(u, value);
		break;
	case UART_LCR:
		u->lcr = value;
		break;
	case UART_MCR:
		write_mcr(u, value);
		break;
	case UART_SCR:
		u->scr = value;
		break;
	default:
		/* LSR and MSR writes are for factory test only; ignored, as are
		 * offsets past the register file. */
		return;
	}
	update_irq(u);
}

size_t uart16550_rx_space(const struct uart16550 *u)
{
	if (loopback(u)) /* "the receiver Serial Input (SIN) is disconnected" */
		return 0;
	return rx_capacity(u) - u->rx_count;
}

size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	size_t n = uart16550_rx_space(u);
	if (n > len)
		n = len;
	for (size_t i = 0; i < n; i++)
		rx_push(u, buf[i]);
	if (n)
		update_irq(u);
	return n;
}

void uart16550_set_modem_inputs(struct uart16550 *u, uint8_t lines)
{
	uint8_t before = modem_status_lines(u);
	u->modem_inputs = lines & UART_MSR_LINES;
	note_modem_change(u, before);
	update_irq(u);
}
