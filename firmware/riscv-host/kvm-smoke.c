/* SPDX-License-Identifier: MIT */
/*
 * kvm-smoke: proves that the riscv64 test host (docs/test-hosts.md) can run
 * a KVM guest, and says what it saw. Usage inside the host:
 *
 *	ci/host-run --arch riscv64 -- /kvm-smoke
 *
 * A few VS-mode instructions print a string with the legacy SBI console
 * putchar (which KVM forwards to userspace as KVM_EXIT_RISCV_SBI), store to
 * and load from an address with no memslot (KVM_EXIT_MMIO both ways, the
 * loaded value is stored back so the read data path is checked), then ask
 * for shutdown with SBI SRST (handled in the kernel, which reports
 * KVM_EXIT_SYSTEM_EVENT). Every step is checked against what the guest was
 * written to do.
 *
 * Exit status: 0 all seen as expected, 1 the guest misbehaved or KVM
 * reported something unexpected, 2 KVM setup failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>	/* offsetof, used by the KVM_REG_RISCV_*_REG macros */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#define GUEST_RAM_BASE	0x80000000ULL	/* where QEMU virt has RAM too */
#define GUEST_RAM_SIZE	0x10000UL
#define MMIO_PROBE	0x10001000ULL	/* no memslot here: MMIO exits */
#define MMIO_WRITE_VAL	0x5a5aa5a5U
#define MMIO_READ_VAL	0x12345678U
#define GUEST_TEXT	"hello from VS-mode\n"
#define MAX_EXITS	200
#define RUN_TIMEOUT_S	20

#define SBI_EXT_0_1_CONSOLE_PUTCHAR	0x1
#define SBI_ERR_NOT_SUPPORTED		(-2L)

/*
 * The guest. Position independent (lla, relative branches), so it can be
 * copied anywhere in guest RAM. ecall is never compressed, which matters
 * because KVM resumes a forwarded SBI call at sepc + 4.
 */
extern const unsigned char guest_code_start[], guest_code_end[];
__asm__(
	"	.pushsection .rodata.kvm_smoke_guest, \"a\"\n"
	"	.balign 4\n"
	"guest_code_start:\n"
	"	lla	s0, 9f\n"
	"	li	a7, 1\n"		/* SBI v0.1 console putchar */
	"1:	lbu	a0, 0(s0)\n"
	"	beqz	a0, 2f\n"
	"	ecall\n"
	"	addi	s0, s0, 1\n"
	"	j	1b\n"
	"2:	li	t0, 0x10001000\n"	/* MMIO_PROBE */
	"	li	t1, 0x5a5aa5a5\n"	/* MMIO_WRITE_VAL */
	"	sw	t1, 0(t0)\n"
	"	lw	t2, 4(t0)\n"
	"	sw	t2, 8(t0)\n"		/* echo what the VMM supplied */
	"	li	a7, 0x53525354\n"	/* SBI SRST extension */
	"	li	a6, 0\n"		/* sbi_system_reset */
	"	li	a0, 0\n"		/* type: shutdown */
	"	li	a1, 0\n"		/* reason: none */
	"	ecall\n"
	"3:	wfi\n"				/* not reached */
	"	j	3b\n"
	"9:	.asciz \"hello from VS-mode\\n\"\n"	/* = GUEST_TEXT */
	"guest_code_end:\n"
	"	.popsection\n");

struct smoke {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	char text[128];
	size_t text_len;
	int mmio_step;		/* 0: expect write, 1: read, 2: write back */
	int failures;
	int sbi_exits;
	double first_sbi_us, last_sbi_us;	/* for the round-trip figure */
};

static void on_alarm(int sig)
{
	(void)sig;	/* only here to interrupt KVM_RUN with EINTR */
}

static void fail(struct smoke *s, const char *what)
{
	printf("kvm-smoke: FAIL: %s\n", what);
	s->failures++;
}

static int setup_error(const char *what)
{
	printf("kvm-smoke: setup failed: %s: %s\n", what, strerror(errno));
	return 2;
}

static int get_reg(int vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu, KVM_GET_ONE_REG, &reg);
}

