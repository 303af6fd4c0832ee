/* SPDX-License-Identifier: MIT */
/*
 * Gathers the facts host_platform.c classifies: CPUID of the CPU irqvm's
 * process runs on (user-mode CPUID shows what the host kernel sees; checked
 * against /proc/cpuinfo) and the KVM vendor modules in sysfs. Must run while irqvm holds /dev/kvm open:
 * the providing module's refcnt counts that open file.
 */
#include "vmm/arch/x86/host_platform.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/arch/x86/x86.h"
#include "vmm/core/log.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_CHILD_ENV "IRQVM_HOST_CPUID_FD"

/* What the CPUID instruction answers: leaf 1 ECX and the leaf 0x40000000
 * signature registers (EBX, ECX, EDX). */
struct cpuid_answer {
	uint32_t ecx1;
	uint32_t sig[3];
};

static void cpuid_here(struct cpuid_answer *a)
{
	unsigned eax, ebx, ecx, edx;
	*a = (struct cpuid_answer){ 0 };
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return;
	a->ecx1 = ecx;
	if (!(ecx & CPUID_1_ECX_HYPERVISOR))
		return; /* leaf 0x40000000 is undefined without the bit */
	/* __get_cpuid refuses leaves above the basic maximum; the hypervisor
	 * range is defined whenever the hypervisor bit is set. */
	__cpuid(0x40000000u, eax, ebx, ecx, edx);
	a->sig[0] = ebx;
	a->sig[1] = ecx;
	a->sig[2] = edx;
}

/*
 * Child side of cpuid_native(): an irqvm exec'd with CPUID_CHILD_ENV set
 * writes its CPUID answer to that descriptor and exits before main().
 */
__attribute__((constructor)) static void cpuid_child(void)
{
	const char *fd_text = getenv(CPUID_CHILD_ENV);
	if (!fd_text)
		return;
	struct cpuid_answer a;
	cpuid_here(&a);
	ssize_t n = write(atoi(fd_text), &a, sizeof(a));
	_exit(n == (ssize_t)sizeof(a) ? 0 : 1);
}

/*
 * Under a dynamic binary translator (valgrind runs irqvm in the vmm suite)
 * the CPUID instruction returns the tool's canned CPU, not the host's. A
 * program exec'd from it runs natively (valgrind does not follow children
 * by default), so ask a fresh copy of irqvm. Returns 0 on success.
 */
static int cpuid_native(struct cpuid_answer *a)
{
	char self[PATH_MAX], env[64];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int p[2];
	if (len <= 0 || pipe2(p, O_CLOEXEC) < 0)
		return -1;
	self[len] = '\0';
	int wfd = fcntl(p[1], F_DUPFD, 3); /* a copy without O_CLOEXEC survives exec */
	if (wfd < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	snprintf(env, sizeof(env), "%s=%d", CPUID_CHILD_ENV, wfd);
	char *const argv[] = { self, NULL }, *const envp[] = { env, NULL };
	pid_t pid = fork(); /* only execve after this: other threads may hold locks */
	if (pid == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	close(wfd);
	close(p[1]);
	ssize_t n = pid > 0 ? read(p[0], a, sizeof(*a)) : -1;
	close(p[0]);
	int status = 0;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return n == (ssize_t)sizeof(*a) && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The kernel's own record of CPUID.1:ECX[31], which no user-space
 * translator can change: the "hypervisor" flag in /proc/cpuinfo. -1 if
 * unreadable. */
static int cpuinfo_hypervisor(void)
{
	FILE *fp = fopen("/proc/cpuinfo", "r");
	if (!fp)
		return -1;
	char line[4096];
	int r = -1;
	while (r < 0 && fgets(line, sizeof(line), fp))
		if (!strncmp(line, "flags", 5))
			r = strstr(line, " hypervisor") != NULL;
	fclose(fp);
	return r;
}

static void read_cpuid(struct host_facts *f)
{
	struct cpuid_answer a;
	cpuid_here(&a);
	const int kernel_hv = cpuinfo_hypervisor();
	if (kernel_hv >= 0 && kernel_hv != !!(a.ecx1 & CPUID_1_ECX_HYPERVISOR)) {
		log_debug("CPUID in this process disagrees with /proc/cpuinfo (hypervisor %d): "
			  "asking a native child", kernel_hv);
		if (cpuid_native(&a) < 0 ||
		    kernel_hv != !!(a.ecx1 & CPUID_1_ECX_HYPERVISOR)) {
			/* Only the bit is known; a zero signature reads as
			 * "another hypervisor", never as a known one. */
			log_warn("cannot read the host's CPUID (emulated in this process?); "
				 "hypervisor bit from /proc/cpuinfo only");
			a = (struct cpuid_answer){ .ecx1 = kernel_hv ? CPUID_1_ECX_HYPERVISOR : 0 };
		}
	}
	f->hv_bit = a.ecx1 & CPUID_1_ECX_HYPERVISOR;
	if (f->hv_bit)
		memcpy(f->hv_signature, a.sig, sizeof(f->hv_signature));
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
