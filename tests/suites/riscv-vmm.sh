#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The riscv64 irqvm (docs/riscv.md) in the riscv64 KVM test host: the test
# guest tests/riscv/hello.S on 1, 2 and 8 harts and with 4 GiB of RAM, the
# failure paths of the exit device and SBI SRST, and the device tree: the
# blob `irqvm run --dump-dtb` writes is decompiled by dtc and checked, and
# must equal byte for byte the one the guest finds at a1.
#
# TAP; the last line is "riscv-vmm: N passed, N failed, N skipped".
# Environment: RV_SKIP_BUILD=1 uses what is built; RV_BUILD (build/riscv64).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
name=riscv-vmm
LOG=build/test-logs/$name
mkdir -p "$LOG"
RV_BUILD=${RV_BUILD:-build/riscv64}
IRQVM=$RV_BUILD/irqvm
GUESTS=$RV_BUILD/tests/riscv
echo "TAP version 13"

finish() { # [REASON]: a reason when the suite stops early on purpose (a SKIP)
	IT_EXPECTED_SKIP=${1:+"the suite stopped early: $1"}
	it_finish "$name"
	exit
}

# The status irqvm gives a guest power-off without a status (exit_codes.h).
reset_status=$(sed -nE 's/.*IRQVM_EXIT_GUEST_RESET = ([0-9]+).*/\1/p' vmm/core/exit_codes.h)

if [ "${RV_SKIP_BUILD:-0}" != 1 ]; then
	start=$(date +%s)
	make --no-print-directory riscv-vmm >"$LOG/build.log" 2>&1
	it_check "riscv64 irqvm, its libraries and the test guests build ($(( $(date +%s) - start )) s)" \
		$? "see $LOG/build.log"
else
	it_skip "riscv64 irqvm, its libraries and the test guests build (0 s)" "RV_SKIP_BUILD=1: what is built is used"
fi
if [ ! -x "$IRQVM" ] || [ ! -f "$GUESTS/hello.elf" ]; then
	it_not_ok "riscv64 irqvm and the test guests exist" "no $IRQVM or $GUESTS/hello.elf"
	finish
fi
rvhost=${RVHOST_DIR:-build/riscv-host}
if [ ! -f "$rvhost/Image" ]; then
	it_skip "boots in the riscv64 KVM test host" "no $rvhost/Image: run 'make riscv-host'"
	finish "no $rvhost/Image"
fi

hdr=$(riscv64-linux-gnu-readelf -lh "$IRQVM" 2>/dev/null)
grep -q "Machine:.*RISC-V" <<<"$hdr" && ! grep -q "INTERP" <<<"$hdr"
it_check "$IRQVM is a statically linked riscv64 executable" $? "readelf: not RISC-V or dynamic"

# boot LOGNAME IRQVM-ARGS...: run irqvm in the test host with the guests in
# /riscv and the config at /riscv/hello.json; sets $st and $log.
boot() {
	local tag=$1
	shift
	log=$LOG/$tag.log
	ci/host-run --arch riscv64 --timeout 120 --log "$log" --add "$IRQVM:/irqvm" --add "$GUESTS:/riscv" \
		--add tests/riscv/hello.json:/riscv/hello.json -- "$@" >/dev/null 2>&1
	st=$?
}

has() { grep -qF -- "$1" "$log"; }

# Power-off with a status: 0 when the neutral core hands SRST's reason to
# the architecture (vmm/core/vcpu.c), else irqvm's status for a plain power-off.
check_srst_status() { # name expected
	if [ "$st" -eq "$2" ]; then
		it_ok "$1: exit status $2 from the SBI SRST reason"
	elif [ "$st" -eq "$reset_status" ]; then
		it_ok "$1: exit status $st (power-off; the core does not pass SRST reasons to the arch)"
	else
		it_not_ok "$1: exit status" "status $st, wanted $2 (or $reset_status), see $log"
	fi
}

# --- hello on two harts
t0=$(date +%s.%N)
boot hello2 /irqvm run /riscv/hello.json
t1=$(date +%s.%N)
check_srst_status "hello, 2 harts" 0
if has "cannot create the event loop: Function not implemented"; then
	echo "# the test host kernel lacks epoll/signalfd/timerfd, which irqvm's event loop needs:"
	echo "# add CONFIG_EPOLL=y CONFIG_SIGNALFD=y CONFIG_TIMERFD=y to firmware/riscv-host/kvm-host.config"
fi
has "hello: legacy SBI putchar works"
it_check "legacy SBI putchar reaches the console" $? "see $log"
has "hello: the UART at 0x10000000 works"
it_check "the 16550 UART on the MMIO bus reaches the console" $? "see $log"
has "hello: boot a0=0000000000000000 a1=0000000083e00000"
it_check "boot hart starts with a0 = 0 and a1 = the device tree at the top of 64 MiB" $? "see $log"
has "hello: device tree magic ok"
it_check "the device tree magic is at a1" $? "see $log"
has "hello: SBI DBCN console_write works"
it_check "SBI DBCN is probed and console_write works" $? "see $log"
has "hello: unsupported SBI call answered NOT_SUPPORTED"
it_check "an unsupported forwarded SBI call gets SBI_ERR_NOT_SUPPORTED" $? "see $log"
has "hello: hart 1 was STOPPED, started by SBI HSM with a0=1 a1=opaque"
it_check "hart 1 starts STOPPED and SBI HSM starts it with a0/a1" $? "see $log"
has "hello: PASS"
it_check "hello passes every check" $? "see $log"
echo "# hello on 2 harts: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s boot + run"

