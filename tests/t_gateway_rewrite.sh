#!/bin/sh
# t_gateway_rewrite.sh - addrgw with the sample directory (issue 7):
# every address form of a user reaches its primary SMTP address; the
# IMCEA types R15 refuses and the relay-bypass forms of KB Q264330,
# Q245045 and Q237927 are refused; nested groups reach each member once,
# a restricted group refuses an unlisted sender, a refusing nested group
# and a failing member each get an NDR naming them; contacts go to their
# targets; outbound senders leave with their primary or IMCEA address;
# a reload with a broken directory keeps the old one. Real client
# (tests/gw/probe.py) and next hop (tests/gw/sink.py); PASS:/FAIL: lines.
. "$(dirname "$0")/gw/lib.sh"

# the sample, plus a mailbox the next hop refuses and a group holding it
# and the restricted Executives group
cp testdata/sample/directory.ldif "$tmp/dir.ldif"
cat >>"$tmp/dir.ldif" <<'EOD'

dn: CN=Bad Member,OU=Staff,DC=example,DC=com
objectClass: user
proxyAddresses: SMTP:bad.member@example.com

dn: CN=Board,OU=Distribution Lists,DC=example,DC=com
objectClass: group
proxyAddresses: SMTP:board@example.com
member: CN=Executives,OU=Distribution Lists,DC=example,DC=com
member: CN=Bad Member,OU=Staff,DC=example,DC=com
member: CN=John Doe,OU=Staff,DC=example,DC=com
EOD
conf_dir "$tmp/dir.ldif"
sink_start 5xx || exit 1
gw_start || exit 1

# 1. every address form of a user reaches its primary SMTP address
probe "$port" s@ext.test jdoe@example.org zoe.celik@corp.example.net \
    IMCEAEX-_O=Example_OU=HQ_CN=Recipients_CN=jane+2Edoe@example.com \
    IMCEAEX-_o=Example_ou=Boston_cn=Recipients_cn=markc@example.com \
    'imceax400-g=Nancy+3Bs=Lee+3Bi=M+3Bo=HQ+3Bp=Example+3Ba=+20+3Bc=us@example.com' \
    >"$tmp/p1"
wait_for 10 have_files 1
f=$(msg_to John.Doe@example.com | head -1)
if [ "$(grep -c '^RCPT .* 250 ' "$tmp/p1")" = 5 ] && [ -n "$f" ] &&
    grep -q '^X-Env-Rcpt: <Zoe.Celik@example.com>' "$f" &&
    grep -q '^X-Env-Rcpt: <Jane.Doe@example.com>' "$f" &&
    grep -q '^X-Env-Rcpt: <Mark.Clark@example.com>' "$f" &&
    grep -q '^X-Env-Rcpt: <Nancy.Lee@example.com>' "$f"; then
	ok "secondary address and domain, IMCEAEX (legacyExchangeDN and old X500 DN), IMCEAX400 in another case and order reach the primary"
else ko "address forms"; cat "$tmp/p1"; [ -n "$f" ] && head -8 "$f"; fi

# 2. refused encapsulations and relay-bypass attempts (not a relay client)
probe "$port" s@ext.test 'IMCEASMTP-x+40ext+2Etest@example.com' \
    'IMCEAX500-+2Fo+3DExample+2Fou+3DHQ+2Fcn+3DRecipients+2Fcn+3Djdoe@example.com' \
    'IMCEAINVALID-x@example.com' '"x@ext.test"@example.com' \
    'x%ext.test@example.com' '@example.com:x@ext.test' x@ext.test \
    nobody@example.com >"$tmp/p2"
if grep -q '^RCPT IMCEASMTP-x+40ext+2Etest@example.com 550 5.1.0 ' "$tmp/p2" &&
    grep -q '^RCPT IMCEAX500-.* 550 5.1.0 ' "$tmp/p2" &&
    grep -q '^RCPT IMCEAINVALID-x@example.com 550 5.1.0 ' "$tmp/p2"; then
	ok "IMCEASMTP, IMCEAX500 and IMCEAINVALID at a local domain: 550 5.1.0"
else ko "R15 refusals"; cat "$tmp/p2"; fi
if grep -q '^RCPT "x@ext.test"@example.com 550 5.1.1 ' "$tmp/p2" &&
    grep -q '^RCPT x%ext.test@example.com 550 5.1.1 ' "$tmp/p2" &&
    grep -q '^RCPT @example.com:x@ext.test 550 5.7.1 ' "$tmp/p2" &&
    grep -q '^RCPT x@ext.test 550 5.7.1 ' "$tmp/p2" &&
    grep -q '^RCPT nobody@example.com 550 5.1.1 ' "$tmp/p2" &&
    grep -q '^DATA skipped' "$tmp/p2"; then
	ok "relay bypass forms refused: quoted, percent hack, source route; unknown user 550 5.1.1"
else ko "relay bypass"; cat "$tmp/p2"; fi

