# Prints the key of each input line (tests/expected/keys.sh).
{ print key($0) }
