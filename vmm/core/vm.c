/* SPDX-License-Identifier: MIT */
/* VM lifecycle: open KVM, create the VM and its RAM, vCPUs, run, tear down. */
#include "vmm/core/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "vmm/core/arch.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/irq_dump.h"
#include "vmm/core/log.h"
#include "vmm/core/stats.h"
#include "vmm/core/vcpu.h"

const char *vm_stop_reason_name(enum vm_stop_reason reason)
{
	switch (reason) {
	case VM_STOP_NONE: return "running";
	case VM_STOP_GUEST_EXIT: return "guest exit";
	case VM_STOP_GUEST_CRASH: return "guest crash";
	case VM_STOP_GUEST_RESET: return "guest reset";
	case VM_STOP_HOST_ERROR: return "host error";
	case VM_STOP_TIMEOUT: return "timeout";
	case VM_STOP_SIGNAL: return "signal";
	case VM_STOP_USER: return "quit requested";
	}
	return "?";
}

int kvm_check_cap(struct vm *vm, long cap)
{
	int fd = vm->vm_fd >= 0 ? vm->vm_fd : vm->kvm_fd;
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}

static int open_kvm(struct vm *vm, char *err, size_t errlen)
{
	/* IRQVM_KVM_DEVICE lets tests (and unusual hosts) name another device node. */
	const char *dev = getenv("IRQVM_KVM_DEVICE");
	if (!dev || !*dev)
		dev = "/dev/kvm";
	vm->kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		int e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "%s does not exist: this host has no KVM "
				 "(load kvm_intel/kvm_amd, or enable nested virtualization)", dev);
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "%s: permission denied (add yourself to group "
				 "'kvm' or run as root)", dev);
		else
			snprintf(err, errlen, "cannot open %s: %s", dev, strerror(e));
		return -1;
	}
	int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		snprintf(err, errlen, "%s is not a KVM device (KVM_GET_API_VERSION gave %d, "
			 "irqvm needs %d)", dev, version, KVM_API_VERSION);
		return -1;
	}
	static const struct { long cap; const char *name; } needed[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0) {
			snprintf(err, errlen, "KVM lacks %s (kernel too old?)", needed[i].name);
			return -1;
		}
	}
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int create_ram(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned i = 0; i < vm->nr_ram; i++) {
		struct guest_ram_region *r = &vm->ram[i];
		void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			snprintf(err, errlen, "cannot allocate %llu MiB of guest RAM: %s",
				 (unsigned long long)(r->size >> 20), strerror(errno));
			return -1;
		}
		r->host = p;
		r->slot = i;
		struct kvm_userspace_memory_region mr = {
			.slot = i, .guest_phys_addr = r->gpa, .memory_size = r->size,
			.userspace_addr = (uintptr_t)p,
		};
		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
			snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION(slot %u, 0x%llx+0x%llx): %s",
				 i, (unsigned long long)r->gpa, (unsigned long long)r->size,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < vm->nr_ram; i++) {
		struct guest_ram_region *r = &vm->ram[i];
		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

int vm_read_gpa(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);
	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

int vm_write_gpa(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);
	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

static int open_console(struct vm *vm, char *err, size_t errlen)
{
	switch (vm->cfg->console) {
	case CFG_CONSOLE_STDOUT:
		vm->console = stdout;
		return 0;
	case CFG_CONSOLE_NONE:
		vm->console = NULL;
		return 0;
	case CFG_CONSOLE_FILE:
		vm->console = fopen(vm->cfg->console_path, vm->cfg->console_append ? "ae" : "we");
		if (!vm->console) {
			snprintf(err, errlen, "console file %s: %s", vm->cfg->console_path,
				 strerror(errno));
			return -1;
		}
		return 0;
	}
	return 0;
}

int vm_create(const struct vm_config *cfg, const struct vm_options *opts, struct vm **out,
	      char *err, size_t errlen)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		snprintf(err, errlen, "out of memory");
		return IRQVM_EXIT_HOST;
	}
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->nr_vcpus = cfg->vcpus;
	pthread_mutex_init(&vm->stop_lock, NULL);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	irq_lines_init(&vm->lines);
	for (unsigned i = 0; i < IRQVM_MAX_VCPUS; i++)
		vm->vcpus[i].fd = -1;
	*out = vm;

	if (open_console(vm, err, errlen) < 0)
		return IRQVM_EXIT_CONFIG;
	vm->stats = stats_create(vm);
	if (!vm->stats) {
		snprintf(err, errlen, "out of memory");
		return IRQVM_EXIT_HOST;
	}
	vm->loop = event_loop_create();
	if (!vm->loop) {
		snprintf(err, errlen, "cannot create the event loop: %s", strerror(errno));
		return IRQVM_EXIT_HOST;
	}
	if (open_kvm(vm, err, errlen) < 0)
		return IRQVM_EXIT_HOST;
	int max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max_vcpus > 0 && cfg->vcpus > (unsigned)max_vcpus) {
		snprintf(err, errlen, "this KVM supports at most %d vCPUs, config asks for %u",
			 max_vcpus, cfg->vcpus);
		return IRQVM_EXIT_HOST;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		return IRQVM_EXIT_HOST;
	}
	if (arch_check_kvm(vm, err, errlen) < 0)
		return IRQVM_EXIT_HOST;
	if (arch_plan_ram(vm, err, errlen) < 0)
		return IRQVM_EXIT_CONFIG;
	if (create_ram(vm, err, errlen) < 0)
		return IRQVM_EXIT_HOST;
	int status = arch_vm_init(vm, opts, err, errlen);
	if (status != 0)
		return status;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (vcpu_create(vm, i, err, errlen) < 0)
			return IRQVM_EXIT_HOST;
	}
	return 0;
}

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int status)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (vm->stop_reason == VM_STOP_NONE) {
		vm->guest_status = status;
		vm->stop_detail = status;
		__atomic_store_n(&vm->stop_reason, reason, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vm->stop_lock);
	event_loop_stop(vm->loop);
}

