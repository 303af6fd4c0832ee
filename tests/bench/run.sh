#!/usr/bin/env bash
# make bench: speed figures on this host. Reported, never asserted.
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build/bench
gcc -O2 -Wall -Wextra -Werror -o build/bench/msi_paths tests/bench/msi_paths.c || exit 1
echo "== MSI injection paths (split irqchip, host side)"
build/bench/msi_paths

echo "== guest kernel: boot to exit, configs/x86-demo.json (3 runs)"
for i in 1 2 3; do
	s=$(date +%s%N)
	build/irqvm run configs/x86-demo.json >/dev/null 2>&1
	st=$?
	e=$(date +%s%N)
	echo "bench: run $i: $(( (e - s) / 1000000 )) ms, exit status $st"
done
