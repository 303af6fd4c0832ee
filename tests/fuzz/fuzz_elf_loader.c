/* SPDX-License-Identifier: MIT */
/*
 * The ELF loader (vmm/core/elf_loader.h) given any file as the kernel, as
 * vm_create gives it the configured one: x86-64 (first input byte even) or
 * RISC-V, into a 256 KiB guest RAM at 1 MiB or 2 GiB with a minimum address
 * like the architectures' (the RAM is an exact-size allocation, so
 * AddressSanitizer sees any write outside it). Checked after each load:
 *
 *  - a refused image has a message and leaves RAM untouched;
 *  - a loaded image has at least one segment, lies within RAM and above
 *    the minimum, and its entry point is inside the loaded range.
 */
#include "tests/fuzz/fuzz.h"

#include <elf.h>

#include "vmm/core/elf_loader.h"

#define RAM_SIZE (256u << 10)
#define FILL 0xa5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram, *untouched;
	struct elf_load_info info;
	char err[256] = "";

	if (size < 1)
		return 0;
	if (!ram) {
		ram = malloc(RAM_SIZE);
		untouched = malloc(RAM_SIZE);
		FUZZ_CHECK(ram && untouched, "out of memory");
		memset(untouched, FILL, RAM_SIZE);
	}
	memset(ram, FILL, RAM_SIZE);

	bool x86 = !(data[0] & 1);
	struct elf_ram_view view = { .gpa_base = x86 ? 0x100000 : 0x80000000, .host = ram,
				     .size = RAM_SIZE };
	uint64_t min_gpa = view.gpa_base + ((data[0] & 2) ? 0x1000 : 0);

	int r = elf_load(data + 1, size - 1, x86 ? EM_X86_64 : EM_RISCV, &view, min_gpa, &info,
			 err, sizeof(err));
	if (r < 0) {
		FUZZ_CHECK(err[0], "refused without a message");
		FUZZ_CHECK(!memcmp(ram, untouched, RAM_SIZE), "refused image wrote RAM (%s)", err);
		return 0;
	}
	FUZZ_CHECK(r == 0, "elf_load returned %d", r);
	FUZZ_CHECK(info.nr_loaded >= 1, "loaded without a segment");
	FUZZ_CHECK(info.lowest_gpa >= min_gpa && info.lowest_gpa <= info.end_gpa &&
		   info.end_gpa <= view.gpa_base + RAM_SIZE,
		   "loaded %llx..%llx outside %llx..%llx", (unsigned long long)info.lowest_gpa,
		   (unsigned long long)info.end_gpa, (unsigned long long)min_gpa,
		   (unsigned long long)(view.gpa_base + RAM_SIZE));
	FUZZ_CHECK(info.entry >= info.lowest_gpa && info.entry < info.end_gpa,
		   "entry %llx outside %llx..%llx", (unsigned long long)info.entry,
		   (unsigned long long)info.lowest_gpa, (unsigned long long)info.end_gpa);
	return 0;
}
