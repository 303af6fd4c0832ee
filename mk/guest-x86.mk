# The bundled x86-64 guest kernel: guest/common (architecture-neutral) plus
# guest/x86, freestanding, no SSE/x87 (see docs/guest.md for why).

GUEST_X86_CC      ?= gcc
GUEST_X86_DIR     := $(BUILD)/guest/x86
GUEST_X86_ELF     := $(GUEST_X86_DIR)/kernel.elf
GUEST_X86_CFLAGS  := -std=c11 -ffreestanding -fno-builtin -fno-pic -fno-pie \
                     -fno-stack-protector -fno-asynchronous-unwind-tables \
                     -fcf-protection=none -fno-omit-frame-pointer \
                     -fno-jump-tables \
                     -mno-red-zone -mgeneral-regs-only -mcmodel=small \
                     -O2 -g -Wall -Wextra -Werror -Wshadow \
                     -Wstrict-prototypes -Wmissing-prototypes \
                     -DGUEST_VERSION='"$(VERSION)"' \
                     -Iinclude -Iguest/include -Iguest -MMD -MP
GUEST_X86_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
                     -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack \
                     -T guest/x86/linker.ld

GUEST_X86_SRCS    := $(wildcard guest/common/*.c) $(wildcard guest/x86/*.c) \
                     $(wildcard guest/x86/*.S)
GUEST_X86_OBJS    := $(patsubst %,$(GUEST_X86_DIR)/obj/%.o,$(GUEST_X86_SRCS))

$(GUEST_X86_DIR)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(GUEST_X86_CC) $(GUEST_X86_CFLAGS) -c $< -o $@

$(GUEST_X86_DIR)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(GUEST_X86_CC) $(GUEST_X86_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Flags live here: rebuild everything when they change.
$(GUEST_X86_OBJS): mk/guest-x86.mk

# The object list, rewritten only when it changes, so that adding or
# removing a source file relinks the kernel.
GUEST_X86_OBJLIST := $(GUEST_X86_DIR)/objects.list
.PHONY: guest-x86-force
guest-x86-force:
$(GUEST_X86_OBJLIST): guest-x86-force
	@mkdir -p $(dir $@)
	@echo '$(GUEST_X86_OBJS)' | cmp -s - $@ || echo '$(GUEST_X86_OBJS)' > $@

$(GUEST_X86_ELF): $(GUEST_X86_OBJS) $(GUEST_X86_OBJLIST) guest/x86/linker.ld
	$(GUEST_X86_CC) $(GUEST_X86_CFLAGS) $(GUEST_X86_LDFLAGS) -o $@ $(GUEST_X86_OBJS) -lgcc

ifeq ($(ARCH),x86_64)
guest: $(GUEST_X86_ELF)
endif

-include $(GUEST_X86_OBJS:.o=.d)
