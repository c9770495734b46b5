# lib.sh - what the shell tests share; source it after setting SUITE:
#   SUITE=addrdir-import . tests/lib.sh
# It moves to the top of the tree, sets B, bin (the addrdir binary) and a
# temporary directory $tmp removed at exit, and defines check NAME CMD...
# which prints "PASS: $SUITE NAME" or "FAIL: $SUITE NAME".
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
bin=$B/addrdir
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$bin" ]; then
	echo "FAIL: $SUITE ($bin not built)"
	exit 0
fi
check() {	# check NAME CONDITION...
	name=$1
	shift
	if "$@"; then echo "PASS: $SUITE $name"; else echo "FAIL: $SUITE $name"; fi
}
