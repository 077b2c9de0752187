# tests/examples.bash: the examples of a man page, extracted from the page
# itself and run, so page and test cannot drift (tests/cli/0020-man-examples
# and 0030-onboarding). Load it after ../lib.
#
# The convention the pages keep: an example is a `.Bd -literal` display
# whose lines are commands, each a line "$ command" followed by its
# continuation lines (which begin with a space or a tab), and then the
# output the command prints (lines that begin with neither "$ " nor a blank).
# A line "..." stands for any number of output lines, a line ending in "..."
# for any line that begins with what precedes it; a command shown with no
# output has its output unchecked. A display that is not run says why in a
# comment line just before it:
#	.\" example: not run: REASON
# Every other display in the chosen sections must begin with "$ ".

# examples_script PAGE [SECTION]: a bash script that runs the examples of
# the man page PAGE (those in section SECTION, default EXAMPLES; "all" for
# the whole page) in order, in the current shell's directory, and stops at
# the first one that exits non-zero or prints other than the page says.
examples_script() {
	declare -f example example_match
	echo 'set -o pipefail'
	awk -v want="${2:-EXAMPLES}" -v page="${1##*/}" '
	function fail(msg) { printf "%s:%d: %s\n", page, FNR, msg >"/dev/stderr"; bad = 1; exit 1 }
	# unescape: the roff escapes a literal display may use, as they render.
	function unescape(s,   out, c, n) {
		out = ""
		while ((n = index(s, "\\")) > 0) {
			out = out substr(s, 1, n - 1)
			c = substr(s, n + 1, 1)
			if (c == "e") { out = out "\\"; s = substr(s, n + 2) }
			else if (c == "&") s = substr(s, n + 2)
			else if (c == "-") { out = out "-"; s = substr(s, n + 2) }
			else if (substr(s, n + 1, 3) == "(aq") { out = out "\047"; s = substr(s, n + 4) }
			else if (substr(s, n + 1, 3) == "(dq") { out = out "\""; s = substr(s, n + 4) }
			else if (substr(s, n + 1, 3) == "(ti") { out = out "~"; s = substr(s, n + 4) }
			else fail("escape the examples do not know: " substr(s, n, 4))
		}
		return out s
	}
	function flush() {
		if (cmd == "") return
		printf "example %s 3<<\047QGTM_EXAMPLE_CMD\047 4<<\047QGTM_EXAMPLE_OUT\047\n%s\nQGTM_EXAMPLE_CMD\n%sQGTM_EXAMPLE_OUT\n", \
			page ":" at, cmd, out
		cmd = ""; out = ""
	}
	/^\.Sh / { sect = substr($0, 5); gsub(/"/, "", sect) }
	want != "all" && sect != want { skip = ""; next }
	/^\.\\" example: not run: / { skip = 1; next }
	/^\.Bd -literal/ { inblock = 1; first = 1; next }
	inblock && /^\.Ed/ { flush(); inblock = 0; skip = ""; next }
	!inblock { next }
	skip { next }
	/^\./ { fail("a macro inside an example: " $0) }
	{
		line = unescape($0)
		if (first && line !~ /^\$ /)
			fail("an example that does not begin with \"$ \" (or say why it is not run)")
		first = 0
		if (line ~ /^\$ /) { flush(); cmd = substr(line, 3); at = FNR; incmd = 1 }
		else if (incmd && line ~ /^[ \t]/) cmd = cmd "\n" line
		else { incmd = 0; out = out line "\n" }
	}
	END { if (!bad && inblock) fail("an unclosed display") }
	' "$1"
}

# example WHERE: run the command on fd 3 in this shell (so cd, variables and
# exports carry over to the next example), stdin from /dev/null; fail unless
# it exits 0 and its output matches the lines on fd 4.
example() {
	local where=$1 cmd expect rc
	cmd=$(cat <&3)
	expect=$(cat <&4)
	eval "$cmd" </dev/null >"${TMPDIR:-/tmp}/example.out.$$"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		printf '%s: exit %d: %s\n' "$where" "$rc" "$cmd" >&2
		exit 1
	fi
	if [ -n "$expect" ] && ! example_match "${TMPDIR:-/tmp}/example.out.$$" \
		<<<"$expect"; then
		printf '%s: printed other than the page says: %s\n--- page\n%s\n--- printed\n' \
			"$where" "$cmd" "$expect" >&2
		cat "${TMPDIR:-/tmp}/example.out.$$" >&2
		exit 1
	fi
	rm -f "${TMPDIR:-/tmp}/example.out.$$"
}

# example_match ACTUAL: ACTUAL's lines match the expected lines on stdin,
# blanks squeezed; "..." alone matches any number of lines (up to the first
# that matches the next expected line), a trailing "..." any rest of a line.
example_match() {
	awk 'function sq(s) { gsub(/[ \t\r]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
	function same(e, a) {
		if (e ~ /\.\.\.$/) return substr(a, 1, length(e) - 3) == substr(e, 1, length(e) - 3)
		return a == e
	}
	NR == FNR { act[++na] = sq($0); next }
	{ ex[++ne] = sq($0) }
	END {
		i = 1
		for (j = 1; j <= ne; j++) {
			if (ex[j] == "...") {
				if (j == ne) exit 0
				while (i <= na && !same(ex[j + 1], act[i])) i++
				continue
			}
			if (i > na || !same(ex[j], act[i])) exit 1
			i++
		}
		exit i <= na
	}' "$1" -
}
