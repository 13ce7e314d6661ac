#!/usr/bin/env bash
# healthd against real servers in network namespaces: every check type up,
# down, recovering, and with its timeout honoured; misbehaving servers.
#   tests/net/healthd.sh BUILDDIR
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
. "$here/netlib.sh"

builddir=$(cd "${1:?usage: healthd.sh BUILDDIR}" && pwd)
healthd=$builddir/healthd/healthd
lvsctl=$builddir/lvsctl/lvsctl
[ -x "$healthd" ] && [ -x "$lvsctl" ] || { echo "build first: $healthd"; exit 1; }

net_setup lvsdhc || exit 1
work=$NET_TMP/healthd
mkdir -p "$work"
run=$work/run
conf=$work/lvsd.conf
hlog=$work/healthd.log
hpid=

cleanup() {
	[ -z "$hpid" ] || kill -KILL "$hpid" 2>/dev/null
	[ $TESTS_FAILED -eq 0 ] || { echo "--- healthd log (tail)"; tail -40 "$hlog"; }
	net_cleanup
}
trap cleanup EXIT

###########################################################################
# Real servers: Debian's nginx, dnsmasq, aiosmtpd, and misbehaving ones.
start_http 192.0.2.11 80
start_http 2001:db8::11 80
start_https 192.0.2.11 443
start_https -c selfsigned 192.0.2.12 443
start_https -c wrongname 192.0.2.13 443
start_dns 192.0.2.14
start_smtp 192.0.2.15 25
start_bad badbanner 192.0.2.16 25
start_bad silent 192.0.2.20 80
start_bad slow 3 192.0.2.21 80
start_bad status500 192.0.2.22 80
start_bad wrongbody 192.0.2.23 80
start_bad reset 192.0.2.24 80
start_bad flood 192.0.2.25 80
start_bad dnsgarbage 192.0.2.26 53
start_bad hangup 192.0.2.28 80
start_bad baresmtp 192.0.2.28 25
start_bad floodbody 192.0.2.29 80
net_add_server_addr 192.0.2.27      # a host with nothing listening
icmp_block 192.0.2.27
tcp_block 192.0.2.27 81             # a port that drops, not refuses

# An external check's command: up while its flag file exists; records its
# arguments.
cat > "$work/check-flag" <<'SH'
#!/bin/sh
echo "$@" > "$0.args"
echo "checking $3:$4 for $1:$2"
[ -e "$0.up" ]
SH
chmod +x "$work/check-flag"
touch "$work/check-flag.up"

