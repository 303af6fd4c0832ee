/* SPDX-License-Identifier: MIT */
/*
 * x86 interrupt wiring (docs/irqchip.md tells the same story for users).
 *
 * irqchip "split": KVM keeps the local APICs; the 8259A pair and the IOAPIC
 * are the models in irqchip/, serialised by x86_vm.irqchip_lock.
 *   line n (QEMU PC numbering) -> PIC input n (n < 16, n != 2: IR2 is the
 *   cascade) and IOAPIC pin n, except ISA IRQ0 -> pin 2 (the MADT
 *   interrupt source override every PC has); lines 0 and 2 are wired-OR
 *   on pin 2.
 *   PIC INT -> BSP LINT0 (ExtINT, "virtual wire A"): injected with
 *   KVM_INTERRUPT from the BSP thread when KVM says it can take one,
 *   otherwise an interrupt window is requested. PIC INT also reaches
 *   IOAPIC pin 0 ("virtual wire B"); an ExtINT message from the IOAPIC is
 *   not forwarded, since the PIC vector already arrives through LINT0.
 *   IOAPIC messages -> KVM_SIGNAL_MSI. Every redirection entry, masked or
 *   not, is mirrored into a KVM GSI route so KVM knows which vectors are
 *   level-triggered and exits with KVM_EXIT_IOAPIC_EOI when the guest EOIs
 *   them (x86_routes.c).
 *
 * irqchip "kernel": KVM_CREATE_IRQCHIP (+ KVM_CREATE_PIT2) as a baseline;
 * lines go to KVM_IRQ_LINE through a routing table with the same numbering.
 */
#include "vmm/arch/x86/x86.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/core/event_loop.h"
#include "vmm/core/log.h"
#include "vmm/core/stats.h"

#define X86_NR_LINES IOAPIC_NUM_PINS

static unsigned line_to_pin(unsigned line)
{
	return line == 0 ? 2 : line;
}

/* KVM's verdict (vm->deliver_msi_status): >0 APICs that accepted, 0 refused, -1 undeliverable. */
static int signal_msi_status(struct vm *vm, uint64_t address, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)address,
		.address_hi = (uint32_t)(address >> 32),
		.data = data,
	};
	/* Only the architectural MSI window is a valid x86 MSI address. */
	if ((address & 0xfff00000ull) != 0xfee00000ull || address >> 32)
		return -1;
	int r = ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi);
	return r < 0 ? -1 : r;
}

static int signal_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	/* 0 means "not delivered to any APIC" (no matching destination), which
	 * is the guest's business, not an error of the request. */
	return signal_msi_status(vm, address, data) < 0 ? -1 : 0;
}

/* ---- split irqchip: callbacks from the models (irqchip_lock held) ---- */

static void pic_output_changed(void *opaque, bool level)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	x->pic_output = level;
	/* Inside the BSP's INTA cycle only note the level: the cycle may still
	 * be taken back, and the BSP passes the final level on right after it
	 * (inject_extint). */
	if (x->inta_cycle)
		return;
	ioapic_set_irq(&x->ioapic, 0, level);
	if (level)
		vcpu_request(&vm->vcpus[0], VCPU_REQ_IRQ);
}

static void ioapic_deliver(void *opaque, unsigned pin, const struct ioapic_msi *msg)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	unsigned mode = (msg->data >> IOAPIC_MSI_DATA_DM_SHIFT) & 7;
	(void)pin;
	if (mode == IOAPIC_DM_EXTINT) {
		x->extint_ignored++;
		x->last_msi_status = 0;
		return;
	}
	x->last_msi_status = signal_msi_status(vm, msg->address, msg->data);
	if (x->last_msi_status >= 0)
		x->msi_delivered++;
	else
		x->msi_failed++;
}

