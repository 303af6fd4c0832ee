/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the x86 page-table walker: page tables are built in a
 * fake guest RAM buffer and translated through the public interface.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/arch/x86/pagewalk.h"

#define PW_RAM_SIZE	(4u << 20)
#define PW_CR3		0x1000ULL
#define PW_TABLE_POOL	0x2000ULL	/* paging structures are allocated from here */
#define PW_TABLE_FLAGS	(X86_PTE_P | X86_PTE_W | X86_PTE_U)
#define PW_DATA_FLAGS	(X86_PTE_P | X86_PTE_W)

struct pw_ram {
	uint8_t *bytes;
	uint64_t next_table;
	unsigned writes;
};

static struct pw_ram pw;
static struct guest_memory_ops pw_mem;

static int pw_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct pw_ram *r = opaque;

	if (gpa >= PW_RAM_SIZE || len > PW_RAM_SIZE - gpa)
		return -1;
	memcpy(buf, r->bytes + gpa, len);
	return 0;
}

static int pw_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct pw_ram *r = opaque;

	if (gpa >= PW_RAM_SIZE || len > PW_RAM_SIZE - gpa)
		return -1;
	memcpy(r->bytes + gpa, buf, len);
	r->writes++;
	return 0;
}

static void pw_setup(void)
{
	pw.bytes = calloc(1, PW_RAM_SIZE);
	cr_assert_not_null(pw.bytes);
	pw.next_table = PW_TABLE_POOL;
	pw.writes = 0;
	pw_mem = (struct guest_memory_ops){
		.read = pw_read, .write = pw_write, .opaque = &pw,
	};
}

static void pw_teardown(void)
{
	free(pw.bytes);
}

static uint64_t pw_get(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, pw.bytes + gpa, sizeof(v));
	return v;
}

static void pw_put(uint64_t gpa, uint64_t v)
{
	memcpy(pw.bytes + gpa, &v, sizeof(v));
}

static uint64_t pw_alloc_table(void)
{
	uint64_t t = pw.next_table;

	pw.next_table += 0x1000;
	cr_assert_lt(pw.next_table, 0x100000, "table pool exhausted");
	return t;
}

/* Address of the entry for gva at level (5..1) under table root. */
static uint64_t pw_entry_addr(uint64_t table, uint64_t gva, unsigned level)
{
	return table + ((gva >> (12 + 9 * (level - 1))) & 511) * 8;
}

/*
 * Map gva -> gpa with a leaf at leaf_level (1 = 4K, 2 = 2M, 3 = 1G) in a
 * levels-deep hierarchy rooted at PW_CR3; missing tables get table_flags.
 * Returns the leaf entry's address.
 */
static uint64_t pw_map_levels(unsigned levels, uint64_t gva, uint64_t gpa,
			      unsigned leaf_level, uint64_t leaf_flags,
			      uint64_t table_flags)
{
	uint64_t table = PW_CR3;

	for (unsigned level = levels; level > leaf_level; level--) {
		uint64_t ea = pw_entry_addr(table, gva, level);
		uint64_t e = pw_get(ea);

		if (!(e & X86_PTE_P)) {
			e = pw_alloc_table() | table_flags;
			pw_put(ea, e);
		}
		table = e & 0x000ffffffffff000ULL;
	}
	uint64_t leaf = pw_entry_addr(table, gva, leaf_level);

	pw_put(leaf, gpa | leaf_flags | (leaf_level > 1 ? X86_PTE_PS : 0));
	return leaf;
}

static uint64_t pw_map(uint64_t gva, uint64_t gpa, unsigned leaf_level,
		       uint64_t leaf_flags)
{
	return pw_map_levels(4, gva, gpa, leaf_level, leaf_flags,
			     PW_TABLE_FLAGS);
}

/* Entry address at a given level of an existing 4-level mapping. */
static uint64_t pw_walk_entry(uint64_t gva, unsigned level)
{
	uint64_t table = PW_CR3;

	for (unsigned l = 4; l > level; l--)
		table = pw_get(pw_entry_addr(table, gva, l)) & 0x000ffffffffff000ULL;
	return pw_entry_addr(table, gva, level);
}