# 3. nested groups: each member once, the cycle ends, contacts to targets
before=$(nfiles)
probe "$port" s@ext.test allstaff@example.com >"$tmp/p3"
wait_for 10 have_files $((before + 2))
sleep 0.5
all=$(ls -t "$tmp/out"/*.eml | head -2)
if grep -q '^DATA 250 ' "$tmp/p3" &&
    [ "$(cat $all | grep -c '^X-Env-Rcpt: <John.Doe@example.com>')" = 1 ] &&
    [ "$(cat $all | grep -c '^X-Env-Rcpt: <Ian.OConnell@example.com>')" = 1 ] &&
    [ "$(cat $all | grep '^X-Env-Rcpt:' | sort | uniq -d | wc -l)" = 0 ] &&
    cat $all | grep -q '^X-Env-Rcpt: <orders@supplier.example>' &&
    cat $all | grep -q '^X-Env-Rcpt: <pat@partner.example.net>'; then
	ok "All Staff: nested groups with a cycle, each member once, contacts to their targets"
else ko "expansion"; cat "$tmp/p3"; cat $all | grep '^X-Env'; fi

# 4. a restricted group refuses an unlisted sender at RCPT
probe "$port" s@ext.test executives@example.com >"$tmp/p4a"
probe "$port" patp@corp.example.net executives@example.com >"$tmp/p4b"
if grep -q '^RCPT executives@example.com 550 5.7.1 ' "$tmp/p4a" &&
    grep -q '^RCPT executives@example.com 250 ' "$tmp/p4b"; then
	ok "Executives: 550 5.7.1 for an unlisted sender, accepted from its listed member's secondary address"
else ko "group restriction"; cat "$tmp/p4a" "$tmp/p4b"; fi

# 5. a contact goes to its targetAddress
before=$(nfiles)
probe "$port" s@ext.test supplier.orders@example.com >"$tmp/p5"
wait_for 10 have_files $((before + 1))
if [ -n "$(msg_to orders@supplier.example)" ]; then
	ok "contact: delivered to its targetAddress"
else ko "contact"; cat "$tmp/p5"; fi

# 6. a refusing nested group and a failing member: NDRs naming them
before=$(nfiles)
probe "$port" sender@ext.test board@example.com >"$tmp/p6"
wait_for 15 have_files $((before + 3))
sleep 1
ndrs=$(grep -l '^X-Env-From: <>' "$tmp/out"/*.eml | xargs -r grep -l '^X-Env-Rcpt: <sender@ext.test>')
if grep -q '^DATA 250 ' "$tmp/p6" && [ -n "$ndrs" ] &&
    cat $ndrs | grep -q '^Final-Recipient: rfc822; executives@example.com' &&
    cat $ndrs | grep -q '^Final-Recipient: rfc822; bad.member@example.com' &&
    ! cat $ndrs | grep -q '^Final-Recipient: rfc822; board@example.com' &&
    [ -n "$(msg_to John.Doe@example.com | xargs -r grep -l 'From: <sender@ext.test>\|X-Env-From: <sender@ext.test>')" ]; then
	ok "Board: the refusing nested group and the failing member are named in NDRs, never the group addressed; the rest delivered"
else ko "member NDRs"; cat "$tmp/p6"; [ -n "$ndrs" ] && cat $ndrs | grep -i 'recipient\|status\|diagnostic'; fi

# 7. outbound: the sender leaves with its primary address, From: too
before=$(nfiles)
probe "$rport" jdoe@example.org someone@ext.test jdoe@example.org \
    --header 'From: "Doe, John" <jdoe@example.org>' >"$tmp/p7"
wait_for 10 have_files $((before + 2))
sleep 0.5
fo=$(msg_to someone@ext.test | xargs -r ls -t | head -1)
fi_=$(ls -t "$tmp/out"/*.eml | head -2 | xargs grep -l '^X-Env-Rcpt: <John.Doe@example.com>' | head -1)
if [ -n "$fo" ] && grep -q '^X-Env-From: <John.Doe@example.com>' "$fo" &&
    grep -q '^From: "Doe, John" <John.Doe@example.com>' "$fo"; then
	ok "outbound: a sender written with a secondary address leaves with the primary in envelope and From:"
else ko "outbound sender"; cat "$tmp/p7"; [ -n "$fo" ] && head -12 "$fo"; fi
if [ -n "$fi_" ] && grep -q '^X-Env-From: <jdoe@example.org>' "$fi_" &&
    grep -q '^From: "Doe, John" <jdoe@example.org>' "$fi_"; then
	ok "mixed directions: the inbound copy keeps the original sender and From:"
else ko "inbound copy of a mixed message"; [ -n "$fi_" ] && head -12 "$fi_"; fi
before=$(nfiles)
probe "$rport" 'IMCEAX400-c=US+3Ba=+20+3Bp=Example+3Bo=HQ+3Bs=Fourhundred+3Bg=Xavier+3B@example.com' \
    partner@ext.test >"$tmp/p8"
wait_for 10 have_files $((before + 1))
fx=$(msg_to partner@ext.test | head -1)
if [ -n "$fx" ] && grep -q '^X-Env-From: <IMCEAX400-.*Fourhundred.*@example.com>' "$fx"; then
	ok "outbound: a sender with only an X.400 proxy leaves as IMCEAX400"
else ko "IMCEAX400 sender"; cat "$tmp/p8"; [ -n "$fx" ] && head -3 "$fx"; fi

# 8. a reload with a broken directory keeps the old one serving
printf 'version: 1\ndn: CN=Broken,DC=example,DC=com\nobjectClass: user\nproxyAddresses: SMTP:John.Doe@example.com\n' >>"$tmp/dir.ldif"
"$gw" -c "$tmp/gw.conf" reload >/dev/null 2>&1
sleep 1
probe "$port" s@ext.test jdoe@example.org >"$tmp/p9"
if grep -q 'reload: .*proxy.duplicate' "$tmp/log" &&
    grep -q 'the old configuration stays in service' "$tmp/log" &&
    grep -q '^RCPT jdoe@example.org 250 ' "$tmp/p9"; then
	ok "reload with a broken directory: errors logged, the old directory keeps serving"
else ko "reload"; grep reload "$tmp/log"; cat "$tmp/p9"; fi
gw_stop; sink_stop
