#!/bin/sh
# t_gateway_restrict.sh - the connector's delivery restrictions
# (spec-gateway.md §6.8, §16.3), unknown recipients forwarded (§6.6) and a
# directory kept as Exchange 5.5 CSV. Real client and next hops;
# PASS:/FAIL: lines.
. "$(dirname "$0")/gw/lib.sh"

hop2=$(freeport)
conf_dir testdata/sample/directory.ldif "[restrictions]
accept_from = CN=Pat Parkes,OU=Staff,DC=example,DC=com"
sed -i "s/^\[delivery\]$/[delivery]\nretry = 1s\nunknown_recipient = forward:smtp:[127.0.0.1]:$hop2/" "$tmp/gw.conf"
sink_start || exit 1
"$PY" tests/gw/sink.py "$hop2" "$tmp/out2" >>"$tmp/sink2.log" 2>&1 &
s2=$!
# the second next hop must be up before mail can reach it
wait_for 5 test -f "$tmp/out2/.ready"
gw_start || { kill $s2; exit 1; }

# 1. outbound only from the listed sender; inbound unaffected
probe "$rport" patp@corp.example.net partner@ext.test >"$tmp/p1"
probe "$rport" jdoe@example.org partner@ext.test >"$tmp/p2"
probe "$rport" stranger@ext.test partner@ext.test >"$tmp/p3"
probe "$rport" jdoe@example.org jane.doe@example.org >"$tmp/p4"
if grep -q '^RCPT partner@ext.test 250 ' "$tmp/p1" &&
    grep -q '^RCPT partner@ext.test 550 5.7.1 <partner@ext.test>: Sender not permitted' "$tmp/p2" &&
    grep -q '^RCPT partner@ext.test 550 5.7.1 ' "$tmp/p3" &&
    grep -q '^RCPT jane.doe@example.org 250 ' "$tmp/p4"; then
	ok "connector accept_from: the listed sender leaves, another and an unresolved one get 550 5.7.1 at RCPT, inbound unaffected"
else ko "connector restrictions"; cat "$tmp/p1" "$tmp/p2" "$tmp/p3" "$tmp/p4"; fi

# 2. unknown_recipient = forward: accepted and sent on unchanged
probe "$port" s@ext.test nobody@example.com >"$tmp/p5"
wait_for 15 sh -c "ls '$tmp/out2' 2>/dev/null | grep -q '\.eml$'"
f=$(grep -l '^X-Env-Rcpt: <nobody@example.com>' "$tmp/out2"/*.eml 2>/dev/null | head -1)
if grep -q '^RCPT nobody@example.com 250 ' "$tmp/p5" && [ -n "$f" ]; then
	ok "unknown recipient forwarded unchanged to the unknown_recipient next hop"
else ko "unknown forward"; cat "$tmp/p5"; fi
gw_stop; sink_stop; kill $s2 2>/dev/null; wait $s2 2>/dev/null

# 3. the directory as an Exchange 5.5 CSV export
conf_dir "$PWD/testdata/csv/exchange55-export.csv"
sed -i "s|^file = .*|&\ncsv_base = OU=Recipients,DC=example,DC=com\ncsv_org = Example\ncsv_site = HQ|" "$tmp/gw.conf"
: >"$tmp/log"
sink_start || exit 1
gw_start || exit 1
before=$(nfiles)
probe "$port" s@ext.test john.doe@EXAMPLE.com 'IMCEAEX-_o=Example_ou=HQ_cn=Recipients_cn=jane+2Edoe@example.com' >"$tmp/p6"
wait_for 10 have_files $((before + 1))
f=$(msg_to John.Doe@example.com | head -1)
if [ -n "$f" ] && grep -q '^X-Env-Rcpt: <Jane.Doe@example.com>' "$f"; then
	ok "a 5.5 CSV export as the gateway's directory (csv_base, csv_org, csv_site)"
else ko "CSV directory"; cat "$tmp/p6"; tail -3 "$tmp/log"; fi
gw_stop; sink_stop
