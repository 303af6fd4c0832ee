/* SPDX-License-Identifier: MIT */
/*
 * vCPU threads: create, run loop, requests and kicks, stop.
 *
 * A kick must get a vCPU out of KVM_RUN wherever it is. The requester sets
 * kvm_run.immediate_exit (so a KVM_RUN that has not started yet returns at
 * once) and sends SIGUSR1 (so one already running returns with EINTR); the
 * vCPU clears immediate_exit before it looks at its requests, so a request
 * made after that look is never lost (KVM API doc, "immediate_exit").
 *
 * Any thread may kick (device threads kick vCPU 0 for the PIC), also while
 * vcpus_stop_threads joins: the signal must never go to a joined thread,
 * whose pthread_t is dead. kick_lock orders the two: a kicker checks
 * thread_started and sends the signal under it, and the stopper clears
 * thread_started under it before joining. A kick therefore either signals
 * a thread that has not been joined yet (returned but unjoined is fine:
 * its ID stays valid until the join) or finds thread_started clear and
 * does nothing, which is right for a vCPU told to stop: it will not enter
 * KVM_RUN again.
 */
#include "vmm/core/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/core/arch.h"
#include "vmm/core/irq_dump.h"
#include "vmm/core/log.h"

#define KICK_SIGNAL SIGUSR1

static void kick_handler(int sig)
{
	(void)sig; /* only there to interrupt KVM_RUN */
}

int vcpu_create(struct vm *vm, unsigned index, char *err, size_t errlen)
{
	struct vcpu *vcpu = &vm->vcpus[index];
	vcpu->vm = vm;
	vcpu->index = index;
	pthread_mutex_init(&vcpu->lock, NULL);
	pthread_mutex_init(&vcpu->kick_lock, NULL);
	pthread_cond_init(&vcpu->cond, NULL);
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, index);
	if (vcpu->fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU(%u): %s", index, strerror(errno));
		return -1;
	}
	vcpu->run = mmap(NULL, (size_t)vm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		snprintf(err, errlen, "mmap of vCPU %u run area: %s", index, strerror(errno));
		return -1;
	}
	vcpu->running = index == 0;
	return arch_vcpu_init(vcpu, err, errlen);
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (!vcpu->vm)
		return;
	arch_vcpu_destroy(vcpu);
	json_decref(vcpu->snapshot.result);
	vcpu->snapshot.result = NULL;
	if (vcpu->run)
		munmap(vcpu->run, (size_t)vcpu->vm->vcpu_mmap_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	pthread_mutex_destroy(&vcpu->lock);
	pthread_mutex_destroy(&vcpu->kick_lock);
	pthread_cond_destroy(&vcpu->cond);
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->run)
		return;
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&vcpu->stats.kicks, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&vcpu->kick_lock);
	if (vcpu->thread_started && !pthread_equal(vcpu->thread, pthread_self()))
		pthread_kill(vcpu->thread, KICK_SIGNAL);
	pthread_mutex_unlock(&vcpu->kick_lock);
}

void vcpu_request(struct vcpu *vcpu, unsigned requests)
{
	atomic_fetch_or(&vcpu->requests, requests);
	vcpu_kick(vcpu);
}

/* At most this many NMIs per look at the queue: a CPU holds one NMI
 * pending besides the one in service (SDM vol. 3, 6.7.1), so more would only
 * be merged by KVM, after costing an ioctl each. */
#define VCPU_NMIS_PER_ROUND 2u

void vcpu_queue_nmi(struct vcpu *vcpu)
{
	/* A count, not just the request bit, so every NMI is accounted. */
	atomic_fetch_add(&vcpu->nmi_queued, 1);
	atomic_fetch_or(&vcpu->requests, VCPU_REQ_NMI);
}

void vcpu_request_nmi(struct vcpu *vcpu)
{
	vcpu_queue_nmi(vcpu);
	vcpu_kick(vcpu);
}

