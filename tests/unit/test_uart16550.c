/* SPDX-License-Identifier: MIT */
/* 16550A UART model tests, through the public interface only. */
#include <criterion/criterion.h>

#include "devices/uart16550.h"

struct recorder {
	uint8_t tx[64];
	size_t nr_tx;
	bool irq_events[64];
	size_t nr_irq;
};

static void record_tx(void *opaque, uint8_t byte)
{
	struct recorder *r = opaque;
	if (r->nr_tx < sizeof(r->tx))
		r->tx[r->nr_tx] = byte;
	r->nr_tx++;
}

static void record_irq(void *opaque, bool level)
{
	struct recorder *r = opaque;
	if (r->nr_irq < sizeof(r->irq_events) / sizeof(r->irq_events[0]))
		r->irq_events[r->nr_irq] = level;
	r->nr_irq++;
}

static struct uart16550 uart;
static struct recorder rec;

static void setup(void)
{
	memset(&rec, 0, sizeof(rec));
	uart16550_init(&uart, record_tx, record_irq, &rec);
}

TestSuite(uart16550, .init = setup);

static uint8_t rd(unsigned off)
{
	return uart16550_read(&uart, off);
}

static void wr(unsigned off, uint8_t v)
{
	uart16550_write(&uart, off, v);
}

static void recv_str(const char *s)
{
	cr_assert_eq(uart16550_receive(&uart, (const uint8_t *)s, strlen(s)), strlen(s));
}

/* ---- reset state, plain registers ---------------------------------------- */

Test(uart16550, reset_state_matches_datasheet)
{
	cr_expect_eq(rd(UART_IER), 0);
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
	cr_expect_eq(rd(UART_LCR), 0);
	cr_expect_eq(rd(UART_MCR), 0);
	cr_expect_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	cr_expect_eq(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	cr_expect_not(uart16550_irq_level(&uart));
	cr_expect_eq(rec.nr_irq, 0);
}

Test(uart16550, scratch_register_holds_any_value)
{
	wr(UART_SCR, 0xa5);
	cr_expect_eq(rd(UART_SCR), 0xa5);
	wr(UART_SCR, 0x00);
	cr_expect_eq(rd(UART_SCR), 0x00);
}

Test(uart16550, invalid_offsets_read_all_ones_and_ignore_writes)
{
	wr(8, 0x55);
	wr(1000, 0x55);
	wr(UINT32_MAX, 0x55);
	cr_expect_eq(rd(8), 0xff);
	cr_expect_eq(rd(UINT32_MAX), 0xff);
	cr_expect_eq(rec.nr_tx, 0);
	cr_expect_eq(rd(UART_SCR), 0);
}

Test(uart16550, lsr_and_msr_ignore_writes)
{
	wr(UART_LSR, 0x00);
	wr(UART_MSR, 0x0f);
	cr_expect_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	cr_expect_eq(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
}

Test(uart16550, ier_keeps_only_the_four_enable_bits)
{
	wr(UART_IER, 0xf5);
	cr_expect_eq(rd(UART_IER), 0x05);
}

Test(uart16550, mcr_keeps_only_defined_bits)
{
	wr(UART_MCR, 0xff & ~UART_MCR_LOOP);
	cr_expect_eq(rd(UART_MCR), 0x0f);
}

Test(uart16550, lcr_reads_back)
{
	wr(UART_LCR, 0x1b);
	cr_expect_eq(rd(UART_LCR), 0x1b);
}

/* ---- divisor latch ---------------------------------------------------------- */

Test(uart16550, dlab_exposes_divisor_latch_at_offsets_0_and_1)
{
	wr(UART_IER, UART_IER_ERBFI);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x02);
	cr_expect_eq(rd(UART_DLL), 0x01);
	cr_expect_eq(rd(UART_DLM), 0x02);
	wr(UART_LCR, 0x03);
	cr_expect_eq(rd(UART_IER), UART_IER_ERBFI, "IER untouched by DLM write");
	wr(UART_LCR, UART_LCR_DLAB);
	cr_expect_eq(rd(UART_DLL), 0x01, "divisor kept while DLAB was clear");
	cr_expect_eq(rd(UART_DLM), 0x02);
}

Test(uart16550, divisor_write_does_not_transmit)
{
	wr(UART_LCR, UART_LCR_DLAB);
	wr(UART_DLL, 'x');
	cr_expect_eq(rec.nr_tx, 0);
}

Test(uart16550, divisor_defaults_to_9600_baud)
{
	wr(UART_LCR, UART_LCR_DLAB);
	cr_expect_eq(rd(UART_DLL), 12);
	cr_expect_eq(rd(UART_DLM), 0);
}

/* ---- transmit and THRE ------------------------------------------------------ */

Test(uart16550, thr_write_sends_byte_to_tx_callback)
{
	wr(UART_THR, 'o');
	wr(UART_THR, 'k');
	cr_assert_eq(rec.nr_tx, 2);
	cr_expect_eq(rec.tx[0], 'o');
	cr_expect_eq(rec.tx[1], 'k');
	cr_expect_eq(rd(UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
		     UART_LSR_THRE | UART_LSR_TEMT, "THR and TSR empty again at once");
}

Test(uart16550, enabling_etbei_with_empty_thr_raises_thre_interrupt)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ETBEI);
	cr_expect_eq(rd(UART_IIR), UART_IIR_THRI);
}

