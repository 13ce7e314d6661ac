#!/usr/bin/env bash
# The VM side of bench/ipvs-apply. Every tool starts from an empty table and
# is timed until it says it is done (ipvsadm exits; directord and keepalived
# log the end of their start-up) with /proc/net/ip_vs holding every
# destination. Process start, parsing, diffing and logging are included.
# The watching starts no process while a tool runs (bash builtins only):
# each one would take CPU the tool timed needs, under emulation a lot of it.
set -euo pipefail

build=$1 runs=$2 services=$3 reals=$4
total=$((services * reals))
work=$(mktemp -d /tmp/ipvs-apply.XXXXXX)
directord=$build/directord/directord

now() { local t=${EPOCHREALTIME/./}; echo "${t}000"; }   # ns, without a process
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }
# Sleeps 10 ms without starting a process: a read that times out on a FIFO
# nobody writes.
mkfifo "$work/tick"
exec {tick}<>"$work/tick"
nap() { read -r -t 0.01 -u "$tick" _ || true; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
dests() { grep -c '^  ->' /proc/net/ip_vs || true; }
# A tool that never gets there must not hang the benchmark.
give_up_after=300
wait_dests() {
	local start=$SECONDS
	while [ "$(dests)" -lt "$1" ]; do
		[ $((SECONDS - start)) -lt $give_up_after ] || { echo "gave up: $(dests) of $1 destinations" >&2; return 1; }
		# Reading /proc/net/ip_vs costs CPU the tool being timed needs.
		sleep 0.05
	done
}
# A clean IPVS for every cold start: the kernel keeps deleted destinations
# in a "trash" list for a minute and scans it on every addition, so a tool
# started right after another's table was flushed would pay for it.
reset_ipvs() {
	ipvsadm -C
	for m in $(awk '/^ip_vs_/ { print $1 }' /proc/modules); do rmmod "$m"; done
	rmmod ip_vs
	modprobe ip_vs_wlc
}
# Waits until FILE has a line matching PATTERN (bash's regex), reading it
# as it grows with builtins only; then, if need be, for the whole table (the
# tool's log may say it is done before its table is). Sets done_at to when
# it was done, in ns (a command substitution would fork the watcher).
wait_done() {  # FILE PATTERN
	local start=$SECONDS line partial= fd
	exec {fd}<"$1"
	while :; do
		while IFS= read -r line <&"$fd"; do
			line=$partial$line partial=
			[[ $line =~ $2 ]] && break 2
		done
		partial+=$line    # a line still being written
		[ $((SECONDS - start)) -lt $give_up_after ] || { echo "gave up waiting for /$2/ in $1" >&2; return 1; }
		nap
	done
	done_at=${EPOCHREALTIME/./}000
	exec {fd}<&-
	[ "$(dests)" -ge "$total" ] || { wait_dests "$total" && done_at=$(now); }
}
# Waits until ipvsadm shows real server $2 of service $1 with weight $3.
wait_weight() {
	local start=$SECONDS
	until ipvsadm -Ln -t "$1" | grep -Eq "^  -> $2 +Route +$3 "; do
		[ $((SECONDS - start)) -lt $give_up_after ] || { echo "gave up waiting for weight $3 of $2" >&2; return 1; }
		sleep 0.01
	done
}

echo "# generating $services services x $reals real servers = $total destinations"
# Service i is 198.18.(i/250).(i%250+1):80; its real j is 198.19.i.(j+1):80 (DR: the port is the virtual's).
generate() {  # FORMAT: lvsd | ipvsadm | keepalived
	awk -v S="$services" -v R="$reals" -v fmt="$1" 'BEGIN {
		if (fmt == "lvsd") print "reconcile-interval = 1h"
		if (fmt == "keepalived") print "global_defs { router_id bench }"
		for (i = 0; i < S; i++) {
			vip = sprintf("198.18.%d.%d", int(i / 250), i % 250 + 1)
			# No health checks on either side: every real server counts as up.
			if (fmt == "lvsd") printf "virtual v%d {\n  address = \"%s:80\"\n  check { type = none }\n", i, vip
			if (fmt == "ipvsadm") printf "-A -t %s:80 -s wlc\n", vip
			if (fmt == "keepalived")
				printf "virtual_server %s 80 {\n  lb_algo wlc\n  lb_kind DR\n  protocol TCP\n", vip
			for (j = 0; j < R; j++) {
				rip = sprintf("198.19.%d.%d", i, j + 1)
				if (fmt == "lvsd") printf "  real r%d { address = \"%s:80\" weight = 1 }\n", j, rip
				if (fmt == "ipvsadm") printf "-a -t %s:80 -r %s:80 -g -w 1\n", vip, rip
				if (fmt == "keepalived") printf "  real_server %s 80 { weight 1 }\n", rip
			}
			if (fmt != "ipvsadm") print "}"
		}
	}'
}
generate lvsd > "$work/lvsd.conf"
generate ipvsadm > "$work/ipvsadm.rules"
generate keepalived > "$work/keepalived.conf"
ops_cold=$(wc -l < "$work/ipvsadm.rules")

