/* SPDX-License-Identifier: MIT */
/*
 * A minimal "serve" guest for the control-socket tests (tests/suites/control.sh):
 * it stays alive, counts every interrupt vector it takes and fills the guest
 * statistics page (include/irqvm/guest_stats.h) so the VMM's accounting can be
 * checked end to end while the bundled guest kernel has no serve mode yet.
 *
 * Interrupt set-up (fixed, the tests rely on it):
 *   IOAPIC pin 5  edge,  vector 0x55, CPU 0
 *   IOAPIC pin 10 edge,  vector 0x5a, last CPU
 *   IOAPIC pin 11 level, vector 0x5b, CPU 0
 *   PIC IRQ 3 (master) vector 0x33 and IRQ 9 (slave) vector 0x39; their
 *   IOAPIC pins stay masked, so those lines go the PIC/ExtINT way
 *   every other pin and PIC input masked (gsi:6 is the "dropped" line)
 *   NMI counted as vector 2; LAPIC timer (vector 0xec) refreshes the clock
 *   sync once a second; every other vector 0x20-0xff is counted too.
 * Command line: "ring3" runs a CPL3 loop on CPU 0 that advances ring3_ticks.
 *
 * Built with the guest kernel's flags (no SSE, no red zone); every CPL0
 * instruction is emulated on the development hosts, so handlers are short.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <irqvm/abi.h>
#include <irqvm/guest_stats.h>

#define LAPIC 0xfee00000ul
#define IOAPIC 0xfec00000ul
#define RING 256u
#define STRIDE 6208u /* IRQVM_GSTATS_CPU_BYTES(256), a multiple of 64 */
#define TIMER_VECTOR 0xec

void stub_main(const struct irqvm_boot_info *bi);
void ap_main(uint64_t cpu);
void handle_irq(uint64_t vector, uint64_t tsc);
void fatal(uint64_t vector);

static uint8_t page[128 + IRQVM_GSTATS_MAX_CPUS * STRIDE] __attribute__((aligned(4096)));
static uint8_t ap_stacks[IRQVM_GSTATS_MAX_CPUS][8192] __attribute__((aligned(16)));
static uint8_t kstack[16384] __attribute__((aligned(16)));
static uint8_t ustack[16384] __attribute__((aligned(16)));
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t idt[512] __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16)));
static uint32_t tss[26] __attribute__((aligned(16)));
extern const uint8_t irq_stubs[];

#define HDR ((volatile struct irqvm_gstats_header *)page)

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return (uint64_t)hi << 32 | lo; }
static inline void mmio_w(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r(uintptr_t a) { return *(volatile uint32_t *)a; }
#define barrier() __asm__ volatile("" ::: "memory")

/* Stubs: 16 bytes each, "push $vector; jmp common", for vectors 0..255. */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"  and $-16, %rsp\n"
	"  call stub_main\n"
	"1: hlt\n"
	"  jmp 1b\n"
	".global ap_entry\n"
	"ap_entry:\n"
	"  mov %rsi, %rdi\n"
	"  call ap_main\n"
	"2: hlt\n"
	"  jmp 2b\n"
	".balign 16\n"
	".global irq_stubs\n"
	"irq_stubs:\n"
	".set v, 0\n"
	".rept 256\n"
	"  .balign 16\n"
	"  pushq $v\n"
	"  jmp irq_common\n"
	"  .set v, v + 1\n"
	".endr\n"
	"irq_common:\n"
	"  push %rax; push %rcx; push %rdx; push %rsi; push %rdi\n"
	"  push %r8; push %r9; push %r10; push %r11\n"
	"  rdtsc\n"
	"  shl $32, %rdx\n"
	"  or %rax, %rdx\n"
	"  mov %rdx, %rsi\n"
	"  mov 72(%rsp), %rdi\n"
	"  sub $8, %rsp\n"
	"  call handle_irq\n"
	"  add $8, %rsp\n"
	"  pop %r11; pop %r10; pop %r9; pop %r8\n"
	"  pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax\n"
	"  add $8, %rsp\n"
	"  iretq\n");

static void set_gate(unsigned v, int dpl)
{
	uint64_t addr = (uint64_t)(uintptr_t)irq_stubs + v * 16;
	idt[2 * v] = (addr & 0xffff) | (0x08ull << 16) | ((0x8eull | (uint64_t)dpl << 5) << 40) |
		     ((addr >> 16) & 0xffff) << 48;
	idt[2 * v + 1] = addr >> 32;
}

static void load_idt(void)
{
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" :: "m"(d));
}

static void lapic_on(void)
{
	mmio_w(LAPIC + 0x80, 0);        /* TPR: take everything */
	mmio_w(LAPIC + 0xf0, 0x1ff);    /* SVR: enabled, spurious vector 0xff */
	mmio_w(LAPIC + 0x360, 0x400);   /* LVT1: NMI */
}

