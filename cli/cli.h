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

struct cli_command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

int cli_run(int argc, char **argv);

#endif
