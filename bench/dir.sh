#!/bin/sh
# dir.sh - the directory benchmark (issue 4): libaddr's load against libldap
#
# Called by `make bench-dir` (and by `make bench` after run.sh) with
# B=build once build/bench/gendir and build/bench/bench_dir exist. Steps:
#   1. gendir writes $B/bench/dir_<count>.ldif for each count (seed
#      $SEED); addrdir check and a bench_dir --roundtrip run on the
#      smallest file show that it is valid (0 errors) and in libaddr's
#      writer form;
#   2. $REPS rounds; each round runs, for every file, bench_dir --lib
#      libldap and bench_dir --lib libaddr, one process each (so that
#      ru_maxrss is per program and file), in an order that alternates
#      between rounds. The RESULT lines go to $B/bench/dir.results;
#   3. a table of medians (load time per recipient, libaddr/libldap,
#      peak RSS / file size, expansion of the largest group) and a
#      verdict per target of spec-directory.md §12 and issue 4:
#        per-recipient load cost at the largest count / at the smallest
#          <= 1.5 (linear growth);
#        libaddr load <= 1.5 x libldap parse, at the largest count;
#        libaddr peak RSS <= 1.5 x file size, at the largest count.
#   4. with BENCH_DIR_PROFILE=1 (and valgrind): callgrind counts of the
#      measured parts alone (--toggle-collect='measured_*': libaddr's
#      load, libldap's parse loop; and addr_dl_expand) and a massif heap
#      profile of libaddr, on the file of $PROFILE_COUNT records; prints
#      instructions per record and the peak heap per record, and leaves
#      $B/bench/dirprof.* (callgrind_annotate and ms_print output).
# Times are medians of process CPU time (the verdicts) and of wall time
# (shown beside them; on a busy machine wall time includes waiting);
# libaddr's CPU time is also split into user and system time with its
# minor page faults, since first-touch page faults are what grows
# faster than linearly. Both libraries are given the file (bench_dir
# --stream): each reads it itself inside the timed part, libaddr in
# chunks (addr_dir_load_ldif_read), libldap through stdio (ldif_open);
# BENCH_DIR_STREAM=0 restores the earlier setup, where the file is read
# into one buffer before either timer starts and that buffer counts in
# both peak RSS figures.
# Environment: B (build dir), BENCH_SEED (20260101), BENCH_DIR_COUNTS
# ("10000 100000 1000000", ascending), BENCH_DIR_REPS (5),
# BENCH_DIR_PROFILE (0), BENCH_DIR_PROFILE_COUNT (100000),
# BENCH_DIR_STREAM (1), BENCH_DIR_THREADS (nproc - 1, as addrdir: each
# round also runs libaddr with that many worker threads, bench_dir
# --threads, reported as libaddr-t; 0 skips it).
set -eu

B=${B:-build}
D=$B/bench
SEED=${BENCH_SEED:-20260101}
COUNTS=${BENCH_DIR_COUNTS:-10000 100000 1000000}
REPS=${BENCH_DIR_REPS:-5}
# as addrdir: one worker per processor but one
THREADS=${BENCH_DIR_THREADS:-$(($(nproc) - 1))}
PROFILE=${BENCH_DIR_PROFILE:-0}
PROFILE_COUNT=${BENCH_DIR_PROFILE_COUNT:-100000}
if [ "${BENCH_DIR_STREAM:-1}" = 1 ]; then STREAM=--stream; else STREAM=; fi

for f in "$D/gendir" "$D/bench_dir" "$B/addrdir"; do
	[ -x "$f" ] || { echo "dir.sh: $f missing; run make bench-dir" >&2; exit 1; }
done

echo "== directory benchmark (issue 4)"
echo "date:   $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc:  $(nproc)"
echo "cpu:    $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input:  ${STREAM:-buffer (BENCH_DIR_STREAM=0)}"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- libaddr 2>/dev/null || echo ' (libaddr modified)')"

