/* SPDX-License-Identifier: MIT */
#include "vmm/core/fdt_riscv.h"

#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Canonical order of single-letter extensions (ISA manual, "ISA Extension
 * Naming Conventions"); E is never combined with I, G is never produced. */
static const char canonical_letters[] = "iemafdqlcbkjtpvh";

/* misa's S and U bits say which privilege modes exist; they are not ISA
 * extensions and must not appear in riscv,isa. */
static bool letter_is_extension(unsigned bit)
{
	return bit < 26 && bit != 's' - 'a' && bit != 'u' - 'a';
}

static unsigned letter_rank(char c)
{
	const char *p = strchr(canonical_letters, c);
	return p && c ? (unsigned)(p - canonical_letters) : 100u + (unsigned)(c - 'a');
}

/* Sort key: Z extensions by category letter then name, then S, then X, then anything else. */
static int ext_group(const char *e)
{
	switch (e[0]) {
	case 'z': case 'Z': return 0;
	case 's': case 'S': return 1;
	case 'x': case 'X': return 2;
	default: return 3;
	}
}

static int ext_compare(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int gx = ext_group(x), gy = ext_group(y);
	if (gx != gy)
		return gx - gy;
	if (gx == 0) {
		unsigned rx = letter_rank(x[1]), ry = letter_rank(y[1]);
		if (rx != ry)
			return rx < ry ? -1 : 1;
	}
	return strcmp(x, y);
}

static int sorted_exts(const char *const *exts, unsigned n, const char **out)
{
	if (n > FDT_RISCV_MAX_EXTS)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (!exts[i] || !exts[i][0])
			return -1;
		out[i] = exts[i];
	}
	qsort(out, n, sizeof(out[0]), ext_compare);
	return 0;
}

/* The single letters in canonical order, as a string. */
static void letters_in_order(uint32_t letters, char out[27])
{
	size_t n = 0;
	for (const char *p = canonical_letters; *p; p++) {
		unsigned bit = (unsigned)(*p - 'a');
		if ((letters & (1u << bit)) && letter_is_extension(bit) &&
		    !(*p == 'e' && (letters & (1u << ('i' - 'a')))))
			out[n++] = *p;
	}
	for (unsigned bit = 0; bit < 26; bit++) {
		char c = (char)('a' + bit);
		if ((letters & (1u << bit)) && letter_is_extension(bit) && !strchr(canonical_letters, c))
			out[n++] = c;
	}
	out[n] = '\0';
}

int fdt_riscv_isa_string(unsigned xlen, uint32_t letters, const char *const *exts,
			 unsigned nr_exts, char *out, size_t outlen)
{
	const char *sorted[FDT_RISCV_MAX_EXTS];
	char singles[27];
	if (sorted_exts(exts, nr_exts, sorted) < 0)
		return -1;
	letters_in_order(letters, singles);
	int n = snprintf(out, outlen, "rv%u%s", xlen, singles);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	size_t len = (size_t)n;
	for (unsigned i = 0; i < nr_exts; i++) {
		n = snprintf(out + len, outlen - len, "_%s", sorted[i]);
		if (n < 0 || (size_t)n >= outlen - len)
			return -1;
		len += (size_t)n;
	}
	return (int)len;
}

/* riscv,isa-extensions: each single letter, then the multi-letter names. */
static int set_isa_extensions(struct fdt_ctx *ctx, int node, const struct fdt_riscv_board *b,
			      const char *const *sorted)
{
	static const char *const letter_names[26] = {
		"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
		"n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
	};
	char singles[27];
	letters_in_order(b->isa_letters, singles);
	int r = fdt_setprop_empty(ctx->fdt, node, "riscv,isa-extensions");
	for (const char *p = singles; r == 0 && *p; p++)
		r = fdt_appendprop_string(ctx->fdt, node, "riscv,isa-extensions",
					  letter_names[*p - 'a']);
	for (unsigned i = 0; r == 0 && i < b->nr_isa_exts; i++)
		r = fdt_appendprop_string(ctx->fdt, node, "riscv,isa-extensions", sorted[i]);
	return r;
}

static const char *mmu_type(unsigned satp_mode)
{
	switch (satp_mode) {
	case 8: return "riscv,sv39";
	case 9: return "riscv,sv48";
	case 10: return "riscv,sv57";
	default: return NULL; /* bare (or unknown): no MMU for S-mode */
	}
}

