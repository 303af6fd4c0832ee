/* SPDX-License-Identifier: MIT */
/*
 * Config loading in four steps: read the text, let jansson parse it
 * (rejecting duplicate keys), apply the --set overrides to the parsed tree
 * (config_override.c), then walk the tree against tables of known keys
 * (config_schema.c). Errors are located after the fact (config_report.c):
 * json_locate finds the offending key or value in the original text, unless
 * that value came from an override, which is then named instead. Filesystem
 * checks (console file, kernel) run last, so a mistake in the JSON itself is
 * reported even when the files are missing too.
 */
#include "vmm/config/config.h"

#include "vmm/config/config_internal.h"
#include "vmm/config/json_locate.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int syntax_fail(struct loader *ld, const json_error_t *jerr)
{
	char path[256];
	struct json_pos pos;

	if (json_error_code(jerr) == json_error_duplicate_key && jerr->position > 0 &&
	    json_locate_key_at(ld->text, ld->len, (size_t)jerr->position - 1, path,
			       sizeof(path), &pos)) {
		config_put_err(ld->err, ld->errlen, "%s:%u:%u: %s: duplicate key", ld->name,
			       pos.line, pos.column, path);
		return -1;
	}
	/* jansson's column is 0 when the error is at the start of a line. */
	config_put_err(ld->err, ld->errlen, "%s:%d:%d: %s", ld->name,
		       jerr->line > 0 ? jerr->line : 1, jerr->column > 0 ? jerr->column : 1,
		       jerr->text);
	return -1;
}

static int load(struct loader *ld, const char *const *overrides, size_t nr_overrides)
{
	static const struct key_path top = { .n = 0 };
	const char *nul;
	json_error_t jerr;
	json_t *root;
	int ret = -1;

	config_set_defaults(ld->cfg);
	if (ld->len == 0) {
		config_put_err(ld->err, ld->errlen, "%s: empty file", ld->name);
		return -1;
	}
	if (ld->len > CONFIG_MAX_FILE_SIZE) {
		config_put_err(ld->err, ld->errlen, "%s: larger than %u bytes", ld->name,
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

		config_put_err(ld->err, ld->errlen,
			       "%s:%u:%u: NUL byte in the text (not a JSON file?)", ld->name,
			       pos.line, pos.column);
		return -1;
	}

	root = json_loadb(ld->text, ld->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return syntax_fail(ld, &jerr);
	if (!json_is_object(root)) {
		char got[MAX_QUOTED + 32];

		config_describe(root, got, sizeof(got));
		config_fail(ld, &top, "expected a JSON object at the top level, got %s", got);
		goto out;
	}

	/* Validation needs the overrides kept, to blame them for bad values. */
	if (config_apply_overrides(ld, root, overrides, nr_overrides) == 0)
		ret = config_validate(ld, root);
out:
	json_decref(root);
	config_release_overrides(ld);
	return ret;
}

static int finish(struct loader *ld, int ret)
{
	if (ret == 0) {
		ld->cfg->source = strdup(ld->name);
		if (!ld->cfg->source) {
			config_put_err(ld->err, ld->errlen, "%s: out of memory", ld->name);
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
		config_put_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		config_put_err(err, errlen, "%s: cannot open: %s", path, strerror(EISDIR));
		close(fd);
		return NULL;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		config_put_err(err, errlen, "%s: out of memory", path);
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
			config_put_err(err, errlen, "%s: cannot read: %s", path, strerror(errno));
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
	dir = config_parent_dir(path);
	if (!dir) {
		config_put_err(err, errlen, "%s: out of memory", path);
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
