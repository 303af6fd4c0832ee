/* SPDX-License-Identifier: MIT */
#include "devices/testdev.h"

#include <pthread.h>
#include <stdlib.h>

struct testdev {
	struct vm *vm;
	pthread_mutex_t lock;
	uint32_t msi_addr_lo, msi_addr_hi, msi_data;
	uint32_t msi_fired;
	uint32_t status;
};

static uint64_t lines_read(void *opaque, uint64_t offset, unsigned size)
{
	struct testdev *t = opaque;
	(void)size;
	return irq_line_level(&t->vm->lines, (unsigned)offset) ? 1 : 0;
}

static void lines_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev *t = opaque;
	(void)size;
	int r = irq_line_set(&t->vm->lines, (unsigned)offset, value != 0);
	pthread_mutex_lock(&t->lock);
	t->status = r < 0 ? IRQVM_TESTDEV_ERR_BAD_LINE : IRQVM_TESTDEV_ERR_NONE;
	pthread_mutex_unlock(&t->lock);
}

static uint64_t ext_read(void *opaque, uint64_t offset, unsigned size)
{
	struct testdev *t = opaque;
	uint64_t v = ~0ull;
	if (size != 4)
		return v;
	pthread_mutex_lock(&t->lock);
	switch (offset) {
	case IRQVM_TESTDEV_MSI_ADDR_LO: v = t->msi_addr_lo; break;
	case IRQVM_TESTDEV_MSI_ADDR_HI: v = t->msi_addr_hi; break;
	case IRQVM_TESTDEV_MSI_DATA: v = t->msi_data; break;
	case IRQVM_TESTDEV_MSI_FIRE: v = t->msi_fired; break;
	case IRQVM_TESTDEV_STATUS: v = t->status; break;
	default: break;
	}
	pthread_mutex_unlock(&t->lock);
	return v;
}

static void ext_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct testdev *t = opaque;
	if (size != 4)
		return;
	uint32_t v = (uint32_t)value;
	if (offset == IRQVM_TESTDEV_PULSE) {
		int r = irq_line_pulse(&t->vm->lines, v);
		pthread_mutex_lock(&t->lock);
		t->status = r < 0 ? IRQVM_TESTDEV_ERR_BAD_LINE : IRQVM_TESTDEV_ERR_NONE;
		pthread_mutex_unlock(&t->lock);
		return;
	}
	pthread_mutex_lock(&t->lock);
	switch (offset) {
	case IRQVM_TESTDEV_MSI_ADDR_LO: t->msi_addr_lo = v; break;
	case IRQVM_TESTDEV_MSI_ADDR_HI: t->msi_addr_hi = v; break;
	case IRQVM_TESTDEV_MSI_DATA: t->msi_data = v; break;
	case IRQVM_TESTDEV_MSI_FIRE: {
		uint64_t addr = (uint64_t)t->msi_addr_hi << 32 | t->msi_addr_lo;
		uint32_t data = t->msi_data;
		pthread_mutex_unlock(&t->lock);
		int r = t->vm->deliver_msi ? t->vm->deliver_msi(t->vm, addr, data) : -2;
		pthread_mutex_lock(&t->lock);
		if (r == 0) {
			t->msi_fired++;
			t->status = IRQVM_TESTDEV_ERR_NONE;
		} else {
			t->status = r == -2 ? IRQVM_TESTDEV_ERR_NO_MSI : IRQVM_TESTDEV_ERR_BAD_MSI;
		}
		break;
	}
	default: break;
	}
	pthread_mutex_unlock(&t->lock);
}

static const struct bus_ops lines_ops = { .read = lines_read, .write = lines_write };
static const struct bus_ops ext_ops = { .read = ext_read, .write = ext_write };

static void testdev_destroy(void *opaque)
{
	struct testdev *t = opaque;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int testdev_create(struct vm *vm, struct bus *bus, uint64_t line_base, uint64_t ext_base,
		   char *err, size_t errlen)
{
	struct testdev *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->vm = vm;
	pthread_mutex_init(&t->lock, NULL);
	if (vm_add_device(vm, "testdev", t, testdev_destroy) < 0) {
		testdev_destroy(t);
		snprintf(err, errlen, "too many devices");
		return -1;
	}
	if (bus_register(bus, "testdev-lines", line_base, IRQVM_TESTDEV_NR_LINES, &lines_ops, t,
			 err, errlen) < 0)
		return -1;
	return bus_register(bus, "testdev-ext", ext_base, IRQVM_TESTDEV_EXT_SIZE, &ext_ops, t,
			    err, errlen);
}
