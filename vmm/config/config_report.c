/* SPDX-License-Identifier: MIT */
/*
 * How the config loader words its errors and where it points them: at a
 * line and column of the file (found after the fact by json_locate), or at
 * the --set override that put the offending value into the tree.
 */
#include "vmm/config/config_internal.h"

#include "vmm/config/json_locate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_put_err(char *err, size_t errlen, const char *fmt, ...)
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

void config_describe(const json_t *v, char *buf, size_t len)
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

void config_format_path(const struct key_path *p, char *buf, size_t len)
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

struct key_path config_child(const struct key_path *parent, const char *key)
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

bool config_from_override(const struct loader *ld, const struct key_path *where)
{
	for (size_t i = 0; i < ld->nr_ovr; i++)
		if (ld->ovr[i].path.n > 0 && has_prefix(where, &ld->ovr[i].path))
			return true;
	return false;
}

int config_fail_at(struct loader *ld, const struct key_path *name, const struct key_path *where,
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
	config_format_path(name, path, sizeof(path));
	found = json_locate(ld->text, ld->len, where->k, where->n, at_key, &pos);
	o = blame_override(ld, where, found);
	if (o)
		config_put_err(ld->err, ld->errlen, "--set %s: %s%s%s", o->raw, path,
			       name->n ? ": " : "", msg);
	else
		config_put_err(ld->err, ld->errlen, "%s:%u:%u: %s%s%s", ld->name, pos.line,
			       pos.column, path, name->n ? ": " : "", msg);
	return -1;
}

int config_fail_type(struct loader *ld, const struct key_path *p, const json_t *v,
		     const char *expected)
{
	char got[MAX_QUOTED + 32];

	config_describe(v, got, sizeof(got));
	return config_fail(ld, p, "expected %s, got %s", expected, got);
}
