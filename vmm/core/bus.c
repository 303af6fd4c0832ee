/* SPDX-License-Identifier: MIT */
#include "vmm/core/bus.h"

#include <stdio.h>
#include <string.h>

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	/* Both ranges are known not to wrap, so end = base + len - 1 is safe. */
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

int bus_register(struct bus *bus, const char *name, uint64_t base, uint64_t len,
		 const struct bus_ops *ops, void *opaque, char *err, size_t errlen)
{
	if (len == 0) {
		snprintf(err, errlen, "%s bus: device %s has an empty range", bus->name, name);
		return -1;
	}
	if (base + (len - 1) < base) {
		snprintf(err, errlen, "%s bus: device %s range 0x%llx+0x%llx wraps around",
			 bus->name, name, (unsigned long long)base, (unsigned long long)len);
		return -1;
	}
	if (!ops || !ops->read || !ops->write) {
		snprintf(err, errlen, "%s bus: device %s has no handlers", bus->name, name);
		return -1;
	}
	if (bus->nr_ranges == BUS_MAX_RANGES) {
		snprintf(err, errlen, "%s bus: too many devices (max %d)", bus->name, BUS_MAX_RANGES);
		return -1;
	}
	size_t pos = 0;
	for (size_t i = 0; i < bus->nr_ranges; i++) {
		const struct bus_range *r = &bus->ranges[i];
		if (ranges_overlap(base, len, r->base, r->len)) {
			snprintf(err, errlen,
				 "%s bus: device %s at 0x%llx-0x%llx overlaps %s at 0x%llx-0x%llx",
				 bus->name, name, (unsigned long long)base,
				 (unsigned long long)(base + len - 1), r->name,
				 (unsigned long long)r->base,
				 (unsigned long long)(r->base + r->len - 1));
			return -1;
		}
		if (r->base < base)
			pos = i + 1;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos],
		(bus->nr_ranges - pos) * sizeof(bus->ranges[0]));
	bus->ranges[pos] = (struct bus_range){
		.base = base, .len = len, .ops = ops, .opaque = opaque, .name = name,
	};
	bus->nr_ranges++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nr_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static struct bus_range *find_whole(struct bus *bus, uint64_t addr, unsigned size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return NULL;
	struct bus_range *r = (struct bus_range *)bus_find(bus, addr);
	if (!r || addr - r->base > r->len - size || r->len < size)
		return NULL;
	return r;
}

bool bus_read(struct bus *bus, uint64_t addr, unsigned size, uint64_t *value)
{
	struct bus_range *r = find_whole(bus, addr, size);
	if (!r) {
		__atomic_fetch_add(&bus->unhandled_reads, 1, __ATOMIC_RELAXED);
		*value = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
		return false;
	}
	__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELAXED);
	uint64_t v = r->ops->read(r->opaque, addr - r->base, size);
	*value = size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
	return true;
}

bool bus_write(struct bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
	struct bus_range *r = find_whole(bus, addr, size);
	if (!r) {
		__atomic_fetch_add(&bus->unhandled_writes, 1, __ATOMIC_RELAXED);
		return false;
	}
	__atomic_fetch_add(&r->writes, 1, __ATOMIC_RELAXED);
	if (size < 8)
		value &= (1ull << (size * 8)) - 1;
	r->ops->write(r->opaque, addr - r->base, value, size);
	return true;
}
