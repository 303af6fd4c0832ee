# Compares check names (stdin, one a line) with the expected list LIST
# (awk -v list=FILE -f key.awk -f compare.awk): prints "LISTED RUN BAD" and
# then what differs. it_expected in tests/integration/lib.sh uses it.
BEGIN {
	while ((getline line < list) > 0) {
		if (line ~ /^#/ || line == "") continue
		lines[++nl] = line
		na = split(line, alt, / \|\| /)
		for (i = 1; i <= na; i++) listed[alt[i]] = 1
	}
}
$0 == "" { next }
{ ran[key($0)] = 1; n++ }
END {
	for (l = 1; l <= nl; l++) {
		na = split(lines[l], alt, / \|\| /); hit = 0
		for (i = 1; i <= na; i++) if (alt[i] in ran) hit = 1
		if (!hit) { problems = problems "missing: " lines[l] "; "; bad++ }
	}
	for (k in ran) if (!(k in listed)) { problems = problems "not listed: " k "; "; bad++ }
	printf "%d %d %d\n%s", nl, n, bad, problems
}