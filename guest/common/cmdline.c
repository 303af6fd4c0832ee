/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line lookup. The string stays where the VMM put it; words
 * are found by scanning, which is cheap for the few lookups at boot.
 */
#include "cmdline.h"
#include "kstring.h"

static const char *cmdline = "";

void cmdline_init(const char *s)
{
	cmdline = s ? s : "";
}

/* Finds the word "name" (or "name=..." when want_value) on the line. */
static const char *find_word(const char *name, size_t name_len, bool want_value)
{
	const char *p = cmdline;

	while (*p) {
		const char *w;
		size_t len = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		w = p;
		while (w[len] && w[len] != ' ' && w[len] != '\t' && w[len] != '\n')
			len++;
		if (want_value) {
			if (len > name_len && w[name_len] == '=' && !strncmp(w, name, name_len))
				return w;
		} else if (len == name_len && !strncmp(w, name, name_len)) {
			return w;
		}
		p = w + len;
	}
	return NULL;
}

bool cmdline_flag(const char *name)
{
	return find_word(name, strlen(name), false) != NULL;
}

bool cmdline_value(const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key), n = 0;
	const char *w = find_word(key, klen, true);

	if (!w)
		return false;
	w += klen + 1;
	while (w[n] && w[n] != ' ' && w[n] != '\t' && w[n] != '\n')
		n++;
	if (size) {
		if (n > size - 1)
			n = size - 1;
		memcpy(buf, w, n);
		buf[n] = '\0';
	}
	return true;
}