# The one-line change: one real server's weight, in the middle of the table.
half=$((services / 2))
change_vs=198.18.$((half / 250)).$((half % 250 + 1)):80
change_rs=198.19.$half.$((reals / 2 + 1)):80
one_line_change() {  # FILE: sed expression per format
	case $1 in
	*lvsd.conf) sed -i "s|\"$change_rs\" weight = 1|\"$change_rs\" weight = 7|" "$1" ;;
	*keepalived.conf) sed -i "s|real_server ${change_rs%:*} 80 { weight 1 }|real_server ${change_rs%:*} 80 { weight 7 }|" "$1" ;;
	esac
}
# Applies the one-line change to FILE, signals PID to reload, and appends the
# seconds until the kernel shows it to OUT.
time_change() {  # FILE PID OUT
	local t0 t1
	one_line_change "$1"
	t0=$(now)
	kill -HUP "$2"
	wait_weight "$change_vs" "$change_rs" 7
	t1=$(now)
	secs $((t1 - t0)) >> "$3"
	echo >> "$3"
}
undo_change() {
	sed -i 's/weight = 7/weight = 1/; s/{ weight 7 }/{ weight 1 }/' "$work/lvsd.conf" "$work/keepalived.conf"
}

# directord's cold start, then its one-line change.
directord_run() {
	reset_ipvs
	: > "$work/directord.log"
	t0=$(now)
	"$directord" -f "$work/lvsd.conf" -R "$work/run" 2> "$work/directord.log" &
	pid=$!
	wait_done "$work/directord.log" 'start: '
	t1=$done_at
	echo "$(secs $((t1 - t0)))" >> "$work/d.cold"
	grep -Eo 'start: [0-9]+ operations' "$work/directord.log" | grep -Eo '[0-9]+' >> "$work/d.cold.ops"
	# Its own timing of read, diff and apply.
	grep -Eo 'start: .* in [0-9.]+ s' "$work/directord.log" | grep -Eo '[0-9.]+ s$' | grep -Eo '[0-9.]+' >> "$work/d.apply"
	# Peak memory and CPU time of the cold start.
	awk '/VmHWM/ { print $2 }' /proc/$pid/status >> "$work/d.rss"
	awk '{ print ($14 + $15) / 100 }' /proc/$pid/stat >> "$work/d.cpu"
	time_change "$work/lvsd.conf" "$pid" "$work/d.change"
	until grep -q 'reload: ' "$work/directord.log"; do sleep 0.01; done
	grep -Eo 'reload: [0-9]+ operations' "$work/directord.log" | grep -Eo '[0-9]+' >> "$work/d.change.ops"
	kill -TERM "$pid"; wait "$pid" || true
	undo_change
}

# keepalived, checker process only, no checks: real servers count as up.
keepalived_run() {
	reset_ipvs
	rm -f "$work"/keepalived*.pid
	: > "$work/keepalived.log"
	t0=$(now)
	keepalived --dont-fork --check --log-console -f "$work/keepalived.conf" \
		-p "$work/keepalived.pid" -c "$work/keepalived-checkers.pid" \
		> "$work/keepalived.log" 2>&1 &
	kpid=$!
	wait_done "$work/keepalived.log" 'Startup complete'
	t1=$done_at
	echo "$(secs $((t1 - t0)))" >> "$work/k.cold"
	time_change "$work/keepalived.conf" "$kpid" "$work/k.change"
	kill -TERM "$kpid"; wait "$kpid" || true
	# Its checker process still removes its services for a while: the next
	# tool must not share the kernel with it.
	while pgrep -x keepalived >/dev/null; do sleep 0.1; done
	undo_change
}

# Warm-up, untimed: the binaries and their libraries come over 9p into the
# page cache once, for every tool alike.
"$directord" -t -f "$work/lvsd.conf" >/dev/null
keepalived --version >/dev/null 2>&1 || true
ipvsadm -v >/dev/null

