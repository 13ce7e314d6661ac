#!/usr/bin/env bash
# directord against the kernel's IPVS, inside the test VM (tests/vm/vm-run).
#   tests/vm/directord.sh BUILDDIR
# ipvsadm is the independent reader of every result.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

builddir=$(cd "${1:?usage: directord.sh BUILDDIR}" && pwd)
directord=$builddir/directord/directord
lvsctl=$builddir/lvsctl/lvsctl
[ -x "$directord" ] && [ -x "$lvsctl" ] || { echo "build first: $directord"; exit 1; }
[ -e /proc/net/ip_vs ] || { echo "no IPVS in this kernel: run me in tests/vm/vm-run"; exit 1; }

work=$(mktemp -d /tmp/directord-test.XXXXXX)
run=$work/run
conf=$work/lvsd.conf
log=$work/directord.log
pid=

# A route for the VIPs, so a local client can open connections through IPVS.
ip link add lvsd0 type dummy 2>/dev/null && ip link set lvsd0 up &&
	ip addr add 192.0.2.1/24 dev lvsd0 && ip -6 addr add 2001:db8::1/64 dev lvsd0 nodad

table() { ipvsadm -Sn | sort; }

start_directord() {
	: > "$log"
	"$directord" -f "$conf" -R "$run" -N lb1 "$@" 2>>"$log" &
	pid=$!
	# The control socket answers once the first reconciliation is done.
	if ! wait_for 20 "$lvsctl" -R "$run" status; then
		echo "directord did not come up:"; cat "$log"; return 1
	fi
}

stop_directord() {
	[ -n "$pid" ] || return 0
	kill -TERM "$pid"
	wait "$pid"
	local status=$?
	pid=
	return $status
}

log_count() { grep -cE -- "$1" "$log"; }

# reload: SIGHUP, then wait for directord's verdict on the new file.
verdicts() { log_count 'configuration reloaded|reload rejected'; }
reload() {
	local before
	before=$(verdicts)
	kill -HUP "$pid"
	wait_for 10 eval '[ "$(verdicts)" -gt "$before" ]'
}

# Waits for the given periodic pass count (a log line per pass that acted).
wait_log() { wait_for "${2:-10}" grep -qE -- "$1" "$log"; }

cleanup() {
	[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null
	ipvsadm -C
}
trap cleanup EXIT

###########################################################################
echo "# every configuration construct, checked with ipvsadm -Sn"
ipvsadm -C
# A service nobody configured: directord must never touch it.
ipvsadm -A -t 203.0.113.9:25 -s rr && ipvsadm -a -t 203.0.113.9:25 -r 203.0.113.10:25 -m -w 4

cat > "$conf" <<'CONF'
reconcile-interval = 1s
virtual web {
  check { type = none }
  address = "192.0.2.50:80"
  scheduler = wlc
  real web1 { address = "192.0.2.11:80" weight = 1 }
  real web2 { address = "192.0.2.12" weight = 2 forward = nat }
  real pool { address = "192.0.2.20->192.0.2.22:8080" }
}
virtual dns {
  check { type = none }
  address = "192.0.2.53:53"
  protocol = udp
  scheduler = rr
  ops = yes
  real ns1 { address = "192.0.2.31" forward = tun weight = 3 }
  real ns6 { address = "[2001:db8::31]:53" forward = tun }
}
virtual sip {
  check { type = none }
  address = "192.0.2.60:5060"
  protocol = sctp
  scheduler = sh
  scheduler-flags = { "sh-port", "sh-fallback" }
  real sip1 { address = "192.0.2.61" }
}
virtual shop {
  check { type = none }
  address = "[2001:db8::50]:443"
  scheduler = mh
  scheduler-flags = { "mh-port" }
  persistent = 300s
  netmask = "64"
  real shop1 { address = "[2001:db8::11]:443" weight = 10 }
}
virtual mark {
  check { type = none }
  fwmark = 7
  scheduler = lc
  persistent = 1m
  netmask = "255.255.255.0"
  real m1 { address = "192.0.2.71" }
  real m2 { address = "192.0.2.72" forward = tun weight = 0 }
}
virtual mark6 {
  check { type = none }
  fwmark = 8
  real m6 { address = "2001:db8::71" }
}
virtual sorry {
  check { type = none }
  address = "192.0.2.80:80"
  fallback = "127.0.0.1:8080"
}
CONF
start_directord
expect_eq "all constructs: ipvsadm -Sn shows the configured table" "$(sort <<'TABLE'
-A -t 203.0.113.9:25 -s rr
-a -t 203.0.113.9:25 -r 203.0.113.10:25 -m -w 4
-A -t 192.0.2.50:80 -s wlc
-a -t 192.0.2.50:80 -r 192.0.2.11:80 -g -w 1
-a -t 192.0.2.50:80 -r 192.0.2.12:80 -m -w 2
-a -t 192.0.2.50:80 -r 192.0.2.20:8080 -g -w 1
-a -t 192.0.2.50:80 -r 192.0.2.21:8080 -g -w 1
-a -t 192.0.2.50:80 -r 192.0.2.22:8080 -g -w 1
-A -u 192.0.2.53:53 -s rr -o
-a -u 192.0.2.53:53 -r 192.0.2.31:53 -i -w 3 --tun-type ipip
-a -u 192.0.2.53:53 -r [2001:db8::31]:53 -i -w 1 --tun-type ipip
-A --sctp-service 192.0.2.60:5060 -s sh -b sh-fallback,sh-port
-a --sctp-service 192.0.2.60:5060 -r 192.0.2.61:5060 -g -w 1
-A -t [2001:db8::50]:443 -s mh -p 300 -M 64 -b mh-port
-a -t [2001:db8::50]:443 -r [2001:db8::11]:443 -g -w 10
-A -f 7 -s lc -p 60 -M 255.255.255.0
-a -f 7 -r 192.0.2.71:0 -g -w 1
-a -f 7 -r 192.0.2.72:0 -i -w 0 --tun-type ipip
-A -f 8 -6 -s wlc
-a -f 8 -6 -r [2001:db8::71]:0 -g -w 1
-A -t 192.0.2.80:80 -s wlc
-a -t 192.0.2.80:80 -r 127.0.0.1:8080 -g -w 1
TABLE
)" "$(table)"

