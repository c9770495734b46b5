# lib.sh - shared by tests/t_gateway_*.sh: a temp dir, free loopback
# ports, addrgw and an aiosmtpd next hop started and always stopped.
cd "$(dirname "$0")/.." || exit 2
B=${B:-build}
gw=$B/addrgw
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
ok() { echo "PASS: $*"; }
ko() { echo "FAIL: $*"; }
if [ ! -x "$gw" ]; then ko "$gw is not built"; exit 1; fi
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
	ko "python3-aiosmtpd is needed (make deps installs it)"; exit 1
fi
tmp=$(mktemp -d)
gpid=
spid=
cleanup() {
	[ -n "$gpid" ] && kill -9 "$gpid" 2>/dev/null
	[ -n "$spid" ] && kill "$spid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

freeport() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port=$(freeport)
hop=$(freeport)

# conf EXTRA-DELIVERY-LINES - write $tmp/gw.conf routing everything to
# the next hop on $hop
conf() {
	cat >"$tmp/gw.conf" <<EOC
[server]
listen = 127.0.0.1:$port
hostname = gw.test
spool = $tmp/spool
timeout = 20s
[routing]
local_domains = example.com
relay_from = 127.0.0.1/32
[routes]
SMTP:* = smtp:[127.0.0.1]:$hop 1
[delivery]
postmaster = postmaster@example.com
client_timeouts = 5s 5s 5s 5s 5s
$1
EOC
}

# conf_dir DIRFILE [EXTRA-SECTIONS] - $tmp/gw.conf with a directory, the
# local domains of the sample, a plain listener on $port (no relay: the
# client is outside relay_from) and a relay listener on $rport
rport=$(freeport)
conf_dir() {
	cat >"$tmp/gw.conf" <<EOC
[server]
listen = 127.0.0.1:$port
listen = 127.0.0.1:$rport relay
hostname = gw.test
spool = $tmp/spool
timeout = 20s
[directory]
file = $1
[routing]
local_domains = example.com, example.org, corp.example.net
imcea_domain = example.com
relay_from = 10.9.9.9/32
[routes]
SMTP:* = smtp:[127.0.0.1]:$hop 1
[delivery]
postmaster = postmaster@example.com
client_timeouts = 5s 5s 5s 5s 5s
$2
EOC
}

# probe PORT FROM TO... - one transaction, a line per reply (probe.py)
probe() { "$PY" tests/gw/probe.py "$@"; }
# msg_to ADDR - the delivered files holding ADDR as an envelope recipient
msg_to() { grep -l "^X-Env-Rcpt: <$1>" "$tmp/out"/*.eml 2>/dev/null; }

gw_start() {
	"$gw" -c "$tmp/gw.conf" -f >>"$tmp/log" 2>&1 &
	gpid=$!
	i=0
	while [ $i -lt 50 ]; do
		"$PY" -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2).close()" \
		    2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	ko "addrgw did not start"; cat "$tmp/log"; return 1
}
gw_kill() { [ -n "$gpid" ] && kill -9 "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null; gpid=; }
gw_stop() { [ -n "$gpid" ] && kill "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null; gpid=; }

# sink_start MODE [OPTS] - the next hop, writing to $tmp/out
sink_start() {
	rm -f "$tmp/out/.ready"
	"$PY" tests/gw/sink.py "$hop" "$tmp/out" "$@" >>"$tmp/sink.log" 2>&1 &
	spid=$!
	i=0
	while [ $i -lt 50 ] && [ ! -f "$tmp/out/.ready" ]; do sleep 0.1; i=$((i + 1)); done
	[ -f "$tmp/out/.ready" ] || { ko "sink did not start"; cat "$tmp/sink.log"; return 1; }
}
sink_stop() { [ -n "$spid" ] && kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=; }

# wait_for SECS CMD... - until CMD succeeds
wait_for() {
	t=$(($1 * 10)); shift; i=0
	while [ $i -lt $t ]; do "$@" && return 0; sleep 0.1; i=$((i + 1)); done
	return 1
}
nfiles() { ls "$tmp/out" 2>/dev/null | grep -c '\.eml$'; }
have_files() { [ "$(nfiles)" -ge "$1" ]; }
queue_empty() { [ -z "$(ls "$tmp/spool/queue" 2>/dev/null)" ]; }
