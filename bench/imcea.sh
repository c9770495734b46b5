#!/bin/sh
# imcea.sh - IMCEA encode and decode cost in instructions per input byte
#
# Needs build/bench/gencorpus and build/bench/bench_imcea (make
# build/bench/gencorpus build/bench/bench_imcea) and valgrind. Writes the
# corpus ($B/bench/corpus_imcea.txt, with the seed and size bench/run.sh
# uses), then runs bench_imcea under callgrind once per pass, counting
# only the measured pass (--toggle-collect=measured_pass_<mode>), and
# prints Ir per input byte against the target of issue 3 (<= 15).
# Input bytes: decode, the IMCEA addresses; encode, the "TYPE:value"
# strings and the domains (what addr_imcea_encode_proxy reads). Encode
# is also given per "TYPE:value" byte and per byte of the IMCEA lines.
# Environment: B (build dir), BENCH_SEED (20260101), BENCH_COUNT (1000000).
set -euf	# -f: no globbing; the toggle-collect names reach valgrind as is

B=${B:-build}
D=$B/bench
SEED=${BENCH_SEED:-20260101}
COUNT=${BENCH_COUNT:-1000000}

for f in "$D/gencorpus" "$D/bench_imcea"; do
	[ -x "$f" ] || { echo "imcea.sh: $f missing" >&2; exit 1; }
done
"$D/gencorpus" --seed "$SEED" --count "$COUNT" -o "$D/corpus_imcea.txt"
for mode in decode encode; do
	valgrind --tool=callgrind \
		--callgrind-out-file="$D/callgrind.imcea.$mode.out" \
		--toggle-collect="measured_pass_$mode" \
		"$D/bench_imcea" --mode "$mode" "$D/corpus_imcea.txt" \
		>"$D/imcea.$mode.txt" 2>"$D/callgrind.imcea.$mode.log"
	ir=$(sed -n 's/^summary: *//p' "$D/callgrind.imcea.$mode.out" | head -n 1)
	sed -n 's/^imcea addresses \([0-9]*\), decode input bytes \([0-9]*\), encode input bytes \([0-9]*\) (TYPE:value \([0-9]*\) .*/\1 \2 \3 \4/p' \
		"$D/imcea.$mode.txt" | awk -v m="$mode" -v ir="$ir" '{
		n = $1; lines = $2; enc = $3; tv = $4
		b = (m == "decode") ? lines : enc
		r = ir / b
		printf "%s: %d addresses, %d input bytes, %d Ir: %.2f Ir/byte, %.0f Ir/address  target <= 15: %s\n",
		    m, n, b, ir, r, ir / n, (r <= 15) ? "met" : "NOT met"
		if (m == "encode")
			printf "encode: %.2f Ir per TYPE:value byte (domains not counted), %.2f Ir per byte of the IMCEA lines\n",
			    ir / tv, ir / lines
	}'
done
