/* SPDX-License-Identifier: MIT */
/* Control commands for storms (storm, storm-status, storm-stop) and the irqfd fast path. */
#include "vmm/control/control_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/control/storm.h"
#include "vmm/control/storm_args.h"
#include "vmm/control/storm_target.h"
#include "vmm/core/arch.h"
#include "vmm/core/log.h"
#include "vmm/core/vm.h"

#define ERRLEN 512

static json_t *report_json(const struct storm_report *r)
{
	char target[32], pattern[32];
	const struct storm_params *p = &r->params;
	const struct stats_counts *c = &r->counts;
	json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:I,s:f,s:I,s:I,s:I}",
		"storm", r->id, "target", ctl_target_str(&p->target, target, sizeof(target)),
		"state", r->finished ? "finished" : "running", "end_reason", r->end_reason,
		"pattern", ctl_pattern_str(&p->pattern, pattern, sizeof(pattern)),
		"seed", (json_int_t)p->seed, "count", (json_int_t)p->count,
		"duration_ns", (json_int_t)p->duration_ns,
		"sent", (json_int_t)r->sent, "injected", (json_int_t)c->injected,
		"delivered", (json_int_t)c->delivered, "coalesced", (json_int_t)c->coalesced,
		"dropped", (json_int_t)c->dropped,
		"accounted", c->injected == c->delivered + c->coalesced + c->dropped + c->pending,
		"pending", (json_int_t)c->pending, "rate", r->rate,
		"elapsed_ns", (json_int_t)r->elapsed_ns, "eta_ns", (json_int_t)r->eta_ns,
		"max_late_ns", (json_int_t)r->max_late_ns);
	if (!o)
		return NULL;
	json_object_set_new(o, "mean_late_ns", json_integer((json_int_t)r->mean_late_ns));
	json_object_set_new(o, "rate_requested", p->rate > 0 ? json_real(p->rate) : json_string("max"));
	json_object_set_new(o, "guest_handled",
			    r->guest_known ? json_integer((json_int_t)r->guest_handled) : json_null());
	json_object_set_new(o, "pace", json_string(ctl_pace_str(p->pace)));
	json_object_set_new(o, "unanswered", p->pace == STORM_PACE_GUEST
						     ? json_integer((json_int_t)r->unanswered)
						     : json_null());
	return o;
}

json_t *control_storms_json(struct control *ctl)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++) {
		if (!ctl->storms[i])
			continue;
		struct storm_report r;
		storm_get_report(ctl->storms[i], &r);
		json_array_append_new(arr, report_json(&r));
	}
	return arr;
}

void control_reap_storms(struct control *ctl)
{
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++) {
		struct storm *st = ctl->storms[i];
		if (!st || !storm_finished(st))
			continue;
		struct storm_report r;
		storm_get_report(st, &r);
		storm_destroy(st);
		ctl->storms[i] = NULL;
		ctl->history[ctl->history_n++ % CONTROL_STORM_HISTORY] = r;
		log_info("control: storm %u finished (%s): %llu sent in %.3f s", r.id, r.end_reason,
			 (unsigned long long)r.sent, (double)r.elapsed_ns / 1e9);
		control_broadcast(ctl, proto_event("storm_finished", report_json(&r)));
	}
}

