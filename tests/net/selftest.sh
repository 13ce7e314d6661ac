#!/usr/bin/env bash
# Proves tests/net/netlib.sh: every server it starts answers as documented,
# checked from the director namespace with Debian's own clients.
#   bash tests/net/selftest.sh        (root; scripts/install-deps net)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
. "$here/netlib.sh"

for tool in ip nft nginx dnsmasq curl dig nc ping openssl ss; do
	command -v "$tool" >/dev/null || { echo "missing $tool: scripts/install-deps net"; exit 1; }
done
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { echo "missing python3-aiosmtpd"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 1; }

prefix=lvsnet$$
D() { net_run_dir "$@"; }
# curl from the director: "CODE BYTES" (CODE 000 when nothing came back).
fetch() { D curl -s -o /dev/null -w '%{http_code} %{size_download}' "$@"; }
body() { D curl -s "$@"; }
curl_rc() { D curl -s -o /dev/null "$@"; echo $?; }
smtp_talk() { printf '%b' "$2" | D timeout 5 nc -w 2 "$1" "${3:-25}" | tr -d '\r'; }
pings() { D ping -c 1 -W 0.5 "$1" >/dev/null 2>&1 && echo up || echo down; }
# "open", "refused" or "timeout", by nc's exit and time.
tcp_state() {
	local start end
	start=$(date +%s%N)
	if D nc -z -w 1 "$1" "$2" 2>/dev/null; then echo open; return; fi
	end=$(date +%s%N)
	if [ $(((end - start) / 1000000)) -ge 900 ]; then echo timeout; else echo refused; fi
}

###########################################################################
echo "# namespaces"
net_setup "$prefix" || { echo "net_setup failed"; exit 1; }
net_setup "$prefix" || { echo "net_setup failed a second time"; exit 1; }
expect_eq "net_setup makes two namespaces, once" "$prefix-dir
$prefix-srv" "$(ip netns list | awk '{print $1}' | grep -x "$prefix-.*" | sort)"
expect_match "director has 192.0.2.1/24" 'inet 192\.0\.2\.1/24' "$(D ip -o addr show lvs0)"
expect_match "director has 2001:db8::1/64" 'inet6 2001:db8::1/64' "$(D ip -o addr show lvs0)"
expect_match "director routes 198.18.0.0/15 to the servers" '^198\.18\.0\.0/15 via 192\.0\.2\.254' "$(D ip route)"
expect_eq "gateway answers ping" up "$(pings "$NET_SRV_GW")"
expect_eq "gateway answers ping6" up "$(pings "$NET_SRV_GW6")"
expect_eq "an address no one has is down" down "$(pings 192.0.2.99)"
[ -s "$NET_CA_FILE" ] && pass "CA in \$NET_CA_FILE" || fail "CA in \$NET_CA_FILE" "$NET_CA_FILE"

###########################################################################
echo "# http (nginx)"
start_http 192.0.2.10 80 || fail "start_http 192.0.2.10 80"
expect_eq "NET_LAST_SERVER names it" http-192.0.2.10-80 "$NET_LAST_SERVER"
pid=$(server_pid http-192.0.2.10-80)
start_http 192.0.2.10 80
expect_eq "start_http twice keeps the one server" "$pid" "$(server_pid http-192.0.2.10-80)"
expect_eq "/ is 200 hello lvsd" "hello lvsd" "$(body http://192.0.2.10/)"
expect_eq "/ status" "200 10" "$(fetch http://192.0.2.10/)"
expect_eq "/health is 200 OK" "200 2" "$(fetch http://192.0.2.10/health)"
expect_eq "/health body" OK "$(body http://192.0.2.10/health)"
expect_eq "/missing is 404" 404 "$(fetch http://192.0.2.10/missing | cut -d' ' -f1)"
expect_eq "/big is 10 MiB" "200 $NET_BIG_SIZE" "$(fetch http://192.0.2.10/big)"
expect_eq "/addr names the address" 192.0.2.10 "$(body http://192.0.2.10/addr)"
expect_eq "/redirect is 302" 302 "$(fetch http://192.0.2.10/redirect | cut -d' ' -f1)"
expect_eq "the host answers ping" up "$(pings 192.0.2.10)"