struct run_state {
	struct vm *vm;
	int sfd;
	int tfd;
};

static void on_signal(void *opaque, uint32_t events)
{
	struct run_state *rs = opaque;
	struct signalfd_siginfo si;
	(void)events;
	if (read(rs->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGQUIT) {
			/* Like a JVM's thread dump: report and keep running. */
			irq_dump_report(rs->vm, "SIGQUIT");
			return;
		}
		log_info("received signal %u, stopping the VM", si.ssi_signo);
		vm_request_stop(rs->vm, VM_STOP_SIGNAL, (int)si.ssi_signo);
	}
}

static void on_timeout(void *opaque)
{
	struct vm *vm = opaque;
	/* Before the stop: the vCPU threads must still be there to answer. */
	log_error("timeout after %g s: the interrupt state at expiry follows",
		  vm->cfg->timeout_sec);
	irq_dump_report(vm, "timeout");
	vm_request_stop(vm, VM_STOP_TIMEOUT, 0);
}

static int exit_status(struct vm *vm, const struct vm_options *opts)
{
	switch (vm->stop_reason) {
	case VM_STOP_GUEST_EXIT:
		if (opts->qemu_exit_codes && vm->exit_value_qemu_encoded)
			return ((vm->guest_status << 1) | 1) & 0xff;
		return vm->guest_status & 0xff;
	case VM_STOP_GUEST_CRASH: return IRQVM_EXIT_GUEST_CRASH;
	case VM_STOP_GUEST_RESET: return IRQVM_EXIT_GUEST_RESET;
	case VM_STOP_HOST_ERROR: return IRQVM_EXIT_HOST;
	case VM_STOP_TIMEOUT: return IRQVM_EXIT_TIMEOUT;
	case VM_STOP_SIGNAL: return IRQVM_EXIT_SIGNAL_BASE + vm->stop_detail;
	case VM_STOP_USER: return IRQVM_EXIT_OK;
	case VM_STOP_NONE: break;
	}
	return IRQVM_EXIT_HOST;
}

__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	if (*len >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	*len += w > 0 ? (size_t)w : 0;
}

static void append_counter(char *buf, size_t size, size_t *len, const char *sep,
			   const struct arch_vcpu_counter *c)
{
	if (c->value_first)
		append(buf, size, len, "%s%llu %s", sep, (unsigned long long)c->value, c->name);
	else
		append(buf, size, len, "%s%s %llu", sep, c->name, (unsigned long long)c->value);
}

void vcpu_counters_line(const struct vcpu *vcpu, char *line, size_t size)
{
	struct arch_vcpu_counter c[16];
	unsigned n = arch_vcpu_counters(vcpu, c, sizeof(c) / sizeof(c[0]));
	size_t len = 0;
	if (size)
		*line = 0;
	append(line, size, &len, "vCPU %u: %llu exits (", vcpu->index,
	       (unsigned long long)vcpu_counter(&vcpu->stats.exits));
	const char *sep = "";
	for (unsigned k = 0; k < n; k++) {
		if (c[k].exit_kind) {
			append_counter(line, size, &len, sep, &c[k]);
			sep = ", ";
		}
	}
	append(line, size, &len, ")");
	for (unsigned k = 0; k < n; k++)
		if (!c[k].exit_kind)
			append_counter(line, size, &len, ", ", &c[k]);
}

/* SIGINT/SIGTERM/SIGHUP (stop) and SIGQUIT (print the interrupt state). */
static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
}