status=$("$lvsctl" -R "$run" status)
expect_match "lvsctl status lists a real server with its weight" \
	'real web2 +192\.0\.2\.12:80 +up +weight 2' "$status"
expect_match "lvsctl status names the fallback of a virtual without reals" \
	'real fallback +127\.0\.0\.1:8080' "$status"
json=$("$lvsctl" -R "$run" --json status)
expect_match "lvsctl --json status has the DESIGN fields" \
	'"virtuals": \[\{"name": "web", "address": "192\.0\.2\.50:80", "fwmark": 0, "protocol": "tcp", "scheduler": "wlc"' "$json"
if python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["virtuals"]) == 7' <<<"$json" 2>/dev/null; then
	pass "lvsctl --json status is valid JSON with 7 virtuals"
else
	fail "lvsctl --json status is valid JSON with 7 virtuals" "$json"
fi

###########################################################################
echo "# a connection through the VIP, then a restart: nothing is recreated"
timeout 2 bash -c 'exec 3<>/dev/tcp/192.0.2.50/80' 2>/dev/null
service_conns() { ipvsadm -Ln --stats -t 192.0.2.50:80 | awk '/^TCP/ {print $3}'; }
# The kernel folds its per-CPU counters into what ipvsadm reads only every
# couple of seconds (the rate estimator), so wait for the connection to show.
wait_for 6 eval '[ "$(service_conns)" -ge 1 ]'
conns_before=$(service_conns)
connections_before=$(ipvsadm -Lnc | grep -c 192.0.2.50)
before=$(table)
stop_directord; expect_eq "SIGTERM: directord exits 0" 0 $?
expect_eq "SIGTERM leaves the table in place" "$before" "$(table)"
start_directord
expect_eq "restart adopts the table: no operation" 0 "$(log_count 'operations')"
expect_eq "restart keeps the table" "$before" "$(table)"
conns_after=$(service_conns)
if [ "${conns_before:-0}" -ge 1 ] && [ "$conns_before" = "$conns_after" ]; then
	pass "restart keeps service counters ($conns_after connections)"
else
	fail "restart keeps service counters" "before ${conns_before:-none}, after ${conns_after:-none}"
fi
expect_eq "restart keeps connection entries" "$connections_before" "$(ipvsadm -Lnc | grep -c 192.0.2.50)"

