/* SPDX-License-Identifier: MIT */
/*
 * Test-and-test-and-set spinlock on GCC atomics (xchg on x86, amoswap on
 * RISC-V). The inner read-only loop keeps waiting CPUs off the bus.
 */
#ifndef GUEST_SPINLOCK_H
#define GUEST_SPINLOCK_H

#include "arch.h"
#include "compiler.h"

typedef struct {
	int locked;
} spinlock_t;

#define SPINLOCK_INIT { 0 }

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(l->locked))
			arch_cpu_relax();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif /* GUEST_SPINLOCK_H */
