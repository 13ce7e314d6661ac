#!/usr/bin/env bash
# What `-t` of every daemon and `lvsctl check-config` tell an operator: the
# problems on stderr naming FILE:LINE, "configuration OK" on stdout, exit 0
# for a file that loads (warnings or not) and 1 for one that does not.
# Run by `make check`, with top_builddir and FIXTURES set.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
build=${top_builddir:?}
fixtures=${FIXTURES:?}
work=$(mktemp -d /tmp/lvsd-check-config.XXXXXX)
trap 'rm -rf "$work"' EXIT

# run NAME COMMAND...: sets rc, out (stdout) and err (stderr).
run() {
	"$@" > "$work/out" 2> "$work/err"
	rc=$?
	out=$(cat "$work/out") err=$(cat "$work/err")
}

good=$fixtures/minimal.conf
warned=$fixtures/warn-scheduler-unknown.conf
bad=$fixtures/warn-scheduler-and-error.conf

for tool in directord healthd heartbeatd syncd lvsctl; do
	if [ $tool = lvsctl ]; then
		check() { run "$build/lvsctl/lvsctl" check-config "$1"; }
	else
		check() { run "$build/$tool/$tool" -t -f "$1"; }
	fi
	check "$good"
	expect_eq "$tool: a good file: exit 0, OK on stdout, nothing on stderr" \
		"0|$good: configuration OK|" "$rc|$out|$err"
	check "$warned"
	expect_eq "$tool: a file with a warning still loads: exit 0, OK with the count" \
		"0|$warned: configuration OK, with 1 warning" "$rc|$out"
	expect_eq "$tool: and the warning on stderr, naming FILE:LINE" \
		"$warned:4: warning: scheduler 'wrrr' is none of the kernel's (rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos): it loads only from a module of its own" \
		"$err"
	check "$bad"
	expect_eq "$tool: a bad file: exit 1, nothing on stdout" "1|" "$rc|$out"
	expect_match "$tool: its error on stderr, naming FILE:LINE" "^$bad:5: weight 'heavy': not a whole number$" "$err"
	expect_match "$tool: and its warning, before it in file order" "^$bad:4: warning: scheduler 'roundrobin'" \
		"$(head -1 <<< "$err")"
	check "$work/no-such.conf"
	expect_eq "$tool: a missing file: exit 1, named" "1|$work/no-such.conf: cannot open: No such file or directory" \
		"$rc|$err"
done

summary
