# Tiny assembly guests for the VMM's own integration tests (tests/suites/vmm.sh).

TEST_GUEST_DIR  := $(BUILD)/tests/guests
TEST_GUEST_SRCS := $(wildcard tests/guests/*.S) $(wildcard tests/guests/*.c)
TEST_GUESTS     := $(patsubst tests/guests/%,$(TEST_GUEST_DIR)/%.elf,$(basename $(TEST_GUEST_SRCS)))
TEST_GUEST_LD   := -N -Ttext=0x100000 -e _start -z noexecstack --no-warn-rwx-segments

$(TEST_GUEST_DIR)/%.elf: tests/guests/%.S tests/guests/common.h
	@mkdir -p $(dir $@)
	$(GUEST_X86_CC) -c -Itests/guests $< -o $(@:.elf=.o)
	ld $(TEST_GUEST_LD) -o $@ $(@:.elf=.o)

# C guests: freestanding, no SSE (ring 0 may be emulated), entered at _start.
$(TEST_GUEST_DIR)/%.elf: tests/guests/%.c include/irqvm/abi.h
	@mkdir -p $(dir $@)
	$(GUEST_X86_CC) -std=c11 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
		-mno-red-zone -mgeneral-regs-only -fcf-protection=none -Wall -Wextra -Werror \
		-Iinclude -c $< -o $(@:.elf=.o)
	ld $(TEST_GUEST_LD) -o $@ $(@:.elf=.o)

ifeq ($(ARCH),x86_64)
test-guests: $(TEST_GUESTS)
else
test-guests:
endif
.PHONY: test-guests
