#!/bin/sh
# relay.sh - the relay benchmark (issue 6): addrgw against Postfix
#
# Called by `make bench-relay` (and by `make bench` after dir.sh) with
# B=build once $B/addrgw and $B/bench/idle exist and Postfix is installed
# (smtp-source, smtp-sink, postfix, postconf, postqueue). It follows
# spec-gateway.md §17:
#   1. a private Postfix instance: `postfix -c $W/postfix` with its own
#      main.cf and master.cf (Debian's, with every chroot off and port 25
#      replaced by 127.0.0.1:$PF_PORT), queue_directory and data_directory
#      under $W (the disk that holds addrgw's spool; never tmpfs), relayhost
#      [127.0.0.1]:$PF_SINK, mynetworks 127.0.0.0/8, default_transport smtp.
#      /etc/postfix and the system instance are not touched;
#   2. addrgw on 127.0.0.1:$GW_PORT with spool $W/addrgw/spool,
#      SMTP:* = smtp:[127.0.0.1]:$GW_SINK 1, concurrency 20,
#      max_outbound_recipients 50, relay_from 127.0.0.0/8;
#   3. $RUNS runs per MTA, the order alternating (P A, A P, P A, ...);
#      each run starts `smtp-sink -M $COUNT` for that MTA, takes t0, runs
#      `smtp-source -s $SESSIONS -m $COUNT -l $SIZE -r $RCPTS -M bench.test
#      -f s@bench.test -t r@dest.test`, takes t1 (all accepted), waits for
#      the sink to exit after $COUNT transactions, takes t2, then checks the
#      MTA's queue is empty (postqueue -p, addrgw queue list). Acceptance
#      rate = COUNT/(t1-t0), relay throughput = COUNT/(t2-t0). Also the CPU
#      time of the MTA's processes during the run and the load average
#      before and after. RESULT lines go to $B/bench/relay.results;
#   4. medians, spread (min-max) and the ratio addrgw/Postfix of the
#      medians, with the verdict for relay throughput >= 1.5x Postfix;
#   5. memory per idle connection: a fresh addrgw with the open-file limit
#      raised; summed PSS (/proc/PID/smaps_rollup) of the addrgw processes,
#      idle; $B/bench/idle opens $IDLE connections that complete EHLO and
#      stay idle; 5 s later the PSS again; (after - before) / $IDLE against
#      16 KiB;
#   6. with RELAY_PROFILE=1, after the runs: the disk's commit rate (create,
#      write 4 KiB, fsync, rename, fsync the directory) with one writer and
#      with 20 in parallel; one more addrgw run of $PROFILE_COUNT messages
#      under `strace -c -w -f` (system calls per message and their share of
#      wall time), one under `perf trace -s` (time per call without ptrace,
#      $W/perf-trace.txt) and one under `perf record -g` (on-CPU profile,
#      perf report in $W/perf.txt and $W/perf-children.txt).
# Fsync stays on for both MTAs (Postfix always fsyncs a queue file before
# its 250; addrgw has no switch). Everything started here is stopped on
# exit (trap): sinks, addrgw, the Postfix instance (postfix -c DIR stop),
# the idle client.
# Environment: B (build dir), RELAY_COUNT (20000), RELAY_SESSIONS (20),
# RELAY_SIZE (4096), RELAY_RCPTS (1), RELAY_RUNS (3), RELAY_IDLE (10000;
# 0 skips step 5), RELAY_MTAS ("postfix addrgw"), RELAY_PROFILE (0),
# RELAY_PF_PORT (2525), RELAY_GW_PORT (2526), RELAY_PF_SINK (2600),
# RELAY_GW_SINK (2601), RELAY_TIMEOUT (1800: seconds smtp-source and a sink
# may run; addrgw at 30 messages/s needs 700 s for 20,000),
# RELAY_PROFILE_COUNT (2000: messages in each profiled run).
set -eu

