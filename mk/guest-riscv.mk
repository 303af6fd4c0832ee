# The bundled riscv64 guest kernel: guest/common (architecture-neutral) plus
# guest/riscv, freestanding, built with the riscv64 cross compiler into
# build/guest/riscv/kernel.elf (docs/guest.md, "RISC-V port"). The kernel
# is the same whatever ARCH irqvm is built for, so its directory does not
# follow $(BUILD). `make guest` builds it when the cross compiler exists.
# No -lgcc: the cross libgcc is lp64d; guest/riscv/libgcc.c has what is needed.

GUEST_RV_CC      ?= riscv64-linux-gnu-gcc
GUEST_RV_DIR     ?= build/guest/riscv
GUEST_RV_ELF     := $(GUEST_RV_DIR)/kernel.elf
GUEST_RV_CFLAGS  := -std=c11 -ffreestanding -fno-builtin -fno-pic -fno-pie \
                    -fno-stack-protector -fno-asynchronous-unwind-tables \
                    -fno-omit-frame-pointer -fno-jump-tables \
                    -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
                    -O2 -g -Wall -Wextra -Werror -Wshadow \
                    -Wstrict-prototypes -Wmissing-prototypes \
                    -DGUEST_VERSION='"$(VERSION)"' \
                    -Iinclude -Iguest/include -Iguest -I. -MMD -MP
GUEST_RV_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
                    -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack \
                    -Wl,--no-warn-rwx-segments -T guest/riscv/linker.ld

GUEST_RV_SRCS    := $(wildcard guest/common/*.c) $(wildcard guest/riscv/*.c) \
                    $(wildcard guest/riscv/*.S)
GUEST_RV_OBJS    := $(patsubst %,$(GUEST_RV_DIR)/obj/%.o,$(GUEST_RV_SRCS))

$(GUEST_RV_DIR)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(GUEST_RV_CC) $(GUEST_RV_CFLAGS) -c $< -o $@

$(GUEST_RV_DIR)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(GUEST_RV_CC) $(GUEST_RV_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Flags live here: rebuild everything when they change.
$(GUEST_RV_OBJS): mk/guest-riscv.mk

# The object list, rewritten only when it changes, so that adding or
# removing a source file relinks the kernel.
GUEST_RV_OBJLIST := $(GUEST_RV_DIR)/objects.list
.PHONY: guest-riscv guest-riscv-force
guest-riscv-force:
$(GUEST_RV_OBJLIST): guest-riscv-force
	@mkdir -p $(dir $@)
	@echo '$(GUEST_RV_OBJS)' | cmp -s - $@ || echo '$(GUEST_RV_OBJS)' > $@

$(GUEST_RV_ELF): $(GUEST_RV_OBJS) $(GUEST_RV_OBJLIST) guest/riscv/linker.ld
	$(GUEST_RV_CC) $(GUEST_RV_CFLAGS) $(GUEST_RV_LDFLAGS) -o $@ $(GUEST_RV_OBJS)

guest-riscv: $(GUEST_RV_ELF)

# Part of `make guest` (any ARCH) where the cross compiler is installed;
# without it the x86-64 build goes on alone.
ifneq ($(shell command -v $(GUEST_RV_CC) 2>/dev/null),)
guest: $(GUEST_RV_ELF)
endif

-include $(GUEST_RV_OBJS:.o=.d)
