#!/bin/sh
# t_gateway_disclaimer.sh - disclaimers in addrgw (spec-gateway.md §12,
# §16.8) with GMime: the inbound texts on mail to local recipients, the
# outbound ones on mail leaving; a message for both is queued as two
# variants, each with its own text; a signed message passes byte for
# byte; the marker keeps a second pass from adding again; the journal
# report keeps the message as received. PASS:/FAIL: lines.
. "$(dirname "$0")/gw/lib.sh"

printf 'INBOUND-NOTICE: sent from outside.\n' >"$tmp/in-pre.txt"
printf 'OUTBOUND-NOTICE: confidential.\n' >"$tmp/out-app.txt"
conf_dir testdata/sample/directory.ldif "[disclaimer]
inbound_prepend = $tmp/in-pre.txt
outbound_append = $tmp/out-app.txt
[journal]
inbound = journal@archive.test
ndr_to = journal-ndr@archive.test"
sink_start || exit 1
gw_start || exit 1

# 1. inbound text/plain: the inbound text, the marker
probe "$port" s@ext.test jdoe@example.org --file testdata/disclaimer/plain-usascii.eml >"$tmp/p1"
wait_for 10 have_files 2
f=$(msg_to John.Doe@example.com | head -1)
if [ -n "$f" ] && grep -q 'INBOUND-NOTICE' "$f" && ! grep -q 'OUTBOUND-NOTICE' "$f" &&
    grep -q '^X-Addrgw-Disclaimer: inbound; gw.test' "$f"; then
	ok "inbound: the inbound text and the marker"
else ko "inbound disclaimer"; cat "$tmp/p1"; [ -n "$f" ] && cat "$f"; fi
j=$(msg_to journal@archive.test | head -1)
if [ -n "$j" ] && ! grep -q 'INBOUND-NOTICE' "$j"; then
	ok "the journal report carries the message as received, without the disclaimer"
else ko "journal copy"; fi

# 2. a message for a local and an external recipient: two variants
before=$(nfiles)
probe "$rport" jdoe@example.org jane.doe@example.org friend@ext.test \
    --file testdata/disclaimer/alternative.eml >"$tmp/p2"
wait_for 10 have_files $((before + 3))
fi_=$(msg_to Jane.Doe@example.com | head -1)
fo=$(msg_to friend@ext.test | head -1)
if [ -n "$fi_" ] && [ -n "$fo" ] && grep -q 'INBOUND-NOTICE' "$fi_" &&
    ! grep -q 'OUTBOUND-NOTICE' "$fi_" && grep -q 'OUTBOUND-NOTICE' "$fo" &&
    ! grep -q 'INBOUND-NOTICE' "$fo" &&
    grep -q '^X-Addrgw-Disclaimer: outbound; gw.test' "$fo"; then
	ok "mixed directions: each variant with its own text (multipart/alternative)"
else ko "mixed-direction disclaimers"; cat "$tmp/p2"; fi

# 3. a signed message passes untouched
before=$(nfiles)
probe "$port" s@ext.test jdoe@example.org --file testdata/disclaimer/multipart-signed.eml >"$tmp/p3"
wait_for 10 have_files $((before + 2))
f=$(ls -t "$tmp/out"/*.eml | xargs grep -l '^X-Env-Rcpt: <John.Doe@example.com>' | head -1)
# the delivered content after the sink's X-Env lines and our Received
# (drop the sink's lines, then our Received: field and its continuations)
sed -e '1,/^X-Env-Opts:/d' "$f" | tr -d '\r' |
    awk 'NR == 1 { next } !f && /^[ \t]/ { next } { f = 1; print }' >"$tmp/got"
tr -d '\r' <testdata/disclaimer/multipart-signed.eml >"$tmp/want"
if ! grep -q 'INBOUND-NOTICE\|X-Addrgw-Disclaimer' "$f" && cmp -s "$tmp/got" "$tmp/want"; then
	ok "a multipart/signed message arrives byte for byte"
else ko "signed message"; diff "$tmp/want" "$tmp/got" | head; fi

# 4. a message that already carries the marker is not changed again
before=$(nfiles)
printf 'X-Addrgw-Disclaimer: inbound; gw.test\r\nSubject: again\r\n\r\nbody\r\n' >"$tmp/marked.eml"
probe "$port" s@ext.test jdoe@example.org --file "$tmp/marked.eml" >"$tmp/p4"
wait_for 10 have_files $((before + 2))
f=$(ls -t "$tmp/out"/*.eml | xargs grep -l '^Subject: again' | xargs grep -l '^X-Env-Rcpt: <John.Doe@example.com>' | head -1)
if [ -n "$f" ] && ! grep -q 'INBOUND-NOTICE' "$f" &&
    [ "$(grep -c '^X-Addrgw-Disclaimer' "$f")" = 1 ]; then
	ok "the marker keeps a second pass from adding the text again"
else ko "marker"; [ -n "$f" ] && cat "$f"; fi
gw_stop; sink_stop