static int commit_routes(struct vm *vm)
{
	struct x86_vm *x = vm->arch;
	struct kvm_irq_routing *r = x->routes;
	x86_routes_fill(r, &x->ioapic, x->msi_routes, X86_MAX_MSI_ROUTES);
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0) {
		log_warn("KVM_SET_GSI_ROUTING: %s (level EOIs may not reach the IOAPIC)",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void ioapic_entry_changed(void *opaque, unsigned pin)
{
	(void)pin;
	commit_routes(opaque);
}

static uint64_t ioapic_now(void *opaque)
{
	(void)opaque;
	return monotonic_ns();
}

static void arm_recheck_timer(struct x86_vm *x)
{
	uint64_t earliest = 0;
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++)
		if (x->recheck_at[pin] && (!earliest || x->recheck_at[pin] < earliest))
			earliest = x->recheck_at[pin];
	if (x->recheck_timer)
		loop_timer_arm_at(x->recheck_timer, earliest);
}

static void ioapic_schedule_recheck(void *opaque, unsigned pin, uint64_t at_ns)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	if (pin >= IOAPIC_NUM_PINS)
		return;
	x->recheck_at[pin] = at_ns ? at_ns : 1;
	arm_recheck_timer(x);
}

/* Event-loop thread: the storm guard's / untrusted-EOI holdoff expired. */
static void recheck_timer_fired(void *opaque)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	pthread_mutex_lock(&x->irqchip_lock);
	uint64_t now = monotonic_ns();
	for (unsigned pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
		if (x->recheck_at[pin] && x->recheck_at[pin] <= now) {
			x->recheck_at[pin] = 0;
			ioapic_recheck(&x->ioapic, pin);
		}
	}
	arm_recheck_timer(x);
	pthread_mutex_unlock(&x->irqchip_lock);
}

static const struct ioapic_ops split_ioapic_ops = {
	.deliver = ioapic_deliver,
	.entry_changed = ioapic_entry_changed,
	.now_ns = ioapic_now,
	.schedule_recheck = ioapic_schedule_recheck,
};

/* ---- split irqchip: entry points from devices and vCPUs ---- */

/* ---- accounting (vmm/core/stats.h): what became of each assertion ---- */

/* The PIC input of line is unmasked all the way to the master's INT pin. */
static bool pic_input_open(const struct x86_vm *x, unsigned line)
{
	if (line >= 16 || line == 2)
		return false;
	if (line < 8)
		return !(x->pic.master.imr & (1u << line));
	return !(x->pic.slave.imr & (1u << (line - 8))) && !(x->pic.master.imr & (1u << 2));
}

static int pic_vector(const struct x86_vm *x, unsigned line)
{
	const struct pic8259_chip *chip = line < 8 ? &x->pic.master : &x->pic.slave;
	return (chip->icw2 & 0xf8) | (int)(line & 7);
}

/* The vCPU and vector an MSI lands on; -1 when not a single physical destination. */
static void msi_target(const struct vm *vm, const struct ioapic_msi *msg, int *cpu, int *vector)
{
	unsigned mode = (msg->data >> IOAPIC_MSI_DATA_DM_SHIFT) & 7;
	unsigned dest = (unsigned)(msg->address >> IOAPIC_MSI_ADDR_DEST_SHIFT) & 0xff;
	*vector = mode == IOAPIC_DM_NMI ? 2 : (int)(msg->data & 0xff);
	/* APIC ID = vCPU index (x86_cpu.c's CPUID). */
	*cpu = !(msg->address & IOAPIC_MSI_ADDR_DEST_LOGICAL) && dest < vm->nr_vcpus ? (int)dest : -1;
}

/*
 * Classify one assertion of line from the models' answers. The IOAPIC path
 * counts when its entry is unmasked; otherwise the PIC path when its input
 * is open (the LAPIC's LINT0 set-up is KVM's and is not looked at).
 */
static void account_assertion(struct vm *vm, struct x86_vm *x, unsigned line, unsigned pin,
			      enum pic8259_set_result pr, enum ioapic_set_result ir, uint64_t at)
{
	struct ioapic_msi msg;
	bool masked = true;
	enum stats_outcome outcome = STATS_DROPPED;
	int cpu = -1, vector = -1;
	ioapic_entry_msi(&x->ioapic, pin, &msg, &masked, NULL);
	if (!masked) {
		if (ir == IOAPIC_DELIVERED)
			outcome = x->last_msi_status > 0 ? STATS_DELIVERED : STATS_DROPPED;
		else if (ir == IOAPIC_COALESCED || ir == IOAPIC_NO_CHANGE)
			outcome = STATS_COALESCED;
		msi_target(vm, &msg, &cpu, &vector);
	}
	if (outcome != STATS_DELIVERED && pic_input_open(x, line)) {
		if (pr == PIC8259_LATCHED) {
			outcome = STATS_DELIVERED;
			cpu = 0; /* LINT0 of the BSP */
			vector = pic_vector(x, line);
		} else if (pr == PIC8259_COALESCED || pr == PIC8259_NO_CHANGE) {
			outcome = STATS_COALESCED;
		}
	}
	stats_line_asserted(vm->stats, line, outcome, at, cpu, vector);
}