/* vCPU thread: KVM_NMI (x86) may only be issued by the thread that runs the vCPU. */
static void vcpu_issue_nmis(struct vcpu *vcpu)
{
	unsigned n = atomic_exchange(&vcpu->nmi_queued, 0);
	if (n > VCPU_NMIS_PER_ROUND) {
		__atomic_fetch_add(&vcpu->stats.nmi_merged, n - VCPU_NMIS_PER_ROUND,
				   __ATOMIC_RELEASE);
		n = VCPU_NMIS_PER_ROUND;
	}
	while (n--) {
		char err[128];
		if (arch_vcpu_inject_nmi(vcpu, err, sizeof(err)) < 0) {
			log_warn("vCPU %u: %s", vcpu->index, err);
			__atomic_fetch_add(&vcpu->stats.nmi_failed, 1, __ATOMIC_RELEASE);
		} else {
			__atomic_fetch_add(&vcpu->stats.nmis, 1, __ATOMIC_RELEASE);
		}
	}
}

int vcpu_request_start(struct vcpu *vcpu, const struct vcpu_start *start)
{
	pthread_mutex_lock(&vcpu->lock);
	if (vcpu->running) {
		pthread_mutex_unlock(&vcpu->lock);
		return -1;
	}
	vcpu->start = *start;
	pthread_mutex_unlock(&vcpu->lock);
	vcpu_request(vcpu, VCPU_REQ_START);
	return 0;
}

/* Returns false when the thread must leave its loop. */
static bool vcpu_handle_requests(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	unsigned req = atomic_exchange(&vcpu->requests, 0);
	if (req & VCPU_REQ_STOP)
		return false;
	if (req & VCPU_REQ_START) {
		pthread_mutex_lock(&vcpu->lock);
		bool already = vcpu->running;
		vcpu->running = true;
		pthread_mutex_unlock(&vcpu->lock);
		if (!already && arch_vcpu_start(vcpu) < 0) {
			vm_request_stop(vcpu->vm, VM_STOP_HOST_ERROR, 0);
			return false;
		}
	}
	if (req & VCPU_REQ_SNAPSHOT)
		irq_dump_vcpu_answer(vcpu);
	if (req & VCPU_REQ_PAUSE) {
		pthread_mutex_lock(&vcpu->lock);
		vcpu->parked = true;
		pthread_cond_broadcast(&vcpu->cond);
		while (atomic_load(&vcpu->vm->paused) &&
		       !(atomic_load(&vcpu->requests) & VCPU_REQ_STOP)) {
			/* A paused VM still answers interrupt-state requests. */
			if (atomic_fetch_and(&vcpu->requests, ~VCPU_REQ_SNAPSHOT) & VCPU_REQ_SNAPSHOT) {
				pthread_mutex_unlock(&vcpu->lock);
				irq_dump_vcpu_answer(vcpu);
				pthread_mutex_lock(&vcpu->lock);
				continue;
			}
			pthread_cond_wait(&vcpu->cond, &vcpu->lock);
		}
		vcpu->parked = false;
		pthread_mutex_unlock(&vcpu->lock);
		if (atomic_load(&vcpu->requests) & VCPU_REQ_STOP)
			return false;
	}
	if (req & VCPU_REQ_NMI)
		vcpu_issue_nmis(vcpu);
	/* VCPU_REQ_IRQ and VCPU_REQ_ARCH need no action here: they only get the
	 * vCPU out of KVM_RUN, and arch_vcpu_pre_run re-evaluates everything. */
	return true;
}

static enum vcpu_exit_action handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned size = run->io.size;
	vcpu_count(&vcpu->stats.pio_exits);
	if (size != 1 && size != 2 && size != 4) {
		log_warn("vCPU %u: port I/O of impossible size %u at 0x%x", vcpu->index, size,
			 run->io.port);
		return VCPU_EXIT_CONTINUE;
	}
	/* A string instruction (rep outsb/insb) arrives as count items. */
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		uint64_t v = 0;
		bool ok;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&v, data, size);
			ok = bus_write(&vcpu->vm->pio, run->io.port, size, v);
		} else {
			ok = bus_read(&vcpu->vm->pio, run->io.port, size, &v);
			memcpy(data, &v, size);
		}
		if (!ok) {
			vcpu_count(&vcpu->stats.unhandled_pio);
			log_debug("vCPU %u: unhandled port %s 0x%x size %u", vcpu->index,
				  run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read",
				  run->io.port, size);
		}
	}
	return VCPU_EXIT_CONTINUE;
}

