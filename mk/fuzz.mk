# libFuzzer harnesses (tests/fuzz/, docs/testing.md "Fuzzing"): one binary per
# tests/fuzz/fuzz_<target>.c, linked against every VMM object rebuilt with
# clang and the address and undefined-behaviour sanitizers.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="pic8259 ioapic"]
#                      each target for FUZZ_SECONDS on its corpus (the seeds of
#                      tests/fuzz/corpus/<target>/ plus what earlier runs found,
#                      kept in build/fuzz/<target>/corpus); a table of runs and
#                      coverage; exit 1 on any crash, whose input stays in
#                      build/fuzz/<target>/
#   make fuzz-smoke [FUZZ_SMOKE_SECONDS=5]
#                      each target for a few seconds from a scratch copy of its
#                      committed seeds only; TAP lines and
#                      "fuzz: N passed, N failed, 0 skipped"
#   make fuzz-build    only the binaries (build/fuzz/bin/<target>)

FUZZ_CC        ?= clang
FUZZ_SECONDS   ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all
# clang warns about two idioms the VMM uses on purpose and gcc accepts: KVM's
# variable-sized structs inside a union with their entries, and a string
# constant's tail taken as FDT_SOC_PATH + 1.
FUZZ_WARN      := $(WARN) -Wno-gnu-variable-sized-type-not-at-end -Wno-string-plus-int
FUZZ_CFLAGS    := $(CSTD) $(FUZZ_WARN) -O1 -g -fno-omit-frame-pointer -Iinclude -I. -MMD -MP \
                  -DIRQVM_VERSION='"$(VERSION)"' -DIRQVM_GIT_REV='"$(GIT_REV)"' $(FUZZ_SAN)
FUZZ_LIB_OBJS  := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(filter-out cli/main.c,$(HOST_SRCS)))
FUZZ_LIB       := $(FUZZ_DIR)/libirqvm-fuzz.a
FUZZ_SRCS      := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_ALL       := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_TARGETS   ?= $(FUZZ_ALL)
FUZZ_BINS      := $(patsubst %,$(FUZZ_DIR)/bin/%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-deps

# clang and its fuzzer/sanitizer runtimes are in the "test" group of
# ci/install-deps.sh (installed when root, else the apt-get line is printed).
fuzz-deps:
	@ci/install-deps.sh test

$(FUZZ_DIR)/obj/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/bin/%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(HOST_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/fuzz/run.sh full $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	@tests/fuzz/run.sh smoke $(FUZZ_SMOKE_SECONDS) $(FUZZ_DIR) $(FUZZ_TARGETS)

-include $(FUZZ_LIB_OBJS:.o=.d) $(patsubst %,$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.d,$(FUZZ_ALL))

# The harness objects are intermediate to make; keep them for relinking.
.SECONDARY: $(patsubst %,$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_ALL))
