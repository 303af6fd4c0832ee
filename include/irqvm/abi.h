/* SPDX-License-Identifier: MIT */
/*
 * The contract between irqvm (the VMM) and a guest kernel: boot protocol,
 * port map and register layouts of irqvm's own devices. Included by both
 * the VMM (hosted C11) and the guest kernel (freestanding), so it uses only
 * fixed-width types and no library calls.
 *
 * docs/boot-protocol.md describes the same things in prose.
 */
#ifndef IRQVM_ABI_H
#define IRQVM_ABI_H

#include <stdint.h>

/* ---------------------------------------------------------------------
 * x86-64 boot protocol
 *
 * The VMM loads the guest kernel (ELF64, EM_X86_64, PT_LOAD segments at
 * their physical addresses) and starts the bootstrap processor directly in
 * 64-bit long mode:
 *   - CR0 = PE|MP|ET|NE|WP|PG, CR4 = PAE|PGE, EFER = LME|LMA|SCE|NXE
 *   - CR3 -> VMM-built page tables identity-mapping [0, 4 GiB) with 2 MiB
 *     pages, read/write, supervisor only.
 *   - a VMM-built GDT: 0x08 = 64-bit code, 0x10 = data. The guest is
 *     expected to load its own GDT/IDT/TSS.
 *   - RIP = ELF entry, RSP = top of the boot stack (16-byte aligned, minus 8
 *     so that the entry sees the ABI's "just called" alignment),
 *     RDI = guest-physical address of struct irqvm_boot_info,
 *     RSI = 0 (CPU index), RFLAGS = 0x2 (interrupts disabled).
 *
 * Application processors do not run until the guest asks: it writes the
 * start request to the platform device (IRQVM_PLAT_*), and the VMM starts
 * that vCPU in the same long-mode state with the given RIP/RSP/RDI and
 * RSI = CPU index. INIT/SIPI through the local APIC works as well where
 * the irqchip mode allows it.
 * ------------------------------------------------------------------- */

#define IRQVM_BOOT_MAGIC 0x56515249u /* "IRQV" little-endian */
#define IRQVM_BOOT_VERSION 1u

/* Fixed guest-physical layout below 1 MiB reserved by the VMM. */
#define IRQVM_X86_GDT_GPA 0x1000ull
#define IRQVM_X86_PML4_GPA 0x2000ull
#define IRQVM_X86_PDPT_GPA 0x3000ull
#define IRQVM_X86_PD_GPA 0x4000ull /* four pages: 0x4000..0x7fff */
#define IRQVM_X86_BOOTINFO_GPA 0x8000ull
#define IRQVM_X86_CMDLINE_GPA 0x9000ull
#define IRQVM_X86_CMDLINE_MAX 4096u
#define IRQVM_X86_BOOT_STACK_TOP 0x80000ull
#define IRQVM_X86_KERNEL_MIN_GPA 0x100000ull /* segments must start here or above */

/* 32-bit MMIO hole: RAM above this is relocated above 4 GiB (not used by
 * the bundled guest, which asks for < 3 GiB). */
#define IRQVM_X86_MMIO_HOLE_START 0xc0000000ull
#define IRQVM_X86_IOAPIC_GPA 0xfec00000ull
#define IRQVM_X86_LAPIC_GPA 0xfee00000ull

#define IRQVM_MAX_VCPUS 8u
#define IRQVM_MAX_MEM_REGIONS 4u

enum irqvm_irqchip_mode {
	IRQVM_IRQCHIP_SPLIT = 1,  /* userspace PIC + IOAPIC, LAPIC in KVM */
	IRQVM_IRQCHIP_KERNEL = 2, /* everything in KVM (baseline) */
	IRQVM_IRQCHIP_PLIC = 3,   /* RISC-V: userspace PLIC */
	IRQVM_IRQCHIP_AIA = 4,    /* RISC-V: in-kernel AIA */
};

/* Host facts the guest may adapt to. Each is set only when the VMM found
 * the quirk by fact (a probe's result or the identified platform), never by
 * assumption; docs/boot-protocol.md says how each is found. */
#define IRQVM_HOSTF_CPL0_INT_EMULATED (1u << 0) /* probed: KVM cannot run CPL0 int n, irqvm delivers it */
#define IRQVM_HOSTF_EOI_AT_INJECTION (1u << 1)  /* probed: LAPIC EOI exit arrives at injection */
#define IRQVM_HOSTF_NESTED_PVM (1u << 2)        /* /dev/kvm is provided by kvm_pvm */

/* boot_info.platform: what kind of host the VMM identified (from CPUID
 * hypervisor leaves and the KVM module, never from timing). 0 is also what
 * a guest reads from a VMM that predates the field. */
