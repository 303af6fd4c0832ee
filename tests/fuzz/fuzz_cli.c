/* SPDX-License-Identifier: MIT */
/*
 * The irqvm command line (cli/): the first input byte picks a subcommand,
 * the rest is its argv, NUL-separated (at most 32 words). `run` goes
 * through cli_run_parse(), which stops before the config is loaded. The
 * client commands run whole, as main() calls them, with $IRQVM_SOCKET
 * naming a socket that cannot exist: whatever they accept ends at the
 * connect, so every argument check runs and nothing is sent. Their output
 * (usage texts, refusals) is discarded: the harness adds libFuzzer's
 * -close_fd_mask=3, which keeps libFuzzer's and the sanitizers' reports on
 * a copy of stderr (an invariant's own message is lost; its line is in the
 * stack trace). Checked for every input:
 *
 *  - a client command ends with 0 (--help), 2 (refused before sending) or
 *    3 (accepted, then no VMM to connect to): never 1, which needs a VMM;
 *  - run: a go-ahead names the one remaining word as the config and keeps
 *    at most 64 overrides (checked later by the config loader, fuzz_config).
 */
#include "tests/fuzz/fuzz.h"

#include "cli/cli.h"
#include "cli/cli_client.h"

#define MAX_WORDS 32
#define NO_VMM "/nonexistent/irqvm-fuzz.sock"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "inject", cli_inject }, { "msi", cli_msi },     { "ipi", cli_ipi },
	{ "nmi", cli_nmi },       { "storm", cli_storm }, { "stats", cli_stats },
	{ "pause", cli_pause },   { "resume", cli_resume }, { "quit", cli_quit },
	{ "query", cli_query },   { "info", cli_info },   { "call", cli_call },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Runs before libFuzzer reads its flags: one more flag, and the socket. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char close_fds[] = "-close_fd_mask=3";
	char **args = calloc((size_t)*argc + 2, sizeof(*args));

	FUZZ_CHECK(args, "out of memory");
	memcpy(args, *argv, (size_t)*argc * sizeof(*args));
	args[(*argc)++] = close_fds;
	*argv = args;
	setenv("IRQVM_SOCKET", NO_VMM, 1);
	return 0;
}

static void check_run(int argc, char **argv)
{
	struct cli_run_args a;
	int st = cli_run_parse(argc, argv, &a);

	FUZZ_CHECK(st == -1 || st == 0 || st == 2, "run parse status %d", st);
	if (st == -1) {
		FUZZ_CHECK(a.config && a.config == argv[argc - 1], "config is not the last word");
		FUZZ_CHECK(a.nr_overrides <= CLI_RUN_MAX_OVERRIDES, "%zu overrides",
			   a.nr_overrides);
		for (size_t i = 0; i < a.nr_overrides; i++)
			FUZZ_CHECK(a.overrides[i], "override %zu missing", i);
	}
	cli_run_args_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAX_WORDS + 2];
	int argc = 1;
	unsigned pick;

	if (size < 1)
		return 0;
	pick = data[0] % (NR_COMMANDS + 1);
	buf = malloc(size);
	FUZZ_CHECK(buf, "out of memory");
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[0] = (char *)(pick == NR_COMMANDS ? "run" : commands[pick].name);
	for (size_t i = 0; i < size - 1 && argc <= MAX_WORDS; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;

	if (pick == NR_COMMANDS) {
		check_run(argc, argv);
	} else {
		int st = commands[pick].fn(argc, argv);

		FUZZ_CHECK(st == CLI_EXIT_OK || st == CLI_EXIT_USAGE || st == CLI_EXIT_CONNECTION,
			   "%s ended with %d", argv[0], st);
	}
	free(buf);
	return 0;
}