char *control_cmd_storm(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	struct vm *vm = ctl->vm;
	char err[ERRLEN] = "";
	struct storm_params p;
	char target[32];
	(void)c;
	if (storm_args_parse(req->args, &p, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	ctl_target_str(&p.target, target, sizeof(target));
	if (ctl_check_target_in_vm(&p.target, vm->nr_vcpus, irq_lines_count(&vm->lines), err,
				   sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_OUT_OF_RANGE, "%s", err);
	if (vm_stopping(vm))
		return proto_reply_error(req->id, PROTO_E_VM_STATE, "the VM is stopping");
	control_reap_storms(ctl);
	int slot = -1;
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++)
		if (!ctl->storms[i] && slot < 0)
			slot = (int)i;
	if (slot < 0)
		return proto_reply_error(req->id, PROTO_E_BUSY, "%d storms are running already; "
					 "stop one first", CONTROL_MAX_STORMS);
	/* Two storms on one source would mix their counts: refuse before the
	 * new thread can inject anything. */
	struct storm_target_ctx probe;
	if (storm_target_init(&probe, vm, &p.target, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, p.target.kind == CTL_TARGET_NMI ? PROTO_E_VM_STATE
										 : PROTO_E_UNSUPPORTED,
					 "%s", err);
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++)
		if (ctl->storms[i] && storm_source(ctl->storms[i]) == probe.src)
			return proto_reply_error(req->id, PROTO_E_BUSY, "storm %u already drives "
						 "%s", storm_id(ctl->storms[i]), target);
	struct storm *st;
	if (storm_start(vm, &p, ++ctl->next_storm_id, ctl->notify_fd, &st, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_UNSUPPORTED, "%s", err);
	ctl->storms[slot] = st;
	struct storm_report r;
	storm_get_report(st, &r);
	return proto_reply_ok(req->id, report_json(&r));
}

static int arg_storm_id(struct proto_request *req, uint64_t *id, char *err, size_t len)
{
	static const char *const keys[] = { "storm", NULL };
	if (proto_args_only(req->args, keys, err, len) < 0)
		return -1;
	return proto_arg_u64(req->args, "storm", UINT32_MAX, id, err, len);
}

char *control_cmd_storm_status(struct control *ctl, struct control_client *c,
			       struct proto_request *req)
{
	char err[ERRLEN];
	uint64_t id = 0;
	(void)c;
	int has = arg_storm_id(req, &id, err, sizeof(err));
	if (has < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	if (!has)
		return proto_reply_ok(req->id, json_pack("{s:o}", "storms", control_storms_json(ctl)));
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++) {
		if (ctl->storms[i] && storm_id(ctl->storms[i]) == id) {
			struct storm_report r;
			storm_get_report(ctl->storms[i], &r);
			return proto_reply_ok(req->id, report_json(&r));
		}
	}
	for (unsigned i = 0; i < CONTROL_STORM_HISTORY && i < ctl->history_n; i++) {
		if (ctl->history[i].id != id)
			continue;
		/* The guest may still be handling the storm's last interrupts: its
		 * count is read now, everything else is as the storm ended. */
		struct storm_report r = ctl->history[i];
		if (r.guest_known) {
			uint64_t h = stats_guest_handled(ctl->vm->stats, r.guest_cpu, r.guest_vector);
			r.guest_handled = h > r.guest_base ? h - r.guest_base : 0;
		}
		return proto_reply_ok(req->id, report_json(&r));
	}
	return proto_reply_error(req->id, PROTO_E_NOT_FOUND, "no storm %llu", (unsigned long long)id);
}

char *control_cmd_storm_stop(struct control *ctl, struct control_client *c,
			     struct proto_request *req)
{
	char err[ERRLEN];
	uint64_t id = 0;
	(void)c;
	int has = arg_storm_id(req, &id, err, sizeof(err));
	if (has <= 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s",
					 has < 0 ? err : "missing \"storm\"");
	for (unsigned i = 0; i < CONTROL_MAX_STORMS; i++) {
		if (ctl->storms[i] && storm_id(ctl->storms[i]) == id) {
			/* The storm_finished event follows once the thread is out. */
			storm_request_stop(ctl->storms[i]);
			return proto_reply_ok(req->id, json_pack("{s:I,s:b}", "storm",
								 (json_int_t)id, "stopping", 1));
		}
	}
	return proto_reply_error(req->id, PROTO_E_NOT_FOUND, "no running storm %llu",
				 (unsigned long long)id);
}

/* ---- irqfd: an eventfd the client signals itself, KVM injects the MSI ---- */

void control_release_irqfd(struct control *ctl, struct control_irqfd *q)
{
	struct vm *vm = ctl->vm;
	if (!q->used)
		return;
	struct kvm_irqfd irqfd = { .fd = (uint32_t)q->efd, .gsi = (uint32_t)q->gsi,
				   .flags = KVM_IRQFD_FLAG_DEASSIGN };
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		log_warn("control: KVM_IRQFD deassign (gsi %d): %s", q->gsi, strerror(errno));
	if (vm->msi_route_del)
		vm->msi_route_del(vm, q->gsi);
	close(q->efd);
	*q = (struct control_irqfd){ .efd = -1 };
}

static struct control_irqfd *find_irqfd(struct control *ctl, uint64_t id)
{
	for (unsigned i = 0; i < CONTROL_MAX_IRQFDS; i++)
		if (ctl->irqfds[i].used && ctl->irqfds[i].id == id)
			return &ctl->irqfds[i];
	return NULL;
}

char *control_cmd_irqfd(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	static const char *const keys[] = { "cpu", "vector", NULL };
	struct vm *vm = ctl->vm;
	char err[ERRLEN] = "";
	uint64_t cpu = 0, vector = 0;
	if (proto_args_only(req->args, keys, err, sizeof(err)) < 0 ||
	    proto_arg_u64(req->args, "cpu", UINT32_MAX, &cpu, err, sizeof(err)) != 1 ||
	    proto_arg_u64(req->args, "vector", UINT32_MAX, &vector, err, sizeof(err)) != 1 ||
	    ctl_check_vector(vector, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s",
					 *err ? err : "give \"cpu\" and \"vector\"");
	struct ctl_target t = { .kind = CTL_TARGET_MSI,
				.cpu = cpu > CTL_MAX_CPUS ? CTL_MAX_CPUS : (unsigned)cpu,
				.vector = (unsigned)vector };
	if (ctl_check_target_in_vm(&t, vm->nr_vcpus, 0, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_OUT_OF_RANGE, "%s", err);
	if (!vm->msi_route_add)
		return proto_reply_error(req->id, PROTO_E_UNSUPPORTED, "irqfd routes need irqchip "
					 "\"split\" on x86");
	if (c->pass_fd >= 0)
		return proto_reply_error(req->id, PROTO_E_BUSY, "the previous descriptor has not "
					 "been sent yet");
	struct control_irqfd *q = NULL;
	for (unsigned i = 0; i < CONTROL_MAX_IRQFDS && !q; i++)
		if (!ctl->irqfds[i].used)
			q = &ctl->irqfds[i];
	if (!q)
		return proto_reply_error(req->id, PROTO_E_BUSY, "at most %d irqfds at once",
					 CONTROL_MAX_IRQFDS);
	struct stats_source *src = stats_source(vm->stats, STATS_SRC_IRQFD, t.cpu, t.vector);
	uint64_t address;
	uint32_t data;
	arch_msi_encode(t.cpu, t.vector, ARCH_MSI_FIXED, &address, &data);
	int efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 || !src)
		goto fail_efd;
	int gsi = vm->msi_route_add(vm, address, data);
	if (gsi < 0)
		goto fail_efd;
	struct kvm_irqfd irqfd = { .fd = (uint32_t)efd, .gsi = (uint32_t)gsi };
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
		int e = errno;
		vm->msi_route_del(vm, gsi);
		close(efd);
		return proto_reply_error(req->id, PROTO_E_INTERNAL, "KVM_IRQFD: %s", strerror(e));
	}
	int pass = fcntl(efd, F_DUPFD_CLOEXEC, 0);
	if (pass < 0) {
		*q = (struct control_irqfd){ .used = true, .efd = efd, .gsi = gsi };
		control_release_irqfd(ctl, q);
		return proto_reply_error(req->id, PROTO_E_INTERNAL, "dup: %s", strerror(errno));
	}
	*q = (struct control_irqfd){ .used = true, .id = ++ctl->next_irqfd_id, .efd = efd,
				     .gsi = gsi, .owner = c, .src = src };
	/* The reply is appended next: the descriptor goes with its first byte. */
	c->pass_fd = pass;
	c->pass_at = c->out_len;
	return proto_reply_ok(req->id, json_pack("{s:i,s:i,s:s,s:I,s:I,s:s}", "irqfd", q->id,
		"gsi", gsi, "source", stats_source_name(src), "address", (json_int_t)address,
		"data", (json_int_t)data, "fd", "SCM_RIGHTS"));
fail_efd:
	if (efd >= 0)
		close(efd);
	return proto_reply_error(req->id, PROTO_E_INTERNAL, "cannot create the irqfd route");
}

char *control_cmd_irqfd_report(struct control *ctl, struct control_client *c,
			       struct proto_request *req)
{
	static const char *const keys[] = { "irqfd", "signals", NULL };
	char err[ERRLEN] = "";
	uint64_t id = 0, n = 0;
	(void)c;
	if (proto_args_only(req->args, keys, err, sizeof(err)) < 0 ||
	    proto_arg_u64(req->args, "irqfd", UINT32_MAX, &id, err, sizeof(err)) != 1 ||
	    proto_arg_u64(req->args, "signals", CTL_MAX_COUNT, &n, err, sizeof(err)) != 1)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s",
					 *err ? err : "give \"irqfd\" and \"signals\"");
	struct control_irqfd *q = find_irqfd(ctl, id);
	if (!q)
		return proto_reply_error(req->id, PROTO_E_NOT_FOUND, "no irqfd %llu",
					 (unsigned long long)id);
	stats_add_signals(ctl->vm->stats, q->src, n);
	struct stats_counts counts;
	stats_source_counts(ctl->vm->stats, q->src, &counts);
	return proto_reply_ok(req->id, json_pack("{s:I,s:s,s:I}", "irqfd", (json_int_t)id,
		"source", stats_source_name(q->src), "injected", (json_int_t)counts.injected));
}

char *control_cmd_irqfd_release(struct control *ctl, struct control_client *c,
				struct proto_request *req)
{
	static const char *const keys[] = { "irqfd", NULL };
	char err[ERRLEN] = "";
	uint64_t id = 0;
	(void)c;
	if (proto_args_only(req->args, keys, err, sizeof(err)) < 0 ||
	    proto_arg_u64(req->args, "irqfd", UINT32_MAX, &id, err, sizeof(err)) != 1)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s",
					 *err ? err : "give \"irqfd\"");
	struct control_irqfd *q = find_irqfd(ctl, id);
	if (!q)
		return proto_reply_error(req->id, PROTO_E_NOT_FOUND, "no irqfd %llu",
					 (unsigned long long)id);
	control_release_irqfd(ctl, q);
	return proto_reply_ok(req->id, json_pack("{s:I,s:b}", "irqfd", (json_int_t)id,
						 "released", 1));
}
