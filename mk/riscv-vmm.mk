# The riscv64 build of irqvm (docs/riscv.md): the same sources as x86-64 with
# vmm/arch/riscv, cross-compiled and statically linked so the binary runs
# as-is in the riscv64 KVM test host's initramfs or on a RISC-V board.
#
#   make ARCH=riscv64 BUILD=build/riscv64
#                                build/riscv64/irqvm (static) and the test guests
#                                in build/riscv64/tests/riscv/
#   make riscv-hello             only the test guest (any ARCH)
#   make riscv-vmm               everything the RISC-V suite needs, from any ARCH
#   make riscv-vmm-test          the RISC-V suite (riscv-vmm.sh in tests/suites/,
#                                or tests/riscv/ until the test host can run it)
#
# jansson and libfdt are not packaged for riscv64 in bookworm:
# ci/build-riscv-deps.sh cross-builds static copies once into
# $(RV_DEPS). KVM's RISC-V uapi comes from the 6.12 headers of the test host
# build (make riscv-host), as bookworm's riscv64 cross headers are 6.1.

RV_CROSS      ?= riscv64-linux-gnu-
RV_CC         := $(RV_CROSS)gcc
RV_BUILD      ?= build/riscv64
# The test host's `make headers` output; not under $(BUILD) because the
# host kernel is built once for every ARCH.
RV_UAPI       ?= build/riscv-host/include

# --- the riscv64 test guest (any ARCH: it is only data to the x86 build).
# Variants of tests/riscv/hello.S: hello-fail fails one check on purpose
# (proves the failure path reaches irqvm's exit status), hello-fdt also
# prints the device tree it was given as hex.
RV_HELLO      := $(RV_BUILD)/tests/riscv/hello.elf
RV_HELLOS     := $(patsubst %,$(RV_BUILD)/tests/riscv/%.elf,hello hello-fail hello-fdt)
RV_GUEST_FLAGS := -march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -nostdlib -static \
                  -ffreestanding -fno-pic -no-pie -Wl,--build-id=none \
                  -Wl,-T,tests/riscv/hello.ld -Wl,-z,noexecstack -Wall -Werror -Iinclude -I.
RV_HELLO_DEFS_hello      :=
RV_HELLO_DEFS_hello-fail := -DHELLO_FORCE_FAIL
RV_HELLO_DEFS_hello-fdt  := -DHELLO_DUMP_FDT

$(RV_HELLOS): $(RV_BUILD)/tests/riscv/%.elf: tests/riscv/hello.S tests/riscv/hello.ld vmm/arch/riscv/riscv_layout.h
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_GUEST_FLAGS) $(RV_HELLO_DEFS_$*) -o $@ $<

# Runs a command in the test host, then prints a file it wrote as hex.
$(RV_BUILD)/tests/riscv/hexdump-after: tests/riscv/hexdump-after.c
	@mkdir -p $(dir $@)
	$(RV_CC) $(CSTD) $(WARN) -O2 -static -s -o $@ $<

.PHONY: riscv-hello riscv-vmm riscv-vmm-test
riscv-hello: $(RV_HELLOS) $(RV_BUILD)/tests/riscv/hexdump-after

# Everything the RISC-V suite needs, from any ARCH (a sub-make for riscv64).
riscv-vmm: riscv-hello
	@$(MAKE) --no-print-directory ARCH=riscv64 BUILD=$(RV_BUILD) $(RV_BUILD)/irqvm

RV_SUITE      := $(firstword $(wildcard tests/suites/riscv-vmm.sh tests/riscv/riscv-vmm.sh))

riscv-vmm-test: riscv-vmm
	@RV_SKIP_BUILD=1 $(RV_SUITE)

ifeq ($(ARCH),riscv64)
ifeq ($(BUILD),build)
$(error ARCH=riscv64 must not share build/ with the x86-64 build: use \
  'make ARCH=riscv64 BUILD=build/riscv64' (or make BUILD default to build/riscv64 \
  for ARCH=riscv64 in the top-level Makefile))
endif

RV_DEPS       := $(BUILD)/deps
RV_DEPS_LIBS  := $(RV_DEPS)/lib/libjansson.a $(RV_DEPS)/lib/libfdt.a

CC            := $(RV_CC)
HOST_CFLAGS   += -isystem $(RV_UAPI) -isystem $(RV_DEPS)/include
HOST_LIBS     := -static -L$(RV_DEPS)/lib -ljansson -lfdt -lpthread

all: riscv-hello

# Every object waits for the headers it may include; neither is rebuilt
# because an object changed.
$(HOST_OBJS): | $(RV_DEPS_LIBS) $(RV_UAPI)/linux/kvm.h
$(IRQVM): $(RV_DEPS_LIBS)

$(RV_DEPS_LIBS) &: ci/build-riscv-deps.sh
	@ci/build-riscv-deps.sh $(RV_DEPS)
	@touch $(RV_DEPS_LIBS)

$(RV_UAPI)/linux/kvm.h:
	$(error $@ is missing: build the riscv64 test host's 6.12 uapi headers first \
	  ('make riscv-host', docs/test-hosts.md) or point RV_UAPI at a 6.12+ uapi tree)
endif
