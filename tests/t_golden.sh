#!/bin/sh
# t_golden.sh - golden tests of the command-line tools
#
# Each directory testdata/<tool>/<case>/ holds:
#   cmd      the arguments of one run of $B/<tool>, one per line, taken
#            verbatim (no shell quoting; an empty line is an empty
#            argument; an empty file means no arguments)
#   stdin    optional: the octets given on standard input (else /dev/null)
#   stdout   the expected standard output, octet for octet
#   stderr   the expected standard error
#   status   the expected exit status
# Prints one "PASS: <tool>/<case>" or "FAIL: <tool>/<case>" line per case,
# with a diff after a failure. With UPDATE_GOLDEN=1 (make update-golden)
# it rewrites stdout, stderr and status from what the tool does instead;
# review the change with git diff: the expected files are derived from
# the specifications, not from the program.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# show_diff EXPECTED GOT LABEL
show_diff() {
	diff -a -u --label "want $3" --label "got $3" "$1" "$2" 2>/dev/null
	[ $? -le 1 ] || diff -u "$1" "$2"
}

for tool in addrconv addrdir; do
	[ -d "testdata/$tool" ] || continue
	bin=$B/$tool
	for dir in testdata/"$tool"/*/; do
		dir=${dir%/}
		name=$tool/${dir##*/}
		[ -f "$dir/cmd" ] || continue
		if [ ! -x "$bin" ]; then
			echo "FAIL: $name ($bin not built)"
			continue
		fi
		set --
		while IFS= read -r arg || [ -n "$arg" ]; do
			set -- "$@" "$arg"
		done < "$dir/cmd"
		in=/dev/null
		[ -f "$dir/stdin" ] && in=$dir/stdin
		"$bin" "$@" < "$in" > "$tmp/stdout" 2> "$tmp/stderr"
		echo $? > "$tmp/status"
		if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
			for f in stdout stderr status; do
				cmp -s "$tmp/$f" "$dir/$f" ||
				    { cp "$tmp/$f" "$dir/$f"; echo "updated $dir/$f"; }
			done
			echo "PASS: $name"
			continue
		fi
		ok=1
		for f in stdout stderr status; do
			if ! cmp -s "$dir/$f" "$tmp/$f"; then
				[ "$ok" = 1 ] && echo "FAIL: $name"
				ok=0
				show_diff "$dir/$f" "$tmp/$f" "$f"
			fi
		done
		[ "$ok" = 1 ] && echo "PASS: $name"
	done
done
exit 0