B=${B:-build}
COUNT=${RELAY_COUNT:-20000}
SESSIONS=${RELAY_SESSIONS:-20}
SIZE=${RELAY_SIZE:-4096}
RCPTS=${RELAY_RCPTS:-1}
RUNS=${RELAY_RUNS:-3}
IDLE=${RELAY_IDLE:-10000}
MTAS=${RELAY_MTAS:-postfix addrgw}
PROFILE=${RELAY_PROFILE:-0}
PF_PORT=${RELAY_PF_PORT:-2525}
GW_PORT=${RELAY_GW_PORT:-2526}
PF_SINK=${RELAY_PF_SINK:-2600}
GW_SINK=${RELAY_GW_SINK:-2601}
TIMEOUT=${RELAY_TIMEOUT:-1800}
PROFILE_COUNT=${RELAY_PROFILE_COUNT:-2000}

die() { echo "relay.sh: $*" >&2; exit 1; }

for f in "$B/addrgw" "$B/bench/idle"; do
	[ -x "$f" ] || die "$f missing; run make bench-relay"
done
for f in smtp-source smtp-sink postfix postconf postqueue; do
	command -v "$f" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
	command -v "$f" >/dev/null 2>&1 || die "$f missing: install postfix (make bench-relay does)"
done
[ "$(id -u)" = 0 ] || die "needs root (a Postfix instance, smtp-sink -u nobody)"
for p in $PF_PORT $GW_PORT $PF_SINK $GW_SINK; do
	if ss -Htln "sport = :$p" | grep -q .; then
		die "port $p is in use; set RELAY_PF_PORT/RELAY_GW_PORT/RELAY_PF_SINK/RELAY_GW_SINK"
	fi
done

mkdir -p "$B/bench/relay"
W=$(cd "$B/bench/relay" && pwd)
GW=$(cd "$B" && pwd)/addrgw
IDLEBIN=$(cd "$B/bench" && pwd)/idle
RES=$(cd "$B/bench" && pwd)/relay.results
PF=$W/postfix
GWCONF=$W/addrgw.conf