Test(uart16550, reading_iir_clears_thre_interrupt)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ETBEI);
	cr_expect(uart16550_irq_level(&uart));
	cr_expect_eq(rd(UART_IIR), UART_IIR_THRI);
	cr_expect_not(uart16550_irq_level(&uart));
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
}

Test(uart16550, thr_write_rearms_thre_interrupt)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ETBEI);
	rd(UART_IIR);
	wr(UART_THR, 'a');
	cr_expect(uart16550_irq_level(&uart));
	cr_expect_eq(rd(UART_IIR), UART_IIR_THRI);
}

Test(uart16550, thr_write_pulses_a_raised_thre_line_low_then_high)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ETBEI);
	cr_assert_eq(rec.nr_irq, 1);
	wr(UART_THR, 'a');
	cr_assert_eq(rec.nr_irq, 3);
	cr_expect_not(rec.irq_events[1]);
	cr_expect(rec.irq_events[2]);
}

Test(uart16550, rewriting_ier_with_etbei_already_set_does_not_reraise_thre)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ETBEI);
	rd(UART_IIR);
	wr(UART_IER, UART_IER_ETBEI | UART_IER_ELSI);
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
	wr(UART_IER, 0);
	wr(UART_IER, UART_IER_ETBEI);
	cr_expect_eq(rd(UART_IIR), UART_IIR_THRI, "a 0->1 transition does");
}

Test(uart16550, thre_without_etbei_is_not_reported)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_THR, 'a');
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
	cr_expect_not(uart16550_irq_level(&uart));
}

/* ---- receive and FIFOs ------------------------------------------------------ */

Test(uart16550, received_byte_sets_dr_and_is_read_from_rbr)
{
	recv_str("x");
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	cr_expect_eq(rd(UART_RBR), 'x');
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
}

Test(uart16550, empty_rbr_read_repeats_last_byte)
{
	recv_str("q");
	rd(UART_RBR);
	cr_expect_eq(rd(UART_RBR), 'q');
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
}

Test(uart16550, without_fifo_only_one_byte_is_accepted)
{
	const uint8_t buf[] = "abc";
	cr_expect_eq(uart16550_rx_space(&uart), 1);
	cr_expect_eq(uart16550_receive(&uart, buf, 3), 1);
	cr_expect_eq(uart16550_receive(&uart, buf + 1, 2), 0);
	cr_expect_eq(rd(UART_RBR), 'a');
	cr_expect_eq(uart16550_receive(&uart, buf + 1, 2), 1);
	cr_expect_eq(rd(UART_RBR), 'b');
}

Test(uart16550, fifo_holds_16_bytes_in_order_and_accepts_no_more)
{
	uint8_t buf[20];
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)('A' + i);
	wr(UART_FCR, UART_FCR_ENABLE);
	cr_expect_eq(uart16550_receive(&uart, buf, sizeof(buf)), UART_FIFO_SIZE);
	cr_expect_eq(uart16550_rx_space(&uart), 0);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_OE, 0, "host input is flow-controlled");
	for (unsigned i = 0; i < UART_FIFO_SIZE; i++)
		cr_expect_eq(rd(UART_RBR), 'A' + i);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	cr_expect_eq(uart16550_receive(&uart, buf + 16, 4), 4, "ring wraps");
	for (unsigned i = 16; i < 20; i++)
		cr_expect_eq(rd(UART_RBR), 'A' + i);
}

