/* SPDX-License-Identifier: MIT */
#include "devices/sifive_test.h"

#include "vmm/core/log.h"

#define SIFIVE_TEST_SIZE 0x1000u
#define SIFIVE_TEST_FAIL_CODE 0x3333u
#define SIFIVE_TEST_PASS_CODE 0x5555u
#define SIFIVE_TEST_RESET_CODE 0x7777u

struct sifive_test_cmd sifive_test_decode(uint64_t offset, uint64_t value, unsigned size)
{
	struct sifive_test_cmd cmd = { SIFIVE_TEST_IGNORE, 0 };
	if (offset != 0 || (size != 2 && size != 4 && size != 8))
		return cmd;
	uint32_t v = size == 2 ? (uint16_t)value : (uint32_t)value;
	switch (v & 0xffffu) {
	case SIFIVE_TEST_PASS_CODE:
		cmd.action = SIFIVE_TEST_PASS;
		break;
	case SIFIVE_TEST_FAIL_CODE:
		cmd.action = SIFIVE_TEST_FAIL;
		cmd.status = (int)((v >> 16) & 0xffu);
		if (cmd.status == 0)
			cmd.status = 1; /* deviation: a failure never exits 0 (header) */
		break;
	case SIFIVE_TEST_RESET_CODE:
		cmd.action = SIFIVE_TEST_RESET;
		break;
	default:
		break;
	}
	return cmd;
}

static uint64_t sifive_test_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0; /* QEMU's reads as zero */
}

static void sifive_test_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct vm *vm = opaque;
	struct sifive_test_cmd cmd = sifive_test_decode(offset, value, size);
	switch (cmd.action) {
	case SIFIVE_TEST_PASS:
	case SIFIVE_TEST_FAIL:
		log_debug("sifive_test: guest wrote 0x%llx: exit status %d",
			  (unsigned long long)value, cmd.status);
		vm_request_stop(vm, VM_STOP_GUEST_EXIT, cmd.status);
		break;
	case SIFIVE_TEST_RESET:
		log_info("sifive_test: guest requested reset; irqvm does not reboot guests");
		vm_request_stop(vm, VM_STOP_GUEST_RESET, 0);
		break;
	case SIFIVE_TEST_IGNORE:
		log_debug("sifive_test: ignored write of 0x%llx (size %u) at +0x%llx",
			  (unsigned long long)value, size, (unsigned long long)offset);
		break;
	}
}

static const struct bus_ops sifive_test_ops = {
	.read = sifive_test_read,
	.write = sifive_test_write,
};

int sifive_test_create(struct vm *vm, struct bus *bus, uint64_t base, char *err, size_t errlen)
{
	return bus_register(bus, "sifive-test", base, SIFIVE_TEST_SIZE, &sifive_test_ops, vm,
			    err, errlen);
}
