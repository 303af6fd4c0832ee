/* SPDX-License-Identifier: MIT */
/*
 * x86 page-table walker (Intel SDM vol 3, chapter 4). See pagewalk.h.
 *
 * Paging-structure entries are read as 8-byte little-endian values through
 * the memory callbacks; the host is little-endian (x86-64 or riscv64).
 */
#include "vmm/arch/x86/pagewalk.h"

#define PAGE_SIZE_4K		4096ULL
#define ENTRIES_PER_TABLE	512
#define MAX_LEVELS		5

/* Bits 51:12 hold the next table's / page's physical address. */
#define ADDR_MASK_51_12		0x000ffffffffff000ULL
/* Reserved in a 1G-page PDPTE (bits 29:13) and a 2M-page PDE (bits 20:13). */
#define RSVD_1G_PAGE		0x000000003fffe000ULL
#define RSVD_2M_PAGE		0x00000000001fe000ULL

static unsigned linear_address_bits(const struct walk_request *req)
{
	return (req->cr4 & X86_CR4_LA57) ? 57 : 48;
}

bool x86_is_canonical(const struct walk_request *req, uint64_t gva)
{
	unsigned bits;
	int64_t sext;

	/* Canonical form only exists in IA-32e mode (SDM vol 1, 3.3.7.1). */
	if (!(req->efer & X86_EFER_LMA))
		return true;
	bits = linear_address_bits(req);
	sext = (int64_t)(gva << (64 - bits)) >> (64 - bits);
	return (uint64_t)sext == gva;
}

const char *x86_walk_result_name(enum walk_result r)
{
	switch (r) {
	case WALK_OK:			return "ok";
	case WALK_NOT_PRESENT:		return "not present";
	case WALK_PROTECTION:		return "protection violation";
	case WALK_RESERVED_BIT:		return "reserved bit set";
	case WALK_BAD_GPA:		return "not guest RAM";
	case WALK_NON_CANONICAL:	return "non-canonical address";
	case WALK_UNSUPPORTED_MODE:	return "unsupported paging mode";
	}
	return "?";
}

/* Bits 51:MAXPHYADDR of any entry are reserved (SDM vol 3, 4.5.4). */
static uint64_t reserved_address_bits(const struct walk_request *req)
{
	unsigned m = req->phys_addr_bits;

	if (m == 0 || m >= 52)
		return 0;
	if (m < 12)
		m = 12;
	return ADDR_MASK_51_12 & ~((1ULL << m) - 1);
}

/* Error code bits that describe the access itself, whatever the fault. */
static uint32_t access_error_bits(const struct walk_request *req)
{
	uint32_t err = 0;

	if (req->write)
		err |= X86_PF_W;
	if (req->cpl == 3)
		err |= X86_PF_U;
	/* I/D is reported only when NX or SMEP can make fetches fault (4.7). */
	if (req->fetch &&
	    ((req->efer & X86_EFER_NXE) || (req->cr4 & X86_CR4_SMEP)))
		err |= X86_PF_I;
	return err;
}

/*
 * Access rights of the whole walk (SDM vol 3, 4.6): a page is writable /
 * user / executable only if every level allows it.
 */
static bool access_allowed(const struct walk_request *req, bool all_writable,
			   bool all_user, bool any_no_exec)
{
	bool wp = req->cr0 & X86_CR0_WP;

	if (req->cpl == 3) {
		if (!all_user)
			return false;
		if (req->fetch)
			return !any_no_exec;
		return !req->write || all_writable;
	}

	if (req->fetch) {
		if (any_no_exec)
			return false;
		return !(all_user && (req->cr4 & X86_CR4_SMEP));
	}
	if (all_user && (req->cr4 & X86_CR4_SMAP) && !req->ac)
		return false;
	/* With CR0.WP=0 supervisor writes ignore R/W (4.6.1). */
	return !req->write || all_writable || !wp;
}

struct walk_trace {
	unsigned count;
	uint64_t entry_gpa[MAX_LEVELS];
	uint64_t entry[MAX_LEVELS];
};

/*
 * Set A in every entry used and D in the leaf for a write (4.8). The CPU
 * does this with locked operations; here it is a plain read-modify-write,
 * so a vCPU racing on the same entry could lose an update of the other
 * bits. The VMM only calls this while the faulting vCPU is stopped, and
 * guests do not edit live kernel mappings of their IDT/stack concurrently.
 */
static enum walk_result set_accessed_dirty(const struct guest_memory_ops *mem,
					   const struct walk_trace *t, bool write)
{
	for (unsigned i = 0; i < t->count; i++) {
		uint64_t want = X86_PTE_A;
		uint64_t e = t->entry[i];

		if (write && i == t->count - 1)
			want |= X86_PTE_D;
		if ((e & want) == want)
			continue;
		e |= want;
		if (mem->write(mem->opaque, t->entry_gpa[i], &e, sizeof(e)))
			return WALK_BAD_GPA;
	}
	return WALK_OK;
}

