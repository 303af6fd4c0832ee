/* SPDX-License-Identifier: MIT */
/*
 * Config loader tests. Each test gets a fresh temporary directory holding a
 * (fake) kernel.elf; configs are written there as vm.json and loaded from
 * the file, so relative-path resolution is exercised as in real use.
 */
#include "vmm/config/config.h"
#include "vmm/config/json_locate.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char cfg_path[128];
static char err[1024];
static struct vm_config cfg;

static void write_file(const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void make_subdir(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(mkdir(path, 0755), 0);
}

static void setup(void)
{
	strcpy(dir, "/tmp/irqvm-config-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cfg_path, sizeof(cfg_path), "%s/vm.json", dir);
	write_file("kernel.elf", "\177ELF", 4);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void teardown(void)
{
	config_free(&cfg);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(config, .init = setup, .fini = teardown);
TestSuite(config_override, .init = setup, .fini = teardown);
TestSuite(config_reject, .init = setup, .fini = teardown);

static int load_overrides(const char *json, const char *const *ovr, size_t nr)
{
	write_file("vm.json", json, strlen(json));
	err[0] = '\0';
	return config_load_file(cfg_path, ovr, nr, &cfg, err, sizeof(err));
}

static int load(const char *json)
{
	return load_overrides(json, NULL, 0);
}

static void expect_ok(const char *json)
{
	cr_assert_eq(load(json), 0, "rejected %s: %s", json, err);
}

/* The error must contain NEEDLE, which usually includes ":LINE:COL: ". */
static void expect_err_overrides(const char *json, const char *const *ovr, size_t nr,
				 const char *needle)
{
	cr_assert_eq(load_overrides(json, ovr, nr), -1, "accepted %s", json);
	cr_assert(strstr(err, needle), "error \"%s\"\n  does not contain \"%s\"", err, needle);
	cr_assert_null(cfg.kernel_path, "a failed load left data in the config");
}

static void expect_err(const char *json, const char *needle)
{
	expect_err_overrides(json, NULL, 0, needle);
}

/* A one-line config "{"kernel":"kernel.elf", <EXTRA>}": EXTRA starts at column 26. */
#define K "{\"kernel\": \"kernel.elf\", "

static void expect_ok_with(const char *extra)
{
	char json[8192];

	snprintf(json, sizeof(json), K "%s}", extra);
	expect_ok(json);
	config_free(&cfg);
}

static void expect_err_with(const char *extra, const char *needle)
{
	char json[8192];

	snprintf(json, sizeof(json), K "%s}", extra);
	expect_err(json, needle);
}

static void join(char *buf, size_t len, const char *a, const char *b)
{
	snprintf(buf, len, "%s/%s", a, b);
}

/* ------------------------------------------------------------------ */
/* Valid configs */

Test(config, minimal_config_gets_documented_defaults)
{
	char kernel[256];

	expect_ok("{\"kernel\": \"kernel.elf\"}");
	join(kernel, sizeof(kernel), dir, "kernel.elf");
	cr_assert_str_eq(cfg.source, cfg_path);
	cr_assert_eq(cfg.arch, CFG_ARCH_X86_64);
	cr_assert_eq(cfg.vcpus, 1);
	cr_assert_eq(cfg.memory_bytes, 128ull << 20);
	cr_assert_str_eq(cfg.kernel_path, kernel);
	cr_assert_str_eq(cfg.cmdline, "");
	cr_assert_eq(cfg.irqchip, CFG_IRQCHIP_SPLIT);
	cr_assert(cfg.pit);
	cr_assert_eq(cfg.console, CFG_CONSOLE_STDOUT);
	cr_assert_null(cfg.console_path);
	cr_assert(!cfg.console_append);
	cr_assert(cfg.dev_uart && cfg.dev_exit && cfg.dev_testdev);
	cr_assert_eq(cfg.timeout_sec, 0);
	cr_assert_null(cfg.api_socket);
	cr_assert_eq(cfg.storm_threshold, 10000);
	cr_assert_eq(cfg.storm_holdoff_ns, 100000);
}

Test(config, full_x86_config_sets_every_field)
{
	char path[256];

	expect_ok("{\n"
		  "  \"arch\": \"x86_64\",\n"
		  "  \"vcpus\": 4,\n"
		  "  \"memory_mib\": 512,\n"
		  "  \"kernel\": \"kernel.elf\",\n"
		  "  \"cmdline\": \"verbose seed=7\",\n"
		  "  \"irqchip\": \"kernel\",\n"
		  "  \"pit\": false,\n"
		  "  \"console\": {\"output\": \"file\", \"path\": \"out.log\", \"append\": true},\n"
		  "  \"devices\": {\"uart\": false, \"exit\": true, \"testdev\": false},\n"
		  "  \"timeout\": 30,\n"
		  "  \"api_socket\": \"run/irqvm.sock\",\n"
		  "  \"ioapic\": {\"storm_threshold\": 500, \"storm_holdoff_us\": 2000}\n"
		  "}\n");
	cr_assert_eq(cfg.arch, CFG_ARCH_X86_64);
	cr_assert_eq(cfg.vcpus, 4);
	cr_assert_eq(cfg.memory_bytes, 512ull << 20);
	cr_assert_str_eq(cfg.cmdline, "verbose seed=7");
	cr_assert_eq(cfg.irqchip, CFG_IRQCHIP_KERNEL);
	cr_assert(!cfg.pit);
	cr_assert_eq(cfg.console, CFG_CONSOLE_FILE);
	join(path, sizeof(path), dir, "out.log");
	cr_assert_str_eq(cfg.console_path, path);
	cr_assert(cfg.console_append);
	cr_assert(!cfg.dev_uart && cfg.dev_exit && !cfg.dev_testdev);
	cr_assert_eq(cfg.timeout_sec, 30);
	cr_assert_str_eq(cfg.api_socket, "run/irqvm.sock");
	cr_assert_eq(cfg.storm_threshold, 500);
	cr_assert_eq(cfg.storm_holdoff_ns, 2000000);
}

Test(config, riscv_defaults_to_plic_and_has_no_pit)
{
	expect_ok(K "\"arch\": \"riscv64\"}");
	cr_assert_eq(cfg.arch, CFG_ARCH_RISCV64);
	cr_assert_eq(cfg.irqchip, CFG_IRQCHIP_PLIC);
	cr_assert(!cfg.pit);
}

Test(config, riscv_accepts_aia_and_4096_mib)
{
	expect_ok(K "\"arch\": \"riscv64\", \"irqchip\": \"aia\", \"memory_mib\": 4096}");
	cr_assert_eq(cfg.irqchip, CFG_IRQCHIP_AIA);
	cr_assert_eq(cfg.memory_bytes, 4096ull << 20);
}

Test(config, arch_may_follow_the_keys_that_depend_on_it)
{
	expect_ok("{\"memory_mib\": 4000, \"irqchip\": \"plic\", \"kernel\": \"kernel.elf\", "
		  "\"arch\": \"riscv64\"}");
	cr_assert_eq(cfg.irqchip, CFG_IRQCHIP_PLIC);
}

Test(config, console_none_and_empty_objects_are_accepted)
{
	expect_ok(K "\"console\": {\"output\": \"none\"}, \"devices\": {}, \"ioapic\": {}}");
	cr_assert_eq(cfg.console, CFG_CONSOLE_NONE);
	cr_assert(cfg.dev_uart && cfg.dev_exit && cfg.dev_testdev);
}

Test(config, console_file_in_existing_subdirectory_is_resolved_against_config_dir)
{
	char path[256];

	make_subdir("logs");
	expect_ok(K "\"console\": {\"output\": \"file\", \"path\": \"logs/console.txt\"}}");
	join(path, sizeof(path), dir, "logs/console.txt");
	cr_assert_str_eq(cfg.console_path, path);
	cr_assert(!cfg.console_append);
}

Test(config, kernel_path_is_relative_to_config_dir_not_cwd)
{
	char expect[256];

	make_subdir("boot");
	write_file("boot/k.elf", "x", 1);
	cr_assert_eq(chdir("/"), 0);
	expect_ok("{\"kernel\": \"boot/k.elf\"}");
	join(expect, sizeof(expect), dir, "boot/k.elf");
	cr_assert_str_eq(cfg.kernel_path, expect);
}

Test(config, absolute_kernel_path_is_kept)
{
	char json[512], kernel[256];

	join(kernel, sizeof(kernel), dir, "kernel.elf");
	snprintf(json, sizeof(json), "{\"kernel\": \"%s\"}", kernel);
	expect_ok(json);
	cr_assert_str_eq(cfg.kernel_path, kernel);
}

Test(config, relative_config_path_gives_relative_kernel_path)
{
	cr_assert_eq(chdir(dir), 0);
	write_file("vm.json", "{\"kernel\": \"kernel.elf\"}", 24);
	cr_assert_eq(config_load_file("vm.json", NULL, 0, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.kernel_path, "kernel.elf");
	cr_assert_str_eq(cfg.source, "vm.json");
}

Test(config, api_socket_stays_relative_to_cwd)
{
	expect_ok(K "\"api_socket\": \"ctl.sock\"}");
	cr_assert_str_eq(cfg.api_socket, "ctl.sock");
}

Test(config, api_socket_null_means_none)
{
	expect_ok(K "\"api_socket\": null}");
	cr_assert_null(cfg.api_socket);
}

Test(config, timeout_accepts_fractions)
{
	expect_ok(K "\"timeout\": 0.25}");
	cr_assert_float_eq(cfg.timeout_sec, 0.25, 1e-12);
}

Test(config, utf8_byte_order_mark_is_skipped)
{
	expect_ok("\xef\xbb\xbf{\"kernel\": \"kernel.elf\"}");
}

Test(config, escaped_key_names_are_decoded)
{
	expect_ok(K "\"vc\\u0070us\": 3}");
	cr_assert_eq(cfg.vcpus, 3);
}

Test(config, string_loader_uses_name_and_base_dir)
{
	char kernel[256];

	cr_assert_eq(config_load_string("{\"kernel\": \"kernel.elf\"}", "inline", dir, NULL, 0,
					&cfg, err, sizeof(err)),
		     0, "%s", err);
	join(kernel, sizeof(kernel), dir, "kernel.elf");
	cr_assert_str_eq(cfg.kernel_path, kernel);
	cr_assert_str_eq(cfg.source, "inline");
	config_free(&cfg);
	cr_assert_eq(config_load_string("{\"vcpus\": 0}", "inline", dir, NULL, 0, &cfg, err,
					sizeof(err)),
		     -1);
	cr_assert(strstr(err, "inline:1:11: vcpus: 0 is out of range 1..8"), "%s", err);
}

Test(config, string_loader_without_base_dir_resolves_against_cwd)
{
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(config_load_string("{\"kernel\": \"kernel.elf\"}", "s", NULL, NULL, 0, &cfg,
					err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(cfg.kernel_path, "kernel.elf");
}

Test(config, names_of_enums_match_config_spelling)
{
	cr_assert_str_eq(config_arch_name(CFG_ARCH_X86_64), "x86_64");
	cr_assert_str_eq(config_arch_name(CFG_ARCH_RISCV64), "riscv64");
	cr_assert_str_eq(config_irqchip_name(CFG_IRQCHIP_SPLIT), "split");
	cr_assert_str_eq(config_irqchip_name(CFG_IRQCHIP_KERNEL), "kernel");
	cr_assert_str_eq(config_irqchip_name(CFG_IRQCHIP_PLIC), "plic");
	cr_assert_str_eq(config_irqchip_name(CFG_IRQCHIP_AIA), "aia");
	cr_assert_str_eq(config_console_name(CFG_CONSOLE_FILE), "file");
}

Test(config, free_is_safe_twice)
{
	expect_ok("{\"kernel\": \"kernel.elf\"}");
	config_free(&cfg);
	config_free(&cfg);
	cr_assert_null(cfg.kernel_path);
}

/* ------------------------------------------------------------------ */
/* Range boundaries: both sides of every limit */

Test(config_reject, vcpus_range_is_1_to_8)
{
	expect_err_with("\"vcpus\": 0", ":1:35: vcpus: 0 is out of range 1..8");
	expect_ok_with("\"vcpus\": 1");
	expect_ok_with("\"vcpus\": 8");
	expect_err_with("\"vcpus\": 9", ":1:35: vcpus: 9 is out of range 1..8");
	expect_err_with("\"vcpus\": -1", "vcpus: -1 is out of range");
}

Test(config_reject, x86_memory_range_is_16_to_3072_mib)
{
	expect_err_with("\"memory_mib\": 15", "memory_mib: 15 is out of range 16..3072 for arch x86_64");
	expect_ok_with("\"memory_mib\": 16");
	expect_ok_with("\"memory_mib\": 3072");
	expect_err_with("\"memory_mib\": 3073", "memory_mib: 3073 is out of range 16..3072");
}

Test(config_reject, riscv_memory_range_is_16_to_4096_mib)
{
	expect_err_with("\"arch\": \"riscv64\", \"memory_mib\": 15",
			"memory_mib: 15 is out of range 16..4096 for arch riscv64");
	expect_ok_with("\"arch\": \"riscv64\", \"memory_mib\": 16");
	expect_ok_with("\"arch\": \"riscv64\", \"memory_mib\": 4096");
	expect_err_with("\"arch\": \"riscv64\", \"memory_mib\": 4097",
			"memory_mib: 4097 is out of range 16..4096");
}

Test(config_reject, timeout_range_is_0_to_86400)
{
	expect_err_with("\"timeout\": -0.5", "timeout: -0.5 is out of range 0..86400");
	expect_ok_with("\"timeout\": 0");
	expect_ok_with("\"timeout\": 86400");
	expect_err_with("\"timeout\": 86400.5", "timeout: 86400.5 is out of range");
}

Test(config_reject, storm_threshold_range_is_1_to_1000000)
{
	expect_err_with("\"ioapic\": {\"storm_threshold\": 0}",
			":1:56: ioapic.storm_threshold: 0 is out of range 1..1000000");
	expect_ok_with("\"ioapic\": {\"storm_threshold\": 1}");
	expect_ok_with("\"ioapic\": {\"storm_threshold\": 1000000}");
	expect_err_with("\"ioapic\": {\"storm_threshold\": 1000001}",
			"ioapic.storm_threshold: 1000001 is out of range");
}

Test(config_reject, storm_holdoff_range_is_1_to_1000000_us)
{
	expect_err_with("\"ioapic\": {\"storm_holdoff_us\": 0}",
			"ioapic.storm_holdoff_us: 0 is out of range 1..1000000");
	expect_ok_with("\"ioapic\": {\"storm_holdoff_us\": 1}");
	expect_ok_with("\"ioapic\": {\"storm_holdoff_us\": 1000000}");
	expect_err_with("\"ioapic\": {\"storm_holdoff_us\": 1000001}",
			"ioapic.storm_holdoff_us: 1000001 is out of range");
}

Test(config_reject, cmdline_is_at_most_4095_bytes)
{
	char extra[5000];

	snprintf(extra, sizeof(extra), "\"cmdline\": \"%4095d\"", 1);
	expect_ok_with(extra);
	snprintf(extra, sizeof(extra), "\"cmdline\": \"%4096d\"", 1);
	expect_err_with(extra, "cmdline: 4096 bytes is longer than the maximum of 4095");
}

Test(config_reject, api_socket_must_fit_a_unix_socket_address)
{
	char extra[300];

	snprintf(extra, sizeof(extra), "\"api_socket\": \"%0107d\"", 0);
	expect_ok_with(extra);
	snprintf(extra, sizeof(extra), "\"api_socket\": \"%0108d\"", 0);
	expect_err_with(extra, "api_socket: 108 bytes is too long");
}

Test(config_reject, integer_beyond_64_bits_is_a_syntax_error)
{
	expect_err_with("\"vcpus\": 99999999999999999999", ":1:54: too big integer");
}

/* ------------------------------------------------------------------ */
/* Wrong types, each key */

Test(config_reject, every_key_rejects_a_value_of_the_wrong_type)
{
	static const struct {
		const char *extra, *needle;
	} cases[] = {
		{ "\"arch\": 64", "arch: expected \"x86_64\" or \"riscv64\", got integer 64" },
		{ "\"vcpus\": \"2\"", ":1:35: vcpus: expected an integer, got string \"2\"" },
		{ "\"vcpus\": 2.0", "vcpus: expected an integer, got number 2.0" },
		{ "\"memory_mib\": true", "memory_mib: expected an integer, got boolean true" },
		{ "\"cmdline\": false", "cmdline: expected a string, got boolean false" },
		{ "\"irqchip\": null", "irqchip: expected \"split\" or \"kernel\", got null" },
		{ "\"pit\": \"yes\"", "pit: expected a boolean, got string \"yes\"" },
		{ "\"console\": \"stdout\"", "console: expected an object, got string \"stdout\"" },
		{ "\"console\": {\"output\": true}",
		  "console.output: expected \"stdout\", \"file\" or \"none\", got boolean true" },
		{ "\"console\": {\"output\": \"file\", \"path\": 3}",
		  "console.path: expected a string, got integer 3" },
		{ "\"console\": {\"output\": \"file\", \"path\": \"x\", \"append\": 1}",
		  "console.append: expected a boolean, got integer 1" },
		{ "\"devices\": [\"uart\"]", "devices: expected an object, got an array" },
		{ "\"devices\": {\"uart\": \"yes\"}",
		  ":1:46: devices.uart: expected a boolean, got string \"yes\"" },
		{ "\"devices\": {\"exit\": 0}", "devices.exit: expected a boolean, got integer 0" },
		{ "\"devices\": {\"testdev\": {}}", "devices.testdev: expected a boolean, got an object" },
		{ "\"timeout\": \"10s\"", "timeout: expected a number, got string \"10s\"" },
		{ "\"api_socket\": 1", "api_socket: expected a string or null, got integer 1" },
		{ "\"api_socket\": \"\"", "api_socket: must not be empty" },
		{ "\"ioapic\": true", "ioapic: expected an object, got boolean true" },
		{ "\"ioapic\": {\"storm_threshold\": 1.5}",
		  "ioapic.storm_threshold: expected an integer, got number 1.5" },
		{ "\"ioapic\": {\"storm_holdoff_us\": \"100\"}",
		  "ioapic.storm_holdoff_us: expected an integer, got string \"100\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_err_with(cases[i].extra, cases[i].needle);
}

Test(config_reject, kernel_must_be_a_non_empty_string)
{
	expect_err("{\"kernel\": 5}", ":1:12: kernel: expected a string, got integer 5");
	expect_err("{\"kernel\": \"\"}", ":1:12: kernel: must not be empty");
}

Test(config_reject, long_strings_are_shortened_in_messages)
{
	char extra[300];

	snprintf(extra, sizeof(extra), "\"pit\": \"%0200d\"", 0);
	expect_err_with(extra, "...\"");
	cr_assert_lt(strlen(err), 200, "%s", err);
}

Test(config_reject, unknown_enum_values)
{
	expect_err_with("\"arch\": \"arm64\"",
			":1:34: arch: expected \"x86_64\" or \"riscv64\", got string \"arm64\"");
	expect_err_with("\"irqchip\": \"pic\"", "irqchip: expected \"split\" or \"kernel\"");
	expect_err_with("\"console\": {\"output\": \"stderr\"}",
			"console.output: expected \"stdout\", \"file\" or \"none\", got string");
}

/* ------------------------------------------------------------------ */
/* Structure, positions, syntax */

Test(config_reject, unknown_top_level_key_is_located_at_the_key)
{
	expect_err("{\n  \"kernel\": \"kernel.elf\",\n  \"vcpu\": 2\n}",
		   ":3:3: vcpu: unknown key (known: arch, vcpus,");
}

Test(config_reject, unknown_nested_key_is_located_at_the_key)
{
	expect_err("{\n  \"kernel\": \"kernel.elf\",\n  \"devices\": {\n    \"uart\": true,\n"
		   "    \"usb\": true\n  }\n}",
		   ":5:5: devices.usb: unknown key (known: uart, exit, testdev)");
	expect_err_with("\"ioapic\": {\"storm\": 1}", ":1:37: ioapic.storm: unknown key");
	expect_err_with("\"console\": {\"colour\": 1}", "console.colour: unknown key");
}

Test(config_reject, odd_unknown_keys_are_quoted)
{
	expect_err_with("\"a b\": 1", ":1:26: \"a b\": unknown key");
}

Test(config_reject, columns_count_characters_not_bytes)
{
	/* "é" is two bytes but one column, as in jansson's own messages. */
	expect_err("{\"cmdline\": \"\xc3\xa9\", \"vcpus\": 0}", ":1:27: vcpus: 0 is out of range");
}

Test(config_reject, nested_wrong_type_reports_line_and_column_of_value)
{
	expect_err("{\n  \"kernel\": \"kernel.elf\",\n  \"devices\": {\n    \"uart\":   \"yes\"\n  }\n}",
		   ":4:15: devices.uart: expected a boolean, got string \"yes\"");
}

Test(config_reject, syntax_error_reports_jansson_line_and_column)
{
	expect_err("{\n  \"vcpus\": 2,\n}", ":3:1: string or '}' expected near '}'");
	expect_err("{\n  \"vcpus\": 2\n  \"kernel\": \"k\"\n}", ":3:10: '}' expected near '\"kernel\"'");
	expect_err("{\"vcpus\": tru}", ":1:13: invalid token near 'tru'");
}

Test(config_reject, truncated_text_reports_end_of_file)
{
	expect_err("{\"vcpus\": 2,\n", ":2:1: string or '}' expected near end of file");
}

Test(config_reject, duplicate_keys_are_reported_at_the_second_key)
{
	expect_err("{\"kernel\": \"kernel.elf\",\n \"vcpus\": 1,\n \"vcpus\": 2}",
		   ":3:2: vcpus: duplicate key");
	expect_err_with("\"devices\": {\"uart\": true, \"uart\": false}",
			":1:52: devices.uart: duplicate key");
}

Test(config_reject, text_that_is_not_utf8_is_rejected)
{
	expect_err(K "\"cmdline\": \"caf\xe9\"}", "unable to decode byte 0xe9");
	expect_err(K "\"cmdline\": \"x\"}\xff", "unable to decode byte 0xff");
}

Test(config_reject, nul_byte_is_rejected_with_its_position)
{
	write_file("vm.json", "{\n \"vcpus\": 1\0}", 15);
	cr_assert_eq(config_load_file(cfg_path, NULL, 0, &cfg, err, sizeof(err)), -1);
	cr_assert(strstr(err, ":2:12: NUL byte"), "%s", err);
}

Test(config_reject, escaped_nul_in_a_string_is_rejected)
{
	expect_err_with("\"cmdline\": \"a\\u0000b\"", "\\u0000 is not allowed");
}

Test(config_reject, top_level_must_be_an_object)
{
	expect_err("[{\"kernel\": \"kernel.elf\"}]",
		   ":1:1: expected a JSON object at the top level, got an array");
	expect_err("  42", ":1:4: '[' or '{' expected near '42'");
	expect_err("\n\n \"x\"", ":3:4: '[' or '{' expected");
}

Test(config_reject, empty_and_blank_files)
{
	expect_err("", "vm.json: empty file");
	expect_err(" \n\t\n", ":3:1: '[' or '{' expected near end of file");
}

Test(config_reject, file_larger_than_1_mib)
{
	size_t size = (1u << 20) + 1;
	char *big = malloc(size);

	cr_assert_not_null(big);
	memset(big, ' ', size);
	big[0] = '{';
	big[size - 1] = '}';
	write_file("vm.json", big, size);
	free(big);
	cr_assert_eq(config_load_file(cfg_path, NULL, 0, &cfg, err, sizeof(err)), -1);
	cr_assert(strstr(err, "vm.json: larger than 1048576 bytes"), "%s", err);
}

Test(config_reject, file_of_exactly_1_mib_is_read)
{
	size_t size = 1u << 20;
	char *big = malloc(size);
	const char *body = "{\"kernel\": \"kernel.elf\"";

	cr_assert_not_null(big);
	memset(big, ' ', size);
	memcpy(big, body, strlen(body));
	big[size - 1] = '}';
	write_file("vm.json", big, size);
	free(big);
	cr_assert_eq(config_load_file(cfg_path, NULL, 0, &cfg, err, sizeof(err)), 0, "%s", err);
}

Test(config_reject, missing_config_file)
{
	char path[256];

	join(path, sizeof(path), dir, "absent.json");
	cr_assert_eq(config_load_file(path, NULL, 0, &cfg, err, sizeof(err)), -1);
	cr_assert(strstr(err, "absent.json: cannot open: No such file or directory"), "%s", err);
}

Test(config_reject, config_path_is_a_directory)
{
	cr_assert_eq(config_load_file(dir, NULL, 0, &cfg, err, sizeof(err)), -1);
	cr_assert(strstr(err, ": cannot open: Is a directory"), "%s", err);
}

Test(config_reject, unreadable_config_file)
{
	if (geteuid() == 0) {
		teardown(); /* a skipped test does not get its .fini */
		cr_skip_test("root can read any file");
	}
	write_file("vm.json", "{}", 2);
	cr_assert_eq(chmod(cfg_path, 0), 0);
	cr_assert_eq(config_load_file(cfg_path, NULL, 0, &cfg, err, sizeof(err)), -1);
	cr_assert(strstr(err, "vm.json: cannot open: Permission denied"), "%s", err);
}

Test(config_reject, error_message_starts_with_the_file_name)
{
	expect_err("{\"vcpus\": 0}", "vm.json:1:11: vcpus:");
	cr_assert(strncmp(err, cfg_path, strlen(cfg_path)) == 0, "%s", err);
}

/* ------------------------------------------------------------------ */
/* Architecture-specific keys */

Test(config_reject, pit_is_x86_only)
{
	expect_err_with("\"arch\": \"riscv64\", \"pit\": false",
			":1:52: pit: not available for arch riscv64");
}

Test(config_reject, ioapic_is_x86_only)
{
	expect_err_with("\"arch\": \"riscv64\", \"ioapic\": {}",
			"ioapic: not available for arch riscv64");
}

Test(config_reject, irqchip_modes_belong_to_their_arch)
{
	expect_err_with("\"arch\": \"riscv64\", \"irqchip\": \"kernel\"",
			"irqchip: \"kernel\" is not available for arch riscv64 (expected \"plic\" or \"aia\")");
	expect_err_with("\"arch\": \"riscv64\", \"irqchip\": \"split\"",
			"irqchip: \"split\" is not available for arch riscv64");
	expect_err_with("\"irqchip\": \"plic\"",
			":1:37: irqchip: \"plic\" is not available for arch x86_64");
	expect_err_with("\"irqchip\": \"aia\"", "\"aia\" is not available for arch x86_64");
}

Test(config_reject, bad_arch_is_reported_before_keys_that_depend_on_it)
{
	expect_err_with("\"pit\": true, \"arch\": \"sparc\"", "arch: expected");
}

/* ------------------------------------------------------------------ */
/* Files named by the config */

Test(config_reject, missing_kernel_key)
{
	expect_err("{\n  \"vcpus\": 2\n}", ":1:1: kernel: missing");
}

Test(config_reject, kernel_file_does_not_exist)
{
	expect_err("{\"kernel\": \"nope.elf\"}",
		   ":1:12: kernel: cannot open \"");
	cr_assert(strstr(err, "/nope.elf\": No such file or directory"), "%s", err);
}

Test(config_reject, kernel_is_a_directory)
{
	make_subdir("kdir");
	expect_err("{\"kernel\": \"kdir\"}", ":1:12: kernel:");
	cr_assert(strstr(err, "/kdir\" is not a regular file"), "%s", err);
}

Test(config_reject, kernel_is_a_fifo)
{
	char path[256];

	join(path, sizeof(path), dir, "fifo");
	cr_assert_eq(mkfifo(path, 0600), 0);
	expect_err("{\"kernel\": \"fifo\"}", "is not a regular file");
}

Test(config_reject, unreadable_kernel)
{
	char path[256];

	if (geteuid() == 0) {
		teardown(); /* a skipped test does not get its .fini */
		cr_skip_test("root can read any file");
	}
	join(path, sizeof(path), dir, "kernel.elf");
	cr_assert_eq(chmod(path, 0), 0);
	expect_err("{\"kernel\": \"kernel.elf\"}", "Permission denied");
}

Test(config_reject, json_errors_come_before_file_errors)
{
	expect_err("{\"kernel\": \"nope.elf\", \"vcpus\": 0}", "vcpus: 0 is out of range");
}

/* ------------------------------------------------------------------ */
/* Console combinations */

Test(config_reject, console_file_needs_a_path)
{
	expect_err_with("\"console\": {\"output\": \"file\"}",
			":1:48: console.path: required when console.output is \"file\"");
}

Test(config_reject, console_path_needs_output_file)
{
	expect_err_with("\"console\": {\"path\": \"log\"}",
			":1:46: console.path: only allowed when console.output is \"file\"");
	expect_err_with("\"console\": {\"output\": \"stdout\", \"path\": \"log\"}",
			"console.path: only allowed when");
}

Test(config_reject, console_append_needs_output_file)
{
	expect_err_with("\"console\": {\"output\": \"none\", \"append\": true}",
			"console.append: only allowed when console.output is \"file\"");
}

Test(config_reject, console_path_must_not_be_empty)
{
	expect_err_with("\"console\": {\"output\": \"file\", \"path\": \"\"}",
			"console.path: must not be empty");
}

Test(config_reject, console_file_parent_directory_must_exist)
{
	expect_err_with("\"console\": {\"output\": \"file\", \"path\": \"no/such/log\"}",
			"console.path: directory \"");
	cr_assert(strstr(err, "/no/such\" does not exist"), "%s", err);
}

Test(config_reject, console_path_must_not_be_a_directory)
{
	make_subdir("logs");
	expect_err_with("\"console\": {\"output\": \"file\", \"path\": \"logs\"}",
			"/logs\" is a directory");
}

Test(config_reject, console_parent_that_is_a_file)
{
	expect_err_with("\"console\": {\"output\": \"file\", \"path\": \"kernel.elf/log\"}",
			"/kernel.elf\" is not a directory");
}

/* ------------------------------------------------------------------ */
/* --set overrides */

#define OVR(...) (const char *const[]){ __VA_ARGS__ }, \
		 sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

Test(config_override, override_of_every_kind_of_value)
{
	cr_assert_eq(load_overrides("{\"kernel\": \"kernel.elf\"}",
				    OVR("vcpus=4", "devices.uart=false", "console.output=none",
					"cmdline=console=ttyS0 quiet", "timeout=1.5",
					"api_socket=/tmp/irqvm.sock", "ioapic.storm_threshold=7",
					"memory_mib=256", "pit=false", "irqchip=kernel")),
		     0, "%s", err);
	cr_assert_eq(cfg.vcpus, 4);
	cr_assert(!cfg.dev_uart && cfg.dev_exit);
	cr_assert_eq(cfg.console, CFG_CONSOLE_NONE);
	cr_assert_str_eq(cfg.cmdline, "console=ttyS0 quiet");
	cr_assert_float_eq(cfg.timeout_sec, 1.5, 1e-12);
	cr_assert_str_eq(cfg.api_socket, "/tmp/irqvm.sock");
	cr_assert_eq(cfg.storm_threshold, 7);
	cr_assert_eq(cfg.memory_bytes, 256ull << 20);
	cr_assert(!cfg.pit);
	cr_assert_eq(cfg.irqchip, CFG_IRQCHIP_KERNEL);
}

Test(config_override, quoted_json_string_keeps_digits_a_string)
{
	cr_assert_eq(load_overrides("{\"kernel\": \"kernel.elf\"}", OVR("cmdline=\"123\"")), 0,
		     "%s", err);
	cr_assert_str_eq(cfg.cmdline, "123");
}

Test(config_override, empty_value_is_an_empty_string)
{
	cr_assert_eq(load_overrides(K "\"cmdline\": \"x\"}", OVR("cmdline=")), 0, "%s", err);
	cr_assert_str_eq(cfg.cmdline, "");
}

Test(config_override, object_value_replaces_the_whole_object)
{
	cr_assert_eq(load_overrides(K "\"devices\": {\"uart\": false, \"exit\": false}}",
				    OVR("devices={\"testdev\": false}")),
		     0, "%s", err);
	cr_assert(cfg.dev_uart && cfg.dev_exit && !cfg.dev_testdev);
}

Test(config_override, nested_key_creates_missing_parent_objects)
{
	cr_assert_eq(load_overrides("{\"kernel\": \"kernel.elf\"}",
				    OVR("console.output=file", "console.path=" "/dev/null",
					"console.append=true")),
		     0, "%s", err);
	cr_assert_eq(cfg.console, CFG_CONSOLE_FILE);
	cr_assert_str_eq(cfg.console_path, "/dev/null");
	cr_assert(cfg.console_append);
}

Test(config_override, null_clears_api_socket)
{
	cr_assert_eq(load_overrides(K "\"api_socket\": \"a.sock\"}", OVR("api_socket=null")), 0,
		     "%s", err);
	cr_assert_null(cfg.api_socket);
}

Test(config_override, later_override_wins)
{
	cr_assert_eq(load_overrides("{\"kernel\": \"kernel.elf\"}", OVR("vcpus=2", "vcpus=3")),
		     0, "%s", err);
	cr_assert_eq(cfg.vcpus, 3);
}

Test(config_override, override_can_fix_an_invalid_file_value)
{
	cr_assert_eq(load_overrides(K "\"vcpus\": 99}", OVR("vcpus=2")), 0, "%s", err);
	cr_assert_eq(cfg.vcpus, 2);
}

Test(config_override, override_of_arch_changes_defaults)
{
	cr_assert_eq(load_overrides("{\"kernel\": \"kernel.elf\"}", OVR("arch=riscv64")), 0,
		     "%s", err);
	cr_assert_eq(cfg.irqchip, CFG_IRQCHIP_PLIC);
}

Test(config_override, kernel_override_is_relative_to_cwd)
{
	make_subdir("other");
	write_file("other/k.elf", "x", 1);
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(load_overrides("{\"kernel\": \"missing.elf\"}", OVR("kernel=other/k.elf")),
		     0, "%s", err);
	cr_assert_str_eq(cfg.kernel_path, "other/k.elf");
}

Test(config_override, missing_equals_sign)
{
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("vcpus"),
			     "--set vcpus: expected KEY=VALUE");
}

Test(config_override, empty_key_or_key_component)
{
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("=4"), "--set =4: empty key");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("devices..uart=true"),
			     "--set devices..uart=true: empty key name");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("devices.=true"),
			     "empty key name");
}

Test(config_override, unknown_keys)
{
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("vcpu=2"),
			     "--set vcpu=2: vcpu: unknown key");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("devices.usb=true"),
			     "--set devices.usb=true: devices.usb: unknown key");
}

Test(config_override, bad_values)
{
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("vcpus=9"),
			     "--set vcpus=9: vcpus: 9 is out of range 1..8");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("devices.uart=yes"),
			     "--set devices.uart=yes: devices.uart: expected a boolean, got string \"yes\"");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("vcpus=two"),
			     "--set vcpus=two: vcpus: expected an integer, got string \"two\"");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("cmdline=42"),
			     "--set cmdline=42: cmdline: expected a string, got integer 42");
}

