#!/usr/bin/env bash
# heartbeatd: two directors and a client on one bridge, each in its own
# network namespace; the VIP moves when the holder dies, stops or loses
# its link, and comes back with failback.
#   tests/net/heartbeatd.sh BUILDDIR
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
NET_PYTHON=/usr/bin/python3

builddir=$(cd "${1:?usage: heartbeatd.sh BUILDDIR}" && pwd)
heartbeatd=$builddir/heartbeatd/heartbeatd
lvsctl=$builddir/lvsctl/lvsctl
[ -x "$heartbeatd" ] || { echo "build first: $heartbeatd"; exit 1; }

P=lvsdhb
work=$(mktemp -d /tmp/lvsd-hb.XXXXXX)
declare -A hpid

ns() { echo "$P-$1"; }
remove_namespaces() {
	for n in net lb1 lb2 lb3 client; do
		ip netns pids "$(ns $n)" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$(ns $n)" 2>/dev/null
	done
}
cleanup() {
	for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || kill -KILL "${hpid[$n]}" 2>/dev/null; done
	remove_namespaces
	[ $TESTS_FAILED -eq 0 ] || for f in "$work"/*.log; do echo "--- $f"; tail -20 "$f"; done
	rm -rf "$work"
}
trap cleanup EXIT

# Whatever an earlier run that was killed left behind.
remove_namespaces
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
write_conf() {  # KEYFILE FAILBACK [MORE-CLUSTER-OPTIONS [MORE-VIP-OPTIONS]]
	cat > "$work/lvsd.conf" <<-CONF
	cluster {
	  key-file   = "$1"
	  interval   = 20ms
	  dead-after = 3
	  failback   = $2
	  ${3:-}
	}
	director lb1 { address = { "192.0.2.1" }  priority = 150 }
	director lb2 { address = { "192.0.2.2" }  priority = 100 }
	director lb3 { address = { "192.0.2.3" }  priority = 200 }
	vip www {
	  address       = { "192.0.2.50/24", "2001:db8::50/64" }
	  interface     = "eth0"
	  garp-count    = 3
	  garp-interval = 10ms
	  ${4:-}
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
# A director dies as a machine does: killed, and the VIP it held gone with
# it (its own address put back, for a later start).
kill_director() {  # NAME
	stop "$1" KILL
	ip -n "$(ns $1)" addr flush dev eth0 scope global
	ip -n "$(ns $1)" addr add "192.0.2.${1#lb}/24" dev eth0
}
# The whole output first: with pipefail, `ip ... | grep -q` fails whenever
# grep's early exit cuts ip off (SIGPIPE), and a VIP would seem absent.
has_vip() {
	local out
	out=$(ip -n "$(ns $1)" -o addr show dev eth0)
	[[ $out == *" 192.0.2.50/24 "* ]]
}
holders() {
	local h=
	for n in lb1 lb2 lb3; do has_vip $n && h="$h $n"; done
	echo "${h# }"
}
# The director whose MAC the client's neighbour entry for the VIP holds.
client_cached() {
	local mac
	mac=$(ip -n "$(ns client)" neigh show 192.0.2.50 | awk '{ print $5 }')
	[ -n "$mac" ] || { echo none; return; }
	for n in lb1 lb2 lb3; do
		[ "$(ip -n "$(ns $n)" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" = "$mac" ] &&
			{ echo $n; return; }
	done
	echo "unknown"
}
# The client's view: who answers for the VIP.
client_sees() {
	ip netns exec "$(ns client)" ip neigh flush dev eth0 >/dev/null 2>&1
	ip netns exec "$(ns client)" ping -c1 -W1 -q 192.0.2.50 >/dev/null 2>&1 || { echo none; return; }
	client_cached
}
ms_now() { date +%s%3N; }
wait_holders() {  # EXPECTED SECONDS: prints the milliseconds it took
	local want=$1 start
	start=$(ms_now)
	wait_for "$2" eval '[ "$(holders)" = "$want" ]' || return 1
	echo $(($(ms_now) - start))
}

# The client's view of an event: it probes the VIP every millisecond
# (vip-probe) for 2.5 s, the event 1.2 s in (a Linux client ignores ARP
# news within 1 s of its last update of the entry). Leaves "GAP-MS LOST
# SENT" in $work/probe.out; returns the event's status.
cc -O2 -I "$here/../../common" -o "$work/vip-probe" "$here/vip-probe.c" "$here/../../common/addr.c" || exit 1
probe_during() {  # EVENT-COMMAND...
	ip netns exec "$(ns client)" "$work/vip-probe" 192.0.2.50 2.5 > "$work/probe.out" &
	local pp=$! rc
	sleep 1.2
	"$@"
	rc=$?
	wait $pp
	return $rc
}
# The outage the client saw, against a bound in ms.
expect_outage() {  # WHAT MAX-MS
	local gap lost sent
	read -r gap lost sent < "$work/probe.out"
	if awk -v g="${gap:-9999}" -v m="$2" 'BEGIN { exit !(g <= m) }'; then
		pass "$1: the client saw an outage of ${gap} ms, $lost of $sent probes lost (bound ${2} ms)"
	else
		fail "$1: the client's outage within ${2} ms" "$(cat "$work/probe.out")"
	fi
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
expect_match "lvsctl status: the node is heartbeatd's name for itself" '^\{"node": "lb1"' "$st"
mkdir -p "$work/run-none"
"$lvsctl" -R "$work/run-none" -f "$work/lvsd.conf" status >/dev/null 2>"$work/status.err"
expect_eq "lvsctl status with no daemon running exits 3" 3 $?
expect_match "and says heartbeatd is away though the configuration has VIP groups" \
	'heartbeatd is not running at .*run-none, though .* has work for it' "$(cat "$work/status.err")"
expect_no_match "but not healthd, which has no virtual services to check here" 'healthd is not running' \
	"$(cat "$work/status.err")"

echo "# SIGKILL: the backup takes over within the dead time"
probe_during stop lb1 KILL
# lb1's addresses stay behind with it, but the client follows lb2's
# announcement: dead time 60 ms, plus a heartbeat, plus slack for a busy host.
if has_vip lb2; then pass "lb2 holds the VIP after lb1 was killed"; else
	fail "lb2 takes over" "holders: $(holders)"; fi
expect_outage "SIGKILL" 200
expect_match "lb2 logs why" 'vip www: backup -> master' "$(cat "$work/lb2.log")"

echo "# the killed director restarts: it drops what it left behind, then takes the VIP back (failback)"
start lb1
if t=$(wait_holders lb1 5); then pass "failback: lb1 holds the VIP again, alone (${t} ms)"; else
	fail "failback to lb1" "holders: $(holders)"; fi
expect_match "lb1 removed the addresses left by the killed run" 'removing addresses left behind' "$(cat "$work/lb1.log")"
wait_for 2 grep -q 'master -> backup' "$work/lb2.log"
expect_match "lb2 released only after lb1 held it" 'vip www: master -> backup \(lb1 holds it now\)' "$(cat "$work/lb2.log")"

echo "# SIGTERM: a planned stop hands over first"
probe_during stop lb1 TERM
expect_eq "SIGTERM: heartbeatd exits 0" 0 $?
read -r _ lost _ < "$work/probe.out"
if [ "${lost:-99}" -le 1 ]; then pass "SIGTERM: the client lost $lost probe(s) of 1 ms"; else
	fail "SIGTERM: the client loses at most one probe" "$(cat "$work/probe.out")"; fi
expect_eq "after SIGTERM only lb2 holds the VIP" lb2 "$(holders)"
expect_eq "the client reaches the VIP at lb2" lb2 "$(client_sees)"
start lb1
wait_holders lb1 5 >/dev/null

echo "# node death: lb1's link goes down"
probe_during ip -n "$(ns net)" link set lb1 down
if has_vip lb2; then pass "lb2 took over when lb1's link went down"; else
	fail "lb2 takes over on link down" "holders: $(holders)"; fi
expect_outage "node death" 200
expect_eq "the client reaches the VIP at lb2" lb2 "$(client_sees)"
ip -n "$(ns net)" link set lb1 up
if t=$(wait_holders lb1 5); then pass "link back: one holder again, lb1 (${t} ms)"; else
	fail "link back: lb1 alone" "holders: $(holders)"; fi

echo "# an address of the group removed by hand from the holder comes back"
ip -n "$(ns lb1)" addr del 192.0.2.50/24 dev eth0
if wait_for 3 has_vip lb1; then pass "the removed VIP address is back at lb1 within a second or so"; else
	fail "removed VIP address restored" "holders: $(holders)"; fi
expect_match "and the repair is logged" 'vip www: an address of the group is missing here; adding it again' \
	"$(cat "$work/lb1.log")"

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

restart_all() {  # NAMES...: (re)start with the current lvsd.conf, lb1 first
	for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || stop $n TERM; done
	for n in "$@"; do start $n; sleep 0.05; done
}

echo "# lvsctl takeover and release: planned moves by hand, nothing lost"
write_conf "$work/cluster.key" yes
restart_all lb1 lb2
wait_holders lb1 5 >/dev/null
"$lvsctl" -R "$work/run-lb2" takeover www
expect_eq "lvsctl takeover exits 0" 0 $?
if wait_holders lb2 5 >/dev/null; then pass "takeover: lb2 holds www despite lb1's priority"; else
	fail "takeover: lb2 holds www" "holders: $(holders)"; fi
# A takeover told to lb1 after lb2's: the newest word goes.
"$lvsctl" -R "$work/run-lb1" takeover www
if wait_holders lb1 5 >/dev/null; then pass "takeover at lb1 after lb2's: lb1 holds www"; else
	fail "the newest takeover goes" "holders: $(holders)"; fi
"$lvsctl" -R "$work/run-lb2" takeover www
if wait_holders lb2 5 >/dev/null; then pass "and lb2's takeover again after it: lb2 holds www"; else
	fail "the newest takeover goes (again)" "holders: $(holders)"; fi
"$lvsctl" -R "$work/run-lb2" release
expect_eq "lvsctl release exits 0" 0 $?
if wait_holders lb1 5 >/dev/null; then pass "release: lb1 holds www again"; else
	fail "release: lb1 holds www" "holders: $(holders)"; fi
# lb1 released www too, then lb2 dies: lb1 holds it rather than nobody.
"$lvsctl" -R "$work/run-lb1" release www
if wait_holders lb2 5 >/dev/null; then pass "release at lb1 (lb2 had released it before): lb2 holds www"; else
	fail "release at lb1: lb2 holds www" "holders: $(holders)"; fi
kill_director lb2
if wait_holders lb1 5 >/dev/null; then pass "lb2 dies: lb1, which released www, holds it rather than nobody"; else
	fail "released, but the last director left holds it" "holders: $(holders)"; fi
restart_all lb1 lb2
wait_holders lb1 5 >/dev/null
"$lvsctl" -R "$work/run-lb2" takeover nosuchgroup 2>/dev/null
expect_eq "takeover of an unknown group exits 1" 1 $?
stop lb2 TERM
"$lvsctl" -R "$work/run-lb1" release 2>"$work/release.err"
expect_eq "release with no peer to take it is refused (exit 1)" 1 $?
expect_match "and says why" 'no peer is alive' "$(cat "$work/release.err")"
wait_for 2 eval '[ "$(holders)" = lb1 ]'
expect_eq "the VIP stays at lb1" lb1 "$(holders)"
stop lb1 TERM

echo "# failback off: the returning higher priority director stays backup"
write_conf "$work/cluster.key" no
restart_all lb2
wait_holders lb2 5 >/dev/null
start lb1
sleep 1
wait_for 2 eval '[ "$(holders)" = lb2 ]'
expect_eq "failback = no: lb2 keeps the VIP after lb1 (priority 150) is back" lb2 "$(holders)"
[ "$(holders)" = lb2 ] || { echo "lb1:"; tail -12 "$work/lb1.log"; echo "lb2:"; tail -12 "$work/lb2.log"; }

echo "# failback delay: lb1 takes it back only after failback-delay"
write_conf "$work/cluster.key" yes "failback-delay = 1s"
restart_all lb2
wait_holders lb2 5 >/dev/null
start lb1
sleep 0.5
expect_eq "failback-delay 1s: after 0.5 s lb2 still holds the VIP" lb2 "$(holders)"
if t=$(wait_holders lb1 5); then pass "failback-delay 1s: then lb1 takes it back"; else
	fail "failback-delay: lb1 takes it back" "holders: $(holders)"; fi

echo "# preferred: lb2 holds the group whenever it can, despite priorities"
write_conf "$work/cluster.key" no "" 'preferred = "lb2"'
restart_all lb1 lb2
if wait_holders lb2 5 >/dev/null; then pass "preferred = lb2 holds the VIP next to lb1 (priority 150)"; else
	fail "preferred lb2 holds the VIP" "holders: $(holders)"; fi

echo "# three directors: the highest priority of those alive"
write_conf "$work/cluster.key" yes
restart_all lb1 lb2 lb3
if wait_holders lb3 5 >/dev/null; then pass "three directors: lb3 (priority 200) holds the VIP"; else
	fail "three directors: lb3 holds the VIP" "holders: $(holders)"; fi
kill_director lb3
if wait_holders lb1 5 >/dev/null; then pass "three directors: lb3 killed, lb1 (150) takes over, not lb2 (100)"; else
	fail "three directors: lb1 takes over from lb3" "holders: $(holders)"; fi

echo "# neighbour advertisements (RFC 4861): hop limit 255, override; router when forwarding"
# Prints "HOPLIMIT FLAGS" of each unsolicited NA for the VIP the client sees in 2.5 s.
sniff_na() {
	ip netns exec "$(ns client)" "$NET_PYTHON" - <<-'PY'
		import socket, time
		s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x86dd))
		s.bind(("eth0", 0)); s.settimeout(0.2)
		target = socket.inet_pton(socket.AF_INET6, "2001:db8::50")
		end = time.time() + 2.5
		while time.time() < end:
		    try:
		        p = s.recv(2048)
		    except socket.timeout:
		        continue
		    # IPv6 header: next header 58 (ICMPv6); ICMPv6 type 136 (NA).
		    if len(p) >= 64 and p[6] == 58 and p[40] == 136 and p[48:64] == target:
		        print(p[7], "%02x" % p[44])
	PY
}
# The NAs lb1 sends when it starts alone, into na.out: "HOPLIMIT FLAGS".
capture_nas_of_lb1() {
	local sniffer
	sniff_na > "$work/na.out" &
	sniffer=$!
	sleep 0.3
	start lb1
	wait $sniffer
	stop lb1 TERM
}
for n in lb1 lb2; do [ -z "${hpid[$n]:-}" ] || stop $n TERM; done
capture_nas_of_lb1
expect_match "unsolicited NAs: hop limit 255, override, not a router (flags 20)" '^255 20$' "$(head -1 "$work/na.out")"
ip netns exec "$(ns lb1)" sysctl -qw net.ipv6.conf.eth0.forwarding=1
capture_nas_of_lb1
ip netns exec "$(ns lb1)" sysctl -qw net.ipv6.conf.eth0.forwarding=0
expect_match "with IPv6 forwarding on eth0: router and override (flags a0)" '^255 a0$' "$(head -1 "$work/na.out")"

echo "# the VIP's interface goes down on the holder: fault, the peer takes over"
restart_all lb1 lb2
wait_holders lb1 5 >/dev/null
ip -n "$(ns lb1)" link set eth0 down
if wait_for 5 has_vip lb2; then pass "lb1's eth0 down: lb2 took over"; else
	fail "interface down: lb2 takes over" "holders: $(holders)"; fi
expect_match "lb1 reports fault" 'vip www: master -> fault' "$(cat "$work/lb1.log")"
ip -n "$(ns lb1)" link set eth0 up
ip -n "$(ns lb1)" addr add 192.0.2.1/24 dev eth0 2>/dev/null
wait_holders lb1 5 >/dev/null && pass "eth0 back: lb1 holds the VIP again" || fail "eth0 back: lb1 again" "holders: $(holders)"

echo "# one group's interface down: that group moves, the other stays"
# A second group on an interface of its own: one end of a veth pair kept
# inside the director, its state set by hand (this kernel has no dummy).
for n in lb1 lb2; do
	ip -n "$(ns $n)" link add dum0 type veth peer name dum0p
	ip -n "$(ns $n)" link set dum0p up
	ip -n "$(ns $n)" link set dum0 up
done
write_conf "$work/cluster.key" yes
cat >> "$work/lvsd.conf" <<-'CONF'
	vip gw { address = { "198.51.100.1/24" }  interface = "dum0"  garp-count = 1 }
CONF
restart_all lb1 lb2
has_gw() { local out; out=$(ip -n "$(ns $1)" -o addr show dev dum0); [[ $out == *" 198.51.100.1/24 "* ]]; }
wait_holders lb1 5 >/dev/null && wait_for 5 has_gw lb1 ||
	fail "two groups: lb1 holds both" "holders: $(holders)"
ip -n "$(ns lb1)" link set dum0 down
if wait_for 5 has_gw lb2; then pass "lb1's dum0 down: lb2 took group gw"; else
	fail "one interface down: lb2 takes its group" "gw on lb2: no"; fi
# Long enough for a split brain to show: lb2 judged lb1 unfit for every
# group when any of lb1's interfaces was down, while lb1 kept www.
sleep 0.5
expect_eq "lb1's dum0 down: www stays on lb1 alone, no second holder" lb1 "$(holders)"
ip -n "$(ns lb1)" link set dum0 up
# Taken before let go (the handover): lb2 lets go once it hears lb1 hold it.
if wait_for 5 eval 'has_gw lb1 && ! has_gw lb2'; then pass "dum0 back: lb1 takes gw back"; else
	fail "dum0 back: lb1 takes gw back" "gw on lb1: $(has_gw lb1 && echo yes || echo no)"; fi
for n in lb1 lb2; do ip -n "$(ns $n)" link del dum0; done
write_conf "$work/cluster.key" yes

echo "# ping node lost: a director that reaches none while its peer does is unfit"
write_conf "$work/cluster.key" yes 'ping = { "192.0.2.100" }'
restart_all lb1 lb2
wait_holders lb1 5 >/dev/null
ip netns exec "$(ns lb1)" nft -f - <<-'NFT'
	table inet pingtest {
		chain out { type filter hook output priority 0; ip daddr 192.0.2.100 icmp type echo-request drop; }
	}
NFT
if t=$(wait_holders lb2 5); then pass "lb1 lost its ping node: lb2 holds the VIP (${t} ms)"; else
	fail "ping node lost: lb2 takes over" "holders: $(holders)"; fi
ip netns exec "$(ns lb1)" nft delete table inet pingtest
if wait_holders lb1 5 >/dev/null; then pass "ping node back: lb1 takes the VIP back"; else
	fail "ping node back: lb1" "holders: $(holders)"; fi

echo "# partition and heal: two holders, then one"
write_conf "$work/cluster.key" yes
restart_all lb1 lb2
wait_holders lb1 5 >/dev/null
# The client knows lb1's MAC for the VIP, a second before the partition: a
# Linux client takes ARP news about an entry only after locktime (1 s).
expect_eq "partition: the client's entry for the VIP is lb1's" lb1 "$(client_sees)"
sleep 1.2
# The directors stop hearing each other; the client still reaches both.
for pair in "lb1 192.0.2.2" "lb2 192.0.2.1"; do
	set -- $pair
	ip netns exec "$(ns $1)" nft -f - <<-NFT
		table inet partition {
			chain in { type filter hook input priority 0; ip saddr $2 udp dport 694 drop; }
		}
	NFT
done
if wait_holders "lb1 lb2" 5 >/dev/null; then pass "partition: both hold the VIP (split brain)"; else
	fail "partition: both hold" "holders: $(holders)"; fi
# lb2's gratuitous ARPs moved the client's entry to lb2.
if wait_for 2 eval '[ "$(client_cached)" = lb2 ]'; then pass "partition: the client's entry follows lb2's announcement"; else
	fail "partition: client entry" "the client's entry is $(client_cached)'s"; fi
sleep 1.2
for n in lb1 lb2; do ip netns exec "$(ns $n)" nft delete table inet partition; done
if t=$(wait_holders lb1 5); then pass "healed: the loser let go, lb1 alone holds the VIP (${t} ms)"; else
	fail "healed: one holder" "holders: $(holders)"; fi
# The winner announces again: the client's entry (not flushed) is lb1's
# at once, not when it next goes stale, tens of seconds later.
if wait_for 1 eval '[ "$(client_cached)" = lb1 ]'; then pass "healed: lb1 announced the VIP again; the client's entry is lb1's"; else
	fail "healed: the winner announces again" "the client's entry is $(client_cached)'s"; fi
expect_eq "healed: the client reaches lb1" lb1 "$(client_sees)"

echo "# a replay of lb1's heartbeats after it died does not hold off the takeover"
capture=$work/lb1-heartbeats.bin
ip netns exec "$(ns lb2)" "$NET_PYTHON" - "$capture" <<-'PY' &
	import socket, sys, time
	# Sniff lb1's heartbeats to lb2 on lb2's eth0 for 1 s: the frames an
	# attacker on the link would record.
	s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
	s.bind(("eth0", 0)); s.settimeout(0.2)
	frames, end = [], time.time() + 1
	while time.time() < end:
	    try:
	        f = s.recv(2048)
	    except socket.timeout:
	        continue
	    if f[9] == 17 and f[12:16] == bytes([192, 0, 2, 1]) and f[22:24] == (694).to_bytes(2, "big"):
	        frames.append(f)
	open(sys.argv[1], "wb").write(b"".join(len(f).to_bytes(2, "big") + f for f in frames))
PY
sniffer=$!
wait $sniffer
# Let lb1 send more heartbeats (75 at 20 ms) than the window of recent
# sequence numbers (64), so that every replayed one is older than it.
sleep 1.5
before=$(ms_now)
stop lb1 KILL
# Replay them from the client, as lb1 (raw IP, lb1's source address), all the while.
ip netns exec "$(ns client)" "$NET_PYTHON" - "$capture" <<-'PY' &
	import socket, sys, time
	data = open(sys.argv[1], "rb").read()
	frames, i = [], 0
	while i < len(data):
	    n = int.from_bytes(data[i:i + 2], "big"); f = bytearray(data[i + 2:i + 2 + n]); i += 2 + n
	    # Captured on a veth, the UDP checksum is still the offloaded
	    # partial one: send none (allowed for UDP over IPv4), as an
	    # attacker would fix it.
	    f[26:28] = b"\0\0"
	    frames.append(bytes(f))
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
	end = time.time() + 2
	while time.time() < end:
	    for f in frames:
	        s.sendto(f, ("192.0.2.2", 0)); time.sleep(0.002)
PY
replayer=$!
if wait_for 5 has_vip lb2; then
	t=$(($(ms_now) - before))
	[ $t -le 500 ] && pass "replayed heartbeats ($(($(stat -c %s "$capture") / 60)) or so) did not hold off lb2: took over in ${t} ms" ||
		fail "replay: takeover within 500 ms" "${t} ms"
else
	fail "replay: lb2 takes over" "holders: $(holders)"
fi
wait $replayer
expect_match "the replayed heartbeats are dropped as old" 'dropped a heartbeat from 192\.0\.2\.1: an old sequence number' "$(cat "$work/lb2.log")"

echo "# --release-vips: what a killed heartbeatd left is removed (systemd ExecStopPost)"
# What a heartbeatd killed while holding the group leaves behind.
ip -n "$(ns lb1)" addr replace 192.0.2.50/24 dev eth0
ip -n "$(ns lb1)" addr replace 2001:db8::50/64 dev eth0 nodad
ip netns exec "$(ns lb1)" "$heartbeatd" --release-vips -f "$work/lvsd.conf" -N lb1 2>>"$work/lb1.log"
expect_eq "--release-vips exits 0" 0 $?
expect_eq "--release-vips: lb1 no longer has the VIP" no "$(has_vip lb1 && echo yes || echo no)"
expect_no_match "--release-vips: nor its IPv6 address" '2001:db8::50/64' "$(ip -n "$(ns lb1)" -o addr show dev eth0)"

echo "# SIGHUP: a reload applies the new configuration and lets go of nothing that stays"
for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || stop $n TERM; done
reload_conf() {  # LB1-PRIORITY INTERVAL [API-ADDRESS [PING-NODE]]
	local ping=
	[ -z "${4:-}" ] || ping="ping = { \"$4\" }"
	cat > "$work/reload.conf" <<-CONF
	cluster { key-file = "$work/cluster.key"  interval = $2  dead-after = 3  failback = yes  $ping }
	director lb1 { address = { "192.0.2.1" }  priority = $1 }
	director lb2 { address = { "192.0.2.2" }  priority = 100 }
	vip www { address = { "192.0.2.50/24" }  interface = "eth0" }
	CONF
	[ -z "${3:-}" ] || echo "vip api { address = { \"$3\" }  interface = \"eth0\" }" >> "$work/reload.conf"
}
has_addr() {  # NAME ADDRESS/PREFIX
	local out
	out=$(ip -n "$(ns $1)" -o addr show dev eth0)
	[[ $out == *" $2 "* ]]
}
reload_both() {
	kill -HUP "${hpid[lb1]}" "${hpid[lb2]}"
	wait_for 5 eval '[ "$(grep -c "configuration reloaded" "$work/lb1.log")" -gt "$1" ] &&
		[ "$(grep -c "configuration reloaded" "$work/lb2.log")" -gt "$2" ]'
}
reloads() { grep -c "configuration reloaded" "$work/$1.log"; }
reload_conf 150 20ms
start lb1 "$work/reload.conf"
start lb2 "$work/reload.conf"
# Started together, lb2 may hold the VIP until lb1 has listened a dead time.
wait_holders lb1 5 >/dev/null || fail "reload scenario: lb1 holds the VIP" "holders: $(holders)"
sleep 0.3
changes() { cat "$work/lb1.log" "$work/lb2.log" | grep -c -- '-> master\|master ->'; }
before_changes=$(changes)
cp "$work/reload.conf" "$work/reload.good"
printf 'log-level = loud\n' >> "$work/reload.conf"
kill -HUP "${hpid[lb1]}"
wait_for 5 grep -q "reload rejected" "$work/lb1.log"
expect_match "an invalid reload is rejected, naming file and line" "reload.conf:5: .*log-level" "$(cat "$work/lb1.log")"
sleep 0.3
expect_eq "after the invalid reload lb1 still holds the VIP, nothing moved" "lb1 $before_changes" \
	"$(holders) $(changes)"
expect_eq "and heartbeatd is still running" 0 "$(kill -0 "${hpid[lb1]}" 2>/dev/null; echo $?)"
out=$("$lvsctl" -R "$work/run-lb1" reload 2>&1)
expect_eq "lvsctl reload of the invalid file exits 1" 1 $?
expect_match "and says why, with FILE:LINE" "heartbeatd: reload rejected, the running configuration kept: .*reload.conf:5: " "$out"
cp "$work/reload.good" "$work/reload.conf"
out=$("$lvsctl" -R "$work/run-lb1" reload 2>&1)
expect_eq "lvsctl reload of the good file: heartbeatd took it" "0 heartbeatd: configuration reloaded" "$? $out"

r1=$(reloads lb1) r2=$(reloads lb2)
reload_conf 150 20ms 192.0.2.60/24
reload_both "$r1" "$r2"
if wait_for 3 has_addr lb1 192.0.2.60/24; then pass "a group added by a reload is taken by the holder"
else fail "a group added by a reload is taken" "$(ip -n "$(ns lb1)" -o addr show dev eth0)"; fi
expect_eq "the group that stayed was not let go" "$before_changes" "$(($(changes) - 1))"

r1=$(reloads lb1) r2=$(reloads lb2)
reload_conf 150 20ms 192.0.2.61/24
reload_both "$r1" "$r2"
wait_for 3 has_addr lb1 192.0.2.61/24
expect_eq "a reload that changes a held group's address moves it: new there, old gone" "yes no" \
	"$(has_addr lb1 192.0.2.61/24 && echo yes || echo no) $(has_addr lb1 192.0.2.60/24 && echo yes || echo no)"

r1=$(reloads lb1) r2=$(reloads lb2)
deaths_from1=$(($(wc -l < "$work/lb1.log") + 1)) deaths_from2=$(($(wc -l < "$work/lb2.log") + 1))
reload_conf 150 5ms
# One director after the other, as a rollout does: for half a second lb2
# expects heartbeats every 5 ms while lb1 still sends them every 20 ms.
kill -HUP "${hpid[lb2]}"
sleep 0.5
kill -HUP "${hpid[lb1]}"
wait_for 5 eval '[ "$(reloads lb1)" -gt "$r1" ] && [ "$(reloads lb2)" -gt "$r2" ]'
wait_for 3 eval '! has_addr lb1 192.0.2.61/24'
expect_eq "a group removed by a reload: its address is removed, www stays" "no lb1" \
	"$(has_addr lb1 192.0.2.61/24 && echo yes || echo no) $(holders)"
sleep 0.5
expect_no_match "a new interval (20 ms to 5 ms), reloaded a director at a time: no peer declared dead" 'is dead' \
	"$(tail -n +"$deaths_from1" "$work/lb1.log"; tail -n +"$deaths_from2" "$work/lb2.log")"
expect_eq "and the VIP stays with lb1" lb1 "$(holders)"

r1=$(reloads lb1) r2=$(reloads lb2)
changes_before=$(changes)
reload_conf 150 5ms "" 192.0.2.100
kill -HUP "${hpid[lb2]}"
sleep 0.5
kill -HUP "${hpid[lb1]}"
wait_for 5 eval '[ "$(reloads lb1)" -gt "$r1" ] && [ "$(reloads lb2)" -gt "$r2" ]'
sleep 0.5
expect_eq "new ping nodes by a reload, lb2 first: lb1 keeps the VIP while its first answers come" \
	"lb1 $changes_before" "$(holders) $(changes)"

r1=$(reloads lb1) r2=$(reloads lb2)
reload_conf 50 5ms
reload_both "$r1" "$r2"
if t=$(wait_holders lb2 3); then pass "a reload lowering lb1's priority below lb2's moves the VIP to lb2 (${t} ms)"
else fail "lower priority by reload: lb2 takes the VIP" "holders: $(holders)"; fi
expect_match "lb1 handed it over" 'vip www: master -> backup \(lb2 holds it now\)' "$(cat "$work/lb1.log")"

echo "# multicast: heartbeats to the group of each link's family, and the VIP still moves"
for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || stop $n TERM; done
ip -n "$(ns lb1)" addr add 2001:db8::1/64 dev eth0 nodad
ip -n "$(ns lb2)" addr add 2001:db8::2/64 dev eth0 nodad
cat > "$work/multicast.conf" <<-CONF
	cluster {
	  key-file = "$work/cluster.key"  interval = 20ms  dead-after = 3
	  multicast = { "224.0.0.94", "ff02::94" }
	}
	director lb1 { address = { "192.0.2.1", "2001:db8::1" }  priority = 150 }
	director lb2 { address = { "192.0.2.2", "2001:db8::2" }  priority = 100 }
	vip www { address = { "192.0.2.50/24" }  interface = "eth0" }
CONF
ip netns exec "$(ns lb2)" nft -f - <<-'NFT'
	table inet heard {
		chain in {
			type filter hook input priority 0;
			ip daddr 224.0.0.94 udp dport 694 counter
			ip6 daddr ff02::94 udp dport 694 counter
			ip daddr 192.0.2.2 udp dport 694 counter
			ip6 daddr 2001:db8::2 udp dport 694 counter
		}
	}
NFT
from1=$(($(wc -l < "$work/lb1.log") + 1)) from2=$(($(wc -l < "$work/lb2.log") + 1))
start lb1 "$work/multicast.conf"
start lb2 "$work/multicast.conf"
if t=$(wait_holders lb1 5); then pass "multicast: lb1 holds the VIP, lb2 is backup (${t} ms)"
else fail "multicast: lb1 holds the VIP" "holders: $(holders)"; fi
sleep 0.5
heard=$(ip netns exec "$(ns lb2)" nft list table inet heard | grep -o 'packets [0-9]*' | awk '{ printf "%s ", $2 }')
read -r v4group v6group v4unicast v6unicast <<<"$heard"
if [ "${v4group:-0}" -ge 20 ] && [ "${v6group:-0}" -ge 20 ] && [ "$v4unicast" = 0 ] && [ "$v6unicast" = 0 ]; then
	pass "multicast: lb2 hears heartbeats on both groups ($v4group to 224.0.0.94, $v6group to ff02::94), none unicast"
else
	fail "multicast: heartbeats go to the groups, not unicast" "224.0.0.94, ff02::94, unicast v4, v6: $heard"
fi
st=$("$lvsctl" -R "$work/run-lb2" --json status 2>/dev/null)
expect_match "multicast: lb2 sees lb1 alive" '\{"name": "lb1", "alive": true, "priority": 150\}' "$st"
expect_no_match "multicast: nothing dropped, not even a director's own heartbeat" 'dropped a heartbeat' \
	"$(tail -n +"$from1" "$work/lb1.log"; tail -n +"$from2" "$work/lb2.log")"
before=$(ms_now)
stop lb1 KILL
if wait_for 5 has_vip lb2; then pass "multicast: lb1 killed, lb2 took over in $(($(ms_now) - before)) ms"
else fail "multicast: lb2 takes over" "holders: $(holders)"; fi

echo "# a clock stepped back since the last run: a restarted director is still newer than it"
for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || stop $n TERM; done
write_conf "$work/cluster.key" yes
# lb1's last run started with a clock an hour ahead, since stepped back:
# its peers know it by that epoch, and refuse anything older.
mkdir -p "$work/run-lb1"
ahead=$(( ($(date +%s) + 3600) * 1000000 ))
echo "$ahead" > "$work/run-lb1/heartbeatd.epoch"
from1=$(($(wc -l < "$work/lb1.log") + 1))
start lb1
sleep 0.3
start lb2
wait_holders lb1 5 >/dev/null
expect_eq "a run after one that started on a clock ahead takes an epoch past it" "$((ahead + 1))" \
	"$(cat "$work/run-lb1/heartbeatd.epoch")"
expect_match "and says so" 'the clock is behind the previous run' "$(tail -n +"$from1" "$work/lb1.log")"
stop lb1 KILL
sleep 0.3
from2=$(($(wc -l < "$work/lb2.log") + 1))
start lb1
wait_for 2 eval '[ "$(cat "$work/run-lb1/heartbeatd.epoch")" = "$((ahead + 2))" ]'
expect_eq "the next run: past that one again" "$((ahead + 2))" "$(cat "$work/run-lb1/heartbeatd.epoch")"
if t=$(wait_holders lb1 5); then pass "lb1 restarted with its clock behind its last start: heard, holds the VIP alone (${t} ms)"
else fail "restart behind the last epoch: lb1 alone holds the VIP" "holders: $(holders)"; fi
expect_no_match "and lb2 took none of its heartbeats for replays" 'old sequence number' \
	"$(tail -n +"$from2" "$work/lb2.log")"

echo "# a backup judges its peer by the newest heartbeat queued, however many are"
# At 1 ms the point is a queue longer than the socket holds; a 6 ms dead
# time would also make any 6 ms stall of this shared machine (seen under
# ASan) a real death, so that case gets 20 heartbeats.
for interval in 20ms 2ms 1ms; do
	for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || stop $n TERM; done
	dead_after=6
	[ "$interval" != 1ms ] || dead_after=20
	cat > "$work/stall.conf" <<-CONF
	cluster { key-file = "$work/cluster.key"  interval = $interval  dead-after = $dead_after  realtime = yes }
	director lb1 { address = { "192.0.2.1" }  priority = 150 }
	director lb2 { address = { "192.0.2.2" }  priority = 100 }
	vip www { address = { "192.0.2.50/24" }  interface = "eth0" }
	CONF
	start lb1 "$work/stall.conf"
	wait_holders lb1 5 >/dev/null
	# Between binding its links and its first tick (locking its memory
	# takes a while) a starting backup has heartbeats queued: it must
	# neither take lb1 for dead nor take the VIP.
	from2=$(($(wc -l < "$work/lb2.log") + 1))
	start lb2 "$work/stall.conf"
	sleep 1
	expect_no_match "interval $interval: a backup starting while lb1 holds the VIP takes lb1 for alive, takes nothing" \
		'is dead|-> master' "$(tail -n +"$from2" "$work/lb2.log")"
	from2=$(($(wc -l < "$work/lb2.log") + 1))
	# Stopped for many dead times: heartbeats queue up meanwhile, at 1 ms
	# more than the socket has room for (the newest are dropped).
	kill -STOP "${hpid[lb2]}"
	sleep 1
	kill -CONT "${hpid[lb2]}"
	sleep 0.5
	expect_no_match "interval $interval: a backup stopped 1 s and resumed takes lb1 for alive, takes nothing" \
		'is dead|-> master' "$(tail -n +"$from2" "$work/lb2.log")"
done

for n in lb1 lb2 lb3; do [ -z "${hpid[$n]:-}" ] || stop $n TERM; done
summary
