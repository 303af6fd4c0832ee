# The x86-64 KVM test host (docs/test-hosts.md): Debian's prebuilt amd64
# kernel with KVM (kvm_amd) and virtio-9p modules, booted in
# qemu-system-x86_64 (TCG, which emulates AMD SVM) by ci/host-run --arch
# x86_64. The x86 suites and `make run` use it when this machine has no
# usable /dev/kvm.
#
#   make x86-host   vmlinuz, modules and /init in $(BUILD)/x86-host/
#
# The kernel package is resolved and fetched again only when its version or
# the fetch script changes: fetch-kernel.sh keeps that key in inputs.key and
# rewrites it only when it differs, so a second `make x86-host` does nothing.

X86HOST_DIR     := build/x86-host
X86HOST_SCRIPT  := firmware/x86-host/fetch-kernel.sh
X86HOST_STAMP   := $(X86HOST_DIR)/built.key
# /init and the status probe are static x86-64 programs (the host has no
# libc of its own until the shares are mounted).
X86HOST_CFLAGS  := $(CSTD) $(WARN) -O2 -static -s
X86HOST_PROGS   := $(X86HOST_DIR)/init $(X86HOST_DIR)/status-probe

.PHONY: x86-host x86-host-check x86-host-selftest

x86-host: $(X86HOST_STAMP) $(X86HOST_PROGS)

x86-host-selftest: x86-host
	@firmware/test-host/selftest.sh --arch x86_64

# Always runs (a few apt-cache look-ups); updates inputs.key only when the
# key changed.
x86-host-check:
	@$(X86HOST_SCRIPT) check $(X86HOST_DIR)

$(X86HOST_DIR)/inputs.key: x86-host-check ;

$(X86HOST_STAMP): $(X86HOST_DIR)/inputs.key
	@$(X86HOST_SCRIPT) build $(X86HOST_DIR)

$(X86HOST_DIR)/status-probe: firmware/test-host/status-probe.c
	@mkdir -p $(dir $@)
	gcc $(X86HOST_CFLAGS) -o $@ $<

$(X86HOST_DIR)/init: $(TEST_HOST_INIT_SRCS)
	@mkdir -p $(dir $@)
	gcc $(X86HOST_CFLAGS) -o $@ $(filter %.c,$^)

# ci/x86-run's probe: is there a /dev/kvm irqvm can run x86 guests on?
$(BUILD)/kvm-usable: ci/kvm-usable.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -O2 -o $@ $<
