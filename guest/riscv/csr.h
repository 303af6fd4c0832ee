/* SPDX-License-Identifier: MIT */
/*
 * CSR accessors and small instruction wrappers for S-mode code.
 */
#ifndef RV_CSR_H
#define RV_CSR_H

#include <stdint.h>

#include "compiler.h"
#include "layout.h"

#define SCAUSE_INTERRUPT (1ull << 63)
#define SATP_MODE_SV39 (8ull << 60)

#define csr_read(csr)                                                             \
	({                                                                        \
		unsigned long __v;                                                \
		__asm__ __volatile__("csrr %0, " #csr : "=r"(__v) : : "memory");  \
		__v;                                                              \
	})

#define csr_write(csr, val)                                                       \
	({                                                                        \
		unsigned long __v = (unsigned long)(val);                         \
		__asm__ __volatile__("csrw " #csr ", %0" : : "rK"(__v) : "memory"); \
	})

#define csr_set(csr, val)                                                         \
	({                                                                        \
		unsigned long __v = (unsigned long)(val);                         \
		__asm__ __volatile__("csrs " #csr ", %0" : : "rK"(__v) : "memory"); \
	})

#define csr_clear(csr, val)                                                       \
	({                                                                        \
		unsigned long __v = (unsigned long)(val);                         \
		__asm__ __volatile__("csrc " #csr ", %0" : : "rK"(__v) : "memory"); \
	})

/* csrrc: clear bits, return the old value. */
#define csr_read_clear(csr, val)                                                  \
	({                                                                        \
		unsigned long __v = (unsigned long)(val), __old;                  \
		__asm__ __volatile__("csrrc %0, " #csr ", %1"                     \
				     : "=r"(__old)                                \
				     : "rK"(__v)                                  \
				     : "memory");                                 \
		__old;                                                            \
	})

static inline uint64_t rdtime(void)
{
	uint64_t t;

	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t;
}

static inline void sfence_vma_all(void)
{
	__asm__ __volatile__("sfence.vma" ::: "memory");
}

static inline void sfence_vma_addr(uintptr_t va)
{
	__asm__ __volatile__("sfence.vma %0, zero" : : "r"(va) : "memory");
}

static inline void wfi(void)
{
	__asm__ __volatile__("wfi" ::: "memory");
}

static inline uintptr_t read_sp(void)
{
	uintptr_t sp;

	__asm__ __volatile__("mv %0, sp" : "=r"(sp));
	return sp;
}

#endif /* RV_CSR_H */
