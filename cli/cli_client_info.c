/* SPDX-License-Identifier: MIT */
/* Client command `irqvm info irq`: the VM's whole interrupt state. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_client.h"
#include "vmm/core/irq_dump.h"

static void info_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm info irq --socket PATH [--json]\n"
		"\n"
		"Print the whole interrupt state of a running VM, as QEMU's `info pic` and\n"
		"`info irq` do: the 8259A pair (IRR, ISR, IMR, ELCR, ICW/OCW state, INT output,\n"
		"priority rotation), every IOAPIC redirection entry (vector, delivery mode,\n"
		"destination, trigger, polarity, mask, Remote IRR, delivery status, line level),\n"
		"the interrupt line levels, and per vCPU its local APIC (IRR/ISR/TMR vectors,\n"
		"TPR, PPR, SVR, LVTs, ICR, timer), RIP, RFLAGS.IF, mp_state, KVM's pending\n"
		"events and what irqvm holds for it (ExtINT, interrupt window, queued NMIs).\n"
		"Each vCPU is read by its own thread; one that does not answer within %u ms\n"
		"is reported as such. --json prints the control socket's reply (docs/control.md).\n"
		"The same report goes to irqvm run's standard error on SIGQUIT and on --timeout.\n",
		IRQ_DUMP_VCPU_WAIT_MS);
	cli_common_usage(out);
}

int cli_info(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONGOPTS, { NULL, 0, NULL, 0 } };
	struct cli_common co = { 0 };
	const char *what = NULL;
	/* `irqvm info irq --socket P`: the subject may come before the options. */
	if (argc > 1 && argv[1][0] != '-') {
		what = argv[1];
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	int c;
	optind = 0; /* a full getopt reset (see parse_opts) */
	/* Options may also follow the subject (`info --socket P irq --json`):
	 * take the subject where getopt stops and carry on after it. */
	for (;;) {
		while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
			int r = cli_common_option(&co, c, optarg, "info");
			if (r < 0)
				return CLI_EXIT_USAGE;
			if (r)
				continue;
			if (c == 'h') {
				info_usage(stdout);
				return CLI_EXIT_OK;
			}
			info_usage(stderr);
			return CLI_EXIT_USAGE;
		}
		if (what || optind >= argc)
			break;
		what = argv[optind++];
	}
	if (!what || strcmp(what, "irq")) {
		fprintf(stderr, "irqvm info: %s (the only subject is 'irq')\n",
			what ? "unknown subject" : "what? give 'irq'");
		return CLI_EXIT_USAGE;
	}
	if (cli_common_check(&co, "info", argc, argv, optind) < 0)
		return CLI_EXIT_USAGE;
	json_t *result;
	int r = cli_simple_call(&co, "info", "info", json_pack("{s:s}", "what", what), &result);
	if (r)
		return r;
	if (co.json)
		cli_print_json(result);
	else
		irq_dump_print(stdout, result);
	json_decref(result);
	return CLI_EXIT_OK;
}