for ((run = 1; run <= runs; run++)); do
	echo "# run $run"
	# The two daemons back to back, in turns first: this machine's speed
	# drifts, and a run's ratio should see the same machine on both sides.
	if ((run % 2)); then
		directord_run
		keepalived_run
	else
		keepalived_run
		directord_run
	fi
	awk -v k="$(tail -n 1 "$work/k.cold")" -v d="$(tail -n 1 "$work/d.cold")" 'BEGIN { printf "%.2f\n", k / d }' >> "$work/ratio"

	# ipvsadm -R
	reset_ipvs
	t0=$(now)
	ipvsadm -R < "$work/ipvsadm.rules"
	t1=$(now)
	wait_dests "$total"
	echo "$(secs $((t1 - t0)))" >> "$work/i.cold"

	# directord's configuration check alone, for the breakdown, and the
	# references: libconfuse alone on the file, starting the same binary,
	# the bare netlink requests on an empty table.
	t0=$(now)
	"$directord" -t -f "$work/lvsd.conf" >/dev/null
	t1=$(now)
	secs $((t1 - t0)) >> "$work/d.parse"
	echo >> "$work/d.parse"
	"$build/confuse-floor" "$work/lvsd.conf" >> "$work/d.floor"
	t0=$(now)
	"$directord" --version >/dev/null
	t1=$(now)
	secs $((t1 - t0)) >> "$work/d.exec"
	echo >> "$work/d.exec"
	reset_ipvs
	"$build/netlink-floor" "$services" "$reals" >> "$work/d.netlink"
done
ipvsadm -C

d_cold=$(median < "$work/d.cold")
i_cold=$(median < "$work/i.cold")
k_cold=$(median < "$work/k.cold")
d_change=$(median < "$work/d.change")
k_change=$(median < "$work/k.change")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

echo
for f in d.parse d.floor d.exec d.netlink d.apply d.cold i.cold k.cold ratio d.change k.change; do
	echo "# per run, $f: $(grep -v '^$' "$work/$f" | tr '\n' ' ')"
done
echo
echo "ipvs-apply: $services services x $reals real servers = $total destinations; medians of $runs runs"
printf '%-26s %14s %12s %18s %12s\n' "" "cold start (s)" "operations" "one-line change (s)" "operations"
printf '%-26s %14s %12s %18s %12s\n' "directord" "$d_cold" "$(median < "$work/d.cold.ops")" \
	"$d_change" "$(median < "$work/d.change.ops")"
printf '%-26s %14s %12s %18s %12s\n' "ipvsadm -R" "$i_cold" "$ops_cold" "(no diff: -C, -R)" "$((ops_cold + 1))"
printf '%-26s %14s %12s %18s %12s\n' "keepalived (no checkers)" "$k_cold" "$ops_cold" "$k_change" "-"
echo "directord cold start: CPU $(median < "$work/d.cpu") s, peak RSS $(median < "$work/d.rss") kB;" \
	"of which loading the configuration (directord -t) $(median < "$work/d.parse") s" \
	"(libconfuse alone, bench/confuse-floor: $(median < "$work/d.floor") s)," \
	"reading, diffing and applying (its log) $(median < "$work/d.apply") s"
echo "for reference, same boot: starting directord (--version) $(median < "$work/d.exec") s," \
	"libconfuse alone on the file (bench/confuse-floor) $(median < "$work/d.floor") s," \
	"bare netlink requests on one socket (bench/netlink-floor) $(median < "$work/d.netlink") s;" \
	"a third of keepalived's cold start: $(awk -v k="$k_cold" 'BEGIN { printf "%.3f", k / 3 }') s"
echo "ratio cold start: ipvsadm -R / directord = $(ratio "$i_cold" "$d_cold"), keepalived / directord = $(ratio "$k_cold" "$d_cold")" \
	"(median of the runs' own ratios: $(median < "$work/ratio")x)"
echo "ratio one-line change: keepalived / directord = $(ratio "$k_change" "$d_change")"
d_best=$(sort -g "$work/d.cold" | head -n 1)
k_best=$(sort -g "$work/k.cold" | head -n 1)
echo "fastest cold starts (this machine's speed drifts): directord $d_best s, keepalived $k_best s" \
	"($(ratio "$k_best" "$d_best")), ipvsadm -R $(sort -g "$work/i.cold" | head -n 1) s"