Test(config_override, malformed_json_value)
{
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("devices={\"uart\": }"),
			     "--set devices={\"uart\": }: invalid JSON value");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("cmdline=\"open"),
			     "invalid JSON value");
}

Test(config_override, parent_that_is_not_an_object)
{
	expect_err_overrides(K "\"vcpus\": 2}", OVR("vcpus.max=4"),
			     "--set vcpus.max=4: vcpus: expected an object, got integer 2");
}

Test(config_override, error_caused_by_override_names_the_override)
{
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("console.output=file"),
			     "--set console.output=file: console.path: required when");
	expect_err_overrides("{\"kernel\": \"kernel.elf\"}", OVR("kernel=/nonexistent/k.elf"),
			     "--set kernel=/nonexistent/k.elf: kernel: cannot open");
}

Test(config_override, file_error_elsewhere_is_still_located_in_the_file)
{
	expect_err_overrides(K "\"devices\": {\"uart\": 1}}", OVR("devices.exit=false"),
			     "vm.json:1:46: devices.uart: expected a boolean");
}

Test(config_override, arch_specific_key_from_the_file_after_arch_override)
{
	expect_err_overrides(K "\"pit\": true}", OVR("arch=riscv64"),
			     "vm.json:1:33: pit: not available for arch riscv64");
}

