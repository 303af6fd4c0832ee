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

it_ok() { # name
	IT_N=$((IT_N + 1)); IT_PASS=$((IT_PASS + 1))
	echo "ok $IT_N - $1"
}

it_not_ok() { # name reason
	IT_N=$((IT_N + 1)); IT_FAIL=$((IT_FAIL + 1))
	IT_FAILED_NAMES+=("$1")
	echo "not ok $IT_N - $1 # $2"
}

it_skip() { # name reason
	IT_N=$((IT_N + 1)); IT_SKIP=$((IT_SKIP + 1))
	echo "ok $IT_N - $1 # SKIP $2"
}

it_todo() { # name reason
	IT_N=$((IT_N + 1)); IT_TODO=$((IT_TODO + 1))
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
it_finish() {
	echo "1..$IT_N"
	echo "$1: $IT_PASS passed, $IT_FAIL failed, $IT_SKIP skipped$(it_todo_summary)"
	[ "$IT_FAIL" -eq 0 ]
}
