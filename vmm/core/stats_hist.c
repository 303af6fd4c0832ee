/* SPDX-License-Identifier: MIT */
#include "vmm/core/stats_hist.h"

#include <string.h>

void hist_init(struct latency_hist *h)
{
	memset(h, 0, sizeof(*h));
}

unsigned hist_bucket(uint64_t value)
{
	if (value < 16)
		return (unsigned)value;
	unsigned e = 63u - (unsigned)__builtin_clzll(value); /* 4..63 */
	unsigned sub = (unsigned)(value >> (e - 3)) & 7u;
	return 16 + (e - 4) * 8 + sub;
}

uint64_t hist_bucket_max(unsigned bucket)
{
	if (bucket < 16)
		return bucket;
	unsigned e = 4 + (bucket - 16) / 8, sub = (bucket - 16) % 8;
	if (e == 63 && sub == 7)
		return UINT64_MAX;
	return ((uint64_t)(8 + sub + 1) << (e - 3)) - 1;
}

void hist_add(struct latency_hist *h, uint64_t value)
{
	if (!h->count || value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->count++;
	h->sum += value;
	h->buckets[hist_bucket(value)]++;
}

void hist_merge(struct latency_hist *dst, const struct latency_hist *src)
{
	if (!src->count)
		return;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (unsigned i = 0; i < HIST_NR_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
}

uint64_t hist_percentile(const struct latency_hist *h, double p)
{
	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	/* Rank of the sample asked for, 1-based, rounded up (nearest-rank). */
	double r = p * (double)h->count;
	uint64_t rank = (uint64_t)r;
	if ((double)rank < r)
		rank++;
	if (rank > h->count)
		rank = h->count;
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_NR_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			uint64_t bound = hist_bucket_max(i);
			return bound > h->max ? h->max : bound < h->min ? h->min : bound;
		}
	}
	return h->max;
}
