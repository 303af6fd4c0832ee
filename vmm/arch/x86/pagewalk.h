/* SPDX-License-Identifier: MIT */
/*
 * Software walk of the guest's x86 page tables, so the VMM can reach guest
 * memory by linear address (e.g. the IDT, GDT, TSS and kernel stack when it
 * delivers an `int n` that KVM's emulator could not run).
 *
 * Pure code: guest-physical memory is reached only through the
 * guest_memory_ops callbacks, and nothing here touches KVM.
 *
 * Supported: paging off (linear = physical), IA-32e 4-level paging and
 * 5-level paging (CR4.LA57), with 4K, 2M and 1G pages; CR0.WP, U/S against
 * the given CPL, NX (EFER.NXE), CR4.SMEP, CR4.SMAP and reserved-bit checks;
 * accessed/dirty updates. Intel SDM vol 3, chapter 4 ("Paging").
 *
 * Not supported (reported as WALK_UNSUPPORTED_MODE): legacy 32-bit paging
 * and PAE paging outside long mode. Protection keys (CR4.PKE) are ignored.
 */
#ifndef IRQVM_X86_PAGEWALK_H
#define IRQVM_X86_PAGEWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control-register and EFER bits the walker looks at (SDM vol 3, 2.5). */
#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_WP	(1ULL << 16)
#define X86_CR0_PG	(1ULL << 31)
#define X86_CR4_PAE	(1ULL << 5)
#define X86_CR4_LA57	(1ULL << 12)
#define X86_CR4_SMEP	(1ULL << 20)
#define X86_CR4_SMAP	(1ULL << 21)
#define X86_EFER_LME	(1ULL << 8)
#define X86_EFER_LMA	(1ULL << 10)
#define X86_EFER_NXE	(1ULL << 11)

/* Paging-structure entry bits (SDM vol 3, 4.5). */
#define X86_PTE_P	(1ULL << 0)
#define X86_PTE_W	(1ULL << 1)
#define X86_PTE_U	(1ULL << 2)
#define X86_PTE_A	(1ULL << 5)
#define X86_PTE_D	(1ULL << 6)
#define X86_PTE_PS	(1ULL << 7)
#define X86_PTE_XD	(1ULL << 63)

/* #PF error code bits (SDM vol 3, 4.7). */
#define X86_PF_P	(1U << 0)	/* 1: protection violation, 0: not present */
#define X86_PF_W	(1U << 1)	/* the access was a write */
#define X86_PF_U	(1U << 2)	/* the access was a user-mode (CPL3) access */
#define X86_PF_RSVD	(1U << 3)	/* a reserved bit was set in an entry */
#define X86_PF_I	(1U << 4)	/* instruction fetch (only with NXE or SMEP) */

struct guest_memory_ops {
	/* copy len bytes at guest-physical gpa; return 0 or -1 if not RAM */
	int (*read)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
	void *opaque;
};

enum walk_result {
	WALK_OK,
	WALK_NOT_PRESENT,	/* #PF, error code P=0 */
	WALK_PROTECTION,	/* #PF, error code P=1 */
	WALK_RESERVED_BIT,	/* #PF, error code P=1 RSVD=1 */
	WALK_BAD_GPA,		/* a paging structure (or the data) is not RAM */
	WALK_NON_CANONICAL,	/* the CPU raises #GP/#SS, not #PF */
	WALK_UNSUPPORTED_MODE,	/* 32-bit or non-long-mode PAE paging */
};

struct walk_request {
	uint64_t cr0, cr3, cr4, efer;
	unsigned cpl;		/* 3 = user-mode access; 0-2 = supervisor */
	bool write, fetch;
	bool set_accessed;	/* set A (and D for writes) when access is ok */
	/*
	 * RFLAGS.AC of an explicit supervisor data access: with CR4.SMAP it
	 * lets CPL0-2 touch user pages. Leave false for implicit accesses to
	 * system structures (IDT, GDT, TSS), which SMAP always checks.
	 */
	bool ac;
	/* Guest MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); 0 means 52. */
	unsigned phys_addr_bits;
};

/*
 * Translate one linear address. On WALK_OK *gpa holds the physical address.
 * On WALK_NOT_PRESENT, WALK_PROTECTION and WALK_RESERVED_BIT the guest must
 * get #PF with CR2 = gva and *pf_error_code; otherwise *pf_error_code is 0.
 * Either output pointer may be NULL.
 */
enum walk_result x86_translate(const struct guest_memory_ops *mem,
			       const struct walk_request *req, uint64_t gva,
			       uint64_t *gpa, uint32_t *pf_error_code);

/*
 * Where a multi-page access stopped: fault_addr is the first linear address
 * that did not translate (what the CPU puts in CR2), pf_error_code as above.
 */
struct walk_fault {
	uint64_t fault_addr;
	uint32_t pf_error_code;
};

/*
 * Copy len bytes from / to the linear range starting at gva, which may
 * cross pages (and wraps at 2^64 like the CPU's linear address space).
 * req supplies the paging state and privilege; its write/fetch flags are
 * ignored (a read is a data read, a write a data write).
 *
 * x86_write_virt translates every page of the range before it writes any
 * byte, so a page fault leaves guest memory (including A/D bits) untouched;
 * only WALK_BAD_GPA (a page mapped to something that is not RAM) can stop
 * it part-way.
 * x86_read_virt may set A bits of the pages before a faulting one, which
 * matches what the CPU may do. fault may be NULL.
 */
enum walk_result x86_read_virt(const struct guest_memory_ops *mem,
			       const struct walk_request *req, uint64_t gva,
			       void *buf, size_t len, struct walk_fault *fault);
enum walk_result x86_write_virt(const struct guest_memory_ops *mem,
				const struct walk_request *req, uint64_t gva,
				const void *buf, size_t len,
				struct walk_fault *fault);

/* true if gva is canonical for the paging mode in req (48 or 57 bits). */
bool x86_is_canonical(const struct walk_request *req, uint64_t gva);

/* Short name of a walk result, for messages. */
const char *x86_walk_result_name(enum walk_result r);

#endif /* IRQVM_X86_PAGEWALK_H */
