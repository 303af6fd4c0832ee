/* SPDX-License-Identifier: MIT */
/* Subcommands of the irqvm CLI; each gets argv starting at its own name. */
#ifndef IRQVM_CLI_H
#define IRQVM_CLI_H

struct cli_command {
	const char *name;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

int cli_run(int argc, char **argv);

#endif
