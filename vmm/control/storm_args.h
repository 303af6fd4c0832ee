/* SPDX-License-Identifier: MIT */
/*
 * The storm command's JSON arguments (docs/control.md, "storm") turned into
 * checked storm parameters. Pure: no VM, no socket, so the control socket's
 * handler, the unit tests and the fuzz harness all parse the same way.
 */
#ifndef IRQVM_STORM_ARGS_H
#define IRQVM_STORM_ARGS_H

#include <jansson.h>
#include <stddef.h>

#include "vmm/control/control_args.h"

/*
 * args: {target, rate, count | duration[, pattern, seed, pace]}. Returns 0
 * with *p filled (seed 1, pattern constant and pace schedule when absent;
 * with pace guest, rate may be absent: max), or -1 with err saying
 * which argument is wrong and why. Whether the target exists in this VM is
 * not checked here (ctl_check_target_in_vm).
 */
int storm_args_parse(json_t *args, struct storm_params *p, char *err, size_t errlen);

#endif
