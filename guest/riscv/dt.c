/* SPDX-License-Identifier: MIT */
/*
 * Reading the machine description out of the device tree irqvm builds
 * (docs/riscv.md, "The device tree"): memory, harts, timebase, ISA, the
 * command line and the devices this kernel drives.
 */
#include "boot.h"
#include "dt.h"
#include "fdt.h"
#include "kstring.h"
#include "machine.h"
#include "panic.h"

/* Cell counts of a node's children ("reg" encoding), with the spec's
 * defaults (Devicetree Specification 2.3.5). */
static void cells_of(int node, unsigned int *addr, unsigned int *size)
{
	uint32_t a = 2, s = 1;

	fdt_prop_u32(node, "#address-cells", &a);
	fdt_prop_u32(node, "#size-cells", &s);
	*addr = a;
	*size = s;
}

static void parse_memory(int root, struct boot_params *bp)
{
	unsigned int ac, sc;

	cells_of(root, &ac, &sc);
	bp->nr_mem_regions = 0;
	bp->mem_size = 0;
	for (int n = fdt_first_child(root); n >= 0; n = fdt_next_sibling(n)) {
		uint64_t base, size;

		if (!fdt_prop_has_string(n, "device_type", "memory"))
			continue;
		for (unsigned int i = 0; fdt_reg(n, i, ac, sc, &base, &size); i++) {
			if (!size || bp->nr_mem_regions >= BOOT_MAX_MEM_REGIONS)
				continue;
			bp->mem[bp->nr_mem_regions].base = base;
			bp->mem[bp->nr_mem_regions].size = size;
			bp->nr_mem_regions++;
			bp->mem_size += size;
		}
	}
	if (!bp->nr_mem_regions)
		panic("device tree has no memory node");
}

/* "rv64imafdc_zicsr_sstc": single letters up to the first '_', then
 * multi-letter extensions separated by '_' (ISA manual, chapter 37). */
static bool isa_has_letter(const char *isa, char letter)
{
	if (strncmp(isa, "rv64", 4) && strncmp(isa, "rv32", 4))
		return false;
	for (const char *p = isa + 4; *p && *p != '_'; p++)
		if (*p == letter)
			return true;
	return false;
}

static bool isa_has_ext(const char *isa, const char *ext)
{
	size_t len = strlen(ext);

	for (const char *p = strchr(isa, '_'); p; p = strchr(p + 1, '_'))
		if (!strncmp(p + 1, ext, len) && (p[1 + len] == '_' || p[1 + len] == '\0'))
			return true;
	return false;
}

static void copy_string_prop(int node, const char *name, char *out, size_t size)
{
	uint32_t len;
	const char *p = fdt_prop(node, name, &len);

	out[0] = '\0';
	if (p && len && size) {
		size_t n = strnlen(p, len);

		if (n > size - 1)
			n = size - 1;
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

static void parse_cpus(int root)
{
	struct rv_machine *m = &rv_machine;
	int cpus = fdt_subnode(root, "cpus");
	uint32_t len, ids[RV_MAX_CPUS];
	unsigned int n = 0, ac, sc;
	const void *tb;

	if (cpus < 0)
		panic("device tree has no /cpus node");
	tb = fdt_prop(cpus, "timebase-frequency", &len);
	if (tb && len == 4)
		m->timebase_hz = fdt_be32(tb);
	else if (tb && len == 8)
		m->timebase_hz = ((uint64_t)fdt_be32(tb) << 32) | fdt_be32((const uint8_t *)tb + 4);
	cells_of(cpus, &ac, &sc);
	for (int c = fdt_first_child(cpus); c >= 0; c = fdt_next_sibling(c)) {
		uint64_t hartid, unused;

		if (!fdt_prop_has_string(c, "device_type", "cpu") ||
		    fdt_prop_has_string(c, "status", "disabled") || !fdt_reg(c, 0, ac, 0, &hartid, &unused))
			continue;
		m->cpu_nodes++;
		if (hartid == m->boot_a0) {
			copy_string_prop(c, "riscv,isa", m->isa, sizeof(m->isa));
			copy_string_prop(c, "mmu-type", m->mmu_type, sizeof(m->mmu_type));
			m->has_sstc = isa_has_ext(m->isa, "sstc") ||
				      fdt_prop_has_string(c, "riscv,isa-extensions", "sstc");
		}
		if (n < RV_MAX_CPUS)
			ids[n++] = (uint32_t)hartid;
	}
	if (!n)
		panic("device tree has no usable cpu node");
	/* CPU 0 is the boot hart, the others follow in hart id order. */
	m->hartids[0] = (uint32_t)m->boot_a0;
	m->nr_harts = 1;
	for (unsigned int pass = 0; pass < n; pass++) {
		uint32_t best = UINT32_MAX;

		for (unsigned int i = 0; i < n; i++) {
			bool taken = false;

			for (unsigned int j = 0; j < m->nr_harts; j++)
				taken |= m->hartids[j] == ids[i];
			if (!taken && ids[i] < best)
				best = ids[i];
		}
		if (best == UINT32_MAX)
			break;
		m->hartids[m->nr_harts++] = best;
	}
	m->has_f = isa_has_letter(m->isa, 'f') || isa_has_letter(m->isa, 'g');
	m->has_d = isa_has_letter(m->isa, 'd') || isa_has_letter(m->isa, 'g');
	m->has_c = isa_has_letter(m->isa, 'c');
}

static void parse_device(int soc, const char *compat, struct rv_device *d)
{
	unsigned int ac = 2, sc = 2;
	int n = fdt_find_compatible(-1, compat);

	if (soc >= 0)
		cells_of(soc, &ac, &sc);
	d->present = n >= 0 && fdt_reg(n, 0, ac, sc, &d->base, &d->size) && d->size;
	if (d->present && fdt_prop_has_string(n, "status", "disabled"))
		d->present = false;
}

void rv_dt_parse(struct boot_params *bp, char *cmdline, size_t cmdline_size)
{
	struct rv_machine *m = &rv_machine;
	int root = fdt_root(), chosen, soc;

	if (root < 0)
		panic("device tree has no root node");
	m->fdt_size = fdt_total_size();
	m->fdt_version = fdt_version();
	parse_memory(root, bp);
	parse_cpus(root);
	chosen = fdt_subnode(root, "chosen");
	cmdline[0] = '\0';
	if (chosen >= 0) {
		m->has_bootargs = fdt_prop(chosen, "bootargs", NULL) != NULL;
		m->has_stdout_path = fdt_prop(chosen, "stdout-path", NULL) != NULL;
		copy_string_prop(chosen, "bootargs", cmdline, cmdline_size);
	}
	soc = fdt_subnode(root, "soc");
	parse_device(soc, "sifive,test0", &m->exit_dev);
	parse_device(soc, "ns16550a", &m->uart);
	parse_device(soc, "irqvm,testdev", &m->testdev);
	bp->cmdline = cmdline;
	bp->nr_cpus = m->nr_harts;
}

unsigned int rv_cpu_of_hart(unsigned long hartid)
{
	for (unsigned int cpu = 0; cpu < rv_machine.nr_harts; cpu++)
		if (rv_machine.hartids[cpu] == hartid)
			return cpu;
	return RV_MAX_CPUS;
}