first=
for n in $COUNTS; do
	echo "== $D/gendir --seed $SEED --count $n -o $D/dir_$n.ldif"
	"$D/gendir" --seed "$SEED" --count "$n" -o "$D/dir_$n.ldif"
	echo "$(wc -c <"$D/dir_$n.ldif") bytes, md5 $(md5sum <"$D/dir_$n.ldif" | cut -d' ' -f1)"
	[ -n "$first" ] || first=$n
done

echo "== validity: $B/addrdir check $D/dir_$first.ldif; bench_dir --lib libaddr --roundtrip"
if "$B/addrdir" check "$D/dir_$first.ldif"; then
	echo "addrdir check: 0 errors"
else
	echo "dir.sh: addrdir check found errors in $D/dir_$first.ldif" >&2
	exit 1
fi
"$D/bench_dir" --lib libaddr --roundtrip --expand-rounds 1 "$D/dir_$first.ldif" \
	| sed -n 's/.*\(records=[0-9]*\).*\(expand_members=[0-9]*\).*\(roundtrip=[a-z]*\).*/\1 \2 \3/p'

echo "== $REPS rounds: $D/bench_dir --lib libldap|libaddr $STREAM $D/dir_N.ldif (one process each)"
: >"$D/dir.results"
r=1
while [ "$r" -le "$REPS" ]; do
	# odd rounds libldap first, even rounds libaddr first
	if [ $((r % 2)) -eq 1 ]; then libs="libldap libaddr"; else libs="libaddr libldap"; fi
	[ "$THREADS" -gt 0 ] && libs="$libs libaddr-t"
	for n in $COUNTS; do
		for lib in $libs; do
			case $lib in
			libaddr-t) args="--lib libaddr --threads $THREADS" ;;
			*) args="--lib $lib" ;;
			esac
			# shellcheck disable=SC2086
			"$D/bench_dir" $args $STREAM "$D/dir_$n.ldif" >"$D/dir.out" || {
				echo "dir.sh: bench_dir $args $D/dir_$n.ldif failed" >&2
				exit 1
			}
			sed -e "s/^RESULT /RESULT count=$n round=$r /" \
			    -e "s/ lib=libaddr / lib=$lib /" "$D/dir.out" >>"$D/dir.results"
		done
	done
	echo "round $r done; load $(cut -d' ' -f1-3 /proc/loadavg)"
	r=$((r + 1))
done
rm -f "$D/dir.out"