enum irqvm_host_platform {
	IRQVM_PLATFORM_UNKNOWN = 0,
	IRQVM_PLATFORM_BARE_METAL = 1,    /* no hypervisor below the KVM host */
	IRQVM_PLATFORM_NESTED_KVM = 2,    /* the KVM host is a KVM guest ("KVMKVMKVM") */
	IRQVM_PLATFORM_NESTED_TCG = 3,    /* the KVM host is a QEMU TCG guest ("TCGTCGTCGTCG") */
	IRQVM_PLATFORM_NESTED_HYPERV = 4, /* "Microsoft Hv" */
	IRQVM_PLATFORM_NESTED_VMWARE = 5, /* "VMwareVMware" */
	IRQVM_PLATFORM_NESTED_OTHER = 6,  /* hypervisor bit set, another signature */
	IRQVM_PLATFORM_NESTED_PVM = 7,    /* /dev/kvm is kvm_pvm's (nested "PVM" KVM) */
};

/* boot_info.kvm_module: the vendor module that provides /dev/kvm. */
enum irqvm_kvm_module {
	IRQVM_KVM_MODULE_UNKNOWN = 0,
	IRQVM_KVM_MODULE_AMD = 1,   /* kvm_amd (SVM) */
	IRQVM_KVM_MODULE_INTEL = 2, /* kvm_intel (VMX) */
	IRQVM_KVM_MODULE_PVM = 3,   /* kvm_pvm */
};

/* Devices present (boot_info.devices). */
#define IRQVM_DEV_UART (1u << 0)
#define IRQVM_DEV_EXIT (1u << 1)
#define IRQVM_DEV_TESTDEV (1u << 2)
#define IRQVM_DEV_PIT (1u << 3)
#define IRQVM_DEV_PIC (1u << 4)
#define IRQVM_DEV_IOAPIC (1u << 5)
#define IRQVM_DEV_PLATFORM (1u << 6)

struct irqvm_mem_region {
	uint64_t base;
	uint64_t size;
};

struct irqvm_boot_info {
	uint32_t magic;   /* IRQVM_BOOT_MAGIC */
	uint32_t version; /* IRQVM_BOOT_VERSION */
	uint32_t size;    /* sizeof(struct irqvm_boot_info) as the VMM knows it */
	uint32_t nr_cpus;
	uint64_t mem_size; /* total guest RAM in bytes */
	uint32_t nr_mem_regions;
	uint32_t irqchip; /* enum irqvm_irqchip_mode */
	struct irqvm_mem_region mem[IRQVM_MAX_MEM_REGIONS];
	uint64_t cmdline_gpa; /* NUL-terminated */
	uint32_t cmdline_len; /* without the NUL */
	uint32_t devices;     /* IRQVM_DEV_* */
	uint32_t host_flags;  /* IRQVM_HOSTF_* */
	uint32_t apic_ids[IRQVM_MAX_VCPUS];
	uint32_t reserved0; /* explicit padding: same layout for 32- and 64-bit producers */
	uint64_t tsc_khz; /* 0 if unknown */
	uint64_t kernel_end_gpa; /* first byte after the highest loaded segment */
	/* Added after the first release of version 1 (size 168 -> 176): a
	 * guest reads them only when `size` covers them, an older guest never
	 * looks, so the version stays 1. */
	uint32_t platform;   /* enum irqvm_host_platform */
	uint32_t kvm_module; /* enum irqvm_kvm_module */
};

/* ---------------------------------------------------------------------
 * x86 I/O port map
 * ------------------------------------------------------------------- */
#define IRQVM_PORT_PIC_MASTER 0x20   /* 0x20-0x21 */
#define IRQVM_PORT_PIC_SLAVE 0xa0    /* 0xa0-0xa1 */
#define IRQVM_PORT_ELCR 0x4d0        /* 0x4d0-0x4d1 */
#define IRQVM_PORT_PIT 0x40          /* 0x40-0x43 */
#define IRQVM_PORT_SYSCTL_B 0x61     /* PIT gate / speaker */
#define IRQVM_PORT_UART0 0x3f8       /* 0x3f8-0x3ff, IRQ 4 */
#define IRQVM_UART0_IRQ 4u
#define IRQVM_PORT_DEBUG_EXIT 0xf4   /* QEMU isa-debug-exit compatible */

/* QEMU pc-testdev compatible IRQ line ports: a byte write of v to
 * IRQVM_PORT_TESTDEV_IRQ + n sets GSI n to (v != 0). */
#define IRQVM_PORT_TESTDEV_IRQ 0x2000
#define IRQVM_TESTDEV_NR_LINES 24u

