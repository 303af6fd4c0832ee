/* SPDX-License-Identifier: MIT */
/*
 * Collecting the interrupt-state dump (vmm/core/irq_dump.h) from a running VM.
 *
 * The interrupt controllers are read by the caller (the main thread) under
 * their lock. Each vCPU is read by its own thread: the collector numbers a
 * request, sets VCPU_REQ_SNAPSHOT and kicks every vCPU at once (a parked,
 * paused vCPU is woken through its condition variable instead), then waits
 * for the answers until one shared deadline. A vCPU whose thread has ended
 * is outside KVM_RUN for good, so the collector reads that one itself. An
 * answer that comes after the deadline finds nobody waiting and is dropped.
 */
#include "vmm/core/irq_dump.h"

#include <errno.h>
#include <time.h>

#include "vmm/config/config.h"
#include "vmm/core/arch.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/log.h"
#include "vmm/core/vm.h"

static void ask_vcpu(struct vcpu *vcpu)
{
	struct vcpu_snapshot_slot *s = &vcpu->snapshot;
	pthread_mutex_lock(&vcpu->lock);
	s->asked++;
	s->waiting = true;
	s->answered = false;
	json_decref(s->result);
	s->result = NULL;
	atomic_fetch_or(&vcpu->requests, VCPU_REQ_SNAPSHOT);
	/* A paused vCPU waits on cond, not in KVM_RUN: wake it too. */
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
	vcpu_kick(vcpu);
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts); /* pthread_cond_timedwait's clock */
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000l;
	if (ts->tv_nsec >= 1000000000l) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000l;
	}
}

static json_t *read_here(struct vcpu *vcpu, const char *why)
{
	json_t *r = arch_vcpu_irq_state(vcpu);
	json_object_set_new(r, "answered", json_true());
	json_object_set_new(r, "read_by", json_string(why));
	return r;
}

/* The answer to ask_vcpu, or a note saying why there is none. */
static json_t *collect_vcpu(struct vcpu *vcpu, const struct timespec *deadline, unsigned wait_ms)
{
	struct vcpu_snapshot_slot *s = &vcpu->snapshot;
	json_t *r = NULL;
	pthread_mutex_lock(&vcpu->lock);
	bool timed_out = false;
	while (!s->answered && !s->thread_ended && !timed_out)
		timed_out = pthread_cond_timedwait(&vcpu->cond, &vcpu->lock, deadline) == ETIMEDOUT;
	bool ended = s->thread_ended && !s->answered;
	if (s->answered) {
		r = s->result;
		s->result = NULL;
	}
	s->waiting = false;
	s->answered = false;
	pthread_mutex_unlock(&vcpu->lock);
	if (r)
		return r;
	if (ended)
		return read_here(vcpu, "main thread (the vCPU thread has ended)");
	char why[128];
	snprintf(why, sizeof(why), "did not answer within %u ms (stuck in KVM_RUN, or in an exit "
		 "handler)", wait_ms);
	log_warn("vCPU %u %s", vcpu->index, why);
	return json_pack("{s:i,s:b,s:s}", "index", vcpu->index, "answered", 0, "error", why);
}

void irq_dump_vcpu_answer(struct vcpu *vcpu)
{
	struct vcpu_snapshot_slot *s = &vcpu->snapshot;
	pthread_mutex_lock(&vcpu->lock);
	uint64_t ticket = s->asked;
	bool wanted = s->waiting && !s->answered;
	pthread_mutex_unlock(&vcpu->lock);
	if (!wanted)
		return;
	/* The ioctls run without the lock: the collector may be waiting on it. */
	json_t *r = arch_vcpu_irq_state(vcpu);
	json_object_set_new(r, "answered", json_true());
	json_object_set_new(r, "read_by", json_string("vCPU thread"));
	pthread_mutex_lock(&vcpu->lock);
	if (s->waiting && s->asked == ticket && !s->answered) {
		s->result = r;
		s->answered = true;
		r = NULL;
		pthread_cond_broadcast(&vcpu->cond);
	}
	pthread_mutex_unlock(&vcpu->lock);
	json_decref(r); /* the collector gave up on this one */
}

void irq_dump_vcpu_thread_ends(struct vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->lock);
	vcpu->snapshot.thread_ended = true;
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
}

static json_t *lines_json(struct vm *vm)
{
	json_t *arr = json_array();
	struct irq_lines *l = &vm->lines;
	pthread_mutex_lock(&l->lock);
	for (unsigned line = 0; line < l->backend.nr_lines && line < IRQ_LINES_MAX; line++)
		json_array_append_new(arr, json_pack("{s:i,s:b,s:I,s:I,s:I}", "line", line,
			"level", l->level[line], "raised", (json_int_t)l->stats[line].raised,
			"lowered", (json_int_t)l->stats[line].lowered,
			"pulses", (json_int_t)l->stats[line].pulses));
	pthread_mutex_unlock(&l->lock);
	return arr;
}

json_t *irq_dump_collect(struct vm *vm, const char *trigger, unsigned wait_ms)
{
	bool asked[IRQVM_MAX_VCPUS] = { false };
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		if (vcpu->thread_started) {
			ask_vcpu(vcpu);
			asked[i] = true;
		}
	}
	json_t *d = json_object();
	json_object_set_new(d, "trigger", json_string(trigger));
	json_object_set_new(d, "arch", json_string(arch_name));
	json_object_set_new(d, "irqchip", json_string(config_irqchip_name(vm->cfg->irqchip)));
	json_object_set_new(d, "vcpus", json_integer(vm->nr_vcpus));
	json_object_set_new(d, "paused", json_boolean(atomic_load(&vm->paused)));
	json_object_set_new(d, "monotonic_ns", json_integer((json_int_t)monotonic_ns()));
	/* The controllers while the vCPUs are on their way out of KVM_RUN. */
	arch_irq_dump_chips(vm, d);
	json_object_set_new(d, "lines", lines_json(vm));

	struct timespec deadline;
	deadline_after(&deadline, wait_ms);
	json_t *vcpus = json_array();
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		json_t *v = asked[i] ? collect_vcpu(vcpu, &deadline, wait_ms)
				     : read_here(vcpu, "main thread (no vCPU thread yet)");
		pthread_mutex_lock(&vcpu->lock);
		bool started = vcpu->running;
		pthread_mutex_unlock(&vcpu->lock);
		json_object_set_new(v, "index", json_integer(i));
		json_object_set_new(v, "started", json_boolean(started));
		json_array_append_new(vcpus, v);
	}
	json_object_set_new(d, "vcpu", vcpus);
	return d;
}

void irq_dump_report(struct vm *vm, const char *trigger)
{
	json_t *d = irq_dump_collect(vm, trigger, IRQ_DUMP_VCPU_WAIT_MS);
	fflush(stdout); /* keep the guest console's last words before the dump */
	irq_dump_print(stderr, d);
	fflush(stderr);
	json_decref(d);
}
