/* SPDX-License-Identifier: MIT */
/*
 * A throw-away VM for start-up probes (x86_eoi_probe.c, x86_int_probe.c):
 * one vCPU started in long mode with the same boot tables as real guests,
 * a tiny program at X86_PROBE_CODE and one interrupt gate to a handler at
 * X86_PROBE_HANDLER. The probes learn facts about this KVM from the exits
 * such a program causes, so real guests never have to find them the hard
 * way.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define PROBE_RAM_SIZE 0x100000
#define PROBE_IDT_GPA 0x9000
#define PROBE_STACK 0x20000

int x86_probe_vm_create(struct vm *vm, const struct x86_probe_program *prog,
			struct x86_probe_vm *p, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	*p = (struct x86_probe_vm){ .vm_fd = -1, .cpu = { .fd = -1 } };
	if (prog->main_len > X86_PROBE_HANDLER - X86_PROBE_CODE || prog->handler_len > 0x100) {
		snprintf(err, errlen, "probe program too large");
		return -1;
	}
	p->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (p->vm_fd < 0)
		goto fail_errno;
	if (prog->split_irqchip) {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
		if (ioctl(p->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
			goto fail_errno;
	}
	uint8_t *ram = mmap(NULL, PROBE_RAM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		goto fail_errno;
	p->mini.ram[0] = (struct guest_ram_region){ .gpa = 0, .size = PROBE_RAM_SIZE, .host = ram };
	p->mini.nr_ram = 1;
	struct kvm_userspace_memory_region mr = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = PROBE_RAM_SIZE,
		.userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
		goto fail_errno;
	if (x86_write_boot_tables(&p->mini, err, errlen) < 0)
		return -1;
	memcpy(ram + X86_PROBE_CODE, prog->main, prog->main_len);
	memcpy(ram + X86_PROBE_HANDLER, prog->handler, prog->handler_len);
	/* 64-bit interrupt gate: offset 15:0, selector 0x08, P|DPL0|type 0xE, offset 31:16. */
	uint32_t gate[4] = {
		(X86_PROBE_HANDLER & 0xffffu) | (0x08u << 16),
		(X86_PROBE_HANDLER & 0xffff0000u) | 0x8e00u,
		0, 0,
	};
	memcpy(ram + PROBE_IDT_GPA + prog->vector * 16u, gate, sizeof(gate));

	p->cpu.fd = ioctl(p->vm_fd, KVM_CREATE_VCPU, 0);
	if (p->cpu.fd < 0)
		goto fail_errno;
	if (ioctl(p->cpu.fd, KVM_SET_CPUID2, x->cpuid) < 0)
		goto fail_errno;
	p->run_size = (size_t)vm->vcpu_mmap_size;
	p->cpu.run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->cpu.fd, 0);
	if (p->cpu.run == MAP_FAILED) {
		p->cpu.run = NULL;
		goto fail_errno;
	}
	if (x86_set_long_mode(&p->cpu, X86_PROBE_CODE, PROBE_STACK, 0, 0) < 0)
		goto fail_errno;
	struct kvm_sregs sregs;
	if (ioctl(p->cpu.fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail_errno;
	sregs.idt.base = PROBE_IDT_GPA;
	sregs.idt.limit = 256 * 16 - 1;
	if (ioctl(p->cpu.fd, KVM_SET_SREGS, &sregs) < 0)
		goto fail_errno;
	return 0;
fail_errno:
	snprintf(err, errlen, "probe VM set-up: %s", strerror(errno));
	return -1;
}

void x86_probe_vm_destroy(struct x86_probe_vm *p)
{
	if (p->cpu.run)
		munmap(p->cpu.run, p->run_size);
	if (p->cpu.fd >= 0)
		close(p->cpu.fd);
	if (p->mini.ram[0].host)
		munmap(p->mini.ram[0].host, PROBE_RAM_SIZE);
	if (p->vm_fd >= 0)
		close(p->vm_fd);
	*p = (struct x86_probe_vm){ .vm_fd = -1, .cpu = { .fd = -1 } };
}

static void probe_alarm(int sig)
{
	(void)sig; /* only there to make KVM_RUN return EINTR */
}

/*
 * A probe guest that never exits (a host that loses the wake-up it waits
 * for) must not hang irqvm before its own --timeout exists. A timer on
 * this thread sends SIGALRM every 100 ms while KVM_RUN runs; the handler
 * is installed without SA_RESTART, so KVM_RUN returns EINTR and the
 * deadline is checked.
 */
static int run_bounded(struct x86_probe_vm *p)
{
	struct sigaction sa = { .sa_handler = probe_alarm }, old_sa;
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };
	struct itimerspec every = { .it_value = { .tv_nsec = 100000000 },
				    .it_interval = { .tv_nsec = 100000000 } };
	struct timespec now;
	sigset_t alarm_set;
	timer_t timer;
	int r, err;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!p->run_started_ns)
		p->run_started_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	/* glibc 2.36 does not name this member sigev_notify_thread_id yet. */
	sev._sigev_un._tid = gettid();
	sigemptyset(&alarm_set);
	sigaddset(&alarm_set, SIGALRM);
	if (sigaction(SIGALRM, &sa, &old_sa) < 0)
		return -1;
	pthread_sigmask(SIG_UNBLOCK, &alarm_set, NULL);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0) {
		err = errno;
		sigaction(SIGALRM, &old_sa, NULL);
		errno = err;
		return -1;
	}
	timer_settime(timer, 0, &every, NULL);
	for (;;) {
		r = ioctl(p->cpu.fd, KVM_RUN, 0);
		err = errno;
		if (r >= 0 || err != EINTR)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec - p->run_started_ns >
		    (uint64_t)X86_PROBE_DEADLINE_MS * 1000000ull) {
			err = ETIMEDOUT;
			break;
		}
	}
	timer_delete(timer);
	sigaction(SIGALRM, &old_sa, NULL);
	errno = err;
	return r >= 0 ? r : -1;
}

int x86_probe_vm_run(struct x86_probe_vm *p, char *err, size_t errlen)
{
	if (run_bounded(p) == 0)
		return 0;
	if (errno == ETIMEDOUT)
		snprintf(err, errlen, "the probe VM did not finish within %d ms",
			 X86_PROBE_DEADLINE_MS);
	else
		snprintf(err, errlen, "probe KVM_RUN: %s", strerror(errno));
	return -1;
}