Test(uart16550, fifo_enable_sets_iir_bits_6_and_7)
{
	wr(UART_FCR, UART_FCR_ENABLE);
	cr_expect_eq(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_NO_INT);
	wr(UART_FCR, 0);
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
}

Test(uart16550, fcr_without_enable_bit_programs_nothing)
{
	wr(UART_FCR, 0xc0 | UART_FCR_CLEAR_RX);
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
	cr_expect_eq(uart16550_rx_space(&uart), 1, "still 16450 mode");
}

Test(uart16550, fcr_clear_rx_empties_fifo)
{
	wr(UART_FCR, UART_FCR_ENABLE);
	recv_str("hello");
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	cr_expect_eq(uart16550_rx_space(&uart), UART_FIFO_SIZE);
}

Test(uart16550, toggling_fifo_enable_empties_fifo)
{
	wr(UART_FCR, UART_FCR_ENABLE);
	recv_str("hello");
	wr(UART_FCR, 0);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
}

Test(uart16550, rx_interrupt_without_fifo_is_data_available)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ERBFI);
	cr_expect_not(uart16550_irq_level(&uart));
	recv_str("z");
	cr_expect(uart16550_irq_level(&uart));
	cr_expect_eq(rd(UART_IIR), UART_IIR_RDI);
	rd(UART_RBR);
	cr_expect_not(uart16550_irq_level(&uart));
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
}

Test(uart16550, fifo_below_trigger_reports_timeout_at_and_above_reports_data)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ERBFI);
	wr(UART_FCR, UART_FCR_ENABLE | 0x80); /* trigger level 8 */
	recv_str("1234567");
	cr_expect_eq(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_CTI);
	recv_str("8");
	cr_expect_eq(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_RDI);
	rd(UART_RBR);
	cr_expect_eq(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_CTI);
	for (int i = 0; i < 7; i++)
		rd(UART_RBR);
	cr_expect_eq(rd(UART_IIR), UART_IIR_FIFOS | UART_IIR_NO_INT);
	cr_expect_not(uart16550_irq_level(&uart));
}

Test(uart16550, fifo_trigger_levels_are_1_4_8_14)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	const uint8_t buf[16] = { 0 };
	wr(UART_IER, UART_IER_ERBFI);
	for (unsigned i = 0; i < 4; i++) {
		wr(UART_FCR, (uint8_t)(UART_FCR_ENABLE | UART_FCR_CLEAR_RX | i << 6));
		uart16550_receive(&uart, buf, levels[i] - 1);
		if (levels[i] > 1)
			cr_expect_eq(rd(UART_IIR) & UART_IIR_ID_MASK, UART_IIR_CTI, "level %u",
				     levels[i]);
		uart16550_receive(&uart, buf, 1);
		cr_expect_eq(rd(UART_IIR) & UART_IIR_ID_MASK, UART_IIR_RDI, "level %u",
			     levels[i]);
	}
}

Test(uart16550, receive_accepts_only_free_space)
{
	const uint8_t buf[16] = { 0 };
	wr(UART_FCR, UART_FCR_ENABLE);
	cr_expect_eq(uart16550_receive(&uart, buf, 10), 10);
	cr_expect_eq(uart16550_rx_space(&uart), 6);
	cr_expect_eq(uart16550_receive(&uart, buf, 10), 6);
	cr_expect_eq(uart16550_receive(&uart, buf, 0), 0);
}

/* ---- overrun and line status ----------------------------------------------- */

Test(uart16550, loopback_overrun_with_fifo_drops_new_byte_and_sets_oe)
{
	wr(UART_FCR, UART_FCR_ENABLE);
	wr(UART_MCR, UART_MCR_LOOP);
	for (unsigned i = 0; i < 17; i++)
		wr(UART_THR, (uint8_t)i);
	cr_expect_eq(rd(UART_LSR), UART_LSR_OE | UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_OE, 0, "OE cleared by reading LSR");
	for (unsigned i = 0; i < 16; i++)
		cr_expect_eq(rd(UART_RBR), i);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
}