# --- stop everything we start ---------------------------------------------
PIDS=
PF_UP=0
GW_PID=
cleanup() {
	set +e
	for p in $PIDS $GW_PID; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS $GW_PID; do
		wait "$p" 2>/dev/null
	done
	[ "$PF_UP" = 1 ] && postfix -c "$PF" stop >/dev/null 2>&1
	PF_UP=0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# forget PID: PID has been stopped and waited for
forget() {
	keep=
	for p in $PIDS; do
		[ "$p" = "$1" ] || keep="$keep $p"
	done
	PIDS=$keep
}

now() { date +%s.%N; }

# wait_listen PORT WHAT [PID]: wait up to 10 s for a listener on PORT
# (and for PID to stay alive)
wait_listen() {
	i=0
	until ss -Htln "sport = :$1" | grep -q .; do
		i=$((i + 1)); [ $i -lt 100 ] || die "$2 did not listen on $1"
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || die "$2 exited; see $W"
		sleep 0.1
	done
}
load() { cut -d' ' -f1 /proc/loadavg; }

# tree_cpu PID: CPU seconds of PID, its reaped children and its live
# children (Postfix's master and its daemons; addrgw is one process)
tree_cpu() {
	{
		sed 's/^.*) /M /' "/proc/$1/stat"
		for c in $(pgrep -P "$1"); do
			sed 's/^.*) /C /' "/proc/$c/stat" 2>/dev/null || true
		done
	} | awk -v hz="$(getconf CLK_TCK)" '
	# after "M " or "C ", field k of /proc/PID/stat is $(k - 1):
	# utime $13, stime $14, cutime $15, cstime $16
	$1 == "M" { t += $13 + $14 + $15 + $16 }
	$1 == "C" { t += $13 + $14 }
	END { printf "%.2f\n", t / hz }'
}

# pss PID: summed PSS in KiB of PID and its children
pss() {
	for p in "$1" $(pgrep -P "$1"); do
		cat "/proc/$p/smaps_rollup" 2>/dev/null
	done | awk '/^Pss:/ { s += $2 } END { print s + 0 }'
}

# --- the Postfix instance -------------------------------------------------
setup_postfix() {
	rm -rf "$PF"
	mkdir -p "$PF"
	cat >"$PF/main.cf" <<EOF
# relay.sh: a private Postfix for the relay benchmark; see bench/README.md
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
myhostname = postfix.bench.test
mydomain = bench.test
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$PF_SINK
default_transport = smtp
relay_transport = relay
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
local_recipient_maps =
biff = no
maillog_file = $W/postfix.log
maillog_file_prefixes = $W
EOF
	# Debian's master.cf without chroot (the queue is not set up as a
	# chroot) and with the port 25 listener replaced by ours
	awk -v port="$PF_PORT" '
	/^smtp[ \t]+inet/ { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
	/^[a-z]/ && NF >= 8 && $5 == "y" { $5 = "n" }
	{ print }' /etc/postfix/master.cf >"$PF/master.cf"
	mkdir -p "$PF/queue" "$PF/data"
	chown postfix "$PF/data"
	postfix -c "$PF" check || die "postfix check failed; see $W/postfix.log"
	postfix -c "$PF" start || die "postfix start failed; see $W/postfix.log"
	PF_UP=1
	wait_listen "$PF_PORT" postfix
}

# --- addrgw ---------------------------------------------------------------
write_gwconf() {
	rm -rf "$W/addrgw"
	mkdir -p "$W/addrgw/spool"
	cat >"$GWCONF" <<EOF
# relay.sh: addrgw for the relay benchmark; see bench/README.md
[server]
version = 1
listen = 127.0.0.1:$GW_PORT
hostname = addrgw.bench.test
spool = $W/addrgw/spool
max_outbound_recipients = 50

[routing]
local_domains = gw.bench.test
relay_from = 127.0.0.0/8

[routes]
SMTP:* = smtp:[127.0.0.1]:$GW_SINK 1

[delivery]
postmaster = postmaster@gw.bench.test
concurrency = 20

[logging]
file = $W/addrgw.log
EOF
	"$GW" -c "$GWCONF" -n || die "addrgw refused $GWCONF"
}

# start_gw [NOFILE]: addrgw in the foreground, in the background
start_gw() {
	if [ -n "${1:-}" ]; then
		(ulimit -n "$1" && exec "$GW" -c "$GWCONF" -f) &
	else
		"$GW" -c "$GWCONF" -f &
	fi
	GW_PID=$!
	wait_listen "$GW_PORT" addrgw "$GW_PID"
}

stop_gw() {
	[ -n "$GW_PID" ] || return 0
	kill "$GW_PID" 2>/dev/null || true
	wait "$GW_PID" 2>/dev/null || true
	GW_PID=
}

# queue_empty MTA: wait up to 60 s for an empty queue, making the MTA
# retry its deferred mail every 2 s (a retry can race with a delivery that
# is finishing: the queue tool then reports the message gone, which is
# fine); prints the state
queue_empty() {
	i=0
	while :; do
		if [ $((i % 20)) = 0 ]; then
			if [ "$1" = postfix ]; then
				postqueue -c "$PF" -f || true
			else
				"$GW" -c "$GWCONF" queue retry all >/dev/null 2>&1 || true
			fi
		fi
		if [ "$1" = postfix ]; then
			out=$(postqueue -c "$PF" -p 2>&1)
			echo "$out" | grep -q 'Mail queue is empty' && { echo empty; return; }
		else
			out=$("$GW" -c "$GWCONF" queue list 2>&1)
			[ "$out" = "queue empty" ] && { echo empty; return; }
		fi
		i=$((i + 1))
		[ $i -lt 600 ] || { echo "NOT-EMPTY"; echo "$out" | head -n 20 >&2; return; }
		sleep 0.1
	done
}

# drain MTA SINKPORT: smtp-sink -M N exits as soon as the Nth message's
# final "." arrives, before it answers it, so the MTA keeps that message
# (lost connection after end of data) and would retry it minutes later.
# Start a sink without -M, make the MTA retry now (and every 2 s), wait
# for an empty queue; prints "empty" or "NOT-EMPTY" and how many messages the second
# sink took (normally 1: that last message, delivered twice, which is
# at-least-once as it should be) in DRAIN
drain() {
	timeout 120 smtp-sink -u nobody -c "127.0.0.1:$2" 1024 >"$W/drain.out" 2>&1 &
	dpid=$!
	PIDS="$PIDS $dpid"
	wait_listen "$2" smtp-sink "$dpid"
	q=$(queue_empty "$1")
	kill "$dpid" 2>/dev/null || true
	wait "$dpid" 2>/dev/null || true
	forget "$dpid"
	DRAIN="$q $(tr '\r' '\n' <"$W/drain.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -n 1)"
}

# run_one MTA N [FILE]: one measured run; its RESULT line is appended to
# FILE ($RES)
run_one() {
	mta=$1 n=$2 out=${3:-$RES}
	if [ "$mta" = postfix ]; then
		port=$PF_PORT sink=$PF_SINK
		mpid=$(cat "$PF/queue/pid/master.pid" | tr -d ' ')
	else
		port=$GW_PORT sink=$GW_SINK mpid=$GW_PID
	fi
	timeout "$TIMEOUT" smtp-sink -u nobody -M "$COUNT" "127.0.0.1:$sink" 1024 &
	spid=$!
	PIDS="$PIDS $spid"
	wait_listen "$sink" smtp-sink "$spid"
	l0=$(load)
	c0=$(tree_cpu "$mpid")
	t0=$(now)
	timeout "$TIMEOUT" smtp-source -s "$SESSIONS" -m "$COUNT" -l "$SIZE" -r "$RCPTS" \
	    -M bench.test -f s@bench.test -t r@dest.test "127.0.0.1:$port" ||
	    die "$mta run $n: smtp-source failed (exit $?)"
	t1=$(now)
	src=0
	wait "$spid" || src=$?
	t2=$(now)
	c2=$(tree_cpu "$mpid")
	l2=$(load)
	forget "$spid"
	[ "$src" = 0 ] || die "$mta run $n: smtp-sink exited $src (timeout 124): not all $COUNT arrived"
	drain "$mta" "$sink"
	echo "$mta $n $t0 $t1 $t2 $c0 $c2 $l0 $l2 $DRAIN" | awk -v c="$COUNT" '{
		ta = $4 - $3; tr = $5 - $3; cpu = $7 - $6
		printf "RESULT mta=%s run=%s count=%d accept_s=%.3f relay_s=%.3f accept_rate=%.1f relay_rate=%.1f cpu_s=%.2f cpu_ms_per_msg=%.3f load_before=%s load_after=%s queue=%s redelivered=%d\n",
		    $1, $2, c, ta, tr, c / ta, c / tr, cpu, 1000 * cpu / c, $8, $9, $10, $11 }' |
	    tee -a "$out"
}

