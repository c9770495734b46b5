#!/bin/sh
# demo.sh - what `make run` shows until the gateway exists: addrconv check
# and normalize over the sample addresses in testdata/sample/addresses.txt.
# Rejected addresses are part of the sample, so addrconv's exit status 1 is
# expected here; the demo itself exits 0.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
conv=$B/addrconv
sample=testdata/sample/addresses.txt
if [ ! -x "$conv" ]; then
	echo "demo: $conv is not built (run make)" >&2
	exit 2
fi

step() {
	echo
	echo "== $*"
}

step "addrconv check < $sample   (ASCII only: UTF-8 input is an error)"
"$conv" check < "$sample"

step "addrconv check --smtputf8 < $sample"
"$conv" check --smtputf8 < "$sample"

step "addrconv check --strict   (obsolete syntax refused)"
"$conv" check --strict 'Joe Q. Public <john.q.public@example.com>' \
    'john@example.com (John Doe)'

step "addrconv normalize --smtputf8 < $sample   (rejected inputs on stderr)"
"$conv" normalize --smtputf8 < "$sample" 2>&1

step "addrconv normalize --smtputf8 --unicode --keep-display < $sample"
"$conv" normalize --smtputf8 --unicode --keep-display < "$sample" 2>&1

step "addrconv check --json / normalize --json"
"$conv" check --json 'john@example.com (John Doe)'
"$conv" normalize --json 'Joe Q. Public <john.q.public@example.com>'
exit 0