start_http 2001:db8::10 80 || fail "start_http 2001:db8::10 80"
expect_eq "IPv6: /health" OK "$(body 'http://[2001:db8::10]/health')"
expect_eq "IPv6: the host answers ping" up "$(pings 2001:db8::10)"

wait_port srv 192.0.2.10 80 && pass "wait_port srv 192.0.2.10 80" || fail "wait_port srv 192.0.2.10 80"
wait_port -t 1 "$NET_NS_SRV" 192.0.2.10 81 && fail "wait_port on a closed port" || pass "wait_port on a closed port"
printf '%s\n' 192.0.2.30 2001:db8::30 198.19.255.254 | net_add_server_addrs - || fail "net_add_server_addrs -"
expect_eq "net_add_server_addrs: all three answer" "up up up" \
	"$(pings 192.0.2.30) $(pings 2001:db8::30) $(pings 198.19.255.254)"
net_add_server_addr 203.0.113.5 2>/dev/null && fail "addresses outside the test ranges refused" ||
	pass "addresses outside the test ranges refused"

echo "# down and back"
stop_server http-192.0.2.10-80
expect_eq "stopped: connection refused" 7 "$(curl_rc -m 2 http://192.0.2.10/)"
stop_server http-192.0.2.10-80 && pass "stop_server twice" || fail "stop_server twice"
start_server http-192.0.2.10-80 || fail "start_server"
expect_eq "restarted: /health" OK "$(body http://192.0.2.10/health)"
restart_server http-192.0.2.10-80 || fail "restart_server"
expect_eq "restart_server: /health" OK "$(body http://192.0.2.10/health)"
net_del_server_addr 192.0.2.10
expect_eq "address removed: no answer to ping" down "$(pings 192.0.2.10)"
net_add_server_addr 192.0.2.10
restart_server http-192.0.2.10-80
expect_eq "address back: /health" OK "$(body -m 3 http://192.0.2.10/health)"

echo "# icmp_block and tcp_block"
icmp_block 192.0.2.10
icmp_block 192.0.2.10
expect_eq "icmp_block: ping fails" down "$(pings 192.0.2.10)"
expect_eq "icmp_block: HTTP still works" OK "$(body http://192.0.2.10/health)"
icmp_unblock 192.0.2.10
icmp_unblock 192.0.2.10
expect_eq "icmp_unblock: ping works" up "$(pings 192.0.2.10)"
icmp_block 2001:db8::10
expect_eq "icmp_block IPv6: ping fails" down "$(pings 2001:db8::10)"
icmp_unblock 2001:db8::10
expect_eq "icmp_unblock IPv6: ping works" up "$(pings 2001:db8::10)"
tcp_block 192.0.2.10 80
expect_eq "tcp_block: connect times out" timeout "$(tcp_state 192.0.2.10 80)"
tcp_unblock 192.0.2.10 80
expect_eq "tcp_unblock: connect works" open "$(tcp_state 192.0.2.10 80)"
expect_eq "closed port: refused" refused "$(tcp_state 192.0.2.10 81)"

###########################################################################
echo "# https (nginx)"
start_https 192.0.2.11 443 || fail "start_https 192.0.2.11 443"
expect_eq "by name, CA verified: /health" OK \
	"$(body --cacert "$NET_CA_FILE" --resolve "$NET_TLS_NAME:443:192.0.2.11" "https://$NET_TLS_NAME/health")"
expect_eq "by IP, CA verified: /" "hello lvsd" "$(body --cacert "$NET_CA_FILE" https://192.0.2.11/)"
expect_eq "/missing is 404" 404 "$(fetch --cacert "$NET_CA_FILE" https://192.0.2.11/missing | cut -d' ' -f1)"
expect_eq "without the CA: verification fails" 60 "$(curl_rc https://192.0.2.11/)"
s_client=$(D timeout 5 openssl s_client -connect 192.0.2.11:443 -servername "$NET_TLS_NAME" \
	-CAfile "$NET_CA_FILE" -verify_hostname "$NET_TLS_NAME" -verify_ip 192.0.2.11 </dev/null 2>&1)
