# Shell helpers for lvsd's scenario tests (sourced, bash).
#
# Each scenario calls `pass NAME` / `fail NAME DETAIL` (or the expect_*
# helpers), and `summary` at the end prints "N passed, N failed" and returns
# non-zero if anything failed.

TESTS_PASSED=0
TESTS_FAILED=0
TESTS_FAILED_NAMES=()

pass() {
	TESTS_PASSED=$((TESTS_PASSED + 1))
	echo "ok - $1"
}

fail() {
	TESTS_FAILED=$((TESTS_FAILED + 1))
	TESTS_FAILED_NAMES+=("$1")
	echo "FAIL - $1"
	[ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/#   /'
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -40)"
	fi
}

# expect_match NAME EXTENDED_REGEX TEXT
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "no line matches /$2/ in:
$(printf '%s\n' "$3" | tail -20)"
	fi
}

# expect_no_match NAME EXTENDED_REGEX TEXT
expect_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		fail "$1" "unexpected match of /$2/: $(printf '%s\n' "$3" | grep -E -- "$2" | head -5)"
	else
		pass "$1"
	fi
}

# wait_for SECONDS CMD...: polls every 50 ms until CMD succeeds.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt $((limit * 20)) ] || return 1
		sleep 0.05
	done
}

summary() {
	echo
	if [ "$TESTS_FAILED" -gt 0 ]; then
		printf 'failed: %s\n' "${TESTS_FAILED_NAMES[@]}"
	fi
	echo "$TESTS_PASSED passed, $TESTS_FAILED failed"
	[ "$TESTS_FAILED" -eq 0 ]
}
