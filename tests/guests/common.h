/* SPDX-License-Identifier: MIT */
/* Tiny x86-64 test guests for the VMM's own integration tests (exit codes,
 * crashes, timeouts, signals). Entered in long mode per include/irqvm/abi.h. */
#define PORT_UART 0x3f8
#define PORT_EXIT 0xf4
