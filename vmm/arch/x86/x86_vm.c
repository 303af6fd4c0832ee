/* SPDX-License-Identifier: MIT */
/* x86-64 VM set-up: KVM checks, RAM layout, devices, kernel, boot data. */
#include "vmm/arch/x86/x86.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/exitdev.h"
#include "devices/platform.h"
#include "devices/serial.h"
#include "devices/testdev.h"
#include "vmm/core/arch.h"
#include "vmm/core/log.h"

const char arch_name[] = "x86_64";

/* Real-mode helpers Intel VMX needs somewhere in guest-physical space; put
 * them just below the BIOS area in the MMIO hole, where there is no RAM. */
#define X86_IDENTITY_MAP_GPA 0xfeffc000ull
#define X86_TSS_GPA 0xfeffd000ull

int arch_check_kvm(struct vm *vm, char *err, size_t errlen)
{
	const bool split = vm->cfg->irqchip != CFG_IRQCHIP_KERNEL;
	struct { long cap; const char *name; bool needed; } caps[] = {
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", true },
		{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", true },
		{ KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI", true },
		{ KVM_CAP_SPLIT_IRQCHIP, "KVM_CAP_SPLIT_IRQCHIP (needed by irqchip \"split\")", split },
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP (needed by irqchip \"kernel\")", !split },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2 (needed by irqchip \"kernel\" with pit)",
		  !split && vm->cfg->pit },
	};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (caps[i].needed && kvm_check_cap(vm, caps[i].cap) <= 0) {
			snprintf(err, errlen, "this KVM lacks %s", caps[i].name);
			return -1;
		}
	}
	return 0;
}

int arch_plan_ram(struct vm *vm, char *err, size_t errlen)
{
	uint64_t size = vm->cfg->memory_bytes;
	/* The config limit keeps RAM below the 32-bit MMIO hole; check anyway so
	 * RAM can never overlap the IOAPIC/LAPIC/identity-map pages. */
	if (size > IRQVM_X86_MMIO_HOLE_START || size < 2 * IRQVM_X86_KERNEL_MIN_GPA) {
		snprintf(err, errlen, "memory size %llu MiB does not fit below the MMIO hole at "
			 "0x%llx", (unsigned long long)(size >> 20),
			 (unsigned long long)IRQVM_X86_MMIO_HOLE_START);
		return -1;
	}
	vm->ram[0] = (struct guest_ram_region){ .gpa = 0, .size = size };
	vm->nr_ram = 1;
	return 0;
}

static int fetch_supported_cpuid(struct vm *vm, struct x86_vm *x, char *err, size_t errlen)
{
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			break;
		c->nent = n;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			x->cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			break;
	}
	snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return -1;
}

static int create_devices(struct vm *vm, struct x86_vm *x, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	x->devices |= IRQVM_DEV_PLATFORM;
	if (platform_create(vm, &vm->pio, IRQVM_PORT_PLATFORM, err, errlen) < 0)
		return -1;
	if (cfg->dev_uart) {
		if (serial_create(vm, &vm->pio, IRQVM_PORT_UART0, IRQVM_UART0_IRQ, err, errlen) < 0)
			return -1;
		x->devices |= IRQVM_DEV_UART;
	}
	if (cfg->dev_exit) {
		if (exitdev_create(vm, &vm->pio, IRQVM_PORT_DEBUG_EXIT, err, errlen) < 0)
			return -1;
		x->devices |= IRQVM_DEV_EXIT;
	}
	if (cfg->dev_testdev) {
		if (testdev_create(vm, &vm->pio, IRQVM_PORT_TESTDEV_IRQ, IRQVM_PORT_TESTDEV_EXT,
				   err, errlen) < 0)
			return -1;
		x->devices |= IRQVM_DEV_TESTDEV;
	}
	if (cfg->pit) {
		/* "kernel" mode got KVM's PIT with its irqchip; "split" gets ours. */
		if (x86_pit_create(vm, err, errlen) < 0)
			return -1;
		x->devices |= IRQVM_DEV_PIT;
	}
	return 0;
}