static void split_line_info(struct vm *vm, unsigned line, struct irqchip_line_info *out)
{
	struct x86_vm *x = vm->arch;
	unsigned pin = line_to_pin(line);
	struct ioapic_msi msg;
	bool masked = true, level = false;
	*out = (struct irqchip_line_info){ .route = "masked", .cpu = -1, .vector = -1 };
	if (line >= X86_NR_LINES)
		return;
	pthread_mutex_lock(&x->irqchip_lock);
	ioapic_entry_msi(&x->ioapic, pin, &msg, &masked, &level);
	bool pic_open = pic_input_open(x, line);
	const struct ioapic_stats *is = ioapic_stats(&x->ioapic);
	const struct pic8259_stats *ps = pic8259_stats(&x->pic);
	if (!masked) {
		out->route = pic_open ? "ioapic+pic" : "ioapic";
		out->level_triggered = level;
		msi_target(vm, &msg, &out->cpu, &out->vector);
		out->level_in_service = level && (ioapic_redirection_entry(&x->ioapic, pin) &
						  IOAPIC_RTE_REMOTE_IRR);
	} else if (pic_open) {
		const struct pic8259_chip *chip = line < 8 ? &x->pic.master : &x->pic.slave;
		const uint8_t bit = (uint8_t)(1u << (line & 7));
		out->route = "pic";
		out->level_triggered = chip->elcr & bit;
		out->cpu = 0;
		out->vector = pic_vector(x, line);
		out->level_in_service = out->level_triggered && (chip->isr & bit);
	}
	/* Lines 0 and 2 share pin 2 (ISA IRQ0's source override): both show its counts. */
	out->eoi = is->eoi[pin];
	out->msi_sent = is->delivered[pin];
	if (line < 16 && line != 2) {
		out->eoi += ps->eoi[line];
		out->inta = ps->acked[line];
		if (line == 7 || line == 15)
			out->spurious = ps->spurious[line == 15];
	}
	pthread_mutex_unlock(&x->irqchip_lock);
}

static int split_msi_route_add(struct vm *vm, uint64_t address, uint32_t data)
{
	struct x86_vm *x = vm->arch;
	int gsi = -1;
	pthread_mutex_lock(&x->irqchip_lock);
	for (unsigned i = 0; i < X86_MAX_MSI_ROUTES; i++) {
		if (x->msi_routes[i].used)
			continue;
		x->msi_routes[i] = (struct x86_msi_route){ true, address, data };
		if (commit_routes(vm) < 0)
			x->msi_routes[i].used = false;
		else
			gsi = (int)(IOAPIC_NUM_PINS + i);
		break;
	}
	pthread_mutex_unlock(&x->irqchip_lock);
	return gsi;
}

static void split_msi_route_del(struct vm *vm, int gsi)
{
	struct x86_vm *x = vm->arch;
	if (gsi < IOAPIC_NUM_PINS || gsi >= IOAPIC_NUM_PINS + X86_MAX_MSI_ROUTES)
		return;
	pthread_mutex_lock(&x->irqchip_lock);
	x->msi_routes[gsi - IOAPIC_NUM_PINS].used = false;
	commit_routes(vm);
	pthread_mutex_unlock(&x->irqchip_lock);
}

static void split_set_line(void *opaque, unsigned line, bool level)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	/* Before the irqchip lock: the stats lock is taken after it elsewhere. */
	uint64_t at = level ? stats_stamp(vm->stats) : 0;
	enum pic8259_set_result pr = PIC8259_INVALID;
	pthread_mutex_lock(&x->irqchip_lock);
	x->line_level[line] = level;
	if (line < 16 && line != 2)
		pr = pic8259_set_irq(&x->pic, line, level);
	unsigned pin = line_to_pin(line);
	bool pin_level = pin == 2 ? (x->line_level[0] || x->line_level[2]) : level;
	x->last_msi_status = 0;
	enum ioapic_set_result ir = ioapic_set_irq(&x->ioapic, pin, pin_level);
	if (level)
		account_assertion(vm, x, line, pin, pr, ir, at);
	pthread_mutex_unlock(&x->irqchip_lock);
}

