/* SPDX-License-Identifier: MIT */
/*
 * The kernel console: a byte sink on top of arch_console_putc(), serialised
 * between CPUs. Output is written as whole units so TAP lines never mix.
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stddef.h>

void console_write(const char *buf, size_t len);
void console_puts(const char *s);

/* After a panic the lock may be held by the CPU that crashed: stop taking
 * it so the panic message gets out. */
void console_break_lock(void);

#endif /* GUEST_CONSOLE_H */
