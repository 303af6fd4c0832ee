/* SPDX-License-Identifier: MIT */
/*
 * Machine description from the device tree (dt.c).
 */
#ifndef RV_DT_H
#define RV_DT_H

#include <stddef.h>

#include "boot.h"

/* Fills rv_machine and bp (memory, CPUs, command line copied to cmdline)
 * from the blob fdt_init() accepted. Panics if memory or harts are missing. */
void rv_dt_parse(struct boot_params *bp, char *cmdline, size_t cmdline_size);

#endif /* RV_DT_H */