expect_match "openssl s_client verifies name and IP" 'Verify return code: 0 \(ok\)' "$s_client"
start_https -c wrongname 192.0.2.12 443
expect_eq "wrongname: name check fails" 60 \
	"$(curl_rc --cacert "$NET_CA_FILE" --resolve "$NET_TLS_NAME:443:192.0.2.12" "https://$NET_TLS_NAME/")"
expect_eq "wrongname: chain is good" OK "$(body -k --cacert "$NET_CA_FILE" https://192.0.2.12/health)"
start_https -c selfsigned 192.0.2.13 443
expect_eq "selfsigned: verification fails" 60 "$(curl_rc --cacert "$NET_CA_FILE" https://192.0.2.13/)"
start_https 2001:db8::11 443
expect_eq "IPv6, CA verified: /health" OK "$(body --cacert "$NET_CA_FILE" 'https://[2001:db8::11]/health')"

###########################################################################
echo "# dns (dnsmasq)"
start_dns 192.0.2.53 || fail "start_dns 192.0.2.53"
dig4() { D dig +tries=1 +time=1 @192.0.2.53 "$@"; }
wait_port -u srv 192.0.2.53 53 && pass "wait_port -u srv 192.0.2.53 53" || fail "wait_port -u srv 192.0.2.53 53"
expect_eq "A www.example.test" "$NET_DNS_A" "$(dig4 +short "$NET_DNS_NAME" A)"
expect_eq "AAAA www.example.test" "$NET_DNS_AAAA" "$(dig4 +short "$NET_DNS_NAME" AAAA)"
expect_eq "over TCP" "$NET_DNS_A" "$(dig4 +tcp +short "$NET_DNS_NAME" A)"
expect_match "other names in example.test: NXDOMAIN" 'status: NXDOMAIN' "$(dig4 nx.example.test A)"
expect_match "names elsewhere: REFUSED" 'status: REFUSED' "$(dig4 www.example.org A)"
start_dns 2001:db8::53 --host-record=mail.example.test,192.0.2.25
expect_eq "IPv6 server, extra record" 192.0.2.25 "$(D dig +tries=1 +time=1 +short @2001:db8::53 mail.example.test A)"
stop_server dns-192.0.2.53
expect_match "stopped: no answer" 'no servers could be reached' "$(dig4 "$NET_DNS_NAME" A)"
start_server dns-192.0.2.53
expect_eq "restarted: answers" "$NET_DNS_A" "$(dig4 +short "$NET_DNS_NAME" A)"

###########################################################################
echo "# smtp (aiosmtpd)"
start_smtp 192.0.2.25 25 || fail "start_smtp 192.0.2.25 25"
talk=$(smtp_talk 192.0.2.25 'EHLO director.example.test\r\nQUIT\r\n')
expect_match "banner 220" '^220 smtp\.example\.test ' "$talk"
expect_match "EHLO 250" '^250 ' "$talk"
expect_match "QUIT 221" '^221 ' "$talk"
start_smtp 2001:db8::25 25
expect_match "IPv6: banner 220" '^220 ' "$(smtp_talk 2001:db8::25 'QUIT\r\n')"

