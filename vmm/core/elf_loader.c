/* SPDX-License-Identifier: MIT */
/*
 * ELF64 loader (System V gABI, "ELF-64 Object File Format"). Two passes:
 * the first validates the ELF header and every program header and records
 * the PT_LOAD segments; only if all of them are acceptable does the second
 * pass copy them. Headers are read with memcpy because the image buffer
 * need not be aligned.
 *
 * Segments are placed at p_paddr, not p_vaddr: the VMM starts the guest
 * with identity-mapped paging, so the entry point must be a physical
 * address inside an executable segment as well.
 */
#include "vmm/core/elf_loader.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct segment {
	unsigned index;   /* program header number, for messages */
	uint64_t gpa;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	bool exec;
};

static int elf_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int elf_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *machine_name(unsigned machine)
{
	switch (machine) {
	case EM_386: return "i386";
	case EM_X86_64: return "x86-64";
	case EM_RISCV: return "RISC-V";
	case EM_AARCH64: return "AArch64";
	case EM_ARM: return "ARM";
	case EM_PPC64: return "PowerPC64";
	case EM_S390: return "S/390";
	case EM_MIPS: return "MIPS";
#ifdef EM_LOONGARCH
	case EM_LOONGARCH: return "LoongArch";
#endif
	default: return "unknown";
	}
}

