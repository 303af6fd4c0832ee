# Shared helpers for the integration tests: a TAP producer with counters.
# Each check prints "ok N - name", "not ok N - name # reason",
# "ok N - name # SKIP reason" or "not ok N - name # TODO reason". A TODO is a
# known deviation of the host (docs/testing.md): TAP says it is not a
# failure, so it counts in IT_TODO, neither passed nor failed.

IT_PASS=0
IT_FAIL=0
IT_SKIP=0
IT_TODO=0
IT_N=0
IT_FAILED_NAMES=()
IT_RAN=()	# the name of every check, for it_finish's expected list


it_ok() { # name
	IT_N=$((IT_N + 1)); IT_PASS=$((IT_PASS + 1))
	IT_RAN+=("$1")
	echo "ok $IT_N - $1"
}

it_not_ok() { # name reason
	IT_N=$((IT_N + 1)); IT_FAIL=$((IT_FAIL + 1))
	IT_RAN+=("$1")
	IT_FAILED_NAMES+=("$1")
	echo "not ok $IT_N - $1 # $2"
}

it_skip() { # name reason
	IT_N=$((IT_N + 1)); IT_SKIP=$((IT_SKIP + 1))
	IT_RAN+=("$1")
	echo "ok $IT_N - $1 # SKIP $2"
}

it_todo() { # name reason
	IT_N=$((IT_N + 1)); IT_TODO=$((IT_TODO + 1))
	IT_RAN+=("$1")
	echo "not ok $IT_N - $1 # TODO $2"
}

# ", N todo" for a summary line, only when there were any (the summary
# parsers read "N passed, N failed, N skipped" and ignore what follows).
it_todo_summary() { [ "$IT_TODO" -eq 0 ] || echo ", $IT_TODO todo"; }

it_check() { # name condition-status reason
	if [ "$2" -eq 0 ]; then it_ok "$1"; else it_not_ok "$1" "$3"; fi
}

it_diag() { sed 's/^/# /'; }

# it_finish NAME: the end of every suite, in one place so that they cannot
# drift apart: the trailing plan "1..N", the summary line
# "NAME: N passed, N failed, N skipped[, N todo]" that tests/run-all.sh
# reads, and status 0 only when nothing failed.
#
# Before that, the checks run are compared with the suite's expected list,
# tests/expected/NAME.list, as one more check: a check that silently stopped
# running (or a new one nobody listed) fails the suite. A list line is a
# check name with every run of digits that touches no letter written N (names
# carry figures, and the key drops them; x86-4cpu and 0x70 stay); "A || B" accepts either name, for checks whose name
# depends on the host (docs/testing.md, "Expected lists"). A SKIP or TODO
# counts as run. The TODO of a known fault of the emulated host (a rerun) is
# not a check of the list. IT_EXPECTED names another list; a suite that
# stops early on purpose (a SKIP: no cross compiler) sets IT_EXPECTED_SKIP to
# the reason, and the comparison is a SKIP too.
it_finish() {
	it_expected "${IT_EXPECTED:-tests/expected/$1.list}"
	echo "1..$IT_N"
	echo "$1: $IT_PASS passed, $IT_FAIL failed, $IT_SKIP skipped$(it_todo_summary)"
	[ "$IT_FAIL" -eq 0 ]
}

it_expected() { # LIST
	local list=$1 report
	if [ -n "${IT_EXPECTED_SKIP:-}" ]; then
		it_skip "the checks run are those of $list" "$IT_EXPECTED_SKIP"
		return
	fi
	if [ ! -f "$list" ]; then
		it_not_ok "the checks run are those of $list" "the list does not exist"
		return
	fi
	report=$(printf '%s\n' "${IT_RAN[@]}" | grep -v ': the guest ran to its end without a fault of the emulated host$' |
		awk -v list="$list" -f tests/expected/key.awk -f tests/expected/compare.awk)
	local nl nr bad
	read -r nl nr bad <<<"${report%%$'\n'*}"
	it_check "the checks run are those of $list ($nl listed, $nr run)" \
		$([ "$bad" = 0 ]; echo $?) "$bad differ: $(head -c 1500 <<<"${report#*$'\n'}")"
}

# emulated_host_crash STATUS ERRFILE: whether a guest run ended in one of the
# known faults of the emulated x86 test host ("nested KVM under QEMU TCG",
# which irqvm's crash report and its timeout dump name):
#  - the guest's triple fault (status 6);
#  - a guest hang (irqvm's timeout, status 124) whose dump finds a vCPU at an
#    address the guest's own page tables do not map for execution: the
#    emulated SVM left a host address in the guest's state (seen: a host
#    kernel-module address, 0xffffffffc035120c, with a #PF injected), and a
#    guest cannot park itself there, as a fetch from it faults.
# The evidence that the emulator, not irqvm or the guest, causes them is in
# docs/test-hosts.md ("Panics, resets and triple faults", "A guest parked at a
# host address"). A suite reports such a run as TODO, keeps its logs and runs
# it once more; a second one fails like any other, and on every other host
# the first one fails at once.
emulated_host_crash() {
	grep -q "^host: nested KVM under QEMU TCG" "$2" || return 1
	case $1 in
	6) grep -q "guest shut down (triple fault)" "$2" ;;
	124) grep -q "^vCPU [0-9]*: .*RIP not mapped for execution by the guest's page tables" "$2" ;;
	*) false ;;
	esac
}

