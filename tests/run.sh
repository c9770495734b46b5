#!/bin/sh
# run.sh - run every test and print one closing line "N passed, N failed".
#
# Runs each cmocka binary build/tests/test_* and each script tests/t_*.sh.
# cmocka binaries report "[  PASSED  ] N test(s)." and "[  FAILED  ] N
# test(s)"; scripts print one "PASS: name" or "FAIL: name" line per check.
# A binary that crashes counts as one failure.
B=${B:-build}
export B
cd "$(dirname "$0")/.." || exit 2
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.o|*.d) continue ;; esac
	echo "== $t"
	# unbuffered, so cmocka's stdout and stderr lines stay whole
	if command -v stdbuf >/dev/null; then
		stdbuf -o0 -e0 "$t" >"$log" 2>&1
	else
		"$t" >"$log" 2>&1
	fi
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL: $t exited with status $rc"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	echo "== $t"
	sh "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL: $t exited with status $rc"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
