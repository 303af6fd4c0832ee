/* SPDX-License-Identifier: MIT */
/*
 * The VM description (vmm/config/config.h) as `irqvm run` loads it: the
 * input up to its first NUL byte is the config file's text, each further
 * NUL-separated piece one `--set KEY=VALUE` override (at most 8). Relative
 * paths resolve against a scratch directory that holds a kernel.elf, so a
 * config naming it can pass every check. Checked for every input:
 *
 *  - a refused config leaves *cfg zeroed and says why, naming the config
 *    ("fuzz.json...") or the override ("--set ...");
 *  - an accepted one has no message and every value within the ranges
 *    docs/config.md gives.
 */
#include "tests/fuzz/fuzz.h"

#include <unistd.h>

#include "vmm/config/config.h"

#define MAX_OVERRIDES 8

static char scratch[64];
static char kernel[128];

/* libFuzzer ends with exit(): leave no scratch directory behind. */
static void remove_scratch(void)
{
	unlink(kernel);
	rmdir(scratch);
}

static const char *scratch_dir(void)
{
	if (scratch[0])
		return scratch;
	strcpy(scratch, "/tmp/irqvm-fuzz-config-XXXXXX");
	FUZZ_CHECK(mkdtemp(scratch), "cannot create a scratch directory");
	snprintf(kernel, sizeof(kernel), "%s/kernel.elf", scratch);
	FILE *f = fopen(kernel, "wb");

	FUZZ_CHECK(f, "cannot create %s", kernel);
	fputs("\177ELF", f);
	fclose(f);
	atexit(remove_scratch);
	return scratch;
}

static void check_accepted(const struct vm_config *cfg, const char *err)
{
	uint64_t max_mib = cfg->arch == CFG_ARCH_X86_64 ? CONFIG_X86_MAX_MEMORY_MIB
							: CONFIG_RISCV_MAX_MEMORY_MIB;

	FUZZ_CHECK(!err[0], "accepted with a message: %s", err);
	FUZZ_CHECK(cfg->vcpus >= 1 && cfg->vcpus <= CONFIG_MAX_VCPUS, "vcpus %u", cfg->vcpus);
	FUZZ_CHECK(cfg->memory_bytes >= (uint64_t)CONFIG_MIN_MEMORY_MIB << 20 &&
		   cfg->memory_bytes <= max_mib << 20, "memory %llu bytes",
		   (unsigned long long)cfg->memory_bytes);
	FUZZ_CHECK(cfg->kernel_path && cfg->kernel_path[0], "no kernel path");
	FUZZ_CHECK(cfg->cmdline && strlen(cfg->cmdline) <= CONFIG_CMDLINE_MAX, "cmdline");
	FUZZ_CHECK(cfg->timeout_sec >= 0 && cfg->timeout_sec <= CONFIG_MAX_TIMEOUT_SEC,
		   "timeout %g", cfg->timeout_sec);
	FUZZ_CHECK((cfg->console == CFG_CONSOLE_FILE) == (cfg->console_path != NULL),
		   "console %d with path %p", cfg->console, (void *)cfg->console_path);
	FUZZ_CHECK(cfg->storm_threshold <= CONFIG_MAX_STORM_VALUE, "storm threshold %u",
		   cfg->storm_threshold);
	FUZZ_CHECK(cfg->storm_holdoff_ns <= (uint64_t)CONFIG_MAX_STORM_VALUE * 1000,
		   "storm holdoff %llu ns", (unsigned long long)cfg->storm_holdoff_ns);
	FUZZ_CHECK(cfg->arch == CFG_ARCH_X86_64 || !cfg->pit, "a PIT on riscv64");
	FUZZ_CHECK(config_arch_name(cfg->arch) && config_irqchip_name(cfg->irqchip) &&
		   config_console_name(cfg->console), "unnamed enum value");
}

static void check_refused(const struct vm_config *cfg, const char *err)
{
	static const struct vm_config zero;

	FUZZ_CHECK(err[0], "refused without a message");
	FUZZ_CHECK(!strncmp(err, "fuzz.json", 9) || !strncmp(err, "--set ", 6),
		   "message names neither the config nor an override: %s", err);
	FUZZ_CHECK(!memcmp(cfg, &zero, sizeof(zero)), "refused config not zeroed (%s)", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = scratch_dir();
	char *buf = malloc(size + 1);
	const char *overrides[MAX_OVERRIDES];
	size_t nr = 0;
	struct vm_config cfg;
	char err[1024] = "";

	FUZZ_CHECK(buf, "out of memory");
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = strlen(buf) + 1; i < size && nr < MAX_OVERRIDES; i += strlen(buf + i) + 1)
		overrides[nr++] = buf + i;

	if (config_load_string(buf, "fuzz.json", dir, overrides, nr, &cfg, err, sizeof(err)) == 0)
		check_accepted(&cfg, err);
	else
		check_refused(&cfg, err);
	config_free(&cfg);
	free(buf);
	return 0;
}
