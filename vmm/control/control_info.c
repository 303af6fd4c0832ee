/* SPDX-License-Identifier: MIT */
/*
 * Control command `info`: {"what": "irq"} returns the whole interrupt state
 * (vmm/core/irq_dump.h) as structured JSON; `irqvm info irq` renders it.
 */
#include "vmm/control/control_priv.h"

#include <string.h>

#include "vmm/core/irq_dump.h"
#include "vmm/core/vm.h"

char *control_cmd_info(struct control *ctl, struct control_client *c, struct proto_request *req)
{
	static const char *const keys[] = { "what", NULL };
	char err[256];
	const char *what = "irq";
	(void)c;
	if (proto_args_only(req->args, keys, err, sizeof(err)) < 0 ||
	    proto_arg_string(req->args, "what", &what, err, sizeof(err)) < 0)
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT, "%s", err);
	if (strcmp(what, "irq"))
		return proto_reply_error(req->id, PROTO_E_INVALID_ARGUMENT,
					 "unknown \"what\": only \"irq\" (the interrupt state) exists");
	if (vm_stopping(ctl->vm))
		return proto_reply_error(req->id, PROTO_E_VM_STATE, "the VM is stopping");
	/* Blocks the event loop for at most IRQ_DUMP_VCPU_WAIT_MS if a vCPU is stuck. */
	json_t *d = irq_dump_collect(ctl->vm, "request", IRQ_DUMP_VCPU_WAIT_MS);
	if (!d)
		return proto_reply_error(req->id, PROTO_E_INTERNAL, "out of memory");
	return proto_reply_ok(req->id, d);
}
