/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line: space-separated words, either flags ("quiet") or
 * key=value pairs ("tests=exceptions,syscall").
 */
#ifndef GUEST_CMDLINE_H
#define GUEST_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

void cmdline_init(const char *cmdline);

/* True if the word appears as a flag (exactly "name"). */
bool cmdline_flag(const char *name);

/* Copies the value of "key=value" into buf (NUL-terminated, truncated to
 * size); returns false when the key is absent. */
bool cmdline_value(const char *key, char *buf, size_t size);

#endif /* GUEST_CMDLINE_H */
