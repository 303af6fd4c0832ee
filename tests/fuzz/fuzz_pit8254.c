/* SPDX-License-Identifier: MIT */
/*
 * The 8254 PIT (devices/pit8254.h) driven as the x86 PIT glue drives it:
 * port reads and writes at host times that mostly go forward (sometimes by
 * a lot, sometimes backwards, which the model must survive), and the
 * questions the glue asks to arm its host timer. Checked after every step:
 *
 *  - the control word register and unknown ports read 0xff; port 0x61
 *    shows the bits written and OUT2 as pit8254_out() says;
 *  - pit8254_next_irq0_edge() is after now, OUT0 is high there and low one
 *    ns before, and exactly one edge lies in (now, edge];
 *  - edge counts add up over adjacent intervals, and OUT0 low at the start
 *    of an interval without rising edges is still low at its end.
 * The timing checks hold while the times given to the model never go
 * backwards. A read or write at an earlier time is "no pulse since the last
 * change" (pit8254.h): the model only has to survive it, so after one the
 * input is run for crashes and undefined behaviour alone.
 */
#include "tests/fuzz/fuzz.h"

#include "devices/pit8254.h"

static const uint16_t ports[] = {
	PIT_PORT_COUNTER0, PIT_PORT_COUNTER1, PIT_PORT_COUNTER2,
	PIT_PORT_CONTROL, PIT_PORT_SYSCTL_B, 0x44,
};

struct harness {
	struct pit8254 pit;
	uint64_t now;
	uint64_t newest; /* the latest time passed to a read or write */
	bool went_back;  /* a read or write was given an earlier time */
	uint8_t sysctl_written;
};

static void check_edges(struct harness *h, uint64_t span)
{
	const struct pit8254 *pit = &h->pit;
	uint64_t now = h->now;
	uint64_t edge = pit8254_next_irq0_edge(pit, now);
	uint64_t mid = now + span / 2, end = now + span;

	if (edge != UINT64_MAX) {
		FUZZ_CHECK(edge > now, "next edge %llu not after now %llu",
			   (unsigned long long)edge, (unsigned long long)now);
		FUZZ_CHECK(pit8254_out(pit, 0, edge), "OUT0 low at its rising edge");
		FUZZ_CHECK(!pit8254_out(pit, 0, edge - 1), "OUT0 already high before its edge");
		FUZZ_CHECK(pit8254_irq0_edges_between(pit, now, edge) == 1, "not one edge up to %llu",
			   (unsigned long long)edge);
		FUZZ_CHECK(pit8254_irq0_edges_between(pit, now, edge - 1) == 0, "an edge before %llu",
			   (unsigned long long)edge);
	}
	if (end < now)
		return; /* the span wrapped around */
	uint64_t a = pit8254_irq0_edges_between(pit, now, mid);
	uint64_t b = pit8254_irq0_edges_between(pit, mid, end);
	uint64_t all = pit8254_irq0_edges_between(pit, now, end);

	FUZZ_CHECK(a + b == all, "edges %llu + %llu != %llu", (unsigned long long)a,
		   (unsigned long long)b, (unsigned long long)all);
	if (!all && !pit8254_out(pit, 0, now))
		FUZZ_CHECK(!pit8254_out(pit, 0, end), "OUT0 rose without an edge");
	if (edge == UINT64_MAX)
		FUZZ_CHECK(all == 0, "%llu edges but no next edge", (unsigned long long)all);
}

static void do_read(struct harness *h, uint16_t port)
{
	uint8_t v = pit8254_read(&h->pit, port, h->now);

	if (port == PIT_PORT_CONTROL || port == 0x44)
		FUZZ_CHECK(v == 0xff, "port %x read %02x", port, v);
	if (port == PIT_PORT_SYSCTL_B) {
		FUZZ_CHECK((v & PIT_SYSB_WRITABLE) == (h->sysctl_written & PIT_SYSB_WRITABLE),
			   "port 61h read %02x after writing %02x", v, h->sysctl_written);
		FUZZ_CHECK(!(v & PIT_SYSB_OUT2) == !pit8254_out(&h->pit, 2, h->now),
			   "port 61h OUT2 bit disagrees with OUT2");
	}
}

static void advance(struct harness *h, struct fuzz_in *in)
{
	uint8_t how = fi_u8(in);

	switch (how & 3) {
	case 0: h->now += how; break;
	case 1: h->now += (uint64_t)fi_u16(in) * 1000; break;
	case 2: h->now += (uint64_t)fi_u32(in) * 1000; break;
	case 3: h->now = (how & 0x80) ? h->now - fi_u16(in) : fi_u64(in); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct harness h = { .now = fi_u32(&in) };

	h.newest = h.now;
	pit8254_init(&h.pit, h.now);
	while (fi_more(&in)) {
		uint8_t op = fi_u8(&in);
		uint16_t port = ports[fi_pick(&in, 6)];

		switch (op % 5) {
		case 0:
		case 1: {
			uint8_t v = fi_u8(&in);

			pit8254_write(&h.pit, port, v, h.now);
			if (port == PIT_PORT_SYSCTL_B)
				h.sysctl_written = v;
			break;
		}
		case 2:
			do_read(&h, port);
			break;
		case 3:
			advance(&h, &in);
			break;
		case 4: {
			/* A counter programmed in one go: control word, then its count. */
			unsigned ch = fi_pick(&in, 3);
			uint8_t mode = fi_u8(&in) & 0x0f;

			pit8254_write(&h.pit, PIT_PORT_CONTROL, (uint8_t)(ch << 6 | 0x30 | mode), h.now);
			pit8254_write(&h.pit, ports[ch], fi_u8(&in), h.now);
			pit8254_write(&h.pit, ports[ch], fi_u8(&in), h.now);
			break;
		}
		}
		if (op % 5 != 3) {
			h.went_back = h.went_back || h.now < h.newest;
			if (h.now > h.newest)
				h.newest = h.now;
		}
		uint64_t span = (uint64_t)fi_u32(&in) * 16;

		if (!h.went_back && h.now >= h.newest)
			check_edges(&h, span);
	}
	return 0;
}