void vm_block_stop_signals(void)
{
	sigset_t set;

	stop_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int vm_run(struct vm *vm, const struct vm_options *opts)
{
	char err[512];
	struct loop_timer *timeout = NULL;
	struct run_state rs = { .vm = vm, .sfd = -1 };

	/* The stop signals arrive through a signalfd in the main thread; they
	 * are blocked before any vCPU thread exists so those inherit the mask
	 * (the caller may have blocked them earlier: vm_block_stop_signals). */
	sigset_t set;
	stop_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	rs.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (rs.sfd < 0 || event_loop_add(vm->loop, rs.sfd, EPOLLIN, on_signal, &rs) < 0) {
		log_error("signalfd: %s", strerror(errno));
		return IRQVM_EXIT_HOST;
	}
	const struct vm_service *svc = opts->service;
	if (vm->cfg->timeout_sec > 0) {
		timeout = loop_timer_create(vm->loop, on_timeout, vm);
		if (!timeout || loop_timer_arm_at(timeout, monotonic_ns() +
				  (uint64_t)(vm->cfg->timeout_sec * 1e9)) < 0) {
			log_error("cannot arm the timeout: %s", strerror(errno));
			goto fail_before_threads;
		}
	}
	/* Before any vCPU thread exists: the control socket sets the umask briefly. */
	if (svc && svc->start && svc->start(vm, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto fail_before_threads;
	}
	if (arch_vm_start(vm, err, sizeof(err)) < 0) {
		log_error("%s", err);
		if (svc && svc->stopped)
			svc->stopped(vm, NULL, IRQVM_EXIT_HOST);
		goto fail_before_threads;
	}
	if (vcpus_start_threads(vm, err, sizeof(err)) < 0) {
		log_error("%s", err);
		vm_request_stop(vm, VM_STOP_HOST_ERROR, 0);
	} else if (event_loop_run(vm->loop) < 0) {
		log_error("event loop: %s", strerror(errno));
		vm_request_stop(vm, VM_STOP_HOST_ERROR, 0);
	}
	/* Storm threads (the control socket's and the test device's) raise
	 * lines and kick vCPUs: they end before the vCPU threads do. */
	if (svc && svc->stop_threads)
		svc->stop_threads(vm);
	vm_stop_devices(vm);
	vcpus_stop_threads(vm);
	loop_timer_destroy(timeout);
	event_loop_del(vm->loop, rs.sfd);
	close(rs.sfd);
	if (vm->console)
		fflush(vm->console);

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		char line[768];
		vcpu_counters_line(&vm->vcpus[i], line, sizeof(line));
		log_info("%s", line);
	}
	int status = exit_status(vm, opts);
	if (svc && svc->stopped)
		svc->stopped(vm, vm_stop_reason_name(vm->stop_reason), status);
	if (vm->stop_reason == VM_STOP_GUEST_EXIT && vm->exit_value_qemu_encoded)
		log_info("guest exit device: value %d (VM status %d), irqvm exits %d",
			 vm->guest_status, (vm->guest_status << 1) | 1, status);
	else if (vm->stop_reason == VM_STOP_GUEST_EXIT)
		log_info("guest exit: status %d, irqvm exits %d", vm->guest_status, status);
	else if (vm->stop_reason == VM_STOP_TIMEOUT)
		log_error("timeout: the guest did not finish within %g s", vm->cfg->timeout_sec);
	else
		log_info("VM stopped: %s, irqvm exits %d", vm_stop_reason_name(vm->stop_reason),
			 status);
	return status;

fail_before_threads:
	/* Nothing runs yet: give back what was set up (a refused control
	 * socket path must not leak the timer; LeakSanitizer found it). */
	loop_timer_destroy(timeout);
	event_loop_del(vm->loop, rs.sfd);
	close(rs.sfd);
	return IRQVM_EXIT_HOST;
}

int vm_add_threaded_device(struct vm *vm, const char *name, void *opaque,
			   void (*stop)(void *opaque), void (*destroy)(void *opaque))
{
	if (vm->nr_devices == sizeof(vm->devices) / sizeof(vm->devices[0]))
		return -1;
	vm->devices[vm->nr_devices++] = (struct vm_device){ name, opaque, stop, destroy };
	return 0;
}

int vm_add_device(struct vm *vm, const char *name, void *opaque, void (*destroy)(void *opaque))
{
	return vm_add_threaded_device(vm, name, opaque, NULL, destroy);
}

void vm_stop_devices(struct vm *vm)
{
	for (unsigned i = vm->nr_devices; i-- > 0;)
		if (vm->devices[i].stop)
			vm->devices[i].stop(vm->devices[i].opaque);
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	vm_stop_devices(vm); /* vm_run's error paths may not have */
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	arch_vm_destroy(vm);
	while (vm->nr_devices) {
		struct vm_device *d = &vm->devices[--vm->nr_devices];
		if (d->destroy)
			d->destroy(d->opaque);
	}
	for (unsigned i = 0; i < vm->nr_ram; i++)
		if (vm->ram[i].host)
			munmap(vm->ram[i].host, vm->ram[i].size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	event_loop_destroy(vm->loop);
	if (vm->console && vm->console != stdout)
		fclose(vm->console);
	irq_lines_destroy(&vm->lines);
	stats_destroy(vm->stats);
	pthread_mutex_destroy(&vm->stop_lock);
	free(vm);
}