echo "== summary (medians of $REPS; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
awk -v counts="$COUNTS" -v threads="$THREADS" '
	# med - the median of the n values in a[] (sorted in place)
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function field(name,   i) {
		for (i = 2; i <= NF; i++)
			if (index($i, name "=") == 1)
				return substr($i, length(name) + 2)
		return ""
	}
	$1 == "RESULT" {
		n = field("count"); l = field("lib"); k = l SUBSEP n
		c = ++cnt[k]
		w[k, c] = field("load_wall"); u[k, c] = field("load_cpu")
		m[k, c] = field("maxrss_kb"); rr[k, c] = field("rss_read_kb")
		us[k, c] = field("load_user"); sy[k, c] = field("load_sys"); pf[k, c] = field("load_minflt")
		bytes[n] = field("bytes"); recs[k] = field("records")
		if (l == "libaddr") {
			ec[k, c] = field("expand_cpu")
			mem[n] = field("expand_members"); nod[n] = field("expand_nodes")
		}
	}
	function mk(arr, k,   i, t) {
		for (i = 1; i <= cnt[k]; i++) t[i] = arr[k, i]
		return med(t, cnt[k])
	}
	END {
		nc = split(counts, C, " ")
		print "load time (medians; s = seconds wall; cpu = process CPU seconds; us/rec = CPU microseconds per record)"
		printf "%-8s %8s | %9s %9s %7s | %9s %9s %7s | %13s\n", "records", "file MB", \
			"libaddr s", "cpu", "us/rec", "libldap s", "cpu", "us/rec", "addr/ldap cpu"
		for (i = 1; i <= nc; i++) {
			n = C[i]; a = "libaddr" SUBSEP n; b = "libldap" SUBSEP n
			if (!(a in cnt) || !(b in cnt)) continue
			AC[n] = mk(u, a); AW[n] = mk(w, a); BC[n] = mk(u, b); BW[n] = mk(w, b)
			printf "%-8s %8.1f | %9.3f %9.3f %7.2f | %9.3f %9.3f %7.2f | %6.2fx (%.2fx wall)\n", \
				n, bytes[n] / 1048576, AW[n], AC[n], AC[n] / n * 1e6, \
				BW[n], BC[n], BC[n] / n * 1e6, AC[n] / BC[n], AW[n] / BW[n]
			last = n; if (!firstn) firstn = n
		}
		for (i = 1; i <= nc; i++) {
			n = C[i]; a = "libaddr-t" SUBSEP n; b = "libldap" SUBSEP n
			if (!(a in cnt) || !(b in cnt)) continue
			if (!tp++) {
				print ""
				print "libaddr with " threads " worker threads (bench_dir --threads; cpu counts every thread)"
				printf "%-8s | %9s %9s %10s | %14s\n", "records", "wall s", "cpu", "RSS MB", "addr-t/ldap wall"
			}
			TW[n] = mk(w, a); TM[n] = mk(m, a)
			printf "%-8s | %9.3f %9.3f %10.1f | %6.2fx\n", n, TW[n], mk(u, a), TM[n] / 1024, TW[n] / BW[n]
		}
		print ""
		print "libaddr load CPU split (medians): user and system seconds, minor page faults"
		printf "%-8s | %9s %7s %9s %7s | %11s %9s\n", "records", "user s", "us/rec", "sys s", "us/rec", "page faults", "per rec"
		for (i = 1; i <= nc; i++) {
			n = C[i]; a = "libaddr" SUBSEP n
			if (!(a in cnt)) continue
			x = mk(us, a); y = mk(sy, a); z = mk(pf, a)
			printf "%-8s | %9.3f %7.2f %9.3f %7.2f | %11d %9.2f\n", n, x, x / n * 1e6, y, y / n * 1e6, z, z / n
			US[n] = x
		}
		print ""
		print "memory (peak RSS, medians) and expansion of the largest group (median CPU time)"
		printf "%-8s | %10s %8s %12s | %10s %8s | %9s %8s %8s\n", "records", \
			"libaddr MB", "RSS/file", "(-file)/file", "libldap MB", "RSS/file", \
			"expand ms", "members", "nodes"
		for (i = 1; i <= nc; i++) {
			n = C[i]; a = "libaddr" SUBSEP n; b = "libldap" SUBSEP n
			if (!(a in cnt) || !(b in cnt)) continue
			am = mk(m, a); ar = mk(rr, a); bm = mk(m, b)
			RSSF[n] = am * 1024 / bytes[n]; BUF[n] = (am - ar) * 1024 / bytes[n]
			printf "%-8s | %10.1f %8.2f %12.2f | %10.1f %8.2f | %9.2f %8s %8s\n", \
				n, am / 1024, RSSF[n], BUF[n], bm / 1024, bm * 1024 / bytes[n], \
				mk(ec, a) * 1000, mem[n], nod[n]
		}
		print "((-file)/file: libaddr peak RSS minus the RSS after reading the file, over the file size)"
		print ""
		if (firstn && last != firstn) {
			g = (AC[last] / last) / (AC[firstn] / firstn)
			gw = (AW[last] / last) / (AW[firstn] / firstn)
			printf "per-recipient load cost %s/%s: %.2f (cpu), %.2f (wall), %.2f (user time only)  target <= 1.5: %s\n", \
				last, firstn, g, gw, (US[last] / last) / (US[firstn] / firstn), (g <= 1.5 ? "met" : "NOT met")
		}
		if (last) {
			t = AC[last] / BC[last]
			printf "libaddr load / libldap parse at %s: %.2fx (cpu), %.2fx (wall)  target <= 1.5x: %s\n", \
				last, t, AW[last] / BW[last], (t <= 1.5 ? "met" : "NOT met")
			if (TW[last])
				printf "  with %s worker threads: %.2fx (wall)  target <= 1.5x: %s\n", \
					threads, TW[last] / BW[last], (TW[last] / BW[last] <= 1.5 ? "met" : "NOT met")
			printf "libaddr peak RSS / file size at %s: %.2f (%.2f without the file buffer)  target <= 1.5: %s\n", \
				last, RSSF[last], BUF[last], (RSSF[last] <= 1.5 ? "met" : "NOT met")
		}
	}' "$D/dir.results"