/* ------------------------------------------------------------------ */
/* The locator on its own */

Test(config_json_locate, finds_values_and_keys_by_path)
{
	const char *text = "{\n \"a\": {\"b\" : [1, {\"c\": 2}],\n  \"d\":\n\t\"e\"}\n}";
	const char *path[] = { "a", "d" };
	struct json_pos pos;

	cr_assert_eq(json_locate(text, strlen(text), path, 2, false, &pos), 2);
	cr_assert_eq(pos.line, 4);
	cr_assert_eq(pos.column, 2);
	cr_assert_eq(json_locate(text, strlen(text), path, 2, true, &pos), 2);
	cr_assert_eq(pos.line, 3);
	cr_assert_eq(pos.column, 3);
}

Test(config_json_locate, reports_longest_found_prefix)
{
	const char *text = "  {\"a\": {\"x\": 1}}";
	const char *path[] = { "a", "zz" };
	struct json_pos pos;

	cr_assert_eq(json_locate(text, strlen(text), path, 2, true, &pos), 1);
	cr_assert_eq(pos.column, 9);
	cr_assert_eq(json_locate(text, strlen(text), NULL, 0, false, &pos), 0);
	cr_assert_eq(pos.column, 3);
}

Test(config_json_locate, skips_strings_containing_brackets_and_quotes)
{
	const char *text = "{\"s\": \"}{\\\"][\", \"t\": 1}";
	const char *path[] = { "t" };
	struct json_pos pos;

	cr_assert_eq(json_locate(text, strlen(text), path, 1, false, &pos), 1);
	cr_assert_eq(pos.column, 22);
}

