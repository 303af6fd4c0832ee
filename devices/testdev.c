/* SPDX-License-Identifier: MIT */
#include "devices/testdev.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

/* One storm at a time, run by its own thread with an absolute-time clock. */
struct testdev_storm {
	uint32_t kind, arg, count, period_ns; /* as the guest last wrote them */
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	atomic_bool running;
	atomic_uint sent;
	/* What the running storm sends, latched at start. */
	uint32_t run_kind, run_arg, run_count, run_period_ns;
	uint64_t msi_addr;
	uint32_t msi_data;
};

struct testdev {
	struct vm *vm;
	/* Serialises storm start and stop, the join included (any vCPU may
	 * write STORM_CTRL, and the VM's stop ends the storm from the main
	 * thread). Held across pthread_join, which is safe because the storm
	 * thread never takes it. Lock order: ctl_lock -> lock. */
	pthread_mutex_t ctl_lock;
	bool vm_stopped; /* under ctl_lock: the VM stopped, no storm starts again */
	pthread_mutex_t lock;
	uint32_t msi_addr_lo, msi_addr_hi, msi_data;
	uint32_t msi_fired;
	uint32_t status;
	struct testdev_storm storm;
};

/* One storm event: a pulse on the storm's line or the latched MSI. */
static int signal_event(struct testdev *t)
{
	const struct testdev_storm *st = &t->storm;
	if (st->run_kind == IRQVM_TESTDEV_STORM_MSI)
		return t->vm->deliver_msi ? t->vm->deliver_msi(t->vm, st->msi_addr, st->msi_data) : -1;
	return irq_line_pulse(&t->vm->lines, st->run_arg);
}

static void *storm_thread(void *opaque)
{
	struct testdev *t = opaque;
	struct testdev_storm *st = &t->storm;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (uint32_t i = 0; i < st->run_count && !atomic_load(&st->stop); i++) {
		/* Like a device that writes its status before it interrupts: the
		 * event is counted before it is signalled, so a guest handler
		 * reading SENT (its vCPU may run before this thread does again)
		 * always finds the event that interrupted it. Taken back if it
		 * could not be signalled. */
		atomic_fetch_add(&st->sent, 1);
		if (signal_event(t) < 0) {
			atomic_fetch_sub(&st->sent, 1);
			break;
		}
		if (st->run_period_ns) {
			next.tv_nsec += st->run_period_ns;
			while (next.tv_nsec >= 1000000000L) {
				next.tv_nsec -= 1000000000L;
				next.tv_sec++;
			}
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
				;
		}
	}
	atomic_store(&st->running, false);
	return NULL;
}

/* Under ctl_lock, without t->lock (joining must not hold it: a storm
 * event's handler may read the registers). */
static void storm_stop_locked(struct testdev *t)
{
	struct testdev_storm *st = &t->storm;
	if (!st->thread_started)
		return;
	atomic_store(&st->stop, true);
	pthread_join(st->thread, NULL);
	st->thread_started = false;
}

static void storm_stop(struct testdev *t)
{
	pthread_mutex_lock(&t->ctl_lock);
	storm_stop_locked(t);
	pthread_mutex_unlock(&t->ctl_lock);
}

/* Under ctl_lock. */
static uint32_t storm_start_locked(struct testdev *t)
{
	struct testdev_storm *st = &t->storm;
	storm_stop_locked(t);
	if (t->vm_stopped)
		return IRQVM_TESTDEV_ERR_NONE; /* the guest is not running any more */
	pthread_mutex_lock(&t->lock);
	st->run_kind = st->kind;
	st->run_arg = st->arg;
	st->run_count = st->count;
	st->run_period_ns = st->period_ns;
	st->msi_addr = (uint64_t)t->msi_addr_hi << 32 | t->msi_addr_lo;
	st->msi_data = t->msi_data;
	pthread_mutex_unlock(&t->lock);
	if (st->run_kind > IRQVM_TESTDEV_STORM_MSI)
		return IRQVM_TESTDEV_ERR_BAD_MSI;
	if (st->run_kind == IRQVM_TESTDEV_STORM_PULSE && st->run_arg >= irq_lines_count(&t->vm->lines))
		return IRQVM_TESTDEV_ERR_BAD_LINE;
	if (st->run_kind == IRQVM_TESTDEV_STORM_MSI && !t->vm->deliver_msi)
		return IRQVM_TESTDEV_ERR_NO_MSI;
	atomic_store(&st->sent, 0);
	atomic_store(&st->stop, false);
	atomic_store(&st->running, true);
	if (pthread_create(&st->thread, NULL, storm_thread, t) != 0) {
		atomic_store(&st->running, false);
		return IRQVM_TESTDEV_ERR_BAD_MSI;
	}
	pthread_setname_np(st->thread, "testdev-storm"); /* named in crash reports, top, gdb */
	st->thread_started = true;
	return IRQVM_TESTDEV_ERR_NONE;
}

static uint32_t storm_start(struct testdev *t)
{
	pthread_mutex_lock(&t->ctl_lock);
	uint32_t status = storm_start_locked(t);
	pthread_mutex_unlock(&t->ctl_lock);
	return status;
}

/* The VM's stop (vm_stop_devices): end the storm for good. */
static void testdev_stop(void *opaque)
{
	struct testdev *t = opaque;
	pthread_mutex_lock(&t->ctl_lock);
	t->vm_stopped = true;
	storm_stop_locked(t);
	pthread_mutex_unlock(&t->ctl_lock);
}

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
	case IRQVM_TESTDEV_STORM_KIND: v = t->storm.kind; break;
	case IRQVM_TESTDEV_STORM_ARG: v = t->storm.arg; break;
	case IRQVM_TESTDEV_STORM_COUNT: v = t->storm.count; break;
	case IRQVM_TESTDEV_STORM_PERIOD: v = t->storm.period_ns; break;
	case IRQVM_TESTDEV_STORM_CTRL: v = atomic_load(&t->storm.running); break;
	case IRQVM_TESTDEV_STORM_SENT: v = atomic_load(&t->storm.sent); break;
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
	if (offset == IRQVM_TESTDEV_STORM_CTRL) {
		uint32_t status = IRQVM_TESTDEV_ERR_NONE;
		if (v)
			status = storm_start(t);
		else
			storm_stop(t);
		pthread_mutex_lock(&t->lock);
		t->status = status;
		pthread_mutex_unlock(&t->lock);
		return;
	}
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
	case IRQVM_TESTDEV_STORM_KIND: t->storm.kind = v; break;
	case IRQVM_TESTDEV_STORM_ARG: t->storm.arg = v; break;
	case IRQVM_TESTDEV_STORM_COUNT: t->storm.count = v; break;
	case IRQVM_TESTDEV_STORM_PERIOD: t->storm.period_ns = v; break;
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
	storm_stop(t);
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->ctl_lock);
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
	pthread_mutex_init(&t->ctl_lock, NULL);
	pthread_mutex_init(&t->lock, NULL);
	if (vm_add_threaded_device(vm, "testdev", t, testdev_stop, testdev_destroy) < 0) {
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
