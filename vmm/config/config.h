/* SPDX-License-Identifier: MIT */
/*
 * The VM description: one JSON object (docs/config.md lists every key),
 * optionally amended by `--set KEY=VALUE` overrides from the command line.
 * Loading checks everything a VM needs before any KVM resource exists, so a
 * bad config always ends with exit status 2 and a message that points at
 * the culprit: "FILE:LINE:COL: key.path: message" or "--set KEY=VALUE: ...".
 *
 * Subsystem vmm/config/ (this is its main header; map: docs/architecture.md).
 * Owns the schema, defaults, ranges, overrides and error positions
 * (json_locate). May call: jansson and libc only, nothing else of irqvm;
 * cli/ loads the config, vmm/core/ and vmm/control/ read struct vm_config.
 */
#ifndef IRQVM_CONFIG_H
#define IRQVM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_FILE_SIZE (1u << 20)  /* bytes; larger files are rejected */
#define CONFIG_MAX_VCPUS 8u
#define CONFIG_MIN_MEMORY_MIB 16u
#define CONFIG_X86_MAX_MEMORY_MIB 3072u  /* RAM stays below the 32-bit MMIO hole */
#define CONFIG_RISCV_MAX_MEMORY_MIB 4096u
#define CONFIG_DEFAULT_MEMORY_MIB 128u
#define CONFIG_CMDLINE_MAX 4095u         /* bytes, without the terminating NUL */
#define CONFIG_MAX_TIMEOUT_SEC 86400.0
#define CONFIG_DEFAULT_STORM_THRESHOLD 10000u
#define CONFIG_DEFAULT_STORM_HOLDOFF_US 100u
#define CONFIG_MAX_STORM_VALUE 1000000u  /* upper bound of both ioapic.* keys */

enum cfg_arch { CFG_ARCH_X86_64, CFG_ARCH_RISCV64 };
enum cfg_irqchip { CFG_IRQCHIP_SPLIT, CFG_IRQCHIP_KERNEL, CFG_IRQCHIP_PLIC, CFG_IRQCHIP_AIA };
enum cfg_console { CFG_CONSOLE_STDOUT, CFG_CONSOLE_FILE, CFG_CONSOLE_NONE };

struct vm_config {
	char *source;          /* config file path as given (or the name of a string) */
	enum cfg_arch arch;
	unsigned vcpus;
	uint64_t memory_bytes;
	char *kernel_path;     /* resolved: relative to the config file's directory */
	char *cmdline;         /* never NULL; "" when not set */
	enum cfg_irqchip irqchip;
	bool pit;              /* x86_64 only; false on riscv64 */
	enum cfg_console console;
	char *console_path;    /* resolved; NULL unless console == CFG_CONSOLE_FILE */
	bool console_append;
	bool dev_uart, dev_exit, dev_testdev;
	double timeout_sec;    /* 0 = no timeout */
	char *api_socket;      /* NULL if none; relative to the cwd */
	unsigned storm_threshold;
	uint64_t storm_holdoff_ns;
};

/*
 * Loads PATH (at most CONFIG_MAX_FILE_SIZE bytes, UTF-8 JSON), applies the
 * overrides ("KEY=VALUE", dotted KEY, VALUE parsed as JSON when it parses,
 * else taken as a string) in order, and validates the result, including
 * that the kernel file exists. Relative paths in the file are resolved
 * against the file's directory; paths given with --set against the cwd.
 * Returns 0 with *CFG filled, or -1 with *CFG zeroed and ERR holding
 * "FILE:LINE:COL: message", "FILE: message" (file unreadable, empty, too
 * large) or "--set KEY=VALUE: message".
 */
int config_load_file(const char *path, const char *const *overrides, size_t nr_overrides,
		     struct vm_config *cfg, char *err, size_t errlen);

/*
 * The same for a NUL-terminated string. NAME stands for the file name in
 * messages; BASE_DIR is what relative paths are resolved against (NULL: the
 * cwd).
 */
int config_load_string(const char *text, const char *name, const char *base_dir,
		       const char *const *overrides, size_t nr_overrides,
		       struct vm_config *cfg, char *err, size_t errlen);

/* Frees the strings and zeroes *CFG; safe on a zeroed or freed config. */
void config_free(struct vm_config *cfg);

/* Spellings used in config files: "x86_64", "split", "stdout", ... */
const char *config_arch_name(enum cfg_arch arch);
const char *config_irqchip_name(enum cfg_irqchip irqchip);
const char *config_console_name(enum cfg_console console);

#endif