# --- one hart, and the top of a 4 GiB RAM (RAM above 4 GiB guest-physical)
boot hello1 /irqvm run --set vcpus=1 /riscv/hello.json
check_srst_status "hello, 1 hart" 0
has "hello: one hart only, HSM start not tried" && has "hello: PASS"
it_check "hello passes on one hart" $? "see $log"

boot hello4g /irqvm run --set memory_mib=4096 /riscv/hello.json
has "a1=000000017fe00000" && has "hello: PASS"
it_check "4 GiB of RAM: the device tree sits at 0x17fe00000 and hello passes" $? "see $log"

# --- failure paths
boot hello-fail /irqvm run --set kernel=/riscv/hello-fail.elf /riscv/hello.json
[ "$st" -eq 3 ] && has "hello: FAIL no device tree magic at a1"
it_check "a failed check exits 3 through the sifive_test device" $? "status $st, see $log"

boot hello-fail-srst /irqvm run --set kernel=/riscv/hello-fail.elf --set devices.exit=false \
	/riscv/hello.json
check_srst_status "without the exit device, SRST 'system failure'" 1

# --- the device tree: --dump-dtb, dtc, and what the guest sees
boot dump /riscv/hexdump-after /tmp/irqvm.dtb /irqvm run --dump-dtb /tmp/irqvm.dtb /riscv/hello.json
dtb=$LOG/irqvm.dtb
sed -n 's/^hexdump: //p' "$log" | tr -d '\r' | xxd -r -p >"$dtb"
! has "hello:" && [ "$st" -eq 0 ] && [ -s "$dtb" ]
it_check "irqvm run --dump-dtb writes the blob and exits 0 without running the guest" $? \
	"status $st, see $log"
# interrupt_provider wants #address-cells in every interrupt controller,
# but the riscv,cpu-intc binding allows no other properties (Linux builds its
# own device trees with this check off too).
dtc -Wno-interrupt_provider -I dtb -O dts -o "$LOG/irqvm.dts" "$dtb" 2>"$LOG/dtc.err"
it_check "dtc decompiles the dumped blob" $? "$(head -3 "$LOG/dtc.err")"
[ -f "$LOG/irqvm.dts" ] && [ ! -s "$LOG/dtc.err" ]
it_check "dtc has no warnings about it" $? "$(head -3 "$LOG/dtc.err" | tr '\n' ' ')"
# dtc 1.6 prints a string list taken from a blob as "a\0b"; newer ones as "a", "b".
dts=$LOG/irqvm.norm.dts
sed 's/\\0/", "/g' "$LOG/irqvm.dts" >"$dts" 2>/dev/null
dts_has() { # name pattern...
	local what=$1 p
	shift
	for p in "$@"; do
		grep -qE -- "$p" "$dts" || { it_not_ok "device tree: $what" "no /$p/ in $dts"; return; }
	done
	it_ok "device tree: $what"
}
dts_has "memory node covers 64 MiB at 0x80000000" 'memory@80000000 \{' \
	'reg = <0x00 0x80000000 0x00 0x4000000>;' 'device_type = "memory";'
dts_has "two cpu nodes with riscv,isa, mmu-type and a cpu-intc each" 'cpu@0 \{' 'cpu@1 \{' \
	'riscv,isa = "rv64ima' 'riscv,isa-base = "rv64i";' 'riscv,isa-extensions = "i", "m", "a"' \
	'mmu-type = "riscv,sv(39|48|57)";' 'compatible = "riscv,cpu-intc";' '#interrupt-cells = <0x01>;'
dts_has "timebase-frequency from KVM's timer (10 MHz under QEMU)" \
	'timebase-frequency = <0x989680>;'
dts_has "16550 UART node and stdout-path" 'serial@10000000 \{' 'compatible = "ns16550a";' \
	'stdout-path = "/soc/serial@10000000";'
dts_has "sifive_test device with syscon poweroff/reboot" 'test@100000 \{' \
	'compatible = "sifive,test1", "sifive,test0", "syscon";' 'compatible = "syscon-poweroff";' \
	'value = <0x5555>;' 'compatible = "syscon-reboot";' 'value = <0x7777>;'
dts_has "chosen holds the config's cmdline" 'bootargs = "console=hvc0 irqvm.test=hello";'

boot hello-fdt /irqvm run --set kernel=/riscv/hello-fdt.elf /riscv/hello.json
sed -n 's/^hello-fdt: //p' "$log" | tr -d '\r' | xxd -r -p >"$LOG/guest.dtb"
cmp -s "$dtb" "$LOG/guest.dtb" && has "hello: PASS"
it_check "the guest finds at a1 exactly the blob --dump-dtb wrote" $? \
	"$(cmp "$dtb" "$LOG/guest.dtb" 2>&1 | head -1)"

boot dump8 /riscv/hexdump-after /tmp/irqvm.dtb /irqvm run --set vcpus=8 --dump-dtb /tmp/irqvm.dtb \
	/riscv/hello.json
sed -n 's/^hexdump: //p' "$log" | tr -d '\r' | xxd -r -p >"$LOG/irqvm8.dtb"
n=$(dtc -I dtb -O dts "$LOG/irqvm8.dtb" 2>/dev/null | grep -cE '^\s+cpu@[0-7] \{')
[ "$n" -eq 8 ]
it_check "8 vCPUs: 8 cpu nodes" $? "$n cpu nodes, see $log"

finish