# One virtual per case, each with one real server "r".
n=0
v() {  # NAME REAL-ADDRESS CHECK-OPTIONS...
	local name=$1 addr=$2 vip
	shift 2
	n=$((n + 1))
	vip=203.0.113.$n
	case $addr in \[*) vip="[2001:db8:1::$n]" ;; esac
	cat <<-CONF
	virtual $name {
	  address = "$vip:80"
	  check { interval = 500ms  timeout = 300ms  rise = 1  fall = 1  $* }
	  real r { address = "$addr" }
	}
	CONF
}
write_conf() {
	n=0
	{
		v ping-up 192.0.2.11:80 'type = ping'
		v ping6-up '[2001:db8::11]:80' 'type = ping'
		v ping-filtered 192.0.2.27:80 'type = ping'
		v tcp-up 192.0.2.11:80 'type = tcp'
		v tcp-refused 192.0.2.11:81 'type = tcp'
		v tcp-dropped 192.0.2.27:81 'type = tcp'
		v tcp-receive 192.0.2.11:80 'type = tcp request = "GET /health HTTP/1.0\r\n\r\n" receive = "^HTTP/1\\.[01] 200"'
		v tcp-mismatch 192.0.2.11:80 'type = tcp request = "GET /missing HTTP/1.0\r\n\r\n" receive = "^HTTP/1\\.[01] 200"'
		v http-up 192.0.2.11:80 "type = http request = \"${HTTP_PATH:-/health}\" receive = \"^OK\""
		v http6-up '[2001:db8::11]:80' 'type = http request = "/health"'
		v http-head 192.0.2.11:80 'type = http request = "/health" method = HEAD'
		v http-404 192.0.2.11:80 'type = http request = "/missing"'
		v http-404-wanted 192.0.2.11:80 'type = http request = "/missing" status = "404"'
		v http-big 192.0.2.11:80 'type = http request = "/big" receive = "never-there"'
		v http-500 192.0.2.22:80 'type = http'
		v http-body 192.0.2.23:80 'type = http receive = "^OK"'
		v http-silent 192.0.2.20:80 'type = http'
		v http-slow 192.0.2.21:80 'type = http'
		v http-reset 192.0.2.24:80 'type = http'
		v http-flood 192.0.2.25:80 'type = http'
		v https-up 192.0.2.11:443 'type = https request = "/health"'
		v https-verified 192.0.2.11:443 "type = https request = \"/health\" virtualhost = \"www.example.test\" ca-file = \"$NET_CA_FILE\""
		v https-selfsigned 192.0.2.12:443 'type = https request = "/health"'
		v https-untrusted 192.0.2.12:443 "type = https request = \"/health\" virtualhost = \"www.example.test\" ca-file = \"$NET_CA_FILE\""
		v https-wrongname 192.0.2.13:443 "type = https request = \"/health\" virtualhost = \"www.example.test\" ca-file = \"$NET_CA_FILE\""
		v dns-up 192.0.2.14:53 'type = dns request = "www.example.test"'
		v dns-nxdomain 192.0.2.14:53 'type = dns request = "nothing.example.test"'
		v dns-garbage 192.0.2.26:53 'type = dns request = "www.example.test"'
		v dns-absent 192.0.2.27:53 'type = dns request = "www.example.test"'
		v smtp-up 192.0.2.15:25 'type = smtp'
		v smtp-banner 192.0.2.16:25 'type = smtp'
		v external-up 192.0.2.11:80 "type = external command = \"$work/check-flag\""
		v external-hung 192.0.2.11:8080 "type = external command = \"sleep 30; true\" interval = 2s"
		v on 192.0.2.27:80 'type = on'
		v off 192.0.2.11:80 'type = off'
		v none 192.0.2.27:80 'type = none'
		v tcp-hangup 192.0.2.28:80 'type = tcp request = "PING\r\n"'
		v http-stream 192.0.2.29:80 'type = http'
		v smtp-bare 192.0.2.28:25 'type = smtp'
		v external-leftover 192.0.2.11:80 'type = external command = "sleep 31.5 & exit 0"'
	} > "$conf"
}
write_conf

# health NAME: the health healthd reports for the virtual's real server.
status_json() { "$lvsctl" -R "$run" --json status 2>/dev/null; }
field() {  # VIRTUAL KEY: from the real's "check" object
	status_json | "$NET_PYTHON" -c '
import json, sys
for v in json.load(sys.stdin)["virtuals"]:
    if v["name"] == sys.argv[1]:
        c = v["reals"][0].get("check", {})
        print(c.get(sys.argv[2], ""))' "$1" "$2"
}
health() { field "$1" health; }
reason() { field "$1" reason; }

ip netns exec "$NET_NS_DIR" "$healthd" -f "$conf" -R "$run" -N lb1 -l debug 2>"$hlog" &
hpid=$!
wait_for 10 test -S "$run/healthd.sock" || { fail "healthd starts" "$(cat "$hlog")"; summary; exit 1; }

# expect NAME HEALTH [REASON-REGEX]: waits up to 6 s for the verdict.
# The reason is waited for too: the first failure after a server stops may
# say something else (a server being killed can still complete a handshake
# and then reset it), the next ones what the test names.
expect() {
	local name=$1 want=$2 re=${3:-}
	if wait_for 6 eval '[ "$(health "$name")" = "$want" ]'; then
		if [ -n "$re" ]; then
			wait_for 3 eval '[[ "$(reason "$name")" =~ $re ]]' || true
			expect_match "$name: $want ($re)" "$re" "$(reason "$name")"
		else
			pass "$name: $want"
		fi
	else
		fail "$name: $want" "health $(health "$name"), reason: $(reason "$name")"
	fi
}

