/* SPDX-License-Identifier: MIT */
/*
 * ELF loader tests. Images are assembled in memory: an ELF header, the
 * program headers right after it, and segment contents at 0x1000 and up,
 * each filled with a distinct byte so that misplaced copies show.
 */
#include "vmm/core/elf_loader.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMG_MAX 0x4000
#define MAX_PH 8
#define RAM_BASE 0x100000ull
#define RAM_SIZE 0x10000ull
#define RAM_FILL 0xaa

struct img {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PH];
	unsigned nph;
	uint8_t data[IMG_MAX];
	size_t size;
};

static uint8_t ram_buf[RAM_SIZE];
static const struct elf_ram_view ram = { RAM_BASE, ram_buf, RAM_SIZE };
static char err[256];

static void img_init(struct img *im, uint16_t machine)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = machine;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = RAM_BASE;
	im->eh.e_phoff = sizeof(Elf64_Ehdr);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->size = 0x1000;
	memset(ram_buf, RAM_FILL, sizeof(ram_buf));
}

/* Adds a program header whose file bytes (if any) are filled with FILL. */
static Elf64_Phdr *img_add(struct img *im, uint32_t type, uint64_t paddr, uint64_t offset,
			   uint64_t filesz, uint64_t memsz, uint32_t flags, uint8_t fill)
{
	Elf64_Phdr *ph = &im->ph[im->nph++];

	cr_assert_leq(im->nph, MAX_PH);
	*ph = (Elf64_Phdr){
		.p_type = type,
		.p_flags = flags,
		.p_offset = offset,
		.p_vaddr = paddr,
		.p_paddr = paddr,
		.p_filesz = filesz,
		.p_memsz = memsz,
		.p_align = 0x1000,
	};
	if (filesz && offset < IMG_MAX && filesz <= IMG_MAX - offset) {
		memset(im->data + offset, fill, filesz);
		if (offset + filesz > im->size)
			im->size = offset + filesz;
	}
	return ph;
}

static Elf64_Phdr *img_load(struct img *im, uint64_t paddr, uint64_t offset, uint64_t filesz,
			    uint64_t memsz, uint32_t flags, uint8_t fill)
{
	return img_add(im, PT_LOAD, paddr, offset, filesz, memsz, flags, fill);
}

/* Writes the headers into the image; e_phnum is the number added. */
static void img_finish(struct img *im)
{
	im->eh.e_phnum = (uint16_t)im->nph;
	memcpy(im->data, &im->eh, sizeof(im->eh));
	memcpy(im->data + sizeof(im->eh), im->ph, im->nph * sizeof(Elf64_Phdr));
}

/* The usual single-segment kernel: 0x100 bytes code + 0x100 bss at RAM_BASE. */
static void img_simple(struct img *im)
{
	img_init(im, EM_X86_64);
	img_load(im, RAM_BASE, 0x1000, 0x100, 0x200, PF_R | PF_X, 0x11);
	img_finish(im);
}

static int load(const struct img *im, uint64_t min_gpa, struct elf_load_info *info)
{
	err[0] = '\0';
	return elf_load(im->data, im->size, EM_X86_64, &ram, min_gpa, info, err, sizeof(err));
}

static bool ram_untouched(void)
{
	for (size_t i = 0; i < sizeof(ram_buf); i++)
		if (ram_buf[i] != RAM_FILL)
			return false;
	return true;
}

static void expect_reject(const struct img *im, uint64_t min_gpa, const char *msg)
{
	struct elf_load_info info;

	cr_assert_eq(load(im, min_gpa, &info), -1, "expected rejection with \"%s\"", msg);
	cr_assert(strstr(err, msg), "error \"%s\" does not contain \"%s\"", err, msg);
	cr_assert(ram_untouched(), "a rejected image wrote to RAM");
}

static bool all_bytes(uint64_t gpa, uint64_t len, uint8_t value)
{
	for (uint64_t i = 0; i < len; i++)
		if (ram_buf[gpa - RAM_BASE + i] != value)
			return false;
	return true;
}

Test(elf_loader, loads_segment_at_paddr_and_reports_entry)
{
	struct img im;
	struct elf_load_info info;

	img_simple(&im);
	cr_assert_eq(load(&im, RAM_BASE, &info), 0, "%s", err);
	cr_assert_eq(info.entry, RAM_BASE);
	cr_assert_eq(info.lowest_gpa, RAM_BASE);
	cr_assert_eq(info.end_gpa, RAM_BASE + 0x200);
	cr_assert_eq(info.nr_loaded, 1);
	cr_assert(all_bytes(RAM_BASE, 0x100, 0x11));
}

