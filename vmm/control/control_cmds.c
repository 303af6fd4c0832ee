/* SPDX-License-Identifier: MIT */
/* Control commands: help, query, stats, inject, msi, ipi, nmi, pause, resume, quit. */
#include "vmm/control/control_priv.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/config/config.h"
#include "vmm/control/storm_target.h"
#include "vmm/core/arch.h"
#include "vmm/core/event_loop.h"
#include "vmm/core/vm.h"

#define ERRLEN 512

/* Arguments are checked before anything touches the VM: every handler
 * validates all of them first and only then acts. */
#define CHECK_KEYS(req, ...)                                                          \
	do {                                                                          \
		static const char *const keys_[] = { __VA_ARGS__, NULL };              \
		char m_[ERRLEN];                                                      \
		if (proto_args_only((req)->args, keys_, m_, sizeof(m_)) < 0)          \
			return proto_reply_error((req)->id, PROTO_E_INVALID_ARGUMENT, "%s", m_); \
	} while (0)
#define CHECK_NO_ARGS(req) CHECK_KEYS(req, NULL)

static const char *outcome_of(const struct stats_counts *before, const struct stats_counts *after)
{
	if (after->delivered > before->delivered)
		return "delivered";
	if (after->coalesced > before->coalesced)
		return "coalesced";
	if (after->dropped > before->dropped)
		return "dropped";
	if (after->pending > before->pending || after->injected > before->injected)
		return "queued";
	return "none";
}

static char *cmd_help(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	(void)ctl;
	(void)c;
	CHECK_NO_ARGS(req);
	unsigned n;
	const struct control_cmd *t = control_cmd_table(&n);
	json_t *arr = json_array();
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "cmd", t[i].name, "summary",
						     t[i].summary));
	return proto_reply_ok(req->id, json_pack("{s:i,s:o}", "protocol", PROTO_VERSION,
						 "commands", arr));
}

static json_t *lines_json(struct vm *vm)
{
	json_t *arr = json_array();
	unsigned n = irq_lines_count(&vm->lines);
	for (unsigned line = 0; line < n; line++) {
		struct irqchip_line_info info = { .route = "?", .cpu = -1, .vector = -1 };
		if (vm->irqchip_line_info)
			vm->irqchip_line_info(vm, line, &info);
		json_array_append_new(arr, json_pack("{s:i,s:b,s:s,s:s,s:i,s:i}", "line", line,
			"level", irq_line_level(&vm->lines, line), "route", info.route,
			"trigger", info.level_triggered ? "level" : "edge", "cpu", info.cpu,
			"vector", info.vector));
	}
	return arr;
}

static char *cmd_query(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	struct vm *vm = ctl->vm;
	(void)c;
	CHECK_NO_ARGS(req);
	json_t *vcpus = json_array();
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		pthread_mutex_lock(&v->lock);
		bool running = v->running, parked = v->parked;
		pthread_mutex_unlock(&v->lock);
		json_array_append_new(vcpus, json_pack("{s:i,s:i,s:b,s:b,s:I,s:I}", "index", i,
			"apic_id", i, "started", running, "parked", parked,
			"exits", (json_int_t)vcpu_counter(&v->stats.exits),
			"nmis", (json_int_t)vcpu_counter(&v->stats.nmis)));
	}
	json_t *flags = json_array();
	if (vm->host_flags & IRQVM_HOSTF_CPL0_INT_EMULATED)
		json_array_append_new(flags, json_string("cpl0_int_emulated"));
	if (vm->host_flags & IRQVM_HOSTF_EOI_AT_INJECTION)
		json_array_append_new(flags, json_string("eoi_at_injection"));
	if (vm->host_flags & IRQVM_HOSTF_NESTED_PVM)
		json_array_append_new(flags, json_string("nested_pvm"));
	json_t *r = json_pack("{s:s,s:i,s:i,s:s,s:s,s:i,s:I,s:s,s:i,s:b,s:o,s:o,s:o,s:o,s:o}",
		"irqvm", IRQVM_VERSION, "protocol", PROTO_VERSION, "pid", (int)getpid(),
		"socket", ctl->path, "arch", arch_name, "vcpus", vm->nr_vcpus,
		"memory_mib", (json_int_t)(vm->cfg->memory_bytes >> 20),
		"irqchip", config_irqchip_name(vm->cfg->irqchip),
		"nr_lines", irq_lines_count(&vm->lines), "paused", atomic_load(&vm->paused),
		"host_flags", flags, "vcpu", vcpus, "lines", lines_json(vm),
		"guest_stats", stats_guest_to_json(vm->stats), "storms", control_storms_json(ctl));
	if (r) {
		json_object_set_new(r, "clients", json_integer(ctl->nr_clients));
		json_object_set_new(r, "msi", json_boolean(vm->deliver_msi_status != NULL));
		json_object_set_new(r, "irqfd", json_boolean(vm->msi_route_add != NULL));
	}
	return proto_reply_ok(req->id, r);
}