static uint64_t pic_port_read(void *opaque, uint64_t offset, unsigned size)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	(void)size; /* byte registers; wider reads see the first one */
	pthread_mutex_lock(&x->irqchip_lock);
	uint8_t v = pic8259_read(&x->pic, (uint16_t)offset);
	pthread_mutex_unlock(&x->irqchip_lock);
	return v;
}

static void pic_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	(void)size;
	pthread_mutex_lock(&x->irqchip_lock);
	pic8259_write(&x->pic, (uint16_t)offset, (uint8_t)value);
	pthread_mutex_unlock(&x->irqchip_lock);
}

/* The PIC's three port pairs share one handler; it sees absolute port
 * numbers because each range's opaque is a small adapter with the base. */
struct pic_ports {
	struct vm *vm;
	uint16_t base;
};

static uint64_t pic_range_read(void *opaque, uint64_t offset, unsigned size)
{
	struct pic_ports *p = opaque;
	return pic_port_read(p->vm, p->base + offset, size);
}

static void pic_range_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct pic_ports *p = opaque;
	pic_port_write(p->vm, p->base + offset, value, size);
}

static const struct bus_ops pic_ops = { .read = pic_range_read, .write = pic_range_write };

static uint64_t ioapic_mmio_rd(void *opaque, uint64_t offset, unsigned size)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	if (size == 8)
		return ~0ull;
	pthread_mutex_lock(&x->irqchip_lock);
	uint32_t v = ioapic_mmio_read(&x->ioapic, offset, size);
	pthread_mutex_unlock(&x->irqchip_lock);
	return v;
}

static void ioapic_mmio_wr(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct vm *vm = opaque;
	struct x86_vm *x = vm->arch;
	pthread_mutex_lock(&x->irqchip_lock);
	ioapic_mmio_write(&x->ioapic, offset, value, size);
	pthread_mutex_unlock(&x->irqchip_lock);
}

static const struct bus_ops ioapic_ops_bus = { .read = ioapic_mmio_rd, .write = ioapic_mmio_wr };

static struct pic_ports pic_port_ranges_template[3] = {
	{ NULL, IRQVM_PORT_PIC_MASTER }, { NULL, IRQVM_PORT_PIC_SLAVE }, { NULL, IRQVM_PORT_ELCR },
};

/*
 * Runs before any vCPU exists, so the boot info the BSP gets already carries
 * IRQVM_HOSTF_EOI_AT_INJECTION when the probe finds that quirk.
 */
static int probe_host_eoi(struct vm *vm, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	x->recheck_timer = loop_timer_create(vm->loop, recheck_timer_fired, vm);
	if (!x->recheck_timer) {
		snprintf(err, errlen, "cannot create the IOAPIC recheck timer: %s", strerror(errno));
		return -1;
	}
	bool at_injection = false, isr_clear = false;
	char why[256];
	if (x86_probe_eoi_timing(vm, &at_injection, &isr_clear, why, sizeof(why)) == 0) {
		x->paths.eoi_probe_ran = true;
		x->paths.eoi_at_injection = at_injection;
		x->paths.isr_clear_in_handler = isr_clear;
	} else {
		log_warn("EOI timing probe failed (%s); trusting EOI exits", why);
	}
	ioapic_set_broadcast_eoi_trusted(&x->ioapic, !x->paths.eoi_at_injection);
	if (x->paths.eoi_at_injection)
		vm->host_flags |= IRQVM_HOSTF_EOI_AT_INJECTION;
	return 0;
}