Test(elf_loader, zero_fills_bss_beyond_filesz)
{
	struct img im;

	img_simple(&im);
	cr_assert_eq(load(&im, RAM_BASE, NULL), 0, "%s", err);
	cr_assert(all_bytes(RAM_BASE + 0x100, 0x100, 0));
	cr_assert(all_bytes(RAM_BASE + 0x200, 0x100, RAM_FILL), "wrote past p_memsz");
}

Test(elf_loader, loads_several_segments_and_reports_their_span)
{
	struct img im;
	struct elf_load_info info;

	img_init(&im, EM_X86_64);
	im.eh.e_entry = RAM_BASE + 0x2010;
	img_load(&im, RAM_BASE + 0x4000, 0x1000, 0x80, 0x80, PF_R, 0x22);
	img_load(&im, RAM_BASE + 0x2000, 0x1100, 0x40, 0x40, PF_R | PF_X, 0x33);
	img_load(&im, RAM_BASE + 0x8000, 0x1200, 0x10, 0x1000, PF_R | PF_W, 0x44);
	img_finish(&im);
	cr_assert_eq(load(&im, RAM_BASE, &info), 0, "%s", err);
	cr_assert_eq(info.nr_loaded, 3);
	cr_assert_eq(info.entry, RAM_BASE + 0x2010);
	cr_assert_eq(info.lowest_gpa, RAM_BASE + 0x2000);
	cr_assert_eq(info.end_gpa, RAM_BASE + 0x9000);
	cr_assert(all_bytes(RAM_BASE + 0x4000, 0x80, 0x22));
	cr_assert(all_bytes(RAM_BASE + 0x2000, 0x40, 0x33));
	cr_assert(all_bytes(RAM_BASE + 0x8000, 0x10, 0x44));
	cr_assert(all_bytes(RAM_BASE + 0x8010, 0xff0, 0));
	cr_assert(all_bytes(RAM_BASE, 0x2000, RAM_FILL));
}

Test(elf_loader, adjacent_segments_are_not_an_overlap)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_load(&im, RAM_BASE + 0x100, 0x1100, 0x100, 0x100, PF_R, 0x22);
	img_finish(&im);
	cr_assert_eq(load(&im, RAM_BASE, NULL), 0, "%s", err);
}

Test(elf_loader, segment_may_end_exactly_at_end_of_ram)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, 0x1000, 0x10, RAM_SIZE, PF_X, 0x11);
	img_finish(&im);
	cr_assert_eq(load(&im, RAM_BASE, NULL), 0, "%s", err);
}

Test(elf_loader, skips_segments_with_zero_memsz)
{
	struct img im;
	struct elf_load_info info;

	img_init(&im, EM_X86_64);
	img_load(&im, 0xdead0000, 0, 0, 0, PF_X, 0); /* would be outside RAM */
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_load(&im, RAM_BASE, 0, 0, 0, PF_R, 0);   /* would overlap */
	img_finish(&im);
	cr_assert_eq(load(&im, RAM_BASE, &info), 0, "%s", err);
	cr_assert_eq(info.nr_loaded, 1);
}

Test(elf_loader, ignores_non_load_program_headers)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_add(&im, PT_NOTE, 0, 0x7fffffff, 0x100, 0x100, 0, 0);
	img_add(&im, PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W, 0);
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_finish(&im);
	cr_assert_eq(load(&im, RAM_BASE, NULL), 0, "%s", err);
}

Test(elf_loader, loads_riscv_image_when_riscv_is_expected)
{
	struct img im;

	img_init(&im, EM_RISCV);
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_finish(&im);
	cr_assert_eq(elf_load(im.data, im.size, EM_RISCV, &ram, RAM_BASE, NULL, err, sizeof(err)),
		     0, "%s", err);
}

Test(elf_loader, rejects_every_truncation_of_a_valid_image)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, 0x1000, 0x80, 0x100, PF_X, 0x11);
	img_load(&im, RAM_BASE + 0x1000, 0x1080, 0x80, 0x80, PF_R, 0x22);
	img_finish(&im);
	cr_assert_eq(im.size, 0x1100);
	for (size_t size = 0; size < im.size; size++) {
		memset(ram_buf, RAM_FILL, sizeof(ram_buf));
		cr_assert_eq(elf_load(im.data, size, EM_X86_64, &ram, RAM_BASE, NULL, err,
				      sizeof(err)),
			     -1, "truncated to %zu bytes was accepted", size);
		cr_assert(ram_untouched(), "truncated to %zu bytes wrote to RAM", size);
	}
}