static int add_cpu(struct fdt_ctx *ctx, const struct fdt_riscv_board *b, unsigned hart,
		   const char *isa, const char *const *sorted)
{
	int cpu = fdt_ctx_add_node(ctx, "/cpus", "cpu", true, hart);
	if (cpu < 0)
		return cpu;
	char base[8];
	snprintf(base, sizeof(base), "rv%ui", b->xlen);
	int r = fdt_setprop_string(ctx->fdt, cpu, "device_type", "cpu");
	if (r == 0)
		r = fdt_setprop_u32(ctx->fdt, cpu, "reg", hart);
	if (r == 0)
		r = fdt_setprop_string(ctx->fdt, cpu, "compatible", "riscv");
	if (r == 0)
		r = fdt_setprop_string(ctx->fdt, cpu, "status", "okay");
	if (r == 0)
		r = fdt_setprop_string(ctx->fdt, cpu, "riscv,isa", isa);
	if (r == 0)
		r = fdt_setprop_string(ctx->fdt, cpu, "riscv,isa-base", base);
	if (r == 0)
		r = set_isa_extensions(ctx, cpu, b, sorted);
	if (r == 0 && mmu_type(b->satp_mode))
		r = fdt_setprop_string(ctx->fdt, cpu, "mmu-type", mmu_type(b->satp_mode));
	if (r == 0 && b->cbom_block_size)
		r = fdt_setprop_u32(ctx->fdt, cpu, "riscv,cbom-block-size", b->cbom_block_size);
	if (r == 0 && b->cboz_block_size)
		r = fdt_setprop_u32(ctx->fdt, cpu, "riscv,cboz-block-size", b->cboz_block_size);
	if (r < 0)
		return r;

	/* The hart-local interrupt controller (riscv,cpu-intc.yaml): sources
	 * are scause interrupt numbers (1 SSI, 5 STI, 9 SEI for S-mode). */
	int intc = fdt_add_subnode(ctx->fdt, cpu, "interrupt-controller");
	if (intc < 0)
		return intc;
	r = fdt_setprop_string(ctx->fdt, intc, "compatible", "riscv,cpu-intc");
	if (r == 0)
		r = fdt_setprop_u32(ctx->fdt, intc, "#interrupt-cells", 1);
	if (r == 0)
		r = fdt_setprop_empty(ctx->fdt, intc, "interrupt-controller");
	if (r == 0)
		r = fdt_setprop_u32(ctx->fdt, intc, "phandle", b->cpu_intc_phandle[hart]);
	return r;
}

static int add_board_nodes(struct fdt_ctx *ctx, const struct fdt_riscv_board *b, const char *isa,
			   const char *const *sorted, const char **what)
{
	void *fdt = ctx->fdt;
	*what = "root node";
	int r = fdt_setprop_string(fdt, 0, "compatible", "irqvm,riscv-virt");
	if (r == 0)
		r = fdt_setprop_string(fdt, 0, "model", "irqvm RISC-V virtual machine");
	if (r < 0)
		return r;

	*what = "/memory";
	int mem = fdt_ctx_add_node(ctx, "/", "memory", true, b->ram_base);
	r = mem < 0 ? mem : fdt_setprop_string(fdt, mem, "device_type", "memory");
	if (r == 0)
		r = fdt_ctx_prop_reg(ctx, mem, b->ram_base, b->ram_size);
	if (r < 0)
		return r;

	*what = "/cpus";
	int cpus = fdt_add_subnode(fdt, 0, "cpus");
	r = cpus < 0 ? cpus : fdt_setprop_u32(fdt, cpus, "#address-cells", 1);
	if (r == 0)
		r = fdt_setprop_u32(fdt, cpus, "#size-cells", 0);
	if (r == 0)
		r = fdt_setprop_u32(fdt, cpus, "timebase-frequency", (uint32_t)b->timebase_hz);
	for (unsigned i = 0; r == 0 && i < b->nr_harts; i++)
		r = add_cpu(ctx, b, i, isa, sorted);
	if (r < 0)
		return r;

	*what = "/chosen";
	if (b->bootargs && b->bootargs[0]) {
		int chosen = fdt_path_offset(fdt, "/chosen");
		r = chosen < 0 ? chosen : fdt_setprop_string(fdt, chosen, "bootargs", b->bootargs);
	}
	return r;
}

int fdt_riscv_build(const struct fdt_riscv_board *b, const struct fdt_registry *reg,
		    void *buf, size_t size, char *err, size_t errlen)
{
	if (b->nr_harts == 0 || b->nr_harts > FDT_MAX_CPUS) {
		snprintf(err, errlen, "device tree: %u harts (1..%u)", b->nr_harts, FDT_MAX_CPUS);
		return -1;
	}
	if (b->timebase_hz == 0 || b->timebase_hz > UINT32_MAX) {
		snprintf(err, errlen, "device tree: timebase frequency %llu Hz out of range",
			 (unsigned long long)b->timebase_hz);
		return -1;
	}
	if (b->xlen != 32 && b->xlen != 64) {
		snprintf(err, errlen, "device tree: XLEN %u", b->xlen);
		return -1;
	}
	for (unsigned i = 0; i < b->nr_harts; i++) {
		if (b->cpu_intc_phandle[i] == 0 || b->cpu_intc_phandle[i] == UINT32_MAX) {
			snprintf(err, errlen, "device tree: hart %u has no intc phandle", i);
			return -1;
		}
	}
	const char *sorted[FDT_RISCV_MAX_EXTS];
	char isa[FDT_RISCV_ISA_MAX];
	if (sorted_exts(b->isa_exts, b->nr_isa_exts, sorted) < 0 ||
	    fdt_riscv_isa_string(b->xlen, b->isa_letters, b->isa_exts, b->nr_isa_exts, isa,
				 sizeof(isa)) < 0) {
		snprintf(err, errlen, "device tree: bad or too many ISA extensions (%u)",
			 b->nr_isa_exts);
		return -1;
	}
	if (fdt_build_begin(buf, size, err, errlen) < 0)
		return -1;
	struct fdt_ctx ctx = {
		.fdt = buf, .reg = reg, .nr_cpus = b->nr_harts, .cpu_intc = b->cpu_intc_phandle,
	};
	const char *what = "";
	int r = add_board_nodes(&ctx, b, isa, sorted, &what);
	if (r < 0) {
		snprintf(err, errlen, "device tree: %s: %s", what, fdt_strerror(r));
		return -1;
	}
	if (fdt_build_devices(&ctx, err, errlen) < 0)
		return -1;
	return fdt_build_finish(buf, size, err, errlen);
}
