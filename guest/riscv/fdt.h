/* SPDX-License-Identifier: MIT */
/*
 * A small read-only flattened device tree reader (Devicetree
 * Specification v0.4, chapter 5). Nodes are named by the offset of their
 * FDT_BEGIN_NODE token in the structure block; every access is bounded by
 * the sizes in the header, so a malformed blob yields "not found", never a
 * stray read.
 */
#ifndef RV_FDT_H
#define RV_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu

/* Validates the header of the blob at `blob`; on failure writes why. */
bool fdt_init(const void *blob, char *why, size_t why_len);

uint32_t fdt_total_size(void);
uint32_t fdt_version(void);

int fdt_root(void);
int fdt_first_child(int node);
int fdt_next_sibling(int node);
const char *fdt_node_name(int node);

/* Child of `parent` called `name` exactly, or "name@<anything>". */
int fdt_subnode(int parent, const char *name);

/* Property value and length, or NULL. */
const void *fdt_prop(int node, const char *name, uint32_t *len);
bool fdt_prop_u32(int node, const char *name, uint32_t *out);
/* A string-list property contains `s` as one of its strings. */
bool fdt_prop_has_string(int node, const char *name, const char *s);

/* The next node after `after` (depth-first, -1 = from the start) whose
 * "compatible" lists `compat`; -1 if none. */
int fdt_find_compatible(int after, const char *compat);

/* The n-th (address, size) pair of "reg" with the given cell counts. */
bool fdt_reg(int node, unsigned int n, unsigned int addr_cells, unsigned int size_cells,
	     uint64_t *addr, uint64_t *size);

static inline uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

#endif /* RV_FDT_H */
