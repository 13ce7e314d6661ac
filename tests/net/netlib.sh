# Network namespaces and real servers for healthd's scenario tests
# (sourced after tests/lib.sh; bash, root; packages: scripts/install-deps net).
#
# Topology, made by `net_setup PREFIX`:
#
#   PREFIX-dir  lvs0 192.0.2.1/24 2001:db8::1/64     (the director: healthd)
#      |  veth       route 198.18.0.0/15 via 192.0.2.254
#   PREFIX-srv  lvs0 192.0.2.254/24 2001:db8::fe/64  (the real servers)
#               + every address given to net_add_server_addr(s)
#
# No namespace has a route anywhere else. An address of 192.0.2.0/24 that no
# one added answers nothing (ARP fails): a host that is down. Both namespaces
# allow ICMP echo sockets to every group and never rate-limit ICMP; start_*
# gives its ADDR to the server side when it lacks it.
#
# Functions (each start_* function takes an optional `-n NAME` first; the
# default name is shown, and the name is left in NET_LAST_SERVER):
#   net_setup PREFIX                   (re)creates both namespaces, EXIT cleanup
#   net_cleanup                        kills all processes in them, deletes them
#   net_add_server_addr ADDR           192.0.2.x (/24), 198.18-19.x.y (/32),
#                                      2001:db8::x (/64) in PREFIX-srv
#   net_add_server_addrs ADDR...|-     many at once (one `ip -batch`; - = stdin)
#   net_del_server_addr ADDR           the host goes away
#   net_bench_addr I                   I-th benchmark address (0-based):
#                                      198.18.(I/254).(I%254+1)
#   net_bench_addrs N                  the first N of them, one a line
#   net_add_bench_addrs N              adds the first N of them
#   net_run_srv CMD... / net_run_dir CMD...
#   start_http ADDR PORT               nginx  (http-ADDR-PORT)
#   start_http_all PORT                nginx on every address (http-all-PORT)
#   start_https [-c good|wrongname|selfsigned] ADDR PORT      (https-ADDR-PORT)
#   start_https_all PORT                                      (https-all-PORT)
#   start_dns ADDR [DNSMASQ-OPTION...] dnsmasq on ADDR:53 (dns-ADDR)
#   start_smtp ADDR PORT               aiosmtpd (smtp-ADDR-PORT)
#   start_bad MODE [SECS] ADDR PORT    tests/net/badserver.py (bad-MODE-ADDR-PORT);
#                                      SECS only for `slow`
#   start_proc NAME dir|srv CMD...     any command, managed like the servers
#   stop_server NAME / start_server NAME / restart_server NAME
#   server_pid NAME / server_log NAME
#   wait_port [-u] [-t SECS] NS ADDR PORT   a listener (TCP, or UDP with -u)
#                                      exists; NS is dir, srv or a full name
#   icmp_block ADDR / icmp_unblock ADDR      drop echo requests to ADDR
#   tcp_block ADDR PORT / tcp_unblock ADDR PORT  drop TCP to ADDR:PORT (no RST)
#
# What the servers answer:
#   http(s)  /  200 "hello lvsd"; /health 200 "OK"; /missing (any other) 404;
#            /big 200, 10 MiB; /addr 200 the address that was asked;
#            /redirect 302 to /
#   https    certificate for www.example.test and the IP address, signed by
#            the CA in $NET_CA_FILE (wrongname: only other.example.test;
#            selfsigned: not signed by that CA)
#   dns      www.example.test A 192.0.2.80 and AAAA 2001:db8::80, any other
#            name in example.test NXDOMAIN, names elsewhere REFUSED; UDP and TCP
#   smtp     "220 smtp.example.test ...", 250 to EHLO/HELO, 221 to QUIT
#
# Variables set by net_setup: NET_PREFIX NET_NS_DIR NET_NS_SRV NET_TMP
# NET_DIR_ADDR NET_DIR_ADDR6 NET_SRV_GW NET_SRV_GW6 NET_CA_FILE NET_TLS_NAME
# NET_DNS_NAME NET_DNS_A NET_DNS_AAAA NET_HTTP_BODY NET_HEALTH_BODY
# NET_BIG_SIZE; NET_KEEP=1 keeps $NET_TMP (logs) after cleanup.
# A script's own EXIT trap set after net_setup must call net_cleanup itself.

