/* SPDX-License-Identifier: MIT */
/*
 * RISC-V side of threads (sched_rv.c): the context switch and the U-mode
 * entry of uthreads (uthread.h).
 */
#ifndef RV_SCHED_RV_H
#define RV_SCHED_RV_H

#include <stdbool.h>
#include <stdint.h>

#include "uthread.h" /* U-mode tasks as threads */

#endif /* RV_SCHED_RV_H */