/*
 * KVM splits an access that crosses a page boundary into pieces of any size
 * up to 8 (e.g. 5 + 3 bytes). Devices only know 1, 2, 4 and 8, so odd
 * pieces go to the bus one byte at a time, little-endian, like the bytes of
 * a split bus cycle.
 */
static bool mmio_bytewise(struct bus *bus, uint64_t addr, uint8_t *data, unsigned len,
			  bool is_write)
{
	bool ok = true;
	for (unsigned i = 0; i < len; i++) {
		uint64_t v = data[i];
		if (is_write) {
			ok &= bus_write(bus, addr + i, 1, v);
		} else {
			ok &= bus_read(bus, addr + i, 1, &v);
			data[i] = (uint8_t)v;
		}
	}
	return ok;
}

static enum vcpu_exit_action handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned len = run->mmio.len;
	struct bus *bus = &vcpu->vm->mmio;
	vcpu_count(&vcpu->stats.mmio_exits);
	if (len == 0 || len > sizeof(run->mmio.data))
		return VCPU_EXIT_CONTINUE; /* KVM never does this; nothing to transfer */
	uint64_t v = 0;
	bool ok;
	if (len != 1 && len != 2 && len != 4 && len != 8) {
		ok = mmio_bytewise(bus, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write);
	} else if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, len);
		ok = bus_write(bus, run->mmio.phys_addr, len, v);
	} else {
		ok = bus_read(bus, run->mmio.phys_addr, len, &v);
		memcpy(run->mmio.data, &v, len);
	}
	if (!ok) {
		vcpu_count(&vcpu->stats.unhandled_mmio);
		log_debug("vCPU %u: unhandled MMIO %s 0x%llx size %u", vcpu->index,
			  run->mmio.is_write ? "write" : "read",
			  (unsigned long long)run->mmio.phys_addr, len);
	}
	return VCPU_EXIT_CONTINUE;
}

static void report_crash(struct vcpu *vcpu, const char *what)
{
	log_error("vCPU %u: %s", vcpu->index, what);
	arch_vcpu_dump(vcpu, stderr);
	vm_request_stop(vcpu->vm, VM_STOP_GUEST_CRASH, 0);
}

static enum vcpu_exit_action handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[160];
	vcpu_count(&vcpu->stats.exits);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(vcpu);
	case KVM_EXIT_MMIO:
		return handle_mmio(vcpu);
	case KVM_EXIT_INTR:
		return VCPU_EXIT_CONTINUE;
	case KVM_EXIT_SHUTDOWN:
		report_crash(vcpu, "guest shut down (triple fault)");
		return VCPU_EXIT_STOP;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM could not enter the guest (hardware reason 0x%llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		report_crash(vcpu, what);
		return VCPU_EXIT_STOP;
	case KVM_EXIT_SYSTEM_EVENT:
		/* Events with data (RISC-V SBI SRST carries its reason) are the arch's. */
		if (run->system_event.ndata > 0)
			return arch_vcpu_exit(vcpu);
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			log_info("vCPU %u: guest requested power-off", vcpu->index);
			vm_request_stop(vcpu->vm, VM_STOP_GUEST_RESET, 0);
			return VCPU_EXIT_STOP;
		case KVM_SYSTEM_EVENT_RESET:
			log_info("vCPU %u: guest requested reset; irqvm does not reboot guests",
				 vcpu->index);
			vm_request_stop(vcpu->vm, VM_STOP_GUEST_RESET, 0);
			return VCPU_EXIT_STOP;
		case KVM_SYSTEM_EVENT_CRASH:
			report_crash(vcpu, "guest reported a crash (system event)");
			return VCPU_EXIT_STOP;
		default:
			return arch_vcpu_exit(vcpu);
		}
	default:
		return arch_vcpu_exit(vcpu);
	}
}

