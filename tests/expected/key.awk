# key(name): a check's expected-list key (docs/testing.md, "Expected lists"):
# the name without a failed check's reason, each run of digits that touches
# no letter written N. Used by it_expected (tests/integration/lib.sh) and
# tests/expected/keys.sh.
function key(s,   out, c, prev, next_) {
	sub(/ # .*$/, "", s)	# a failed check: its reason
	# Each run of digits standing alone (not touching a letter
	# or digit) becomes N: figures vary, names such as x86-4cpu
	# and 0x70 do not.
	out = ""
	while (match(s, /[0-9]+/)) {
		prev = RSTART > 1 ? substr(s, RSTART - 1, 1) : ""
		next_ = substr(s, RSTART + RLENGTH, 1)
		c = substr(s, RSTART, RLENGTH)
		if (prev !~ /[A-Za-z]/ && next_ !~ /[A-Za-z]/) c = "N"
		out = out substr(s, 1, RSTART - 1) c
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}
