/* SPDX-License-Identifier: MIT */
/*
 * Console: serialises output between CPUs and interrupt handlers. The
 * device itself is the architecture's (arch_console_putc).
 */
#include <stdbool.h>

#include "arch.h"
#include "console.h"
#include "kstring.h"
#include "spinlock.h"

static spinlock_t console_lock = SPINLOCK_INIT;
static bool console_lock_broken;

void console_write(const char *buf, size_t len)
{
	bool locked = !READ_ONCE(console_lock_broken);
	unsigned long flags = arch_irq_save();

	if (locked)
		spin_lock(&console_lock);
	for (size_t i = 0; i < len; i++)
		arch_console_putc(buf[i]);
	if (locked)
		spin_unlock(&console_lock);
	arch_irq_restore(flags);
}

void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

void console_break_lock(void)
{
	WRITE_ONCE(console_lock_broken, true);
}
