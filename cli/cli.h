/* SPDX-License-Identifier: MIT */
/*
 * Subcommands of the irqvm CLI; each gets argv starting at its own name.
 *
 * Subsystem cli/ (this is its main header; map: docs/architecture.md): the
 * irqvm program itself. Owns main() and the subcommands: `run` (cli_run.c:
 * load the config, build and run the VM with the control socket as its
 * service) and the control-socket client (cli_client*.c). May call:
 * vmm/control/ (control_service, the shared argument grammar and protocol),
 * vmm/config/ and vmm/core/. Nothing includes cli/ headers but cli/.
 */
#ifndef IRQVM_CLI_H
#define IRQVM_CLI_H

#include <stddef.h>

#include "vmm/core/vm.h"

struct cli_command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

int cli_run(int argc, char **argv);

#define CLI_RUN_MAX_OVERRIDES 64

/* What `irqvm run`'s command line asks for, before anything is loaded. */
struct cli_run_args {
	const char *config;          /* CONFIG.json, from argv */
	char *overrides[CLI_RUN_MAX_OVERRIDES]; /* "KEY=VALUE", malloc'd, in order */
	size_t nr_overrides;
	struct vm_options opts;      /* --exit-code, --dump-dtb, the control service */
	int verbosity;               /* log_verbosity after -v and -q */
};

/*
 * Parses `irqvm run`'s arguments (argv[0] is "run") without touching the
 * config, KVM or the log level. -1: go on with *a; otherwise the exit
 * status (--help, or a usage error already printed). Either way
 * cli_run_args_free(a) releases the overrides.
 */
int cli_run_parse(int argc, char **argv, struct cli_run_args *a);
void cli_run_args_free(struct cli_run_args *a);

#endif