enum walk_result x86_translate(const struct guest_memory_ops *mem,
			       const struct walk_request *req, uint64_t gva,
			       uint64_t *gpa, uint32_t *pf_error_code)
{
	uint64_t scratch_gpa;
	uint32_t scratch_err;
	uint64_t rsvd_common, table, phys = 0;
	uint32_t access_err;
	bool nxe = req->efer & X86_EFER_NXE;
	bool all_writable = true, all_user = true, any_no_exec = false;
	struct walk_trace trace = { .count = 0 };
	unsigned levels;

	if (!gpa)
		gpa = &scratch_gpa;
	if (!pf_error_code)
		pf_error_code = &scratch_err;
	*pf_error_code = 0;

	if (!(req->cr0 & X86_CR0_PG)) {
		/* No paging: linear addresses are 32 bits wide and map 1:1. */
		*gpa = gva & 0xffffffffULL;
		return WALK_OK;
	}
	if (!(req->efer & X86_EFER_LMA) || !(req->cr4 & X86_CR4_PAE))
		return WALK_UNSUPPORTED_MODE;
	if (!x86_is_canonical(req, gva))
		return WALK_NON_CANONICAL;

	levels = (req->cr4 & X86_CR4_LA57) ? 5 : 4;
	access_err = access_error_bits(req);
	rsvd_common = reserved_address_bits(req);
	if (!nxe)
		rsvd_common |= X86_PTE_XD;
	/* CR3 bits 11:0 are flags or the PCID, not address bits. */
	table = req->cr3 & ADDR_MASK_51_12;

	for (unsigned level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t index = (gva >> shift) & (ENTRIES_PER_TABLE - 1);
		uint64_t entry_gpa = table + index * 8;
		uint64_t rsvd = rsvd_common;
		uint64_t e;
		bool leaf;

		if (mem->read(mem->opaque, entry_gpa, &e, sizeof(e)))
			return WALK_BAD_GPA;
		if (!(e & X86_PTE_P)) {
			*pf_error_code = access_err;
			return WALK_NOT_PRESENT;
		}

		leaf = level == 1 ||
		       ((level == 2 || level == 3) && (e & X86_PTE_PS));
		if (level >= 4)
			rsvd |= X86_PTE_PS;	/* no pages at PML4/PML5 */
		else if (leaf && level == 3)
			rsvd |= RSVD_1G_PAGE;
		else if (leaf && level == 2)
			rsvd |= RSVD_2M_PAGE;
		if (e & rsvd) {
			*pf_error_code = access_err | X86_PF_P | X86_PF_RSVD;
			return WALK_RESERVED_BIT;
		}

		trace.entry_gpa[trace.count] = entry_gpa;
		trace.entry[trace.count] = e;
		trace.count++;
		all_writable = all_writable && (e & X86_PTE_W);
		all_user = all_user && (e & X86_PTE_U);
		any_no_exec = any_no_exec || (nxe && (e & X86_PTE_XD));

		if (leaf) {
			uint64_t offset_mask = (1ULL << shift) - 1;

			phys = (e & ADDR_MASK_51_12 & ~offset_mask) |
			       (gva & offset_mask);
			break;
		}
		table = e & ADDR_MASK_51_12;
	}

	if (!access_allowed(req, all_writable, all_user, any_no_exec)) {
		*pf_error_code = access_err | X86_PF_P;
		return WALK_PROTECTION;
	}
	if (req->set_accessed) {
		enum walk_result r = set_accessed_dirty(mem, &trace, req->write);

		if (r != WALK_OK)
			return r;
	}
	*gpa = phys;
	return WALK_OK;
}

static void report_fault(struct walk_fault *fault, uint64_t addr, uint32_t err)
{
	if (fault) {
		fault->fault_addr = addr;
		fault->pf_error_code = err;
	}
}

/* Bytes from gva up to the end of its 4K page, capped at len. */
static size_t chunk_in_page(uint64_t gva, size_t len)
{
	uint64_t room = PAGE_SIZE_4K - (gva & (PAGE_SIZE_4K - 1));

	return len < room ? len : (size_t)room;
}

enum walk_result x86_read_virt(const struct guest_memory_ops *mem,
			       const struct walk_request *req, uint64_t gva,
			       void *buf, size_t len, struct walk_fault *fault)
{
	struct walk_request r = *req;
	uint8_t *out = buf;

	r.write = false;
	r.fetch = false;
	report_fault(fault, 0, 0);
	while (len) {
		size_t n = chunk_in_page(gva, len);
		uint64_t gpa;
		uint32_t err;
		enum walk_result res = x86_translate(mem, &r, gva, &gpa, &err);

		if (res == WALK_OK && mem->read(mem->opaque, gpa, out, n))
			res = WALK_BAD_GPA;
		if (res != WALK_OK) {
			report_fault(fault, gva, err);
			return res;
		}
		out += n;
		gva += n;
		len -= n;
	}
	return WALK_OK;
}

enum walk_result x86_write_virt(const struct guest_memory_ops *mem,
				const struct walk_request *req, uint64_t gva,
				const void *buf, size_t len,
				struct walk_fault *fault)
{
	struct walk_request probe = *req;
	struct walk_request r = *req;
	const uint8_t *in = buf;
	uint64_t addr = gva;
	size_t left = len;

	probe.write = true;
	probe.fetch = false;
	probe.set_accessed = false;
	r.write = true;
	r.fetch = false;
	report_fault(fault, 0, 0);

	/* Pass 1: every page must be writable before anything changes. */
	while (left) {
		size_t n = chunk_in_page(addr, left);
		uint32_t err;
		enum walk_result res = x86_translate(mem, &probe, addr, NULL, &err);

		if (res != WALK_OK) {
			report_fault(fault, addr, err);
			return res;
		}
		addr += n;
		left -= n;
	}

	/* Pass 2: set A/D as asked and copy. */
	addr = gva;
	left = len;
	while (left) {
		size_t n = chunk_in_page(addr, left);
		uint64_t gpa;
		uint32_t err;
		enum walk_result res = x86_translate(mem, &r, addr, &gpa, &err);

		if (res == WALK_OK && mem->write(mem->opaque, gpa, in, n))
			res = WALK_BAD_GPA;
		if (res != WALK_OK) {
			report_fault(fault, addr, err);
			return res;
		}
		in += n;
		addr += n;
		left -= n;
	}
	return WALK_OK;
}