/* irqvm extensions to the test device (32-bit accesses). */
#define IRQVM_PORT_TESTDEV_EXT 0x2040
#define IRQVM_TESTDEV_MSI_ADDR_LO 0x00 /* rw */
#define IRQVM_TESTDEV_MSI_ADDR_HI 0x04 /* rw */
#define IRQVM_TESTDEV_MSI_DATA 0x08    /* rw */
#define IRQVM_TESTDEV_MSI_FIRE 0x0c    /* w: deliver the MSI above; r: count delivered */
#define IRQVM_TESTDEV_PULSE 0x10       /* w: pulse GSI (value) low->high->low */
#define IRQVM_TESTDEV_STATUS 0x14      /* r: last error (0 = ok), see IRQVM_TESTDEV_ERR_* */
/* A storm generator in the VMM, so a guest can storm itself: COUNT events,
 * PERIOD_NS apart (0 = back to back), of KIND (line pulses on GSI ARG, or
 * the MSI in MSI_ADDR/MSI_DATA as latched at START). Writing 1 to CTRL
 * starts it (a running storm is restarted), 0 stops it; CTRL reads 1 while
 * running. SENT counts the events of the current or last storm. */
#define IRQVM_TESTDEV_STORM_KIND 0x18   /* rw: IRQVM_TESTDEV_STORM_* */
#define IRQVM_TESTDEV_STORM_ARG 0x1c    /* rw: line for line storms */
#define IRQVM_TESTDEV_STORM_COUNT 0x20  /* rw: number of events */
#define IRQVM_TESTDEV_STORM_PERIOD 0x24 /* rw: ns between events */
#define IRQVM_TESTDEV_STORM_CTRL 0x28   /* w: 1 start, 0 stop; r: running */
#define IRQVM_TESTDEV_STORM_SENT 0x2c   /* r: events sent */
#define IRQVM_TESTDEV_EXT_SIZE 0x40

#define IRQVM_TESTDEV_STORM_PULSE 0u /* pulse line ARG */
#define IRQVM_TESTDEV_STORM_MSI 1u   /* send the latched MSI */

#define IRQVM_TESTDEV_ERR_NONE 0u
#define IRQVM_TESTDEV_ERR_BAD_LINE 1u
#define IRQVM_TESTDEV_ERR_BAD_MSI 2u
#define IRQVM_TESTDEV_ERR_NO_MSI 3u /* irqchip mode cannot deliver MSIs */

/* Platform device: irqvm's paravirtual board controller (32-bit accesses). */
#define IRQVM_PORT_PLATFORM 0x0700
#define IRQVM_PLAT_ID 0x00        /* r: IRQVM_PLAT_ID_VALUE */
#define IRQVM_PLAT_ARG_LO 0x08    /* w: 32-bit halves of a 64-bit argument */
#define IRQVM_PLAT_ARG_HI 0x0c
#define IRQVM_PLAT_CMD 0x10       /* w: command (IRQVM_PLAT_CMD_*), r: status */
#define IRQVM_PLAT_RESULT_LO 0x14 /* r: 64-bit result of the last command */
#define IRQVM_PLAT_RESULT_HI 0x18
#define IRQVM_PLATFORM_SIZE 0x20
#define IRQVM_PLAT_ID_VALUE 0x51524956u /* "VIRQ" */

/* Commands. Arguments are latched with ARG_LO/ARG_HI followed by a write of
 * IRQVM_PLAT_CMD_PUSH_ARG (at most IRQVM_PLAT_MAX_ARGS). */
#define IRQVM_PLAT_CMD_RESET_ARGS 0u
#define IRQVM_PLAT_CMD_PUSH_ARG 1u
#define IRQVM_PLAT_CMD_CPU_START 2u  /* args: cpu, rip, rsp, rdi */
#define IRQVM_PLAT_CMD_HOST_NS 3u    /* result: host CLOCK_MONOTONIC ns */
#define IRQVM_PLAT_CMD_GSTATS_REGISTER 4u /* args: gpa, size (0: unregister); see guest_stats.h */
#define IRQVM_PLAT_MAX_ARGS 8u

#define IRQVM_PLAT_STATUS_OK 0u
#define IRQVM_PLAT_STATUS_EINVAL 1u
#define IRQVM_PLAT_STATUS_EBUSY 2u

_Static_assert(sizeof(struct irqvm_boot_info) == 176, "boot info layout is ABI");
_Static_assert(__builtin_offsetof(struct irqvm_boot_info, platform) == 168,
	       "fields are only ever appended");

#endif /* IRQVM_ABI_H */
