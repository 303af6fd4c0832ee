/* SPDX-License-Identifier: MIT */
/*
 * The platform device (devices/platform.h) on a port bus as the x86 VM
 * registers it, with a VM of 1-8 vCPUs that are not running and a small
 * guest RAM the input also writes, so the guest statistics page it
 * registers is as hostile as a guest can make it. After registering, the
 * harness reads the page the way the control socket does (poll, stats and
 * query JSON): AddressSanitizer sees any read outside the registered block
 * (the RAM is one exact-size allocation). Checked after each access:
 *
 *  - ID reads its constant; accesses that are not 4 bytes are ignored and
 *    read all-ones; ARG_LO/ARG_HI read back;
 *  - PUSH_ARG succeeds for at most 8 arguments;
 *  - CPU_START succeeds exactly with 4 arguments naming an AP of this VM,
 *    and then hands that vCPU the start request with those arguments;
 *  - HOST_NS never goes backwards;
 *  - a successful GSTATS_REGISTER leaves the page registered (size 0
 *    unregisters it).
 */
#include "tests/fuzz/fuzz.h"

#include "devices/platform.h"
#include "irqvm/guest_stats.h"
#include "vmm/core/stats.h"

#define BASE IRQVM_PORT_PLATFORM
#define RAM_GPA 0x100000ull
#define RAM_SIZE (64u * 1024u)

struct harness {
	struct vm *vm;
	uint8_t *ram;
	uint32_t arg_lo, arg_hi;
	uint64_t args[16];
	unsigned nr_args;
	uint64_t last_ns;
};

static uint64_t reg_read(struct harness *h, unsigned reg)
{
	uint64_t v = 0;

	FUZZ_CHECK(bus_read(&h->vm->pio, BASE + reg, 4, &v), "register %x unhandled", reg);
	return v;
}

static uint32_t command(struct harness *h, uint32_t cmd)
{
	FUZZ_CHECK(bus_write(&h->vm->pio, BASE + IRQVM_PLAT_CMD, 4, cmd), "CMD unhandled");
	return (uint32_t)reg_read(h, IRQVM_PLAT_CMD);
}

static void set_arg(struct harness *h, uint64_t v)
{
	h->arg_lo = (uint32_t)v;
	h->arg_hi = (uint32_t)(v >> 32);
	bus_write(&h->vm->pio, BASE + IRQVM_PLAT_ARG_LO, 4, h->arg_lo);
	bus_write(&h->vm->pio, BASE + IRQVM_PLAT_ARG_HI, 4, h->arg_hi);
	FUZZ_CHECK(reg_read(h, IRQVM_PLAT_ARG_LO) == h->arg_lo &&
		   reg_read(h, IRQVM_PLAT_ARG_HI) == h->arg_hi, "ARG does not read back");
}

static void push_arg(struct harness *h)
{
	uint32_t st = command(h, IRQVM_PLAT_CMD_PUSH_ARG);

	FUZZ_CHECK(st == (h->nr_args < IRQVM_PLAT_MAX_ARGS ? IRQVM_PLAT_STATUS_OK
							     : IRQVM_PLAT_STATUS_EINVAL),
		   "PUSH_ARG with %u args: status %u", h->nr_args, st);
	if (st == IRQVM_PLAT_STATUS_OK)
		h->args[h->nr_args++] = (uint64_t)h->arg_hi << 32 | h->arg_lo;
}

static void cpu_start(struct harness *h)
{
	bool valid = h->nr_args == 4 && h->args[0] != 0 && h->args[0] < h->vm->nr_vcpus;
	uint32_t st = command(h, IRQVM_PLAT_CMD_CPU_START);

	FUZZ_CHECK((st == IRQVM_PLAT_STATUS_OK) == valid, "CPU_START(%u args, cpu %llu): %u",
		   h->nr_args, (unsigned long long)h->args[0], st);
	if (valid) {
		struct vcpu *v = &h->vm->vcpus[h->args[0]];

		FUZZ_CHECK(v->start.pc == h->args[1] && v->start.sp == h->args[2] &&
			   v->start.arg == h->args[3], "vCPU got other start arguments");
		FUZZ_CHECK(atomic_load(&v->requests) & VCPU_REQ_START, "no start request");
	}
	h->nr_args = 0;
}

static void host_ns(struct harness *h)
{
	FUZZ_CHECK(command(h, IRQVM_PLAT_CMD_HOST_NS) == IRQVM_PLAT_STATUS_OK, "HOST_NS failed");
	uint64_t ns = reg_read(h, IRQVM_PLAT_RESULT_LO) | reg_read(h, IRQVM_PLAT_RESULT_HI) << 32;

	FUZZ_CHECK(ns >= h->last_ns, "HOST_NS went backwards");
	h->last_ns = ns;
}

/* Reads the page as the control socket's stats and query commands do. */
static void read_page(struct harness *h)
{
	json_t *j;

	stats_guest_poll(h->vm->stats);
	j = stats_guest_to_json(h->vm->stats);
	FUZZ_CHECK(j, "stats_guest_to_json failed");
	json_decref(j);
	j = stats_to_json(h->vm->stats);
	FUZZ_CHECK(j, "stats_to_json failed");
	json_decref(j);
	for (unsigned c = 0; c < h->vm->nr_vcpus; c++)
		stats_guest_handled(h->vm->stats, (int)c, 0x40);
}