/* Is [start, start + len) inside [0, limit)? Written so nothing can wrap. */
static bool range_within(uint64_t start, uint64_t len, uint64_t limit)
{
	return start <= limit && len <= limit - start;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t image_size, uint16_t machine, char *err,
		      size_t errlen)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return elf_fail(err, errlen, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_fail(err, errlen, "not a 64-bit ELF file (EI_CLASS %u)",
				eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_fail(err, errlen, "not a little-endian ELF file (EI_DATA %u)",
				eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return elf_fail(err, errlen, "unsupported ELF version %u (EI_VERSION)",
				eh->e_ident[EI_VERSION]);
	if (eh->e_version != EV_CURRENT)
		return elf_fail(err, errlen, "unsupported ELF version %u (e_version)",
				eh->e_version);
	if (eh->e_type != ET_EXEC)
		return elf_fail(err, errlen,
				"ELF type is %u, expected %u (ET_EXEC, a static executable)",
				eh->e_type, ET_EXEC);
	if (eh->e_machine != machine)
		return elf_fail(err, errlen, "ELF machine is %u (%s), expected %u (%s)",
				eh->e_machine, machine_name(eh->e_machine), machine,
				machine_name(machine));
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return elf_fail(err, errlen, "e_phentsize is %u, expected %zu", eh->e_phentsize,
				sizeof(Elf64_Phdr));
	if (eh->e_phnum < 1 || eh->e_phnum > ELF_LOADER_MAX_PHNUM)
		return elf_fail(err, errlen, "e_phnum is %u, expected 1..%u", eh->e_phnum,
				ELF_LOADER_MAX_PHNUM);
	if (!range_within(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), image_size))
		return elf_fail(err, errlen,
				"program headers (offset 0x%llx, %u entries) extend past the end of "
				"the %zu-byte file",
				(unsigned long long)eh->e_phoff, eh->e_phnum, image_size);
	return 0;
}

static int check_segment(const Elf64_Phdr *ph, unsigned index, size_t image_size,
			 const struct elf_ram_view *ram, uint64_t min_gpa, char *err,
			 size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(err, errlen, "segment %u: p_filesz 0x%llx > p_memsz 0x%llx", index,
				(unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
	if (!range_within(ph->p_offset, ph->p_filesz, image_size))
		return elf_fail(err, errlen,
				"segment %u: file range 0x%llx+0x%llx extends past the end of the "
				"%zu-byte file",
				index, (unsigned long long)ph->p_offset,
				(unsigned long long)ph->p_filesz, image_size);
	if (ph->p_memsz == 0)
		return 0;
	if (ph->p_paddr < ram->gpa_base ||
	    !range_within(ph->p_paddr - ram->gpa_base, ph->p_memsz, ram->size))
		return elf_fail(err, errlen,
				"segment %u: [0x%llx, +0x%llx) is outside guest RAM [0x%llx, "
				"0x%llx)",
				index, (unsigned long long)ph->p_paddr,
				(unsigned long long)ph->p_memsz, (unsigned long long)ram->gpa_base,
				(unsigned long long)(ram->gpa_base + ram->size));
	if (ph->p_paddr < min_gpa)
		return elf_fail(err, errlen,
				"segment %u: starts at 0x%llx, below the lowest allowed address "
				"0x%llx",
				index, (unsigned long long)ph->p_paddr, (unsigned long long)min_gpa);
	return 0;
}

static bool overlaps(const struct segment *a, const struct segment *b)
{
	return a->gpa < b->gpa + b->memsz && b->gpa < a->gpa + a->memsz;
}

int elf_load(const void *image, size_t image_size, uint16_t machine,
	     const struct elf_ram_view *ram, uint64_t min_gpa, struct elf_load_info *info,
	     char *err, size_t errlen)
{
	struct segment segs[ELF_LOADER_MAX_PHNUM];
	const uint8_t *bytes = image;
	struct elf_load_info out = { 0 };
	unsigned nr = 0;
	Elf64_Ehdr eh;
	bool entry_ok = false;

	if (!image || !ram)
		return elf_fail(err, errlen, "no image or RAM given");
	/* RAM must end at a representable address, so that no segment end
	 * computed below can wrap. */
	if ((ram->size > 0 && !ram->host) || ram->size > UINT64_MAX - ram->gpa_base)
		return elf_fail(err, errlen, "invalid RAM view");
	if (image_size < sizeof(eh))
		return elf_fail(err, errlen, "file too small for an ELF header (%zu bytes)",
				image_size);
	memcpy(&eh, bytes, sizeof(eh));
	if (check_ehdr(&eh, image_size, machine, err, errlen))
		return -1;

	/* Pass 1: validate every program header, remember what to load. */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, bytes + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return elf_fail(err, errlen,
					"segment %u: PT_INTERP: a dynamically linked program cannot "
					"be a guest kernel",
					i);
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_segment(&ph, i, image_size, ram, min_gpa, err, errlen))
			return -1;
		if (ph.p_memsz == 0)
			continue; /* nothing to place */
		segs[nr] = (struct segment){
			.index = i,
			.gpa = ph.p_paddr,
			.memsz = ph.p_memsz,
			.offset = ph.p_offset,
			.filesz = ph.p_filesz,
			.exec = (ph.p_flags & PF_X) != 0,
		};
		for (unsigned j = 0; j < nr; j++)
			if (overlaps(&segs[j], &segs[nr]))
				return elf_fail(err, errlen,
						"segments %u and %u overlap in guest memory",
						segs[j].index, i);
		nr++;
	}
	if (nr == 0)
		return elf_fail(err, errlen, "no loadable (PT_LOAD) segment");
	for (unsigned j = 0; j < nr; j++)
		if (segs[j].exec && eh.e_entry >= segs[j].gpa &&
		    eh.e_entry - segs[j].gpa < segs[j].memsz)
			entry_ok = true;
	if (!entry_ok)
		return elf_fail(err, errlen,
				"entry point 0x%llx is not inside an executable loaded segment",
				(unsigned long long)eh.e_entry);

	/* Pass 2: everything checked, now write guest memory. */
	out.entry = eh.e_entry;
	out.lowest_gpa = UINT64_MAX;
	for (unsigned j = 0; j < nr; j++) {
		uint8_t *dst = ram->host + (segs[j].gpa - ram->gpa_base);

		memcpy(dst, bytes + segs[j].offset, segs[j].filesz);
		memset(dst + segs[j].filesz, 0, segs[j].memsz - segs[j].filesz);
		if (segs[j].gpa < out.lowest_gpa)
			out.lowest_gpa = segs[j].gpa;
		if (segs[j].gpa + segs[j].memsz > out.end_gpa)
			out.end_gpa = segs[j].gpa + segs[j].memsz;
	}
	out.nr_loaded = nr;
	if (info)
		*info = out;
	return 0;
}

int elf_load_file(const char *path, uint16_t machine, const struct elf_ram_view *ram,
		  uint64_t min_gpa, struct elf_load_info *info, char *err, size_t errlen)
{
	char msg[256];
	struct stat st;
	size_t size, used = 0;
	uint8_t *buf;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return elf_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		ret = elf_fail(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = elf_fail(err, errlen, "%s: not a regular file", path);
		goto out_close;
	}
	if (st.st_size > (off_t)ELF_LOADER_MAX_FILE_SIZE) {
		ret = elf_fail(err, errlen, "%s: larger than %u MiB", path,
			       ELF_LOADER_MAX_FILE_SIZE >> 20);
		goto out_close;
	}
	size = (size_t)st.st_size;
	buf = malloc(size ? size : 1);
	if (!buf) {
		ret = elf_fail(err, errlen, "%s: out of memory", path);
		goto out_close;
	}
	while (used < size) {
		ssize_t n = read(fd, buf + used, size - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = elf_fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break; /* shrank while reading: validate what we have */
		used += (size_t)n;
	}
	ret = elf_load(buf, used, machine, ram, min_gpa, info, msg, sizeof(msg));
	if (ret)
		elf_fail(err, errlen, "%s: %s", path, msg);
out_free:
	free(buf);
out_close:
	close(fd);
	return ret;
}
