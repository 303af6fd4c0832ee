/* SPDX-License-Identifier: MIT */
/*
 * A bus maps address ranges to device handlers. irqvm has two per VM: the
 * x86 port-I/O space and the guest-physical MMIO space (RISC-V has only the
 * latter). Ranges are registered before any vCPU runs and are immutable
 * afterwards, so lookups take no lock; each device serialises its own state.
 */
#ifndef IRQVM_BUS_H
#define IRQVM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Handlers get the offset inside the registered range and an access size of
 * 1, 2, 4 or 8 bytes. Reads return the value zero-extended to 64 bits; a
 * device that ignores a size returns all-ones like an undriven ISA bus.
 */
struct bus_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const struct bus_ops *ops;
	void *opaque;
	const char *name;
	uint64_t reads, writes; /* statistics, updated racily (informational) */
};

#define BUS_MAX_RANGES 64

struct bus {
	const char *name; /* "pio" or "mmio", for messages */
	struct bus_range ranges[BUS_MAX_RANGES]; /* sorted by base */
	size_t nr_ranges;
	uint64_t unhandled_reads, unhandled_writes;
};

void bus_init(struct bus *bus, const char *name);

/*
 * Adds [base, base+len). Fails (returns -1 and fills err) on len == 0,
 * wrap-around, overlap with an existing range, or a full table.
 */
int bus_register(struct bus *bus, const char *name, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, char *err, size_t errlen);

/* The range containing addr, or NULL. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);

/*
 * Dispatch an access. Returns true if a device handled it. An access that
 * is not wholly inside one range is not handled (reads then yield all-ones).
 * size must be 1, 2, 4 or 8; anything else is not handled.
 */
bool bus_read(struct bus *bus, uint64_t addr, unsigned size, uint64_t *value);
bool bus_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value);

#endif
