/* SPDX-License-Identifier: MIT */
/*
 * A latency histogram with log-linear buckets: values below 16 have their
 * own bucket, above that every power of two is split into 8 buckets, so a
 * percentile is reported to within 12.5% (the bucket's upper bound, never
 * more than the exact maximum). Fixed size, no allocation, pure.
 */
#ifndef IRQVM_STATS_HIST_H
#define IRQVM_STATS_HIST_H

#include <stdint.h>

#define HIST_NR_BUCKETS (16 + 60 * 8)

struct latency_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t buckets[HIST_NR_BUCKETS];
};

void hist_init(struct latency_hist *h);
void hist_add(struct latency_hist *h, uint64_t value);
void hist_merge(struct latency_hist *dst, const struct latency_hist *src);
/* The value below which a fraction p (0 < p <= 1) of the samples fall,
 * rounded up to its bucket's bound; 0 for an empty histogram. */
uint64_t hist_percentile(const struct latency_hist *h, double p);
/* Bucket index of a value and the largest value of a bucket (for tests). */
unsigned hist_bucket(uint64_t value);
uint64_t hist_bucket_max(unsigned bucket);

#endif