echo "== relay benchmark (issue 6)"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc:    $(nproc)"
echo "cpu:      $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "disk:     $(findmnt -n -o SOURCE,FSTYPE -T "$W") ($W; rotational=$(cat /sys/block/"$(basename "$(findmnt -n -o SOURCE -T "$W")")"/queue/rotational 2>/dev/null || echo '?'))"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg)"
echo "software: postfix $(postconf -h mail_version), $(dpkg-query -W -f='libevent ${Version}' libevent-2.1-7 2>/dev/null || echo libevent), addrgw $("$GW" -V 2>&1 | head -n 1)"
echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- gateway libaddr 2>/dev/null || echo ' (gateway or libaddr modified)')"
echo "load:     smtp-source -s $SESSIONS -m $COUNT -l $SIZE -r $RCPTS; $RUNS runs per MTA, alternating"
: >"$RES"

case " $MTAS " in *" postfix "*) setup_postfix ;; esac
write_gwconf
case " $MTAS " in *" addrgw "*) start_gw ;; esac

r=1
while [ $r -le "$RUNS" ]; do
	if [ $((r % 2)) = 1 ]; then order=$MTAS; else order=$(echo "$MTAS" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }'); fi
	for m in $order; do
		run_one "$m" "$r"
	done
	r=$((r + 1))