echo "# every check type against real and misbehaving servers"
expect ping-up up
expect ping6-up up
expect ping-filtered down 'no answer within 300 ms'
expect tcp-up up
expect tcp-refused down 'refused'
expect tcp-dropped down 'no answer within 300 ms'
expect tcp-receive up
expect tcp-mismatch down 'does not match'
expect tcp-hangup down 'closed the connection without answering'
expect http-up up
expect http6-up up
expect http-head up
expect http-404 down 'HTTP status 404, expected 200-399'
expect http-404-wanted up
expect http-big down 'does not match .* in its first 64 KiB'
expect http-500 down 'HTTP status 500'
expect http-body down 'body does not match'
expect http-silent down 'no answer within 300 ms'
expect http-slow down 'no answer within 300 ms'
expect http-reset down '.'
expect http-flood down '.'
expect http-stream up   # a 200 whose body never ends: the status is enough
expect https-up up
expect https-verified up
expect https-selfsigned up
expect https-untrusted down 'certificate|SSL'
expect https-wrongname down 'certificate|SSL|name'
expect dns-up up
expect dns-nxdomain up
expect dns-garbage down '.'
expect dns-absent down '.'
expect smtp-up up
expect smtp-banner down 'banner "554'
expect smtp-bare up     # "220" alone is a banner (RFC 5321)
expect external-up up
expect external-hung down 'no answer within 300 ms'
expect on up
expect off down
expect none up
# A command that exits leaves nothing of its process group behind.
sleep 1.5
expect_eq "external: what a command left running is gone when it exits" 0 \
	"$(pgrep -cf '^sleep 31\.5$' || true)"
expect_eq "external: the command gets VIP VPORT RIP RPORT" "203.0.113.32 80 192.0.2.11 80" \
	"$(cat "$work/check-flag.args")"
expect_match "external: its output goes to the log" 'command output: checking 192\.0\.2\.11:80 for 203\.0\.113\.32:80' \
	"$(cat "$hlog")"

echo "# timeouts are honoured: the verdict comes at the timeout, not later"
lat=$(field http-silent latency_ms)
if awk -v l="$lat" 'BEGIN { exit !(l >= 290 && l <= 400) }'; then
	pass "http-silent: judged after ${lat} ms (timeout 300 ms)"
else
	fail "http-silent: judged at the timeout" "latency ${lat} ms"
fi
# The hung command is killed with its process group, and reaped.
sleep 0.5
hung=0
for _ in $(seq 20); do
	c=$(pgrep -c -f '^sleep 30$' || true)
	[ "$c" -le 1 ] || hung=$c
	sleep 0.1
done
expect_eq "external timeout: no command outlives its timeout" 0 "$hung"
expect_eq "external: no zombie children" 0 "$(ps -o stat= --ppid "$hpid" | grep -c '^Z')"

echo "# failures and recoveries"
stop_server http-192.0.2.11-80
expect http-up down '(onnect|refused)'
expect tcp-up down 'refused'
start_server http-192.0.2.11-80
expect http-up up
expect tcp-up up
icmp_block 192.0.2.11
expect ping-up down 'no answer within 300 ms'
icmp_unblock 192.0.2.11
expect ping-up up
rm "$work/check-flag.up"
expect external-up down 'exited with status 1'
touch "$work/check-flag.up"
expect external-up up
stop_server dns-192.0.2.14
expect dns-up down 'unreachable'
start_server dns-192.0.2.14
expect dns-up up
stop_server smtp-192.0.2.15-25
expect smtp-up down 'refused'
start_server smtp-192.0.2.15-25
expect smtp-up up

