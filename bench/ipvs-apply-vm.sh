#!/usr/bin/env bash
# The VM side of bench/ipvs-apply. Every tool starts from an empty table and
# is timed until /proc/net/ip_vs holds every destination (the same poll for
# all three), so process start, parsing, diffing and logging are included.
set -euo pipefail

build=$1 runs=$2 services=$3 reals=$4
total=$((services * reals))
work=$(mktemp -d /tmp/ipvs-apply.XXXXXX)
directord=$build/directord/directord

now() { date +%s%N; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
dests() { grep -c '^  ->' /proc/net/ip_vs || true; }
wait_dests() {
	while [ "$(dests)" -lt "$1" ]; do sleep 0.01; done
}
# Waits until ipvsadm shows real server $2 of service $1 with weight $3.
wait_weight() {
	until ipvsadm -Ln -t "$1" | grep -Eq "^  -> $2 +Route +$3 "; do sleep 0.01; done
}

vip() { echo "198.18.$(($1 / 250)).$(($1 % 250 + 1))"; }
rip() { echo "198.19.$1.$(($2 + 1))"; }

echo "# generating $services services x $reals real servers = $total destinations"
{
	echo "reconcile-interval = 1h"
	for ((i = 0; i < services; i++)); do
		echo "virtual v$i {"
		echo "  address = \"$(vip $i):80\""
		for ((j = 0; j < reals; j++)); do
			echo "  real r$j { address = \"$(rip $i $j):8080\" weight = 1 }"
		done
		echo "}"
	done
} > "$work/lvsd.conf"
{
	for ((i = 0; i < services; i++)); do
		echo "-A -t $(vip $i):80 -s wlc"
		for ((j = 0; j < reals; j++)); do
			echo "-a -t $(vip $i):80 -r $(rip $i $j):8080 -g -w 1"
		done
	done
} > "$work/ipvsadm.rules"
{
	echo "global_defs { router_id bench }"
	for ((i = 0; i < services; i++)); do
		echo "virtual_server $(vip $i) 80 {"
		echo "  lb_algo wlc"
		echo "  lb_kind DR"
		echo "  protocol TCP"
		for ((j = 0; j < reals; j++)); do
			echo "  real_server $(rip $i $j) 8080 { weight 1 }"
		done
		echo "}"
	done
} > "$work/keepalived.conf"
ops_cold=$(wc -l < "$work/ipvsadm.rules")

# The one-line change: one real server's weight, in the middle of the table.
change_vs=$(vip $((services / 2))):80
change_rs=$(rip $((services / 2)) $((reals / 2))):8080
one_line_change() {  # FILE: sed expression per format
	case $1 in
	*lvsd.conf) sed -i "s|\"$change_rs\" weight = 1|\"$change_rs\" weight = 7|" "$1" ;;
	*keepalived.conf) sed -i "s|real_server ${change_rs%:*} 8080 { weight 1 }|real_server ${change_rs%:*} 8080 { weight 7 }|" "$1" ;;
	esac
}
undo_change() {
	sed -i 's/weight = 7/weight = 1/; s/{ weight 7 }/{ weight 1 }/' "$work/lvsd.conf" "$work/keepalived.conf"
}

for ((run = 1; run <= runs; run++)); do
	echo "# run $run"
	# directord
	ipvsadm -C
	t0=$(now)
	"$directord" -f "$work/lvsd.conf" -R "$work/run" 2> "$work/directord.log" &
	pid=$!
	wait_dests "$total"
	t1=$(now)
	echo "$(secs $((t1 - t0)))" >> "$work/d.cold"
	grep -Eo 'start: [0-9]+ operations' "$work/directord.log" | grep -Eo '[0-9]+' >> "$work/d.cold.ops"
	# Peak memory and CPU time of the cold start.
	awk '/VmHWM/ { print $2 }' /proc/$pid/status >> "$work/d.rss"
	awk '{ print ($14 + $15) / 100 }' /proc/$pid/stat >> "$work/d.cpu"
	one_line_change "$work/lvsd.conf"
	t0=$(now)
	kill -HUP "$pid"
	wait_weight "$change_vs" "$change_rs" 7
	t1=$(now)
	echo "$(secs $((t1 - t0)))" >> "$work/d.change"
	until grep -q 'reload: ' "$work/directord.log"; do sleep 0.01; done
	grep -Eo 'reload: [0-9]+ operations' "$work/directord.log" | grep -Eo '[0-9]+' >> "$work/d.change.ops"
	kill -TERM "$pid"; wait "$pid" || true
	undo_change

	# ipvsadm -R
	ipvsadm -C
	t0=$(now)
	ipvsadm -R < "$work/ipvsadm.rules"
	wait_dests "$total"
	t1=$(now)
	echo "$(secs $((t1 - t0)))" >> "$work/i.cold"

	# keepalived, checker process only, no checks: real servers count as up.
	ipvsadm -C
	rm -f "$work"/keepalived*.pid
	t0=$(now)
	keepalived --dont-fork --check --log-console -f "$work/keepalived.conf" \
		-p "$work/keepalived.pid" -c "$work/keepalived-checkers.pid" \
		> "$work/keepalived.log" 2>&1 &
	kpid=$!
	wait_dests "$total"
	t1=$(now)
	echo "$(secs $((t1 - t0)))" >> "$work/k.cold"
	one_line_change "$work/keepalived.conf"
	t0=$(now)
	kill -HUP "$kpid"
	wait_weight "$change_vs" "$change_rs" 7
	t1=$(now)
	echo "$(secs $((t1 - t0)))" >> "$work/k.change"
	kill -TERM "$kpid"; wait "$kpid" || true
	undo_change
done
ipvsadm -C

d_cold=$(median < "$work/d.cold")
i_cold=$(median < "$work/i.cold")
k_cold=$(median < "$work/k.cold")
d_change=$(median < "$work/d.change")
k_change=$(median < "$work/k.change")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

echo
echo "ipvs-apply: $services services x $reals real servers = $total destinations; medians of $runs runs"
printf '%-26s %14s %12s %18s %12s\n' "" "cold start (s)" "operations" "one-line change (s)" "operations"
printf '%-26s %14s %12s %18s %12s\n' "directord" "$d_cold" "$(median < "$work/d.cold.ops")" \
	"$d_change" "$(median < "$work/d.change.ops")"
printf '%-26s %14s %12s %18s %12s\n' "ipvsadm -R" "$i_cold" "$ops_cold" "(no diff: -C, -R)" "$((ops_cold + 1))"
printf '%-26s %14s %12s %18s %12s\n' "keepalived (no checkers)" "$k_cold" "$ops_cold" "$k_change" "-"
echo "directord cold start: CPU $(median < "$work/d.cpu") s, peak RSS $(median < "$work/d.rss") kB"
echo "ratio cold start: ipvsadm -R / directord = $(ratio "$i_cold" "$d_cold"), keepalived / directord = $(ratio "$k_cold" "$d_cold")"
echo "ratio one-line change: keepalived / directord = $(ratio "$k_change" "$d_change")"
