#!/usr/bin/env bash
# directord + healthd against the kernel's IPVS, inside the test VM
# (tests/vm/vm-run): real servers that fail and recover move in and out of
# the table. Three busybox httpd real servers on local addresses.
#   tests/vm/health.sh BUILDDIR
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

builddir=$(cd "${1:?usage: health.sh BUILDDIR}" && pwd)
directord=$builddir/directord/directord
healthd=$builddir/healthd/healthd
lvsctl=$builddir/lvsctl/lvsctl
[ -x "$directord" ] && [ -x "$healthd" ] || { echo "build first: $healthd"; exit 1; }
[ -e /proc/net/ip_vs ] || { echo "no IPVS in this kernel: run me in tests/vm/vm-run"; exit 1; }

work=$(mktemp -d /tmp/health-test.XXXXXX)
run=$work/run
conf=$work/lvsd.conf
dlog=$work/directord.log
hlog=$work/healthd.log
dpid= hpid=
declare -A server

ip link add lvsh0 type dummy 2>/dev/null && ip link set lvsh0 up
ip addr add 192.0.2.1/24 dev lvsh0
for i in 11 12 13 99; do ip addr add 192.0.2.$i/32 dev lvsh0; done
mkdir -p "$work/www"
echo OK > "$work/www/health"

start_server() {  # N: 192.0.2.N:80
	busybox httpd -f -p "192.0.2.$1:80" -h "$work/www" &
	server[$1]=$!
}
stop_server() { kill "${server[$1]}" 2>/dev/null; wait "${server[$1]}" 2>/dev/null; server[$1]=; }

cat > "$conf" <<'CONF'
reconcile-interval = 1m
virtual web {
  address   = "192.0.2.50:80"
  quiescent = yes
  fallback  = "192.0.2.99:80"
  check { type = http  request = "/health"  interval = 1s  timeout = 500ms  rise = 2  fall = 2 }
  real web1 { address = "192.0.2.11:80"  weight = 1 }
  real web2 { address = "192.0.2.12:80"  weight = 1 }
  real web3 { address = "192.0.2.13:80"  weight = 2 }
}
virtual web-nq {
  address   = "192.0.2.51:80"
  quiescent = no
  fallback  = "192.0.2.99:80"
  check { type = http  request = "/health"  interval = 1s  timeout = 500ms  rise = 2  fall = 2 }
  real web1 { address = "192.0.2.11:80"  weight = 1 }
  real web2 { address = "192.0.2.12:80"  weight = 1 }
  real web3 { address = "192.0.2.13:80"  weight = 2 }
}
CONF

start_healthd() {
	"$healthd" -f "$conf" -R "$run" -N lb1 2>>"$hlog" &
	hpid=$!
	wait_for 20 test -S "$run/healthd.sock"
}
start_directord() {
	"$directord" -f "$conf" -R "$run" -N lb1 2>>"$dlog" &
	dpid=$!
	wait_for 20 "$lvsctl" -R "$run" status
}
stop_pid() { [ -z "$1" ] || { kill -TERM "$1"; wait "$1"; }; }

cleanup() {
	for p in $dpid $hpid "${server[@]}"; do [ -z "$p" ] || kill -KILL "$p" 2>/dev/null; done
	ipvsadm -C
	ip link del lvsh0 2>/dev/null
}
trap cleanup EXIT

# The destinations of a service: "ADDR:PORT WEIGHT", sorted.
dests() { ipvsadm -Sn | awk -v s="$1" '$1 == "-a" && $3 == s { print $5, $NF }' | sort; }
ms_now() { date +%s%3N; }
# wait_dests SERVICE EXPECTED SECONDS: prints the milliseconds it took.
wait_dests() {
	local service=$1 want=$2 start
	start=$(ms_now)
	wait_for "$3" eval '[ "$(dests "$service")" = "$want" ]' || return 1
	echo $(($(ms_now) - start))
}

ipvsadm -C
for i in 11 12 13; do start_server $i; done
for i in 11 12 13; do wait_for 10 sh -c "echo | busybox nc 192.0.2.$i 80"; done

###########################################################################
echo "# cold start: real servers enter the table once their first check passes"
start_directord
expect_eq "cold start before healthd: only the fallback serves" "192.0.2.99:80 1" "$(dests 192.0.2.50:80)"
start_healthd
all_up="192.0.2.11:80 1
192.0.2.12:80 1
192.0.2.13:80 2"
if t=$(wait_dests 192.0.2.50:80 "$all_up" 10); then
	pass "cold start: all three real servers up, fallback gone, ${t} ms after healthd started"
