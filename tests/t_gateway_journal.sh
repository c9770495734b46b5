#!/bin/sh
# t_gateway_journal.sh - journaling (spec-gateway.md §11) and the archive
# (§11.1) with the sample directory: inbound, outbound and per-recipient
# journal reports list every recipient after expansion, Bcc included,
# and carry the original as message/rfc822; a failing journal copy goes
# to the journal NDR sink, never to the sender; the archive holds one
# copy per message and direction, stays under max_size by removing the
# oldest files, and an unwritable archive never stops delivery.
# PASS:/FAIL: lines.
. "$(dirname "$0")/gw/lib.sh"

sed 's/^dn: CN=John Doe,OU=Staff,DC=example,DC=com$/&\nextensionAttribute10: legal@archive.test/' \
    testdata/sample/directory.ldif >"$tmp/dir.ldif"
mkdir -p "$tmp/arch-in" "$tmp/arch-out"
conf_dir "$tmp/dir.ldif" "[journal]
inbound = journal-in@archive.test
outbound = bad-journal-out@archive.test
ndr_to = journal-ndr@archive.test
recipient_attribute = extensionAttribute10
[archive]
inbound_dir = $tmp/arch-in
outbound_dir = $tmp/arch-out
max_size = 1500"
sink_start 5xx || exit 1
gw_start || exit 1

# 1. inbound: To: John only, Jane as a Bcc (envelope only)
probe "$port" s@ext.test jdoe@example.org jane.doe@example.org \
    --header 'To: <jdoe@example.org>' >"$tmp/p1"
wait_for 10 have_files 3
sleep 0.5
j=$(msg_to journal-in@archive.test | head -1)
if [ -n "$j" ] && grep -q '^X-Env-From: <journal-ndr@archive.test>' "$j" &&
    grep -q '^Recipient: <John.Doe@example.com>, inbound' "$j" &&
    grep -q '^Recipient: <Jane.Doe@example.com>, inbound' "$j" &&
    grep -q '^Sender: <s@ext.test>' "$j" &&
    grep -q '^Message-ID: <probe@client.test>' "$j" &&
    grep -q '^Content-Type: message/rfc822' "$j" &&
    grep -q '^probe body' "$j"; then
	ok "inbound journal report: sender, every recipient (the Bcc too), Message-ID, the original attached"
else ko "inbound journal"; cat "$tmp/p1"; [ -n "$j" ] && cat "$j"; fi
l=$(msg_to legal@archive.test | head -1)
if [ -n "$l" ] && grep -q '^Direction: recipient' "$l"; then
	ok "per-recipient journaling through the directory attribute"
else ko "recipient journal"; fi
u=$(msg_to John.Doe@example.com | head -1)
if [ -n "$u" ] && ! grep -qi 'journal' "$u"; then
	ok "nothing added to the message the recipients get"
else ko "recipient copy"; fi

# 2. outbound journal whose copy fails: the NDR goes to the journal sink
before=$(nfiles)
probe "$rport" jdoe@example.org someone@ext.test >"$tmp/p2"
wait_for 10 have_files $((before + 2))
sleep 1
n=$(grep -l '^X-Env-From: <>' "$tmp/out"/*.eml 2>/dev/null | xargs -r grep -l 'bad-journal-out@archive.test')
if [ -n "$n" ] && grep -q '^X-Env-Rcpt: <journal-ndr@archive.test>' $n &&
    ! grep -l '^X-Env-From: <>' "$tmp/out"/*.eml | xargs grep -q '^X-Env-Rcpt: <John.Doe@example.com>\|^X-Env-Rcpt: <jdoe@example.org>'; then
	ok "a failing journal copy reports to ndr_to, never to the original sender"
else ko "journal NDR"; [ -n "$n" ] && head -5 $n; fi

# 3. the archive: one copy per message and direction, capped
nin=$(ls "$tmp/arch-in" | grep -vc '^\.')
nout=$(ls "$tmp/arch-out" | grep -vc '^\.')
if [ "$nin" -ge 1 ] && [ "$nout" -ge 1 ] &&
    grep -l 'someone@ext.test' "$tmp/arch-out"/* >/dev/null 2>&1 &&
    ! grep -l 'someone@ext.test' "$tmp/arch-in"/* >/dev/null 2>&1; then
	ok "archive: inbound and outbound copies in their directories"
else ko "archive copies: in=$nin out=$nout"; ls -l "$tmp/arch-in" "$tmp/arch-out"; fi
i=0
while [ $i -lt 8 ]; do probe "$port" s@ext.test jdoe@example.org >/dev/null; i=$((i + 1)); done
sleep 0.5
size=$(cat "$tmp/arch-in"/* | wc -c)
if [ "$size" -le 1500 ] && grep -q 'archive .*: removed .* (over max_size)' "$tmp/log"; then
	ok "archive: over max_size the oldest copies are removed ($size bytes kept)"
else ko "archive cap: $size bytes"; fi
# a file where the directory should be: unwritable even for root
mv "$tmp/arch-in" "$tmp/arch-in.saved" && : >"$tmp/arch-in"
before=$(nfiles)
probe "$port" s@ext.test jane.doe@example.org >"$tmp/p4"
wait_for 10 have_files $((before + 1))
rm -f "$tmp/arch-in" && mv "$tmp/arch-in.saved" "$tmp/arch-in"
if grep -q '^DATA 250 ' "$tmp/p4" && [ "$(nfiles)" -gt "$before" ] &&
    grep -q 'archive: .*(the message flows on)' "$tmp/log"; then
	ok "an unwritable archive is logged and delivery goes on"
else ko "unwritable archive"; tail -5 "$tmp/log"; fi
gw_stop; sink_stop
