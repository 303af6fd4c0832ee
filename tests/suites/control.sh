#!/usr/bin/env bash
# The control socket and its CLI (docs/control.md), driven against a running
# guest: socket life cycle, protocol robustness, every injection kind, storms
# of every pattern and target with the accounting identity and the guest's
# counts, bad arguments, and 10 s "max" storms to 1- and 4-vCPU guests.
#
# The guest is the bundled kernel in serve mode (cmdline "serve") when it
# registers a statistics page; until it has that mode, a stub serve guest
# (tests/suites/control-stub/stub.c) stands in; CONTROL_GUEST=stub or
# CONTROL_GUEST=bundled forces the choice. Checks that need guest cooperation
# the chosen guest does not offer are skipped, with the reason.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

IRQVM=${IRQVM:-build/irqvm}
LOG=${LOGDIR:-build/test-logs}/control
WORK=build/control-test
STUB=build/control-stub/stub.elf
KERNEL=build/guest/x86/kernel.elf
mkdir -p "$LOG" "$WORK" "$(dirname "$STUB")"
# Socket paths must fit sun_path (108 bytes): keep them short, under /tmp.
SOCKDIR=$(mktemp -d /tmp/irqvm-ctl.XXXXXX)
VM_PID=
SOCK=

WATCHDOG=
cleanup() {
	[ -n "$WATCHDOG" ] && kill "$WATCHDOG" 2>/dev/null
	[ -n "$VM_PID" ] && kill -KILL "$VM_PID" 2>/dev/null
	rm -rf "$SOCKDIR"
}
trap cleanup EXIT
echo "TAP version 13"

