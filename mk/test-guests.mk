# Tiny assembly guests for the VMM's own integration tests (tests/suites/vmm.sh).

TEST_GUEST_DIR  := $(BUILD)/tests/guests
TEST_GUEST_SRCS := $(wildcard tests/guests/*.S)
TEST_GUESTS     := $(patsubst tests/guests/%.S,$(TEST_GUEST_DIR)/%.elf,$(TEST_GUEST_SRCS))

$(TEST_GUEST_DIR)/%.elf: tests/guests/%.S tests/guests/common.h
	@mkdir -p $(dir $@)
	$(GUEST_X86_CC) -c -Itests/guests $< -o $(@:.elf=.o)
	ld -N -Ttext=0x100000 -e _start -z noexecstack --no-warn-rwx-segments -o $@ $(@:.elf=.o)

ifeq ($(ARCH),x86_64)
test-guests: $(TEST_GUESTS)
else
test-guests:
endif
.PHONY: test-guests
