/* SPDX-License-Identifier: MIT */
/* irqvm command line: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_client.h"
#include "vmm/core/crash.h"
#include "vmm/core/exit_codes.h"

static const struct cli_command commands[] = {
	{ "run", "launch a VM from a JSON config", cli_run },
	{ "inject", "raise, lower or pulse an interrupt line of a running VM", cli_inject },
	{ "msi", "send an MSI to a running VM", cli_msi },
	{ "ipi", "send an IPI to a vCPU of a running VM", cli_ipi },
	{ "nmi", "send an NMI to one vCPU or all", cli_nmi },
	{ "storm", "drive an interrupt storm and account for every interrupt", cli_storm },
	{ "stats", "interrupt accounting and latency of a running VM", cli_stats },
	{ "pause", "park every vCPU of a running VM", cli_pause },
	{ "resume", "let a paused VM run again", cli_resume },
	{ "quit", "stop a running VM", cli_quit },
	{ "query", "describe a running VM", cli_query },
	{ "info", "print a running VM's whole interrupt state (info irq)", cli_info },
	{ "call", "send raw control-protocol requests to a running VM", cli_call },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"irqvm is a KVM virtual machine monitor for interrupt work: it emulates the\n"
		"x86 8259A PIC pair and IOAPIC in userspace and runs guest test suites.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'irqvm COMMAND --help' describes a command. Exit statuses: "
		     "docs/exit-codes.md.\n");
}

int main(int argc, char **argv)
{
	crash_report_install();
	if (argc < 2) {
		usage(stderr);
		return IRQVM_EXIT_CONFIG;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return IRQVM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("irqvm %s (%s)\n", IRQVM_VERSION, IRQVM_GIT_REV);
		return IRQVM_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "irqvm: unknown command '%s' (try 'irqvm --help')\n", argv[1]);
	return IRQVM_EXIT_CONFIG;
}