static void gstats_register(struct harness *h)
{
	bool unregister = h->nr_args == 2 && h->args[1] == 0;
	uint32_t st = command(h, IRQVM_PLAT_CMD_GSTATS_REGISTER);

	if (st == IRQVM_PLAT_STATUS_OK) {
		FUZZ_CHECK(stats_guest_registered(h->vm->stats) == !unregister,
			   "registration state after GSTATS_REGISTER");
		read_page(h);
	}
	h->nr_args = 0;
}

/* A header the VMM accepts, with fuzzed CPU count and ring size, at gpa off. */
static void write_header(struct harness *h, struct fuzz_in *in, uint32_t off)
{
	struct irqvm_gstats_header hdr = {
		.magic = IRQVM_GSTATS_MAGIC,
		.version = IRQVM_GSTATS_VERSION,
		.header_size = 128,
		.nr_cpus = 1 + fi_pick(in, 4),
		.ring_entries = 1u << fi_pick(in, 4),
		.flags = fi_u8(in) & 7,
		.tsc_khz = fi_u32(in),
	};

	hdr.cpu_stride = (uint32_t)((IRQVM_GSTATS_CPU_BYTES(hdr.ring_entries) + 63) & ~63ull);
	if (off + sizeof(hdr) <= RAM_SIZE)
		memcpy(h->ram + off, &hdr, sizeof(hdr));
}

static void step(struct harness *h, struct fuzz_in *in)
{
	uint8_t op = fi_u8(in);

	switch (op % 9) {
	case 0:
		set_arg(h, fi_u64(in));
		break;
	case 1:
		/* A guest-physical address in (or just past) RAM, 64-byte aligned mostly. */
		set_arg(h, RAM_GPA + (fi_u16(in) & ((op & 0x80) ? 0xffff : 0xffc0)));
		break;
	case 2:
		push_arg(h);
		break;
	case 3:
		switch (fi_pick(in, 4)) {
		case 0: cpu_start(h); break;
		case 1: host_ns(h); break;
		case 2: gstats_register(h); break;
		default:
			FUZZ_CHECK(command(h, IRQVM_PLAT_CMD_RESET_ARGS) == IRQVM_PLAT_STATUS_OK,
				   "RESET_ARGS failed");
			h->nr_args = 0;
			break;
		}
		break;
	case 4: {
		uint32_t cmd = fi_u32(in);

		if (cmd > IRQVM_PLAT_CMD_GSTATS_REGISTER)
			FUZZ_CHECK(command(h, cmd) == IRQVM_PLAT_STATUS_EINVAL, "command %u", cmd);
		break;
	}
	case 5: {
		/* The guest changes its page under the VMM's feet. */
		uint32_t off = (fi_u16(in) % (RAM_SIZE / 8)) * 8;
		uint64_t v = fi_u64(in);

		memcpy(h->ram + off, &v, sizeof(v));
		if (stats_guest_registered(h->vm->stats))
			read_page(h);
		break;
	}
	case 6:
		write_header(h, in, (fi_u16(in) % (RAM_SIZE / 64)) * 64);
		break;
	case 7: {
		static const unsigned sizes[] = { 1, 2, 8, 3 };
		unsigned size = sizes[fi_pick(in, 4)];
		unsigned reg = fi_pick(in, IRQVM_PLATFORM_SIZE);
		uint64_t v = 0;

		if (bus_read(&h->vm->pio, BASE + reg, size, &v))
			FUZZ_CHECK(v == (size == 8 ? ~0ull : (1ull << (size * 8)) - 1),
				   "%u-byte read gave %llx", size, (unsigned long long)v);
		bus_write(&h->vm->pio, BASE + reg, size, fi_u64(in));
		break;
	}
	case 8:
		FUZZ_CHECK(reg_read(h, IRQVM_PLAT_ID) == IRQVM_PLAT_ID_VALUE, "ID register");
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct harness h = { 0 };
	char err[128];

	h.vm = calloc(1, sizeof(*h.vm));
	h.ram = calloc(1, RAM_SIZE);
	FUZZ_CHECK(h.vm && h.ram, "out of memory");
	bus_init(&h.vm->pio, "pio");
	h.vm->nr_vcpus = 1 + fi_pick(&in, IRQVM_MAX_VCPUS);
	for (unsigned i = 0; i < h.vm->nr_vcpus; i++) {
		h.vm->vcpus[i].vm = h.vm;
		h.vm->vcpus[i].index = i;
		pthread_mutex_init(&h.vm->vcpus[i].lock, NULL);
	}
	h.vm->ram[0] = (struct guest_ram_region){ .gpa = RAM_GPA, .size = RAM_SIZE, .host = h.ram };
	h.vm->nr_ram = 1;
	h.vm->stats = stats_create(h.vm);
	FUZZ_CHECK(h.vm->stats, "out of memory");
	FUZZ_CHECK(platform_create(h.vm, &h.vm->pio, BASE, err, sizeof(err)) == 0, "%s", err);

	while (fi_more(&in))
		step(&h, &in);

	while (h.vm->nr_devices) {
		struct vm_device *d = &h.vm->devices[--h.vm->nr_devices];

		d->destroy(d->opaque);
	}
	stats_destroy(h.vm->stats);
	for (unsigned i = 0; i < h.vm->nr_vcpus; i++)
		pthread_mutex_destroy(&h.vm->vcpus[i].lock);
	free(h.ram);
	free(h.vm);
	return 0;
}