static int set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(vcpu, KVM_SET_ONE_REG, &reg);
}

static uint64_t core_reg(unsigned long index)
{
	return KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | index;
}

static void print_isa(int vcpu)
{
	uint64_t isa, id = KVM_REG_RISCV | KVM_REG_SIZE_U64 |
			   KVM_REG_RISCV_CONFIG | KVM_REG_RISCV_CONFIG_REG(isa);
	char letters[27];
	int i, n = 0;

	if (get_reg(vcpu, id, &isa) < 0) {
		printf("kvm-smoke: guest ISA: unreadable (%s)\n", strerror(errno));
		return;
	}
	for (i = 0; i < 26; i++)
		if (isa & (1ULL << i))
			letters[n++] = (char)('a' + i);
	letters[n] = '\0';
	printf("kvm-smoke: guest ISA base: rv64%s\n", letters);
}

/* The in-kernel AIA only exists on an AIA host (QEMU virt,aia=aplic-imsic). */
static void print_aia(int vm)
{
	struct kvm_create_device dev = {
		.type = KVM_DEV_TYPE_RISCV_AIA,
		.flags = KVM_CREATE_DEVICE_TEST,
	};

	if (ioctl(vm, KVM_CREATE_DEVICE, &dev) == 0)
		printf("kvm-smoke: in-kernel AIA device: available\n");
	else
		printf("kvm-smoke: in-kernel AIA device: absent (%s)\n", strerror(errno));
}

static int setup(struct smoke *s)
{
	size_t code_len = (size_t)(guest_code_end - guest_code_start);
	struct kvm_userspace_memory_region region;
	void *ram;
	int size;

	s->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (s->kvm < 0)
		return setup_error("open /dev/kvm");
	printf("kvm-smoke: KVM API %d, KVM_CAP_MAX_VCPUS %d, KVM_CAP_ONE_REG %d\n",
	       ioctl(s->kvm, KVM_GET_API_VERSION, 0),
	       ioctl(s->kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS),
	       ioctl(s->kvm, KVM_CHECK_EXTENSION, KVM_CAP_ONE_REG));
	s->vm = ioctl(s->kvm, KVM_CREATE_VM, 0);
	if (s->vm < 0)
		return setup_error("KVM_CREATE_VM");
	print_aia(s->vm);

	ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		return setup_error("mmap guest RAM");
	memcpy(ram, guest_code_start, code_len);
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = GUEST_RAM_BASE,
		.memory_size = GUEST_RAM_SIZE,
		.userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(s->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return setup_error("KVM_SET_USER_MEMORY_REGION");

	s->vcpu = ioctl(s->vm, KVM_CREATE_VCPU, 0);
	if (s->vcpu < 0)
		return setup_error("KVM_CREATE_VCPU");
	size = ioctl(s->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*s->run))
		return setup_error("KVM_GET_VCPU_MMAP_SIZE");
	s->run_size = (size_t)size;
	s->run = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->vcpu, 0);
	if (s->run == MAP_FAILED)
		return setup_error("mmap kvm_run");
	print_isa(s->vcpu);

	/* A fresh vCPU is in S-mode (VS from the host's view), MMU off. */
	if (set_reg(s->vcpu, core_reg(KVM_REG_RISCV_CORE_REG(regs.pc)), GUEST_RAM_BASE) < 0)
		return setup_error("KVM_SET_ONE_REG pc");
	printf("kvm-smoke: %zu bytes of guest code at 0x%llx\n", code_len,
	       (unsigned long long)GUEST_RAM_BASE);
	return 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void handle_sbi(struct smoke *s)
{
	struct kvm_run *run = s->run;

	/* Nothing is printed between putchar exits, so this is pure KVM cost. */
	s->last_sbi_us = now_us();
	if (s->sbi_exits++ == 0)
		s->first_sbi_us = s->last_sbi_us;

	if (run->riscv_sbi.extension_id != SBI_EXT_0_1_CONSOLE_PUTCHAR) {
		printf("kvm-smoke: unexpected SBI call ext 0x%lx fid %lu\n",
		       run->riscv_sbi.extension_id, run->riscv_sbi.function_id);
		fail(s, "unexpected SBI extension reached userspace");
		run->riscv_sbi.ret[0] = (unsigned long)SBI_ERR_NOT_SUPPORTED;
		return;
	}
	if (s->text_len < sizeof(s->text) - 1)
		s->text[s->text_len++] = (char)run->riscv_sbi.args[0];
	run->riscv_sbi.ret[0] = 0;
	run->riscv_sbi.ret[1] = 0;
}

