/* SPDX-License-Identifier: MIT */
/*
 * Host platform classifier (host_platform.h). Pure: facts in, verdict out.
 *
 * Which module provides /dev/kvm. The presence of /sys/module/kvm_pvm is not
 * proof: a kernel that is itself a kvm-pvm guest keeps kvm_pvm (built in,
 * with its parameters in sysfs) but does not bind it, and has no /dev/kvm
 * (the development machine of 2026-12-06). The facts used, strongest first:
 *  1. KVM makes the vendor module the owner of /dev/kvm's file operations
 *     (kvm_init(..., THIS_MODULE)), so while irqvm holds /dev/kvm open the
 *     providing module's refcnt is at least 1. A modular vendor module with
 *     refcnt 0 at that moment cannot be the provider.
 *  2. Otherwise (built-in modules have no refcnt file) the provider is the
 *     only vendor module present that was not ruled out by 1.
 *  3. Two candidates left: unknown, said so; nothing is guessed.
 * This classifier is only asked once /dev/kvm was opened and answered KVM
 * ioctls, so "no /dev/kvm" never reaches it.
 */
#include "vmm/arch/x86/host_platform.h"

#include <stdio.h>
#include <string.h>

static const char *const module_names[HOST_NR_VENDOR_MODULES] = {
	[HOST_MOD_KVM_AMD] = "kvm_amd",
	[HOST_MOD_KVM_INTEL] = "kvm_intel",
	[HOST_MOD_KVM_PVM] = "kvm_pvm",
};

static const uint32_t module_abi[HOST_NR_VENDOR_MODULES] = {
	[HOST_MOD_KVM_AMD] = IRQVM_KVM_MODULE_AMD,
	[HOST_MOD_KVM_INTEL] = IRQVM_KVM_MODULE_INTEL,
	[HOST_MOD_KVM_PVM] = IRQVM_KVM_MODULE_PVM,
};

const char *host_vendor_module_name(enum host_vendor_module m)
{
	return (unsigned)m < HOST_NR_VENDOR_MODULES ? module_names[m] : "?";
}

/* Returns the providing module (HOST_MOD_*) or -1; explains in why. */
static int providing_module(const struct host_facts *f, char *why, size_t len)
{
	int pinned = -1, nr_pinned = 0, candidate = -1, nr_candidates = 0;
	for (int m = 0; m < HOST_NR_VENDOR_MODULES; m++) {
		const struct host_module_fact *mf = &f->mod[m];
		if (!mf->present)
			continue;
		if (mf->refcnt > 0) {
			pinned = m;
			nr_pinned++;
		}
		if (mf->refcnt != 0) { /* refcnt 0: loaded, unused while we hold /dev/kvm */
			candidate = m;
			nr_candidates++;
		}
	}
	if (nr_pinned == 1) {
		snprintf(why, len, "%s is held by irqvm's open /dev/kvm (refcnt %d)",
			 module_names[pinned], f->mod[pinned].refcnt);
		return pinned;
	}
	if (nr_candidates == 1) {
		snprintf(why, len, "%s is the only vendor module that can provide /dev/kvm here",
			 module_names[candidate]);
		return candidate;
	}
	if (nr_candidates == 0)
		snprintf(why, len, "no kvm_amd, kvm_intel or kvm_pvm in /sys/module (unused ones "
			 "excluded)");
	else
		snprintf(why, len, "%d vendor modules could provide /dev/kvm and none is known to "
			 "hold it", nr_candidates);
	return -1;
}

static const struct {
	const char sig[12];
	uint32_t platform;
	const char *under;
} signatures[] = {
	{ { 'K', 'V', 'M', 'K', 'V', 'M', 'K', 'V', 'M', 0, 0, 0 }, IRQVM_PLATFORM_NESTED_KVM, "KVM" },
	{ { 'T', 'C', 'G', 'T', 'C', 'G', 'T', 'C', 'G', 'T', 'C', 'G' }, IRQVM_PLATFORM_NESTED_TCG,
	  "QEMU TCG" },
	{ { 'M', 'i', 'c', 'r', 'o', 's', 'o', 'f', 't', ' ', 'H', 'v' },
	  IRQVM_PLATFORM_NESTED_HYPERV, "Hyper-V" },
	{ { 'V', 'M', 'w', 'a', 'r', 'e', 'V', 'M', 'w', 'a', 'r', 'e' },
	  IRQVM_PLATFORM_NESTED_VMWARE, "VMware" },
};

/* The signature for a message: printable bytes, others as '.'. */
static void printable_signature(const char sig[12], char out[13])
{
	for (int i = 0; i < 12; i++)
		out[i] = (sig[i] >= 0x20 && sig[i] < 0x7f) ? sig[i] : '.';
	out[12] = '\0';
}

static void probe_note(const struct host_facts *f, const struct host_platform *p, char *note,
		       size_t len)
{
	const bool pvm = p->platform == IRQVM_PLATFORM_NESTED_PVM;
	note[0] = '\0';
	/* The probes do not decide the platform; they only show when the
	 * identity and the behaviour disagree, which deserves a look. */
	if (!pvm && f->cpl0_int_fails == HOST_PROBE_YES)
		snprintf(note, len, "KVM cannot run CPL0 int n here although /dev/kvm is not "
			 "kvm_pvm's");
	else if (pvm && f->cpl0_int_fails == HOST_PROBE_NO)
		snprintf(note, len, "kvm_pvm ran CPL0 int n itself (its emulator is known to lack it)");
	else if (!pvm && f->eoi_at_injection == HOST_PROBE_YES)
		snprintf(note, len, "KVM reports level EOIs at injection although /dev/kvm is not "
			 "kvm_pvm's");
}

void host_platform_classify(const struct host_facts *f, struct host_platform *out)
{
	memset(out, 0, sizeof(*out));
	if (f->hv_bit)
		printable_signature(f->hv_signature, out->signature);
	const int m = providing_module(f, out->module_why, sizeof(out->module_why));
	const char *mod = m >= 0 ? module_names[m] : "unknown module";
	out->module = m >= 0 ? module_abi[m] : IRQVM_KVM_MODULE_UNKNOWN;

	if (m == HOST_MOD_KVM_PVM) {
		/* Whatever runs below it, a PVM KVM has PVM's quirks. */
		out->platform = IRQVM_PLATFORM_NESTED_PVM;
		snprintf(out->name, sizeof(out->name), "nested PVM KVM");
	} else if (!f->hv_bit) {
		/* Without the hypervisor bit, leaf 0x40000000 is not defined (Intel
		 * returns the highest basic leaf's data there): ignore it. */
		out->platform = IRQVM_PLATFORM_BARE_METAL;
		snprintf(out->name, sizeof(out->name), "bare-metal KVM (%s)", mod);
	} else {
		out->platform = IRQVM_PLATFORM_NESTED_OTHER;
		for (size_t i = 0; i < sizeof(signatures) / sizeof(signatures[0]); i++) {
			if (memcmp(f->hv_signature, signatures[i].sig, 12) == 0) {
				out->platform = signatures[i].platform;
				snprintf(out->name, sizeof(out->name), "nested KVM under %s (%s)",
					 signatures[i].under, mod);
			}
		}
		if (out->platform == IRQVM_PLATFORM_NESTED_OTHER)
			snprintf(out->name, sizeof(out->name),
				 "nested KVM under another hypervisor (%s)", mod);
	}
	probe_note(f, out, out->note, sizeof(out->note));
}
