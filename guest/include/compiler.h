/* SPDX-License-Identifier: MIT */
/*
 * Compiler helpers for the freestanding guest kernel (GCC/Clang). Shared by
 * every architecture port; no architecture-specific content.
 */
#ifndef GUEST_COMPILER_H
#define GUEST_COMPILER_H

#include <stddef.h>

#define __noreturn __attribute__((noreturn))
#define __section(s) __attribute__((section(s)))
#define __used __attribute__((used))
#define __unused __attribute__((unused))
#define __aligned(n) __attribute__((aligned(n)))
#define __packed __attribute__((packed))
#define __noinline __attribute__((noinline))
#define __always_inline inline __attribute__((always_inline))
#define __printf(fmt, args) __attribute__((format(printf, fmt, args)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))

/* Accesses the compiler may neither merge, tear nor move across each other:
 * used for flags shared with exception handlers and other CPUs. */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier() __asm__ __volatile__("" ::: "memory")

#define STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif /* GUEST_COMPILER_H */
