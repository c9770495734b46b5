#!/bin/sh
# import.sh - the import benchmark of issue 5: addrdir import of the
# 1,000,000-recipient directory in each format, time and peak memory,
# against the bare parsers of the same file
#
# Called by `make bench-import` with B=build once build/addrdir,
# build/bench/gendir and build/bench/bench_dir exist. Steps:
#   1. gendir writes $B/bench/dir_<N>.ldif (the directory benchmark's
#      file: mailboxes with three proxies, nested groups); addrdir
#      convert writes it as DSML; a CSV of N mailboxes with the same
#      three proxies is generated (CSV needs every DN under one base of
#      CN RDNs, which gendir's OUs are not, so the CSV file is a
#      sibling, not a conversion);
#   2. $REPS rounds, alternating the order within a round, each program
#      one process under /usr/bin/time (wall seconds, max RSS):
#        LDIF: addrdir import new.ldif dir_N.ldif (every entry an add,
#              all validation, uniqueness, the check, the atomic write)
#              against bench_dir --lib libldap (ldif_read_record +
#              ldap_parse_ldif_record, the bare parse; target <= 1.5x);
#        DSML: addrdir import new.xml dir_N.xml against xmllint --stream
#              --noout (target <= 2x);
#        CSV:  addrdir import --base ... new.ldif dir_N.csv (no peer);
#   3. medians and ratios.
# The import writes its result to a file on the same disk; the peers
# write nothing. Environment: B, BENCH_SEED (20260101), BENCH_IMPORT_COUNT
# (1000000), BENCH_IMPORT_REPS (3), BENCH_IMPORT_FORMATS ("ldif dsml csv":
# which formats to measure, each with its peer; the files are made all
# the same).
set -eu
B=${B:-build}
D=$B/bench
SEED=${BENCH_SEED:-20260101}
N=${BENCH_IMPORT_COUNT:-1000000}
REPS=${BENCH_IMPORT_REPS:-3}
FORMATS=${BENCH_IMPORT_FORMATS:-ldif dsml csv}
for f in $FORMATS; do
	case $f in ldif|dsml|csv) ;; *) echo "import.sh: BENCH_IMPORT_FORMATS: $f: ldif, dsml or csv" >&2; exit 2 ;; esac
done
for f in "$B/addrdir" "$D/gendir" "$D/bench_dir"; do
	[ -x "$f" ] || { echo "import.sh: $f missing; run make bench-import" >&2; exit 1; }
done
echo "== import benchmark (issue 5)"
echo "date:   $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc:  $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
L=$D/dir_$N.ldif X=$D/dir_$N.xml C=$D/dir_$N.csv
[ -s "$L" ] || "$D/gendir" --seed "$SEED" --count "$N" -o "$L"
[ -s "$X" ] || "$B/addrdir" convert "$L" "$X"
[ -s "$C" ] || python3 - "$N" "$C" <<'EOPY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w", newline="") as f:
    f.write("Obj-Class,Directory Name,Alias Name,Display Name,First Name,Last name,"
            "E-mail Addresses,Secondary-Proxy-Addresses\r\n")
    for i in range(n):
        a = "u%07d" % i
        f.write("Mailbox,%s,%s,User %d,User,N%d,SMTP:%s@example.com,"
                "smtp:%s@example.org%%X500:/o=Old/ou=Site/cn=Recipients/cn=%s\r\n"
                % (a, a, i, i, a, a, a))
EOPY
for f in "$L" "$X" "$C"; do echo "$f: $(wc -c <"$f") bytes"; done
base="--base OU=Recipients,DC=example,DC=com"
res=$D/import.results
: >"$res"
# run NAME CMD... - one measured process: "NAME wall maxrss_kb user sys";
# nothing when NAME's format is not measured
run() {
	name=$1; shift
	case $name in libldap) fmt=ldif ;; xmllint) fmt=dsml ;; *) fmt=$name ;; esac
	case " $FORMATS " in *" $fmt "*) ;; *) return 0 ;; esac
	rm -f "$D/imp.ldif" "$D/imp.xml" "$D/imp.ldif.lock" "$D/imp.xml.lock"
	/usr/bin/time -f "%e %M %U %S" -o "$D/time.out" "$@" >/dev/null 2>"$D/run.err" ||
	    { echo "import.sh: $name failed:"; cat "$D/run.err"; exit 1; }
	echo "$name $(cat "$D/time.out")" >>"$res"
}
r=1
while [ "$r" -le "$REPS" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		run libldap "$D/bench_dir" --lib libldap "$L"
		run ldif "$B/addrdir" import "$D/imp.ldif" "$L"
		run xmllint xmllint --stream --noout "$X"
		run dsml "$B/addrdir" import "$D/imp.xml" "$X"
	else
		run ldif "$B/addrdir" import "$D/imp.ldif" "$L"
		run libldap "$D/bench_dir" --lib libldap "$L"
		run dsml "$B/addrdir" import "$D/imp.xml" "$X"
		run xmllint xmllint --stream --noout "$X"
	fi
	# shellcheck disable=SC2086
	run csv "$B/addrdir" import $base "$D/imp.ldif" "$C"
	echo "round $r done; load $(cut -d' ' -f1-3 /proc/loadavg)"
	r=$((r + 1))
done
rm -f "$D/imp.ldif" "$D/imp.xml" "$D/time.out" "$D/run.err" "$D"/imp.*.lock
echo "== medians of $REPS (wall s, CPU s = user + system, max RSS MiB); load now $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v lb="$(wc -c <"$L")" -v xb="$(wc -c <"$X")" -v cb="$(wc -c <"$C")" '
	function med(name,   a, n, i, j, t) {
		n = 0
		for (i = 1; i <= NR; i++) if (nm[i] == name) a[++n] = tm[i]
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function medm(name,   a, n, i, j, t) {
		n = 0
		for (i = 1; i <= NR; i++) if (nm[i] == name) a[++n] = rs[i]
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function medc(name,   a, n, i, j, t) {
		n = 0
		for (i = 1; i <= NR; i++) if (nm[i] == name) a[++n] = cp[i]
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ nm[NR] = $1; tm[NR] = $2; rs[NR] = $3; cp[NR] = $4 + $5; seen[$1] = 1 }
	END {
		printf "%-8s %10s %10s %10s %12s\n", "what", "wall s", "CPU s", "maxRSS MiB", "RSS/file"
		split("libldap ldif xmllint dsml csv", k, " ")
		for (i = 1; i <= 5; i++) {
			if (!(k[i] in seen)) continue
			f = (k[i] == "xmllint" || k[i] == "dsml") ? xb : (k[i] == "csv" ? cb : lb)
			printf "%-8s %10.2f %10.2f %10.1f %12.2f\n", k[i], med(k[i]), medc(k[i]), medm(k[i]) / 1024, medm(k[i]) * 1024 / f
		}
		if ("ldif" in seen) {
			rl = med("ldif") / med("libldap")
			printf "LDIF import / libldap parse: %.2fx wall, %.2fx CPU (target <= 1.5x): %s\n", rl, medc("ldif") / medc("libldap"), rl <= 1.5 ? "met" : "NOT met"
		}
		if ("dsml" in seen) {
			rd = med("dsml") / med("xmllint")
			printf "DSML import / xmllint --stream: %.2fx wall, %.2fx CPU (target <= 2x): %s\n", rd, medc("dsml") / medc("xmllint"), rd <= 2 ? "met" : "NOT met"
		}
	}' "$res"
