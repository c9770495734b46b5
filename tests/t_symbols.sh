#!/bin/sh
# t_symbols.sh - the shared library exports only addr_* symbols and has a soname
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
so="$B/libaddr.so"
bad=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDBRVW]/ {print $3}' |
	grep -v '^addr_' | grep -v '^_init$' | grep -v '^_fini$' | grep -v '^_edata$\|^_end$\|^__bss_start$')
internal=$(nm -D --defined-only "$so" | awk '{print $3}' | grep '^addr__')
if [ -z "$bad" ] && [ -z "$internal" ]; then
	echo "PASS: $so exports only addr_* symbols ($(nm -D --defined-only "$so" | grep -c ' addr_'))"
else
	echo "FAIL: $so exports non-public symbols: $bad $internal"
fi
soname=$(objdump -p "$so" | awk '/SONAME/ {print $2}')
if [ "$soname" = "libaddr.so.0" ]; then
	echo "PASS: soname is $soname"
else
	echo "FAIL: soname is '$soname', want libaddr.so.0"
fi
