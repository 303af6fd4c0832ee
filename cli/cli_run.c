/* SPDX-License-Identifier: MIT */
/* `irqvm run CONFIG [options]`: load and check the config, build and run the VM. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vmm/config/config.h"
#include "vmm/control/control.h"
#include "vmm/core/exit_codes.h"
#include "vmm/core/log.h"
#include "vmm/core/vm.h"

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: irqvm run CONFIG.json [options]\n"
		"\n"
		"Launch the VM described by CONFIG.json (keys: docs/config.md).\n"
		"\n"
		"options:\n"
		"  --set KEY=VALUE      override a config key (dotted path, JSON value);\n"
		"                       may be repeated, applied in order\n"
		"  --timeout SECONDS    stop the VM after SECONDS (exit status 124), printing\n"
		"                       the interrupt state first; same as --set timeout=SECONDS\n"
		"  --api-socket PATH    open the control socket at PATH\n"
		"  --dump-dtb FILE      riscv64: write the guest's device tree blob to FILE\n"
		"                       and exit 0 without running the guest\n"
		"  --exit-code MODE     'guest' (default): exit with the value the guest\n"
		"                       wrote to the exit device; 'qemu': exit with QEMU's\n"
		"                       isa-debug-exit status (value << 1) | 1\n"
		"  -v, --verbose        more diagnostics on stderr (repeat for debug)\n"
		"  -q, --quiet          errors only\n"
		"  -h, --help           this help\n"
		"\n"
		"Exit status: the guest's (see --exit-code), 2 config error, 4 host/KVM\n"
		"error, 6 guest crash, 8 guest reset/power-off, 124 timeout, 128+N signal N\n"
		"(docs/exit-codes.md).\n"
		"\n"
		"SIGQUIT (Ctrl-\\) prints the whole interrupt state on stderr - PICs, IOAPIC,\n"
		"each vCPU's local APIC - and the VM keeps running; `irqvm info irq` prints\n"
		"the same through the control socket.\n");
}

static char *dup_override(const char *key, const char *value)
{
	size_t n = strlen(key) + strlen(value) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s=%s", key, value);
	return s;
}

/* A path given as an option is a string whatever it looks like: JSON-quote it. */
static char *dup_string_override(const char *key, const char *value)
{
	json_t *str = json_string(value);
	char *quoted = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
	json_decref(str);
	if (!quoted)
		return NULL;
	char *s = dup_override(key, quoted);
	free(quoted);
	return s;
}

int cli_run_parse(int argc, char **argv, struct cli_run_args *a)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "api-socket", required_argument, NULL, 'a' },
		{ "exit-code", required_argument, NULL, 'e' },
		{ "dump-dtb", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->opts.service = &control_service;
	a->verbosity = log_verbosity;
	optind = 0; /* a full getopt reset (see parse_opts) */
	while ((c = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		char *o = NULL;
		switch (c) {
		case 's': o = strdup(optarg); break;
		case 't': o = dup_override("timeout", optarg); break;
		case 'a': o = dup_string_override("api_socket", optarg); break;
		case 'e':
			if (!strcmp(optarg, "qemu"))
				a->opts.qemu_exit_codes = true;
			else if (strcmp(optarg, "guest")) {
				fprintf(stderr, "irqvm run: --exit-code must be 'guest' or 'qemu', "
					"not '%s'\n", optarg);
				return IRQVM_EXIT_CONFIG;
			}
			continue;
		case 'd': a->opts.dump_dtb = optarg; continue;
		case 'v': a->verbosity++; continue;
		case 'q': a->verbosity = LOG_ERROR; continue;
		case 'h': run_usage(stdout); return IRQVM_EXIT_OK;
		default: run_usage(stderr); return IRQVM_EXIT_CONFIG;
		}
		if (!o || a->nr_overrides == CLI_RUN_MAX_OVERRIDES) {
			free(o);
			fprintf(stderr, "irqvm run: too many --set options (max %d)\n",
				CLI_RUN_MAX_OVERRIDES);
			return IRQVM_EXIT_CONFIG;
		}
		a->overrides[a->nr_overrides++] = o;
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind >= argc ? "irqvm run: missing CONFIG.json\n"
					       : "irqvm run: unexpected argument '%s'\n",
			argv[optind < argc ? optind + 1 : 0]);
		run_usage(stderr);
		return IRQVM_EXIT_CONFIG;
	}
	a->config = argv[optind];
	return -1;
}

void cli_run_args_free(struct cli_run_args *a)
{
	for (size_t i = 0; i < a->nr_overrides; i++)
		free(a->overrides[i]);
	a->nr_overrides = 0;
}

int cli_run(int argc, char **argv)
{
	struct cli_run_args a;
	int status = cli_run_parse(argc, argv, &a);

	if (status >= 0)
		goto out;
	status = IRQVM_EXIT_CONFIG;
	log_verbosity = a.verbosity;

	struct vm_config cfg;
	char err[1024];
	if (config_load_file(a.config, (const char *const *)a.overrides, a.nr_overrides, &cfg, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (a.opts.dump_dtb && cfg.arch != CFG_ARCH_RISCV64) {
		fprintf(stderr, "irqvm run: --dump-dtb needs a riscv64 guest (x86_64 guests "
			"get no device tree)\n");
		config_free(&cfg);
		goto out;
	}
	struct vm *vm = NULL;
	vm_block_stop_signals(); /* a stop requested while the VM is built is kept */
	status = vm_create(&cfg, &a.opts, &vm, err, sizeof(err));
	if (status != 0) {
		log_error("%s", err);
	} else if (a.opts.dump_dtb) {
		/* vm_create wrote the blob while building the VM (vmm/arch/riscv). */
		log_info("device tree written to %s; not running the guest", a.opts.dump_dtb);
	} else {
		status = vm_run(vm, &a.opts);
	}
	vm_destroy(vm);
	config_free(&cfg);
out:
	cli_run_args_free(&a);
	return status;
}
