/* SPDX-License-Identifier: MIT */
/*
 * Loads a statically linked ELF64 guest kernel into guest RAM. The kernel
 * file is untrusted input, so every header field is checked (with
 * overflow-safe arithmetic) before a single byte is written: a rejected
 * image leaves RAM untouched.
 */
#ifndef IRQVM_ELF_LOADER_H
#define IRQVM_ELF_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define ELF_LOADER_MAX_PHNUM 64u
#define ELF_LOADER_MAX_FILE_SIZE (256u << 20)

/* Host view of one contiguous range of guest-physical RAM. */
struct elf_ram_view {
	uint64_t gpa_base;
	uint8_t *host;
	uint64_t size;
};

struct elf_load_info {
	uint64_t entry;        /* e_entry, inside an executable loaded segment */
	uint64_t lowest_gpa;   /* lowest p_paddr loaded */
	uint64_t end_gpa;      /* highest p_paddr + p_memsz loaded (exclusive) */
	unsigned nr_loaded;    /* PT_LOAD segments with p_memsz > 0 */
};

/*
 * Copies each PT_LOAD segment of IMAGE to its p_paddr inside RAM and
 * zero-fills the rest of its p_memsz (bss). MACHINE is EM_X86_64 or
 * EM_RISCV; segments must lie at or above MIN_GPA. Returns 0 with *INFO
 * filled (INFO may be NULL), or -1 with a message in ERR.
 */
int elf_load(const void *image, size_t image_size, uint16_t machine,
	     const struct elf_ram_view *ram, uint64_t min_gpa, struct elf_load_info *info,
	     char *err, size_t errlen);

/* Reads PATH (a regular file of at most 256 MiB) and calls elf_load();
 * messages start with "PATH: ". */
int elf_load_file(const char *path, uint16_t machine, const struct elf_ram_view *ram,
		  uint64_t min_gpa, struct elf_load_info *info, char *err, size_t errlen);

#endif
