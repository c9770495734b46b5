#!/bin/sh
# run.sh - the address-parser benchmark: corpus, throughput, instructions
#
# Called by `make bench` with B=build once build/bench/gencorpus and
# build/bench/bench_parse exist. Steps:
#   1. gencorpus writes the seeded corpus to $B/bench/corpus.txt;
#   2. bench_parse runs libaddr, libetpan and GMime in interleaved rounds
#      over it (output kept in $B/bench/bench_parse.out);
#   3. for each parser, callgrind counts instructions for --only runs over
#      the first $CG_COUNT addresses, with and without the parse pass
#      (both include loading and a 1000-address warm-up); the difference
#      divided by $CG_COUNT is instructions per address. A third run with
#      --toggle-collect='measured_pass*' counts the parse pass alone and
#      serves as a cross-check and as the profile
#      ($B/bench/callgrind.<parser>.pass.out; libaddr's flat profile is in
#      $B/bench/callgrind.libaddr.annotate.txt);
#   4. a summary table against the targets of issue 2.
# Environment: B (build dir), BENCH_SEED, BENCH_COUNT (1000000),
# BENCH_ROUNDS (7), BENCH_CG_COUNT (100000), BENCH_PARSERS (all three).
set -euf	# -f: no globbing; the toggle-collect pattern must reach valgrind

B=${B:-build}
D=$B/bench
SEED=${BENCH_SEED:-20260101}
COUNT=${BENCH_COUNT:-1000000}
ROUNDS=${BENCH_ROUNDS:-7}
CG_COUNT=${BENCH_CG_COUNT:-100000}
PARSERS=${BENCH_PARSERS:-libaddr libetpan gmime}

for f in "$D/gencorpus" "$D/bench_parse"; do
	[ -x "$f" ] || { echo "run.sh: $f missing; run make bench" >&2; exit 1; }
done

echo "== machine"
echo "date:  $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc: $(nproc)"
echo "cpu:   $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "load:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cc:    $(${CC:-cc} --version | head -n 1)"

echo "== corpus: $D/gencorpus --seed $SEED --count $COUNT -o $D/corpus.txt"
"$D/gencorpus" --seed "$SEED" --count "$COUNT" -o "$D/corpus.txt"
cut -f1 "$D/corpus.txt" | sort | uniq -c | sort -rn

echo "== throughput: $D/bench_parse --rounds $ROUNDS --show-diff 3 $D/corpus.txt"
"$D/bench_parse" --rounds "$ROUNDS" --show-diff 3 "$D/corpus.txt" \
	| tee "$D/bench_parse.out"

# ir FILE - the total instruction count of a callgrind output file
ir() {
	sed -n 's/^summary: *//p' "$1" | head -n 1
}

# cg PARSER TAG [VALGRIND-OR-BENCH OPTION] - one callgrind run of --only PARSER
cg() {
	_p=$1 _t=$2
	shift 2
	_vopt= _bopt=
	case "${1:-}" in
	--baseline) _bopt=$1 ;;
	--*) _vopt=$1 ;;
	esac
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --callgrind-out-file="$D/callgrind.$_p.$_t.out" \
		$_vopt "$D/bench_parse" --only "$_p" --count "$CG_COUNT" $_bopt \
		"$D/corpus.txt" >/dev/null 2>"$D/callgrind.$_p.$_t.log"
}

: > "$D/callgrind.summary"
if command -v valgrind >/dev/null 2>&1; then
	echo "== instructions: valgrind --tool=callgrind $D/bench_parse --only P --count $CG_COUNT [--baseline] $D/corpus.txt"
	for p in $PARSERS; do
		cg "$p" run
		cg "$p" base --baseline
		cg "$p" pass --toggle-collect='measured_pass*'
		run=$(ir "$D/callgrind.$p.run.out")
		base=$(ir "$D/callgrind.$p.base.out")
		pass=$(ir "$D/callgrind.$p.pass.out")
		awk -v p="$p" -v r="$run" -v b="$base" -v s="$pass" -v n="$CG_COUNT" \
			'BEGIN { printf "%-9s run %13.0f  baseline %12.0f  => %8.1f Ir/addr  (toggle-collect: %8.1f)\n", p, r, b, (r - b) / n, s / n }'
		awk -v p="$p" -v r="$run" -v b="$base" -v n="$CG_COUNT" \
			'BEGIN { printf "%s %.1f\n", p, (r - b) / n }' >>"$D/callgrind.summary"
	done
	if [ -f "$D/callgrind.libaddr.pass.out" ]; then
		callgrind_annotate --inclusive=no "$D/callgrind.libaddr.pass.out" \
			>"$D/callgrind.libaddr.annotate.txt" 2>/dev/null || true
		callgrind_annotate --inclusive=yes "$D/callgrind.libaddr.pass.out" \
			>"$D/callgrind.libaddr.inclusive.txt" 2>/dev/null || true
		echo "libaddr profile of the parse pass: $D/callgrind.libaddr.annotate.txt (self), $D/callgrind.libaddr.inclusive.txt (inclusive)"
	fi
else
	echo "== instructions: valgrind not installed; skipped"
fi

echo "== summary (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
awk '
	FNR == NR { ipa[$1] = $2; next }
	$1 == "RESULT" {
		p = $2; sub("wall_aps=", "", $3); sub("cpu_aps=", "", $4)
		sub("accepted=", "", $5)
		wall[p] = $3; cpu[p] = $4; acc[p] = $5; order[++n] = p
	}
	END {
		printf "%-9s %14s %14s %12s %10s\n", "parser", "addr/s wall", "addr/s cpu", "Ir/addr", "accepted"
		for (i = 1; i <= n; i++) {
			p = order[i]
			printf "%-9s %14.0f %14.0f %12s %10s\n", p, wall[p], cpu[p], (p in ipa) ? ipa[p] : "-", acc[p]
		}
		if (cpu["libetpan"] > 0) {
			t = cpu["libaddr"] / cpu["libetpan"]
			printf "libaddr/libetpan throughput (median, thread cpu): %.2fx  target >= 4x: %s\n", t, ((t >= 4) ? "met" : "NOT met")
			t = wall["libaddr"] / wall["libetpan"]
			printf "libaddr/libetpan throughput (median, wall):       %.2fx  target >= 4x: %s\n", t, ((t >= 4) ? "met" : "NOT met")
		}
		if (acc["libaddr"] == 0)
			print "WARNING: libaddr accepted nothing (placeholder parser?); its figures mean nothing"
		if (ipa["libetpan"] > 0 && ("libaddr" in ipa)) {
			t = ipa["libaddr"] / ipa["libetpan"]
			printf "libaddr/libetpan instructions per address:        %.3f  target <= 0.25: %s\n", t, ((t <= 0.25) ? "met" : "NOT met")
		}
	}' "$D/callgrind.summary" "$D/bench_parse.out"
