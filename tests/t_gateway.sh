#!/bin/sh
# t_gateway.sh - addrgw end to end on loopback: swaks as the client, the
# drop directory as the next hop. Checks the envelope and content of a
# dropped message, relay refusal for a client outside relay_from,
# an SMTP smuggling attempt, and that mail acknowledged before a kill -9
# is delivered after a restart. Hermetic: a free loopback port, a temp
# spool; prints PASS:/FAIL: lines and stops every process it started.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
gw=$B/addrgw
if [ ! -x "$gw" ]; then
	echo "FAIL: $gw is not built"
	exit 1
fi
if ! command -v swaks >/dev/null || ! command -v python3 >/dev/null; then
	echo "FAIL: swaks and python3 are needed (make deps installs swaks)"
	exit 1
fi
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { echo "PASS: $*"; }
ko() { echo "FAIL: $*"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# conf DELIVER - write $tmp/gw.conf
conf() {
	cat >"$tmp/gw.conf" <<EOF
[server]
listen = 127.0.0.1:$port
hostname = gw.test
spool = $tmp/spool
timeout = 10s
[routing]
local_domains = example.com
relay_from = 127.0.0.1/32
[routes]
SMTP:* = drop:$tmp/drop 1
[delivery]
deliver = $1
postmaster = postmaster@example.com
EOF
}

start() {
	"$gw" -c "$tmp/gw.conf" -f >>"$tmp/log" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 50 ]; do
		python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2).close()" \
		    2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	ko "addrgw did not start"; cat "$tmp/log"
	return 1
}

