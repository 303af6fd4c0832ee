/* SPDX-License-Identifier: MIT */
/* The architecture's MSI format (vmm/core/arch.h), as the host build links it (x86-64). */
#include <criterion/criterion.h>

#include "vmm/core/arch.h"

#if defined(__x86_64__)

Test(arch_msi, encode_puts_the_vcpu_in_the_destination_and_the_mode_in_the_data)
{
	uint64_t a;
	uint32_t d;
	arch_msi_encode(3, 0x41, ARCH_MSI_FIXED, &a, &d);
	cr_assert_eq(a, 0xfee03000ull);
	cr_assert_eq(d, 0x41u);
	arch_msi_encode(1, 0x41, ARCH_MSI_LOWEST, &a, &d);
	cr_assert_eq(a, 0xfee01000ull);
	cr_assert_eq(d, 0x141u);
	arch_msi_encode(2, 0x41, ARCH_MSI_NMI, &a, &d);
	cr_assert_eq(a, 0xfee02000ull);
	cr_assert_eq(d, 0x400u, "NMI delivery ignores the vector");
}

Test(arch_msi, decode_reads_back_what_encode_wrote)
{
	uint64_t a;
	uint32_t d;
	struct arch_msi_dest m;
	arch_msi_encode(5, 0x80, ARCH_MSI_FIXED, &a, &d);
	arch_msi_decode(a, d, &m);
	cr_assert_eq(m.dest, 5u);
	cr_assert_eq(m.vector, 0x80);
	cr_assert(m.physical && !m.nmi);
	arch_msi_encode(5, 0x80, ARCH_MSI_NMI, &a, &d);
	arch_msi_decode(a, d, &m);
	cr_assert(m.nmi);
	cr_assert_eq(m.vector, arch_nmi_vector);
	cr_assert_eq(arch_nmi_vector, 2);
	arch_msi_decode(0xfee00004ull, 0x41, &m); /* destination mode bit: logical */
	cr_assert(!m.physical);
}

static int check(uint64_t a, uint64_t d, int *vector, char *err, size_t len)
{
	*err = 0;
	return arch_msi_check(a, d, vector, err, len);
}

Test(arch_msi, check_accepts_fixed_lowest_and_nmi_messages_and_returns_their_vector)
{
	char err[256];
	int v = 0;
	cr_assert_eq(check(0xfee01000ull, 0x41, &v, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(v, 0x41);
	cr_assert_eq(check(0xfeeffff0ull, 0x1ff, &v, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(v, 0xff);
	cr_assert_eq(check(0xfee00000ull, 0x400, &v, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(v, -1, "an NMI carries no vector to check");
}

Test(arch_msi, check_refuses_other_addresses_modes_level_trigger_and_reserved_bits)
{
	char err[256];
	int v;
	cr_assert_eq(check(0xfed00000ull, 0x41, &v, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "address 0xfed00000 is not an x86 MSI address "
			 "(0xfee00000-0xfeeffff0, bits 1:0 zero)");
	cr_assert_eq(check(0xfee00001ull, 0x41, &v, err, sizeof(err)), -1);
	cr_assert_eq(check(0x1fee00000ull, 0x41, &v, err, sizeof(err)), -1);
	cr_assert_eq(check(0xfee00000ull, 0x541, &v, err, sizeof(err)), -1, "INIT");
	cr_assert_str_eq(err, "delivery mode 5 in data 0x541: only fixed (0), lowest priority (1) "
			 "and NMI (4) may be injected");
	cr_assert_eq(check(0xfee00000ull, 0x241, &v, err, sizeof(err)), -1, "SMI");
	cr_assert_eq(check(0xfee00000ull, 0x8041, &v, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "level-triggered MSIs (data bit 15) are not supported");
	cr_assert_eq(check(0xfee00000ull, 0x10041, &v, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "data 0x10041 has reserved bits 31:16 set");
}

#endif
