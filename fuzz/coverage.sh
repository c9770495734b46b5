#!/bin/sh
# coverage.sh - line coverage of each target's parser file(s) from its corpus
#
# SYNOPSIS
#	sh fuzz/coverage.sh [name...]		(default: every fuzz target)
#
# DESCRIPTION
#	Builds fuzz/<name>.c + fuzz/replay.c + libaddr/*.c (as an archive)
#	with clang source-based coverage (-fprofile-instr-generate
#	-fcoverage-mapping, -O0, no sanitizers) into build-cov/cov_<name>,
#	replays fuzz/corpus/<name>/ and fuzz/regressions/<name>/ through it
#	(input by input, leaving out and naming those that crash, if the
#	whole replay fails), merges the profile with llvm-profdata and
#	prints llvm-cov's report for the target's parser files
#	(build-cov/<name>.report), then one line per file and one for their
#	TOTAL:
#		COVERAGE <name> <file> lines <covered>/<total> <percent>%
#	With several targets it then reports all their profiles together
#	for the first one's files, with every target whose files include
#	them (name "all"): envelope_path and header_addrlist each reach only
#	their own mode of the address parser, and rfc2156_map reaches the
#	parts of the X.400 files that the mapping uses (run it after
#	x400_parse). The gateway targets #include the gateway files they test;
#	mime_disclaimer and mime_downgrade link with GMime.
#	build-cov/<name>.txt gets the annotated source (llvm-cov show), to
#	find what the corpus misses: lines with count 0 are marked "0|".
#
#	Tools: clang, llvm-profdata-14 and llvm-cov-14 (Debian: clang-14,
#	llvm-14; override with CLANG, LLVM_PROFDATA, LLVM_COV). The build
#	directory is COV_B (default build-cov).
#
#	When adding a target, add its parser file(s) to parser_files below.
set -e
cd "$(dirname "$0")/.."
C=${COV_B:-build-cov}
CLANG=${CLANG:-clang}
pick() { for t in "$@"; do command -v "$t" >/dev/null 2>&1 && { echo "$t"; return; }; done; echo "$1"; }
PROFDATA=${LLVM_PROFDATA:-$(pick llvm-profdata-14 llvm-profdata)}
COV=${LLVM_COV:-$(pick llvm-cov-14 llvm-cov)}
PKGS="icu-uc icu-i18n libxml-2.0"
# what a target that #includes gateway files links with besides
target_pkgs() {
	case $1 in
	mime_disclaimer|mime_downgrade) echo gmime-3.0 ;;
	smtp_session|gw_config|smtp_reply) echo libevent ;;
	esac
}