[ "$PROFILE" = 1 ] || exit 0
if ! command -v valgrind >/dev/null 2>&1; then
	echo "== profile: valgrind not installed; skipped"
	exit 0
fi
P=$D/dir_$PROFILE_COUNT.ldif
[ -f "$P" ] || "$D/gendir" --seed "$SEED" --count "$PROFILE_COUNT" -o "$P"
echo "== profile of $P (valgrind; the measured parts only)"
# ir FILE - the total instruction count of a callgrind output file
ir() {
	sed -n 's/^summary: *//p' "$1" | head -n 1
}
# shellcheck disable=SC2086
for lib in libaddr libldap; do
	valgrind --tool=callgrind --callgrind-out-file="$D/dirprof.$lib.out" \
		--toggle-collect='measured_*' "$D/bench_dir" --lib "$lib" $STREAM \
		--expand-rounds 0 "$P" >/dev/null 2>"$D/dirprof.$lib.log"
	callgrind_annotate --inclusive=no "$D/dirprof.$lib.out" \
		>"$D/dirprof.$lib.self.txt" 2>/dev/null || true
	callgrind_annotate --inclusive=yes "$D/dirprof.$lib.out" \
		>"$D/dirprof.$lib.inclusive.txt" 2>/dev/null || true
done
valgrind --tool=callgrind --callgrind-out-file="$D/dirprof.expand.out" \
	--toggle-collect=addr_dl_expand "$D/bench_dir" --lib libaddr \
	--expand-rounds 1 "$P" >"$D/dirprof.expand.result" 2>"$D/dirprof.expand.log"
callgrind_annotate --inclusive=yes "$D/dirprof.expand.out" \
	>"$D/dirprof.expand.inclusive.txt" 2>/dev/null || true
# shellcheck disable=SC2086
valgrind --tool=massif --massif-out-file="$D/dirprof.massif.out" --depth=4 \
	"$D/bench_dir" --lib libaddr $STREAM --expand-rounds 0 "$P" >/dev/null 2>"$D/dirprof.massif.log"
ms_print "$D/dirprof.massif.out" >"$D/dirprof.massif.txt" 2>/dev/null || true
nodes=$(sed -n 's/.*expand_nodes=\([0-9]*\).*/\1/p' "$D/dirprof.expand.result")
peak=$(awk '/^ *[0-9]+ +[0-9,]+ +[0-9,]+ +[0-9,]+ +[0-9,]+ +[0-9,]+ *$/ { gsub(",", "", $3); if ($3 + 0 > p) p = $3 + 0 } END { print p }' "$D/dirprof.massif.txt")
awk -v a="$(ir "$D/dirprof.libaddr.out")" -v l="$(ir "$D/dirprof.libldap.out")" \
	-v e="$(ir "$D/dirprof.expand.out")" -v nodes="${nodes:-0}" -v n="$PROFILE_COUNT" \
	-v peak="${peak:-0}" -v bytes="$(wc -c <"$P")" 'BEGIN {
	printf "instructions per record: libaddr load %.0f, libldap parse %.0f, ratio %.2f\n", a / n, l / n, a / l
	if (nodes > 0)
		printf "addr_dl_expand of the largest group: %.0f instructions per node (%d nodes)\n", e / nodes, nodes
	printf "libaddr peak heap (massif; the file buffer is in it only without --stream): %.1f MB = %.0f bytes per record = %.2f x file size\n", \
		peak / 1048576, peak / n, peak / bytes
}'
echo "profiles: $D/dirprof.libaddr.self.txt, $D/dirprof.libaddr.inclusive.txt, $D/dirprof.expand.inclusive.txt, $D/dirprof.massif.txt"
