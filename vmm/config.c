/* SPDX-License-Identifier: MIT */
/*
 * Config loading in four steps: read the text, let jansson parse it
 * (rejecting duplicate keys), apply the --set overrides to the parsed tree,
 * then walk the tree against tables of known keys. Errors are located after
 * the fact: json_locate finds the offending key or value in the original
 * text, unless that value came from an override, which is then named
 * instead. Filesystem checks (console file, kernel) run last, so a mistake
 * in the JSON itself is reported even when the files are missing too.
 */
#include "vmm/config.h"

#include "vmm/json_locate.h"

#include <errno.h>
#include <fcntl.h>
#include <irqvm/abi.h>
#include <jansson.h>
#include <stdarg.h>
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

/* Deepest key path an override may name; the schema itself has depth 2. */
#define MAX_KEY_DEPTH 8
/* Strings quoted in messages are cut to about this many bytes. */
#define MAX_QUOTED 48

struct key_path {
	const char *k[MAX_KEY_DEPTH];
	size_t n;
};

struct override {
	const char *raw;        /* "KEY=VALUE" as given, for messages */
	char *keys;             /* copy of KEY, split in place at the dots */
	struct key_path path;
};

struct loader {
	const char *name;       /* file name for messages */
	const char *text;       /* the JSON text (after a UTF-8 BOM) */
	size_t len;
	const char *base_dir;   /* for relative paths in the file; NULL = cwd */
	struct override *ovr;
	size_t nr_ovr;
	char *err;
	size_t errlen;

	/* Values collected while walking; they point into the JSON tree. */
	struct vm_config *cfg;
	const char *kernel;
	const char *cmdline;
	const char *console_path;
	const char *api_socket;
	bool irqchip_given;
};

const char *config_arch_name(enum cfg_arch arch)
{
	switch (arch) {
	case CFG_ARCH_X86_64: return "x86_64";
	case CFG_ARCH_RISCV64: return "riscv64";
	}
	return "?";
}

const char *config_irqchip_name(enum cfg_irqchip irqchip)
{
	switch (irqchip) {
	case CFG_IRQCHIP_SPLIT: return "split";
	case CFG_IRQCHIP_KERNEL: return "kernel";
	case CFG_IRQCHIP_PLIC: return "plic";
	case CFG_IRQCHIP_AIA: return "aia";
	}
	return "?";
}

const char *config_console_name(enum cfg_console console)
{
	switch (console) {
	case CFG_CONSOLE_STDOUT: return "stdout";
	case CFG_CONSOLE_FILE: return "file";
	case CFG_CONSOLE_NONE: return "none";
	}
	return "?";
}

void config_free(struct vm_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->source);
	free(cfg->kernel_path);
	free(cfg->cmdline);
	free(cfg->console_path);
	free(cfg->api_socket);
	memset(cfg, 0, sizeof(*cfg));
}

/* ------------------------------------------------------------------ */
/* Message helpers */

static void put_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* JSON spelling of a string, shortened (on a character boundary) if long. */
static void quote_string(const char *s, char *buf, size_t len)
{
	json_t *str = json_string(s);
	char *dump = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;

	json_decref(str);
	if (!dump) {
		snprintf(buf, len, "\"%s\"", s);
		return;
	}
	if (strlen(dump) > MAX_QUOTED) {
		size_t cut = MAX_QUOTED - 4;

		while (cut > 1 && ((unsigned char)dump[cut] & 0xc0) == 0x80)
			cut--;
		snprintf(buf, len, "%.*s...\"", (int)cut, dump);
	} else {
		snprintf(buf, len, "%s", dump);
	}
	free(dump);
}

