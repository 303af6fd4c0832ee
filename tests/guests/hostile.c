/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest: thousands of pseudo-random port and MMIO accesses of
 * every size to every device irqvm has (and to addresses where it has
 * none), junk commands to the platform and test devices, then a clean exit
 * with value 0 through the exit device. irqvm must neither crash nor stop
 * the VM: tests/suites/vmm.sh runs it (also under valgrind) and expects 0.
 *
 * The guest never enables interrupts and has no IDT, so it avoids only the
 * accesses that would legitimately end *itself*: NMI/INIT/SMI messages
 * (it keeps IOAPIC entries masked while lines move, sends only fixed-mode
 * MSIs) and starting an AP at a junk address. Everything else is fair game.
 * Entered in long mode per include/irqvm/abi.h; built freestanding.
 */
#include <stdbool.h>
#include <stdint.h>

#include <irqvm/abi.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure can be replayed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void puts_uart(const char *s)
{
	while (*s)
		outb(IRQVM_PORT_UART0, (uint8_t)*s++);
}

/* One random access of a random size (1, 2 or 4) at port. */
static void poke_port(uint16_t port)
{
	uint32_t v = rnd();
	switch (rnd() % 6) {
	case 0: outb(port, (uint8_t)v); break;
	case 1: outw(port, (uint16_t)v); break;
	case 2: outl(port, v); break;
	case 3: (void)inb(port); break;
	case 4: (void)inw(port); break;
	default: (void)inl(port); break;
	}
}

static void poke_mmio(uint64_t addr)
{
	volatile uint8_t *p = (volatile uint8_t *)addr;
	uint64_t v = (uint64_t)rnd() << 32 | rnd();
	switch (rnd() % 8) {
	case 0: *p = (uint8_t)v; break;
	case 1: *(volatile uint16_t *)p = (uint16_t)v; break;
	case 2: *(volatile uint32_t *)p = (uint32_t)v; break;
	case 3: *(volatile uint64_t *)p = v; break;
	case 4: (void)*p; break;
	case 5: (void)*(volatile uint16_t *)p; break;
	case 6: (void)*(volatile uint32_t *)p; break;
	default: (void)*(volatile uint64_t *)p; break;
	}
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(IRQVM_X86_IOAPIC_GPA + 0x00) = reg;
	*(volatile uint32_t *)(IRQVM_X86_IOAPIC_GPA + 0x10) = v;
}

static void ioapic_mask_all(void)
{
	for (uint32_t pin = 0; pin < 24; pin++) {
		ioapic_write(0x10 + 2 * pin, 1u << 16); /* masked, fixed, vector 0 */
		ioapic_write(0x11 + 2 * pin, 0);
	}
}

static void ext_write(uint32_t reg, uint32_t v)
{
	outl((uint16_t)(IRQVM_PORT_TESTDEV_EXT + reg), v);
}

static void plat(uint32_t reg, uint32_t v)
{
	outl((uint16_t)(IRQVM_PORT_PLATFORM + reg), v);
}

/* Ports of every x86 device irqvm registers, and some it does not. */
static const struct { uint16_t base, len; } port_ranges[] = {
	{ IRQVM_PORT_PIC_MASTER, 2 }, { IRQVM_PORT_PIC_SLAVE, 2 }, { IRQVM_PORT_ELCR, 2 },
	{ IRQVM_PORT_PIT, 4 }, { IRQVM_PORT_SYSCTL_B, 1 }, { IRQVM_PORT_UART0, 8 },
	{ IRQVM_PORT_TESTDEV_IRQ, IRQVM_TESTDEV_NR_LINES + 8 },
	{ IRQVM_PORT_PLATFORM + IRQVM_PLAT_ARG_LO, 8 }, /* not CMD: see platform_junk() */
	{ 0x80, 1 }, { 0x3000, 16 }, { 0xfff0, 16 },
};

static void fuzz_ports(unsigned rounds)
{
	const unsigned n = sizeof(port_ranges) / sizeof(port_ranges[0]);
	for (unsigned i = 0; i < rounds; i++) {
		unsigned r = rnd() % n;
		poke_port((uint16_t)(port_ranges[r].base + rnd() % port_ranges[r].len));
	}
}