Test(config_json_locate, matches_keys_with_surrogate_pair_escapes)
{
	const char *text = "{\"\\ud83d\\ude00\": 1}";
	const char *path[] = { "\xf0\x9f\x98\x80" };
	struct json_pos pos;

	cr_assert_eq(json_locate(text, strlen(text), path, 1, true, &pos), 1);
	cr_assert_eq(pos.column, 2);
}

Test(config_json_locate, never_reads_past_truncated_text)
{
	const char *text = "{\"a\": [1, {\"b\": \"x";
	const char *path[] = { "a", "b" };
	char name[64];
	struct json_pos pos;

	for (size_t len = 0; len <= strlen(text); len++) {
		json_locate(text, len, path, 2, false, &pos);
		json_locate_key_at(text, len, len, name, sizeof(name), &pos);
	}
}

Test(config_json_locate, names_the_key_at_an_offset)
{
	const char *text = "{\"a\": [0, {\"b\": 1, \"c\": 2}], \"d\": 3}";
	char name[64];
	struct json_pos pos;

	cr_assert(json_locate_key_at(text, strlen(text), 20, name, sizeof(name), &pos));
	cr_assert_str_eq(name, "a[1].c");
	cr_assert_eq(pos.column, 20);
	cr_assert(json_locate_key_at(text, strlen(text), 30, name, sizeof(name), &pos));
	cr_assert_str_eq(name, "d");
	cr_assert(!json_locate_key_at(text, strlen(text), 5, name, sizeof(name), &pos));
}

