/* SPDX-License-Identifier: MIT */
/*
 * Inter-processor interrupts through SBI IPI. A hart has one software
 * interrupt (sip.SSIP) and no vectors, so vectors are multiplexed onto
 * it: the sender sets the vector's bit in the target's 256-bit pending
 * set, then asks SBI to raise SSIP there; the target clears SSIP, takes
 * the whole set and runs each vector's handler through the common
 * interrupt path (lowest vector first), so irqstat counts them
 * separately. The kernel's IPI kinds are vectors (vectors.h); tests post
 * vectors of their own to get a hard interrupt on demand. Function calls
 * and the TLB shootdown are common (smp_call.h).
 */
#ifndef RV_IPI_H
#define RV_IPI_H

#include <stdbool.h>
#include <stdint.h>

#include "smp_call.h"

/* Register the software-interrupt demultiplexer and the kinds' vectors. */
void ipi_init(void);

/* arch_ipi_send(), arch_ipi_send_vector() and arch_ipi_send_others()
 * (one SBI call) return the SBI error; a send whose vector was already
 * pending at the target is counted as coalesced, not sent, so sent ==
 * received exactly.
 *
 * The same kind to every hart including this one, with hart_mask_base
 * = -1 ("all harts", SBI 3.1). */
long ipi_send_all(enum ipi_kind k);

/* Microseconds to time-CSR ticks (10 MHz assumed if the rate is unknown). */
uint64_t rv_us_to_cycles(uint64_t us);

#endif /* RV_IPI_H */
