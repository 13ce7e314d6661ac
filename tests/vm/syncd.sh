#!/usr/bin/env bash
# syncd against the kernel's IPVS sync daemons, inside the test VM
# (tests/vm/vm-run): two directors, a real server and a client in network
# namespaces on one bridge (DR), heartbeatd and syncd on each director.
# An established connection through the VIP survives the death of the
# director that holds it. ipvsadm is the independent reader.
#   tests/vm/syncd.sh BUILDDIR
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

builddir=$(cd "${1:?usage: syncd.sh BUILDDIR}" && pwd)
syncd=$builddir/syncd/syncd
heartbeatd=$builddir/heartbeatd/heartbeatd
lvsctl=$builddir/lvsctl/lvsctl
[ -x "$syncd" ] && [ -x "$heartbeatd" ] || { echo "build first: $syncd"; exit 1; }
[ -e /proc/net/ip_vs ] || { echo "no IPVS in this kernel: run me in tests/vm/vm-run"; exit 1; }

P=lvsdsy
work=$(mktemp -d /tmp/syncd-test.XXXXXX)
declare -A pids
ns() { echo "$P-$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for n in net lb1 lb2 rs client; do
		ip netns pids "$(ns $n)" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$(ns $n)" 2>/dev/null
	done
	[ $TESTS_FAILED -eq 0 ] || for f in "$work"/*.log; do echo "--- $f"; tail -20 "$f"; done
	rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$(ns net)"
in_ns net ip link add br0 type bridge
in_ns net ip link set br0 type bridge mcast_snooping 0
in_ns net ip link set br0 up
i=0
for n in lb1 lb2 rs client; do
	i=$((i + 1))
	ip netns add "$(ns $n)"
	ip link add "sy$i" netns "$(ns net)" type veth peer name eth0 netns "$(ns $n)"
	in_ns net ip link set "sy$i" master br0 up
	in_ns "$n" ip link set lo up
	in_ns "$n" ip link set eth0 up
done
in_ns lb1 ip addr add 192.0.2.1/24 dev eth0
in_ns lb2 ip addr add 192.0.2.2/24 dev eth0
in_ns rs ip addr add 192.0.2.10/24 dev eth0
in_ns client ip addr add 192.0.2.100/24 dev eth0
# DR: the real server has the VIP on lo and neither answers nor announces
# ARP for it.
in_ns rs ip addr add 192.0.2.50/32 dev lo
for k in all eth0; do
	in_ns rs sysctl -qw "net.ipv4.conf.$k.arp_ignore=1" "net.ipv4.conf.$k.arp_announce=2"
done
# The same virtual service on both directors, as directord would keep it.
for n in lb1 lb2; do
	in_ns "$n" ipvsadm -A -t 192.0.2.50:80 -s rr
	in_ns "$n" ipvsadm -a -t 192.0.2.50:80 -r 192.0.2.10:80 -g
done

head -c 32 /dev/urandom > "$work/cluster.key"
chmod 600 "$work/cluster.key"
cat > "$work/lvsd.conf" <<CONF
cluster { key-file = "$work/cluster.key"  interval = 100ms  dead-after = 5 }
director lb1 { address = { "192.0.2.1" }  priority = 150 }
director lb2 { address = { "192.0.2.2" }  priority = 100 }
vip www { address = { "192.0.2.50/24" }  interface = "eth0" }
sync { interface = "eth0"  id = 7  transport = multicast }
CONF

start() {  # NODE DAEMON
	mkdir -p "$work/run-$1"
	# Not through in_ns: $! must be the daemon's own pid, for signals.
	ip netns exec "$(ns "$1")" "$builddir/$2/$2" -f "$work/lvsd.conf" -N "$1" -R "$work/run-$1" \
		2>>"$work/$1-$2.log" &
	pids[$1-$2]=$!
}
stop() {  # NODE DAEMON SIGNAL
	kill "-$3" "${pids[$1-$2]}" 2>/dev/null
	wait "${pids[$1-$2]}" 2>/dev/null
	unset "pids[$1-$2]"
}
# What ipvsadm says runs: "backup eth0 7;master eth0 7;".
daemons() {
	in_ns "$1" ipvsadm -L --daemon 2>/dev/null |
		sed -n 's/^\(master\|backup\) sync daemon (mcast=\([^,]*\), syncid=\([0-9]*\).*/\1 \2 \3/p' |
		sort | tr '\n' ';'
}
both="backup eth0 7;master eth0 7;"
backup_only="backup eth0 7;"

echo "# syncd starts the kernel's sync daemons as the roles ask"
for n in lb1 lb2; do start $n heartbeatd; start $n syncd; done
if wait_for 10 eval '[ "$(daemons lb1)" = "$both" ] && [ "$(daemons lb2)" = "$backup_only" ]'; then
	pass "lb1 (holds the VIP) runs master and backup, lb2 the backup only"
else
	fail "sync daemons by role" "lb1: $(daemons lb1)
lb2: $(daemons lb2)"
fi
json=$(in_ns lb1 "$lvsctl" -R "$work/run-lb1" --json status 2>&1)
expect_match "lvsctl status --json says both on lb1" '"sync": \{"state": "both", "transport": "multicast", "interface": "eth0", "syncid": 7, "roles_known": true\}' "$json"
expect_match "lvsctl status on lb2 says backup" '^sync backup +multicast on eth0, syncid 7$' \
	"$(in_ns lb2 "$lvsctl" -R "$work/run-lb2" status 2>&1)"

