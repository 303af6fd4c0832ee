/* SPDX-License-Identifier: MIT */
/*
 * The 16550 UART (devices/uart16550.h) driven as devices/serial.c drives
 * it: guest register reads and writes at offsets 0-7 (and beyond), host
 * bytes pushed in as the console has them, far-end modem lines, reset.
 * Checked after every step:
 *
 *  - the irq callback fires only on a change and its last level is
 *    uart16550_irq_level();
 *  - a THR write sends exactly one byte to the host unless DLAB or
 *    loopback is set;
 *  - uart16550_receive() takes at most what uart16550_rx_space() offered,
 *    which never exceeds the FIFO;
 *  - IIR: bits 5-4 read 0, the identification is one the datasheet
 *    defines, and "no interrupt" means the IRQ line is low;
 *  - SCR, DLL and DLM read back what was written.
 */
#include "tests/fuzz/fuzz.h"

#include "devices/uart16550.h"

struct harness {
	struct uart16550 u;
	bool irq_level;
	unsigned irq_calls;
	unsigned tx_calls;
	uint8_t scr;
};

static void on_tx(void *opaque, uint8_t byte)
{
	(void)byte;
	((struct harness *)opaque)->tx_calls++;
}

static void on_irq(void *opaque, bool level)
{
	struct harness *h = opaque;

	FUZZ_CHECK(h->irq_calls == 0 || level != h->irq_level, "irq(%d) twice", level);
	h->irq_level = level;
	h->irq_calls++;
}

static void check_state(struct harness *h)
{
	FUZZ_CHECK(h->irq_level == uart16550_irq_level(&h->u), "irq callback %d, level %d",
		   h->irq_level, uart16550_irq_level(&h->u));
	FUZZ_CHECK(uart16550_rx_space(&h->u) <= UART_FIFO_SIZE, "rx space %zu",
		   uart16550_rx_space(&h->u));
}

static void do_read(struct harness *h, unsigned offset)
{
	bool dlab = h->u.lcr & UART_LCR_DLAB;
	bool level = uart16550_irq_level(&h->u);
	uint16_t divisor = h->u.divisor;
	uint8_t v = uart16550_read(&h->u, offset);

	if (offset >= UART_NR_REGS) {
		FUZZ_CHECK(v == 0xff, "offset %u read %02x", offset, v);
		return;
	}
	switch (offset) {
	case UART_IIR: {
		static const bool defined[16] = { [UART_IIR_NO_INT] = true, [UART_IIR_MSI] = true,
			[UART_IIR_THRI] = true, [UART_IIR_RDI] = true, [UART_IIR_RLSI] = true,
			[UART_IIR_CTI] = true };

		FUZZ_CHECK(!(v & 0x30), "IIR %02x has bits 5-4 set", v);
		FUZZ_CHECK(defined[v & 0x0f], "IIR identification %02x", v & 0x0f);
		if (v & UART_IIR_NO_INT)
			FUZZ_CHECK(!level, "IIR says no interrupt with the IRQ line high");
		break;
	}
	case UART_SCR:
		FUZZ_CHECK(v == h->scr, "SCR %02x, wrote %02x", v, h->scr);
		break;
	case UART_DLL:
		if (dlab)
			FUZZ_CHECK(v == (uint8_t)divisor, "DLL %02x, divisor %04x", v, divisor);
		break;
	case UART_DLM:
		if (dlab)
			FUZZ_CHECK(v == (uint8_t)(divisor >> 8), "DLM %02x, divisor %04x", v, divisor);
		break;
	}
}

static void do_write(struct harness *h, unsigned offset, uint8_t value)
{
	bool sends = offset == UART_THR && !(h->u.lcr & UART_LCR_DLAB) &&
		     !(h->u.mcr & UART_MCR_LOOP);
	unsigned before = h->tx_calls;

	uart16550_write(&h->u, offset, value);
	FUZZ_CHECK(h->tx_calls - before == (sends ? 1u : 0u), "THR write sent %u bytes",
		   h->tx_calls - before);
	if (offset == UART_SCR)
		h->scr = value;
}

static void do_receive(struct harness *h, struct fuzz_in *in)
{
	uint8_t buf[32];
	size_t len = fi_pick(in, sizeof(buf) + 1);
	size_t space = uart16550_rx_space(&h->u);

	for (size_t i = 0; i < len; i++)
		buf[i] = fi_u8(in);
	size_t took = uart16550_receive(&h->u, buf, len);

	FUZZ_CHECK(took <= len && took <= space, "took %zu of %zu with space %zu", took, len,
		   space);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct harness h = { 0 };

	uart16550_init(&h.u, on_tx, on_irq, &h);
	while (fi_more(&in)) {
		uint8_t op = fi_u8(&in);
		unsigned offset = (op & 0x80) ? fi_u8(&in) : (op >> 3) & 7;

		switch (op & 7) {
		case 0:
		case 1:
		case 2:
			do_write(&h, offset, fi_u8(&in));
			break;
		case 3:
		case 4:
			do_read(&h, offset);
			break;
		case 5:
			do_receive(&h, &in);
			break;
		case 6:
			uart16550_set_modem_inputs(&h.u, fi_u8(&in));
			break;
		case 7:
			uart16550_reset(&h.u);
			break;
		}
		check_state(&h);
	}
	return 0;
}