static int create_split(struct vm *vm, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { IOAPIC_NUM_PINS } };
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		snprintf(err, errlen, "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): %s", strerror(errno));
		return -1;
	}
	x->paths.split_irqchip = true;
	x->routes = calloc(1, sizeof(*x->routes) + (IOAPIC_NUM_PINS + X86_MAX_MSI_ROUTES) *
						      sizeof(struct kvm_irq_routing_entry));
	struct pic_ports *ports = malloc(sizeof(pic_port_ranges_template));
	if (!x->routes || !ports) {
		free(ports);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(ports, pic_port_ranges_template, sizeof(pic_port_ranges_template));
	if (vm_add_device(vm, "pic-ports", ports, free) < 0) {
		free(ports);
		snprintf(err, errlen, "too many devices");
		return -1;
	}
	pic8259_init(&x->pic, pic_output_changed, vm);
	ioapic_init(&x->ioapic, &split_ioapic_ops, vm, 0);
	ioapic_set_storm_guard(&x->ioapic, vm->cfg->storm_threshold, vm->cfg->storm_holdoff_ns);
	for (unsigned i = 0; i < 3; i++) {
		ports[i].vm = vm;
		if (bus_register(&vm->pio, i == 0 ? "pic-master" : i == 1 ? "pic-slave" : "elcr",
				 ports[i].base, 2, &pic_ops, &ports[i], err, errlen) < 0)
			return -1;
	}
	if (bus_register(&vm->mmio, "ioapic", IRQVM_X86_IOAPIC_GPA, IOAPIC_MMIO_SIZE,
			 &ioapic_ops_bus, vm, err, errlen) < 0)
		return -1;
	x->devices |= IRQVM_DEV_PIC | IRQVM_DEV_IOAPIC;
	struct irq_backend be = { .name = "x86-split", .nr_lines = X86_NR_LINES,
				  .set_line = split_set_line, .opaque = vm };
	irq_lines_set_backend(&vm->lines, &be);
	commit_routes(vm);
	vm->irqchip_line_info = split_line_info;
	vm->msi_route_add = split_msi_route_add;
	vm->msi_route_del = split_msi_route_del;
	return probe_host_eoi(vm, err, errlen);
}

/* ---- kernel irqchip ---- */

static void kernel_set_line(void *opaque, unsigned line, bool level)
{
	struct vm *vm = opaque;
	struct kvm_irq_level irq = { .irq = line, .level = level };
	uint64_t at = level ? monotonic_ns() : 0;
	/* _STATUS says what KVM's models did: >0 delivered, 0 coalesced, <0 masked. */
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE_STATUS, &irq) < 0) {
		log_warn("KVM_IRQ_LINE_STATUS(%u, %d): %s", line, level, strerror(errno));
		return;
	}
	if (level)
		stats_line_asserted(vm->stats, line,
				    irq.status > 0 ? STATS_DELIVERED :
				    irq.status == 0 ? STATS_COALESCED : STATS_DROPPED, at, -1, -1);
}

static void kernel_line_info(struct vm *vm, unsigned line, struct irqchip_line_info *out)
{
	(void)vm;
	(void)line;
	/* KVM's own PIC/IOAPIC state is not looked at (KVM_GET_IRQCHIP would do). */
	*out = (struct irqchip_line_info){ .route = "kernel", .cpu = -1, .vector = -1 };
}

static int create_kernel(struct vm *vm, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		return -1;
	}
	/* Same line numbering as "split": ISA IRQ n -> PIC n and IOAPIC n, IRQ0 -> pin 2. */
	size_t n = 0;
	struct kvm_irq_routing *r = calloc(1, sizeof(*r) + 48 * sizeof(r->entries[0]));
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned line = 0; line < X86_NR_LINES; line++) {
		if (line < 16 && line != 2)
			r->entries[n++] = (struct kvm_irq_routing_entry){
				.gsi = line, .type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { .irqchip = line < 8 ? KVM_IRQCHIP_PIC_MASTER
								   : KVM_IRQCHIP_PIC_SLAVE,
					       .pin = line % 8 } };
		if (line != 2)
			r->entries[n++] = (struct kvm_irq_routing_entry){
				.gsi = line, .type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = line_to_pin(line) } };
	}
	r->nr = (uint32_t)n;
	int rc = ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r);
	free(r);
	if (rc < 0) {
		snprintf(err, errlen, "KVM_SET_GSI_ROUTING: %s", strerror(errno));
		return -1;
	}
	if (vm->cfg->pit) {
		struct kvm_pit_config pit = { .flags = 0 };
		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
			snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(errno));
			return -1;
		}
	}
	x->devices |= IRQVM_DEV_PIC | IRQVM_DEV_IOAPIC;
	struct irq_backend be = { .name = "x86-kernel", .nr_lines = X86_NR_LINES,
				  .set_line = kernel_set_line, .opaque = vm };
	irq_lines_set_backend(&vm->lines, &be);
	vm->irqchip_line_info = kernel_line_info;
	return 0;
}