echo "# syncd restarted: it adopts the daemons it finds"
stop lb1 syncd KILL
from=$(($(wc -l < "$work/lb1-syncd.log") + 1))
start lb1 syncd
wait_for 10 eval 'tail -n +$from "$work/lb1-syncd.log" | grep -q "subscribed to heartbeatd"'
sleep 1
expect_eq "the new syncd runs (the killed one is gone)" 0 "$(kill -0 "${pids[lb1-syncd]}" 2>/dev/null; echo $?)"
expect_eq "after a restart lb1 runs both, neither started nor restarted again" \
	"$both 0" "$(daemons lb1) $(tail -n +$from "$work/lb1-syncd.log" | grep -c 'started\|restarted\|stopped (')"

echo "# a sync daemon stopped by hand is started again"
in_ns lb2 ipvsadm --stop-daemon backup
if wait_for 10 eval '[ "$(daemons lb2)" = "$backup_only" ]'; then
	pass "lb2's backup daemon is back after ipvsadm --stop-daemon"
else
	fail "backup restarted" "$(daemons lb2)"
fi

echo "# an established connection survives the death of the director that holds the VIP"
in_ns rs python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(16)
while True:
    c, _ = s.accept()
    while True:
        d = c.recv(100)
        if not d: break
        c.sendall(d)
    c.close()' 2>"$work/rs.log" &
pids[rs-echo]=$!
in_ns client python3 -c '
import os, socket, sys, time
s = socket.create_connection(("192.0.2.50", 80), timeout=5)
def round_trip(i):
    m = b"ping %d\n" % i
    s.sendall(m)
    got = b""
    while len(got) < len(m):
        d = s.recv(100)
        if not d: raise SystemExit("closed")
        got += d
    assert got == m, got
for i in range(5):
    round_trip(i)
    time.sleep(0.05)
open(sys.argv[1], "w").write("up")
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
for i in range(5, 10):
    round_trip(i)
print("survived")' "$work/client.up" "$work/client.go" >"$work/client.out" 2>&1 &
client=$!
wait_for 10 test -e "$work/client.up" || fail "the client connected through lb1" "$(cat "$work/client.out")"
# The master flushes a partly filled message after about 2 s.
if wait_for 10 eval 'in_ns lb2 ipvsadm -Lnc | grep -q "192.0.2.100:.*192.0.2.50:80 *192.0.2.10:80"'; then
	pass "lb2's table holds the client's connection, synced from lb1"
else
	fail "the connection synced to lb2" "lb2: $(in_ns lb2 ipvsadm -Lnc)"
fi
stop lb1 heartbeatd KILL
stop lb1 syncd KILL
in_ns lb1 ip link set eth0 down
if wait_for 5 eval 'in_ns lb2 ip -4 addr show dev eth0 | grep -q 192.0.2.50'; then
	pass "lb2 took the VIP over"
else
	fail "lb2 takes the VIP" "$(cat "$work/lb2-heartbeatd.log")"
fi
wait_for 5 eval '[ "$(daemons lb2)" = "$both" ]' || fail "lb2 runs the master now" "$(daemons lb2)"
: > "$work/client.go"
wait "$client"
expect_eq "the client's connection carried on through lb2, not reset" survived "$(cat "$work/client.out")"

echo "# lb2's sync interface deleted and made anew: its sync daemons move to the new one"
# The kernel would go on saying the old daemon runs, hearing nothing.
in_ns net ip link del sy2
ip link add sy2 netns "$(ns net)" type veth peer name eth0 netns "$(ns lb2)"
in_ns net ip link set sy2 master br0 up
in_ns lb2 ip link set eth0 up
in_ns lb2 ip addr add 192.0.2.2/24 dev eth0
# lb2, alone now, lets the VIP go while eth0 is away and takes it back:
# its master starts anew anyway; the backup, running all along, must be
# restarted.
if wait_for 15 eval 'grep -q "sync backup restarted .*(its interface was made anew)" "$work/lb2-syncd.log" &&
		[ "$(daemons lb2)" = "$both" ]'; then
	pass "lb2's syncd restarted its backup daemon on the new interface, and runs both"
else
	fail "backup restarted on the new interface" "$(daemons lb2)
$(tail -5 "$work/lb2-syncd.log")"
fi

echo "# a reload naming an interface that does not exist: the kernel's answer, logged"
sed -i 's/interface = "eth0"  id = 7/interface = "nosuch0"  id = 7/' "$work/lvsd.conf"
kill -HUP "${pids[lb2-syncd]}"
if wait_for 10 grep -q 'cannot restart the kernel.s sync backup on nosuch0, .*: No such device' "$work/lb2-syncd.log"; then
	pass "syncd logs the kernel's own error (ENODEV) for a missing interface"
else
	fail "the kernel's error logged" "$(tail -5 "$work/lb2-syncd.log")"
fi

for k in "${!pids[@]}"; do kill -TERM "${pids[$k]}" 2>/dev/null; done
summary