# shellcheck disable=SC2034 # the NET_ variables are for the scripts that source this
NET_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NET_PYTHON=/usr/bin/python3
NET_BADSERVER=$NET_LIB_DIR/badserver.py
NET_DIR_ADDR=192.0.2.1
NET_DIR_ADDR6=2001:db8::1
NET_SRV_GW=192.0.2.254
NET_SRV_GW6=2001:db8::fe
NET_BENCH_NET=198.18.0.0/15
NET_TLS_NAME=www.example.test
NET_DNS_NAME=www.example.test
NET_DNS_A=192.0.2.80
NET_DNS_AAAA=2001:db8::80
NET_HTTP_BODY="hello lvsd"
NET_HEALTH_BODY=OK
NET_BIG_SIZE=10485760
NET_PREFIX=${NET_PREFIX:-}
NET_NS_DIR=${NET_NS_DIR:-}
NET_NS_SRV=${NET_NS_SRV:-}
NET_TMP=${NET_TMP:-}
NET_CA_FILE=${NET_CA_FILE:-}
NET_LAST_SERVER=
NET_IF=lvs0

# Registered servers: command, namespace, readiness ("tcp|udp ADDR PORT"), pid.
declare -gA _NET_CMD=() _NET_NS=() _NET_READY=() _NET_PID=()

_net_err() { echo "netlib: $*" >&2; }

_net_ns_exists() { [ -e "/run/netns/$1" ]; }

# _net_ns NS: dir/srv shorthands to namespace names.
_net_ns() {
	case $1 in
	dir) echo "$NET_NS_DIR" ;;
	srv) echo "$NET_NS_SRV" ;;
	*) echo "$1" ;;
	esac
}