###########################################################################
echo "# reload: additions, removals and edits with the fewest operations"
python3 - "$conf" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = s.replace('real web2 { address = "192.0.2.12" weight = 2 forward = nat }',
              'real web2 { address = "192.0.2.12" weight = 5 forward = nat }\n  real web3 { address = "192.0.2.13" }')
s = s.replace('real pool { address = "192.0.2.20->192.0.2.22:8080" }', '')
s = s.replace('scheduler = rr\n  ops = yes', 'scheduler = wrr\n  ops = yes')
s = re.sub(r'virtual sorry \{.*?\n\}\n', '', s, flags=re.S)
s += 'virtual mail {\n  check { type = none }\n  address = "192.0.2.90:25"\n  real mx1 { address = "192.0.2.91" }\n}\n'
open(p, 'w').write(s)
PY
reload
expect_match "reload is logged with its operation count" \
	'reload: 9 operations \(1 services added, 1 updated, 1 removed; 2 real servers added, 1 updated, 3 removed\)' \
	"$(cat "$log")"
t=$(table)
expect_match "reload: weight edited" '^-a -t 192\.0\.2\.50:80 -r 192\.0\.2\.12:80 -m -w 5$' "$t"
expect_match "reload: real added" '^-a -t 192\.0\.2\.50:80 -r 192\.0\.2\.13:80 -g -w 1$' "$t"
expect_no_match "reload: range removed" '192\.0\.2\.2[0-2]:8080' "$t"
expect_match "reload: scheduler edited in place" '^-A -u 192\.0\.2\.53:53 -s wrr -o$' "$t"
expect_no_match "reload: virtual removed" '192\.0\.2\.80:80' "$t"
expect_match "reload: virtual added" '^-a -t 192\.0\.2\.90:25 -r 192\.0\.2\.91:25 -g -w 1$' "$t"
expect_match "reload: foreign service untouched" '^-a -t 203\.0\.113\.9:25 -r 203\.0\.113\.10:25 -m -w 4$' "$t"
expect_eq "reload: the edited service kept its connections" "$connections_before" \
	"$(ipvsadm -Lnc | grep -c 192.0.2.50)"

###########################################################################
echo "# a subscriber gets a snapshot, then a new one after every change"
# Header: version 1, type, reserved, payload length; SUBSCRIBE is type 2,
# END type 67 with a 32-bit count.
python3 - "$run/directord.sock" > "$work/subscriber.out" 2>&1 <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(struct.pack("!BBHI", 1, 2, 0, 0))
s.settimeout(20)
ends = 0
while ends < 2:
    m = s.recv(4096)
    if not m:
        break
    version, kind, _, length = struct.unpack("!BBHI", m[:8])
    if kind == 67:
        ends += 1
        print("end", struct.unpack("!I", m[8:12])[0], flush=True)
PY
subscriber=$!
wait_for 10 grep -q '^end' "$work/subscriber.out"
sed -i 's/real web3 { address = "192.0.2.13" }/real web3 { address = "192.0.2.13" weight = 2 }/' "$conf"
reload
wait "$subscriber"
expect_eq "subscriber: a snapshot, then another after the reload" "$(printf 'end 18\nend 18')" \
	"$(cat "$work/subscriber.out")"
expect_match "reload of one weight: one operation" 'reload: 1 operations' "$(cat "$log")"

###########################################################################
echo "# a second directord on the same runtime directory is refused"
out=$("$directord" -f "$conf" -R "$run" 2>&1); rc=$?
expect_eq "second instance exits 1" 1 $rc
expect_match "second instance says why" 'another directord is running there' "$out"
expect_eq "the first still answers" 0 "$("$lvsctl" -R "$run" status >/dev/null 2>&1; echo $?)"

###########################################################################
echo "# an invalid reload keeps the running configuration"
good=$(table)
cp "$conf" "$conf.good"
printf 'virtual broken {\n  address = "192.0.2.300:80"\n  frobnicate = 1\n}\n' >> "$conf"
reload
expect_match "invalid reload: errors name file and line" "$conf:[0-9]+: " "$(cat "$log")"
expect_match "invalid reload: rejected with a clear message" 'reload rejected' "$(cat "$log")"
expect_eq "invalid reload: table unchanged" "$good" "$(table)"
if kill -0 "$pid" && "$lvsctl" -R "$run" status >/dev/null; then
	pass "invalid reload: directord still serves"