Test(elf_loader, rejects_image_smaller_than_elf_header)
{
	struct img im;

	img_simple(&im);
	im.size = sizeof(Elf64_Ehdr) - 1;
	expect_reject(&im, RAM_BASE, "too small");
}

Test(elf_loader, rejects_bad_magic)
{
	struct img im;

	img_simple(&im);
	im.data[1] = 'X';
	expect_reject(&im, RAM_BASE, "bad magic");
}

Test(elf_loader, rejects_32_bit_class)
{
	struct img im;

	img_simple(&im);
	im.data[EI_CLASS] = ELFCLASS32;
	expect_reject(&im, RAM_BASE, "not a 64-bit ELF");
}

Test(elf_loader, rejects_big_endian_data)
{
	struct img im;

	img_simple(&im);
	im.data[EI_DATA] = ELFDATA2MSB;
	expect_reject(&im, RAM_BASE, "not a little-endian");
}

Test(elf_loader, rejects_unknown_ident_version)
{
	struct img im;

	img_simple(&im);
	im.data[EI_VERSION] = 2;
	expect_reject(&im, RAM_BASE, "unsupported ELF version 2");
}

Test(elf_loader, rejects_unknown_header_version)
{
	struct img im;

	img_init(&im, EM_X86_64);
	im.eh.e_version = 0;
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "e_version");
}

Test(elf_loader, rejects_shared_object_type)
{
	struct img im;

	img_init(&im, EM_X86_64);
	im.eh.e_type = ET_DYN;
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "ET_EXEC");
}

Test(elf_loader, rejects_wrong_machine_naming_both)
{
	struct img im;

	img_simple(&im);
	cr_assert_eq(elf_load(im.data, im.size, EM_RISCV, &ram, RAM_BASE, NULL, err, sizeof(err)),
		     -1);
	cr_assert(strstr(err, "62 (x86-64)"), "%s", err);
	cr_assert(strstr(err, "243 (RISC-V)"), "%s", err);
	cr_assert(ram_untouched());
}

Test(elf_loader, rejects_wrong_program_header_entry_size)
{
	struct img im;

	img_init(&im, EM_X86_64);
	im.eh.e_phentsize = sizeof(Elf64_Phdr) - 1;
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "e_phentsize");
}

Test(elf_loader, rejects_zero_program_headers)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "e_phnum is 0");
}

Test(elf_loader, rejects_more_than_64_program_headers)
{
	struct img im;

	img_simple(&im);
	im.eh.e_phnum = 65;
	memcpy(im.data, &im.eh, sizeof(im.eh));
	expect_reject(&im, RAM_BASE, "e_phnum is 65");
}

Test(elf_loader, rejects_program_header_table_past_end_of_file)
{
	struct img im;

	img_simple(&im);
	im.eh.e_phoff = im.size - sizeof(Elf64_Phdr) + 1;
	memcpy(im.data, &im.eh, sizeof(im.eh));
	expect_reject(&im, RAM_BASE, "program headers");
}

Test(elf_loader, rejects_phoff_that_would_wrap_around)
{
	struct img im;

	img_simple(&im);
	im.eh.e_phoff = UINT64_MAX - 8;
	memcpy(im.data, &im.eh, sizeof(im.eh));
	expect_reject(&im, RAM_BASE, "program headers");
}

Test(elf_loader, rejects_filesz_larger_than_memsz)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, 0x1000, 0x200, 0x100, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "p_filesz 0x200 > p_memsz 0x100");
}

Test(elf_loader, rejects_segment_file_range_past_end_of_file)
{
	struct img im;

	img_simple(&im);
	im.size -= 1;
	expect_reject(&im, RAM_BASE, "segment 0: file range");
}

Test(elf_loader, rejects_segment_offset_that_would_wrap_around)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, UINT64_MAX - 0xf, 0x100, 0x100, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "file range");
}

Test(elf_loader, rejects_segment_beyond_end_of_ram)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE + RAM_SIZE, 0x1000, 0x10, 0x10, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "outside guest RAM");
}

Test(elf_loader, rejects_segment_straddling_end_of_ram)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE + RAM_SIZE - 0x10, 0x1000, 0x10, 0x11, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "outside guest RAM");
}

Test(elf_loader, rejects_segment_below_start_of_ram)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE - 0x10, 0x1000, 0x10, 0x100, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, 0, "outside guest RAM");
}