###########################################################################
echo "# misbehaving servers (badserver.py)"
start_bad silent 192.0.2.60 80
silent=$(D curl -s -o /dev/null -m 1 -w '%{http_code}' http://192.0.2.60/)
expect_eq "silent: HTTP times out, nothing received" "28 000" "$? $silent"
start_bad slow 1 192.0.2.61 80
expect_eq "slow 1: times out at 0.5 s" 28 "$(curl_rc -m 0.5 http://192.0.2.61/)"
slow=$(D curl -s -m 5 -w ' %{http_code} %{time_total}' http://192.0.2.61/)
expect_match "slow 1: 200 OK after a second" '^OK 200 1\.' "$slow"
start_bad flood 192.0.2.62 25
read -r lines bytes < <(D timeout 5 nc 192.0.2.62 25 </dev/null | head -c 4000000 | wc -lc)
expect_eq "flood: 4 MB and no end of line" "0 4000000" "$lines $bytes"
start_bad floodbody 192.0.2.63 80
floodbody=$(D curl -s -o /dev/null -m 0.5 -w '%{http_code} %{size_download}' http://192.0.2.63/)
expect_match "floodbody: 200 and an endless body" '^200 [0-9]{6,}$' "$floodbody"
start_bad status500 192.0.2.64 80
expect_eq "status500" 500 "$(fetch http://192.0.2.64/health | cut -d' ' -f1)"
start_bad wrongbody 2001:db8::65 80
expect_eq "wrongbody: 200" "200 4" "$(fetch 'http://[2001:db8::65]/health')"
expect_eq "wrongbody: nope" nope "$(body 'http://[2001:db8::65]/health')"
start_bad reset 192.0.2.66 80
start_bad resetnow 192.0.2.69 80
expect_eq "reset: connection reset" 56 "$(curl_rc -m 2 http://192.0.2.66/)"
expect_match "resetnow: connect or first read fails" "^(7|56)$" "$(curl_rc -m 2 http://192.0.2.69/)"
start_bad badbanner 192.0.2.67 25
talk=$(smtp_talk 192.0.2.67 'EHLO director.example.test\r\nQUIT\r\n')
expect_eq "badbanner: 554, then 503 and 221" "554 no
503 no
221 bye" "$talk"
start_bad dnsgarbage 192.0.2.68 53
garbage=$(D dig +tries=1 +time=1 @192.0.2.68 "$NET_DNS_NAME" A)
expect_match "dnsgarbage: wrong id" 'ID mismatch' "$garbage"
expect_no_match "dnsgarbage: no answer accepted" 'ANSWER SECTION' "$garbage"

###########################################################################
echo "# 2,000 servers"
t0=$(date +%s%N)
net_add_bench_addrs 2000 || fail "net_add_bench_addrs 2000"
t1=$(date +%s%N)
echo "# 2,000 addresses in $(((t1 - t0) / 1000000)) ms"
expect_eq "2,000 addresses" 2000 "$(net_run_srv ip -o -4 addr show lvs0 | grep -c ' 198\.18\.')"
expect_eq "net_bench_addr 1999" 198.18.7.222 "$(net_bench_addr 1999)"
start_http_all 8080 || fail "start_http_all 8080"
mapfile -t urls < <(net_bench_addrs 2000 | sed 's|.*|http://&:8080/addr|')
t0=$(date +%s%N)
# Each answer is the address that was asked: "ADDR CODE URL".
answers=$(D curl -s -w ' %{http_code} %{url_effective}\n' "${urls[@]}")
t1=$(date +%s%N)
echo "# 2,000 fetches in $(((t1 - t0) / 1000000)) ms"
expect_eq "every address answers 200, as itself" 2000 \
	"$(awk '{ split($3, u, "[/:]"); if ($2 == 200 && $1 == u[4]) n++ } END { print n + 0 }' <<<"$answers")"
expect_eq "one address answers as itself" 198.18.7.222 "$(body http://198.18.7.222:8080/addr)"
expect_eq "a bench address answers ping" up "$(pings "$(net_bench_addr 1000)")"
expect_eq "http_all also serves 192.0.2.x" OK "$(body http://192.0.2.10:8080/health)"
start_https_all 8443
expect_eq "https_all by name" OK \
	"$(body --cacert "$NET_CA_FILE" --resolve "$NET_TLS_NAME:8443:198.18.0.5" "https://$NET_TLS_NAME:8443/health")"

###########################################################################
echo "# any process, and clean-up"
start_proc sleeper dir sleep 600
expect_eq "start_proc runs in the director" "$(ip netns identify "$(server_pid sleeper)")" "$prefix-dir"
tmp=$NET_TMP
pids=$(ip netns pids "$prefix-srv"; ip netns pids "$prefix-dir")
n=$(wc -w <<<"$pids")
[ "$n" -gt 10 ] && pass "servers run in the namespaces ($n processes)" || fail "servers run in the namespaces" "$n"
net_cleanup
expect_eq "net_cleanup deletes the namespaces" "" "$(ip netns list | awk '{print $1}' | grep -x "$prefix-.*")"
[ ! -e "$tmp" ] && pass "net_cleanup removes \$NET_TMP" || fail "net_cleanup removes \$NET_TMP" "$tmp"
left=
for pid in $pids; do ! _net_alive "$pid" || left+=" $pid"; done
expect_eq "no server left running" "" "$left"

summary
