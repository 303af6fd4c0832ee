/* SPDX-License-Identifier: MIT */
/*
 * Shared by the pieces of the config loader (config*.c) and by nothing
 * else: the loader state, the key paths errors are reported against, and
 * the helpers one piece offers the others.
 */
#ifndef IRQVM_CONFIG_INTERNAL_H
#define IRQVM_CONFIG_INTERNAL_H

#include "vmm/config/config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

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

/* config_report.c: messages and where they point. */

void config_put_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "an object", "integer 5", "string \"yes\"", ... for "got ..." */
void config_describe(const json_t *v, char *buf, size_t len);
/* "devices.uart"; odd keys are quoted so the message stays unambiguous. */
void config_format_path(const struct key_path *p, char *buf, size_t len);
struct key_path config_child(const struct key_path *parent, const char *key);
/* Whether an override put the value at WHERE (or one of its parents). */
bool config_from_override(const struct loader *ld, const struct key_path *where);
/*
 * Reports an error about key path NAME, positioned at WHERE (its value, or
 * its key when AT_KEY). They differ for a missing key, which is reported at
 * the value that made it necessary. Always returns -1.
 */
int config_fail_at(struct loader *ld, const struct key_path *name, const struct key_path *where,
		   bool at_key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define config_fail(ld, path, ...) config_fail_at(ld, path, path, false, __VA_ARGS__)
/* "expected EXPECTED, got ..." about the value V at P. */
int config_fail_type(struct loader *ld, const struct key_path *p, const json_t *v,
		     const char *expected);

/* config_schema.c: the known keys, their defaults and their checks. */

void config_set_defaults(struct vm_config *cfg);
/* Walks ROOT into ld->cfg, then checks the files it names. */
int config_validate(struct loader *ld, const json_t *root);
/* "dir" of "dir/name", "." of "name", "/" of "/name". */
char *config_parent_dir(const char *path);

/* config_override.c: --set KEY=VALUE. */

/* Parses each of OVERRIDES and stores it into ROOT, in order. */
int config_apply_overrides(struct loader *ld, json_t *root, const char *const *overrides,
			   size_t nr_overrides);
/* Frees what config_apply_overrides kept in LD (safe if it never ran). */
void config_release_overrides(struct loader *ld);

#endif
