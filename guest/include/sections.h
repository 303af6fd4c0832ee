/* SPDX-License-Identifier: MIT */
/*
 * Symbols from each port's linker.ld and entry.S delimiting the kernel
 * image, and the one check of a user pointer built on them. Both ports
 * lay the image out the same way: user text and data in their own
 * sections, a user stack and a never-mapped guard page in entry.S.
 */
#ifndef GUEST_SECTIONS_H
#define GUEST_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern uint8_t __kernel_start[], __text_end[], __rodata_end[];
extern uint8_t __user_text_start[], __user_text_end[];
extern uint8_t __user_data_start[], __user_data_end[];
extern uint8_t __kernel_end[];
extern uint8_t user_stack[], user_stack_end[];
extern uint8_t guard_page[];

/* Is [addr, addr+len) ordinary user memory the kernel may read (and write,
 * when write is set) on a user task's behalf: user data or the user
 * stack, and user text for reads? */
bool user_range_ok(uintptr_t addr, size_t len, bool write);

#endif /* GUEST_SECTIONS_H */