static volatile uint8_t *cpu_blk(unsigned cpu)
{
	return page + 128 + (uint64_t)cpu * STRIDE;
}

void handle_irq(uint64_t vector, uint64_t tsc)
{
	if (vector < 32 && vector != 2)
		fatal(vector);
	unsigned cpu = mmio_r(LAPIC + 0x20) >> 24;
	if (cpu >= IRQVM_GSTATS_MAX_CPUS)
		cpu = 0;
	volatile struct irqvm_gstats_cpu *c = (volatile struct irqvm_gstats_cpu *)cpu_blk(cpu);
	volatile struct irqvm_gstats_sample *ring = (volatile struct irqvm_gstats_sample *)(c + 1);
	uint64_t i = __atomic_fetch_add(&c->samples, 1, __ATOMIC_RELAXED);
	volatile struct irqvm_gstats_sample *s = &ring[i & (RING - 1)];
	s->seq = 0;
	barrier();
	s->tsc = tsc;
	s->vector = (uint32_t)vector;
	barrier();
	s->seq = (uint32_t)(i + 1);
	/* After the sample: a VMM pacing by this count finds the entry claimed. */
	__atomic_fetch_add(&c->handled[vector], 1, __ATOMIC_RELEASE);
	if (vector >= 0x30 && vector < 0x40) {
		if (vector >= 0x38)
			outb(0xa0, 0x20);
		outb(0x20, 0x20); /* PIC non-specific EOI */
	} else if (vector != 2 && vector != 0xff) {
		mmio_w(LAPIC + 0xb0, 0);
	}
	if (vector == TIMER_VECTOR && cpu == 0) {
		/* Refresh the clock sync (seqlock: odd while writing). */
		uint64_t t0 = rdtsc();
		outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_HOST_NS);
		uint64_t t1 = rdtsc();
		uint64_t ns = inl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_RESULT_LO) |
			      (uint64_t)inl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_RESULT_HI) << 32;
		HDR->sync_gen++;
		barrier();
		HDR->sync_tsc = t0 + (t1 - t0) / 2;
		HDR->sync_host_ns = ns;
		HDR->sync_err_tsc = (t1 - t0) / 2;
		barrier();
		HDR->sync_gen++;
	}
}

void fatal(uint64_t vector)
{
	const char *m = "stub: unexpected exception\n";
	while (*m)
		outb(IRQVM_PORT_UART0, (uint8_t)*m++);
	outb(IRQVM_PORT_DEBUG_EXIT, (uint8_t)(0x40 + vector));
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void plat_arg(uint64_t v)
{
	outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_ARG_LO, (uint32_t)v);
	outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_ARG_HI, (uint32_t)(v >> 32));
	outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_PUSH_ARG);
}

static void ioapic_route(unsigned pin, unsigned vector, unsigned cpu, bool level)
{
	mmio_w(IOAPIC, 0x11 + 2 * pin);
	mmio_w(IOAPIC + 0x10, cpu << 24);
	mmio_w(IOAPIC, 0x10 + 2 * pin);
	mmio_w(IOAPIC + 0x10, vector | (level ? 1u << 15 : 0));
}

static void pic_setup(void)
{
	static const uint8_t seq[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
		{ 0x21, (uint8_t)~((1u << 3) | (1u << 2)) }, /* IRQ3 and the cascade */
		{ 0xa1, (uint8_t)~(1u << 1) },               /* IRQ9 */
	};
	for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		outb(seq[i][0], seq[i][1]);
}

static bool cmdline_has(const struct irqvm_boot_info *bi, const char *word)
{
	const char *s = (const char *)(uintptr_t)bi->cmdline_gpa;
	size_t n = 0;
	while (word[n])
		n++;
	for (uint32_t i = 0; i + n <= bi->cmdline_len; i++) {
		size_t k = 0;
		while (k < n && s[i + k] == word[k])
			k++;
		if (k == n && (i == 0 || s[i - 1] == ' ') && (s[i + n] == ' ' || s[i + n] == 0))
			return true;
	}
	return false;
}

static void ring3_loop(void)
{
	for (;;)
		__atomic_fetch_add(&HDR->ring3_ticks, 1, __ATOMIC_RELAXED);
}

