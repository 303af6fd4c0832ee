/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the host platform classifier: CPUID signature, vendor
 * module facts and probe results -> platform, module and name. The facts
 * below are the ones of the test and development hosts (docs/architecture.md,
 * "Probing the host") plus the corner cases the rules exist for.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmm/arch/x86/host_platform.h"
#include "vmm/arch/x86/x86.h"

#define BUILT_IN -1

static struct host_facts facts(const char *sig)
{
	struct host_facts f = { .cpl0_int_fails = HOST_PROBE_UNKNOWN,
				.eoi_at_injection = HOST_PROBE_UNKNOWN };
	if (sig) {
		f.hv_bit = true;
		memcpy(f.hv_signature, sig, 12);
	}
	return f;
}

static void module(struct host_facts *f, enum host_vendor_module m, int refcnt)
{
	f->mod[m] = (struct host_module_fact){ .present = true, .refcnt = refcnt };
}

static struct host_platform classify(const struct host_facts *f)
{
	struct host_platform p;
	host_platform_classify(f, &p);
	return p;
}

Test(host_platform, bare_metal_amd)
{
	struct host_facts f = facts(NULL);
	module(&f, HOST_MOD_KVM_AMD, 3);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_BARE_METAL);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_AMD);
	cr_assert_str_eq(p.name, "bare-metal KVM (kvm_amd)");
	cr_assert_str_eq(p.note, "");
}

Test(host_platform, bare_metal_ignores_leaf_without_hv_bit)
{
	/* Intel answers leaf 0x40000000 with the highest basic leaf: garbage
	 * that must not be read as a signature when the hv bit is clear. */
	struct host_facts f = facts("TCGTCGTCGTCG");
	f.hv_bit = false;
	module(&f, HOST_MOD_KVM_INTEL, 1);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_BARE_METAL);
	cr_assert_str_eq(p.name, "bare-metal KVM (kvm_intel)");
	cr_assert_str_eq(p.signature, "", "no signature is read without the hv bit");
}

Test(host_platform, nested_under_qemu_tcg)
{
	/* The x86 test host: Debian kernel in qemu-system-x86_64 TCG, kvm_amd modular. */
	struct host_facts f = facts("TCGTCGTCGTCG");
	module(&f, HOST_MOD_KVM_AMD, 2);
	f.cpl0_int_fails = HOST_PROBE_NO;
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_TCG);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_AMD);
	cr_assert_str_eq(p.name, "nested KVM under QEMU TCG (kvm_amd)");
	cr_assert_str_eq(p.signature, "TCGTCGTCGTCG");
	cr_assert_str_eq(p.note, "");
}

Test(host_platform, nested_under_kvm_builtin_module)
{
	/* The 6.12 tinyconfig host kernel has KVM built in: no refcnt file. */
	struct host_facts f = facts("KVMKVMKVM\0\0\0");
	module(&f, HOST_MOD_KVM_INTEL, BUILT_IN);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_KVM);
	cr_assert_str_eq(p.name, "nested KVM under KVM (kvm_intel)");
}

Test(host_platform, hyperv_and_vmware)
{
	struct host_facts f = facts("Microsoft Hv");
	module(&f, HOST_MOD_KVM_INTEL, 1);
	cr_assert_eq(classify(&f).platform, IRQVM_PLATFORM_NESTED_HYPERV);
	f = facts("VMwareVMware");
	module(&f, HOST_MOD_KVM_INTEL, 1);
	cr_assert_eq(classify(&f).platform, IRQVM_PLATFORM_NESTED_VMWARE);
}

Test(host_platform, other_hypervisor_names_its_signature)
{
	/* The development machine itself says "bhyve bhyve " in leaf 0x40000000. */
	struct host_facts f = facts("bhyve bhyve ");
	module(&f, HOST_MOD_KVM_AMD, 1);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_OTHER);
	cr_assert_str_eq(p.name, "nested KVM under another hypervisor (kvm_amd)");
	cr_assert_str_eq(p.signature, "bhyve bhyve ");
	f = facts("KVM\1\2\3KVM\0\0\0");
	module(&f, HOST_MOD_KVM_AMD, 1);
	p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_OTHER);
	cr_assert_str_eq(p.signature, "KVM...KVM...");
}

Test(host_platform, pvm_when_kvm_pvm_is_the_only_vendor_module)
{
	/* 2026-11-22: kvm_pvm built in, no kvm_amd; the host is a guest whose
	 * leaf 0x40000000 is not KVM's: PVM wins whatever runs below. */
	struct host_facts f = facts("bhyve bhyve ");
	module(&f, HOST_MOD_KVM_PVM, BUILT_IN);
	f.cpl0_int_fails = HOST_PROBE_YES;
	f.eoi_at_injection = HOST_PROBE_YES;
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_PVM);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_PVM);
	cr_assert_str_eq(p.name, "nested PVM KVM");
	cr_assert_str_eq(p.note, "");
}

