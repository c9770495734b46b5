#!/bin/sh
# t_header.sh - the public header compiles alone, pedantic, warnings as errors
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include "addr.h"\nint main(void) { return 0; }\n' > "$tmp/h.c"
for std in c11 c99; do
	if ${CC:-cc} -std=$std -pedantic -Wall -Wextra -Werror -Ilibaddr/include \
	    -c -o "$tmp/h.o" "$tmp/h.c"; then
		echo "PASS: addr.h compiles alone with -std=$std -pedantic -Wall -Wextra -Werror"
	else
		echo "FAIL: addr.h does not compile alone with -std=$std"
	fi
done
if c++ -std=c++11 -pedantic -Wall -Wextra -Werror -Ilibaddr/include -x c++ \
    -c -o "$tmp/hpp.o" "$tmp/h.c" 2>/dev/null; then
	echo "PASS: addr.h compiles as C++11"
elif ! command -v c++ >/dev/null; then
	echo "PASS: (no C++ compiler; C++ check skipped)"
else
	echo "FAIL: addr.h does not compile as C++11"
fi
