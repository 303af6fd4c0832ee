/* SPDX-License-Identifier: MIT */
/*
 * Flattened device tree reader (fdt.h). The structure block is a token
 * stream: BEGIN_NODE name, PROP len nameoff value, END_NODE, NOP, END, all
 * 4-byte aligned and big-endian (Devicetree Specification 5.4). A node's
 * properties precede its children.
 */
#include "fdt.h"
#include "kprintf.h"
#include "kstring.h"

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define FDT_HEADER_SIZE 40u
#define FDT_MAX_SIZE (1u << 20) /* irqvm's are 64 KiB at most */

static const uint8_t *blob;
static const uint8_t *dt_struct;
static uint32_t struct_size;
static const char *dt_strings;
static uint32_t strings_size;
static uint32_t total_size, version;

bool fdt_init(const void *b, char *why, size_t why_len)
{
	const uint8_t *h = b;
	uint32_t off_struct, off_strings;

	blob = NULL;
	if (!b || ((uintptr_t)b & 7)) {
		ksnprintf(why, why_len, "device tree pointer %p is not 8-byte aligned", b);
		return false;
	}
	if (fdt_be32(h) != FDT_MAGIC) {
		ksnprintf(why, why_len, "no device tree magic at %p (%#x)", b, fdt_be32(h));
		return false;
	}
	total_size = fdt_be32(h + 4);
	off_struct = fdt_be32(h + 8);
	off_strings = fdt_be32(h + 12);
	version = fdt_be32(h + 20);
	strings_size = fdt_be32(h + 32);
	struct_size = fdt_be32(h + 36);
	if (total_size < FDT_HEADER_SIZE || total_size > FDT_MAX_SIZE || version < 17 ||
	    off_struct > total_size || struct_size > total_size - off_struct ||
	    off_strings > total_size || strings_size > total_size - off_strings ||
	    (off_struct & 3) || (struct_size & 3)) {
		ksnprintf(why, why_len, "device tree header inconsistent (size %u, version %u)",
			  total_size, version);
		return false;
	}
	blob = h;
	dt_struct = h + off_struct;
	dt_strings = (const char *)h + off_strings;
	return true;
}

uint32_t fdt_total_size(void)
{
	return blob ? total_size : 0;
}

uint32_t fdt_version(void)
{
	return blob ? version : 0;
}

static uint32_t tag_at(int off)
{
	if (!blob || off < 0 || (uint32_t)off + 4 > struct_size)
		return FDT_END;
	return fdt_be32(dt_struct + off);
}