else
	fail "invalid reload: directord still serves" "$(tail "$log")"
fi
out=$("$lvsctl" -R "$run" reload 2>&1)
expect_eq "lvsctl reload of the invalid file exits 1" 1 $?
expect_match "lvsctl reload says why, with FILE:LINE" "^directord: reload rejected, the running configuration kept: $conf:[0-9]+: " "$out"
cp "$conf.good" "$conf"
out=$("$lvsctl" -R "$run" reload 2>&1)
expect_eq "lvsctl reload of the good file: directord took it" "0 directord: configuration reloaded" "$? $out"
expect_eq "and the table is as it was" "$good" "$(table)"

###########################################################################
echo "# drift: changes made by hand are repaired"
ipvsadm -d -t 192.0.2.50:80 -r 192.0.2.11:80
ipvsadm -e -t 192.0.2.50:80 -r 192.0.2.13:80 -g -w 9
ipvsadm -D -t 192.0.2.90:25
if wait_for 10 sh -c "[ \"\$(ipvsadm -Sn | sort)\" = \"\$1\" ]" _ "$good"; then
	pass "drift repaired within the reconcile interval"
else
	fail "drift repaired within the reconcile interval" "$(diff <(echo "$good") <(table))"
fi
# The repair may span two passes if one ran between the hand edits.
repaired_ops() { grep -Eo 'periodic check: [0-9]+ operations' "$log" | awk '{ n += $3 } END { print n + 0 }'; }
wait_for 5 eval '[ "$(repaired_ops)" -ge 4 ]'
expect_eq "drift repair is logged: 4 operations" 4 "$(repaired_ops)"

###########################################################################
echo "# kernel errors are reported by name, the rest still applies"
sed -i 's/scheduler = lc/scheduler = nosuchsched/' "$conf"
cat >> "$conf" <<'CONF'
virtual extra {
  check { type = none }
  address = "192.0.2.95:80"
  real e1 { address = "192.0.2.96" }
}
CONF
reload
wait_log 'virtual mark: cannot update fwmark 7: the kernel has no scheduler "nosuchsched"'
expect_match "unknown scheduler: reported with the virtual's name" \
	'virtual mark: cannot update fwmark 7: the kernel has no scheduler "nosuchsched"' "$(cat "$log")"
expect_match "unknown scheduler: the reload warned of it at its line first" \
	"^directord: warning: $conf:[0-9]+: warning: scheduler 'nosuchsched' is none of the kernel's" "$(cat "$log")"
expect_match "unknown scheduler: other changes still applied" '^-a -t 192\.0\.2\.95:80 -r 192\.0\.2\.96:80' "$(table)"
expect_match "unknown scheduler: the service keeps its old scheduler" '^-A -f 7 -s lc' "$(table)"
expect_match "lvsctl status shows the error on the virtual" \
	'virtual mark .*error: No such file or directory' "$("$lvsctl" -R "$run" status)"
sed -i 's/scheduler = nosuchsched/scheduler = lc/' "$conf"
reload

###########################################################################
echo "# a service dropped from the configuration while stopped is removed"
stop_directord
python3 - "$conf" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = re.sub(r'virtual extra \{.*?\n\}\n', '', s, flags=re.S)
open(p, 'w').write(s)
PY
start_directord
t=$(table)
expect_no_match "restart: an owned service no longer configured is removed" '192\.0\.2\.95:80' "$t"
expect_match "restart: foreign service still untouched" '^-A -t 203\.0\.113\.9:25 -s rr$' "$t"

###########################################################################
echo "# flush-on-stop removes only directord's services"
sed -i '1i flush-on-stop = yes' "$conf"
reload
stop_directord
expect_eq "flush-on-stop: only the foreign service remains" "$(sort <<'TABLE'
-A -t 203.0.113.9:25 -s rr
-a -t 203.0.113.9:25 -r 203.0.113.10:25 -m -w 4
TABLE
)" "$(table)"

