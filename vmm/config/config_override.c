/* SPDX-License-Identifier: MIT */
/*
 * `--set KEY=VALUE`: KEY is a dotted path, VALUE is JSON when it parses as
 * JSON and a plain string otherwise. Each override is stored into the parsed
 * tree before validation, which thus sees one tree; the loader keeps the
 * overrides so that an error in a value they put there names the override.
 */
#include "vmm/config/config_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int override_fail(struct loader *ld, const char *raw, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int override_fail(struct loader *ld, const char *raw, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_put_err(ld->err, ld->errlen, "--set %s: %s", raw, msg);
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
			config_format_path(&prefix, path, sizeof(path));
			config_describe(next, got, sizeof(got));
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

int config_apply_overrides(struct loader *ld, json_t *root, const char *const *overrides,
			   size_t nr_overrides)
{
	ld->ovr = calloc(nr_overrides ? nr_overrides : 1, sizeof(*ld->ovr));
	if (!ld->ovr) {
		config_put_err(ld->err, ld->errlen, "%s: out of memory", ld->name);
		return -1;
	}
	for (size_t i = 0; i < nr_overrides; i++) {
		json_t *value = NULL;

		ld->nr_ovr = i + 1;
		if (parse_override(ld, &ld->ovr[i], overrides[i], &value) ||
		    apply_override(ld, &ld->ovr[i], root, value))
			return -1;
	}
	return 0;
}

void config_release_overrides(struct loader *ld)
{
	for (size_t i = 0; i < ld->nr_ovr; i++)
		free(ld->ovr[i].keys);
	free(ld->ovr);
	ld->ovr = NULL;
	ld->nr_ovr = 0;
}