Test(host_platform, kvm_pvm_present_but_kvm_amd_holds_dev_kvm)
{
	/* kvm_pvm built in but not bound, modular kvm_amd pinned by our open
	 * /dev/kvm: the mere presence of kvm_pvm is not PVM. */
	struct host_facts f = facts("TCGTCGTCGTCG");
	module(&f, HOST_MOD_KVM_PVM, BUILT_IN);
	module(&f, HOST_MOD_KVM_AMD, 1);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_TCG);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_AMD);
	cr_assert(strstr(p.module_why, "held by irqvm's open /dev/kvm"), "%s", p.module_why);
}

Test(host_platform, unused_modular_vendor_module_is_ruled_out)
{
	/* Modular kvm_pvm loaded with refcnt 0 while we hold /dev/kvm: not
	 * the provider; the built-in kvm_intel is. */
	struct host_facts f = facts(NULL);
	module(&f, HOST_MOD_KVM_PVM, 0);
	module(&f, HOST_MOD_KVM_INTEL, BUILT_IN);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_BARE_METAL);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_INTEL);
}

Test(host_platform, two_built_in_candidates_are_not_guessed)
{
	struct host_facts f = facts("KVMKVMKVM\0\0\0");
	module(&f, HOST_MOD_KVM_PVM, BUILT_IN);
	module(&f, HOST_MOD_KVM_AMD, BUILT_IN);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_UNKNOWN);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_KVM);
	cr_assert_str_eq(p.name, "nested KVM under KVM (unknown module)");
	cr_assert(strstr(p.module_why, "2 vendor modules"), "%s", p.module_why);
}

Test(host_platform, no_vendor_module_in_sysfs)
{
	struct host_facts f = facts(NULL);
	struct host_platform p = classify(&f);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_UNKNOWN);
	cr_assert_str_eq(p.name, "bare-metal KVM (unknown module)");
}

Test(host_platform, probes_contradicting_the_identity_leave_a_note)
{
	struct host_facts f = facts("TCGTCGTCGTCG");
	module(&f, HOST_MOD_KVM_AMD, 1);
	f.cpl0_int_fails = HOST_PROBE_YES;
	struct host_platform p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_TCG, "probes never decide the platform");
	cr_assert(strstr(p.note, "cannot run CPL0 int n"), "%s", p.note);

	f = facts(NULL);
	module(&f, HOST_MOD_KVM_INTEL, 1);
	f.cpl0_int_fails = HOST_PROBE_NO;
	f.eoi_at_injection = HOST_PROBE_YES;
	p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_BARE_METAL);
	cr_assert(strstr(p.note, "level EOIs at injection"), "%s", p.note);

	f = facts(NULL);
	module(&f, HOST_MOD_KVM_PVM, BUILT_IN);
	f.cpl0_int_fails = HOST_PROBE_NO;
	p = classify(&f);
	cr_assert_eq(p.platform, IRQVM_PLATFORM_NESTED_PVM);
	cr_assert(strstr(p.note, "kvm_pvm ran CPL0 int n"), "%s", p.note);
}

Test(host_platform, module_names)
{
	cr_assert_str_eq(host_vendor_module_name(HOST_MOD_KVM_AMD), "kvm_amd");
	cr_assert_str_eq(host_vendor_module_name(HOST_MOD_KVM_INTEL), "kvm_intel");
	cr_assert_str_eq(host_vendor_module_name(HOST_MOD_KVM_PVM), "kvm_pvm");
	cr_assert_str_eq(host_vendor_module_name(HOST_NR_VENDOR_MODULES), "?");
}

/* ---- reading the facts from a made-up sysfs ---- */

static void mkdirs(const char *root, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
	}
	mkdir(path, 0755);
}

static void write_file(const char *root, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp, "%s", path);
	fputs(text, fp);
	fclose(fp);
}

Test(host_facts, sysfs_modules_and_refcnt)
{
	char root[] = "/tmp/irqvm-sysfs-XXXXXX";
	cr_assert_not_null(mkdtemp(root));
	/* Today's development machine plus a modular kvm_amd holding /dev/kvm. */
	mkdirs(root, "module/kvm_pvm/parameters");
	mkdirs(root, "module/kvm_amd/parameters");
	write_file(root, "module/kvm_amd/refcnt", "2\n");

	struct host_facts f;
	x86_host_facts_read(root, &f);
	cr_assert(f.mod[HOST_MOD_KVM_PVM].present);
	cr_assert_eq(f.mod[HOST_MOD_KVM_PVM].refcnt, -1, "built in: no refcnt file");
	cr_assert(f.mod[HOST_MOD_KVM_AMD].present);
	cr_assert_eq(f.mod[HOST_MOD_KVM_AMD].refcnt, 2);
	cr_assert_not(f.mod[HOST_MOD_KVM_INTEL].present);
	cr_assert_eq(f.cpl0_int_fails, HOST_PROBE_UNKNOWN, "probes are filled in by the caller");
	if (!f.hv_bit) {
		char zero[12] = { 0 };
		cr_assert(!memcmp(f.hv_signature, zero, 12), "no signature without the hv bit");
	}
	struct host_platform p;
	host_platform_classify(&f, &p);
	cr_assert_eq(p.module, IRQVM_KVM_MODULE_AMD);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}
