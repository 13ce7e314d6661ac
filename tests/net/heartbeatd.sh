#!/usr/bin/env bash
# heartbeatd: two directors and a client on one bridge, each in its own
# network namespace; the VIP moves when the holder dies, stops or loses
# its link, and comes back with failback.
#   tests/net/heartbeatd.sh BUILDDIR
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

builddir=$(cd "${1:?usage: heartbeatd.sh BUILDDIR}" && pwd)
heartbeatd=$builddir/heartbeatd/heartbeatd
lvsctl=$builddir/lvsctl/lvsctl
[ -x "$heartbeatd" ] || { echo "build first: $heartbeatd"; exit 1; }

P=lvsdhb
work=$(mktemp -d /tmp/lvsd-hb.XXXXXX)
declare -A hpid

ns() { echo "$P-$1"; }
cleanup() {
	for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || kill -KILL "${hpid[$n]}" 2>/dev/null; done
	for n in net lb1 lb2 lb3 client; do
		ip netns pids "$(ns $n)" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$(ns $n)" 2>/dev/null
	done
	[ $TESTS_FAILED -eq 0 ] || for f in "$work"/*.log; do echo "--- $f"; tail -20 "$f"; done
	rm -rf "$work"
}
trap cleanup EXIT

# One bridge in its own namespace; each host gets eth0 on it.
ip netns add "$(ns net)"
ip -n "$(ns net)" link add br0 type bridge
ip -n "$(ns net)" link set br0 up
host() {  # NAME ADDRESS
	ip netns add "$(ns $1)"
	ip -n "$(ns $1)" link set lo up
	ip -n "$(ns net)" link add "$1" type veth peer name eth0 netns "$(ns $1)"
	ip -n "$(ns net)" link set "$1" master br0 up
	ip -n "$(ns $1)" addr add "$2/24" dev eth0
	ip -n "$(ns $1)" link set eth0 up
	ip netns exec "$(ns $1)" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0
}
host lb1 192.0.2.1
host lb2 192.0.2.2
host lb3 192.0.2.3
host client 192.0.2.100

head -c 32 /dev/urandom > "$work/cluster.key"
chmod 600 "$work/cluster.key"
head -c 32 /dev/urandom > "$work/other.key"
chmod 600 "$work/other.key"
write_conf() {  # KEYFILE FAILBACK
	cat > "$work/lvsd.conf" <<-CONF
	cluster {
	  key-file   = "$1"
	  interval   = 20ms
	  dead-after = 3
	  failback   = $2
	}
	director lb1 { address = { "192.0.2.1" }  priority = 150 }
	director lb2 { address = { "192.0.2.2" }  priority = 100 }
	director lb3 { address = { "192.0.2.3" }  priority = 200 }
	vip www {
	  address       = { "192.0.2.50/24", "2001:db8::50/64" }
	  interface     = "eth0"
	  garp-count    = 3
	  garp-interval = 10ms
	}
	CONF
}
write_conf "$work/cluster.key" yes

start() {  # NAME [CONF]
	ip netns exec "$(ns $1)" "$heartbeatd" -f "${2:-$work/lvsd.conf}" -N "$1" -R "$work/run-$1" -l debug \
		2>>"$work/$1.log" &
	hpid[$1]=$!
}
stop() {  # NAME SIGNAL
	kill "-${2:-TERM}" "${hpid[$1]}" 2>/dev/null
	wait "${hpid[$1]}" 2>/dev/null
	local rc=$?
	hpid[$1]=
	return $rc
}
has_vip() { ip -n "$(ns $1)" -o addr show dev eth0 | grep -q ' 192\.0\.2\.50/24'; }
holders() {
	local h=
	for n in lb1 lb2 lb3; do has_vip $n && h="$h $n"; done
	echo "${h# }"
}
# The client's view: who answers for the VIP.
client_sees() {
	ip netns exec "$(ns client)" ip neigh flush dev eth0 >/dev/null 2>&1
	ip netns exec "$(ns client)" ping -c1 -W1 -q 192.0.2.50 >/dev/null 2>&1 || { echo none; return; }
	local mac
	mac=$(ip -n "$(ns client)" neigh show 192.0.2.50 | awk '{ print $5 }')
	for n in lb1 lb2 lb3; do
		[ "$(ip -n "$(ns $n)" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" = "$mac" ] &&
			{ echo $n; return; }
	done
	echo "unknown"
}
ms_now() { date +%s%3N; }
wait_holders() {  # EXPECTED SECONDS: prints the milliseconds it took
	local want=$1 start
	start=$(ms_now)
	wait_for "$2" eval '[ "$(holders)" = "$want" ]' || return 1
	echo $(($(ms_now) - start))
}

echo "# two directors: the higher priority holds the VIP"
start lb1
start lb2
if t=$(wait_holders lb1 5); then pass "lb1 (priority 150) holds the VIP, lb2 does not (${t} ms)"; else
	fail "lb1 holds the VIP" "holders: $(holders)"; fi
expect_eq "the client reaches the VIP at lb1" lb1 "$(client_sees)"
expect_match "IPv6 VIP too" '2001:db8::50/64' "$(ip -n "$(ns lb1)" -o addr show dev eth0)"
st=$("$lvsctl" -R "$work/run-lb1" --json status 2>/dev/null)
expect_match "lvsctl status: lb1 is master of www" '"vips": \[\{"name": "www", "state": "master", "holder": "lb1"' "$st"
expect_match "lvsctl status: lb2 is an alive peer" '\{"name": "lb2", "alive": true, "priority": 100\}' "$st"

echo "# SIGKILL: the backup takes over within the dead time"
before=$(ms_now)
stop lb1 KILL
# lb1's addresses stay behind with it; the question is when lb2 has them.
if wait_for 5 has_vip lb2; then
	t=$(($(ms_now) - before))
	if [ $t -le 300 ]; then pass "lb2 took over ${t} ms after lb1 died (dead time 60 ms)"
	else fail "lb2 took over within 300 ms" "${t} ms"; fi
else
	fail "lb2 takes over" "holders: $(holders)"
fi
expect_match "lb2 logs why" 'vip www: backup -> master' "$(cat "$work/lb2.log")"

echo "# the killed director restarts: it drops what it left behind, then takes the VIP back (failback)"
start lb1
if t=$(wait_holders lb1 5); then pass "failback: lb1 holds the VIP again, alone (${t} ms)"; else
	fail "failback to lb1" "holders: $(holders)"; fi
expect_match "lb1 removed the addresses left by the killed run" 'removing addresses left behind' "$(cat "$work/lb1.log")"
wait_for 2 grep -q 'master -> backup' "$work/lb2.log"
expect_match "lb2 released only after lb1 held it" 'vip www: master -> backup \(lb1 holds it now\)' "$(cat "$work/lb2.log")"

echo "# SIGTERM: a planned stop hands over first"
stop lb1 TERM
expect_eq "SIGTERM: heartbeatd exits 0" 0 $?
expect_eq "after SIGTERM only lb2 holds the VIP" lb2 "$(holders)"
expect_eq "the client reaches the VIP at lb2" lb2 "$(client_sees)"
start lb1
wait_holders lb1 5 >/dev/null

echo "# node death: lb1's link goes down"
ip -n "$(ns net)" link set lb1 down
if wait_for 5 has_vip lb2; then pass "lb2 took over when lb1's link went down"; else
	fail "lb2 takes over on link down" "holders: $(holders)"; fi
expect_eq "the client reaches the VIP at lb2" lb2 "$(client_sees)"
ip -n "$(ns net)" link set lb1 up
if t=$(wait_holders lb1 5); then pass "link back: one holder again, lb1 (${t} ms)"; else
	fail "link back: lb1 alone" "holders: $(holders)"; fi

echo "# a director with the wrong key and a higher priority cannot take the VIP"
write_conf "$work/other.key" yes
cp "$work/lvsd.conf" "$work/other.conf"
write_conf "$work/cluster.key" yes
start lb3 "$work/other.conf"
sleep 1
expect_eq "lb1 keeps the VIP next to a forger of priority 200" lb1 "$(holders | tr ' ' '\n' | grep -v lb3)"
expect_match "the forged heartbeats are dropped, naming the source" \
	'dropped a heartbeat from 192\.0\.2\.3: its MAC does not match' "$(cat "$work/lb1.log")"
stop lb3 TERM

echo "# garbage and truncated packets change nothing"
ip netns exec "$(ns client)" bash -c 'for i in $(seq 200); do head -c $((RANDOM % 200)) /dev/urandom > /dev/udp/192.0.2.1/694; done' 2>/dev/null
sleep 0.3
expect_eq "after 200 garbage packets lb1 still holds the VIP" lb1 "$(holders)"
expect_match "garbage is dropped and counted" 'dropped a heartbeat from 192\.0\.2\.100' "$(cat "$work/lb1.log")"

stop lb1 TERM
stop lb2 TERM
expect_eq "both stopped: nobody holds the VIP" "" "$(holders)"
summary
