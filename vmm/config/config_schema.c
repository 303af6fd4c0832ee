/* SPDX-License-Identifier: MIT */
/*
 * What a config may say: one table of known keys per object, one parser per
 * key that checks type and range and stores the value, the defaults for
 * what is left out, and the checks of the files the config names.
 */
#include "vmm/config/config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <irqvm/abi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* The limits in config.h restate the guest ABI; keep them in step. */
_Static_assert(CONFIG_MAX_VCPUS == IRQVM_MAX_VCPUS, "vcpus limit differs from the ABI");
_Static_assert((uint64_t)CONFIG_X86_MAX_MEMORY_MIB << 20 == IRQVM_X86_MMIO_HOLE_START,
	       "x86 RAM must end at the MMIO hole");
_Static_assert(CONFIG_CMDLINE_MAX + 1 == IRQVM_X86_CMDLINE_MAX, "cmdline limit differs");

/* ------------------------------------------------------------------ */
/* Typed getters: each checks type and range and reports at the value. */

static int get_bool(struct loader *ld, const struct key_path *p, const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return config_fail_type(ld, p, v, "a boolean");
	*out = json_is_true(v);
	return 0;
}

static int get_int(struct loader *ld, const struct key_path *p, const json_t *v, json_int_t lo,
		   json_int_t hi, const char *note, json_int_t *out)
{
	json_int_t x = 0;

	if (!json_is_integer(v))
		return config_fail_type(ld, p, v, "an integer");
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return config_fail(ld, p,
				   "%" JSON_INTEGER_FORMAT " is out of range %" JSON_INTEGER_FORMAT
				   "..%" JSON_INTEGER_FORMAT "%s",
				   x, lo, hi, note);
	*out = x;
	return 0;
}

static int get_number(struct loader *ld, const struct key_path *p, const json_t *v, double lo,
		      double hi, double *out)
{
	double x;

	if (!json_is_number(v))
		return config_fail_type(ld, p, v, "a number");
	x = json_number_value(v);
	if (!(x >= lo && x <= hi))
		return config_fail(ld, p, "%g is out of range %g..%g", x, lo, hi);
	*out = x;
	return 0;
}

