/* SPDX-License-Identifier: MIT */
#include "devices/exitdev.h"

#include "vmm/core/log.h"

static uint64_t exitdev_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return ~0ull; /* write-only, like QEMU's */
}

static void exitdev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct vm *vm = opaque;
	(void)size;
	if (offset != 0)
		return; /* QEMU acts on any offset; irqvm only on the base (documented) */
	log_debug("exit device: guest wrote %llu", (unsigned long long)value);
	/* Only the low 8 bits survive the process exit status anyway. */
	vm_request_stop(vm, VM_STOP_GUEST_EXIT, (int)(value & 0xff));
}

static const struct bus_ops exitdev_ops = { .read = exitdev_read, .write = exitdev_write };

int exitdev_create(struct vm *vm, struct bus *bus, uint64_t base, char *err, size_t errlen)
{
	return bus_register(bus, "debug-exit", base, 4, &exitdev_ops, vm, err, errlen);
}
