/* SPDX-License-Identifier: MIT */
/*
 * The test device's storm generator, through its registers (devices/testdev.h):
 * every event is counted in SENT before it is signalled, so a handler that
 * reads SENT when its interrupt arrives finds that event; an event that could
 * not be signalled is not counted. Storm control written by several vCPUs at
 * once starts and joins one thread at a time.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "devices/testdev.h"
#include "irqvm/abi.h"

#define LINE_BASE 0x100u
#define EXT_BASE 0x200u
#define STORM_LINE 5u
#define EVENTS 200u

static struct vm *vm;
/* SENT as the "guest" read it when each event's interrupt arrived. */
static uint64_t sent_at_signal[EVENTS + 1];
static unsigned signals;
static unsigned msi_fail_at; /* 1-based event whose MSI is refused; 0: none */

static uint64_t reg_read(unsigned reg)
{
	uint64_t v = 0;
	cr_assert(bus_read(&vm->pio, EXT_BASE + reg, 4, &v));
	return v;
}

static void reg_write(unsigned reg, uint32_t v)
{
	cr_assert(bus_write(&vm->pio, EXT_BASE + reg, 4, v));
}

static void record_signal(void)
{
	if (signals < EVENTS + 1)
		sent_at_signal[signals] = reg_read(IRQVM_TESTDEV_STORM_SENT);
	signals++;
}

static void line_changed(void *opaque, unsigned line, bool level)
{
	(void)opaque;
	if (line == STORM_LINE && level)
		record_signal();
}

static int deliver_msi(struct vm *v, uint64_t address, uint32_t data)
{
	(void)v, (void)address, (void)data;
	if (msi_fail_at && signals + 1 == msi_fail_at)
		return -1;
	record_signal();
	return 0;
}

static void setup(void)
{
	char err[128];
	vm = calloc(1, sizeof(*vm));
	cr_assert_not_null(vm);
	bus_init(&vm->pio, "pio");
	irq_lines_init(&vm->lines);
	struct irq_backend be = { .name = "fake", .nr_lines = 24, .set_line = line_changed };
	irq_lines_set_backend(&vm->lines, &be);
	vm->deliver_msi = deliver_msi;
	signals = 0;
	msi_fail_at = 0;
	cr_assert_eq(testdev_create(vm, &vm->pio, LINE_BASE, EXT_BASE, err, sizeof(err)), 0, "%s",
		     err);
}

static void teardown(void)
{
	while (vm->nr_devices) {
		struct vm_device *d = &vm->devices[--vm->nr_devices];
		d->destroy(d->opaque);
	}
	irq_lines_destroy(&vm->lines);
	free(vm);
}

TestSuite(testdev, .init = setup, .fini = teardown, .timeout = 30);

/* Starts a storm of `count` events back to back and waits for its end. */
static void run_storm(uint32_t kind, uint32_t count)
{
	reg_write(IRQVM_TESTDEV_STORM_KIND, kind);
	reg_write(IRQVM_TESTDEV_STORM_ARG, STORM_LINE);
	reg_write(IRQVM_TESTDEV_STORM_COUNT, count);
	reg_write(IRQVM_TESTDEV_STORM_PERIOD, 0);
	reg_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STATUS), IRQVM_TESTDEV_ERR_NONE);
	while (reg_read(IRQVM_TESTDEV_STORM_CTRL))
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}

static void assert_counted_before_signalled(uint32_t kind)
{
	run_storm(kind, EVENTS);
	cr_assert_eq(signals, EVENTS);
	for (unsigned i = 0; i < EVENTS; i++)
		cr_assert_eq(sent_at_signal[i], i + 1, "event %u was signalled with SENT %lu", i + 1,
			     (unsigned long)sent_at_signal[i]);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STORM_SENT), EVENTS);
}

Test(testdev, a_line_storm_counts_each_pulse_before_raising_the_line)
{
	assert_counted_before_signalled(IRQVM_TESTDEV_STORM_PULSE);
}

Test(testdev, an_msi_storm_counts_each_message_before_sending_it)
{
	assert_counted_before_signalled(IRQVM_TESTDEV_STORM_MSI);
}

Test(testdev, a_refused_msi_ends_the_storm_and_is_not_counted)
{
	msi_fail_at = 4;
	run_storm(IRQVM_TESTDEV_STORM_MSI, EVENTS);
	cr_assert_eq(signals, 3);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STORM_SENT), 3);
}