else
	fail "cold start: all three real servers up" "$(ipvsadm -Sn; cat "$hlog" "$dlog")"
fi
expect_eq "cold start: the non-quiescent virtual too" "$all_up" "$(dests 192.0.2.51:80)"
expect_match "healthd runs one check per real server for both virtuals" \
	'starting with .*: 3 checks for 6 real servers' "$(cat "$hlog")"

###########################################################################
echo "# one real server fails: weight 0 (quiescent) or removed"
# fall x interval + timeout = 2.5 s; what the VM adds is measured.
stop_server 12
quiesced="192.0.2.11:80 1
192.0.2.12:80 0
192.0.2.13:80 2"
if t=$(wait_dests 192.0.2.50:80 "$quiesced" 10); then
	if [ "$t" -le 3500 ]; then
		pass "web2 stopped: weight 0 after ${t} ms (fall x interval + timeout = 2500 ms)"
	else
		fail "web2 stopped: weight 0 within fall x interval + timeout + 1 s" "${t} ms"
	fi
else
	fail "web2 stopped: weight 0" "$(ipvsadm -Sn)"
fi
expect_eq "web2 stopped: removed from the non-quiescent virtual" "192.0.2.11:80 1
192.0.2.13:80 2" "$(dests 192.0.2.51:80)"
expect_match "lvsctl status: web2 down with healthd's reason" \
	'real web2 .* down .*weight 0 .*\(http: .*(onnect|refused)' "$("$lvsctl" -R "$run" status)"
expect_match "directord logs the weight change" \
	'virtual web: real server web2 \(192\.0\.2\.12:80\) weight 1 -> 0' "$(cat "$dlog")"

###########################################################################
echo "# every real server fails: the fallback serves"
stop_server 11
stop_server 13
if t=$(wait_dests 192.0.2.51:80 "192.0.2.99:80 1" 10); then
	pass "all stopped: the fallback is the only destination of web-nq after ${t} ms"
else
	fail "all stopped: fallback in web-nq" "$(ipvsadm -Sn)"
fi
expect_eq "all stopped: quiescent web keeps its reals at weight 0 beside the fallback" "192.0.2.11:80 0
192.0.2.12:80 0
192.0.2.13:80 0
192.0.2.99:80 1" "$(dests 192.0.2.50:80)"

###########################################################################
echo "# recovery: rise consecutive passes bring them back, the fallback goes"
for i in 11 12 13; do start_server $i; done
if t=$(wait_dests 192.0.2.51:80 "$all_up" 10); then
	pass "recovered: configured weights restored and fallback removed after ${t} ms"
else
	fail "recovered: weights restored" "$(ipvsadm -Sn)"
fi
expect_eq "recovered: quiescent virtual too" "$all_up" "$(dests 192.0.2.50:80)"

###########################################################################
echo "# a healthd restart changes nothing in IPVS"
before=$(ipvsadm -Sn)
ops_before=$(grep -c 'operations' "$dlog")
stop_pid "$hpid"; hpid=
start_healthd
sleep 4  # past rise and fall
expect_eq "healthd restart: table unchanged" "$before" "$(ipvsadm -Sn)"
expect_eq "healthd restart: directord applied no operation" "$ops_before" "$(grep -c 'operations' "$dlog")"

###########################################################################
echo "# directord restarts while healthd is away: the table stays as it is"
stop_server 13
wait_dests 192.0.2.50:80 "192.0.2.11:80 1
192.0.2.12:80 1
192.0.2.13:80 0" 10 >/dev/null
stop_pid "$hpid"; hpid=
stop_pid "$dpid"; dpid=
before=$(ipvsadm -Sn)
start_directord
sleep 2
expect_eq "directord restart without healthd: table untouched" "$before" "$(ipvsadm -Sn)"
expect_match "directord says healthd is not reachable" 'healthd is not reachable' "$(cat "$dlog")"
start_healthd
# healthd starts from unknown: web3 is still down, the others come up.
sleep 4
expect_eq "healthd back: the same table" "$before" "$(ipvsadm -Sn)"

stop_pid "$dpid"; dpid=
stop_pid "$hpid"; hpid=
summary