static char *cmd_stats(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	(void)c;
	CHECK_NO_ARGS(req);
	json_t *r = stats_to_json(ctl->vm->stats);
	if (!r)
		return proto_reply_error(req->id, PROTO_E_INTERNAL, "out of memory");
	return proto_reply_ok(req->id, r);
}

/* irq/gsi argument -> target, validated like the CLI's "irq:N" / "gsi:N". */
static int line_target(struct proto_request *req, struct ctl_target *t, char *err, size_t len)
{
	uint64_t irq = 0, gsi = 0;
	int hi = proto_arg_u64(req->args, "irq", UINT32_MAX, &irq, err, len);
	int hg = proto_arg_u64(req->args, "gsi", UINT32_MAX, &gsi, err, len);
	if (hi < 0 || hg < 0)
		return -1;
	if (hi + hg != 1) {
		snprintf(err, len, "give exactly one of \"irq\" (ISA IRQ 0..15) and \"gsi\"");
		return -1;
	}
	char spec[32];
	snprintf(spec, sizeof(spec), "%s:%llu", hi ? "irq" : "gsi",
		 (unsigned long long)(hi ? irq : gsi));
	return ctl_parse_target(spec, t, err, len);
}

static char *cmd_inject(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	struct vm *vm = ctl->vm;
	char err[ERRLEN];
	struct ctl_target t;
	enum ctl_level level = CTL_LEVEL_PULSE;
	const char *level_s = NULL;
	(void)c;
	CHECK_KEYS(req, "irq", "gsi", "level");
	if (line_target(req, &t, err, sizeof(err)) < 0 ||
	    proto_arg_string(req->args, "level", &level_s, err, sizeof(err)) < 0 ||
	    (level_s && ctl_parse_level(level_s, &level, err, sizeof(err)) < 0))
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	struct storm_target_ctx tc;
	if (storm_target_init(&tc, vm, &t, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_OUT_OF_RANGE, "%s", err);

	struct stats_counts before, after;
	stats_source_counts(vm->stats, tc.src, &before);
	uint64_t now = monotonic_ns();
	switch (level) {
	case CTL_LEVEL_HIGH:
		/* Raising a line already high makes no edge: account it as merged. */
		if (irq_line_level(&vm->lines, t.line))
			stats_line_asserted(vm->stats, t.line, STATS_COALESCED, now, -1, -1);
		else
			irq_line_set(&vm->lines, t.line, true);
		break;
	case CTL_LEVEL_LOW:
		irq_line_set(&vm->lines, t.line, false);
		break;
	case CTL_LEVEL_PULSE:
		storm_target_inject(&tc, now);
		break;
	}
	stats_source_counts(vm->stats, tc.src, &after);
	struct irqchip_line_info info = { .route = "?", .cpu = -1, .vector = -1 };
	if (vm->irqchip_line_info)
		vm->irqchip_line_info(vm, t.line, &info);
	char name[32];
	return proto_reply_ok(req->id, json_pack("{s:s,s:i,s:s,s:s,s:b,s:s,s:i,s:i}",
		"target", ctl_target_str(&t, name, sizeof(name)), "line", t.line,
		"level", ctl_level_str(level), "outcome", outcome_of(&before, &after),
		"line_level", irq_line_level(&vm->lines, t.line), "route", info.route,
		"cpu", info.cpu, "vector", info.vector));
}

/* Sends one MSI (already validated) and accounts it to kind:dest:vector. */
static char *msi_send(struct control *ctl, struct proto_request *req, enum stats_kind kind,
		      uint64_t address, uint32_t data)
{
	struct vm *vm = ctl->vm;
	if (!vm->deliver_msi_status)
		return proto_reply_error(req->id, PROTO_E_UNSUPPORTED,
					 "this VM's irqchip cannot deliver MSIs");
	struct arch_msi_dest d;
	arch_msi_decode(address, data, &d);
	struct stats_source *src = stats_source(vm->stats, kind, d.dest, (unsigned)d.vector);
	if (!src)
		return proto_reply_error(req->id, PROTO_E_INTERNAL, "statistics table full");
	/* Latency pairs need the CPU: only a physical destination names one. */
	uint64_t now = stats_stamp(vm->stats);
	int r = vm->deliver_msi_status(vm, address, data);
	stats_record(vm->stats, src, r > 0 ? STATS_DELIVERED : STATS_DROPPED, now,
		     d.physical && d.dest < vm->nr_vcpus ? (int)d.dest : -1, d.vector);
	return proto_reply_ok(req->id, json_pack("{s:s,s:I,s:I,s:s,s:i}",
		"source", stats_source_name(src), "address", (json_int_t)address,
		"data", (json_int_t)data, "outcome", r > 0 ? "delivered" : "dropped",
		"kvm_result", r));
}

/* msi with a raw address/data pair, checked by the architecture so that
 * nothing but an ordinary interrupt can be sent (an x86 INIT or SMI would
 * reset or hijack a vCPU), then its vector. */
static char *msi_raw(struct control *ctl, struct proto_request *req)
{
	char err[ERRLEN] = "";
	uint64_t address = 0, data = 0;
	if (proto_arg_u64(req->args, "address", UINT64_MAX, &address, err, sizeof(err)) != 1 ||
	    proto_arg_u64(req->args, "data", UINT32_MAX, &data, err, sizeof(err)) != 1)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s",
					 *err ? err : "give both \"address\" and \"data\"");
	int vector;
	if (arch_msi_check(address, data, &vector, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	if (vector >= 0 && ctl_check_vector((uint64_t)vector, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	return msi_send(ctl, req, STATS_SRC_MSI, address, (uint32_t)data);
}

/* msi (cpu+vector or address+data) and ipi (cpu+vector): one MSI. */
static char *msi_or_ipi(struct control *ctl, struct proto_request *req, bool ipi)
{
	struct vm *vm = ctl->vm;
	char err[ERRLEN] = "";
	uint64_t cpu = 0, vector = 0;
	const char *delivery = "fixed";
	if (!ipi && (json_object_get(req->args, "address") || json_object_get(req->args, "data"))) {
		if (json_object_get(req->args, "cpu") || json_object_get(req->args, "vector") ||
		    json_object_get(req->args, "delivery"))
			return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "give either "
						 "\"address\"+\"data\" or \"cpu\"+\"vector\"");
		return msi_raw(ctl, req);
	}
	int hc = proto_arg_u64(req->args, "cpu", UINT32_MAX, &cpu, err, sizeof(err));
	int hv = hc < 0 ? -1 : proto_arg_u64(req->args, "vector", UINT32_MAX, &vector, err,
					      sizeof(err));
	if (hc < 0 || hv < 0 || proto_arg_string(req->args, "delivery", &delivery, err,
						 sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	bool nmi = !strcmp(delivery, "nmi"), lowest = !strcmp(delivery, "lowest");
	if (strcmp(delivery, "fixed") && !lowest && !nmi)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "unknown delivery "
					 "\"%s\": use fixed, lowest or nmi", delivery);
	if (hc != 1 || (hv != 1 && !nmi))
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "give \"cpu\" and "
					 "\"vector\"%s", ipi ? "" : " (or \"address\" and \"data\")");
	if (!nmi && ctl_check_vector(vector, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	struct ctl_target t = { .kind = ipi ? CTL_TARGET_IPI : CTL_TARGET_MSI,
				.cpu = cpu > CTL_MAX_CPUS ? CTL_MAX_CPUS : (unsigned)cpu,
				.vector = nmi ? CTL_MIN_VECTOR : (unsigned)vector };
	if (ctl_check_target_in_vm(&t, vm->nr_vcpus, irq_lines_count(&vm->lines), err,
				   sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_OUT_OF_RANGE, "%s", err);
	uint64_t address;
	uint32_t data;
	enum arch_msi_delivery how = nmi ? ARCH_MSI_NMI : lowest ? ARCH_MSI_LOWEST : ARCH_MSI_FIXED;
	arch_msi_encode(t.cpu, t.vector, how, &address, &data);
	return msi_send(ctl, req, ipi ? STATS_SRC_IPI : STATS_SRC_MSI, address, data);
}

static char *cmd_msi(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	(void)c;
	CHECK_KEYS(req, "cpu", "vector", "delivery", "address", "data");
	return msi_or_ipi(ctl, req, false);
}

static char *cmd_ipi(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	(void)c;
	CHECK_KEYS(req, "cpu", "vector");
	return msi_or_ipi(ctl, req, true);
}

static char *cmd_nmi(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	struct vm *vm = ctl->vm;
	char err[ERRLEN];
	const char *via = "kvm";
	uint64_t cpu = 0;
	bool all = false;
	(void)c;
	CHECK_KEYS(req, "cpu", "via");
	json_t *jc = json_object_get(req->args, "cpu");
	if (jc && json_is_string(jc) && !strcmp(json_string_value(jc), "all"))
		all = true;
	else if (proto_arg_u64(req->args, "cpu", UINT32_MAX, &cpu, err, sizeof(err)) != 1)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s",
					 jc ? err : "give \"cpu\": a vCPU index or \"all\"");
	if (proto_arg_string(req->args, "via", &via, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	bool via_msi = !strcmp(via, "msi");
	if (!via_msi && strcmp(via, "kvm"))
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "unknown \"via\" \"%s\": "
					 "use kvm (KVM_NMI on the vCPU thread) or msi", via);
	if (via_msi && !vm->deliver_msi_status)
		return proto_reply_error(req->id, PROTO_E_UNSUPPORTED,
					 "this VM's irqchip cannot deliver MSIs");
	unsigned first = all ? 0 : (unsigned)(cpu > CTL_MAX_CPUS ? CTL_MAX_CPUS : cpu);
	unsigned last = all ? vm->nr_vcpus - 1 : first;
	struct ctl_target t = { .kind = CTL_TARGET_NMI, .cpu = first };
	if (ctl_check_target_in_vm(&t, vm->nr_vcpus, 0, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_OUT_OF_RANGE, "%s", err);
	if (!all && !storm_target_vcpu_started(vm, first))
		return proto_reply_error(req->id, PROTO_E_VM_STATE, "vCPU %u has not been started by "
					 "the guest yet: an NMI would hit it before it has an IDT",
					 first);
	json_t *arr = json_array();
	for (unsigned i = first; i <= last; i++) {
		struct storm_target_ctx tc;
		t.cpu = i;
		if (all && !storm_target_vcpu_started(vm, i)) {
			json_array_append_new(arr, json_pack("{s:i,s:s,s:s}", "cpu", i, "source",
				"", "outcome", "skipped: vCPU not started"));
			continue;
		}
		if (storm_target_init(&tc, vm, &t, err, sizeof(err)) < 0) {
			json_decref(arr);
			return proto_reply_error(req->id, PROTO_E_INTERNAL, "%s", err);
		}
		tc.nmi_via_msi = via_msi;
		struct stats_counts before, after;
		stats_source_counts(vm->stats, tc.src, &before);
		storm_target_inject(&tc, monotonic_ns());
		stats_source_counts(vm->stats, tc.src, &after);
		json_array_append_new(arr, json_pack("{s:i,s:s,s:s}", "cpu", i, "source",
						     stats_source_name(tc.src), "outcome",
						     outcome_of(&before, &after)));
	}
	return proto_reply_ok(req->id, json_pack("{s:s,s:o}", "via", via, "nmis", arr));
}

static char *cmd_pause(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	struct vm *vm = ctl->vm;
	(void)c;
	CHECK_NO_ARGS(req);
	if (vm_stopping(vm))
		return proto_reply_error(req->id, PROTO_E_VM_STATE, "the VM is stopping");
	bool already = atomic_load(&vm->paused);
	uint64_t t0 = monotonic_ns();
	if (vm_pause(vm, CONTROL_PAUSE_TIMEOUT_NS) < 0)
		return proto_reply_error(req->id, PROTO_E_VM_STATE, "not every vCPU parked within "
					 "%llu ms; the VM stays marked paused (resume undoes it)",
					 CONTROL_PAUSE_TIMEOUT_NS / 1000000ull);
	uint64_t dt = monotonic_ns() - t0;
	if (!already)
		control_broadcast(ctl, proto_event("paused", NULL));
	return proto_reply_ok(req->id, json_pack("{s:b,s:b,s:I}", "paused", 1, "already", already,
						 "elapsed_ns", (json_int_t)dt));
}

static char *cmd_resume(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	struct vm *vm = ctl->vm;
	(void)c;
	CHECK_NO_ARGS(req);
	bool was = atomic_load(&vm->paused);
	vm_resume(vm);
	if (was)
		control_broadcast(ctl, proto_event("resumed", NULL));
	return proto_reply_ok(req->id, json_pack("{s:b,s:b}", "paused", 0, "was_paused", was));
}

static char *cmd_quit(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	(void)c;
	CHECK_NO_ARGS(req);
	/* The reply is flushed before the loop returns; vm_stopped follows. */
	vm_request_stop(ctl->vm, VM_STOP_USER, 0);
	return proto_reply_ok(req->id, json_pack("{s:b}", "stopping", 1));
}

static const struct control_cmd commands[] = {
	{ "help", cmd_help, "list the commands" },
	{ "query", cmd_query, "describe the VM: vCPUs, irqchip, lines, guest page, storms" },
	{ "stats", cmd_stats, "interrupt accounting per source, guest counts, latency" },
	{ "inject", cmd_inject, "drive a line: {irq|gsi, level: high|low|pulse}" },
	{ "msi", cmd_msi, "one MSI: {cpu, vector[, delivery]} or {address, data}" },
	{ "ipi", cmd_ipi, "one IPI to a vCPU: {cpu, vector}" },
	{ "nmi", cmd_nmi, "NMI: {cpu: N|\"all\"[, via: kvm|msi]}" },
	{ "storm", control_cmd_storm, "start a storm: {target, rate, count|duration[, pattern, seed]}" },
	{ "storm-status", control_cmd_storm_status, "progress of one storm {storm} or of all" },
	{ "storm-stop", control_cmd_storm_stop, "stop a storm: {storm}" },
	{ "irqfd", control_cmd_irqfd, "an eventfd bound to an MSI route (SCM_RIGHTS): {cpu, vector}" },
	{ "irqfd-report", control_cmd_irqfd_report, "account signals written to an irqfd: {irqfd, signals}" },
	{ "irqfd-release", control_cmd_irqfd_release, "unbind an irqfd: {irqfd}" },
	{ "info", control_cmd_info, "the whole interrupt state: {what: \"irq\"} (PIC, IOAPIC, each vCPU's LAPIC)" },
	{ "pause", cmd_pause, "park every vCPU outside KVM_RUN" },
	{ "resume", cmd_resume, "let paused vCPUs run again" },
	{ "quit", cmd_quit, "stop the VM; irqvm exits with status 0" },
};

const struct control_cmd *control_cmd_table(unsigned *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct control_cmd *control_find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}
