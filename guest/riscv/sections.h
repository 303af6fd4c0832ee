/* SPDX-License-Identifier: MIT */
/*
 * Symbols from linker.ld and entry.S delimiting the kernel image.
 */
#ifndef RV_SECTIONS_H
#define RV_SECTIONS_H

#include <stdint.h>

extern uint8_t __kernel_start[], __text_end[], __rodata_end[];
extern uint8_t __user_text_start[], __user_text_end[];
extern uint8_t __user_data_start[], __user_data_end[];
extern uint8_t __kernel_end[];
extern uint8_t rv_user_stack[], rv_user_stack_end[];
extern uint8_t rv_guard_page[];

#endif /* RV_SECTIONS_H */
