/* SPDX-License-Identifier: MIT */
/*
 * Saturating conversions from double to 64-bit integers. Converting a
 * double outside the target's range is undefined behaviour in C (UBSan:
 * "outside the range of representable values"; gcc -O2 on x86 gives 0 or
 * INT64_MIN), and times, rates and guest-supplied clock values can get
 * there. These clamp instead, and map NaN to 0.
 */
#ifndef IRQVM_SAT_CONV_H
#define IRQVM_SAT_CONV_H

#include <stdint.h>

/* 2^64 and 2^63, exact as doubles: the first values that do not convert. */
#define SAT_TWO_POW_64 18446744073709551616.0
#define SAT_TWO_POW_63 9223372036854775808.0

static inline uint64_t u64_from_double_sat(double v)
{
	if (!(v > 0))
		return 0;
	if (v >= SAT_TWO_POW_64)
		return UINT64_MAX;
	return (uint64_t)v;
}

static inline int64_t i64_from_double_sat(double v)
{
	if (v != v)
		return 0;
	if (v >= SAT_TWO_POW_63)
		return INT64_MAX;
	if (v < -SAT_TWO_POW_63)
		return INT64_MIN;
	return (int64_t)v;
}

#endif
