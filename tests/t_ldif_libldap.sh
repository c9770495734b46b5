#!/bin/sh
# t_ldif_libldap.sh - differential test of libaddr's LDIF reader against
# OpenLDAP's ldap_parse_ldif_record (spec-directory.md §6.4) on every
# LDIF file in testdata/. libldap is a test oracle only: the program is
# built here, into $B/tests/oracle/, and never linked into libaddr.
# Prints one PASS:/FAIL: line per file (SKIP: for a file libaddr refuses,
# which is never given to libldap: it would fetch ":<" URLs).
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
if ! pkg-config --exists ldap 2>/dev/null && [ ! -f /usr/include/ldif.h ]; then
	echo "FAIL: ldif-libldap (libldap-dev is not installed: make deps)"
	exit 0
fi
if [ ! -f "$B/libaddr.a" ]; then
	echo "FAIL: ldif-libldap ($B/libaddr.a not built)"
	exit 0
fi
mkdir -p "$B/tests/oracle"
bin=$B/tests/oracle/ldif_libldap
san=
[ "$B" = build-san ] && san="-fsanitize=address,undefined"
# shellcheck disable=SC2046
if ! ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -g $san -Ilibaddr/include \
    -o "$bin" tests/oracle/ldif_libldap.c "$B/libaddr.a" \
    $(pkg-config --libs icu-uc icu-i18n libxml-2.0) -lldap -llber; then
	echo "FAIL: ldif-libldap (the oracle program does not build)"
	exit 0
fi
find testdata -name '*.ldif' | LC_ALL=C sort | xargs "$bin"
exit 0
