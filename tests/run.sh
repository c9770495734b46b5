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
# The external suites live beside the checkout (../shared/corpora); a
# clone made elsewhere (git clone . /tmp/x) finds them at the workspace's
# copy. Without either, the conformance tests fail, naming the path.
if [ -z "${ADDR_CORPORA:-}" ] && [ ! -d ../shared/corpora ] &&
    [ -d /work/shared/corpora ]; then
	ADDR_CORPORA=/work/shared/corpora
	export ADDR_CORPORA
fi
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log" "$log.err"' EXIT
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.o|*.d) continue ;; esac
	echo "== $t"
	# stdout and stderr apart: cmocka writes to both, and one file
	# could get their lines interleaved mid-line (stdbuf would fix that
	# but its LD_PRELOAD upsets the sanitizer runtime of make SAN=1)
	"$t" >"$log" 2>"$log.err"
	rc=$?
	cat "$log" "$log.err"
	p=$(cat "$log" "$log.err" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(cat "$log" "$log.err" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
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