static int get_string(struct loader *ld, const struct key_path *p, const json_t *v,
		      bool allow_empty, const char **out)
{
	if (!json_is_string(v))
		return config_fail_type(ld, p, v, "a string");
	/* jansson refuses \u0000 unless asked, but a NUL would silently cut
	 * the string short later, so make sure. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return config_fail(ld, p, "must not contain a NUL character");
	if (!allow_empty && json_string_length(v) == 0)
		return config_fail(ld, p, "must not be empty");
	*out = json_string_value(v);
	return 0;
}

/* A string from NAMES; returns its index in *OUT. */
static int get_choice(struct loader *ld, const struct key_path *p, const json_t *v,
		      const char *const *names, size_t nr, int *out)
{
	char expected[128], got[MAX_QUOTED + 32];
	size_t used = 0;

	if (json_is_string(v)) {
		for (size_t i = 0; i < nr; i++) {
			if (strcmp(json_string_value(v), names[i]) == 0) {
				*out = (int)i;
				return 0;
			}
		}
	}
	expected[0] = '\0';
	for (size_t i = 0; i < nr && used < sizeof(expected); i++) {
		int n = snprintf(expected + used, sizeof(expected) - used, "%s\"%s\"",
				 i == 0 ? "" : i + 1 == nr ? " or " : ", ", names[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	config_describe(v, got, sizeof(got));
	return config_fail(ld, p, "expected %s, got %s", expected, got);
}

/* ------------------------------------------------------------------ */
/* The schema: one table of keys per object, one parser per key. */

typedef int (*key_parser)(struct loader *ld, const struct key_path *p, const json_t *v);

struct key_rule {
	const char *name;
	key_parser parse;
};

static int parse_members(struct loader *ld, const struct key_path *p, const json_t *obj,
			 const struct key_rule *rules, size_t nr_rules)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return config_fail_type(ld, p, obj, "an object");
	/* jansson keeps insertion order, so errors come in file order. */
	json_object_foreach((json_t *)obj, key, v) {
		struct key_path kp = config_child(p, key);
		const struct key_rule *rule = NULL;
		char known[256];
		size_t used = 0;

		for (size_t i = 0; i < nr_rules; i++)
			if (strcmp(rules[i].name, key) == 0)
				rule = &rules[i];
		if (rule) {
			if (rule->parse(ld, &kp, v))
				return -1;
			continue;
		}
		known[0] = '\0';
		for (size_t i = 0; i < nr_rules && used < sizeof(known); i++) {
			int n = snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
					 rules[i].name);

			if (n < 0)
				break;
			used += (size_t)n;
		}
		return config_fail_at(ld, &kp, &kp, true, "unknown key (known: %s)", known);
	}
	return 0;
}

#define RULES(table) table, sizeof(table) / sizeof(table[0])

static const char *arch_suffix(const struct loader *ld)
{
	return ld->cfg->arch == CFG_ARCH_X86_64 ? " for arch x86_64" : " for arch riscv64";
}

static int parse_arch(struct loader *ld, const struct key_path *p, const json_t *v)
{
	static const char *const names[] = { "x86_64", "riscv64" };
	int i = 0;

	if (get_choice(ld, p, v, names, 2, &i))
		return -1;
	ld->cfg->arch = i == 0 ? CFG_ARCH_X86_64 : CFG_ARCH_RISCV64;
	return 0;
}

static int parse_vcpus(struct loader *ld, const struct key_path *p, const json_t *v)
{
	json_int_t x = 0;

	if (get_int(ld, p, v, 1, CONFIG_MAX_VCPUS, "", &x))
		return -1;
	ld->cfg->vcpus = (unsigned)x;
	return 0;
}

static int parse_memory(struct loader *ld, const struct key_path *p, const json_t *v)
{
	json_int_t max = ld->cfg->arch == CFG_ARCH_X86_64 ? CONFIG_X86_MAX_MEMORY_MIB
							   : CONFIG_RISCV_MAX_MEMORY_MIB;
	json_int_t x = 0;

	if (get_int(ld, p, v, CONFIG_MIN_MEMORY_MIB, max, arch_suffix(ld), &x))
		return -1;
	ld->cfg->memory_bytes = (uint64_t)x << 20;
	return 0;
}

static int parse_kernel(struct loader *ld, const struct key_path *p, const json_t *v)
{
	return get_string(ld, p, v, false, &ld->kernel);
}

static int parse_cmdline(struct loader *ld, const struct key_path *p, const json_t *v)
{
	if (get_string(ld, p, v, true, &ld->cmdline))
		return -1;
	if (json_string_length(v) > CONFIG_CMDLINE_MAX)
		return config_fail(ld, p, "%zu bytes is longer than the maximum of %u",
				   json_string_length(v), CONFIG_CMDLINE_MAX);
	return 0;
}

static int parse_irqchip(struct loader *ld, const struct key_path *p, const json_t *v)
{
	static const char *const x86[] = { "split", "kernel" };
	static const char *const riscv[] = { "plic", "aia" };
	bool is_x86 = ld->cfg->arch == CFG_ARCH_X86_64;
	const char *const *mine = is_x86 ? x86 : riscv;
	const char *const *other = is_x86 ? riscv : x86;
	int i = 0;

	/* A valid mode of the other architecture deserves a precise message. */
	if (json_is_string(v)) {
		for (i = 0; i < 2; i++)
			if (strcmp(json_string_value(v), other[i]) == 0)
				return config_fail(ld, p,
						   "\"%s\" is not available%s"
						   " (expected \"%s\" or \"%s\")",
						   other[i], arch_suffix(ld), mine[0], mine[1]);
	}
	if (get_choice(ld, p, v, mine, 2, &i))
		return -1;
	ld->cfg->irqchip = is_x86 ? (i == 0 ? CFG_IRQCHIP_SPLIT : CFG_IRQCHIP_KERNEL)
				  : (i == 0 ? CFG_IRQCHIP_PLIC : CFG_IRQCHIP_AIA);
	ld->irqchip_given = true;
	return 0;
}

static int parse_pit(struct loader *ld, const struct key_path *p, const json_t *v)
{
	if (ld->cfg->arch != CFG_ARCH_X86_64)
		return config_fail(ld, p, "not available%s (x86_64 only)", arch_suffix(ld));
	return get_bool(ld, p, v, &ld->cfg->pit);
}

static int parse_console_output(struct loader *ld, const struct key_path *p, const json_t *v)
{
	static const char *const names[] = { "stdout", "file", "none" };
	int i = 0;

	if (get_choice(ld, p, v, names, 3, &i))
		return -1;
	ld->cfg->console = i == 0 ? CFG_CONSOLE_STDOUT : i == 1 ? CFG_CONSOLE_FILE : CFG_CONSOLE_NONE;
	return 0;
}

static int parse_console_path(struct loader *ld, const struct key_path *p, const json_t *v)
{
	return get_string(ld, p, v, false, &ld->console_path);
}

static int parse_console_append(struct loader *ld, const struct key_path *p, const json_t *v)
{
	return get_bool(ld, p, v, &ld->cfg->console_append);
}

static int parse_console(struct loader *ld, const struct key_path *p, const json_t *v)
{
	static const struct key_rule rules[] = {
		{ "output", parse_console_output },
		{ "path", parse_console_path },
		{ "append", parse_console_append },
	};
	struct key_path output = config_child(p, "output");
	struct key_path path = config_child(p, "path");
	struct key_path append = config_child(p, "append");

	if (parse_members(ld, p, v, RULES(rules)))
		return -1;
	if (ld->cfg->console == CFG_CONSOLE_FILE) {
		if (!ld->console_path)
			return config_fail_at(ld, &path, &output, false,
					      "required when console.output is \"file\"");
		return 0;
	}
	/* path/append without a file would be silently ignored: refuse. */
	if (json_object_get(v, "path"))
		return config_fail(ld, &path, "only allowed when console.output is \"file\"");
	if (json_object_get(v, "append"))
		return config_fail(ld, &append, "only allowed when console.output is \"file\"");
	return 0;
}

static int parse_dev_uart(struct loader *ld, const struct key_path *p, const json_t *v)
{
	return get_bool(ld, p, v, &ld->cfg->dev_uart);
}

static int parse_dev_exit(struct loader *ld, const struct key_path *p, const json_t *v)
{
	return get_bool(ld, p, v, &ld->cfg->dev_exit);
}

static int parse_dev_testdev(struct loader *ld, const struct key_path *p, const json_t *v)
{
	return get_bool(ld, p, v, &ld->cfg->dev_testdev);
}

static int parse_devices(struct loader *ld, const struct key_path *p, const json_t *v)
{
	static const struct key_rule rules[] = {
		{ "uart", parse_dev_uart },
		{ "exit", parse_dev_exit },
		{ "testdev", parse_dev_testdev },
	};

	return parse_members(ld, p, v, RULES(rules));
}

static int parse_timeout(struct loader *ld, const struct key_path *p, const json_t *v)
{
	return get_number(ld, p, v, 0, CONFIG_MAX_TIMEOUT_SEC, &ld->cfg->timeout_sec);
}

static int parse_api_socket(struct loader *ld, const struct key_path *p, const json_t *v)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

	if (json_is_null(v)) {
		ld->api_socket = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return config_fail_type(ld, p, v, "a string or null");
	if (get_string(ld, p, v, false, &ld->api_socket))
		return -1;
	if (json_string_length(v) > max)
		return config_fail(ld, p, "%zu bytes is too long for a unix socket path (max %zu)",
				   json_string_length(v), max);
	return 0;
}

static int parse_storm_threshold(struct loader *ld, const struct key_path *p, const json_t *v)
{
	json_int_t x = 0;

	if (get_int(ld, p, v, 1, CONFIG_MAX_STORM_VALUE, "", &x))
		return -1;
	ld->cfg->storm_threshold = (unsigned)x;
	return 0;
}

static int parse_storm_holdoff(struct loader *ld, const struct key_path *p, const json_t *v)
{
	json_int_t x = 0;

	if (get_int(ld, p, v, 1, CONFIG_MAX_STORM_VALUE, "", &x))
		return -1;
	ld->cfg->storm_holdoff_ns = (uint64_t)x * 1000;
	return 0;
}

static int parse_ioapic(struct loader *ld, const struct key_path *p, const json_t *v)
{
	static const struct key_rule rules[] = {
		{ "storm_threshold", parse_storm_threshold },
		{ "storm_holdoff_us", parse_storm_holdoff },
	};

	if (ld->cfg->arch != CFG_ARCH_X86_64)
		return config_fail(ld, p, "not available%s (x86_64 only)", arch_suffix(ld));
	return parse_members(ld, p, v, RULES(rules));
}

static const struct key_rule top_rules[] = {
	{ "arch", parse_arch },
	{ "vcpus", parse_vcpus },
	{ "memory_mib", parse_memory },
	{ "kernel", parse_kernel },
	{ "cmdline", parse_cmdline },
	{ "irqchip", parse_irqchip },
	{ "pit", parse_pit },
	{ "console", parse_console },
	{ "devices", parse_devices },
	{ "timeout", parse_timeout },
	{ "api_socket", parse_api_socket },
	{ "ioapic", parse_ioapic },
};

void config_set_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->arch = CFG_ARCH_X86_64;
	cfg->vcpus = 1;
	cfg->memory_bytes = (uint64_t)CONFIG_DEFAULT_MEMORY_MIB << 20;
	cfg->irqchip = CFG_IRQCHIP_SPLIT;
	cfg->pit = true;
	cfg->console = CFG_CONSOLE_STDOUT;
	cfg->dev_uart = cfg->dev_exit = cfg->dev_testdev = true;
	cfg->storm_threshold = CONFIG_DEFAULT_STORM_THRESHOLD;
	cfg->storm_holdoff_ns = (uint64_t)CONFIG_DEFAULT_STORM_HOLDOFF_US * 1000;
}

/* ------------------------------------------------------------------ */
/* Paths and the filesystem */

/*
 * Paths written in the file are relative to the file's directory, so a
 * config works from any cwd; paths given with --set are relative to the
 * cwd like any other command-line path.
 */
static char *resolve_path(const struct loader *ld, const struct key_path *p, const char *path)
{
	char *out;

	if (path[0] == '/' || config_from_override(ld, p) || !ld->base_dir || !ld->base_dir[0] ||
	    strcmp(ld->base_dir, ".") == 0)
		return strdup(path);
	if (asprintf(&out, "%s/%s", ld->base_dir, path) < 0)
		return NULL;
	return out;
}

char *config_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static int check_console_file(struct loader *ld, const struct key_path *p, const char *path)
{
	struct stat st;
	char *dir;
	int ret = 0;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return config_fail(ld, p, "\"%s\" is a directory", path);
		if (access(path, W_OK) != 0)
			return config_fail(ld, p, "cannot write \"%s\": %s", path, strerror(errno));
		return 0;
	}
	dir = config_parent_dir(path);
	if (!dir)
		return config_fail(ld, p, "out of memory");
	if (stat(dir, &st) != 0)
		ret = config_fail(ld, p, "directory \"%s\" does not exist", dir);
	else if (!S_ISDIR(st.st_mode))
		ret = config_fail(ld, p, "\"%s\" is not a directory", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		ret = config_fail(ld, p, "cannot create a file in \"%s\": %s", dir,
				  strerror(errno));
	free(dir);
	return ret;
}

static int check_kernel_file(struct loader *ld, const struct key_path *p, const char *path)
{
	struct stat st;
	int fd, ret = 0;

	/* O_NONBLOCK: a FIFO named by mistake must not hang the check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return config_fail(ld, p, "cannot open \"%s\": %s", path, strerror(errno));
	if (fstat(fd, &st) != 0)
		ret = config_fail(ld, p, "cannot stat \"%s\": %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		ret = config_fail(ld, p, "\"%s\" is not a regular file", path);
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Validation of the whole tree */

int config_validate(struct loader *ld, const json_t *root)
{
	static const struct key_path top = { .n = 0 };
	struct key_path kernel = config_child(&top, "kernel");
	struct key_path console_path = { { "console", "path" }, 2 };
	struct vm_config *cfg = ld->cfg;
	const json_t *arch = json_object_get(root, "arch");

	/* Other keys' ranges and meaning depend on the architecture. */
	if (arch) {
		struct key_path p = config_child(&top, "arch");

		if (parse_arch(ld, &p, arch))
			return -1;
	}
	if (parse_members(ld, &top, root, RULES(top_rules)))
		return -1;
	if (!ld->kernel)
		return config_fail_at(ld, &kernel, &top, false,
				      "missing (the path of the guest kernel ELF is required)");
	if (!ld->irqchip_given)
		cfg->irqchip = cfg->arch == CFG_ARCH_X86_64 ? CFG_IRQCHIP_SPLIT : CFG_IRQCHIP_PLIC;
	if (cfg->arch != CFG_ARCH_X86_64)
		cfg->pit = false;

	cfg->kernel_path = resolve_path(ld, &kernel, ld->kernel);
	cfg->cmdline = strdup(ld->cmdline ? ld->cmdline : "");
	if (ld->api_socket)
		cfg->api_socket = strdup(ld->api_socket);
	if (cfg->console == CFG_CONSOLE_FILE)
		cfg->console_path = resolve_path(ld, &console_path, ld->console_path);
	if (!cfg->kernel_path || !cfg->cmdline || (ld->api_socket && !cfg->api_socket) ||
	    (cfg->console == CFG_CONSOLE_FILE && !cfg->console_path)) {
		config_put_err(ld->err, ld->errlen, "%s: out of memory", ld->name);
		return -1;
	}

	if (cfg->console == CFG_CONSOLE_FILE &&
	    check_console_file(ld, &console_path, cfg->console_path))
		return -1;
	return check_kernel_file(ld, &kernel, cfg->kernel_path);
}
