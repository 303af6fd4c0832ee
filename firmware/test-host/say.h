/* SPDX-License-Identifier: MIT */
/* /init's messages on the console: see say.c. */
#ifndef IRQVM_TEST_HOST_SAY_H
#define IRQVM_TEST_HOST_SAY_H

/* One line "irqvm-host: MESSAGE" on stderr (the console). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