###########################################################################
echo "# a large change runs in two lanes; each service whole, errors by name"
# 40 services x 40 real servers: past the size that splits the work between
# two netlink sockets. Service 30, in the second lane, has a scheduler the
# kernel lacks.
big() {  # WEIGHT
	awk -v w="$1" 'BEGIN {
		print "reconcile-interval = 1h"
		for (i = 0; i < 40; i++) {
			printf "virtual v%d {\n  check { type = none }\n  address = \"198.18.0.%d:80\"\n", i, i + 1
			printf "  scheduler = %s\n", i == 30 ? "nosuchsched" : "wlc"
			for (j = 0; j < 40; j++)
				printf "  real r%d { address = \"198.19.%d.%d\" weight = %d }\n", j, i, j + 1, w
			print "}"
		}
	}'
}
expected_big() {  # WEIGHT
	awk -v w="$1" 'BEGIN {
		for (i = 0; i < 40; i++) {
			if (i == 30) continue
			printf "-A -t 198.18.0.%d:80 -s wlc\n", i + 1
			for (j = 0; j < 40; j++)
				printf "-a -t 198.18.0.%d:80 -r 198.19.%d.%d:80 -g -w %d\n", i + 1, i, j + 1, w
		}
		print "-A -t 203.0.113.9:25 -s rr"
		print "-a -t 203.0.113.9:25 -r 203.0.113.10:25 -m -w 4"
	}' | sort
}
saved_conf=$conf
conf=$work/big.conf
big 1 > "$conf"
start_directord
expect_eq "two lanes: the kernel holds every service but the refused one, whole" "$(expected_big 1)" "$(table)"
expect_match "two lanes: 1640 changes, one error" 'start: 1640 operations .* 1 errors' "$(cat "$log")"
expect_match "two lanes: the refused service is named" \
	'virtual v30: cannot add tcp 198\.18\.0\.31:80: the kernel has no scheduler "nosuchsched"' "$(cat "$log")"
expect_eq "two lanes: its real servers are not reported one by one" 0 "$(log_count 'virtual v30: cannot add real')"
# Every real server changes weight: 1560 edits, in two lanes again, and the
# refused service tried again (41 operations).
big 5 > "$conf"
reload
wait_log 'reload: 1601 operations'
expect_eq "two lanes: a reload's edits all applied" "$(expected_big 5)" "$(table)"
stop_directord
for ((i = 0; i < 40; i++)); do ipvsadm -D -t "198.18.0.$((i + 1)):80" 2>/dev/null; done
conf=$saved_conf

###########################################################################
echo "# configuration checks and the command line"
"$directord" -t -f "$conf" >/dev/null 2>&1; expect_eq "-t on a good file exits 0" 0 $?
printf 'virtual v {\n  address = "192.0.2.1:80"\n  fwmark = 3\n}\n' > "$work/bad.conf"
out=$("$directord" -t -f "$work/bad.conf" 2>&1); rc=$?
expect_eq "-t on a bad file exits 1" 1 $rc
expect_match "-t names file and line" "^$work/bad.conf:[0-9]+: " "$out"
"$lvsctl" -R "$work/nowhere" status >/dev/null 2>&1
expect_eq "lvsctl exits 3 when directord is unreachable" 3 $?

echo "# the control socket answers only root and the lvsd group"
start_directord
chmod 755 "$work" "$run"
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$lvsctl" -R "$run" status 2>&1); rc=$?
expect_eq "an unprivileged user cannot read directord's state" 3 $rc
expect_match "and is told why" 'cannot reach directord.*Permission denied' "$out"
# Even through a socket opened to everyone, the peer's credentials decide.
chmod 666 "$run/directord.sock"
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$lvsctl" -R "$run" status 2>&1)
expect_eq "an unprivileged peer is refused by its credentials" 1 $?
expect_match "and is told so" 'directord: permission denied: only root and group lvsd' "$out"
expect_match "the refusal is logged" 'refused a peer that is neither root nor in group lvsd' "$(cat "$log")"
stop_directord

echo "# a member of group lvsd is let in"
# The group exists in this VM only: a copy of /etc/group mounted over it.
cp /etc/group "$work/group" && echo "lvsd:x:4242:" >> "$work/group" && mount --bind "$work/group" /etc/group
start_directord
expect_eq "the control socket belongs to group lvsd" "root:lvsd 660" "$(stat -c '%U:%G %a' "$run/directord.sock")"
out=$(setpriv --reuid 65534 --regid 65534 --groups 4242 "$lvsctl" -R "$run" status 2>&1)
expect_eq "a member of group lvsd reads directord's state" 0 $?
expect_match "and sees it" 'virtual mark' "$out"
stop_directord
umount /etc/group

summary
