# The riscv64 KVM test host (docs/test-hosts.md): a Linux 6.12 kernel with
# KVM built from Debian's linux-source-6.12, booted in qemu-system-riscv64
# with h=true by ci/host-run --arch riscv64, whose initramfs /init runs one command.
#
#   make riscv-host            Image, 6.12 uapi headers, gen_init_cpio and the
#                              static riscv64 programs in $(BUILD)/riscv-host/
#   make riscv-host-selftest   boots it ~15 times to check every exit status
#
# The kernel is rebuilt only when its inputs change (config fragment, source
# package version, cross compiler, build script): build-kernel.sh keeps that
# key in inputs.key and rewrites the file only when it differs.

RVHOST_DIR      := $(BUILD)/riscv-host
RVHOST_CROSS    ?= riscv64-linux-gnu-
RVHOST_TARBALL  ?= /usr/src/linux-source-6.12.tar.xz
RVHOST_SRC_PKG  ?= linux-source-6.12
RVHOST_CONFIG   := firmware/riscv-host/kvm-host.config
RVHOST_SCRIPT   := firmware/riscv-host/build-kernel.sh
RVHOST_STAMP    := $(RVHOST_DIR)/built.key
RVHOST_IMAGE    := $(RVHOST_DIR)/Image
# 6.12 uapi headers: bookworm's riscv64 cross headers are 6.1 and lack AIA.
RVHOST_UAPI     := $(RVHOST_DIR)/include
RVHOST_ENV      := RVHOST_CROSS='$(RVHOST_CROSS)' RVHOST_TARBALL='$(RVHOST_TARBALL)' \
                   RVHOST_SRC_PKG='$(RVHOST_SRC_PKG)' RVHOST_CONFIG='$(RVHOST_CONFIG)' \
                   $(if $(RVHOST_JOBS),RVHOST_JOBS='$(RVHOST_JOBS)')

# Static riscv64 programs for the initramfs.
RVHOST_CC       := $(RVHOST_CROSS)gcc
RVHOST_CFLAGS   := $(CSTD) $(WARN) -O2 -static -s -isystem $(RVHOST_UAPI)
RVHOST_PROGS    := $(RVHOST_DIR)/init $(RVHOST_DIR)/kvm-smoke $(RVHOST_DIR)/status-probe

.PHONY: riscv-host riscv-host-check riscv-host-selftest

riscv-host: $(RVHOST_STAMP) $(RVHOST_PROGS)

riscv-host-selftest: riscv-host
	@firmware/test-host/selftest.sh --arch riscv64

# Always runs (cheap); updates inputs.key only when the key changed.
riscv-host-check:
	@$(RVHOST_ENV) $(RVHOST_SCRIPT) check $(RVHOST_DIR)

$(RVHOST_DIR)/inputs.key: riscv-host-check ;

$(RVHOST_STAMP): $(RVHOST_DIR)/inputs.key
	@$(RVHOST_ENV) $(RVHOST_SCRIPT) build $(RVHOST_DIR)

# /init and the status probe are shared with the x86-64 host.
$(RVHOST_DIR)/status-probe: firmware/test-host/status-probe.c $(RVHOST_STAMP)
	$(RVHOST_CC) $(RVHOST_CFLAGS) -o $@ $<

$(RVHOST_DIR)/init: $(TEST_HOST_INIT_SRCS) $(RVHOST_STAMP)
	$(RVHOST_CC) $(RVHOST_CFLAGS) -o $@ $(filter %.c,$^)

$(RVHOST_DIR)/kvm-smoke: firmware/riscv-host/kvm-smoke.c $(RVHOST_STAMP)
	$(RVHOST_CC) $(RVHOST_CFLAGS) -o $@ $<