# parser_files - the files whose coverage a target is judged by
parser_files() {
	case $1 in
	envelope_path|header_addrlist)
		# the address parser (spec-address.md), whatever files it spans
		for f in mailbox address envelope header fastpath lex spec \
		    scan domain result normalize rfc2047; do
			[ -f "libaddr/$f.c" ] && printf 'libaddr/%s.c ' "$f"
		done
		echo ;;
	imcea_decode) echo libaddr/imcea.c ;;
	exdn) echo libaddr/exdn.c ;;
	x400_parse) echo libaddr/x400.c libaddr/x400_exchange.c \
	    libaddr/x400_rfc1685.c libaddr/x400_stdor.c ;;
	# the mapping calls the X.400 model and formatter (addr_x400_is_valid,
	# addr__x400_pn_format, ...): run with x400_parse first, the "all"
	# rows add its share of those files
	rfc2156_map) echo libaddr/rfc2156.c libaddr/x400.c \
	    libaddr/x400_exchange.c libaddr/x400_rfc1685.c \
	    libaddr/x400_stdor.c ;;
	ps_decode) echo libaddr/ps.c ;;
	ldif_read) echo libaddr/io_ldif.c ;;
	dsml_read) echo libaddr/io_dsml.c ;;
	csv_read) echo libaddr/io_csv.c ;;
	proxy_parse) echo libaddr/dir_proxy.c ;;
	policy_template) echo libaddr/policy.c ;;
	# the gateway targets #include the gateway files they test
	gw_config) echo gateway/config.c ;;
	smtp_reply) echo gateway/reply.c ;;
	smtp_session) echo gateway/session.c gateway/pipeline.c \
	    gateway/journal.c ;;
	mime_disclaimer) echo gateway/disclaimer.c gateway/splice.c ;;
	mime_downgrade) echo gateway/downgrade.c gateway/splice.c ;;
	*) echo libaddr/*.c ;;
	esac
}

if [ $# = 0 ]; then
	for f in fuzz/*.c; do
		n=${f#fuzz/}
		n=${n%.c}
		[ "$n" = replay ] || set -- "$@" "$n"
	done
fi
targets="$*"
mkdir -p "$C"
CFLAGS_COV="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O0 -g \
	-fprofile-instr-generate -fcoverage-mapping -Ilibaddr/include -Ilibaddr"
# The library as an archive, so that each target links only what it uses
# and a file of another module that does not compile (work in progress)
# is reported and left out instead of stopping the measurement.
mkdir -p "$C/obj"
rm -f "$C/obj/"*.o "$C/libaddr-cov.a"
for f in libaddr/*.c; do
	o="$C/obj/$(basename "$f" .c).o"
	# shellcheck disable=SC2046,SC2086
	$CLANG $CFLAGS_COV $(pkg-config --cflags $PKGS) -c -o "$o" "$f" \
	    2> "$o.log" || echo "coverage: $f does not compile, left out" >&2
done
ar rcs "$C/libaddr-cov.a" "$C/obj/"*.o
for n in $targets; do
	# shellcheck disable=SC2046,SC2086
	tp=$(target_pkgs "$n")
	$CLANG $CFLAGS_COV $(pkg-config --cflags $PKGS $tp) -o "$C/cov_$n" \
	    "fuzz/$n.c" fuzz/replay.c "$C/libaddr-cov.a" \
	    $(pkg-config --libs $PKGS $tp)
	set -- "fuzz/corpus/$n"
	[ -d "fuzz/regressions/$n" ] && set -- "$@" "fuzz/regressions/$n"
	# %m: one profile that every process merges into
	rm -f "$C/$n"-*.profraw
	if ! LLVM_PROFILE_FILE="$C/$n-%m.profraw" "$C/cov_$n" "$@" \
	    > "$C/$n.replay.log" 2>&1; then
		# A crash writes no profile: measure input by input instead,
		# leaving out (and naming) the inputs that still fail.
		tail -n 3 "$C/$n.replay.log" >&2
		echo "coverage: $n: replaying file by file" >&2
		rm -f "$C/$n"-*.profraw
		find "$@" -type f ! -name 'README*' ! -name '.*' |
		while read -r f; do
			LLVM_PROFILE_FILE="$C/$n-%m.profraw" "$C/cov_$n" "$f" \
			    > /dev/null 2>&1 || echo "coverage: $n: $f fails" >&2
		done
	fi
	"$PROFDATA" merge -sparse -o "$C/$n.profdata" "$C/$n"-*.profraw
	files=$(parser_files "$n")
	# shellcheck disable=SC2086
	"$COV" report "$C/cov_$n" -instr-profile="$C/$n.profdata" $files \
	    > "$C/$n.report"
	cat "$C/$n.report"
	# shellcheck disable=SC2086
	"$COV" show "$C/cov_$n" -instr-profile="$C/$n.profdata" $files \
	    > "$C/$n.txt"
	# Filename Regions Missed Cover Functions Missed Executed Lines Missed Cover ...
	# llvm-cov names files relative to their common directory
	awk -v n="$n" -v files="$files" 'BEGIN {
		k = split(files, a, " ")
		for (i = 1; i <= k; i++) { b = a[i]; sub(".*/", "", b); full[b] = a[i] } }
	NF >= 10 && $8 ~ /^[0-9]+$/ {
		f = $1; sub(".*/libaddr/", "libaddr/", f)
		sub(".*/gateway/", "gateway/", f)
		if (f in full) f = full[f]
		printf "COVERAGE %s %s lines %d/%d %s\n", n, f, $8 - $9, $8, $10 }' \
	    "$C/$n.report"
done

# The union over the targets, for the files they have in common.
# shellcheck disable=SC2086
set -- $targets
if [ $# -gt 1 ]; then
	common=$(parser_files "$1")
	objs="" profs="" k=0
	for n in "$@"; do
		# n takes part when its files include all of the first's
		mine=" $(parser_files "$n") " all_in=1
		for f in $common; do
			case $mine in *" $f "*) ;; *) all_in=0 ;; esac
		done
		[ "$all_in" = 1 ] || continue
		if [ -z "$objs" ]; then objs="$C/cov_$n"; else objs="$objs -object $C/cov_$n"; fi
		profs="$profs $C/$n.profdata"
		k=$((k + 1))
	done
	# nothing to add up unless the first target shares its files
	[ "$k" -gt 1 ] || exit 0
	# shellcheck disable=SC2086
	"$PROFDATA" merge -sparse -o "$C/all.profdata" $profs
	# shellcheck disable=SC2086
	"$COV" report $objs -instr-profile="$C/all.profdata" $common > "$C/all.report"
	awk 'NF >= 10 && $8 ~ /^[0-9]+$/ {
		f = $1; sub(".*/libaddr/", "libaddr/", f)
		if (f != "TOTAL" && f !~ /\//) f = "libaddr/" f
		printf "COVERAGE all %s lines %d/%d %s\n", f, $8 - $9, $8, $10 }' \
	    "$C/all.report"
fi