/* Offset of the token after the one at `off`, or -1. */
static int next_token(int off)
{
	uint32_t tag = tag_at(off), pos = (uint32_t)off + 4;

	switch (tag) {
	case FDT_BEGIN_NODE: {
		uint32_t n = 0;

		while (pos + n < struct_size && dt_struct[pos + n])
			n++;
		if (pos + n >= struct_size)
			return -1;
		pos = (pos + n + 1 + 3) & ~3u;
		break;
	}
	case FDT_PROP: {
		uint32_t len;

		if (pos + 8 > struct_size)
			return -1;
		len = fdt_be32(dt_struct + pos);
		if (len > struct_size - pos - 8)
			return -1;
		pos = (pos + 8 + len + 3) & ~3u;
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
		break;
	default:
		return -1;
	}
	return pos <= struct_size ? (int)pos : -1;
}

/* First token after the node's name and properties (skipping NOPs). */
static int after_props(int node)
{
	int off = next_token(node);

	while (off >= 0 && (tag_at(off) == FDT_PROP || tag_at(off) == FDT_NOP))
		off = next_token(off);
	return off;
}

int fdt_root(void)
{
	int off = 0;

	while (off >= 0 && tag_at(off) == FDT_NOP)
		off = next_token(off);
	return tag_at(off) == FDT_BEGIN_NODE ? off : -1;
}

int fdt_first_child(int node)
{
	int off;

	if (tag_at(node) != FDT_BEGIN_NODE)
		return -1;
	off = after_props(node);
	return tag_at(off) == FDT_BEGIN_NODE ? off : -1;
}

int fdt_next_sibling(int node)
{
	int depth = 0, off = node;

	if (tag_at(node) != FDT_BEGIN_NODE)
		return -1;
	/* Skip the whole subtree. */
	do {
		uint32_t tag = tag_at(off);

		if (tag == FDT_BEGIN_NODE)
			depth++;
		else if (tag == FDT_END_NODE)
			depth--;
		else if (tag == FDT_END)
			return -1;
		off = next_token(off);
	} while (off >= 0 && depth > 0);
	while (off >= 0 && tag_at(off) == FDT_NOP)
		off = next_token(off);
	return tag_at(off) == FDT_BEGIN_NODE ? off : -1;
}

const char *fdt_node_name(int node)
{
	if (tag_at(node) != FDT_BEGIN_NODE || next_token(node) < 0)
		return "";
	return (const char *)dt_struct + node + 4; /* NUL-terminated: next_token checked */
}

int fdt_subnode(int parent, const char *name)
{
	size_t len = strlen(name);

	for (int c = fdt_first_child(parent); c >= 0; c = fdt_next_sibling(c)) {
		const char *n = fdt_node_name(c);

		if (!strncmp(n, name, len) && (n[len] == '\0' || n[len] == '@'))
			return c;
	}
	return -1;
}

static const char *string_at(uint32_t off)
{
	if (off >= strings_size)
		return NULL;
	if (strnlen(dt_strings + off, strings_size - off) == strings_size - off)
		return NULL; /* not terminated inside the block */
	return dt_strings + off;
}

const void *fdt_prop(int node, const char *name, uint32_t *len)
{
	int off;

	if (tag_at(node) != FDT_BEGIN_NODE)
		return NULL;
	for (off = next_token(node); off >= 0; off = next_token(off)) {
		uint32_t tag = tag_at(off);
		const char *pname;

		if (tag == FDT_NOP)
			continue;
		if (tag != FDT_PROP)
			break;
		pname = string_at(fdt_be32(dt_struct + off + 8));
		if (pname && !strcmp(pname, name)) {
			if (len)
				*len = fdt_be32(dt_struct + off + 4);
			return dt_struct + off + 12;
		}
	}
	return NULL;
}

bool fdt_prop_u32(int node, const char *name, uint32_t *out)
{
	uint32_t len;
	const void *p = fdt_prop(node, name, &len);

	if (!p || len != 4)
		return false;
	*out = fdt_be32(p);
	return true;
}

bool fdt_prop_has_string(int node, const char *name, const char *s)
{
	uint32_t len, pos = 0;
	const char *p = fdt_prop(node, name, &len);

	while (p && pos < len) {
		size_t n = strnlen(p + pos, len - pos);

		if (n == len - pos)
			return false; /* unterminated */
		if (!strcmp(p + pos, s))
			return true;
		pos += (uint32_t)n + 1;
	}
	return false;
}

int fdt_find_compatible(int after, const char *compat)
{
	int off = after < 0 ? 0 : next_token(after);

	for (; off >= 0; off = next_token(off)) {
		uint32_t tag = tag_at(off);

		if (tag == FDT_END)
			return -1;
		if (tag == FDT_BEGIN_NODE && fdt_prop_has_string(off, "compatible", compat))
			return off;
	}
	return -1;
}

static uint64_t read_cells(const uint8_t *p, unsigned int cells)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < cells; i++)
		v = (v << 32) | fdt_be32(p + 4 * i);
	return v;
}

bool fdt_reg(int node, unsigned int n, unsigned int addr_cells, unsigned int size_cells,
	     uint64_t *addr, uint64_t *size)
{
	uint32_t len, stride = 4 * (addr_cells + size_cells);
	const uint8_t *p = fdt_prop(node, "reg", &len);

	if (!p || !stride || addr_cells > 2 || size_cells > 2 || (uint64_t)(n + 1) * stride > len)
		return false;
	p += (size_t)n * stride;
	*addr = read_cells(p, addr_cells);
	*size = read_cells(p + 4 * addr_cells, size_cells);
	return true;
}