# The TAP stream, for diagnostics from inside command substitutions.
exec 3>&1
# c cmd args...: a client command against the current VM.
c() {
	local cmd=$1; shift
	"$IRQVM" "$cmd" --socket "$SOCK" "$@"
}
# Clients are bounded by one watchdog for the whole suite, not a `timeout`
# per command (in the emulated x86 host each process costs ~0.15 s, and the
# suite runs ~300 clients): a client of this suite (its --socket under
# $SOCKDIR) still running after C_LIMIT seconds (a storm of a few hundred
# events takes well under one) is stopped, its VM's state goes to the TAP
# stream and the command to $STUCK, so a hang fails a check instead of the
# suite. Stopped means SIGTERM, then SIGKILL 5 s later.
C_LIMIT=180
STUCK=$WORK/stuck-clients.txt
: >"$STUCK"
rm -rf "$WORK"/described.*
# vm_serving SOCKET: the pid of the `irqvm run` of this suite serving
# SOCKET (--api-socket), if any; looked up only for a stuck client.
vm_serving() {
	local d f
	local -a args
	for d in /proc/[0-9]*; do
		mapfile -d "" args 2>/dev/null <"$d/cmdline" || continue
		[ "${args[0]:-}" = "$IRQVM" ] && [ "${args[1]:-}" = run ] || continue
		for ((f = 2; f < ${#args[@]} - 1; f++)); do
			[ "${args[f]}" = --api-socket ] && [ "${args[f + 1]}" = "$1" ] && { echo "${d#/proc/}"; return; }
		done
	done
}
client_watchdog() {
	local hz up d pid stat f age sock vm tick stopped_at
	local -a args fields
	hz=$(getconf CLK_TCK)
	exec {tick}<> <(:)	# read -t on it sleeps without a process
	while :; do
		read -r -t 2 -u "$tick" _
		read -r up _ </proc/uptime; up=${up%.*}
		for d in /proc/[0-9]*; do
			pid=${d#/proc/}
			mapfile -d "" args 2>/dev/null <"$d/cmdline" || continue
			[ "${args[0]:-}" = "$IRQVM" ] && [ "${args[1]:-}" != run ] || continue
			sock=
			for ((f = 2; f < ${#args[@]} - 1; f++)); do
				[ "${args[f]}" = --socket ] && sock=${args[f + 1]}
			done
			[[ $sock == "$SOCKDIR"/* ]] || continue
			read -r stat 2>/dev/null <"$d/stat" || continue
			read -ra fields <<<"${stat##*) }"	# from field 3 (state) on
			read -r up _ </proc/uptime; up=${up%.*}	# now: a diagnosis may have taken long
			age=$((up - fields[19] / hz))	# field 22: start, in ticks since boot
			[ "$age" -gt "$C_LIMIT" ] || continue
			if [ -e "$WORK/stopped.$pid" ]; then
				# SIGTERM went at least one scan ago: SIGKILL once 5 s passed.
				read -r stopped_at 2>/dev/null <"$WORK/stopped.$pid"
				[ $((EPOCHSECONDS - ${stopped_at:-0})) -lt 5 ] || kill -KILL "$pid" 2>/dev/null
			else
				echo "$EPOCHSECONDS" >"$WORK/stopped.$pid"
				echo "irqvm ${args[*]:1}" >>"$STUCK"
				echo "# irqvm ${args[*]:1} did not finish within $C_LIMIT s" >&3
				vm=$(vm_serving "$sock")
				# The VM's state once per VM (clients may be stuck in parallel).
				if [ -n "$vm" ] && mkdir "$WORK/described.$vm" 2>/dev/null; then
					{ echo "# the VM ($vm) was doing:"; hang_diag "$vm" | it_diag; } >&3
				fi
				kill -TERM "$pid" 2>/dev/null
			fi
		done
	done
}
rm -f "$WORK"/stopped.*
client_watchdog &
WATCHDOG=$!
# jnum KEY, jbool KEY: the value of the last "KEY":N (or true/false) in the
# first stdin line that has one. In bash itself: in the emulated x86 host
# every process costs ~0.1 s, and sed | head ran ~400 times a suite.
jnum() { jvalue "$1" '-?[0-9]+'; }
jbool() { jvalue "$1" 'true|false'; }
jvalue() { # KEY VALUE-REGEX
	local line re=".*\"$1\":($2)"
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ $re ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
	done
	return 0
}
src() { # source name: its stats line (empty if it does not exist)
	c stats --json --source "$1" | grep -F "\"source\":\"$1\""
}
settle() { # source: wait until its guest_handled stops changing, print its stats line
	local last=-1 now line end=$((SECONDS + 30))
	while [ $SECONDS -lt $end ]; do
		line=$(src "$1")
		now=$(jnum guest_handled <<<"$line")
		[ "$now" = "$last" ] && break
		last=$now
		sleep 0.1
	done
	echo "$line"
}
ms_now() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# storm_running TARGET PID: waits (30 s at most) until the VM lists a running
# storm on TARGET (as irqvm names it, e.g. msi:0:117) started by the client
# PID; a client takes seconds to start in the emulated host, so a fixed
# sleep is not enough. Fails if the client ended or the storm never showed.
storm_running() {
	local end=$((SECONDS + 30))
	while [ $SECONDS -lt $end ]; do
		c query --json 2>/dev/null | grep -o '{[^{}]*"target":"'"$1"'"[^{}]*}' | grep -q '"state":"running"' && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# dump_complete file vcpus: the text interrupt-state dump shows both PICs,
# names every IOAPIC pin and each vCPU, and each vCPU answered with its LAPIC.
dump_complete() {
	local f=$1 n=$2 pin cpu
	grep -q "^PIC master IRR=" "$f" && grep -q "^PIC slave  IRR=" "$f" &&
		grep -q "^IOAPIC id .*24 pins" "$f" && grep -q "^=== end of interrupt state ===" "$f" || return 1
	for pin in $(seq 0 23); do grep -Eq "^ +$pin +0x[0-9a-f]{2} " "$f" || return 1; done
	for cpu in $(seq 0 $((n - 1))); do grep -q "^vCPU $cpu: .*mp_state" "$f" || return 1; done
	[ "$(grep -c '^  LAPIC id ' "$f")" = "$n" ]
}

# start_vm name vcpus kernel cmdline [extra irqvm args]: waits for the socket.
start_vm() {
	local name=$1 vcpus=$2 kernel=$3 cmdline=$4; shift 4
	SOCK=$SOCKDIR/$name.sock
	printf '{"vcpus": %s, "memory_mib": 64, "kernel": "%s", "cmdline": "%s", "timeout": 1500}\n' \
		"$vcpus" "$PWD/$kernel" "$cmdline" >"$WORK/$name.json"
	"$IRQVM" run "$WORK/$name.json" --api-socket "$SOCK" "$@" >"$LOG/$name.out" 2>"$LOG/$name.err" 3>&- &
	VM_PID=$!
	local end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ]; do
		c query --json >/dev/null 2>&1 && break
		kill -0 "$VM_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	# A serve guest sets its serve flag once its routes, CPUs and tasks are up.
	end=$((SECONDS + 120))
	while [ $SECONDS -lt $end ]; do
		[[ $(c query --json 2>/dev/null) =~ \"guest_stats\":\{\"registered\":true,.*\"serve\":true ]] && return 0
		kill -0 "$VM_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
stop_vm() { # quit and wait (60 s at most): the exit status in VM_STATUS
	c quit >/dev/null 2>&1
	wait_bounded "$VM_PID" 60
	VM_STATUS=$?
	VM_PID=
}

# ---------------------------------------------------------------- CLI alone

for cmd in inject msi ipi nmi stats storm pause resume quit query call info; do
	"$IRQVM" "$cmd" --help >"$LOG/help.out" 2>&1; st=$?
	it_check "irqvm $cmd --help prints its usage and exits 0" \
		$([ $st -eq 0 ] && grep -q "usage: irqvm $cmd" "$LOG/help.out"; echo $?) "status $st"
done
"$IRQVM" --help | grep -q "storm"
it_check "irqvm --help lists the client commands" $? "no storm in the command list"

# Bad arguments are refused before any connection (the socket does not
# exist: had the client connected it would exit 3, not 2).
NOSOCK=$SOCKDIR/none.sock
bad_args() { # description expected-message cmd args...
	local what=$1 msg=$2; shift 2
	"$IRQVM" "$@" --socket "$NOSOCK" >"$LOG/bad.out" 2>"$LOG/bad.err"; local st=$?
	it_check "bad arguments: $what -> status 2, '$msg', nothing sent" \
		$([ $st -eq 2 ] && grep -qi -- "$msg" "$LOG/bad.err"; echo $?) "status $st: $(cat "$LOG/bad.err")"
}
bad_args "unknown storm target" "unknown target" storm --target pin:4 --rate 10 --count 1
bad_args "vector below 16" "reserved for exceptions" storm --target msi:0:15 --rate 10 --count 1
bad_args "msi vector below 16" "reserved for exceptions" msi --cpu 0 --vector 8
bad_args "ipi vector 256" "out of range" ipi --cpu 0 --vector 256
bad_args "negative rate" "rate must be positive" storm --target msi:0:64 --rate -5/s --count 1
bad_args "zero rate" "rate must be positive" storm --target msi:0:64 --rate 0 --count 1
bad_args "count and duration together" "exactly one" storm --target msi:0:64 --rate 10 --count 1 --duration 1s
bad_args "neither count nor duration" "exactly one" storm --target msi:0:64 --rate 10
bad_args "burst of 0" "at least 1" storm --target msi:0:64 --rate 10 --count 1 --pattern burst:0
bad_args "unknown pattern" "unknown pattern" storm --target msi:0:64 --rate 10 --count 1 --pattern zigzag
bad_args "poisson at max rate" "needs a rate" storm --target msi:0:64 --rate max --count 1 --pattern poisson
bad_args "CPU beyond any VM" "out of range" msi --cpu 8 --vector 64
bad_args "ISA IRQ 2 (cascade)" "cascade" inject --irq 2
bad_args "ISA IRQ 16" "out of range" inject --irq 16
bad_args "unknown level" "unknown level" inject --irq 4 --level medium
bad_args "irq and gsi together" "exactly one" inject --irq 4 --gsi 4
bad_args "negative duration" "must be positive" storm --target msi:0:64 --rate 10 --duration -1s
bad_args "irqfd with a line target" "irqfd takes msi" storm --target irq:4 --rate 10 --count 1 --via irqfd
bad_args "unknown pace" "unknown pace" storm --target msi:0:64 --count 1 --pace host
bad_args "no rate without --pace guest" "give --target and --rate" storm --target msi:0:64 --count 1
bad_args "pace guest via irqfd" "pace guest is for storms the VMM drives" storm --target msi:0:64 --count 1 --pace guest --via irqfd
bad_args "nmi --via bogus" "unknown --via" nmi --cpu 0 --via bogus
bad_args "info of an unknown subject" "unknown subject" info pic
env -u IRQVM_SOCKET "$IRQVM" stats >/dev/null 2>"$LOG/bad.err"; st=$?
it_check "no --socket and no IRQVM_SOCKET -> status 2 and a hint" \
	$([ $st -eq 2 ] && grep -q "IRQVM_SOCKET" "$LOG/bad.err"; echo $?) "status $st"
"$IRQVM" stats --socket "$NOSOCK" >/dev/null 2>"$LOG/bad.err"; st=$?
it_check "a socket nobody listens on -> status 3 (cannot connect)" \
	$([ $st -eq 3 ] && grep -q "cannot connect" "$LOG/bad.err"; echo $?) "status $st"

# ---------------------------------------------------------------- the guest

# CONTROL_GUEST=stub|bundled forces the choice (default: the bundled kernel if it serves).
CONTROL_GUEST=${CONTROL_GUEST:-auto}
GUEST=
if [ "$CONTROL_GUEST" != stub ] && [ -x "$KERNEL" ]; then
	if start_vm probe 1 "$KERNEL" serve; then
		GUEST=bundled
		GUEST_KERNEL=$KERNEL GUEST_CMDLINE=serve
	fi
	kill -KILL "$VM_PID" 2>/dev/null; wait "$VM_PID" 2>/dev/null; VM_PID=
fi
if [ -z "$GUEST" ] && [ "$CONTROL_GUEST" != bundled ]; then
	if gcc -std=c11 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector \
		-fno-asynchronous-unwind-tables -fcf-protection=none -mno-red-zone \
		-mgeneral-regs-only -O2 -Wall -Wextra -Werror -Iinclude -nostdlib -static -no-pie \
		-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack \
		-Wl,-Ttext-segment=0x100000 -o "$STUB" tests/suites/control-stub/stub.c 2>"$LOG/stub.err"; then
		GUEST=stub
		GUEST_KERNEL=$STUB GUEST_CMDLINE=
	fi
fi
# The expected list is that of the bundled guest, which routes every kind of
# line and has a statistics page; the stub skips what it cannot do under
# other names.
[ "$GUEST" != stub ] || IT_EXPECTED_SKIP="the expected list is the bundled guest's; the stub guest skips checks it cannot do"
if [ -z "$GUEST" ]; then
	it_not_ok "a serve guest is available" "no serve-mode kernel and the stub does not build: $(head -3 "$LOG/stub.err")"
	it_finish control
	exit 1
fi
echo "# guest: $GUEST ($GUEST_KERNEL${GUEST_CMDLINE:+, cmdline $GUEST_CMDLINE})"

# The main VM's whole life, from its start to its quit, as one unit: when it
# ends in the emulated x86 host's known guest triple fault (docs/test-hosts.md,
# the same policy as the integration runs and the max storms below), its
# checks are held back, one TODO says so, and the session runs once more.
main_vm_session() {
# ---------------------------------------------------------------- socket life

start_vm main 2 "$GUEST_KERNEL" "$GUEST_CMDLINE"
it_check "irqvm run --api-socket opens the socket and answers query" $? "$(tail -3 "$LOG/main.err")"
mode=$(stat -c %a "$SOCK" 2>/dev/null)
it_check "the socket has mode 0600" $([ "$mode" = 600 ]; echo $?) "mode $mode"

printf '{"kernel": "%s", "memory_mib": 32}\n' "$PWD/$GUEST_KERNEL" >"$WORK/second.json"
timeout 20 "$IRQVM" run "$WORK/second.json" --api-socket "$SOCK" >/dev/null 2>"$LOG/second.err"; st=$?
it_check "a second irqvm refuses a live socket path (status 4) and names the problem" \
	$([ $st -eq 4 ] && grep -q "in use" "$LOG/second.err"; echo $?) "status $st: $(cat "$LOG/second.err")"
c query --json >/dev/null
it_check "the first VM still answers after the refused second start" $? "no answer"

touch "$SOCKDIR/plain-file"
timeout 20 "$IRQVM" run "$WORK/second.json" --api-socket "$SOCKDIR/plain-file" >/dev/null 2>"$LOG/second.err"; st=$?
it_check "an existing non-socket path is refused and left alone" \
	$([ $st -ne 0 ] && [ -f "$SOCKDIR/plain-file" ] && grep -q "not a socket" "$LOG/second.err"; echo $?) "status $st: $(cat "$LOG/second.err")"

# ---------------------------------------------------------------- protocol

Q=$(c query --json)
nv=$(jnum vcpus <<<"$Q")
it_check "query reports the VM (2 vCPUs, split irqchip, 24 lines)" \
	$([ "$nv" = 2 ] && grep -q '"irqchip":"split"' <<<"$Q" && grep -q '"nr_lines":24' <<<"$Q"; echo $?) "$Q"
c query >"$LOG/query.txt"
it_check "query prints a human description" $(grep -q "^VM: x86_64, 2 vCPUs" "$LOG/query.txt"; echo $?) "$(head -3 "$LOG/query.txt")"

printf 'garbage\n{"id":1,"cmd":"query"}\n' | c call --raw >"$LOG/raw.out"
it_check "garbage gets a parse_error and the same connection keeps working" \
	$(grep -q '"code":"parse_error"' "$LOG/raw.out" && grep -q '"id":1,"ok":true' "$LOG/raw.out"; echo $?) "$(cat "$LOG/raw.out")"
printf '{"id":"a","cmd":"frobnicate"}\n{"id":"b","cmd":"msi","args":{"cpu":0,"vektor":64}}\n{"id":"c","cmd":"inject","args":[]}\n' |
	c call --raw >"$LOG/raw.out"
it_check "unknown command, unknown argument and bad args are distinct errors with the id echoed" \
	$(grep -q '"id":"a","ok":false,"error":{"code":"unknown_command"' "$LOG/raw.out" &&
	  grep -q '"id":"b","ok":false,"error":{"code":"invalid_argument","message":"unknown argument \\"vektor\\"' "$LOG/raw.out" &&
	  grep -q '"id":"c","ok":false,"error":{"code":"invalid_request"' "$LOG/raw.out"; echo $?) "$(cat "$LOG/raw.out")"
(head -c 100000 /dev/zero | tr '\0' x; echo) | c call --raw >"$LOG/raw.out" 2>&1
c query --json >/dev/null; st=$?
it_check "a 100 KB line gets line_too_long, is dropped, and the VM still answers" \
	$(grep -q '"code":"line_too_long"' "$LOG/raw.out" && [ $st -eq 0 ]; echo $?) "$(head -c 300 "$LOG/raw.out")"
printf '{"id":9,"cmd":"sta' | c call --raw >"$LOG/raw.out"
c query --json >/dev/null
it_check "a client that disconnects mid-request gets no reply and disturbs nothing" \
	$([ $? -eq 0 ] && [ ! -s "$LOG/raw.out" ]; echo $?) "$(cat "$LOG/raw.out")"
pids=()
for i in $(seq 1 20); do c query --json >"$LOG/multi.$i" 2>&1 & pids+=($!); done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
it_check "20 clients at once all get their answer" $([ $fails -eq 0 ]; echo $?) "$fails failed"

# ---------------------------------------------------------------- interrupt state

c info irq >"$LOG/info.txt" 2>"$LOG/info.err"; st=$?
it_check "info irq prints both PICs, every IOAPIC pin and each vCPU's LAPIC" \
	$([ $st -eq 0 ] && dump_complete "$LOG/info.txt" 2; echo $?) "status $st: $(head -c 600 "$LOG/info.txt") $(cat "$LOG/info.err")"
c info irq --json >"$LOG/info.json"
pins=$(grep -o '"pin":[0-9]*' "$LOG/info.json" | wc -l)
answered=$(grep -o '"answered":true' "$LOG/info.json" | wc -l)
it_check "info irq --json: 24 redirection entries and 2 vCPUs that answered on their own threads" \
	$([ "$pins" = 24 ] && [ "$answered" = 2 ] && [ "$(grep -o '"read_by":"vCPU thread"' "$LOG/info.json" | wc -l)" = 2 ] &&
	  grep -q '"lapic":{' "$LOG/info.json" && grep -q '"remote_irr":' "$LOG/info.json"; echo $?) "pins $pins, answered $answered: $(head -c 400 "$LOG/info.json")"
printf '%s\n' '{"id":1,"cmd":"info","args":{"what":"pic"}}' '{"id":2,"cmd":"info","args":{"what":7}}' \
	'{"id":3,"cmd":"info","args":{"what":"irq","extra":1}}' '{"id":4,"cmd":"info","args":{}}' | c call --raw >"$LOG/raw.out"
it_check "info refuses an unknown subject, a non-string and an unknown argument; no args means irq" \
	$(grep -q '"id":1,"ok":false,"error":{"code":"invalid_argument"' "$LOG/raw.out" &&
	  grep -q '"id":2,"ok":false,"error":{"code":"invalid_argument"' "$LOG/raw.out" &&
	  grep -q '"id":3,"ok":false,"error":{"code":"invalid_argument"' "$LOG/raw.out" &&
	  grep '"id":4,"ok":true' "$LOG/raw.out" | grep -q '"trigger":"request"'; echo $?) "$(head -c 600 "$LOG/raw.out")"
c pause >/dev/null
c info irq >"$LOG/info-paused.txt"; st=$?
c resume >/dev/null
it_check "info irq answers while the VM is paused (parked vCPUs answer too)" \
	$([ $st -eq 0 ] && dump_complete "$LOG/info-paused.txt" 2; echo $?) "status $st: $(grep '^vCPU' "$LOG/info-paused.txt")"
kill -QUIT "$VM_PID"
for i in $(seq 1 30); do grep -q "^=== end of interrupt state ===" "$LOG/main.err" && break; sleep 0.1; done
c query --json >/dev/null; st=$?
cp "$LOG/main.err" "$LOG/sigquit.txt"
it_check "SIGQUIT prints the interrupt state to stderr and the VM keeps running" \
	$([ $st -eq 0 ] && grep -q "interrupt state (SIGQUIT)" "$LOG/sigquit.txt" && dump_complete "$LOG/sigquit.txt" 2; echo $?) \
	"query $st: $(tail -5 "$LOG/main.err")"

# ---------------------------------------------------------------- injections

Q=$(c query --json)
pick_line() { # route trigger: the first such line, skipping the PIT (0), cascade (2) and UART (4)
	grep -o "{\"line\":[0-9]*,\"level\":false,\"route\":\"$1\",\"trigger\":\"$2\"[^}]*}" <<<"$Q" |
		grep -v '"line":[024],' | head -1 | jnum line
}
EDGE=$(pick_line ioapic edge)
LEVEL=$(pick_line ioapic level)
PIC=$(pick_line pic edge)
MASKED=$(pick_line masked edge)
echo "# lines: ioapic edge ${EDGE:-none}, ioapic level ${LEVEL:-none}, pic ${PIC:-none}, masked ${MASKED:-none}"
GSTATS=$(grep -q '"guest_stats":{"registered":true' <<<"$Q" && echo yes)
need_guest() { # name: skip when the guest has no statistics page
	[ -n "$GSTATS" ] && return 0
	it_skip "$1" "the guest registered no statistics page (needs a serve-mode guest)"
	return 1
}

injected_total() { c stats --json | grep -o '"injected":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }'; }

if [ -n "$EDGE" ]; then
	out=$(c inject --gsi "$EDGE")
	it_check "inject pulse on IOAPIC edge line $EDGE: delivered" $(grep -q "pulse: delivered" <<<"$out"; echo $?) "$out"
	if need_guest "the guest handled the pulse on line $EDGE"; then
		l=$(settle "gsi:$EDGE")
		it_check "the guest handled the pulse on line $EDGE (guest_handled 1 = delivered 1)" \
			$([ "$(jnum guest_handled <<<"$l")" = 1 ] && [ "$(jnum delivered <<<"$l")" = 1 ]; echo $?) "$l"
		# The guest's timestamp is paired when irqvm next reads the
		# statistics page, which can come after the handled count moved
		# (and needs the guest clock synchronised first): wait for the
		# pairing itself, with a hang guard, not for a fixed time. The
		# pairing goes by the order of the guest's ring; an entry that
		# the clock puts before the injection is paired without a
		# latency figure (within_clock_error or clock_disagrees).
		paired() { jnum count <<<"$lat" | awk -v w="$(jnum within_clock_error <<<"$lat")" \
			-v d="$(jnum clock_disagrees <<<"$lat")" '{ print $1 + w + d }'; }
		end=$((SECONDS + 30))
		while [ $SECONDS -lt $end ]; do
			lat=$(grep -o '"latency":{[^}]*}' <<<"$l")
			[ "$(paired)" = 1 ] && break
			sleep 0.1
			l=$(src "gsi:$EDGE")
		done
		it_check "the guest's handler entry was paired with that injection (latency.count + within_clock_error + clock_disagrees = 1)" \
			$([ "$(paired)" = 1 ]; echo $?) "$lat; guest: $(c stats --json | grep -oE '"(clock|samples)":\{[^}]*\}' | tail -2 | tr '\n' ' ')"
		# Where the injection went instead, if it was not paired: the
		# whole source, the other sources on its vector, the clock.
		if [ "$(paired)" != 1 ]; then
			vec=$(jnum vector <<<"$l")
			c stats --json | grep -oE '\{"source":"[^"]*"[^{]*"latency":\{[^}]*\}[^}]*\}' |
				grep -E "\"vector\":$vec[,}]" | it_diag
			c stats --json | grep -oE '"(clock|samples)":\{[^}]*\}' | it_diag
		fi
	fi
else
	it_skip "inject pulse on an IOAPIC edge line" "the guest routes no IOAPIC edge line"
fi
if [ -n "$MASKED" ]; then
	out=$(c inject --gsi "$MASKED")
	l=$(src "gsi:$MASKED")
	it_check "a pulse on masked line $MASKED is dropped and accounted" \
		$(grep -q "pulse: dropped" <<<"$out" && [ "$(jnum dropped <<<"$l")" = 1 ] && [ "$(jbool accounted <<<"$l")" = true ]; echo $?) "$out / $l"
else
	it_skip "a pulse on a masked line is dropped and accounted" "the guest leaves no line masked"
fi
if [ -n "$PIC" ]; then
	out=$(c inject --irq "$PIC")
	it_check "inject pulse on PIC line $PIC: delivered through ExtINT" $(grep -q "pulse: delivered (route pic" <<<"$out"; echo $?) "$out"
	if need_guest "the guest handled the PIC interrupt"; then
		l=$(settle "gsi:$PIC")
		it_check "the guest handled the PIC interrupt and the PIC saw its EOI" \
			$([ "$(jnum guest_handled <<<"$l")" = 1 ] && [ "$(jnum eoi <<<"$l")" = 1 ]; echo $?) "$l"
	fi
else
	it_skip "inject pulse on a PIC line" "the guest routes no line through the PIC"
fi
if [ -n "$LEVEL" ]; then
	o1=$(c inject --gsi "$LEVEL" --level high); o2=$(c inject --gsi "$LEVEL" --level high)
	o3=$(c inject --gsi "$LEVEL" --level low)
	it_check "level line $LEVEL: raise delivers, raising again coalesces, lower lowers" \
		$(grep -q "high: delivered" <<<"$o1" && grep -q "high: coalesced" <<<"$o2" && grep -q "line now low" <<<"$o3"; echo $?) "$o1 / $o2 / $o3"
else
	it_skip "level-triggered line raise/lower" "the guest routes no level-triggered IOAPIC line"
fi

out=$(c msi --cpu 0 --vector 0x61)
it_check "msi --cpu 0 --vector 0x61: delivered" $(grep -q "msi:0:97 .*: delivered" <<<"$out"; echo $?) "$out"
out=$(c msi --address 0xfee01000 --data 0x62)
it_check "msi --address/--data (raw, APIC ID 1): delivered" $(grep -q "msi:1:98 .*: delivered" <<<"$out"; echo $?) "$out"
c msi --address 0xfee00000 --data 0x500 >/dev/null 2>"$LOG/err"; st=$?
it_check "a raw MSI with INIT delivery mode is refused (status 1, invalid_argument)" \
	$([ $st -eq 1 ] && grep -q "invalid_argument" "$LOG/err"; echo $?) "status $st: $(cat "$LOG/err")"
out=$(c ipi --cpu 1 --vector 0x63)
it_check "ipi --cpu 1 --vector 0x63: delivered" $(grep -q "ipi:1:99 .*: delivered" <<<"$out"; echo $?) "$out"
out=$(c nmi --cpu all)
# Each vCPU gets its NMI: queued for its thread, or already delivered if
# that thread took it at once (which depends on where the vCPU was).
it_check "nmi --cpu all queues one NMI per vCPU" \
	$([ "$(grep -cE '^nmi:[01] .*: (queued|delivered)$' <<<"$out")" = 2 ]; echo $?) "$(tr '\n' ';' <<<"$out")"
out=$(c nmi --cpu 1 --via msi)
it_check "nmi --via msi: delivered" $(grep -q "nmi:1 (via msi): delivered" <<<"$out"; echo $?) "$out"
if need_guest "the guest handled each MSI, IPI and NMI"; then
	a=$(settle msi:0:97); b=$(settle msi:1:98); i=$(settle ipi:1:99); n0=$(settle nmi:0); n1=$(settle nmi:1)
	it_check "the guest handled each MSI, IPI and NMI exactly once" \
		$([ "$(jnum guest_handled <<<"$a")" = 1 ] && [ "$(jnum guest_handled <<<"$b")" = 1 ] &&
		  [ "$(jnum guest_handled <<<"$i")" = 1 ] && [ "$(jnum guest_handled <<<"$n0")" = 1 ] &&
		  [ "$(jnum guest_handled <<<"$n1")" = 2 ] && [ "$(jnum delivered <<<"$n1")" = 2 ]; echo $?) \
		"$a | $b | $i | $n0 | $n1"
fi

out=$(c pause)
q=$(c query --json)
it_check "pause parks every vCPU" \
	$(grep -q "paused: every vCPU parked" <<<"$out" && [ "$(grep -o '"parked":true' <<<"$q" | wc -l)" = 2 ]; echo $?) "$out"
c msi --cpu 0 --vector 0x64 >/dev/null
if need_guest "an MSI sent while paused is handled only after resume"; then
	sleep 0.3
	h1=$(src msi:0:100 | jnum guest_handled)
	c resume >/dev/null
	h2=$(settle msi:0:100 | jnum guest_handled)
	it_check "an MSI sent while paused is handled only after resume" \
		$([ "$h1" = 0 ] && [ "$h2" = 1 ]; echo $?) "while paused $h1, after resume $h2"
else
	c resume >/dev/null
fi
c stats >"$LOG/stats.txt"
it_check "stats prints the table with a row per source" \
	$(grep -q "^SOURCE" "$LOG/stats.txt" && grep -q "^msi:0:97 " "$LOG/stats.txt"; echo $?) "$(head -3 "$LOG/stats.txt")"

# Errors that need the VM's own limits; the VM's counters must not move.
before=$(injected_total)
c msi --cpu 5 --vector 64 >/dev/null 2>"$LOG/err"; s1=$?
c ipi --cpu 2 --vector 64 >/dev/null 2>>"$LOG/err"; s2=$?
c inject --gsi 30 >/dev/null 2>>"$LOG/err"; s3=$?
c storm --target nmi:7 --rate 10 --count 1 >/dev/null 2>>"$LOG/err"; s4=$?
c call storm '{"target":"msi:0:64","rate":-3,"count":1}' >>"$LOG/err" 2>&1; s5=$?
after=$(injected_total)
it_check "CPU/line out of range and a negative rate are refused (status 1) without touching the VM" \
	$([ $s1 -eq 1 ] && [ $s2 -eq 1 ] && [ $s3 -eq 1 ] && [ $s4 -eq 1 ] && [ $s5 -eq 1 ] &&
	  [ "$before" = "$after" ] && [ "$(grep -c out_of_range "$LOG/err")" = 4 ] &&
	  grep -q "rate must be positive" "$LOG/err"; echo $?) "statuses $s1 $s2 $s3 $s4 $s5, injected $before -> $after: $(cat "$LOG/err")"

# ---------------------------------------------------------------- storms

# storm_check name target rate extra...: one storm; checks its summary and the source's stats.
storm_check() {
	local name=$1 target=$2; shift 2
	local out st
	out=$(c storm --target "$target" --json "$@" 2>"$LOG/storm.err"); st=$?
	if [ $st -ne 0 ]; then
		it_not_ok "storm $name: $target $*" "status $st: $(cat "$LOG/storm.err") $out"
		return
	fi
	local sent inj del coa dro pen acc gh dname=delivered
	sent=$(jnum sent <<<"$out"); inj=$(jnum injected <<<"$out"); del=$(jnum delivered <<<"$out")
	coa=$(jnum coalesced <<<"$out"); dro=$(jnum dropped <<<"$out"); pen=$(jnum pending <<<"$out")
	acc=$(jbool accounted <<<"$out"); gh=$(jnum guest_handled <<<"$out")
	if [[ $out == *'"counted_by":"client"'* ]]; then
		# irqfd: irqvm sees no injection; the client's count is all there
		# is, and the summary must say so rather than split it.
		it_check "storm $name ($target $*): $inj signals, counted by the client, no delivered/coalesced split claimed" \
			$([ "$inj" = "$sent" ] && [ -z "$del$coa$acc" ]; echo $?) "$out"
		del=$inj dname=signals
	else
		it_check "storm $name ($target $*): injected $inj = delivered $del + coalesced $coa + dropped $dro" \
			$([ "$acc" = true ] && [ "$inj" = "$sent" ] && [ $((del + coa + dro + pen)) -eq "$inj" ] && [ "$pen" = 0 ]; echo $?) "$out"
	fi
	if [ -n "$GSTATS" ] && [ -n "$gh" ]; then
		local s_src ok=1 why
		local re='"source":"([^"]*)"'
		[[ $out =~ $re ]] && s_src=$(src "${BASH_REMATCH[1]}")
		case "$target" in
		gsi:$LEVEL|irq:$LEVEL)
			# Each IOAPIC message is at most one handler entry.
			local sent_msgs; sent_msgs=$(jnum msi_sent <<<"$s_src")
			[ "$gh" -ge 1 ] && [ "$(jnum guest_handled <<<"$s_src")" -le "$sent_msgs" ] && ok=0
			why="level: handled $gh, messages $sent_msgs" ;;
		*)
			# Edge: merging can only lose interrupts, never make them up.
			[ "$gh" -ge 1 ] && [ "$gh" -le "$del" ] && ok=0
			why="edge: handled $gh, $dname $del" ;;
		esac
		it_check "storm $name: the guest's count fits the delivery semantics ($why)" $ok "$out"
	else
		it_skip "storm $name: the guest's count fits the delivery semantics" \
			"no guest count: $([ -n "$GSTATS" ] && echo "the summary has no guest_handled (no decodable route)" || echo "the guest registered no statistics page")"
	fi
}

# storm_on_line LINE KIND NAME TARGET ARGS...: storm_check NAME TARGET ARGS, or
# an explicit SKIP when the guest routes no line of that kind (never silence).
storm_on_line() {
	local line=$1 kind=$2
	shift 2
	if [ -n "$line" ]; then
		storm_check "$@"
	else
		it_skip "storm $1 on the guest's $kind line" "the guest routes no $kind line"
	fi
}

for pattern in constant burst:8 poisson; do
	storm_on_line "$EDGE" "IOAPIC edge" "$pattern" "irq:$EDGE" --rate 2000/s --duration 300ms --pattern "$pattern" --seed 3
	storm_on_line "$PIC" "PIC" "$pattern" "irq:$PIC" --rate 1000/s --count 200 --pattern "$pattern"
	storm_on_line "$LEVEL" "IOAPIC level" "$pattern" "gsi:$LEVEL" --rate 1000/s --count 200 --pattern "$pattern"
	storm_check "$pattern" msi:1:0x70 --rate 3000/s --count 600 --pattern "$pattern" --seed 11
	storm_check "$pattern" ipi:0:0x71 --rate 2k/s --duration 300ms --pattern "$pattern"
	storm_check "$pattern" nmi:1 --rate 1000/s --count 200 --pattern "$pattern"
done
storm_on_line "$MASKED" "masked" "masked" "gsi:$MASKED" --rate 5k/s --count 500

# paced_check KIND TARGET [N]: a storm of N (200) events paced by the guest
# (--pace guest: each event waits until the guest has finished with the one
# before) loses nothing: every event sent is delivered (none coalesced or
# dropped), the guest counts exactly that many handler entries and none stays
# unanswered. Its rate is the loss-free rate of that path on this host (a
# figure, printed, not judged).
paced_check() {
	local kind=$1 target=$2 out st n=${3:-200}
	if [ -z "$GSTATS" ]; then
		it_skip "a storm paced by the guest on the $kind path loses nothing" "the guest registered no statistics page"
		return
	fi
	out=$(c storm --target "$target" --pace guest --count $n --json 2>"$LOG/storm.err"); st=$?
	local sent del coa dro gh un
	sent=$(jnum sent <<<"$out"); del=$(jnum delivered <<<"$out"); coa=$(jnum coalesced <<<"$out")
	dro=$(jnum dropped <<<"$out"); gh=$(jnum guest_handled <<<"$out"); un=$(jnum unanswered <<<"$out")
	it_check "a storm paced by the guest on the $kind path loses nothing ($n sent, delivered and handled)" \
		$([ $st -eq 0 ] && [[ $out == *'"pace":"guest"'* ]] && [ "$sent" = $n ] && [ "$del" = $n ] &&
		  [ "$coa" = 0 ] && [ "$dro" = 0 ] && [ "$gh" = $n ] && [ "$un" = 0 ]; echo $?) \
		"status $st: $(cat "$LOG/storm.err") sent $sent delivered $del coalesced $coa dropped $dro handled $gh unanswered $un"
	echo "# paced by the guest: $target ($kind) at $(sed -n 's/.*"rate":\([0-9.]*\).*/\1/p' <<<"$out" | head -1)/s"
}
paced_line() { # LINE KIND TARGET [N]: paced_check, or an explicit SKIP without that line
	if [ -n "$1" ]; then
		paced_check "$2" "$3" ${4:+"$4"}
	else
		it_skip "a storm paced by the guest on the $2 path loses nothing" "the guest routes no $2 line"
	fi
}
paced_line "$EDGE" "IOAPIC edge" "irq:$EDGE"
paced_line "$PIC" "PIC" "irq:$PIC"
# A level interrupt is over at its EOI. A guest that ends it with the local
# APIC's EOI alone (the stub) on a host that reports level EOIs at injection
# (PVM: docs/irqchip.md, "host quirks") gives irqvm no sign of when it did:
# the pace cannot be kept there (seen: 1 of 20 coalesced, ~1 event/s).
if [ "$GUEST" = stub ] && grep -q '"eoi_at_injection"' <<<"$Q"; then
	it_skip "a storm paced by the guest on the IOAPIC level path loses nothing" \
		"this host reports level EOIs at injection and the stub EOIs only its local APIC: irqvm cannot see when a level interrupt is over"
else
	paced_line "$LEVEL" "IOAPIC level" "gsi:$LEVEL" 50
fi
paced_check "MSI" msi:1:0x79
paced_check "IPI" ipi:0:0x7a
paced_check "NMI" nmi:1
if [ -n "$MASKED" ] && [ -n "$GSTATS" ]; then
	c storm --target "gsi:$MASKED" --pace guest --count 5 >/dev/null 2>"$LOG/err"; st=$?
	it_check "a storm paced by the guest on a masked line is refused: the guest cannot count it" \
		$([ $st -eq 1 ] && grep -q "pace guest needs the guest's own count" "$LOG/err"; echo $?) "status $st: $(cat "$LOG/err")"
else
	it_skip "a storm paced by the guest on a masked line is refused: the guest cannot count it" \
		"$([ -z "$GSTATS" ] && echo "the guest registered no statistics page" || echo "the guest routes no masked line")"
fi
storm_check "max" msi:0:0x72 --rate max --duration 500ms
storm_check "via irqfd" msi:1:0x73 --rate 5000/s --count 1000 --via irqfd
l=$(src irqfd:1:115)
it_check "the irqfd storm is on irqfd:1:115 as the client reported it, labelled counted_by client" \
	$([ "$(jnum injected <<<"$l")" = 1000 ] && grep -q '"counted_by":"client"' <<<"$l" &&
	  grep -q '"explanation":"counted by the client' <<<"$l"; echo $?) "$l"

# A seeded poisson storm bounded by a count sends exactly that count, every
# time. (That the seed fixes the schedule is a unit test,
# control_storm_sched::poisson_is_reproducible_from_its_seed; counting events
# over a fixed duration would depend on host load.)
a=$(c storm --target msi:0:0x74 --rate 5k/s --count 500 --pattern poisson --seed 99 --json | jnum sent)
b=$(c storm --target msi:0:0x74 --rate 5k/s --count 500 --pattern poisson --seed 99 --json | jnum sent)
it_check "a seeded poisson storm with --count 500 sends exactly 500 events, twice ($a, $b)" \
	$([ "$a" = 500 ] && [ "$b" = 500 ]; echo $?) "$a vs $b"

# Not through c(): a backgrounded function is a subshell, and it would get the signal.
"$IRQVM" storm --socket "$SOCK" --target msi:0:0x75 --rate 1000/s --duration 30s --no-progress >"$LOG/long.out" 2>&1 3>&- &
sp=$!
storm_running msi:0:117 "$sp"
it_check "a storm started in the background shows as running in query" $? "$(cat "$LOG/long.out")"
c storm --target msi:0:0x75 --rate 10/s --count 1 >/dev/null 2>"$LOG/err"; st=$?
it_check "a second storm on the same target is refused as busy" \
	$([ $st -eq 1 ] && grep -q "busy" "$LOG/err"; echo $?) "status $st: $(cat "$LOG/err")"
kill -INT "$sp"; wait_bounded "$sp" 60; st=$?
it_check "Ctrl-C stops a storm and still prints its summary" \
	$([ $st -eq 0 ] && grep -q "ended by stopped" "$LOG/long.out"; echo $?) "status $st: $(cat "$LOG/long.out")"

c stats --json >"$LOG/stats.json"
bad=$(grep '"source"' "$LOG/stats.json" | grep -v '"accounted":true' | head -3)
it_check "after every storm the identity holds for every source" $([ -z "$bad" ]; echo $?) "$bad"
bad=$(grep '"source"' "$LOG/stats.json" | while read -r line; do
	d=$(jnum delivered <<<"$line"); i=$(jnum injected <<<"$line"); co=$(jnum coalesced <<<"$line")
	dr=$(jnum dropped <<<"$line"); pe=$(jnum pending <<<"$line")
	[ "$i" = $((d + co + dr + pe)) ] || echo "$line"
done | head -2)
it_check "injected == delivered + coalesced + dropped + pending exactly in stats --json, every source" $([ -z "$bad" ]; echo $?) "$bad"
fields_ok=$(grep '"source"' "$LOG/stats.json" | head -1 | grep -c '"injected":[0-9]*,"delivered":[0-9]*,"coalesced":[0-9]*,"dropped":[0-9]*,"pending":[0-9]*,"spurious":[0-9]*,"eoi":[0-9]*,"guest_handled":[0-9]*')
it_check "stats --json has the integer fields per source" $([ "$fields_ok" = 1 ]; echo $?) "$(head -1 "$LOG/stats.json")"

fds_before=$(ls /proc/"$VM_PID"/fd | wc -l); threads_before=$(ls /proc/"$VM_PID"/task | wc -l)
for i in $(seq 1 5); do c storm --target msi:0:0x76 --rate 5k/s --count 100 >/dev/null; c query >/dev/null; done
c storm --target msi:0:0x77 --rate 5k/s --count 100 --via irqfd >/dev/null
fds_after=$(ls /proc/"$VM_PID"/fd | wc -l); threads_after=$(ls /proc/"$VM_PID"/task | wc -l)
it_check "no descriptor or thread is leaked by clients, storms and irqfds" \
	$([ "$fds_before" = "$fds_after" ] && [ "$threads_before" = "$threads_after" ]; echo $?) \
	"fds $fds_before -> $fds_after, threads $threads_before -> $threads_after"

"$IRQVM" storm --socket "$SOCK" --target msi:0:0x78 --rate 1000/s --duration 30s --no-progress >"$LOG/stopped.out" 2>&1 3>&- &
sp=$!
storm_running msi:0:120 "$sp" || echo "# the storm on msi:0:120 did not show as running: $(cat "$LOG/stopped.out")"
stop_vm
wait_bounded "$sp" 60; sst=$?
it_check "quit: irqvm exits 0 and removes its socket" $([ "$VM_STATUS" = 0 ] && [ ! -e "$SOCK" ]; echo $?) "status $VM_STATUS"
it_check "a client following a storm is told the VM stopped" \
	$([ $sst -eq 1 ] && grep -q "VM stopped" "$LOG/stopped.out"; echo $?) "status $sst: $(cat "$LOG/stopped.out")"
}
VM_STATUS=0
it_rerun_after_host_crash "the main VM's session" "$LOG/main.out" "$LOG/main.err" VM_STATUS \
	main_vm_session

# The config key works as well as the option, and SIGTERM also removes the socket.
SOCK=$SOCKDIR/cfg.sock
printf '{"kernel": "%s", "memory_mib": 32, "cmdline": "%s", "api_socket": "%s"}\n' \
	"$PWD/$GUEST_KERNEL" "$GUEST_CMDLINE" "$SOCK" >"$WORK/cfg.json"
"$IRQVM" run "$WORK/cfg.json" >/dev/null 2>&1 3>&- &
VM_PID=$!
end=$((SECONDS + 30)); while [ $SECONDS -lt $end ]; do c query --json >/dev/null 2>&1 && break; sleep 0.1; done
c query --json >/dev/null 2>&1; q=$?
kill -TERM "$VM_PID"; wait_bounded "$VM_PID" 60; st=$?; VM_PID=
it_check "api_socket in the config opens the socket; SIGTERM removes it" \
	$([ $q -eq 0 ] && [ $st -eq 143 ] && [ ! -e "$SOCK" ]; echo $?) "query $q, status $st"

# A stale socket (its irqvm was killed) is replaced.
start_vm stale 1 "$GUEST_KERNEL" "$GUEST_CMDLINE"
kill -KILL "$VM_PID"; wait "$VM_PID" 2>/dev/null; VM_PID=
[ -S "$SOCK" ]; left=$?
start_vm stale 1 "$GUEST_KERNEL" "$GUEST_CMDLINE"; st=$?
it_check "a stale socket left by a killed irqvm is replaced" $([ $left -eq 0 ] && [ $st -eq 0 ]; echo $?) "left $left, start $st"
stop_vm

# A guest that never exits, stopped by --timeout: the interrupt state comes first.
printf '{"vcpus": 2, "memory_mib": 32, "kernel": "%s", "cmdline": "%s", "timeout": 4}\n' \
	"$PWD/$GUEST_KERNEL" "$GUEST_CMDLINE" >"$WORK/timeout.json"
timeout 60 "$IRQVM" run "$WORK/timeout.json" >/dev/null 2>"$LOG/timeout.err"; st=$?
it_check "--timeout: irqvm prints the whole interrupt state, then exits 124" \
	$([ $st -eq 124 ] && grep -q "interrupt state (timeout)" "$LOG/timeout.err" &&
	  dump_complete "$LOG/timeout.err" 2; echo $?) "status $st: $(head -c 800 "$LOG/timeout.err")"

# ---------------------------------------------------------------- 10 s at max

robust() { # vcpus target
	local n=$1 target=$2
	local cmdline=$GUEST_CMDLINE
	[ "$GUEST" = stub ] && cmdline=ring3
	if ! start_vm "max$n" "$n" "$GUEST_KERNEL" "$cmdline"; then
		stop_vm
		it_not_ok "$n-vCPU guest starts for the max storm" "status $VM_STATUS: $(tail -3 "$LOG/max$n.err")"
		return
	fi
	# Every stats request made during the storm must be answered (within
	# the client's own 10 s reply timeout); how many fit in 10 s depends on
	# the host's speed (2 in the emulated x86 host, 40 on a direct KVM), so
	# the count is reported, not checked; at least one must come back while
	# the storm still runs (ordering).
	local r3a r3b worst=0 calls=0 during=0 failed=0 a b d
	r3a=$(c stats --json | tail -1 | jnum ring3_ticks)
	"$IRQVM" storm --socket "$SOCK" --target "$target" --rate max --duration 10s --json >"$LOG/max$n.storm" 2>&1 3>&- &
	local sp=$!
	sleep 0.2
	local deadline=$((SECONDS + 120))
	while kill -0 "$sp" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
		a=$(ms_now)
		c stats --json >"$LOG/max$n.stats" 2>&1 || failed=$((failed + 1))
		b=$(ms_now); d=$((b - a)); calls=$((calls + 1))
		# Answered while the storm still ran: ordering, not a count per
		# second (a busy nested host makes each client start slow).
		kill -0 "$sp" 2>/dev/null && during=$((during + 1))
		[ $d -gt $worst ] && worst=$d
		sleep 0.2
	done
	wait_bounded "$sp" 10; local sst=$?
	r3b=$(tail -1 "$LOG/max$n.stats" | jnum ring3_ticks)
	local out; out=$(cat "$LOG/max$n.storm")
	echo "# $n vCPU(s), $target at max for 10 s: $(jnum sent <<<"$out") sent ($(sed -n 's/.*"rate":\([0-9.]*\),.*/\1/p' <<<"$out" | cut -d. -f1)/s), guest handled $(jnum guest_handled <<<"$out"); stats answered $calls times, worst $worst ms (client start included)"
	it_check "$n vCPU(s): a 10 s max storm on $target is accounted exactly" \
		$([ $sst -eq 0 ] && [ "$(jbool accounted <<<"$out")" = true ]; echo $?) "status $sst: $out"
	it_check "$n vCPU(s): stats answered all requests during the storm, at least one before it ended" \
		$([ $failed -eq 0 ] && [ $during -ge 1 ]; echo $?) "$failed failed of $calls, $during answered before the storm ended"
	if grep -q '"ring3":true' <<<"$(c query --json)"; then
		it_check "$n vCPU(s): the guest's ring-3 task kept running during the storm" \
			$([ -n "$r3a" ] && [ -n "$r3b" ] && [ "$r3b" -gt "$r3a" ]; echo $?) "ring3_ticks $r3a -> $r3b"
	else
		it_skip "$n vCPU(s): the guest's ring-3 task kept running during the storm" \
			"the guest does not publish ring-3 progress (needs the serve guest's ring3_ticks)"
	fi
	stop_vm
	it_check "$n vCPU(s): irqvm exits cleanly after the storm (status 0, socket removed)" \
		$([ "$VM_STATUS" = 0 ] && [ ! -e "$SOCK" ]; echo $?) "status $VM_STATUS: $(tail -3 "$LOG/max$n.err")"
}
# The 4-vCPU guest once triple-faulted here in the emulated x86 host
# (docs/test-hosts.md): such a run is a TODO and runs once more.
for run in "1 msi:0:0x80" "4 irq:${EDGE:-5}"; do
	read -r n target <<<"$run"
	VM_STATUS=0
	it_rerun_after_host_crash "$n vCPU(s), 10 s max storm" "$LOG/max$n.out" "$LOG/max$n.err" VM_STATUS \
		robust "$n" "$target"
done

# ---------------------------------------------------------------- valgrind

if command -v valgrind >/dev/null; then
	SOCK=$SOCKDIR/vg.sock
	printf '{"vcpus": 2, "kernel": "%s", "memory_mib": 32, "cmdline": "%s", "timeout": 900}\n' "$PWD/$GUEST_KERNEL" "$GUEST_CMDLINE" >"$WORK/vg.json"
	valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		"$IRQVM" run "$WORK/vg.json" --api-socket "$SOCK" >/dev/null 2>"$LOG/valgrind.log" 3>&- &
	VM_PID=$!
	end=$((SECONDS + 120)); while [ $SECONDS -lt $end ]; do c query --json >/dev/null 2>&1 && break; sleep 0.1; done
	{
		c query; c stats; c inject --gsi "${EDGE:-5}"; c msi --cpu 1 --vector 0x81; c ipi --cpu 0 --vector 0x82
		c nmi --cpu all; c pause; c resume
		c storm --target msi:0:0x83 --rate 2000/s --count 200 --timeout 60
		c storm --target nmi:1 --rate 1000/s --count 50 --timeout 60
		c storm --target msi:1:0x84 --rate 2000/s --count 200 --via irqfd --timeout 60
		printf 'garbage\n{"cmd":"stats"}\n' | c call --raw --timeout 60
	} >"$LOG/valgrind.clients" 2>&1
	"$IRQVM" storm --socket "$SOCK" --target msi:0:0x85 --rate 100/s --duration 60s --no-progress >/dev/null 2>&1 3>&- &
	storm_running msi:0:133 $! || echo "# the storm on msi:0:133 did not show as running before quit"
	c quit --timeout 60 >/dev/null 2>&1
	wait_bounded "$VM_PID" 300; st=$?; VM_PID=
	it_check "valgrind: a VM serving clients, storms and an irqfd, stopped mid-storm, has no leaks or errors" \
		$([ $st -eq 0 ]; echo $?) "status $st, see $LOG/valgrind.log"
else
	it_skip "valgrind: a VM serving clients, storms and an irqfd, stopped mid-storm, has no leaks or errors" "valgrind is not installed"
fi

it_check "every client command finished within $C_LIMIT s" $([ ! -s "$STUCK" ]; echo $?) "stuck: $(head -5 "$STUCK" | tr '\n' ';')"

it_finish control