done

# traced_run NAME CMD...: one more addrgw run of $COUNT messages with CMD
# (a tracer attached to addrgw) running; the RESULT goes to profile.results
traced_run() {
	name=$1
	shift
	"$@" >/dev/null 2>&1 &
	xpid=$!
	PIDS="$PIDS $xpid"
	sleep 1
	run_one addrgw "$name" "$W/profile.results"
	kill -INT "$xpid" 2>/dev/null || true
	wait "$xpid" 2>/dev/null || true
	forget "$xpid"
}

# --- summary --------------------------------------------------------------
echo "== medians over $RUNS runs (spread min-max); messages/s"
awk '
/^RESULT/ {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	m = v["mta"]; k = ++n[m]
	acc[m, k] = v["accept_rate"]; rel[m, k] = v["relay_rate"]; cpu[m, k] = v["cpu_ms_per_msg"]
	if (v["queue"] != "empty") bad = 1
	mtas[m] = 1
}
function med(a, m, cnt,   i, j, t, x) {
	for (i = 1; i <= cnt; i++) x[i] = a[m, i]
	for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
	lo = x[1]; hi = x[cnt]
	return cnt % 2 ? x[(cnt + 1) / 2] : (x[cnt / 2] + x[cnt / 2 + 1]) / 2
}
END {
	printf "%-8s %12s %19s %12s %19s %12s\n", "mta", "accept/s", "(spread)", "relay/s", "(spread)", "cpu ms/msg"
	for (m in mtas) {
		a[m] = med(acc, m, n[m]); alo = lo; ahi = hi
		r[m] = med(rel, m, n[m]); rlo = lo; rhi = hi
		c = med(cpu, m, n[m])
		printf "%-8s %12.1f %9.1f-%-9.1f %12.1f %9.1f-%-9.1f %12.3f\n", m, a[m], alo, ahi, r[m], rlo, rhi, c
	}
	if (("addrgw" in mtas) && ("postfix" in mtas)) {
		printf "addrgw/postfix: acceptance %.2fx, relay throughput %.2fx\n", a["addrgw"] / a["postfix"], r["addrgw"] / r["postfix"]
		printf "relay throughput >= 1.5x Postfix: %s\n", (r["addrgw"] / r["postfix"] >= 1.5) ? "met" : "NOT met"
	}
	printf "queues empty after every run: %s\n", (bad ? "NO" : "yes")
}' "$RES"

# --- profile (optional) ---------------------------------------------------
if [ "$PROFILE" = 1 ] && [ -n "$GW_PID" ]; then
	echo "== profile: the disk's commit rate, one writer and 20 in parallel"
	for par in 1 20; do
		python3 - "$W/fsynctest" $((par * 100)) "$par" <<'EOF'
import os, sys, threading, time
d, n, par = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d, exist_ok=True)
lat = []
def work(k):
    dfd = os.open(d, os.O_RDONLY)
    for i in range(n // par):
        t = time.monotonic()
        p = "%s/t%d.%d" % (d, k, i)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b"x" * 4096); os.fsync(fd); os.close(fd)
        os.rename(p, p + ".q"); os.fsync(dfd)
        lat.append(time.monotonic() - t)
        os.unlink(p + ".q")
    os.close(dfd)
