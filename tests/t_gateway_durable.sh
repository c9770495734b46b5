#!/bin/sh
# t_gateway_durable.sh - durability and the queue tool. The next hop
# (python3-aiosmtpd) is stopped, 200 messages are sent, addrgw is killed
# with -9 right after the last 250, restarted, the next hop started:
# every message arrives (duplicates allowed). Then queue list/show
# (--json), hold, release, retry, delete and reload, with the daemon
# running. Hermetic (loopback, temp dir); PASS:/FAIL: lines.
. "$(dirname "$0")/gw/lib.sh"

conf "retry = 1s"
gw_start || exit 1
n=$("$PY" tests/gw/send.py "$port" 200 s@ext.test r@example.com)
gw_kill
if [ "$n" = 200 ]; then ok "200 messages acknowledged with the next hop down"
else ko "acknowledged $n of 200"; fi
q=$(ls "$tmp/spool/queue" | grep -c '\.env$')
sink_start ok || exit 1
gw_start || exit 1
wait_for 40 have_files 200
got=$(cat "$tmp/out"/*.eml 2>/dev/null | grep -a '^marker-' | sort -u | wc -l)
if [ "$got" = 200 ]; then
	ok "after kill -9 and restart all 200 messages arrived ($q were queued, $(nfiles) files)"
else ko "after restart: $got distinct of 200"; tail -5 "$tmp/log"; fi
wait_for 10 queue_empty && ok "queue empty after delivery" || ko "queue not empty"

# a truncated queue file is quarantined at start-up; the rest flows
sink_stop
gw_stop
gw_start || exit 1
n=$("$PY" tests/gw/send.py "$port" 3 t@ext.test trunc@example.com)
gw_kill
victim=$(ls "$tmp/spool/queue" | grep '\.msg$' | head -1)
before=$(nfiles)
if [ "$n" = 3 ] && [ -n "$victim" ]; then
	size=$(wc -c <"$tmp/spool/queue/$victim")
	"$PY" -c 'import os,sys; os.truncate(sys.argv[1], int(sys.argv[2]) - 10)' \
	    "$tmp/spool/queue/$victim" "$size"
fi
sink_start ok || exit 1
gw_start || exit 1
if wait_for 20 have_files $((before + 2)) && wait_for 5 queue_empty &&
    [ -f "$tmp/spool/quarantine/$victim" ] &&
    grep -q "queue/$victim: content file truncated: moved to quarantine" "$tmp/log" &&
    [ "$(nfiles)" = $((before + 2)) ]; then
	ok "a truncated queue file is quarantined at restart, the other 2 are delivered"
else ko "truncated queue file: $(nfiles) files (before $before), victim $victim"; ls "$tmp/spool/quarantine"; fi

# the queue tool beside the running daemon
sink_stop
n=$("$PY" tests/gw/send.py "$port" 2 q@ext.test held@example.com)
sleep 0.5
ids=$("$gw" -c "$tmp/gw.conf" queue list --json | "$PY" -c 'import json,sys; print(" ".join(m["id"] for m in json.load(sys.stdin)))')
id1=${ids%% *}; id2=${ids##* }
if [ -n "$id1" ] && [ "$id1" != "$id2" ] &&
    "$gw" -c "$tmp/gw.conf" queue show --json "$id1" | "$PY" -c '
import json,sys; m=json.load(sys.stdin); r=m["recipients"][0]
assert m["sender"]=="q@ext.test" and r["address"]=="held@example.com" and r["state"]=="pending"
assert r["last_error"].startswith("4.4.1 connect to")' &&
    "$gw" -c "$tmp/gw.conf" queue show "$id1" | grep -q '^Subject: msg'; then
	ok "queue list/show --json: id, sender, recipients, state, last error; show prints the headers"
else ko "queue list/show: '$ids'"; fi
"$gw" -c "$tmp/gw.conf" queue hold "$id1" >/dev/null &&
    "$gw" -c "$tmp/gw.conf" queue delete "$id2" >/dev/null
sink_start ok || exit 1
before=$(nfiles)
"$gw" -c "$tmp/gw.conf" queue retry all >/dev/null
sleep 2
if [ "$(nfiles)" = "$before" ] && "$gw" -c "$tmp/gw.conf" queue list | grep -q "^$id1 .*HELD" &&
    ! "$gw" -c "$tmp/gw.conf" queue list | grep -q "^$id2"; then
	ok "hold keeps a message, delete removes one, with the daemon running"
else ko "hold/delete: $(nfiles) vs $before"; "$gw" -c "$tmp/gw.conf" queue list; fi
"$gw" -c "$tmp/gw.conf" queue release "$id1" >/dev/null
"$gw" -c "$tmp/gw.conf" queue retry "$id1" >/dev/null
if wait_for 10 have_files $((before + 1)) && wait_for 5 queue_empty; then
	ok "release and retry deliver the held message at once"
else ko "release/retry"; "$gw" -c "$tmp/gw.conf" queue list; tail "$tmp/log"; fi
if "$gw" -c "$tmp/gw.conf" queue show NOSUCH 2>/dev/null; then ko "show of a missing id"
else ok "show of a missing id fails"; fi

# reload: a broken file keeps the old configuration, a good one is taken
cp "$tmp/gw.conf" "$tmp/good.conf"
printf '[delivery]\nretry = nonsense\n' >>"$tmp/gw.conf"
"$gw" -c "$tmp/good.conf" reload >/dev/null
sleep 0.5
if grep -q 'reload: .*error(s); the old configuration stays in service' "$tmp/log"; then
	ok "reload with errors keeps the old configuration"
else ko "reload with errors"; tail -5 "$tmp/log"; fi
cp "$tmp/good.conf" "$tmp/gw.conf"
"$gw" -c "$tmp/gw.conf" reload >/dev/null
sleep 0.5
if grep -q 'reload: configuration .* reloaded' "$tmp/log" && kill -0 "$gpid"; then
	ok "reload (SIGHUP via the pid file) reads the configuration again"
else ko "reload"; tail -5 "$tmp/log"; fi
gw_stop
if "$gw" -c "$tmp/gw.conf" reload 2>/dev/null; then ko "reload without a daemon"
else ok "reload without a running daemon fails clearly"; fi
exit 0