Test(uart16550, loopback_overrun_without_fifo_overwrites_rbr)
{
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_THR, 'a');
	wr(UART_THR, 'b');
	cr_expect_eq(rd(UART_LSR) & UART_LSR_OE, UART_LSR_OE);
	cr_expect_eq(rd(UART_RBR), 'b');
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
}

Test(uart16550, overrun_raises_line_status_interrupt_until_lsr_read)
{
	wr(UART_IER, UART_IER_ELSI);
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_THR, 'a');
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
	wr(UART_THR, 'b');
	cr_expect_eq(rd(UART_IIR), UART_IIR_RLSI);
	cr_expect_eq(rd(UART_IIR), UART_IIR_RLSI, "IIR read does not clear it");
	rd(UART_LSR);
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
}

Test(uart16550, iir_reports_sources_in_priority_order)
{
	wr(UART_IER, UART_IER_ERBFI | UART_IER_ETBEI | UART_IER_ELSI | UART_IER_EDSSI);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR); /* DSR changes: modem status */
	wr(UART_THR, 'a');
	wr(UART_THR, 'b'); /* overrun; THRE pending */
	cr_expect_eq(rd(UART_IIR), UART_IIR_RLSI);
	rd(UART_LSR);
	cr_expect_eq(rd(UART_IIR), UART_IIR_RDI);
	rd(UART_RBR);
	cr_expect_eq(rd(UART_IIR), UART_IIR_THRI);
	cr_expect_eq(rd(UART_IIR), UART_IIR_MSI);
	rd(UART_MSR);
	cr_expect_eq(rd(UART_IIR), UART_IIR_NO_INT);
}

Test(uart16550, reading_iir_for_higher_source_keeps_thre_pending)
{
	wr(UART_IER, UART_IER_ERBFI | UART_IER_ETBEI);
	recv_str("r");
	cr_expect_eq(rd(UART_IIR), UART_IIR_RDI);
	rd(UART_RBR);
	cr_expect_eq(rd(UART_IIR), UART_IIR_THRI);
}

/* ---- loopback --------------------------------------------------------------- */

Test(uart16550, loopback_routes_tx_to_rx_not_to_host)
{
	wr(UART_FCR, UART_FCR_ENABLE);
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_THR, 'L');
	cr_expect_eq(rec.nr_tx, 0);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	cr_expect_eq(rd(UART_RBR), 'L');
	wr(UART_MCR, 0);
	wr(UART_THR, 'H');
	cr_expect_eq(rec.nr_tx, 1);
}

Test(uart16550, loopback_disconnects_host_input)
{
	const uint8_t b = 'h';
	wr(UART_MCR, UART_MCR_LOOP);
	cr_expect_eq(uart16550_rx_space(&uart), 0);
	cr_expect_eq(uart16550_receive(&uart, &b, 1), 0);
	cr_expect_eq(rd(UART_LSR) & UART_LSR_DR, 0);
}

Test(uart16550, loopback_routes_mcr_outputs_to_msr_inputs)
{
	/* The check Linux's 8250 probe makes: MCR=LOOP|OUT2|RTS -> DCD|CTS. */
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	cr_expect_eq(rd(UART_MSR) & UART_MSR_LINES, UART_MSR_DCD | UART_MSR_CTS);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	cr_expect_eq(rd(UART_MSR) & UART_MSR_LINES, UART_MSR_DSR | UART_MSR_RI);
}

Test(uart16550, loopback_keeps_irq_line_low_like_a_pc)
{
	wr(UART_IER, UART_IER_ETBEI);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	cr_expect_eq(rd(UART_IIR) & 1, 0, "the chip's interrupt is pending");
	cr_expect_not(uart16550_irq_level(&uart));
	cr_expect_eq(rec.nr_irq, 0);
}

/* ---- modem status ------------------------------------------------------------ */

Test(uart16550, modem_input_changes_set_deltas_cleared_by_msr_read)
{
	uart16550_set_modem_inputs(&uart, UART_MSR_DSR); /* CTS and DCD dropped */
	cr_expect_eq(rd(UART_MSR), UART_MSR_DSR | UART_MSR_DCTS | UART_MSR_DDCD);
	cr_expect_eq(rd(UART_MSR), UART_MSR_DSR);
	uart16550_set_modem_inputs(&uart, 0);
	cr_expect_eq(rd(UART_MSR), UART_MSR_DDSR);
}