t0 = time.monotonic()
th = [threading.Thread(target=work, args=(k,)) for k in range(par)]
for x in th: x.start()
for x in th: x.join()
el = time.monotonic() - t0
lat.sort()
print("  %2d writer(s): %d commits in %.2f s = %.0f/s, median latency %.1f ms"
      % (par, len(lat), el, len(lat) / el, 1000 * lat[len(lat) // 2]))
EOF
	done
	rm -rf "$W/fsynctest"
	COUNT_RUNS=$COUNT
	COUNT=$PROFILE_COUNT
	: >"$W/profile.results"
	echo "== profile: one more addrgw run under strace -c -w -f"
	traced_run strace strace -c -w -f -o "$W/strace.txt" -p "$GW_PID"
	echo "system calls ($W/strace.txt), per message:"
	awk -v c="$COUNT" '$4 ~ /^[0-9]+$/ && $NF != "total" { printf "  %-14s %9d calls %8.2f/msg %6s%% of time in system calls (wall)\n", $NF, $4, $4 / c, $1 }' "$W/strace.txt" | head -n 25
	if command -v perf >/dev/null 2>&1; then
		echo "== profile: one more addrgw run under perf trace -s (latency per call, no ptrace)"
		traced_run perf-trace perf trace -s -o "$W/perf-trace.txt" -p "$GW_PID"
		awk '/\(/ { print "  " $0; next }
		    $1 ~ /^(fsync|renameat|unlinkat|openat|close|epoll_wait|connect|clone3)$/ { print "  " $0 }' \
		    "$W/perf-trace.txt"
		echo "== profile: one more addrgw run under perf record -g"
		traced_run perf perf record -g -o "$W/perf.data" -p "$GW_PID"
		perf report -i "$W/perf.data" --no-children --stdio --percent-limit 1 >"$W/perf.txt" 2>/dev/null || true
		perf report -i "$W/perf.data" --children --stdio --percent-limit 2 -g none >"$W/perf-children.txt" 2>/dev/null || true
		echo "perf report: $W/perf.txt, $W/perf-children.txt"
	fi
	COUNT=$COUNT_RUNS
fi
stop_gw
if [ "$PF_UP" = 1 ]; then
	postfix -c "$PF" stop >/dev/null 2>&1 || true
	PF_UP=0
fi

# --- memory per idle connection ---------------------------------------------
if [ "$IDLE" -gt 0 ]; then
	echo "== memory per idle connection: $IDLE connections after EHLO"
	need=$((IDLE + 256))
	hard=$(ulimit -Hn)
	[ "$hard" = unlimited ] || [ "$hard" -ge "$need" ] ||
	    die "open-file hard limit $hard < $need: raise it (ulimit -Hn) for both sides"
	write_gwconf
	start_gw "$need"
	sleep 2
	before=$(pss "$GW_PID")
	l0=$(load)
	(ulimit -n "$need" && exec "$IDLEBIN" -n "$IDLE" 127.0.0.1 "$GW_PORT") \
	    >"$W/idle.out" 2>"$W/idle.err" &
	ipid=$!
	PIDS="$PIDS $ipid"
	i=0
	until grep -q '^ready' "$W/idle.out"; do
		kill -0 "$ipid" 2>/dev/null || { cat "$W/idle.err" >&2; die "idle client failed"; }
		i=$((i + 1)); [ $i -lt 1500 ] || die "idle client not ready after 150 s"
		sleep 0.1
	done
	sleep 5
	after=$(pss "$GW_PID")
	held=$(ss -Htn state established "sport = :$GW_PORT" | wc -l)
	fds=$(ls "/proc/$GW_PID/fd" | wc -l)
	kill "$ipid"
	wait "$ipid" || true
	forget "$ipid"
	l2=$(load)
	stop_gw
	tail -n 1 "$W/idle.err"
	echo "$before $after $IDLE $held $fds $l0 $l2" | awk '{
		per = ($2 - $1) / $3
		printf "RESULT idle=%d held=%d gw_fds=%d pss_before_kib=%d pss_after_kib=%d kib_per_conn=%.2f load_before=%s load_after=%s\n", $3, $4, $5, $1, $2, per, $6, $7
		printf "memory per idle connection <= 16 KiB: %s (%.2f KiB)\n", per <= 16 ? "met" : "NOT met", per }' |
	    tee -a "$RES"
fi
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (end)"
echo "results:  $RES; logs in $W"
