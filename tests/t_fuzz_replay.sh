#!/bin/sh
# t_fuzz_replay.sh - replay every fuzz corpus and kept crash reproducer
#
# For each $B/fuzz/replay_<name> (built by make all from fuzz/<name>.c and
# fuzz/replay.c) run fuzz/corpus/<name>/ and, if present,
# fuzz/regressions/<name>/ through the target's invariant checks. Prints
# "PASS: replay <name> (<N> inputs)" or "FAIL: replay <name> ...". With
# make SAN=1 test ($B = build-san) this runs under ASan+UBSan.
B=${B:-build}
cd "$(dirname "$0")/.." || exit 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
nbin=0
for bin in "$B"/fuzz/replay_*; do
	[ -x "$bin" ] || continue
	nbin=$((nbin + 1))
	name=${bin##*/replay_}
	set --
	[ -d "fuzz/corpus/$name" ] && set -- "$@" "fuzz/corpus/$name"
	[ -d "fuzz/regressions/$name" ] && set -- "$@" "fuzz/regressions/$name"
	if [ $# = 0 ]; then
		echo "FAIL: replay $name (no fuzz/corpus/$name)"
		continue
	fi
	"$bin" "$@" >"$log" 2>&1
	rc=$?
	n=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$log" | tail -1)
	if [ "$rc" = 0 ] && [ -n "$n" ]; then
		echo "PASS: replay $name ($n inputs)"
	else
		tail -n 30 "$log"
		echo "FAIL: replay $name (exit status $rc)"
	fi
done
if [ "$nbin" = 0 ]; then
	echo "FAIL: replay (no $B/fuzz/replay_* built)"
fi