int arch_vm_init(struct vm *vm, const struct vm_options *opts, char *err, size_t errlen)
{
	(void)opts;
	struct x86_vm *x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "out of memory");
		return IRQVM_EXIT_HOST;
	}
	vm->arch = x;
	x->split = vm->cfg->irqchip != CFG_IRQCHIP_KERNEL;
	vm->exit_value_qemu_encoded = true; /* port 0xf4 is isa-debug-exit */
	pthread_mutex_init(&x->irqchip_lock, NULL);

	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_GPA) < 0)
		log_debug("KVM_SET_TSS_ADDR: %s (only real mode on VMX needs it)", strerror(errno));
	uint64_t idmap = X86_IDENTITY_MAP_GPA;
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		log_debug("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));

	if (fetch_supported_cpuid(vm, x, err, errlen) < 0)
		return IRQVM_EXIT_HOST;
	if (x86_irqchip_create(vm, err, errlen) < 0)
		return IRQVM_EXIT_HOST;
	/* After the irqchip's EOI probe, before the boot info is written. */
	x86_identify_host(vm);
	if (create_devices(vm, x, err, errlen) < 0)
		return IRQVM_EXIT_HOST;
	if (x86_write_boot_tables(vm, err, errlen) < 0)
		return IRQVM_EXIT_HOST;

	struct elf_ram_view ram = { .gpa_base = vm->ram[0].gpa, .host = vm->ram[0].host,
				    .size = vm->ram[0].size };
	if (elf_load_file(vm->cfg->kernel_path, EM_X86_64, &ram, IRQVM_X86_KERNEL_MIN_GPA,
			  &x->kernel, err, errlen) < 0)
		return IRQVM_EXIT_CONFIG; /* the user's kernel file is unusable */
	log_info("kernel %s: entry 0x%llx, loaded 0x%llx-0x%llx", vm->cfg->kernel_path,
		 (unsigned long long)x->kernel.entry, (unsigned long long)x->kernel.lowest_gpa,
		 (unsigned long long)x->kernel.end_gpa);
	return 0;
}

static const char *cpl0_int_path(enum host_probe_result fails)
{
	switch (fails) {
	case HOST_PROBE_YES:
		return "fails in KVM (probed), delivered by irqvm";
	case HOST_PROBE_NO:
		return "run by KVM (probed); irqvm delivers it if KVM ever cannot";
	default:
		return "not probed; irqvm delivers it if KVM cannot";
	}
}

int arch_vm_start(struct vm *vm, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	(void)err; /* nothing here can fail: the irqchip was set up and probed at create */
	(void)errlen;
	log_info("host: %s", x->host.name);
	log_info("host facts: CPUID hypervisor %s%s%s; %s", x->host.signature[0] ? "\"" : "",
		 x->host.signature[0] ? x->host.signature : "bit clear",
		 x->host.signature[0] ? "\"" : "", x->host.module_why);
	log_info("host paths: %s irqchip, %s%s, CPL0 int n %s",
		 x->split ? "split" : "kernel",
		 x->paths.eoi_probe_ran ? (x->paths.eoi_at_injection ?
			"level EOI reported at injection (untrusted, rechecked)" :
			"level EOI reported at guest EOI") : "EOI timing not probed",
		 x->paths.isr_clear_in_handler ? ", LAPIC ISR clear in handlers (auto-EOI)" : "",
		 cpl0_int_path(x->paths.cpl0_int_fails));
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
	struct x86_vm *x = vm->arch;
	if (!x)
		return;
	x86_pit_destroy(vm);
	x86_irqchip_destroy(vm);
	free(x->cpuid);
	pthread_mutex_destroy(&x->irqchip_lock);
	free(x);
	vm->arch = NULL;
}
