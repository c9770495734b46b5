#!/bin/sh
# t_addrdir_import.sh - addrdir import is all or nothing and addrdir
# convert writes nothing on error (spec-directory.md §4, issue 5).
# Prints PASS:/FAIL: lines.
SUITE=addrdir-import
. "$(dirname "$0")/lib.sh"
src=testdata/sample/directory.ldif

# a change file whose LAST record fails: nothing is written
cp "$src" "$tmp/d.ldif"
touch -d '2020-01-01 00:00:00' "$tmp/d.ldif"
cat >"$tmp/c.ldif" <<EOC
version: 1
dn: CN=New One,OU=Recipients,DC=example,DC=com
changetype: add
objectClass: user
proxyAddresses: SMTP:new.one@example.com

# the last record names an object that does not exist
dn: CN=Nobody,OU=Recipients,DC=example,DC=com
changetype: delete
EOC
before=$(stat -c '%Y %s' "$tmp/d.ldif")
"$bin" import "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>"$tmp/err"
check "refused-status-1" [ $? = 1 ]
check "refused-bytes-unchanged" cmp -s "$src" "$tmp/d.ldif"
check "refused-mtime-unchanged" [ "$(stat -c '%Y %s' "$tmp/d.ldif")" = "$before" ]
check "refused-diagnostic" grep -q "c.ldif:8: error: change.no-object: " "$tmp/out"
printf 'version: 1\n\ndn: CN=Nobody,OU=Recipients,DC=example,DC=com\nchangetype: delete\n' >"$tmp/want.err"
check "rejects-exactly-bad-record" cmp -s "$tmp/c.ldif.err" "$tmp/want.err"
check "no-temp-left" [ "$(ls "$tmp" | grep -c '^d\.ldif\.[^l]')" = 0 ]

# --rejects PATH and --json
"$bin" import --json --rejects "$tmp/r.ldif" "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>/dev/null
check "json-diagnostic" grep -q '"rule":"change.no-object"' "$tmp/out"
check "rejects-path" cmp -s "$tmp/r.ldif" "$tmp/want.err"

# the same file without the bad record applies; a dry run writes nothing
sed -i '/^# the last/,$d' "$tmp/c.ldif"
"$bin" import --dry-run "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>"$tmp/err"
check "dry-run-status-0" [ $? = 0 ]
check "dry-run-unchanged" cmp -s "$src" "$tmp/d.ldif"
"$bin" import "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>"$tmp/err"
check "applied-status-0" [ $? = 0 ]
check "applied" grep -q '^proxyAddresses: SMTP:new.one@example.com$' "$tmp/d.ldif"
"$bin" check "$tmp/d.ldif" >"$tmp/chk" 2>&1
check "applied-checks-clean" [ $? = 0 ]
# applying it again: the object exists now
"$bin" import "$tmp/d.ldif" "$tmp/c.ldif" >"$tmp/out" 2>&1
check "second-run-exists" grep -q "change.exists" "$tmp/out"

# a second writer is refused while the lock is held
if command -v flock >/dev/null 2>&1; then
	flock "$tmp/d.ldif.lock" sh -c "\"$bin\" import \"$tmp/d.ldif\" \"$tmp/c.ldif\" >\"$tmp/out\" 2>&1; echo \$? >\"$tmp/rc\""
	check "locked-status-2" [ "$(cat "$tmp/rc")" = 2 ]
	check "locked-rule" grep -q "dir.locked" "$tmp/out"
fi

# a missing directory file is an empty directory
"$bin" import "$tmp/new.ldif" "$tmp/c.ldif" >"$tmp/out" 2>&1
check "new-directory" grep -q '^dn: CN=New One,OU=Recipients,DC=example,DC=com$' "$tmp/new.ldif"

# convert: LDIF to LDIF reproduces a file in writer form; errors write nothing
"$bin" convert "$src" "$tmp/copy.ldif" >"$tmp/out" 2>&1
check "convert-ldif-identical" cmp -s "$src" "$tmp/copy.ldif"
"$bin" convert --to ldif "$src" - >"$tmp/stdout.ldif" 2>/dev/null
check "convert-stdout" cmp -s "$src" "$tmp/stdout.ldif"
"$bin" convert testdata/addrdir/check-conflicts/directory.ldif "$tmp/bad.ldif" >"$tmp/out" 2>&1
check "convert-refused-status" [ $? = 1 ]
check "convert-refused-nothing-written" [ ! -e "$tmp/bad.ldif" ]