_net_alive() {
	local stat
	[ -n "${1:-}" ] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# _net_kill_ns NS: TERM, then KILL, everything inside; deletes the namespace.
_net_kill_ns() {
	local ns=$1 pids i
	_net_ns_exists "$ns" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null
		for i in $(seq 40); do
			pids=$(ip netns pids "$ns" 2>/dev/null)
			[ -n "$pids" ] || break
			sleep 0.05
		done
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null
		for i in $(seq 40); do
			[ -n "$(ip netns pids "$ns" 2>/dev/null)" ] || break
			sleep 0.05
		done
	fi
	ip netns del "$ns" 2>/dev/null || true
}

_net_trap() {
	[ -z "${_NET_TRAPPED:-}" ] || return 0
	_NET_TRAPPED=1
	local prev
	local -a t
	# `trap -p` prints: trap -- 'COMMAND' EXIT
	eval "t=($(trap -p EXIT))"
	prev=${t[2]:-}
	if [ -n "$prev" ]; then
		trap "$prev"$'\n''net_cleanup' EXIT
	else
		trap 'net_cleanup' EXIT
	fi
	[ -n "$(trap -p INT)" ] || trap 'exit 130' INT
	[ -n "$(trap -p TERM)" ] || trap 'exit 143' TERM
}

net_cleanup() {
	local ns
	for ns in "$NET_NS_DIR" "$NET_NS_SRV"; do
		[ -z "$ns" ] || _net_kill_ns "$ns"
	done
	if [ -n "$NET_TMP" ] && [ -d "$NET_TMP" ]; then
		if [ "${NET_KEEP:-0}" = 1 ]; then
			echo "netlib: kept $NET_TMP" >&2
		else
			rm -rf "$NET_TMP"
		fi
	fi
	_NET_CMD=() _NET_NS=() _NET_READY=() _NET_PID=()
	NET_TMP='' NET_CA_FILE='' NET_LAST_SERVER=''
	return 0
}

net_setup() {
	local prefix=${1:?usage: net_setup PREFIX} ns
	[ "$(id -u)" -eq 0 ] || { _net_err "needs root"; return 1; }
	net_cleanup
	NET_PREFIX=$prefix
	NET_NS_DIR=$prefix-dir
	NET_NS_SRV=$prefix-srv
	_net_trap
	# Leftovers of an earlier run with this prefix that was killed.
	_net_kill_ns "$NET_NS_DIR"
	_net_kill_ns "$NET_NS_SRV"
	rm -rf "/tmp/lvsd-net-$prefix".*

	NET_TMP=$(mktemp -d "/tmp/lvsd-net-$prefix.XXXXXX") || return 1
	chmod 755 "$NET_TMP"
	mkdir -p "$NET_TMP/log" "$NET_TMP/srv" "$NET_TMP/tls" "$NET_TMP/www"
	printf '%s' "$NET_HTTP_BODY" > "$NET_TMP/www/index.txt"
	printf '%s' "$NET_HEALTH_BODY" > "$NET_TMP/www/health.txt"
	truncate -s "$NET_BIG_SIZE" "$NET_TMP/www/big.bin"
	chmod 644 "$NET_TMP"/www/*

	for ns in "$NET_NS_DIR" "$NET_NS_SRV"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		# Addresses usable at once (no DAD), ICMP answers never rate limited,
		# ICMP echo sockets for everyone, secondaries kept when a primary goes.
		ip netns exec "$ns" sysctl -qw \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.promote_secondaries=1 \
			net.ipv4.conf.default.promote_secondaries=1 \
			net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
			"net.ipv4.ping_group_range=0 2147483647" >/dev/null
	done
	ip link add "$NET_IF" netns "$NET_NS_DIR" type veth peer name "$NET_IF" netns "$NET_NS_SRV" ||
		return 1
	ip -n "$NET_NS_DIR" link set "$NET_IF" up && ip -n "$NET_NS_SRV" link set "$NET_IF" up ||
		return 1
	# Addresses only once the link has its carrier: IPv6 neighbour discovery
	# started before that stalls for a second.
	for ns in "$NET_NS_DIR" "$NET_NS_SRV"; do
		wait_for 5 _net_link_up "$ns" || { _net_err "$NET_IF in $ns does not come up"; return 1; }
	done
	ip -n "$NET_NS_DIR" -batch - <<-EOF || return 1
		addr add $NET_DIR_ADDR/24 dev $NET_IF
		addr add $NET_DIR_ADDR6/64 dev $NET_IF nodad
		route add $NET_BENCH_NET via $NET_SRV_GW dev $NET_IF
	EOF
	ip -n "$NET_NS_SRV" -batch - <<-EOF || return 1
		addr add $NET_SRV_GW/24 dev $NET_IF
		addr add $NET_SRV_GW6/64 dev $NET_IF nodad
	EOF
	_net_ca
}

# Output captured, not piped to grep -q: under pipefail grep's early exit
# would fail the pipeline.
_net_link_up() { local out; out=$(ip -n "$1" -o link show "$NET_IF"); [[ $out == *"state UP"* ]]; }

net_run_srv() { ip netns exec "$NET_NS_SRV" "$@"; }
net_run_dir() { ip netns exec "$NET_NS_DIR" "$@"; }

# _net_addr_line ADDR: the `ip -batch` line that gives ADDR to the server side.
_net_addr_line() {
	local a=$1
	case $a in
	192.0.2.*) echo "addr replace $a/24 dev $NET_IF" ;;
	198.18.*.* | 198.19.*.*) echo "addr replace $a/32 dev $NET_IF" ;;
	2001:db8::* | 2001:DB8::*) echo "addr replace $a/64 dev $NET_IF nodad" ;;
	*) _net_err "address $a is not in 192.0.2.0/24, 198.18.0.0/15 or 2001:db8::/64"; return 1 ;;
	esac
}

net_add_server_addr() {
	local line
	line=$(_net_addr_line "${1:?usage: net_add_server_addr ADDR}") || return 1
	# shellcheck disable=SC2086
	ip -n "$NET_NS_SRV" $line
}

net_add_server_addrs() {
	local a
	{
		if [ "${1:-}" = - ]; then
			while read -r a; do
				[ -z "$a" ] || _net_addr_line "$a" || return 1
			done
		else
			for a in "$@"; do _net_addr_line "$a" || return 1; done
		fi
	} > "$NET_TMP/addrs.batch" || return 1
	ip -n "$NET_NS_SRV" -batch "$NET_TMP/addrs.batch"
}

net_del_server_addr() {
	local a=${1:?usage: net_del_server_addr ADDR} line
	line=$(_net_addr_line "$a") || return 1
	line=${line#addr replace }
	# shellcheck disable=SC2086
	ip -n "$NET_NS_SRV" addr del ${line% nodad}
}

net_bench_addr() { echo "198.$((18 + $1 / 254 / 256)).$(($1 / 254 % 256)).$(($1 % 254 + 1))"; }

net_bench_addrs() {
	local n=${1:?usage: net_bench_addrs N} i
	[ "$n" -le $((254 * 512)) ] || { _net_err "at most $((254 * 512)) benchmark addresses"; return 1; }
	for ((i = 0; i < n; i++)); do
		echo "198.$((18 + i / 254 / 256)).$((i / 254 % 256)).$((i % 254 + 1))"
	done
}

net_add_bench_addrs() {
	net_bench_addrs "${1:?usage: net_add_bench_addrs N}" >"$NET_TMP/bench.addrs" &&
		net_add_server_addrs - <"$NET_TMP/bench.addrs"
}

# _net_ensure_addr ADDR: gives ADDR to the server side unless it has it.
_net_ensure_addr() {
	case $1 in
	0.0.0.0 | :: | '*') return 0 ;;
	esac
	local out
	out=$(ip -n "$NET_NS_SRV" -o addr show)
	[[ $out == *" $1/"* ]] || net_add_server_addr "$1"
}

# wait_port [-u] [-t SECS] NS ADDR PORT
wait_port() {
	local proto=t limit=10 ns addr port i
	while [ $# -gt 0 ]; do
		case $1 in
		-u) proto=u; shift ;;
		-t) limit=$2; shift 2 ;;
		*) break ;;
		esac
	done
	ns=$(_net_ns "${1:?usage: wait_port [-u] [-t SECS] NS ADDR PORT}")
	addr=${2:?} port=${3:?}
	for ((i = 0; i < limit * 20; i++)); do
		_net_listening "$proto" "$ns" "$addr" "$port" && return 0
		sleep 0.05
	done
	return 1
}

# _net_listening t|u NS ADDR PORT [PID]: a listener on ADDR:PORT (or on the
# wildcard address), owned by PID when given.
_net_listening() {
	local proto=$1 ns=$2 addr=$3 port=$4 pid=${5:-} opts=-Hln local_addr rest
	[ -z "$pid" ] || opts=-Hlnp
	while read -r _ _ _ local_addr rest; do
		local_addr=${local_addr/\%*:/:}
		case $local_addr in
		"$addr:$port" | "[$addr]:$port" | "0.0.0.0:$port" | "*:$port" | "[::]:$port")
			[ -z "$pid" ] || [[ $rest == *"pid=$pid,"* ]] || continue
			return 0
			;;
		esac
	done < <(ss -N "$ns" "$opts$proto" "sport = :$port" 2>/dev/null)
	return 1
}

# _net_register NAME NS READY CMD...: records a server and starts it.
_net_register() {
	local name=$1 ns=$2 ready=$3 cmd
	shift 3
	cmd=$(printf '%q ' "$@")
	if [ "${_NET_CMD[$name]:-}" = "$cmd" ] && _net_alive "${_NET_PID[$name]:-}"; then
		NET_LAST_SERVER=$name
		return 0
	fi
	[ -z "${_NET_CMD[$name]:-}" ] || stop_server "$name"
	_NET_CMD[$name]=$cmd
	_NET_NS[$name]=$ns
	_NET_READY[$name]=$ready
	NET_LAST_SERVER=$name
	start_server "$name"
}

_net_known() {
	[ -n "${_NET_CMD[${1:-}]:-}" ] || { _net_err "no server named '${1:-}'"; return 1; }
}

server_log() { echo "$NET_TMP/log/${1//[^A-Za-z0-9._-]/_}.log"; }
server_pid() { _net_known "$1" && echo "${_NET_PID[$1]:-}"; }

start_server() {
	local name=${1:?usage: start_server NAME} log pid i proto addr port
	local -a cmd
	_net_known "$name" || return 1
	_net_alive "${_NET_PID[$name]:-}" && return 0
	log=$(server_log "$name")
	eval "cmd=(${_NET_CMD[$name]})"
	# Background jobs of a script start with SIGINT ignored: undone, so a
	# server (or healthd) stops on SIGINT as it would anywhere else.
	ip netns exec "${_NET_NS[$name]}" env --default-signal=INT,QUIT "${cmd[@]}" \
		>>"$log" 2>&1 </dev/null &
	pid=$!
	disown "$pid" 2>/dev/null
	_NET_PID[$name]=$pid
	[ -n "${_NET_READY[$name]}" ] || return 0
	read -r proto addr port <<<"${_NET_READY[$name]}"
	for ((i = 0; i < 200; i++)); do
		_net_listening "${proto:0:1}" "${_NET_NS[$name]}" "$addr" "$port" "$pid" && return 0
		_net_alive "$pid" || break
		sleep 0.05
	done
	_net_err "$name did not come up on $addr:$port ($proto); its log:"
	tail -20 "$log" >&2
	return 1
}

stop_server() {
	local name=${1:?usage: stop_server NAME} pid i
	_net_known "$name" || return 1
	pid=${_NET_PID[$name]:-}
	_NET_PID[$name]=
	_net_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		_net_alive "$pid" || return 0
		sleep 0.05
	done
	pkill -KILL -P "$pid" 2>/dev/null
	kill -KILL "$pid" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		_net_alive "$pid" || return 0
		sleep 0.05
	done
	_net_err "$name (pid $pid) does not die"
	return 1
}

restart_server() { stop_server "$1" && start_server "$1"; }

# start_proc NAME dir|srv CMD...: not waited for; output in `server_log NAME`.
start_proc() {
	local name=${1:?usage: start_proc NAME dir|srv CMD...} ns
	ns=$(_net_ns "${2:?}")
	shift 2
	_net_register "$name" "$ns" "" "$@"
}

_net_hostport() {
	case $1 in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

_net_safe() { echo "${1//[^A-Za-z0-9._-]/_}"; }

# _net_openssl ARGS...: openssl, its chatter kept for failures only.
_net_openssl() {
	local out
	out=$(openssl "$@" 2>&1) || { _net_err "openssl $1 failed: $out"; return 1; }
}

_net_ca() {
	local d=$NET_TMP/tls
	NET_CA_FILE=$d/ca.pem
	[ -s "$NET_CA_FILE" ] && return 0
	cat > "$d/ca.cnf" <<-'EOF'
		[req]
		distinguished_name = dn
		prompt = no
		[dn]
		CN = lvsd test CA
		[ext]
		basicConstraints = critical, CA:TRUE
		keyUsage = critical, keyCertSign, cRLSign
		subjectKeyIdentifier = hash
	EOF
	_net_openssl req -x509 -config "$d/ca.cnf" -extensions ext -newkey ec \
		-pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-keyout "$d/ca.key" -out "$NET_CA_FILE"
}

# _net_cert KIND ADDR DIR: DIR/cert.pem and DIR/key.pem.
_net_cert() {
	local kind=$1 addr=$2 d=$3 san cn=$NET_TLS_NAME
	case $kind in
	good | selfsigned) san="DNS:$NET_TLS_NAME" ;;
	wrongname) san="DNS:other.example.test" cn=other.example.test ;;
	*) _net_err "certificate kind $kind: good, wrongname or selfsigned"; return 1 ;;
	esac
	case $addr in
	0.0.0.0 | ::) ;;
	*) [ "$kind" = wrongname ] || san="$san,IP:$addr" ;;
	esac
	cat > "$d/cert.cnf" <<-EOF
		[req]
		distinguished_name = dn
		prompt = no
		[dn]
		CN = $cn
		[ext]
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature
		extendedKeyUsage = serverAuth
		subjectAltName = $san
	EOF
	if [ "$kind" = selfsigned ]; then
		_net_openssl req -x509 -config "$d/cert.cnf" -extensions ext -newkey ec \
			-pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
			-keyout "$d/key.pem" -out "$d/cert.pem"
	else
		_net_openssl req -new -config "$d/cert.cnf" -newkey ec \
			-pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$d/key.pem" -out "$d/cert.csr" &&
			_net_openssl x509 -req -in "$d/cert.csr" -CA "$NET_CA_FILE" \
				-CAkey "$NET_TMP/tls/ca.key" -set_serial "$((RANDOM * 32768 + RANDOM + 1))" \
				-days 30 -extfile "$d/cert.cnf" -extensions ext -out "$d/cert.pem"
	fi
}

# _net_nginx NAME TLSKIND ADDR PORT: TLSKIND is "" for plain HTTP.
_net_nginx() {
	local name=$1 tls=$2 addr=$3 port=$4 d listen ssl=''
	d=$NET_TMP/srv/$(_net_safe "$name")
	mkdir -p "$d/tmp"
	if [ -n "$tls" ]; then
		_net_cert "$tls" "$addr" "$d" || return 1
		ssl=" ssl"
	fi
	case $addr in
	0.0.0.0) listen="listen 0.0.0.0:$port$ssl; listen [::]:$port$ssl ipv6only=on;" ;;
	*) listen="listen $(_net_hostport "$addr" "$port")$ssl;" ;;
	esac
	cat > "$d/nginx.conf" <<-EOF
		daemon off;
		master_process on;
		worker_processes 2;
		worker_rlimit_nofile 20000;
		pid $d/nginx.pid;
		error_log $d/error.log warn;
		events { worker_connections 8192; }
		http {
			access_log off;
			sendfile on;
			server_tokens off;
			keepalive_timeout 10;
			types { }
			default_type text/plain;
			client_body_temp_path $d/tmp/body;
			proxy_temp_path $d/tmp/proxy;
			fastcgi_temp_path $d/tmp/fastcgi;
			uwsgi_temp_path $d/tmp/uwsgi;
			scgi_temp_path $d/tmp/scgi;
			server {
				$listen
				server_name _;
				root $NET_TMP/www;
				${tls:+ssl_certificate $d/cert.pem; ssl_certificate_key $d/key.pem;}
				location = / { try_files /index.txt =404; }
				location = /health { try_files /health.txt =404; }
				location = /big { try_files /big.bin =404; }
				location = /addr { return 200 \$server_addr; }
				location = /redirect { return 302 /; }
				location / { return 404; }
			}
		}
	EOF
	_net_ensure_addr "$addr" || return 1
	_net_register "$name" "$NET_NS_SRV" "tcp $addr $port" \
		nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
}

start_http() {
	local name=
	[ "${1:-}" != -n ] || { name=$2; shift 2; }
	_net_nginx "${name:-http-${1:-}-${2:-}}" "" \
		"${1:?usage: start_http [-n NAME] ADDR PORT}" "${2:?usage: start_http [-n NAME] ADDR PORT}"
}

start_http_all() {
	local name=
	[ "${1:-}" != -n ] || { name=$2; shift 2; }
	_net_nginx "${name:-http-all-${1:-}}" "" 0.0.0.0 "${1:?usage: start_http_all [-n NAME] PORT}"
}

start_https() {
	local name='' kind=good
	while [ $# -gt 0 ]; do
		case $1 in
		-n) name=$2; shift 2 ;;
		-c) kind=$2; shift 2 ;;
		*) break ;;
		esac
	done
	_net_nginx "${name:-https-${1:-}-${2:-}}" "$kind" \
		"${1:?usage: start_https [-n NAME] [-c KIND] ADDR PORT}" "${2:?usage: start_https [-n NAME] [-c KIND] ADDR PORT}"
}

start_https_all() {
	local name=
	[ "${1:-}" != -n ] || { name=$2; shift 2; }
	_net_nginx "${name:-https-all-${1:-}}" good 0.0.0.0 "${1:?usage: start_https_all [-n NAME] PORT}"
}

# start_dns [-n NAME] ADDR [DNSMASQ-OPTION...]
start_dns() {
	local name='' addr
	[ "${1:-}" != -n ] || { name=$2; shift 2; }
	addr=${1:?usage: start_dns [-n NAME] ADDR [DNSMASQ-OPTION...]}
	shift
	_net_ensure_addr "$addr" || return 1
	_net_register "${name:-dns-$addr}" "$NET_NS_SRV" "udp $addr 53" \
		dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
		--user=root --group=root --pid-file= --log-queries --log-facility=- \
		--listen-address="$addr" --bind-interfaces --port=53 \
		--local=/example.test/ \
		--address="/$NET_DNS_NAME/$NET_DNS_A" --address="/$NET_DNS_NAME/$NET_DNS_AAAA" \
		"$@"
}

start_smtp() {
	local name='' addr port
	[ "${1:-}" != -n ] || { name=$2; shift 2; }
	addr=${1:?usage: start_smtp [-n NAME] ADDR PORT} port=${2:?usage: start_smtp [-n NAME] ADDR PORT}
	_net_ensure_addr "$addr" || return 1
	# aiosmtpd's own command line, with a fixed host name for its greeting
	# (no resolver involved).
	_net_register "${name:-smtp-$addr-$port}" "$NET_NS_SRV" "tcp $addr $port" \
		"$NET_PYTHON" -c 'import socket
socket.getfqdn = lambda *a: "smtp.example.test"
from aiosmtpd.main import main
main()' -n -c aiosmtpd.handlers.Sink -l "$addr:$port"
}

# start_bad [-n NAME] MODE [SECS] ADDR PORT
start_bad() {
	local name='' mode secs='' proto=tcp usage="usage: start_bad [-n NAME] MODE [SECS] ADDR PORT"
	[ "${1:-}" != -n ] || { name=$2; shift 2; }
	mode=${1:?$usage}
	shift
	if [ $# -eq 3 ]; then
		secs=$1
		shift
	fi
	[ $# -eq 2 ] || { _net_err "$usage"; return 1; }
	[ "$mode" != dnsgarbage ] || proto=udp
	_net_ensure_addr "$1" || return 1
	_net_register "${name:-bad-$mode-$1-$2}" "$NET_NS_SRV" "$proto $1 $2" \
		"$NET_PYTHON" "$NET_BADSERVER" "$mode" "$1" "$2" ${secs:+"$secs"}
}

_net_nft_init() {
	ip netns exec "$NET_NS_SRV" nft list table inet lvsd_test >/dev/null 2>&1 && return 0
	ip netns exec "$NET_NS_SRV" nft -f - <<-'EOF'
		table inet lvsd_test {
			set icmp4 { type ipv4_addr; }
			set icmp6 { type ipv6_addr; }
			set tcp4 { type ipv4_addr . inet_service; }
			set tcp6 { type ipv6_addr . inet_service; }
			chain input {
				type filter hook input priority 0; policy accept;
				ip daddr @icmp4 icmp type echo-request drop
				ip6 daddr @icmp6 icmpv6 type echo-request drop
				ip daddr . tcp dport @tcp4 drop
				ip6 daddr . tcp dport @tcp6 drop
			}
		}
	EOF
}

# _net_set_elem add|delete SET4 SET6 ELEMENT-ADDR [. PORT]
_net_set_elem() {
	local op=$1 set=$2
	case $4 in
	*:*) set=$3 ;;
	esac
	shift 3
	_net_nft_init || return 1
	if [ "$op" = delete ]; then
		ip netns exec "$NET_NS_SRV" nft delete element inet lvsd_test "$set" "{ $* }" 2>/dev/null
		return 0
	fi
	ip netns exec "$NET_NS_SRV" nft add element inet lvsd_test "$set" "{ $* }"
}

icmp_block() { _net_set_elem add icmp4 icmp6 "${1:?usage: icmp_block ADDR}"; }
icmp_unblock() { _net_set_elem delete icmp4 icmp6 "${1:?usage: icmp_unblock ADDR}"; }
tcp_block() { _net_set_elem add tcp4 tcp6 "${1:?usage: tcp_block ADDR PORT}" . "${2:?}"; }
tcp_unblock() { _net_set_elem delete tcp4 tcp6 "${1:?usage: tcp_unblock ADDR PORT}" . "${2:?}"; }
