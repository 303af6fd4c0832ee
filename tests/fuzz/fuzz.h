/* SPDX-License-Identifier: MIT */
/*
 * What every libFuzzer harness in tests/fuzz/ shares: a reader that turns
 * the fuzzer's bytes into typed values (running out of bytes yields zeros,
 * so every input is a complete, valid program of operations), and the
 * invariant check that aborts with a message, so a violation is a crash
 * libFuzzer keeps as an artifact. Header-only: each harness is one file.
 */
#ifndef IRQVM_TESTS_FUZZ_H
#define IRQVM_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fi_more(const struct fuzz_in *in)
{
	return in->n > 0;
}

static inline uint8_t fi_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fi_u16(struct fuzz_in *in)
{
	uint8_t lo = fi_u8(in);

	return (uint16_t)(lo | fi_u8(in) << 8);
}

static inline uint32_t fi_u32(struct fuzz_in *in)
{
	uint32_t lo = fi_u16(in);

	return lo | (uint32_t)fi_u16(in) << 16;
}

static inline uint64_t fi_u64(struct fuzz_in *in)
{
	uint64_t lo = fi_u32(in);

	return lo | (uint64_t)fi_u32(in) << 32;
}

static inline bool fi_bool(struct fuzz_in *in)
{
	return fi_u8(in) & 1;
}

/* One of n choices (n >= 1). */
static inline unsigned fi_pick(struct fuzz_in *in, unsigned n)
{
	return fi_u8(in) % n;
}

/* A violated invariant: say which and crash, so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "fuzz invariant violated at %s:%d: %s\n  ", \
				__FILE__, __LINE__, #cond);                     \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

#endif