static void fuzz_ioapic(unsigned rounds)
{
	for (unsigned i = 0; i < rounds; i++) {
		if (rnd() % 2)
			poke_mmio(IRQVM_X86_IOAPIC_GPA + rnd() % 0x1000);
		else
			ioapic_write(rnd() & 0xff, rnd());
	}
}

static void platform_junk(void)
{
	plat(IRQVM_PLAT_CMD, 0xdeadbeef);        /* unknown command */
	plat(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_CPU_START); /* no arguments */
	for (unsigned i = 0; i < 20; i++) {      /* more arguments than it holds */
		plat(IRQVM_PLAT_ARG_LO, rnd());
		plat(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_PUSH_ARG);
	}
	plat(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_CPU_START);
	const uint32_t bad_cpus[] = { 0, IRQVM_MAX_VCPUS, 0xffffffffu, 1000 };
	for (unsigned i = 0; i < 4; i++) { /* CPU 0 is running; the others do not exist */
		plat(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_RESET_ARGS);
		for (unsigned a = 0; a < 4; a++) {
			plat(IRQVM_PLAT_ARG_LO, a == 0 ? bad_cpus[i] : rnd());
			plat(IRQVM_PLAT_ARG_HI, a == 0 ? 0 : rnd());
			plat(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_PUSH_ARG);
		}
		plat(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_CPU_START);
	}
	plat(IRQVM_PLAT_CMD, IRQVM_PLAT_CMD_HOST_NS);
}

static void testdev_junk(void)
{
	/* MSIs to junk addresses (refused) and fixed-mode ones (left pending, IF=0). */
	for (unsigned i = 0; i < 200; i++) {
		bool junk_addr = rnd() % 2;
		ext_write(IRQVM_TESTDEV_MSI_ADDR_LO, junk_addr ? rnd() : 0xfee00000u | (rnd() & 0xff000));
		ext_write(IRQVM_TESTDEV_MSI_ADDR_HI, junk_addr ? rnd() : 0);
		ext_write(IRQVM_TESTDEV_MSI_DATA, 16 + rnd() % 240); /* fixed, edge */
		ext_write(IRQVM_TESTDEV_MSI_FIRE, rnd());
	}
	for (unsigned i = 0; i < 100; i++)
		ext_write(IRQVM_TESTDEV_PULSE, rnd() % 64); /* some lines exist, most do not */
	/* Storms: junk kind and line, then a real one stopped half-way, then a
	 * restart of a running storm. */
	ext_write(IRQVM_TESTDEV_STORM_KIND, 77);
	ext_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	ext_write(IRQVM_TESTDEV_STORM_KIND, IRQVM_TESTDEV_STORM_PULSE);
	ext_write(IRQVM_TESTDEV_STORM_ARG, 1000);
	ext_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	ext_write(IRQVM_TESTDEV_STORM_ARG, 5);
	ext_write(IRQVM_TESTDEV_STORM_COUNT, 0xffffffffu);
	ext_write(IRQVM_TESTDEV_STORM_PERIOD, 1000);
	ext_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	ext_write(IRQVM_TESTDEV_STORM_CTRL, 1);
	for (unsigned i = 0; i < 50; i++)
		(void)inl(IRQVM_PORT_TESTDEV_EXT + IRQVM_TESTDEV_STORM_SENT);
	ext_write(IRQVM_TESTDEV_STORM_CTRL, 0);
	ext_write(IRQVM_TESTDEV_STORM_CTRL, 0);
}

void _start(void);
void _start(void)
{
	puts_uart("hostile guest: start\n");
	fuzz_ioapic(3000);
	ioapic_mask_all();
	fuzz_ports(20000);
	platform_junk();
	testdev_junk();
	fuzz_ioapic(1000);
	ioapic_mask_all();
	for (unsigned i = 0; i < 2000; i++) /* MMIO where nothing is */
		poke_mmio(0xfed00000ull + (rnd() % 0x100000));
	/* The fuzzing left the UART in any state: back to 8N1, no loopback. */
	outb(IRQVM_PORT_UART0 + 3, 0x03); /* LCR: DLAB off */
	outb(IRQVM_PORT_UART0 + 4, 0x00); /* MCR: loopback off */
	outb(IRQVM_PORT_UART0 + 2, 0x07); /* FCR: FIFOs on, cleared */
	puts_uart("\nhostile guest: irqvm survived\n");
	outl(IRQVM_PORT_DEBUG_EXIT, 0);
	for (;;)
		__asm__ volatile("hlt");
}
