/* SPDX-License-Identifier: MIT */
#include "devices/platform.h"

#include <pthread.h>
#include <stdlib.h>

#include "vmm/core/event_loop.h"
#include "vmm/core/log.h"
#include "vmm/core/stats.h"

struct platform {
	struct vm *vm;
	pthread_mutex_t lock;
	uint32_t arg_lo, arg_hi;
	uint64_t args[IRQVM_PLAT_MAX_ARGS];
	unsigned nr_args;
	uint32_t status;
	uint64_t result;
};

static uint32_t cpu_start(struct platform *p)
{
	if (p->nr_args != 4)
		return IRQVM_PLAT_STATUS_EINVAL;
	uint64_t cpu = p->args[0];
	if (cpu == 0 || cpu >= p->vm->nr_vcpus)
		return IRQVM_PLAT_STATUS_EINVAL;
	struct vcpu_start start = { .pc = p->args[1], .sp = p->args[2], .arg = p->args[3] };
	if (vcpu_request_start(&p->vm->vcpus[cpu], &start) < 0)
		return IRQVM_PLAT_STATUS_EBUSY;
	log_debug("platform: starting vCPU %llu at 0x%llx", (unsigned long long)cpu,
		  (unsigned long long)start.pc);
	return IRQVM_PLAT_STATUS_OK;
}

/* The guest statistics page (include/irqvm/guest_stats.h). */
static uint32_t gstats_register(struct platform *p)
{
	char err[256];
	if (p->nr_args != 2)
		return IRQVM_PLAT_STATUS_EINVAL;
	if (stats_guest_register(p->vm->stats, p->args[0], p->args[1], err, sizeof(err)) < 0) {
		log_warn("platform: guest statistics page refused: %s", err);
		return IRQVM_PLAT_STATUS_EINVAL;
	}
	log_debug("platform: guest statistics page at 0x%llx, %llu bytes",
		  (unsigned long long)p->args[0], (unsigned long long)p->args[1]);
	return IRQVM_PLAT_STATUS_OK;
}

static void run_command(struct platform *p, uint32_t cmd)
{
	switch (cmd) {
	case IRQVM_PLAT_CMD_RESET_ARGS:
		p->nr_args = 0;
		p->status = IRQVM_PLAT_STATUS_OK;
		break;
	case IRQVM_PLAT_CMD_PUSH_ARG:
		if (p->nr_args == IRQVM_PLAT_MAX_ARGS) {
			p->status = IRQVM_PLAT_STATUS_EINVAL;
			break;
		}
		p->args[p->nr_args++] = (uint64_t)p->arg_hi << 32 | p->arg_lo;
		p->status = IRQVM_PLAT_STATUS_OK;
		break;
	case IRQVM_PLAT_CMD_CPU_START:
		p->status = cpu_start(p);
		p->nr_args = 0;
		break;
	case IRQVM_PLAT_CMD_HOST_NS:
		p->result = monotonic_ns();
		p->status = IRQVM_PLAT_STATUS_OK;
		break;
	case IRQVM_PLAT_CMD_GSTATS_REGISTER:
		p->status = gstats_register(p);
		p->nr_args = 0;
		break;
	default:
		p->status = IRQVM_PLAT_STATUS_EINVAL;
		break;
	}
}

static uint64_t platform_read(void *opaque, uint64_t offset, unsigned size)
{
	struct platform *p = opaque;
	uint64_t v = ~0ull;
	if (size != 4)
		return v;
	pthread_mutex_lock(&p->lock);
	switch (offset) {
	case IRQVM_PLAT_ID: v = IRQVM_PLAT_ID_VALUE; break;
	case IRQVM_PLAT_ARG_LO: v = p->arg_lo; break;
	case IRQVM_PLAT_ARG_HI: v = p->arg_hi; break;
	case IRQVM_PLAT_CMD: v = p->status; break;
	case IRQVM_PLAT_RESULT_LO: v = (uint32_t)p->result; break;
	case IRQVM_PLAT_RESULT_HI: v = (uint32_t)(p->result >> 32); break;
	default: break;
	}
	pthread_mutex_unlock(&p->lock);
	return v;
}

static void platform_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct platform *p = opaque;
	if (size != 4)
		return;
	pthread_mutex_lock(&p->lock);
	switch (offset) {
	case IRQVM_PLAT_ARG_LO: p->arg_lo = (uint32_t)value; break;
	case IRQVM_PLAT_ARG_HI: p->arg_hi = (uint32_t)value; break;
	case IRQVM_PLAT_CMD: run_command(p, (uint32_t)value); break;
	default: break;
	}
	pthread_mutex_unlock(&p->lock);
}

static const struct bus_ops platform_ops = { .read = platform_read, .write = platform_write };

static void platform_destroy(void *opaque)
{
	struct platform *p = opaque;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int platform_create(struct vm *vm, struct bus *bus, uint64_t base, char *err, size_t errlen)
{
	struct platform *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->vm = vm;
	pthread_mutex_init(&p->lock, NULL);
	if (vm_add_device(vm, "platform", p, platform_destroy) < 0) {
		platform_destroy(p);
		snprintf(err, errlen, "too many devices");
		return -1;
	}
	return bus_register(bus, "platform", base, IRQVM_PLATFORM_SIZE, &platform_ops, p, err,
			    errlen);
}
