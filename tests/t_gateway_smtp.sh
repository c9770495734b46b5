#!/bin/sh
# t_gateway_smtp.sh - addrgw's SMTP client against a real next hop
# (python3-aiosmtpd): envelope and content intact over a PIPELINING
# session, an 8-bit body, an SMTPUTF8 address; 5xx gives exactly one
# RFC 3464 NDR from <>, mail from <> that fails is not bounced; 4xx is
# retried on schedule; 8-bit to a hop without 8BITMIME is converted to
# quoted-printable (an 8-bit header field bounces 5.6.3),
# SMTPUTF8 to a hop without it 5.6.7; a next hop that is addrgw itself
# is a loop (5.4.6). Hermetic (loopback, temp dir); PASS:/FAIL: lines.
. "$(dirname "$0")/gw/lib.sh"

conf "retry = 1s 2s"
sink_start 5xx --utf8 || exit 1
gw_start || exit 1

# 1. pipelined transactions, 8-bit body, SMTPUTF8 address
n=$("$PY" tests/gw/send.py "$port" 2 s@ext.test u1@example.com,u2@example.com --8bit)
n2=$("$PY" tests/gw/send.py "$port" 1 "$(printf 'jos\303\251@ext.test')" "$(printf 'm\303\274ller@example.com')" --utf8)
if [ "$n" = 2 ] && [ "$n2" = 1 ] && wait_for 10 have_files 3; then
	ok "3 messages accepted and relayed"