# wait_files DIR N - wait up to 5 s for N files in DIR
wait_files() {
	i=0
	while [ $i -lt 50 ]; do
		n=$(ls "$1" 2>/dev/null | wc -l)
		[ "$n" -ge "$2" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

sw() { swaks --server 127.0.0.1 --port "$port" --timeout 10 "$@"; }

# -n checks a configuration
conf yes
if "$gw" -c "$tmp/gw.conf" -n >/dev/null; then ok "-n accepts a good configuration"
else ko "-n refuses a good configuration"; fi
printf '[server]\nversion = 2\n' >"$tmp/bad.conf"
out=$("$gw" -c "$tmp/bad.conf" -n 2>&1)
if [ $? = 1 ] && echo "$out" | grep -q "bad.conf:2: version 2 is newer"; then
	ok "-n reports FILE:LINE and exits 1"
else ko "-n on a bad file: $out"; fi

start || exit 1

# 1. a message lands in the drop directory with its envelope
sw --from 's@ext.test' --to 'u@example.com,v@example.com' \
    --header 'Subject: t_gateway' --body 'hello drop' >"$tmp/sw1" 2>&1
if [ $? = 0 ] && grep -q '250 2.0.0 Ok: queued as' "$tmp/sw1"; then
	ok "swaks gets 250 queued"
else ko "swaks session failed"; cat "$tmp/sw1"; fi
if wait_files "$tmp/drop" 1; then
	f=$(ls "$tmp/drop"/* | head -1)
	id=$(sed -n 's/.*queued as \([0-9A-F]*\).*/\1/p' "$tmp/sw1")
	printf '%s\n' "X-Addrgw-Queue-Id: $id" 'X-Addrgw-Sender: <s@ext.test>' \
	    'X-Addrgw-Recipient: <u@example.com>' \
	    'X-Addrgw-Recipient: <v@example.com>' >"$tmp/want"
	if head -4 "$f" | tr -d '\r' | cmp -s - "$tmp/want" &&
	    grep -q '^Received: from .*(\[127.0.0.1\])' "$f" &&
	    grep -q '^Subject: t_gateway' "$f" && grep -q '^hello drop' "$f"; then
		ok "drop file has the envelope and the content"
	else ko "drop file content"; cat "$f"; fi
	if awk '!/\r$/ { bad = 1 } END { exit bad }' "$f"; then
		ok "drop file has CR LF line ends"
	else ko "drop file has bare LF lines"; fi
else ko "no drop file"; cat "$tmp/log"; fi

# 2. relay control: 127.0.0.2 is outside relay_from
sw --local-interface 127.0.0.2 --from s@ext.test --to x@external.test \
    --quit-after RCPT >"$tmp/sw2" 2>&1
rc=$?
if [ $rc = 24 ] && grep -q '550 5.7.1 <x@external.test>: Relaying prohibited' "$tmp/sw2"; then
	ok "relay refused (550 5.7.1) for a client outside relay_from"
else ko "relay from 127.0.0.2: exit $rc"; cat "$tmp/sw2"; fi
sw --local-interface 127.0.0.2 --from s@ext.test --to u@sub.example.com \
    --quit-after RCPT >"$tmp/sw3" 2>&1
if [ $? = 0 ]; then ok "local domain accepted from outside relay_from"
else ko "local domain from 127.0.0.2"; cat "$tmp/sw3"; fi
sw --from s@ext.test --to x@external.test --quit-after RCPT >"$tmp/sw4" 2>&1
if [ $? = 0 ]; then ok "relay allowed from relay_from"
else ko "relay from 127.0.0.1"; cat "$tmp/sw4"; fi

# 3. smuggling: "\n.\n", "\r.\r", "\n.\r\n" never end DATA
ndrop=$(ls "$tmp/drop" | wc -l)
res=$(python3 - "$port" <<'EOF'
import socket, sys
def run(ending):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
    f = s.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if not l or l[3:4] != b"-":
                return l[:3].decode()
    reply()
    for c in (b"EHLO t\r\n", b"MAIL FROM:<s@ext.test>\r\n",
              b"RCPT TO:<u@example.com>\r\n", b"DATA\r\n"):
        s.sendall(c); r = reply()
    s.sendall(b"Subject: smuggle\r\n\r\nx" + ending +
              b"MAIL FROM:<evil@ext.test>\r\nRCPT TO:<w@example.com>\r\n"
              b"DATA\r\nsmuggled\r\n.\r\n")
    r = reply()
    s.sendall(b"QUIT\r\n"); reply(); s.close()
    return r
print(" ".join(run(e) for e in (b"\n.\n", b"\r.\r", b"\n.\r\n")))
EOF
)
sleep 0.3
if [ "$res" = "554 554 554" ] && [ "$(ls "$tmp/drop" | wc -l)" = "$ndrop" ]; then
	ok "smuggled endings do not end DATA (554 after the real end, nothing dropped)"
else ko "smuggling: replies '$res'"; fi

# 4. kill -9 after the 250s, restart: every message is delivered
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
conf no
start || exit 1
rm -rf "$tmp/drop"/*
i=0; acked=0
while [ $i -lt 5 ]; do
	sw --from s@ext.test --to "r$i@example.com" --body "durable $i" \
	    >"$tmp/sw5" 2>&1 && grep -q 'queued as' "$tmp/sw5" && acked=$((acked + 1))
	i=$((i + 1))
done
kill -9 "$pid"; wait "$pid" 2>/dev/null; pid=
q=$(ls "$tmp/spool/queue" | wc -l)
if [ "$acked" = 5 ] && [ "$q" = 10 ]; then ok "5 messages acknowledged and queued (deliver = no)"
else ko "queued: acked $acked, $q queue files"; fi
conf yes
start || exit 1
if wait_files "$tmp/drop" 5 && [ "$(cat "$tmp/drop"/* | grep -c '^durable ')" = 5 ]; then
	ok "after kill -9 and restart every acknowledged message is delivered"
else ko "after restart: $(ls "$tmp/drop" | wc -l) drop files"; tail -20 "$tmp/log"; fi
i=0
while [ $i -lt 30 ] && [ "$(ls "$tmp/spool/queue" | wc -l)" != 0 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(ls "$tmp/spool/queue" | wc -l)" = 0 ]; then ok "queue empty after delivery"
else ko "queue not empty after delivery"; fi
if grep -q 'status=sent' "$tmp/log" && ! grep -q 'NOQUEUE: reject: RCPT from \[127.0.0.1\]' "$tmp/log"; then
	ok "log has Postfix-style delivery lines"
else ko "log lines"; fi
kill "$pid"; wait "$pid" 2>/dev/null; pid=
exit 0