Test(elf_loader, rejects_segment_whose_end_wraps_around)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, UINT64_MAX - 0xf, 0x1000, 0x10, 0x100, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, 0, "outside guest RAM");
}

Test(elf_loader, rejects_segment_below_min_gpa)
{
	struct img im;

	img_simple(&im);
	expect_reject(&im, RAM_BASE + 0x1000, "below the lowest allowed address 0x101000");
}

Test(elf_loader, rejects_partially_overlapping_segments)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x200, PF_X, 0x11);
	img_load(&im, RAM_BASE + 0x1ff, 0x1100, 0x10, 0x10, PF_R, 0x22);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "segments 0 and 1 overlap");
}

Test(elf_loader, rejects_segment_contained_in_another)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE + 0x100, 0x1000, 0x10, 0x10, PF_R, 0x11);
	img_load(&im, RAM_BASE, 0x1100, 0x10, 0x1000, PF_X, 0x22);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "segments 0 and 1 overlap");
}

Test(elf_loader, rejects_image_without_load_segments)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_add(&im, PT_NOTE, 0, 0x1000, 0x10, 0x10, 0, 0x11);
	img_load(&im, RAM_BASE, 0x1000, 0, 0, PF_X, 0);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "no loadable");
}

Test(elf_loader, rejects_entry_outside_every_segment)
{
	struct img im;

	img_init(&im, EM_X86_64);
	im.eh.e_entry = RAM_BASE + 0x200; /* one past the end */
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x200, PF_X, 0x11);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "entry point 0x100200");
}

Test(elf_loader, rejects_entry_in_non_executable_segment)
{
	struct img im;

	img_init(&im, EM_X86_64);
	im.eh.e_entry = RAM_BASE + 0x1000;
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_load(&im, RAM_BASE + 0x1000, 0x1100, 0x100, 0x100, PF_R | PF_W, 0x22);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "not inside an executable");
}

Test(elf_loader, rejects_interpreter_without_loading_anything)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_add(&im, PT_INTERP, 0, 0x1100, 0x10, 0x10, PF_R, 'x');
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "PT_INTERP");
}

Test(elf_loader, writes_nothing_when_a_later_segment_is_bad)
{
	struct img im;

	img_init(&im, EM_X86_64);
	img_load(&im, RAM_BASE, 0x1000, 0x100, 0x100, PF_X, 0x11);
	img_load(&im, RAM_BASE + RAM_SIZE, 0x1100, 0x10, 0x10, PF_R, 0x22);
	img_finish(&im);
	expect_reject(&im, RAM_BASE, "segment 1");
}

Test(elf_loader, rejects_ram_view_that_wraps_around)
{
	struct img im;
	struct elf_ram_view bad = { UINT64_MAX - 0xff, ram_buf, RAM_SIZE };

	img_simple(&im);
	cr_assert_eq(elf_load(im.data, im.size, EM_X86_64, &bad, 0, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "invalid RAM view"), "%s", err);
}

/* ---- elf_load_file ---- */

static char tmpdir[64];

static void tmpdir_make(void)
{
	strcpy(tmpdir, "/tmp/irqvm-elf-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void tmpdir_remove(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/kernel.elf", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

TestSuite(elf_loader_file, .init = tmpdir_make, .fini = tmpdir_remove);

Test(elf_loader_file, loads_image_from_file)
{
	struct img im;
	struct elf_load_info info;
	char path[128];
	FILE *f;

	img_simple(&im);
	snprintf(path, sizeof(path), "%s/kernel.elf", tmpdir);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(im.data, 1, im.size, f), im.size);
	fclose(f);
	cr_assert_eq(elf_load_file(path, EM_X86_64, &ram, RAM_BASE, &info, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(info.entry, RAM_BASE);
	cr_assert(all_bytes(RAM_BASE, 0x100, 0x11));
}

Test(elf_loader_file, reports_missing_file_with_its_path)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/absent.elf", tmpdir);
	cr_assert_eq(elf_load_file(path, EM_X86_64, &ram, RAM_BASE, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, path) && strstr(err, "No such file"), "%s", err);
}

Test(elf_loader_file, rejects_directory)
{
	cr_assert_eq(elf_load_file(tmpdir, EM_X86_64, &ram, RAM_BASE, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
}

Test(elf_loader_file, prefixes_loader_errors_with_the_path)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernel.elf", tmpdir);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	cr_assert_eq(elf_load_file(path, EM_X86_64, &ram, RAM_BASE, NULL, err, sizeof(err)), -1);
	cr_assert(strncmp(err, path, strlen(path)) == 0 && strstr(err, "too small"), "%s", err);
}