static void *vcpu_thread(void *opaque)
{
	struct vcpu *vcpu = opaque;
	struct vm *vm = vcpu->vm;

	/* The kick signal interrupts KVM_RUN; everything else stays blocked. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	for (;;) {
		if (!vcpu_handle_requests(vcpu))
			break;
		if (atomic_load(&vcpu->requests) & VCPU_REQ_STOP)
			break;
		arch_vcpu_pre_run(vcpu);
		int r = ioctl(vcpu->fd, KVM_RUN, 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* EFAULT/EOPNOTSUPP come from what the guest did (e.g. running
			 * code from an address that is not RAM), not from the host. */
			bool guest_fault = errno == EFAULT || errno == EOPNOTSUPP;
			log_error("vCPU %u: KVM_RUN: %s%s", vcpu->index, strerror(errno),
				  guest_fault ? " (the guest accessed or ran something KVM cannot "
						"back, e.g. code outside RAM)" : "");
			arch_vcpu_dump(vcpu, stderr);
			vm_request_stop(vm, guest_fault ? VM_STOP_GUEST_CRASH : VM_STOP_HOST_ERROR, 0);
			break;
		}
		if (handle_exit(vcpu) == VCPU_EXIT_STOP)
			break;
		/* Once the VM is stopping, no vCPU re-enters the guest. */
		if (vm_stopping(vm))
			break;
	}
	irq_dump_vcpu_thread_ends(vcpu);
	return NULL;
}

int vcpus_start_threads(struct vm *vm, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0) {
		snprintf(err, errlen, "sigaction: %s", strerror(errno));
		return -1;
	}
	/* Threads start with the kick signal blocked and unblock it themselves,
	 * so a kick can never hit a thread that has no handler context yet. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		pthread_t thread;
		int e = pthread_create(&thread, NULL, vcpu_thread, vcpu);
		if (e) {
			snprintf(err, errlen, "cannot start vCPU %u thread: %s", i, strerror(e));
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			return -1;
		}
		pthread_mutex_lock(&vcpu->kick_lock);
		vcpu->thread = thread;
		vcpu->thread_started = true;
		pthread_mutex_unlock(&vcpu->kick_lock);
		char name[16];
		snprintf(name, sizeof(name), "vcpu%u", i);
		pthread_setname_np(vcpu->thread, name);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int vm_pause(struct vm *vm, uint64_t timeout_ns)
{
	atomic_store(&vm->paused, true);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].thread_started)
			vcpu_request(&vm->vcpus[i], VCPU_REQ_PAUSE);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline); /* pthread_cond_timedwait's clock */
	deadline.tv_sec += (time_t)(timeout_ns / 1000000000ull);
	deadline.tv_nsec += (long)(timeout_ns % 1000000000ull);
	if (deadline.tv_nsec >= 1000000000l) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000l;
	}
	int rc = 0;
	for (unsigned i = 0; i < vm->nr_vcpus && rc == 0; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		if (!vcpu->thread_started)
			continue;
		pthread_mutex_lock(&vcpu->lock);
		/* A thread that left its loop (VM stopping) never parks: do not wait for it. */
		while (!vcpu->parked && !vm_stopping(vm) && rc == 0)
			if (pthread_cond_timedwait(&vcpu->cond, &vcpu->lock, &deadline) == ETIMEDOUT)
				rc = -1;
		pthread_mutex_unlock(&vcpu->lock);
	}
	return rc;
}

void vm_resume(struct vm *vm)
{
	atomic_store(&vm->paused, false);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		if (!vcpu->thread_started)
			continue;
		pthread_mutex_lock(&vcpu->lock);
		pthread_cond_broadcast(&vcpu->cond);
		pthread_mutex_unlock(&vcpu->lock);
	}
}

void vcpus_stop_threads(struct vm *vm)
{
	atomic_store(&vm->paused, false);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		if (!vcpu->thread_started)
			continue;
		pthread_mutex_lock(&vcpu->lock);
		atomic_fetch_or(&vcpu->requests, VCPU_REQ_STOP);
		pthread_cond_broadcast(&vcpu->cond);
		pthread_mutex_unlock(&vcpu->lock);
		vcpu_kick(vcpu);
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];
		/* Cleared before the join, under kick_lock (see the top of this file). */
		pthread_mutex_lock(&vcpu->kick_lock);
		bool started = vcpu->thread_started;
		vcpu->thread_started = false;
		pthread_mutex_unlock(&vcpu->kick_lock);
		if (started)
			pthread_join(vcpu->thread, NULL);
	}
}
