#!/bin/sh
# coverage.sh - line coverage of each target's parser file(s) from its corpus
#
# SYNOPSIS
#	sh fuzz/coverage.sh [name...]		(default: every fuzz target)
#
# DESCRIPTION
#	Builds fuzz/<name>.c + fuzz/replay.c + libaddr/*.c with clang source-
#	based coverage (-fprofile-instr-generate -fcoverage-mapping, -O0, no
#	sanitizers) into build-cov/cov_<name>, replays fuzz/corpus/<name>/
#	and fuzz/regressions/<name>/ through it, merges the profile with
#	llvm-profdata and prints llvm-cov's report for the target's parser
#	file(s) (build-cov/<name>.report), then one line per file and one
#	for their TOTAL:
#		COVERAGE <name> <file> lines <covered>/<total> <percent>%
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

# parser_files - the files whose coverage a target is judged by
parser_files() {
	case $1 in
	envelope_path|header_addrlist)
		echo libaddr/mailbox.c libaddr/domain.c libaddr/normalize.c \
		    libaddr/result.c libaddr/rfc2047.c ;;
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
mkdir -p "$C"
CFLAGS_COV="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O0 -g \
	-fprofile-instr-generate -fcoverage-mapping -Ilibaddr/include -Ilibaddr"
for n in "$@"; do
	# shellcheck disable=SC2046,SC2086
	$CLANG $CFLAGS_COV $(pkg-config --cflags $PKGS) -o "$C/cov_$n" \
	    "fuzz/$n.c" fuzz/replay.c libaddr/*.c $(pkg-config --libs $PKGS)
	set -- "fuzz/corpus/$n"
	[ -d "fuzz/regressions/$n" ] && set -- "$@" "fuzz/regressions/$n"
	rm -f "$C/$n.profraw"
	LLVM_PROFILE_FILE="$C/$n.profraw" "$C/cov_$n" "$@"
	"$PROFDATA" merge -sparse -o "$C/$n.profdata" "$C/$n.profraw"
	files=$(parser_files "$n")
	# shellcheck disable=SC2086
	"$COV" report "$C/cov_$n" -instr-profile="$C/$n.profdata" $files \
	    > "$C/$n.report"
	cat "$C/$n.report"
	# shellcheck disable=SC2086
	"$COV" show "$C/cov_$n" -instr-profile="$C/$n.profdata" $files \
	    > "$C/$n.txt"
	# Filename Regions Missed Cover Functions Missed Executed Lines Missed Cover ...
	awk -v n="$n" 'NF >= 10 && $8 ~ /^[0-9]+$/ {
		f = $1; sub(".*/libaddr/", "libaddr/", f)
		printf "COVERAGE %s %s lines %d/%d %s\n", n, f, $8 - $9, $8, $10 }' \
	    "$C/$n.report"
done