/* ------------------------------------------------------------------ */
/* The bad-config corpus used by the integration tests */

Test(config_corpus, every_bad_config_fails_with_its_expected_message)
{
	const char *corpus = "tests/configs/bad";
	DIR *d = opendir(corpus);
	struct dirent *de;
	unsigned checked = 0;

	if (!d)
		cr_skip_test("%s not found (run from the source tree)", corpus);
	while ((de = readdir(d))) {
		char json[512], expect_path[512], needle[512] = "";
		size_t n = strlen(de->d_name);
		FILE *f;

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(json, sizeof(json), "%s/%s", corpus, de->d_name);
		snprintf(expect_path, sizeof(expect_path), "%s/%.*s.expect", corpus, (int)(n - 5),
			 de->d_name);
		f = fopen(expect_path, "r");
		cr_assert_not_null(f, "%s has no .expect file", json);
		cr_assert_not_null(fgets(needle, sizeof(needle), f), "%s is empty", expect_path);
		fclose(f);
		needle[strcspn(needle, "\n")] = '\0';
		cr_assert_neq(needle[0], '\0', "%s: first line is empty", expect_path);
		cr_expect_eq(config_load_file(json, NULL, 0, &cfg, err, sizeof(err)), -1,
			     "%s was accepted", json);
		cr_expect(strstr(err, needle), "%s: error \"%s\"\n  does not contain \"%s\"", json,
			  err, needle);
		config_free(&cfg);
		checked++;
	}
	closedir(d);
	cr_assert_geq(checked, 15, "only %u bad configs found", checked);
}
