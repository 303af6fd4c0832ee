/* SPDX-License-Identifier: MIT */
#include "devices/serial.h"

#include <pthread.h>
#include <stdlib.h>

#include "devices/uart16550.h"

struct serial {
	pthread_mutex_t lock;
	struct uart16550 uart;
	struct vm *vm;
	unsigned irq_line;
};

static void serial_tx(void *opaque, uint8_t byte)
{
	struct serial *s = opaque;
	FILE *out = s->vm->console;
	if (!out)
		return;
	fputc(byte, out);
	if (byte == '\n')
		fflush(out);
}

static void serial_irq(void *opaque, bool level)
{
	struct serial *s = opaque;
	/* Lock order: device lock -> irq_lines lock (vmm/arch/x86/x86.h). */
	irq_line_set(&s->vm->lines, s->irq_line, level);
}

static uint64_t serial_read(void *opaque, uint64_t offset, unsigned size)
{
	struct serial *s = opaque;
	if (size != 1)
		return ~0ull; /* the 16550 has byte-wide registers only */
	pthread_mutex_lock(&s->lock);
	uint8_t v = uart16550_read(&s->uart, (unsigned)offset);
	pthread_mutex_unlock(&s->lock);
	return v;
}

static void serial_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct serial *s = opaque;
	if (size != 1)
		return;
	pthread_mutex_lock(&s->lock);
	uart16550_write(&s->uart, (unsigned)offset, (uint8_t)value);
	pthread_mutex_unlock(&s->lock);
}

static const struct bus_ops serial_ops = { .read = serial_read, .write = serial_write };

static void serial_destroy(void *opaque)
{
	struct serial *s = opaque;
	if (s->vm->console)
		fflush(s->vm->console);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int serial_create(struct vm *vm, struct bus *bus, uint64_t base, unsigned irq_line,
		  char *err, size_t errlen)
{
	struct serial *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->vm = vm;
	s->irq_line = irq_line;
	uart16550_init(&s->uart, serial_tx, serial_irq, s);
	if (vm_add_device(vm, "serial", s, serial_destroy) < 0) {
		serial_destroy(s);
		snprintf(err, errlen, "too many devices");
		return -1;
	}
	return bus_register(bus, "serial", base, 8, &serial_ops, s, err, errlen);
}