static struct walk_request pw_req(void)
{
	return (struct walk_request){
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
		.cr3 = PW_CR3,
		.cr4 = X86_CR4_PAE,
		.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE,
		.cpl = 0,
	};
}

static enum walk_result pw_translate(const struct walk_request *req,
				     uint64_t gva, uint64_t *gpa, uint32_t *err)
{
	return x86_translate(&pw_mem, req, gva, gpa, err);
}

TestSuite(pagewalk, .init = pw_setup, .fini = pw_teardown);

Test(pagewalk, paging_disabled_maps_linear_to_physical)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;
	uint32_t err = 123;

	req.cr0 = X86_CR0_PE;
	req.efer = 0;
	cr_assert_eq(pw_translate(&req, 0x12345, &gpa, &err), WALK_OK);
	cr_assert_eq(gpa, 0x12345);
	cr_assert_eq(err, 0);
}

Test(pagewalk, paging_disabled_truncates_to_32_bits)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;

	req.cr0 = X86_CR0_PE;
	req.efer = 0;
	cr_assert_eq(pw_translate(&req, 0x100001234ULL, &gpa, NULL), WALK_OK);
	cr_assert_eq(gpa, 0x1234);
}

Test(pagewalk, translates_4k_page_with_offset)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	cr_assert_eq(pw_translate(&req, 0x400abc, &gpa, NULL), WALK_OK);
	cr_assert_eq(gpa, 0x123abc);
}

Test(pagewalk, translates_2m_page_with_offset)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;

	pw_map(0x40000000, 0x200000, 2, PW_DATA_FLAGS);
	cr_assert_eq(pw_translate(&req, 0x40012345, &gpa, NULL), WALK_OK);
	cr_assert_eq(gpa, 0x212345);
}

Test(pagewalk, translates_1g_page_with_offset)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;

	pw_map(0xffffffffc0000000ULL, 0x40000000, 3, PW_DATA_FLAGS);
	cr_assert_eq(pw_translate(&req, 0xffffffffc0abcdefULL, &gpa, NULL),
		     WALK_OK);
	cr_assert_eq(gpa, 0x40abcdef);
}

Test(pagewalk, high_half_address_uses_upper_pml4_slot)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;

	pw_map(0xffff800000001000ULL, 0x7000, 1, PW_DATA_FLAGS);
	cr_assert_eq(pw_translate(&req, 0xffff800000001008ULL, &gpa, NULL),
		     WALK_OK);
	cr_assert_eq(gpa, 0x7008);
	cr_assert_eq(pw_translate(&req, 0x0000000000001008ULL, &gpa, NULL),
		     WALK_NOT_PRESENT);
}

Test(pagewalk, empty_pml4_is_not_present)
{
	struct walk_request req = pw_req();
	uint32_t err = 0xff;

	cr_assert_eq(pw_translate(&req, 0x400000, NULL, &err), WALK_NOT_PRESENT);
	cr_assert_eq(err, 0);
}

Test(pagewalk, missing_pdpte_is_not_present)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	pw_put(pw_walk_entry(0x400000, 3), 0);
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_NOT_PRESENT);
}

Test(pagewalk, missing_pde_is_not_present)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	pw_put(pw_walk_entry(0x400000, 2), 0);
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_NOT_PRESENT);
}

Test(pagewalk, missing_pte_reports_write_and_user_in_error_code)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	req.write = true;
	req.cpl = 3;
	cr_assert_eq(pw_translate(&req, 0x401000, NULL, &err), WALK_NOT_PRESENT);
	cr_assert_eq(err, X86_PF_W | X86_PF_U);
}

Test(pagewalk, supervisor_write_to_readonly_page_faults_with_cr0_wp)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x400000, 0x123000, 1, X86_PTE_P);
	req.write = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, &err), WALK_PROTECTION);
	cr_assert_eq(err, X86_PF_P | X86_PF_W);
}

Test(pagewalk, supervisor_write_to_readonly_page_allowed_without_cr0_wp)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;

	pw_map(0x400000, 0x123000, 1, X86_PTE_P);
	req.write = true;
	req.cr0 &= ~X86_CR0_WP;
	cr_assert_eq(pw_translate(&req, 0x400000, &gpa, NULL), WALK_OK);
	cr_assert_eq(gpa, 0x123000);
}

