/* SPDX-License-Identifier: MIT */
/*
 * The test device (devices/testdev.h) on a port bus as the x86 VM registers
 * it: guest accesses of any size around both windows (line ports and the
 * 32-bit extension registers), with interrupt lines behind a recording
 * backend and an MSI sink that refuses some messages. Storms really run
 * (their own thread), kept short: the harness writes at most 16 events
 * and 1 us periods, so every input ends quickly. Checked after each access:
 *
 *  - a line port reads back the level written (no storm running); a line
 *    the VM does not have sets STATUS to BAD_LINE and reads 0;
 *  - an MSI is fired with exactly the address and data registers, counts
 *    only when delivered, and sets STATUS to say why it was not;
 *  - the extension registers ignore accesses that are not 4 bytes (reads
 *    give all-ones) and read back what was written;
 *  - a stopped storm reads CTRL 0 and never sent more than it was asked.
 */
#include "tests/fuzz/fuzz.h"

#include "devices/testdev.h"

#define LINE_BASE IRQVM_PORT_TESTDEV_IRQ
#define EXT_BASE IRQVM_PORT_TESTDEV_EXT
#define MAX_STORM_COUNT 16u
#define MAX_STORM_PERIOD_NS 1000u

struct harness {
	struct vm *vm;
	uint64_t msi_addr, last_msi_addr;
	uint32_t msi_data, last_msi_data;
	unsigned msi_calls;
	uint32_t regs[IRQVM_TESTDEV_EXT_SIZE / 4]; /* plain registers as written */
	bool storm_started;
};

static struct harness *current;

static void on_line(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	(void)level;
	FUZZ_CHECK(line < IRQ_LINES_MAX, "line %u", line);
}

/* Addresses with bit 0 of the data set are refused, like a bad destination. */
static int on_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	(void)vm;
	__atomic_store_n(&current->last_msi_addr, address, __ATOMIC_RELAXED);
	__atomic_store_n(&current->last_msi_data, data, __ATOMIC_RELAXED);
	__atomic_fetch_add(&current->msi_calls, 1, __ATOMIC_RELAXED);
	return (data & 1) ? -1 : 0;
}

static uint64_t ext_read(struct harness *h, unsigned reg)
{
	uint64_t v = 0;

	FUZZ_CHECK(bus_read(&h->vm->pio, EXT_BASE + reg, 4, &v), "register %x unhandled", reg);
	return v;
}

static void ext_write(struct harness *h, unsigned reg, uint32_t v)
{
	FUZZ_CHECK(bus_write(&h->vm->pio, EXT_BASE + reg, 4, v), "register %x unhandled", reg);
}

static bool storm_running(struct harness *h)
{
	return ext_read(h, IRQVM_TESTDEV_STORM_CTRL) != 0;
}

static void line_access(struct harness *h, unsigned line, bool write, uint8_t value)
{
	uint64_t v = 0;
	unsigned nr = irq_lines_count(&h->vm->lines);

	if (write) {
		bus_write(&h->vm->pio, LINE_BASE + line, 1, value);
		FUZZ_CHECK(ext_read(h, IRQVM_TESTDEV_STATUS) ==
			   (line < nr ? IRQVM_TESTDEV_ERR_NONE : IRQVM_TESTDEV_ERR_BAD_LINE),
			   "status after writing line %u of %u", line, nr);
	}
	bus_read(&h->vm->pio, LINE_BASE + line, 1, &v);
	if (write && !storm_running(h))
		FUZZ_CHECK(v == (line < nr && value), "line %u reads %llu after writing %u", line,
			   (unsigned long long)v, value);
}

static void fire_msi(struct harness *h)
{
	uint32_t fired = (uint32_t)ext_read(h, IRQVM_TESTDEV_MSI_FIRE);
	uint64_t addr = (uint64_t)h->regs[IRQVM_TESTDEV_MSI_ADDR_HI / 4] << 32 |
			h->regs[IRQVM_TESTDEV_MSI_ADDR_LO / 4];
	uint32_t data = h->regs[IRQVM_TESTDEV_MSI_DATA / 4];
	bool can = h->vm->deliver_msi != NULL;

	if (storm_running(h))
		return; /* its MSIs would mix with this one */
	ext_write(h, IRQVM_TESTDEV_MSI_FIRE, 1);
	uint32_t status = (uint32_t)ext_read(h, IRQVM_TESTDEV_STATUS);
	uint32_t now = (uint32_t)ext_read(h, IRQVM_TESTDEV_MSI_FIRE);

	if (!can) {
		FUZZ_CHECK(status == IRQVM_TESTDEV_ERR_NO_MSI && now == fired, "MSI without a sink");
		return;
	}
	FUZZ_CHECK(h->last_msi_addr == addr && h->last_msi_data == data,
		   "fired %llx/%x, registers %llx/%x", (unsigned long long)h->last_msi_addr,
		   h->last_msi_data, (unsigned long long)addr, data);
	if (data & 1)
		FUZZ_CHECK(status == IRQVM_TESTDEV_ERR_BAD_MSI && now == fired, "refused MSI counted");
	else
		FUZZ_CHECK(status == IRQVM_TESTDEV_ERR_NONE && now == fired + 1, "MSI not counted");
}

