/* SPDX-License-Identifier: MIT */
/*
 * Minimal printf family. Conversions: %d %i %u %x %X %o %p %s %c %%, length
 * modifiers hh h l ll z, flags '-' '0' '#' (0x prefix) and width (number
 * or '*'), precision for %s. No floating point (the kernel is built without
 * FPU registers).
 */
#ifndef GUEST_KPRINTF_H
#define GUEST_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

#include "compiler.h"

/* Like vsnprintf(): always NUL-terminates when size > 0 and returns the
 * length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Format to the console as one unit (lines from several CPUs do not mix). */
int kvprintf(const char *fmt, va_list ap);
int kprintf(const char *fmt, ...) __printf(1, 2);

#endif /* GUEST_KPRINTF_H */