Test(uart16550, teri_is_set_only_when_ring_indicator_ends)
{
	uart16550_set_modem_inputs(&uart, UART_MSR_RI);
	cr_expect_eq(rd(UART_MSR) & UART_MSR_DELTAS, UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	uart16550_set_modem_inputs(&uart, 0);
	cr_expect_eq(rd(UART_MSR) & UART_MSR_DELTAS, UART_MSR_TERI);
}

Test(uart16550, loopback_mcr_changes_set_msr_deltas)
{
	wr(UART_MCR, UART_MCR_LOOP); /* external CTS/DSR/DCD -> all low */
	rd(UART_MSR);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	cr_expect_eq(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DCTS);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT1);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	cr_expect_eq(rd(UART_MSR), UART_MSR_CTS | UART_MSR_TERI);
}

Test(uart16550, modem_status_interrupt_needs_edssi)
{
	wr(UART_MCR, UART_MCR_OUT2);
	uart16550_set_modem_inputs(&uart, 0);
	cr_expect_not(uart16550_irq_level(&uart));
	wr(UART_IER, UART_IER_EDSSI);
	cr_expect(uart16550_irq_level(&uart));
	cr_expect_eq(rd(UART_IIR), UART_IIR_MSI);
	rd(UART_MSR);
	cr_expect_not(uart16550_irq_level(&uart));
}

/* ---- IRQ line ----------------------------------------------------------------- */

Test(uart16550, out2_gates_the_irq_line)
{
	wr(UART_IER, UART_IER_ERBFI);
	recv_str("g");
	cr_expect_eq(rd(UART_IIR), UART_IIR_RDI);
	cr_expect_not(uart16550_irq_level(&uart));
	cr_expect_eq(rec.nr_irq, 0);
	wr(UART_MCR, UART_MCR_OUT2);
	cr_expect(uart16550_irq_level(&uart));
	cr_assert_eq(rec.nr_irq, 1);
	cr_expect(rec.irq_events[0]);
	wr(UART_MCR, 0);
	cr_assert_eq(rec.nr_irq, 2);
	cr_expect_not(rec.irq_events[1]);
}

Test(uart16550, irq_callback_runs_only_on_level_changes)
{
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_FCR, UART_FCR_ENABLE);
	wr(UART_IER, UART_IER_ERBFI);
	recv_str("a");
	recv_str("b");
	recv_str("c");
	wr(UART_SCR, 1);
	rd(UART_IIR);
	rd(UART_LSR);
	cr_assert_eq(rec.nr_irq, 1);
	rd(UART_RBR);
	rd(UART_RBR);
	cr_assert_eq(rec.nr_irq, 1);
	rd(UART_RBR);
	cr_assert_eq(rec.nr_irq, 2);
	cr_expect(rec.irq_events[0]);
	cr_expect_not(rec.irq_events[1]);
}

Test(uart16550, reset_drops_irq_and_keeps_divisor_and_scratch)
{
	wr(UART_LCR, UART_LCR_DLAB);
	wr(UART_DLL, 3);
	wr(UART_LCR, 0x03);
	wr(UART_SCR, 0x42);
	wr(UART_MCR, UART_MCR_OUT2);
	wr(UART_IER, UART_IER_ETBEI);
	cr_assert(uart16550_irq_level(&uart));
	uart16550_reset(&uart);
	cr_expect_not(uart16550_irq_level(&uart));
	cr_expect_not(rec.irq_events[rec.nr_irq - 1]);
	cr_expect_eq(rd(UART_SCR), 0x42);
	cr_expect_eq(rd(UART_LCR), 0);
	cr_expect_eq(rd(UART_IER), 0);
	wr(UART_LCR, UART_LCR_DLAB);
	cr_expect_eq(rd(UART_DLL), 3);
}

Test(uart16550, null_callbacks_are_allowed)
{
	struct uart16550 u;
	uart16550_init(&u, NULL, NULL, NULL);
	uart16550_write(&u, UART_MCR, UART_MCR_OUT2);
	uart16550_write(&u, UART_IER, UART_IER_ETBEI);
	uart16550_write(&u, UART_THR, 'x');
	cr_expect(uart16550_irq_level(&u));
}