/* "an object", "integer 5", "string \"yes\"", ... for "got ..." */
static void describe(const json_t *v, char *buf, size_t len)
{
	char quoted[MAX_QUOTED + 16];
	char *dump;

	switch (json_typeof(v)) {
	case JSON_OBJECT: snprintf(buf, len, "an object"); return;
	case JSON_ARRAY: snprintf(buf, len, "an array"); return;
	case JSON_TRUE: snprintf(buf, len, "boolean true"); return;
	case JSON_FALSE: snprintf(buf, len, "boolean false"); return;
	case JSON_NULL: snprintf(buf, len, "null"); return;
	case JSON_INTEGER:
		snprintf(buf, len, "integer %" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL:
		/* jansson's spelling keeps the ".0" that says "not an integer". */
		dump = json_dumps(v, JSON_ENCODE_ANY);
		snprintf(buf, len, "number %s", dump ? dump : "?");
		free(dump);
		return;
	case JSON_STRING:
		quote_string(json_string_value(v), quoted, sizeof(quoted));
		snprintf(buf, len, "string %s", quoted);
		return;
	}
	snprintf(buf, len, "a value");
}

static bool is_plain_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++) {
		char c = *k;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* "devices.uart"; odd keys are quoted so the message stays unambiguous. */
static void format_path(const struct key_path *p, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->n && used < len; i++) {
		char quoted[MAX_QUOTED + 16];
		const char *k = p->k[i];
		int n;

		if (!is_plain_key(k)) {
			quote_string(k, quoted, sizeof(quoted));
			k = quoted;
		}
		n = snprintf(buf + used, len - used, "%s%s", i ? "." : "", k);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static struct key_path child(const struct key_path *parent, const char *key)
{
	struct key_path p = *parent;

	if (p.n < MAX_KEY_DEPTH) /* always true for the schema's depth */
		p.k[p.n++] = key;
	return p;
}

static bool has_prefix(const struct key_path *p, const struct key_path *prefix)
{
	if (prefix->n > p->n)
		return false;
	for (size_t i = 0; i < prefix->n; i++)
		if (strcmp(p->k[i], prefix->k[i]) != 0)
			return false;
	return true;
}

/*
 * Which override (if any) put the value at WHERE into the tree: the last one
 * naming WHERE or one of its parents. When WHERE is not in the file text at
 * all, an override that created it as a parent of its own key is blamed.
 */
static const struct override *blame_override(const struct loader *ld,
					     const struct key_path *where, size_t found_in_text)
{
	for (size_t i = ld->nr_ovr; i-- > 0;)
		if (ld->ovr[i].path.n > 0 && has_prefix(where, &ld->ovr[i].path))
			return &ld->ovr[i];
	if (found_in_text < where->n)
		for (size_t i = ld->nr_ovr; i-- > 0;)
			if (has_prefix(&ld->ovr[i].path, where))
				return &ld->ovr[i];
	return NULL;
}

static bool from_override(const struct loader *ld, const struct key_path *where)
{
	for (size_t i = 0; i < ld->nr_ovr; i++)
		if (ld->ovr[i].path.n > 0 && has_prefix(where, &ld->ovr[i].path))
			return true;
	return false;
}

/*
 * Reports an error about key path NAME, positioned at WHERE (its value, or
 * its key when AT_KEY). They differ for a missing key, which is reported at
 * the value that made it necessary. Always returns -1.
 */
static int fail_at(struct loader *ld, const struct key_path *name, const struct key_path *where,
		   bool at_key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct loader *ld, const struct key_path *name, const struct key_path *where,
		   bool at_key, const char *fmt, ...)
{
	char msg[512], path[256];
	struct json_pos pos;
	const struct override *o;
	size_t found;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	format_path(name, path, sizeof(path));
	found = json_locate(ld->text, ld->len, where->k, where->n, at_key, &pos);
	o = blame_override(ld, where, found);
	if (o)
		put_err(ld->err, ld->errlen, "--set %s: %s%s%s", o->raw, path, name->n ? ": " : "",
			msg);
	else
		put_err(ld->err, ld->errlen, "%s:%u:%u: %s%s%s", ld->name, pos.line, pos.column,
			path, name->n ? ": " : "", msg);
	return -1;
}

#define fail(ld, path, ...) fail_at(ld, path, path, false, __VA_ARGS__)

static int fail_type(struct loader *ld, const struct key_path *p, const json_t *v,
		     const char *expected)
{
	char got[MAX_QUOTED + 32];

	describe(v, got, sizeof(got));
	return fail(ld, p, "expected %s, got %s", expected, got);
}

/* ------------------------------------------------------------------ */
/* Typed getters: each checks type and range and reports at the value. */

static int get_bool(struct loader *ld, const struct key_path *p, const json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return fail_type(ld, p, v, "a boolean");
	*out = json_is_true(v);
	return 0;
}

static int get_int(struct loader *ld, const struct key_path *p, const json_t *v, json_int_t lo,
		   json_int_t hi, const char *note, json_int_t *out)
{
	json_int_t x = 0;

	if (!json_is_integer(v))
		return fail_type(ld, p, v, "an integer");
	x = json_integer_value(v);
	if (x < lo || x > hi)
		return fail(ld, p,
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
		return fail_type(ld, p, v, "a number");
	x = json_number_value(v);
	if (!(x >= lo && x <= hi))
		return fail(ld, p, "%g is out of range %g..%g", x, lo, hi);
	*out = x;
	return 0;
}

static int get_string(struct loader *ld, const struct key_path *p, const json_t *v,
		      bool allow_empty, const char **out)
{
	if (!json_is_string(v))
		return fail_type(ld, p, v, "a string");
	/* jansson refuses \u0000 unless asked, but a NUL would silently cut
	 * the string short later, so make sure. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return fail(ld, p, "must not contain a NUL character");
	if (!allow_empty && json_string_length(v) == 0)
		return fail(ld, p, "must not be empty");
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
	describe(v, got, sizeof(got));
	return fail(ld, p, "expected %s, got %s", expected, got);
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
		return fail_type(ld, p, obj, "an object");
	/* jansson keeps insertion order, so errors come in file order. */
	json_object_foreach((json_t *)obj, key, v) {
		struct key_path kp = child(p, key);
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
		return fail_at(ld, &kp, &kp, true, "unknown key (known: %s)", known);
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
		return fail(ld, p, "%zu bytes is longer than the maximum of %u",
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
				return fail(ld, p,
					    "\"%s\" is not available%s (expected \"%s\" or \"%s\")",
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
		return fail(ld, p, "not available%s (x86_64 only)", arch_suffix(ld));
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
	struct key_path output = child(p, "output");
	struct key_path path = child(p, "path");
	struct key_path append = child(p, "append");

	if (parse_members(ld, p, v, RULES(rules)))
		return -1;
	if (ld->cfg->console == CFG_CONSOLE_FILE) {
		if (!ld->console_path)
			return fail_at(ld, &path, &output, false,
				       "required when console.output is \"file\"");
		return 0;
	}
	/* path/append without a file would be silently ignored: refuse. */
	if (json_object_get(v, "path"))
		return fail(ld, &path, "only allowed when console.output is \"file\"");
	if (json_object_get(v, "append"))
		return fail(ld, &append, "only allowed when console.output is \"file\"");
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
		return fail_type(ld, p, v, "a string or null");
	if (get_string(ld, p, v, false, &ld->api_socket))
		return -1;
	if (json_string_length(v) > max)
		return fail(ld, p, "%zu bytes is too long for a unix socket path (max %zu)",
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
		return fail(ld, p, "not available%s (x86_64 only)", arch_suffix(ld));
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

static void set_defaults(struct vm_config *cfg)
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

	if (path[0] == '/' || from_override(ld, p) || !ld->base_dir || !ld->base_dir[0] ||
	    strcmp(ld->base_dir, ".") == 0)
		return strdup(path);
	if (asprintf(&out, "%s/%s", ld->base_dir, path) < 0)
		return NULL;
	return out;
}

/* "dir" of "dir/name", "." of "name", "/" of "/name". */
static char *parent_dir(const char *path)
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
			return fail(ld, p, "\"%s\" is a directory", path);
		if (access(path, W_OK) != 0)
			return fail(ld, p, "cannot write \"%s\": %s", path, strerror(errno));
		return 0;
	}
	dir = parent_dir(path);
	if (!dir)
		return fail(ld, p, "out of memory");
	if (stat(dir, &st) != 0)
		ret = fail(ld, p, "directory \"%s\" does not exist", dir);
	else if (!S_ISDIR(st.st_mode))
		ret = fail(ld, p, "\"%s\" is not a directory", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		ret = fail(ld, p, "cannot create a file in \"%s\": %s", dir, strerror(errno));
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
		return fail(ld, p, "cannot open \"%s\": %s", path, strerror(errno));
	if (fstat(fd, &st) != 0)
		ret = fail(ld, p, "cannot stat \"%s\": %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		ret = fail(ld, p, "\"%s\" is not a regular file", path);
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Validation of the whole tree */

static int validate(struct loader *ld, const json_t *root)
{
	static const struct key_path top = { .n = 0 };
	struct key_path kernel = child(&top, "kernel");
	struct key_path console_path = { { "console", "path" }, 2 };
	struct vm_config *cfg = ld->cfg;
	const json_t *arch = json_object_get(root, "arch");

	/* Other keys' ranges and meaning depend on the architecture. */
	if (arch) {
		struct key_path p = child(&top, "arch");

		if (parse_arch(ld, &p, arch))
			return -1;
	}
	if (parse_members(ld, &top, root, RULES(top_rules)))
		return -1;
	if (!ld->kernel)
		return fail_at(ld, &kernel, &top, false,
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
		put_err(ld->err, ld->errlen, "%s: out of memory", ld->name);
		return -1;
	}

	if (cfg->console == CFG_CONSOLE_FILE &&
	    check_console_file(ld, &console_path, cfg->console_path))
		return -1;
	return check_kernel_file(ld, &kernel, cfg->kernel_path);
}

/* ------------------------------------------------------------------ */
/* --set overrides */

static int override_fail(struct loader *ld, const char *raw, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int override_fail(struct loader *ld, const char *raw, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_err(ld->err, ld->errlen, "--set %s: %s", raw, msg);
	return -1;
}

/* Splits "KEY=VALUE" and parses VALUE; on success *VALUE is a new reference. */
static int parse_override(struct loader *ld, struct override *o, const char *raw, json_t **value)
{
	const char *eq = strchr(raw, '=');
	const char *text, *s;
	json_error_t jerr;
	char *key;
	json_t *v;

	o->raw = raw;
	if (!eq)
		return override_fail(ld, raw, "expected KEY=VALUE");
	o->keys = strndup(raw, (size_t)(eq - raw));
	if (!o->keys)
		return override_fail(ld, raw, "out of memory");
	key = o->keys;
	for (;;) {
		char *dot = strchr(key, '.');

		if (dot)
			*dot = '\0';
		if (!*key)
			return override_fail(ld, raw, "empty key name in \"%.*s\"",
					     (int)(eq - raw), raw);
		if (o->path.n == MAX_KEY_DEPTH)
			return override_fail(ld, raw, "key path is deeper than %d levels",
					     MAX_KEY_DEPTH);
		o->path.k[o->path.n++] = key;
		if (!dot)
			break;
		key = dot + 1;
	}

	text = eq + 1;
	v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		/* Something that starts like JSON but is not is a typo, not a
		 * string the user meant literally. */
		for (s = text; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '{' || *s == '[' || *s == '"')
			return override_fail(ld, raw, "invalid JSON value: %s (column %d)",
					     jerr.text, jerr.column);
		v = json_string(text);
		if (!v)
			return override_fail(ld, raw, "value is not valid UTF-8");
	}
	*value = v;
	return 0;
}

/* Stores VALUE (stolen) at the override's path, creating parent objects. */
static int apply_override(struct loader *ld, const struct override *o, json_t *root,
			  json_t *value)
{
	json_t *obj = root;

	for (size_t i = 0; i + 1 < o->path.n; i++) {
		json_t *next = json_object_get(obj, o->path.k[i]);

		if (!next) {
			next = json_object();
			if (json_object_set_new(obj, o->path.k[i], next))
				goto bad_key;
		} else if (!json_is_object(next)) {
			struct key_path prefix = o->path;
			char path[256], got[MAX_QUOTED + 32];

			prefix.n = i + 1;
			format_path(&prefix, path, sizeof(path));
			describe(next, got, sizeof(got));
			json_decref(value);
			return override_fail(ld, o->raw, "%s: expected an object, got %s", path,
					     got);
		}
		obj = next;
	}
	if (json_object_set_new(obj, o->path.k[o->path.n - 1], value))
		goto bad_key_consumed;
	return 0;

bad_key:
	json_decref(value);
bad_key_consumed:
	/* json_object_set_new fails on invalid UTF-8 (or lack of memory). */
	return override_fail(ld, o->raw, "key is not valid UTF-8");
}

/* ------------------------------------------------------------------ */
/* Loading */

static int syntax_fail(struct loader *ld, const json_error_t *jerr)
{
	char path[256];
	struct json_pos pos;

	if (json_error_code(jerr) == json_error_duplicate_key && jerr->position > 0 &&
	    json_locate_key_at(ld->text, ld->len, (size_t)jerr->position - 1, path,
			       sizeof(path), &pos)) {
		put_err(ld->err, ld->errlen, "%s:%u:%u: %s: duplicate key", ld->name, pos.line,
			pos.column, path);
		return -1;
	}
	/* jansson's column is 0 when the error is at the start of a line. */
	put_err(ld->err, ld->errlen, "%s:%d:%d: %s", ld->name, jerr->line > 0 ? jerr->line : 1,
		jerr->column > 0 ? jerr->column : 1, jerr->text);
	return -1;
}

static int load(struct loader *ld, const char *const *overrides, size_t nr_overrides)
{
	static const struct key_path top = { .n = 0 };
	const char *nul;
	json_error_t jerr;
	json_t *root;
	int ret = -1;

	set_defaults(ld->cfg);
	if (ld->len == 0) {
		put_err(ld->err, ld->errlen, "%s: empty file", ld->name);
		return -1;
	}
	if (ld->len > CONFIG_MAX_FILE_SIZE) {
		put_err(ld->err, ld->errlen, "%s: larger than %u bytes", ld->name,
			CONFIG_MAX_FILE_SIZE);
		return -1;
	}
	/* Editors on some systems start UTF-8 files with a byte order mark. */
	if (ld->len >= 3 && memcmp(ld->text, "\xef\xbb\xbf", 3) == 0) {
		ld->text += 3;
		ld->len -= 3;
	}
	/* jansson would call a NUL byte an unexpected end of file. */
	nul = memchr(ld->text, '\0', ld->len);
	if (nul) {
		struct json_pos pos = json_pos_of_offset(ld->text, ld->len,
							 (size_t)(nul - ld->text));

		put_err(ld->err, ld->errlen, "%s:%u:%u: NUL byte in the text (not a JSON file?)",
			ld->name, pos.line, pos.column);
		return -1;
	}

	root = json_loadb(ld->text, ld->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return syntax_fail(ld, &jerr);
	if (!json_is_object(root)) {
		char got[MAX_QUOTED + 32];

		describe(root, got, sizeof(got));
		fail(ld, &top, "expected a JSON object at the top level, got %s", got);
		goto out;
	}

	ld->ovr = calloc(nr_overrides ? nr_overrides : 1, sizeof(*ld->ovr));
	if (!ld->ovr) {
		put_err(ld->err, ld->errlen, "%s: out of memory", ld->name);
		goto out;
	}
	for (size_t i = 0; i < nr_overrides; i++) {
		json_t *value = NULL;

		ld->nr_ovr = i + 1;
		if (parse_override(ld, &ld->ovr[i], overrides[i], &value) ||
		    apply_override(ld, &ld->ovr[i], root, value))
			goto out;
	}
	ret = validate(ld, root);
out:
	json_decref(root);
	for (size_t i = 0; i < ld->nr_ovr; i++)
		free(ld->ovr[i].keys);
	free(ld->ovr);
	return ret;
}

static int finish(struct loader *ld, int ret)
{
	if (ret == 0) {
		ld->cfg->source = strdup(ld->name);
		if (!ld->cfg->source) {
			put_err(ld->err, ld->errlen, "%s: out of memory", ld->name);
			ret = -1;
		}
	}
	if (ret != 0)
		config_free(ld->cfg);
	return ret;
}

int config_load_string(const char *text, const char *name, const char *base_dir,
		       const char *const *overrides, size_t nr_overrides,
		       struct vm_config *cfg, char *err, size_t errlen)
{
	struct loader ld = {
		.name = name ? name : "<string>",
		.text = text ? text : "",
		.len = text ? strlen(text) : 0,
		.base_dir = base_dir,
		.err = err,
		.errlen = errlen,
		.cfg = cfg,
	};

	return finish(&ld, load(&ld, overrides, nr_overrides));
}

/* Reads at most CONFIG_MAX_FILE_SIZE + 1 bytes: enough to tell "too big". */
static char *read_config_file(const char *path, size_t *len, char *err, size_t errlen)
{
	size_t cap = CONFIG_MAX_FILE_SIZE + 1, used = 0;
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		put_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		put_err(err, errlen, "%s: cannot open: %s", path, strerror(EISDIR));
		close(fd);
		return NULL;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		put_err(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (used < cap) {
		ssize_t n = read(fd, buf + used, cap - used);

		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			put_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	*len = used;
	return buf;
}

int config_load_file(const char *path, const char *const *overrides, size_t nr_overrides,
		     struct vm_config *cfg, char *err, size_t errlen)
{
	struct loader ld = {
		.name = path,
		.err = err,
		.errlen = errlen,
		.cfg = cfg,
	};
	char *text, *dir;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	text = read_config_file(path, &ld.len, err, errlen);
	if (!text)
		return -1;
	dir = parent_dir(path);
	if (!dir) {
		put_err(err, errlen, "%s: out of memory", path);
		free(text);
		return -1;
	}
	ld.text = text;
	ld.base_dir = dir;
	ret = finish(&ld, load(&ld, overrides, nr_overrides));
	free(dir);
	free(text);
	return ret;
}