Test(pagewalk, user_write_to_readonly_page_faults_even_without_cr0_wp)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x400000, 0x123000, 1, X86_PTE_P | X86_PTE_U);
	req.write = true;
	req.cpl = 3;
	req.cr0 &= ~X86_CR0_WP;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, &err), WALK_PROTECTION);
	cr_assert_eq(err, X86_PF_P | X86_PF_W | X86_PF_U);
}

Test(pagewalk, readonly_upper_level_makes_whole_range_readonly)
{
	struct walk_request req = pw_req();

	pw_map_levels(4, 0x400000, 0x123000, 1, PW_DATA_FLAGS,
		      X86_PTE_P | X86_PTE_U);
	req.write = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_PROTECTION);
	req.write = false;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
}

Test(pagewalk, user_read_of_supervisor_page_faults)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);	/* leaf U=0 */
	req.cpl = 3;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, &err), WALK_PROTECTION);
	cr_assert_eq(err, X86_PF_P | X86_PF_U);
}

Test(pagewalk, user_access_blocked_by_supervisor_upper_level)
{
	struct walk_request req = pw_req();

	pw_map_levels(4, 0x400000, 0x123000, 1, PW_DATA_FLAGS | X86_PTE_U,
		      X86_PTE_P | X86_PTE_W);
	req.cpl = 3;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_PROTECTION);
}

Test(pagewalk, user_read_and_write_of_user_page_succeed)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS | X86_PTE_U);
	req.cpl = 3;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
	req.write = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
}

Test(pagewalk, fetch_from_nx_page_faults_with_id_bit)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS | X86_PTE_XD);
	req.fetch = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, &err), WALK_PROTECTION);
	cr_assert_eq(err, X86_PF_P | X86_PF_I);
	req.fetch = false;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
}

Test(pagewalk, nx_in_upper_level_blocks_fetch)
{
	struct walk_request req = pw_req();

	pw_map_levels(4, 0x400000, 0x123000, 1, PW_DATA_FLAGS,
		      PW_TABLE_FLAGS | X86_PTE_XD);
	req.fetch = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_PROTECTION);
}

Test(pagewalk, fetch_from_executable_page_succeeds)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, X86_PTE_P);
	req.fetch = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
}

Test(pagewalk, xd_bit_is_reserved_without_efer_nxe)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS | X86_PTE_XD);
	req.efer &= ~X86_EFER_NXE;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, &err), WALK_RESERVED_BIT);
	cr_assert_eq(err, X86_PF_P | X86_PF_RSVD);
}

Test(pagewalk, reserved_bits_in_2m_pde_fault)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x40000000, 0x200000 | 0x2000, 2, PW_DATA_FLAGS);
	req.write = true;
	cr_assert_eq(pw_translate(&req, 0x40000000, NULL, &err),
		     WALK_RESERVED_BIT);
	cr_assert_eq(err, X86_PF_P | X86_PF_RSVD | X86_PF_W);
}

Test(pagewalk, ps_bit_in_pml4e_is_reserved)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	pw_put(pw_walk_entry(0x400000, 4),
	       pw_get(pw_walk_entry(0x400000, 4)) | X86_PTE_PS);
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_RESERVED_BIT);
}

Test(pagewalk, address_bits_above_maxphyaddr_are_reserved)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000ULL | (1ULL << 40), 1, PW_DATA_FLAGS);
	req.phys_addr_bits = 39;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_RESERVED_BIT);
	req.phys_addr_bits = 46;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
}

Test(pagewalk, smep_blocks_supervisor_fetch_from_user_page)
{
	struct walk_request req = pw_req();
	uint32_t err = 0;

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS | X86_PTE_U);
	req.fetch = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
	req.cr4 |= X86_CR4_SMEP;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, &err), WALK_PROTECTION);
	cr_assert_eq(err, X86_PF_P | X86_PF_I);
}

