# irqvm top-level Makefile.
#
#   make            build the VMM (build/irqvm) and the guest kernel(s)
#   make run        set-up + build + run configs/x86-demo.json
#   make test       set-up + build + every test (unit, x86 suites, RISC-V)
#   make x86-host   the x86-64 KVM test host (for machines without /dev/kvm)
#   make unit       Criterion unit tests only
#   make bench      speed figures (reported, never asserted)
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (mk/fuzz.mk)
#   make sanitize-build  irqvm with ASan+UBSan and with TSan (mk/sanitize.mk)
#
# Sources are discovered by directory (VMM_DIRS, devices/, irqchip/, guest/):
# a new file there needs no edit here. docs/architecture.md maps the folders.

HOST_ARCH   := $(shell uname -m)
ARCH        ?= $(HOST_ARCH)
# A cross build gets its own tree so it never overwrites the host build.
ifeq ($(ARCH),$(HOST_ARCH))
BUILD       ?= build
else
BUILD       ?= build/$(ARCH)
endif
VERSION     := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV     := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CC          ?= cc
CSTD        := -std=c11 -D_GNU_SOURCE
WARN        := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
HOST_CFLAGS := $(CSTD) $(WARN) -O2 -g -Iinclude -I. -MMD -MP \
               -DIRQVM_VERSION='"$(VERSION)"' -DIRQVM_GIT_REV='"$(GIT_REV)"' $(EXTRA_CFLAGS)
HOST_LIBS   := -ljansson -lfdt -lpthread

# Which architecture-specific VMM directory is compiled in.
ifeq ($(ARCH),x86_64)
VMM_ARCH_DIR := vmm/arch/x86
else ifeq ($(ARCH),riscv64)
VMM_ARCH_DIR := vmm/arch/riscv
else
$(error unsupported ARCH=$(ARCH): use x86_64 or riscv64)
endif

# The VMM's subsystems: the command-line client, the control socket, the
# config loader and the VM core.
VMM_DIRS    := cli vmm/control vmm/config vmm/core
HOST_SRCS   := $(foreach d,$(VMM_DIRS),$(wildcard $(d)/*.c)) $(wildcard $(VMM_ARCH_DIR)/*.c) \
               $(wildcard devices/*.c) $(wildcard irqchip/*.c)
HOST_OBJS   := $(patsubst %.c,$(BUILD)/host/%.o,$(HOST_SRCS))
MAIN_OBJ    := $(BUILD)/host/cli/main.o
LIB_OBJS    := $(filter-out $(MAIN_OBJ),$(HOST_OBJS))
LIBIRQVM    := $(BUILD)/libirqvm.a
IRQVM       := $(BUILD)/irqvm

UNIT_SRCS   := $(wildcard tests/unit/*.c)
UNIT_OBJS   := $(patsubst %.c,$(BUILD)/host/%.o,$(UNIT_SRCS))
UNIT_BIN    := $(BUILD)/tests/unit-tests

.PHONY: all deps test-deps run test unit integration bench clean help guest
.DEFAULT_GOAL := all

all: $(IRQVM) guest $(if $(filter x86_64,$(ARCH)),$(BUILD)/kvm-usable)

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(LIBIRQVM): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(IRQVM): $(MAIN_OBJ) $(LIBIRQVM)
	$(CC) $(HOST_CFLAGS) -o $@ $^ $(HOST_LIBS)

$(UNIT_BIN): $(UNIT_OBJS) $(LIBIRQVM)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $^ -lcriterion $(HOST_LIBS)

# Set-up: installs missing Debian packages when root, otherwise prints the
# exact apt-get line and fails.
deps:
	@ci/install-deps.sh build

test-deps:
	@ci/install-deps.sh build test riscv

# The demo needs x86 KVM: ci/x86-run boots it directly on a usable /dev/kvm,
# otherwise inside the x86-64 test host (docs/test-hosts.md), and says which.
run: deps
	@$(MAKE) --no-print-directory all
	@ci/x86-run --timeout 600 -- ci/run-demo $(IRQVM) configs/x86-demo.json

unit: $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

# The whole test suite; ends with one summary line and a non-zero status on
# any failure (see tests/run-all.sh).
test: test-deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) test-guests sanitize-build
	@tests/run-all.sh

integration: all
	@tests/integration/run.sh

bench: all
	@tests/bench/run.sh

clean:
	rm -rf $(BUILD)

# /init of both KVM test hosts (mk/riscv-host.mk, mk/x86-host.mk).
# Listed, not globbed: a missing file is a make error that names it.
TEST_HOST_INIT_SRCS := firmware/test-host/init.c firmware/test-host/hang_report.c \
                       firmware/test-host/hang_report.h firmware/test-host/say.c \
                       firmware/test-host/say.h firmware/test-host/keep_vm.c \
                       firmware/test-host/keep_vm.h

# Guest kernels and the RISC-V pieces have their own fragments.
include $(sort $(wildcard mk/*.mk))

-include $(HOST_OBJS:.o=.d) $(UNIT_OBJS:.o=.d)