echo "# reload: unchanged checks keep their state and schedule"
before=$(field tcp-up checks)
HTTP_PATH=/ write_conf
kill -HUP "$hpid"
wait_for 5 grep -q 'configuration reloaded' "$hlog"
expect_match "reload logged with the number of checks" 'configuration reloaded .*: 36 checks|configuration reloaded .*checks' "$(cat "$hlog")"
after=$(field tcp-up checks)
if [ "${after:-0}" -ge "${before:-1}" ]; then
	pass "reload: tcp-up kept its check count ($before -> $after)"
else
	fail "reload: tcp-up kept its check count" "$before -> $after"
fi
expect http-up down 'does not match'   # "/" answers "hello lvsd", not "OK"
printf 'virtual broken {\n  address = "192.0.2.300:80"\n}\n' >> "$conf"
kill -HUP "$hpid"
wait_for 10 grep -q 'reload rejected' "$hlog"
expect_match "invalid reload: rejected with FILE:LINE" "$conf:[0-9]+: " "$(cat "$hlog")"
expect tcp-up up
out=$("$lvsctl" -R "$run" reload 2>&1)
expect_eq "lvsctl reload of the invalid file exits 1" 1 $?
expect_match "and says why, with FILE:LINE" "healthd: reload rejected, the running configuration kept: $conf:[0-9]+: " "$out"
HTTP_PATH=/ write_conf
out=$("$lvsctl" -R "$run" reload 2>&1)
expect_eq "lvsctl reload of a good file exits 0" 0 $?
expect_eq "and says healthd took it" "healthd: configuration reloaded" "$out"
# A subscriber that asks for a reload and hangs up at once: the reload's
# publication to it fails, and its request must still end cleanly (the
# peer was once freed in the publication and then used for the answer).
write_conf
"$NET_PYTHON" - "$run/healthd.sock" <<-'PY'
	import socket, struct, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
	s.connect(sys.argv[1])
	s.send(struct.pack(">BBHI", 1, 2, 0, 0))          # SUBSCRIBE
	while s.recv(65536)[1] != 67:                     # the snapshot, to END
	    pass
	s.send(struct.pack(">BBHI", 1, 5, 0, 0))          # RELOAD
	s.close()
PY
wait_for 5 eval '[ "$(grep -c "configuration reloaded" "$hlog")" -ge 3 ]'
if kill -0 "$hpid" 2>/dev/null && [ -n "$(field tcp-up checks)" ]; then
	pass "a subscriber that asks for a reload and hangs up: healthd carries on"
else
	fail "a subscriber that asks for a reload and hangs up" "healthd is gone or does not answer"
fi
HTTP_PATH=/ write_conf
"$lvsctl" -R "$run" reload >/dev/null 2>&1
expect tcp-up up

kill -TERM "$hpid"
wait "$hpid"
expect_eq "SIGTERM: healthd exits 0" 0 $?
hpid=

echo "# ping without CAP_NET_RAW: the kernel's ping sockets"
cat > "$conf" <<'CONF'
virtual ping-up { address = "203.0.113.1:80"  check { type = ping  interval = 500ms  timeout = 300ms  rise = 1  fall = 1 }  real r { address = "192.0.2.11:80" } }
virtual ping6-up { address = "[2001:db8:1::1]:80"  check { type = ping  interval = 500ms  timeout = 300ms  rise = 1  fall = 1 }  real r { address = "[2001:db8::11]:80" } }
virtual ping-filtered { address = "203.0.113.2:80"  check { type = ping  interval = 500ms  timeout = 300ms  rise = 1  fall = 1 }  real r { address = "192.0.2.27:80" } }
CONF
: > "$hlog"
ip netns exec "$NET_NS_DIR" setpriv --inh-caps=-net_raw --bounding-set=-net_raw \
	"$healthd" -f "$conf" -R "$run" -N lb1 -l debug 2>"$hlog" &
hpid=$!
wait_for 10 test -S "$run/healthd.sock"
expect ping-up up
expect ping6-up up
expect ping-filtered down 'no answer within 300 ms'
expect_match "without CAP_NET_RAW healthd uses ping sockets" 'ICMP ping socket' "$(cat "$hlog")"
kill -TERM "$hpid"
wait "$hpid"
hpid=
summary