static uint32_t mmio_value(const struct kvm_run *run)
{
	uint32_t v = 0;

	memcpy(&v, run->mmio.data, sizeof(v));	/* little-endian, like the guest */
	return v;
}

static void handle_mmio(struct smoke *s)
{
	struct kvm_run *run = s->run;
	static const struct {
		uint64_t addr;
		int is_write;
		uint32_t value;
	} expect[] = {
		{ MMIO_PROBE, 1, MMIO_WRITE_VAL },
		{ MMIO_PROBE + 4, 0, 0 },
		{ MMIO_PROBE + 8, 1, MMIO_READ_VAL },
	};
	uint32_t v = run->mmio.is_write ? mmio_value(run) : MMIO_READ_VAL;

	printf("kvm-smoke: MMIO %s 0x%llx len %u value 0x%08x\n",
	       run->mmio.is_write ? "write" : "read ",
	       (unsigned long long)run->mmio.phys_addr, run->mmio.len, v);
	if (!run->mmio.is_write)
		memcpy(run->mmio.data, &v, sizeof(v));
	if (s->mmio_step >= (int)(sizeof(expect) / sizeof(expect[0])) ||
	    run->mmio.phys_addr != expect[s->mmio_step].addr || run->mmio.len != 4 ||
	    run->mmio.is_write != expect[s->mmio_step].is_write ||
	    (run->mmio.is_write && v != expect[s->mmio_step].value))
		fail(s, "MMIO access differs from what the guest code does");
	s->mmio_step++;
}

/* Runs the vCPU until SRST shutdown; returns 0 when the guest got there. */
static int run_guest(struct smoke *s)
{
	int exits;

	for (exits = 1; exits <= MAX_EXITS; exits++) {
		if (ioctl(s->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				printf("kvm-smoke: guest still running after %d s\n",
				       RUN_TIMEOUT_S);
			else
				printf("kvm-smoke: KVM_RUN: %s\n", strerror(errno));
			return -1;
		}
		switch (s->run->exit_reason) {
		case KVM_EXIT_RISCV_SBI:
			handle_sbi(s);
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(s);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			printf("kvm-smoke: system event type %u (%s) after %d exits\n",
			       s->run->system_event.type,
			       s->run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ?
				       "shutdown" : "not shutdown", exits);
			return s->run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? 0 : -1;
		default:
			printf("kvm-smoke: unexpected exit reason %u\n", s->run->exit_reason);
			return -1;
		}
	}
	printf("kvm-smoke: no shutdown after %d exits\n", MAX_EXITS);
	return -1;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct smoke s = { .kvm = -1 };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = setup(&s);
	if (ret)
		return ret;

	/* No SA_RESTART: a stuck guest makes KVM_RUN fail with EINTR. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(RUN_TIMEOUT_S);
	if (run_guest(&s) < 0)
		fail(&s, "guest did not reach SRST shutdown");
	alarm(0);

	if (s.sbi_exits > 1)
		printf("kvm-smoke: SBI exit round trip %.1f us (mean of %d)\n",
		       (s.last_sbi_us - s.first_sbi_us) / (s.sbi_exits - 1),
		       s.sbi_exits - 1);
	s.text[s.text_len] = '\0';
	printf("kvm-smoke: guest console: \"%.*s\"\n", (int)strcspn(s.text, "\n"), s.text);
	if (strcmp(s.text, GUEST_TEXT) != 0)
		fail(&s, "guest console text differs");
	if (s.mmio_step != 3)
		fail(&s, "expected 3 MMIO exits");

	printf("kvm-smoke: %s\n", s.failures ? "FAILED" : "PASS");
	return s.failures ? 1 : 0;
}