Test(testdev, a_storm_on_a_line_that_does_not_exist_is_refused)
{
	reg_write(IRQVM_TESTDEV_STORM_KIND, IRQVM_TESTDEV_STORM_PULSE);
	reg_write(IRQVM_TESTDEV_STORM_ARG, 24);
	reg_write(IRQVM_TESTDEV_STORM_COUNT, 1);
	reg_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STATUS), IRQVM_TESTDEV_ERR_BAD_LINE);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STORM_CTRL), 0);
	cr_assert_eq(signals, 0);
}

/* Like vCPUs of one guest writing STORM_CTRL at the same time. */
#define CTRL_THREADS 4
#define CTRL_ROUNDS 300
#define QUIET_LINE 6u /* not recorded by line_changed: the storms only need to run */

static void *start_stop_storms(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < CTRL_ROUNDS; i++) {
		bus_write(&vm->pio, EXT_BASE + IRQVM_TESTDEV_STORM_CTRL, 4, 1);
		bus_write(&vm->pio, EXT_BASE + IRQVM_TESTDEV_STORM_CTRL, 4, 0);
	}
	return NULL;
}

/* Unserialised, two writers joined one thread twice (a crash or a hang) or
 * started two and lost one, which then kept pulsing after the last stop. */
Test(testdev, concurrent_storm_starts_and_stops_join_each_thread_once, .timeout = 5)
{
	pthread_t th[CTRL_THREADS];
	reg_write(IRQVM_TESTDEV_STORM_KIND, IRQVM_TESTDEV_STORM_PULSE);
	reg_write(IRQVM_TESTDEV_STORM_ARG, QUIET_LINE);
	reg_write(IRQVM_TESTDEV_STORM_COUNT, UINT32_MAX);
	reg_write(IRQVM_TESTDEV_STORM_PERIOD, 50000);
	for (unsigned i = 0; i < CTRL_THREADS; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, start_stop_storms, NULL), 0);
	for (unsigned i = 0; i < CTRL_THREADS; i++)
		pthread_join(th[i], NULL);
	reg_write(IRQVM_TESTDEV_STORM_CTRL, 0);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STORM_CTRL), 0, "a storm still runs after the stop");
	uint64_t sent = reg_read(IRQVM_TESTDEV_STORM_SENT);
	nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STORM_SENT), sent, "a lost storm thread still pulses");
}

/* The VM's stop ends a running storm: nothing is signalled after
 * vm_stop_devices returns, though the storm had far more events to send.
 * Before, the storm ran on while the VM was torn down and raised a line on
 * interrupt controllers already freed (irqvm crashed after a triple fault
 * in the middle of a guest's storm). */
Test(testdev, stopping_the_vm_devices_ends_a_running_storm)
{
	reg_write(IRQVM_TESTDEV_STORM_KIND, IRQVM_TESTDEV_STORM_PULSE);
	reg_write(IRQVM_TESTDEV_STORM_ARG, STORM_LINE);
	reg_write(IRQVM_TESTDEV_STORM_COUNT, 1000000);
	reg_write(IRQVM_TESTDEV_STORM_PERIOD, 100000); /* 10k/s: 100 s in all */
	reg_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	cr_assert_eq(reg_read(IRQVM_TESTDEV_STATUS), IRQVM_TESTDEV_ERR_NONE);
	while (__atomic_load_n(&signals, __ATOMIC_RELAXED) < 3)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	vm_stop_devices(vm);
	unsigned at_stop = __atomic_load_n(&signals, __ATOMIC_RELAXED);
	nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	cr_expect_eq(__atomic_load_n(&signals, __ATOMIC_RELAXED), at_stop,
		     "%u events signalled after the stop", signals - at_stop);
	cr_expect_eq(reg_read(IRQVM_TESTDEV_STORM_CTRL), 0, "the storm still runs");
}

/* A vCPU still running after the VM's stop cannot start another storm. */
Test(testdev, no_storm_starts_after_the_vm_devices_stopped)
{
	vm_stop_devices(vm);
	reg_write(IRQVM_TESTDEV_STORM_KIND, IRQVM_TESTDEV_STORM_PULSE);
	reg_write(IRQVM_TESTDEV_STORM_ARG, STORM_LINE);
	reg_write(IRQVM_TESTDEV_STORM_COUNT, 10);
	reg_write(IRQVM_TESTDEV_STORM_PERIOD, 0);
	reg_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	cr_expect_eq(reg_read(IRQVM_TESTDEV_STORM_CTRL), 0, "a storm runs");
	cr_expect_eq(__atomic_load_n(&signals, __ATOMIC_RELAXED), 0, "%u events signalled",
		     signals);
}
