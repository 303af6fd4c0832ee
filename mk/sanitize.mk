# irqvm built with the compiler's run-time checkers, for the sanitize suite
# (tests/suites/sanitize.sh, run by make test):
#
#   make sanitize-build   build/asan/irqvm  AddressSanitizer + UndefinedBehaviorSanitizer
#                         build/tsan/irqvm  ThreadSanitizer
#
# Each is the ordinary build in its own tree (BUILD=build/asan, build/tsan),
# the sanitizer flags passed through EXTRA_CFLAGS, which reach the compile
# and the link. Nothing is recovered from: the first report ends irqvm.

SAN_ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer

.PHONY: sanitize-build

sanitize-build:
	@$(MAKE) --no-print-directory BUILD=build/asan EXTRA_CFLAGS="$(SAN_ASAN_FLAGS)" build/asan/irqvm
	@$(MAKE) --no-print-directory BUILD=build/tsan EXTRA_CFLAGS="$(SAN_TSAN_FLAGS)" build/tsan/irqvm