static void ext_access(struct harness *h, struct fuzz_in *in)
{
	unsigned reg = fi_pick(in, IRQVM_TESTDEV_EXT_SIZE / 4) * 4;
	uint32_t v = fi_u32(in);

	switch (reg) {
	case IRQVM_TESTDEV_MSI_FIRE:
		fire_msi(h);
		return;
	case IRQVM_TESTDEV_STORM_COUNT:
		v %= MAX_STORM_COUNT + 1;
		break;
	case IRQVM_TESTDEV_STORM_PERIOD:
		v %= MAX_STORM_PERIOD_NS + 1;
		break;
	case IRQVM_TESTDEV_STORM_CTRL:
		ext_write(h, reg, v & 1);
		if (!(v & 1)) {
			FUZZ_CHECK(!storm_running(h), "storm still running after stop");
			FUZZ_CHECK(ext_read(h, IRQVM_TESTDEV_STORM_SENT) <= MAX_STORM_COUNT,
				   "storm sent more than asked");
		}
		return;
	case IRQVM_TESTDEV_PULSE:
		ext_write(h, reg, v % 32u);
		FUZZ_CHECK(ext_read(h, IRQVM_TESTDEV_STATUS) ==
			   (v % 32u < irq_lines_count(&h->vm->lines) ? IRQVM_TESTDEV_ERR_NONE
								      : IRQVM_TESTDEV_ERR_BAD_LINE),
			   "status after pulsing line %u", v % 32u);
		return;
	case IRQVM_TESTDEV_STATUS:
	case IRQVM_TESTDEV_STORM_SENT:
		ext_read(h, reg);
		return;
	}
	ext_write(h, reg, v);
	h->regs[reg / 4] = v;
	if (reg < IRQVM_TESTDEV_STORM_CTRL)
		FUZZ_CHECK(ext_read(h, reg) == v, "register %x reads %llx after writing %x", reg,
			   (unsigned long long)ext_read(h, reg), v);
}

/* Any size at any port of both windows and a little around them. */
static void raw_access(struct harness *h, struct fuzz_in *in)
{
	static const unsigned sizes[] = { 1, 2, 4, 8, 3, 0 };
	uint64_t port = LINE_BASE - 4 + fi_u8(in) % 0x90;
	unsigned size = sizes[fi_pick(in, 6)];
	uint64_t v = 0;

	if (fi_bool(in)) {
		/* Dword writes to the extension go through ext_access, which keeps
		 * the harness's copy of the registers and bounds the storms. */
		if (size == 4 && port >= EXT_BASE)
			return;
		bus_write(&h->vm->pio, port, size, fi_u64(in));
		return;
	}
	bool handled = bus_read(&h->vm->pio, port, size, &v);

	if (handled && port >= EXT_BASE && size != 4)
		FUZZ_CHECK(v == (size == 8 ? ~0ull : (1ull << (size * 8)) - 1),
			   "%u-byte read of %llx gave %llx", size, (unsigned long long)port,
			   (unsigned long long)v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct harness h = { 0 };
	struct irq_backend be = { .name = "fuzz", .set_line = on_line };
	uint8_t setup = fi_u8(&in);
	char err[128];

	current = &h;
	h.vm = calloc(1, sizeof(*h.vm));
	FUZZ_CHECK(h.vm, "out of memory");
	bus_init(&h.vm->pio, "pio");
	irq_lines_init(&h.vm->lines);
	be.nr_lines = (setup & 1) ? 16 : 24;
	irq_lines_set_backend(&h.vm->lines, &be);
	h.vm->deliver_msi = (setup & 2) ? NULL : on_msi;
	FUZZ_CHECK(testdev_create(h.vm, &h.vm->pio, LINE_BASE, EXT_BASE, err, sizeof(err)) == 0,
		   "%s", err);

	while (fi_more(&in)) {
		uint8_t op = fi_u8(&in);

		switch (op & 3) {
		case 0:
			line_access(&h, (op >> 2) % IRQVM_TESTDEV_NR_LINES, op & 0x80, fi_u8(&in));
			break;
		case 1:
		case 2:
			ext_access(&h, &in);
			break;
		case 3:
			raw_access(&h, &in);
			break;
		}
	}
	while (h.vm->nr_devices) {
		struct vm_device *d = &h.vm->devices[--h.vm->nr_devices];

		d->destroy(d->opaque);
	}
	irq_lines_destroy(&h.vm->lines);
	free(h.vm);
	return 0;
}