Test(pagewalk, smap_blocks_supervisor_data_access_to_user_page_unless_ac)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS | X86_PTE_U);
	req.cr4 |= X86_CR4_SMAP;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_PROTECTION);
	req.ac = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
}

Test(pagewalk, sets_accessed_on_every_level_but_not_dirty_on_read)
{
	struct walk_request req = pw_req();
	uint64_t leaf = pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);

	req.set_accessed = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
	for (unsigned level = 4; level >= 1; level--)
		cr_assert(pw_get(pw_walk_entry(0x400000, level)) & X86_PTE_A,
			  "A not set at level %u", level);
	cr_assert_eq(pw_get(leaf) & X86_PTE_D, 0);
}

Test(pagewalk, write_sets_dirty_only_in_leaf)
{
	struct walk_request req = pw_req();
	uint64_t leaf = pw_map(0x40000000, 0x200000, 2, PW_DATA_FLAGS);

	req.set_accessed = true;
	req.write = true;
	cr_assert_eq(pw_translate(&req, 0x40000000, NULL, NULL), WALK_OK);
	cr_assert_eq(pw_get(leaf) & (X86_PTE_A | X86_PTE_D),
		     X86_PTE_A | X86_PTE_D);
	cr_assert_eq(pw_get(pw_walk_entry(0x40000000, 3)) & X86_PTE_D, 0);
	cr_assert(pw_get(pw_walk_entry(0x40000000, 3)) & X86_PTE_A);
}

Test(pagewalk, accessed_bits_untouched_unless_requested)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	pw.writes = 0;
	req.write = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
	cr_assert_eq(pw.writes, 0);
}

Test(pagewalk, accessed_bits_untouched_on_fault)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, X86_PTE_P);
	pw.writes = 0;
	req.write = true;
	req.set_accessed = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_PROTECTION);
	cr_assert_eq(pw.writes, 0);
}

Test(pagewalk, already_accessed_entries_are_not_rewritten)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	req.set_accessed = true;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
	pw.writes = 0;
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_OK);
	cr_assert_eq(pw.writes, 0);
}

Test(pagewalk, non_canonical_address_is_rejected)
{
	struct walk_request req = pw_req();

	cr_assert_eq(pw_translate(&req, 0x0000800000000000ULL, NULL, NULL),
		     WALK_NON_CANONICAL);
	cr_assert_not(x86_is_canonical(&req, 0xffff7fffffffffffULL));
	cr_assert(x86_is_canonical(&req, 0xffff800000000000ULL));
	cr_assert(x86_is_canonical(&req, 0x00007fffffffffffULL));
}

Test(pagewalk, five_level_paging_translates_57_bit_addresses)
{
	struct walk_request req = pw_req();
	uint64_t gva = 0x0080000000400000ULL;	/* needs bit 55 */
	uint64_t gpa = 0;

	req.cr4 |= X86_CR4_LA57;
	pw_map_levels(5, gva, 0x123000, 1, PW_DATA_FLAGS, PW_TABLE_FLAGS);
	cr_assert(x86_is_canonical(&req, gva));
	cr_assert_eq(pw_translate(&req, gva + 0x10, &gpa, NULL), WALK_OK);
	cr_assert_eq(gpa, 0x123010);
}

Test(pagewalk, pae_paging_outside_long_mode_is_unsupported)
{
	struct walk_request req = pw_req();

	req.efer = 0;
	cr_assert_eq(pw_translate(&req, 0x1000, NULL, NULL),
		     WALK_UNSUPPORTED_MODE);
}

Test(pagewalk, page_table_outside_ram_is_bad_gpa)
{
	struct walk_request req = pw_req();

	pw_put(pw_entry_addr(PW_CR3, 0x400000, 4),
	       0x80000000ULL | PW_TABLE_FLAGS);
	cr_assert_eq(pw_translate(&req, 0x400000, NULL, NULL), WALK_BAD_GPA);
}

Test(pagewalk, cr3_pcid_bits_are_ignored)
{
	struct walk_request req = pw_req();
	uint64_t gpa = 0;

	pw_map(0x400000, 0x123000, 1, PW_DATA_FLAGS);
	req.cr3 |= 0x5a5;
	cr_assert_eq(pw_translate(&req, 0x400000, &gpa, NULL), WALK_OK);
	cr_assert_eq(gpa, 0x123000);
}

