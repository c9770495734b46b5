#!/bin/sh
# t_dsml_schema.sh - DSML that libaddr writes, and the vectors T29 and
# T31, validate against a schema with xmllint --nonet (spec-directory.md
# §7.4, §11.4). Prints one PASS:/FAIL: line per file and schema.
#
# Schemas: testdata/dsml/dsml-shape.xsd, always: the shape libaddr reads
# and writes, written for these tests from §7.1. The OASIS DSMLv2.xsd
# too when a copy is at $DSMLV2_XSD or testdata/dsml/DSMLv2.xsd; the
# project does not ship one (see testdata/dsml/README), so without it
# the script says SKIP for that schema.
#
# The writer runs in tests/dsml/write_dsml.c, built here into
# $B/tests/dsml/ (a file with a main() in tests/ itself would be linked
# into every test program).
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
if ! command -v xmllint >/dev/null 2>&1; then
	sh tests/ensure-packages.sh libxml2-utils >/dev/null 2>&1
fi
if ! command -v xmllint >/dev/null 2>&1; then
	echo "FAIL: dsml-schema (xmllint is missing: apt-get install libxml2-utils)"
	exit 0
fi
if [ ! -f "$B/libaddr.a" ]; then
	echo "FAIL: dsml-schema ($B/libaddr.a not built)"
	exit 0
fi
mkdir -p "$B/tests/dsml"
bin=$B/tests/dsml/write_dsml
san=
[ "$B" = build-san ] && san="-fsanitize=address,undefined"
# shellcheck disable=SC2046
if ! ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -g $san -Ilibaddr/include \
    -o "$bin" tests/dsml/write_dsml.c "$B/libaddr.a" \
    $(pkg-config --libs icu-uc icu-i18n libxml-2.0); then
	echo "FAIL: dsml-schema (tests/dsml/write_dsml.c does not build)"
	exit 0
fi

# the files: what the writer makes of the sample directory and of
# must-base64 values, and the two vectors as the spec prints them
files=
for src in testdata/sample/directory.ldif testdata/dsml/writer-values.ldif; do
	out=$tmp/$(basename "$src" .ldif).xml
	if "$bin" "$src" >"$out" 2>"$tmp/err"; then
		files="$files $out"
	else
		cat "$tmp/err"
		echo "FAIL: dsml-schema write $src"
	fi
done
files="$files testdata/dsml/t29-batchresponse.xml testdata/dsml/t31-batchrequest.xml"

oasis=${DSMLV2_XSD:-testdata/dsml/DSMLv2.xsd}
for xsd in testdata/dsml/dsml-shape.xsd "$oasis"; do
	if [ ! -f "$xsd" ]; then
		echo "SKIP: dsml-schema (no OASIS schema at $xsd)"
		continue
	fi
	for f in $files; do
		if xmllint --noout --nonet --schema "$xsd" "$f" >"$tmp/log" 2>&1; then
			echo "PASS: dsml-schema $(basename "$xsd") $(basename "$f")"
		else
			tail -n 5 "$tmp/log"
			echo "FAIL: dsml-schema $(basename "$xsd") $(basename "$f")"
		fi
	done
done
# the shape schema is no rubber stamp: a name outside the pattern fails
printf '%s\n' '<batchResponse xmlns="urn:oasis:names:tc:DSML:2:0:core"><searchResponse><searchResultEntry dn="cn=x"><attr name="Office Phone"><value>1</value></attr></searchResultEntry><searchResultDone><resultCode code="0"/></searchResultDone></searchResponse></batchResponse>' >"$tmp/bad.xml"
if xmllint --noout --nonet --schema testdata/dsml/dsml-shape.xsd "$tmp/bad.xml" >/dev/null 2>&1; then
	echo "FAIL: dsml-schema dsml-shape.xsd accepts a bad attribute name"
else
	echo "PASS: dsml-schema dsml-shape.xsd refuses a bad attribute name"
fi
exit 0