# it_host_crash_todo NAME OUT ERR: the TODO line for such a run; its logs are
# kept beside the rerun's as OUT.fault and ERR.fault.
it_host_crash_todo() {
	cp "$2" "$2.fault"; cp "$3" "$3.fault"
	it_todo "$1: the guest ran to its end without a fault of the emulated host" \
		"nested KVM under QEMU TCG: the emulated host's known guest faults (a triple fault, or a vCPU parked at a host address; docs/test-hosts.md); logs kept as $3.fault, running it once more"
}

# it_run_once_more_after_host_fault NAME OUT ERR STATUSVAR CMD...: runs the
# guest command CMD with its stdout in OUT and its stderr in ERR, and leaves
# its exit status in the variable STATUSVAR. Each attempt is timed in a
# comment; a timeout (124) also puts the interrupt state irqvm printed at
# expiry there. When the run ended in a known fault of the emulated host
# (emulated_host_crash), one TODO says so, its logs are kept and CMD runs once
# more; the second run's status is final.
it_run_once_more_after_host_fault() {
	# Prefixed locals: STATUSVAR names a variable of the caller (st, status).
	local _name=$1 _out=$2 _err=$3 _var=$4 _attempt _t0 _st; shift 4
	for _attempt in 1 2; do
		_t0=$SECONDS
		"$@" >"$_out" 2>"$_err"; _st=$?
		echo "# $_name, attempt $_attempt: status $_st after $((SECONDS - _t0)) s"
		[ "$_st" -eq 124 ] && grep -A400 "the interrupt state at expiry follows" "$_err" | head -120 | it_diag
		[ "$_attempt" -eq 1 ] && emulated_host_crash "$_st" "$_err" || break
		it_host_crash_todo "$_name" "$_out" "$_err"
	done
	printf -v "$_var" '%s' "$_st"
}

# it_rerun_after_host_crash NAME OUT ERR STATUSVAR CMD...: runs CMD, a
# function that starts a VM (output in OUT and ERR, its exit status left in
# the variable STATUSVAR) and prints checks about it, with its checks held
# back. When the VM ended in the emulated host's known triple fault, they are
# dropped (kept as ERR.fault.tap), one TODO says so and CMD runs once more;
# otherwise they are printed as they came.
it_rerun_after_host_crash() {
	# Prefixed locals: CMD runs inside this function, so a variable it sets
	# without `local` (n, p, s: the suites use such names) would otherwise
	# overwrite the saved counters (a rerun once reported 481 passed of 148).
	local _rr_name=$1 _rr_out=$2 _rr_err=$3 _rr_var=$4; shift 4
	local _rr_held _rr_n=$IT_N _rr_p=$IT_PASS _rr_f=$IT_FAIL _rr_s=$IT_SKIP _rr_t=$IT_TODO
	local _rr_names=("${IT_FAILED_NAMES[@]}") _rr_ran=("${IT_RAN[@]}")
	_rr_held=$(mktemp)
	"$@" >"$_rr_held"
	if emulated_host_crash "${!_rr_var:-0}" "$_rr_err"; then
		IT_N=$_rr_n IT_PASS=$_rr_p IT_FAIL=$_rr_f IT_SKIP=$_rr_s IT_TODO=$_rr_t
		IT_FAILED_NAMES=("${_rr_names[@]}") IT_RAN=("${_rr_ran[@]}")
		cp "$_rr_held" "$_rr_err.fault.tap"
		it_host_crash_todo "$_rr_name" "$_rr_out" "$_rr_err"
		"$@"
	else
		cat "$_rr_held"
	fi
	rm -f "$_rr_held"
}

# hang_diag PID: what a process that stopped answering was doing, for the
# log: each thread's kernel stack, and each thread's user stack when gdb is
# installed (60 s at most); an `irqvm run` also gets SIGQUIT, which makes it
# print its interrupt state to its own stderr (a client command would die of
# it: they have no handler).
hang_diag() {
	local pid=$1 t
	kill -0 "$pid" 2>/dev/null || { echo "process $pid is gone"; return 0; }
	if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq '^[^ ]*irqvm run( |$)'; then
		kill -QUIT "$pid" 2>/dev/null
		echo "sent SIGQUIT: its interrupt state goes to its stderr"
	fi
	for t in /proc/"$pid"/task/*; do
		echo "thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)): state $(awk '{ print $3 }' "$t/stat" 2>/dev/null)," \
			"kernel stack: $(head -4 "$t/stack" 2>/dev/null | awk '{ print $2 }' | tr '\n' ' ')"
	done
	if command -v gdb >/dev/null; then
		timeout 60 gdb -p "$pid" -batch -ex "thread apply all bt 12" 2>/dev/null |
			grep -E '^(Thread |#[0-9]+ )' | head -120
	fi
}

# wait_bounded PID SECONDS: waits for a child of this shell at most SECONDS;
# one still running then is described (hang_diag, on the TAP stream as
# comments), killed, and reported as status 124, so a hang costs a failed
# check and not the suite.
wait_bounded() {
	local pid=$1 end=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "# process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)) still runs after $2 s:"
		hang_diag "$pid" | it_diag
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid"
}