Test(pagewalk, read_virt_crosses_into_discontiguous_page)
{
	struct walk_request req = pw_req();
	uint8_t buf[16];

	pw_map(0x400000, 0x150000, 1, PW_DATA_FLAGS);
	pw_map(0x401000, 0x120000, 1, PW_DATA_FLAGS);
	memcpy(pw.bytes + 0x150ff8, "ABCDEFGH", 8);
	memcpy(pw.bytes + 0x120000, "IJKLMNOP", 8);
	cr_assert_eq(x86_read_virt(&pw_mem, &req, 0x400ff8, buf, sizeof(buf),
				   NULL), WALK_OK);
	cr_assert_arr_eq(buf, "ABCDEFGHIJKLMNOP", 16);
}

Test(pagewalk, write_virt_crosses_into_discontiguous_page)
{
	struct walk_request req = pw_req();

	pw_map(0x400000, 0x150000, 1, PW_DATA_FLAGS);
	pw_map(0x401000, 0x120000, 1, PW_DATA_FLAGS);
	cr_assert_eq(x86_write_virt(&pw_mem, &req, 0x400ffc, "0123456789", 10,
				    NULL), WALK_OK);
	cr_assert_arr_eq(pw.bytes + 0x150ffc, "0123", 4);
	cr_assert_arr_eq(pw.bytes + 0x120000, "456789", 6);
}

Test(pagewalk, read_virt_reports_first_faulting_address)
{
	struct walk_request req = pw_req();
	struct walk_fault f;
	uint8_t buf[32];

	pw_map(0x400000, 0x150000, 1, PW_DATA_FLAGS);
	cr_assert_eq(x86_read_virt(&pw_mem, &req, 0x400ff0, buf, sizeof(buf),
				   &f), WALK_NOT_PRESENT);
	cr_assert_eq(f.fault_addr, 0x401000);
	cr_assert_eq(f.pf_error_code, 0);
}

Test(pagewalk, write_virt_fault_on_second_page_writes_nothing)
{
	struct walk_request req = pw_req();
	struct walk_fault f;
	uint64_t leaf;

	leaf = pw_map(0x400000, 0x150000, 1, PW_DATA_FLAGS);
	pw_map(0x401000, 0x120000, 1, X86_PTE_P);	/* read-only */
	req.set_accessed = true;
	pw.writes = 0;
	cr_assert_eq(x86_write_virt(&pw_mem, &req, 0x400ffc, "0123456789", 10,
				    &f), WALK_PROTECTION);
	cr_assert_eq(f.fault_addr, 0x401000);
	cr_assert_eq(f.pf_error_code, X86_PF_P | X86_PF_W);
	cr_assert_eq(pw.writes, 0);
	cr_assert_eq(pw_get(leaf) & (X86_PTE_A | X86_PTE_D), 0);
	cr_assert_eq(pw.bytes[0x150ffc], 0);
}

Test(pagewalk, write_virt_sets_dirty_on_each_page)
{
	struct walk_request req = pw_req();
	uint64_t a, b;

	a = pw_map(0x400000, 0x150000, 1, PW_DATA_FLAGS);
	b = pw_map(0x401000, 0x120000, 1, PW_DATA_FLAGS);
	req.set_accessed = true;
	cr_assert_eq(x86_write_virt(&pw_mem, &req, 0x400ffc, "01234567", 8,
				    NULL), WALK_OK);
	cr_assert(pw_get(a) & X86_PTE_D);
	cr_assert(pw_get(b) & X86_PTE_D);
}

Test(pagewalk, read_virt_of_unbacked_physical_page_is_bad_gpa)
{
	struct walk_request req = pw_req();
	struct walk_fault f;
	uint8_t buf[8];

	pw_map(0x400000, 0x7f000000, 1, PW_DATA_FLAGS);
	cr_assert_eq(x86_read_virt(&pw_mem, &req, 0x400010, buf, sizeof(buf),
				   &f), WALK_BAD_GPA);
	cr_assert_eq(f.fault_addr, 0x400010);
}