else ko "relay: accepted $n+$n2, $(nfiles) arrived"; tail -20 "$tmp/log"; fi
f=$(grep -l 'marker-1' "$tmp/out"/*.eml | head -1)
if [ -n "$f" ] && grep -q '^X-Env-From: <s@ext.test>' "$f" &&
    [ "$(grep -c '^X-Env-Rcpt: <u[12]@example.com>' "$f")" = 2 ] &&
    grep -q 'BODY=8BITMIME' "$f" && grep -q "caf$(printf '\303\251') na" "$f" &&
    grep -q '^\.dot line' "$f" && grep -q '^Subject: msg 1' "$f"; then
	ok "envelope, 8-bit body and dot-stuffed line arrive intact"
else ko "content of the relayed message"; cat "$f"; fi
if grep -q 'status=sent (250 OK stored)' "$tmp/log" &&
    grep -c 'relay=127.0.0.1\[127.0.0.1\]' "$tmp/log" >/dev/null; then
	ok "Postfix-style status=sent lines with the relay"
else ko "sent log lines"; fi
f=$(grep -l "m$(printf '\303\274')ller" "$tmp/out"/*.eml | head -1)
if [ -n "$f" ] && grep -q 'SMTPUTF8' "$f" &&
    grep -q "^X-Env-From: <jos$(printf '\303\251')@ext.test>" "$f"; then
	ok "SMTPUTF8 addresses passed on to a hop that offers SMTPUTF8"
else ko "SMTPUTF8 message"; [ -n "$f" ] && cat "$f"; fi

# 2. 5xx: one NDR to the sender, from <>
before=$(nfiles)
n=$("$PY" tests/gw/send.py "$port" 1 s2@ext.test bad1@example.com,good@example.com)
wait_for 10 have_files $((before + 2))
sleep 0.5
ndr=$(grep -l '^X-Env-From: <>' "$tmp/out"/*.eml 2>/dev/null | xargs -r grep -l '^X-Env-Rcpt: <s2@ext.test>')
if [ "$(echo "$ndr" | grep -c .)" = 1 ] &&
    grep -q 'multipart/report; report-type=delivery-status' "$ndr" &&
    grep -q '^Content-Type: message/delivery-status' "$ndr" &&
    grep -q '^Final-Recipient: rfc822; bad1@example.com' "$ndr" &&
    grep -q '^Action: failed' "$ndr" && grep -q '^Status: 5.1.1' "$ndr" &&
    grep -q '^Diagnostic-Code: smtp; 550 5.1.1' "$ndr" &&
    grep -q '^Content-Type: text/rfc822-headers' "$ndr" &&
    grep -q '^From: Mail Delivery System <postmaster@example.com>' "$ndr" &&
    ! grep -q 'good@example.com' "$ndr"; then
	ok "5xx: exactly one RFC 3464 NDR to the sender from <>"
else ko "NDR: '$ndr'"; [ -n "$ndr" ] && cat $ndr; tail "$tmp/log"; fi

# 3. mail from <> that fails is not bounced
before=$(nfiles)
n=$("$PY" tests/gw/send.py "$port" 1 "" bad2@example.com)
wait_for 10 queue_empty
sleep 0.5
if [ "$n" = 1 ] && [ "$(nfiles)" = "$before" ] &&
    grep -q 'sender <>: no non-delivery notification' "$tmp/log"; then
	ok "a failure of mail from <> is logged, not bounced"
else ko "bounce of a bounce: $n, $(nfiles) vs $before"; fi
gw_stop; sink_stop

# 4. 4xx: retried on schedule (1s, 2s, 2s ...), last error in the queue
conf "retry = 1s 2s"
sink_start 4xx || exit 1
: >"$tmp/log"
gw_start || exit 1
n=$("$PY" tests/gw/send.py "$port" 1 s@ext.test later@example.com)
sleep 4.5
d=$(grep -c 'to=<later@example.com>.*status=deferred (451 4.3.0 try again later)' "$tmp/log")
if [ "$d" -ge 3 ] && [ "$d" -le 4 ]; then
	ok "4xx deferred and retried on schedule ($d attempts in 4.5 s)"
else ko "4xx retries: $d attempts"; grep later "$tmp/log"; fi
if "$gw" -c "$tmp/gw.conf" queue list | grep -q '<later@example.com> pending, tries [0-9]*, next try .*, last: 4.3.0 451 4.3.0 try again later'; then
	ok "queue list shows the recipient's next try and last error"
else ko "queue list"; "$gw" -c "$tmp/gw.conf" queue list; fi
gw_stop; sink_stop

# 5. 8-bit to a hop without 8BITMIME: converted to 7 bit (RFC 6152 §3),
# or 5.6.3 when a header field is 8-bit; SMTPUTF8 to one without: 5.6.7
sink_start ok --no-8bit || exit 1
: >"$tmp/log"
gw_start || exit 1
"$PY" tests/gw/send.py "$port" 1 s3@ext.test e@example.com --8bit >/dev/null
"$PY" tests/gw/send.py "$port" 1 s3@ext.test h@example.com --8bit-header >/dev/null
"$PY" tests/gw/send.py "$port" 1 "s4@ext.test" "$(printf '\303\274@example.com')" --utf8 >/dev/null
wait_for 10 queue_empty
f=$(msg_to e@example.com)
if grep -q 'to=<e@example.com>.*dsn=2.0.0, status=sent' "$tmp/log" && [ -n "$f" ] &&
    "$PY" - "$f" <<'PYEOF'
import email, sys
raw = open(sys.argv[1], "rb").read()
assert all(b < 0x80 for b in raw), "8-bit octets arrived"
m = email.message_from_bytes(raw)
assert m["Content-Transfer-Encoding"] == "quoted-printable"
assert m["MIME-Version"] == "1.0"
body = m.get_payload(decode=True)
assert b"caf\xc3\xa9 na\xc3\xafve\r\n.dot line" in body.replace(b"\n", b"\r\n").replace(b"\r\r", b"\r"), body
PYEOF
then
	ok "8-bit message to a next hop without 8BITMIME: converted to quoted-printable, same text"
else ko "8-bit conversion"; grep 'e@example' "$tmp/log"; fi
if grep -q 'to=<h@example.com>.*dsn=5.6.3, status=bounced (next hop does not support 8BITMIME, and the message cannot be converted to 7 bit: 8-bit octets in a header field)' "$tmp/log"; then
	ok "an 8-bit header field to a next hop without 8BITMIME: 5.6.3"
else ko "5.6.3"; grep 'h@example' "$tmp/log"; fi
if grep -q 'dsn=5.6.7, status=bounced' "$tmp/log"; then
	ok "SMTPUTF8 message to a next hop without SMTPUTF8: 5.6.7"
else ko "5.6.7"; tail "$tmp/log"; fi
gw_stop; sink_stop

# 6. a smarthost that is addrgw itself: 5.4.6, no loop
sed -i "s/^SMTP:\* = .*/SMTP:* = smtp:[127.0.0.1]:$port 1/" "$tmp/gw.conf"
: >"$tmp/log"
gw_start || exit 1
"$PY" tests/gw/send.py "$port" 1 s5@ext.test loop@example.com >/dev/null
wait_for 10 queue_empty
if grep -q 'to=<loop@example.com>.*dsn=5.4.6, status=bounced (Routing loop detected' "$tmp/log"; then
	ok "next hop = our own listener: 5.4.6 routing loop, not retried"
else ko "loop"; tail "$tmp/log"; fi
gw_stop
exit 0