int x86_irqchip_create(struct vm *vm, char *err, size_t errlen)
{
	struct x86_vm *x = vm->arch;
	vm->deliver_msi = signal_msi;
	vm->deliver_msi_status = signal_msi_status;
	return x->split ? create_split(vm, err, errlen) : create_kernel(vm, err, errlen);
}

void x86_irqchip_destroy(struct vm *vm)
{
	struct x86_vm *x = vm->arch;
	loop_timer_destroy(x->recheck_timer);
	x->recheck_timer = NULL;
	free(x->routes);
	x->routes = NULL;
}

/*
 * BSP thread, irqchip_lock held, PIC INT high and KVM ready for an
 * interrupt: one INTA cycle, then KVM_INTERRUPT. If KVM refuses the vector
 * (EEXIST: one is still pending) the CPU never took it, so the cycle is
 * undone (pic8259_inta_undo): acknowledging anyway would lose the
 * interrupt and leave its ISR bit set, blocking its level and every lower
 * one until an EOI the guest never sends (8259A datasheet, "Interrupt
 * Sequence": ISR is set by the INTA pulses the CPU issues).
 */
static void inject_extint(struct vcpu *vcpu, struct x86_vm *x)
{
	struct pic8259 before = x->pic;
	x->inta_cycle = true;
	struct kvm_interrupt irq = { .irq = pic8259_inta(&x->pic) };
	if (ioctl(vcpu->fd, KVM_INTERRUPT, &irq) < 0) {
		log_warn("vCPU 0: KVM_INTERRUPT(0x%x): %s; the PIC's INTA cycle is undone",
			 irq.irq, strerror(errno));
		pic8259_inta_undo(&x->pic, &before);
	} else {
		vcpu_count(&vcpu->stats.arch[X86_CNT_EXTINT_INJECTIONS]);
	}
	x->inta_cycle = false;
	/* Virtual wire B: IOAPIC pin 0 sees INT only as the cycle left it. */
	ioapic_set_irq(&x->ioapic, 0, x->pic_output);
}

/* BSP thread, before KVM_RUN: ExtINT from the PIC through LINT0. */
void x86_irqchip_pre_run(struct vcpu *vcpu)
{
	struct x86_vm *x = vcpu->vm->arch;
	struct kvm_run *run = vcpu->run;
	pthread_mutex_lock(&x->irqchip_lock);
	if (!x->pic_output) {
		run->request_interrupt_window = 0;
	} else if (run->ready_for_interrupt_injection) {
		inject_extint(vcpu, x);
		/* Still high after a refused injection, or more may be pending:
		 * come back as soon as the guest can take it. */
		run->request_interrupt_window = x->pic_output;
	} else {
		run->request_interrupt_window = 1;
	}
	pthread_mutex_unlock(&x->irqchip_lock);
}

/* SVR bit 12: the guest EOIs the IOAPIC itself (directed EOI register). */
static bool eoi_broadcast_suppressed(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;
	uint32_t svr;
	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
		return false;
	memcpy(&svr, &lapic.regs[0xf0], sizeof(svr));
	return svr & (1u << 12);
}

void x86_irqchip_eoi_exit(struct vcpu *vcpu, uint8_t vector)
{
	struct x86_vm *x = vcpu->vm->arch;
	if (!x->split)
		return;
	/* Some KVMs report the EOI exit even when the guest enabled "suppress
	 * EOI broadcast" (SVR bit 12), which is exactly when the guest promises
	 * to EOI the IOAPIC directly: honour the guest's choice here. */
	if (eoi_broadcast_suppressed(vcpu)) {
		vcpu_count(&vcpu->stats.arch[X86_CNT_EOI_EXITS_SUPPRESSED]);
		return;
	}
	pthread_mutex_lock(&x->irqchip_lock);
	ioapic_eoi_broadcast(&x->ioapic, vector);
	pthread_mutex_unlock(&x->irqchip_lock);
}
