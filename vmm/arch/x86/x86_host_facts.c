/* SPDX-License-Identifier: MIT */
/*
 * Gathers the facts host_platform.c classifies: CPUID of the CPU irqvm's
 * process runs on (user-mode CPUID shows what the host kernel sees) and the
 * KVM vendor modules in sysfs. Must run while irqvm holds /dev/kvm open:
 * the providing module's refcnt counts that open file.
 */
#include "vmm/arch/x86/host_platform.h"

#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/arch/x86/x86.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)

static void read_cpuid(struct host_facts *f)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & CPUID_1_ECX_HYPERVISOR))
		return;
	f->hv_bit = true;
	/* __get_cpuid refuses leaves above the basic maximum; the hypervisor
	 * range is defined whenever the hypervisor bit is set. */
	__cpuid(0x40000000u, a, b, c, d);
	memcpy(f->hv_signature, &b, 4);
	memcpy(f->hv_signature + 4, &c, 4);
	memcpy(f->hv_signature + 8, &d, 4);
}

static void read_module(const char *sysfs, const char *name, struct host_module_fact *m)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/module/%s", sysfs, name);
	m->present = access(path, F_OK) == 0;
	m->refcnt = -1;
	if (!m->present)
		return;
	snprintf(path, sizeof(path), "%s/module/%s/refcnt", sysfs, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return; /* built in: no refcnt file */
	int v;
	if (fscanf(fp, "%d", &v) == 1 && v >= 0)
		m->refcnt = v;
	fclose(fp);
}

void x86_host_facts_read(const char *sysfs, struct host_facts *f)
{
	*f = (struct host_facts){ .cpl0_int_fails = HOST_PROBE_UNKNOWN,
				  .eoi_at_injection = HOST_PROBE_UNKNOWN };
	read_cpuid(f);
	for (int m = 0; m < HOST_NR_VENDOR_MODULES; m++)
		read_module(sysfs, host_vendor_module_name(m), &f->mod[m]);
}
