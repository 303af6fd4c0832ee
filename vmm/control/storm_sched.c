/* SPDX-License-Identifier: MIT */
#include "vmm/control/storm_sched.h"

#include <string.h>

#include "vmm/core/sat_conv.h"

#define LN2 0.69314718055994530942

double storm_ln(double x)
{
	if (!(x > 0))
		return -1e308;
	/* x = m * 2^e with m in [1, 2): ln x = e ln 2 + ln m, and
	 * ln m = 2 atanh(z) with z = (m - 1) / (m + 1) <= 1/3, whose series
	 * z + z^3/3 + z^5/5 ... is below 1e-16 after 16 terms. */
	uint64_t bits;
	memcpy(&bits, &x, sizeof(bits));
	int e = (int)((bits >> 52) & 0x7ff) - 1023;
	if (e == -1023) { /* subnormal: scale into the normal range first */
		return storm_ln(x * 4503599627370496.0) - 52 * LN2;
	}
	bits = (bits & ~(0x7ffull << 52)) | (1023ull << 52);
	double m;
	memcpy(&m, &bits, sizeof(m));
	double z = (m - 1) / (m + 1), z2 = z * z, term = z, sum = 0;
	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return e * LN2 + 2 * sum;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so the logarithm below stays finite. */
static double uniform01(uint64_t *state)
{
	return ((splitmix64(state) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

void storm_sched_init(struct storm_sched *s, const struct storm_pattern *pattern, double rate,
		      uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->pattern = *pattern;
	if (s->pattern.kind == STORM_PATTERN_BURST && s->pattern.burst == 0)
		s->pattern.burst = 1;
	s->period_ns = rate > 0 ? 1e9 / rate : 0;
	s->rng = seed;
}

/* Due times past the end of the 64-bit clock saturate (see sat_conv.h). */
uint64_t storm_sched_next(struct storm_sched *s)
{
	uint64_t k = s->k++;
	if (s->period_ns <= 0)
		return 0;
	switch (s->pattern.kind) {
	case STORM_PATTERN_BURST: {
		uint64_t group = k / s->pattern.burst;
		return u64_from_double_sat((double)group * s->pattern.burst * s->period_ns);
	}
	case STORM_PATTERN_POISSON: {
		/* The first event comes after one gap too, like every other. */
		s->t_ns += -storm_ln(uniform01(&s->rng)) * s->period_ns;
		return u64_from_double_sat(s->t_ns);
	}
	case STORM_PATTERN_CONSTANT:
	default:
		return u64_from_double_sat((double)k * s->period_ns);
	}
}

uint64_t storm_eta_ns(uint64_t remaining, double rate)
{
	if (!(rate > 0))
		return 0;
	return (uint64_t)i64_from_double_sat((double)remaining / rate * 1e9);
}