/* Own page tables (user-accessible), GDT with user segments and a TSS, then iretq to CPL3. */
static void enter_ring3(void)
{
	for (unsigned i = 0; i < 4; i++) {
		pdpt[i] = (uint64_t)(uintptr_t)pd[i] | 7;
		for (unsigned j = 0; j < 512; j++)
			pd[i][j] = ((uint64_t)i << 30) + ((uint64_t)j << 21) + 0x87;
	}
	pml4[0] = (uint64_t)(uintptr_t)pdpt | 7;
	__asm__ volatile("mov %0, %%cr3" :: "r"((uint64_t)(uintptr_t)pml4) : "memory");
	uint64_t rsp0 = (uint64_t)(uintptr_t)(kstack + sizeof(kstack));
	tss[1] = (uint32_t)rsp0;
	tss[2] = (uint32_t)(rsp0 >> 32);
	tss[25] = 104u << 16; /* no I/O bitmap */
	uint64_t tb = (uint64_t)(uintptr_t)tss;
	gdt[1] = 0x00af9a000000ffffull; /* 0x08 kernel code */
	gdt[2] = 0x00cf92000000ffffull; /* 0x10 kernel data */
	gdt[3] = 0x00cff2000000ffffull; /* 0x18 user data */
	gdt[4] = 0x00affa000000ffffull; /* 0x20 user code */
	gdt[5] = 103 | (tb & 0xffffff) << 16 | 0x89ull << 40 | ((tb >> 24) & 0xff) << 56;
	gdt[6] = tb >> 32;
	struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	__asm__ volatile("lgdt %0; ltr %w1" :: "m"(d), "r"(0x28) : "memory");
	uint64_t usp = (uint64_t)(uintptr_t)(ustack + sizeof(ustack));
	__asm__ volatile("pushq $0x1b; pushq %0; pushq $0x202; pushq $0x23; pushq %1; iretq"
			 :: "r"(usp), "r"((uint64_t)(uintptr_t)ring3_loop) : "memory");
}

void ap_main(uint64_t cpu)
{
	(void)cpu;
	load_idt();
	lapic_on();
	for (;;)
		__asm__ volatile("sti; hlt");
}

extern const uint8_t ap_entry[];

void stub_main(const struct irqvm_boot_info *bi)
{
	unsigned ncpu = bi->nr_cpus ? bi->nr_cpus : 1;
	if (ncpu > IRQVM_GSTATS_MAX_CPUS)
		ncpu = IRQVM_GSTATS_MAX_CPUS;
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, 0);
	load_idt();
	lapic_on();
	mmio_w(LAPIC + 0x350, 0x700); /* LVT0: ExtINT, the PIC's virtual wire */

	HDR->magic = IRQVM_GSTATS_MAGIC;
	HDR->version = IRQVM_GSTATS_VERSION;
	HDR->header_size = 128;
	HDR->nr_cpus = ncpu;
	HDR->cpu_stride = STRIDE;
	HDR->ring_entries = RING;
	bool ring3 = cmdline_has(bi, "ring3");
	HDR->flags = IRQVM_GSTATS_F_SAMPLES; /* SERVE once everything is set up */
	HDR->tsc_khz = bi->tsc_khz;
	outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_RESET_ARGS);
	plat_arg((uint64_t)(uintptr_t)page);
	plat_arg(sizeof(page));
	outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_GSTATS_REGISTER);
	if (inl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_CMD) != IRQVM_PLAT_STATUS_OK)
		fatal(31);

	pic_setup();
	ioapic_route(5, 0x55, 0, false);
	ioapic_route(10, 0x5a, ncpu - 1, false);
	ioapic_route(11, 0x5b, 0, true);
	/* LAPIC timer: periodic, divide by 16; KVM's APIC bus runs at 1 GHz. */
	mmio_w(LAPIC + 0x3e0, 0x3);
	mmio_w(LAPIC + 0x320, TIMER_VECTOR | (1u << 17));
	mmio_w(LAPIC + 0x380, 62500000);
	handle_irq(TIMER_VECTOR, rdtsc()); /* first sync now (counts one timer tick) */

	for (unsigned c = 1; c < ncpu; c++) {
		outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_RESET_ARGS);
		plat_arg(c);
		plat_arg((uint64_t)(uintptr_t)ap_entry);
		plat_arg((uint64_t)(uintptr_t)(ap_stacks[c] + sizeof(ap_stacks[c])));
		plat_arg(0);
		outl(IRQVM_PORT_PLATFORM + IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_CPU_START);
	}
	/* The APs report in by taking their first interrupt: wait for that. */
	for (unsigned c = 1; c < ncpu; c++) {
		while (!__atomic_load_n(&((volatile struct irqvm_gstats_cpu *)cpu_blk(c))->handled[0xfd],
					__ATOMIC_ACQUIRE)) {
			mmio_w(LAPIC + 0x310, c << 24);
			mmio_w(LAPIC + 0x300, 0xfd); /* fixed IPI, vector 0xfd */
			for (volatile int i = 0; i < 100; i++)
				;
		}
	}
	HDR->flags = IRQVM_GSTATS_F_SAMPLES | IRQVM_GSTATS_F_SERVE | (ring3 ? IRQVM_GSTATS_F_RING3 : 0);
	const char *m = "stub: serving\n";
	while (*m)
		outb(IRQVM_PORT_UART0, (uint8_t)*m++);
	if (ring3)
		enter_ring3();
	for (;;)
		__asm__ volatile("sti; hlt");
}
