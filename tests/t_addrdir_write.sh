#!/bin/sh
# t_addrdir_write.sh - addrdir policy --write rewrites the directory file
# atomically and only when every recipient succeeded (architecture.md,
# spec-directory.md §4 step 6). Prints PASS:/FAIL: lines.
SUITE=addrdir-write
. "$(dirname "$0")/lib.sh"
src=testdata/addrdir/policy-json/directory.ldif

# success: the file is rewritten, in writer form, and checks clean
cp "$src" "$tmp/d.ldif"
"$bin" policy "$tmp/d.ldif" --x400-site 'C=US;A= ;P=Example;O=HQ;' \
    --legacy-dn-base '/o=Example/ou=HQ/cn=Recipients' --write >"$tmp/out" 2>"$tmp/err"
check "status-0" [ $? = 0 ]
check "rewritten" grep -q '^legacyExchangeDN: /o=Example/ou=HQ/cn=Recipients/cn=saleseast2$' "$tmp/d.ldif"
check "x400-added" grep -q '^proxyAddresses: X400:C=US;A= ;P=Example;O=HQ;S=Doe;G=John;I=Q;$' "$tmp/d.ldif"
"$bin" check "$tmp/d.ldif" >"$tmp/chk" 2>&1
check "result-checks-clean" [ $? = 0 ] && [ ! -s "$tmp/chk" ]
check "no-temp-left" [ "$(ls "$tmp" | grep -c '^d\.ldif\.')" = 0 ]
# a second run changes nothing and the file stays byte-identical
cp "$tmp/d.ldif" "$tmp/before"
"$bin" policy "$tmp/d.ldif" --x400-site 'C=US;A= ;P=Example;O=HQ;' \
    --legacy-dn-base '/o=Example/ou=HQ/cn=Recipients' --write >"$tmp/out2" 2>&1
check "idempotent" cmp -s "$tmp/d.ldif" "$tmp/before"
check "nothing-printed" [ ! -s "$tmp/out2" ]

# failure: one recipient fails, nothing is written
cp "$src" "$tmp/f.ldif"
"$bin" policy "$tmp/f.ldif" --template '%g.%s@example.com' --write >"$tmp/out" 2>"$tmp/err"
check "failure-status-1" [ $? = 1 ]
check "failure-untouched" cmp -s "$src" "$tmp/f.ldif"
check "failure-says-why" grep -q 'policy.template' "$tmp/err"
exit 0
