# SPDX-License-Identifier: GPL-2.0
# Helpers for the e2e suites (bash, sourced). Each suite prints one TAP line
# per claim: "ok - SUITE: NAME" or "not ok - SUITE: NAME", with the output
# of a failed check as "# " comments. A setup step that fails aborts the
# suite with a "not ok" naming the line.

set -eE -o pipefail
SUITE=${SUITE:-$(basename "$0" .sh)}
CHECK_LOG=$(mktemp)
SUITE_FAILED=0
NETNS_CREATED=()

trap 'echo "not ok - $SUITE: setup failed at line $LINENO: $BASH_COMMAND"; exit 1' ERR
trap 'suite_cleanup' EXIT

suite_cleanup() {
	local ns
	for ns in "${NETNS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -f "$CHECK_LOG"
}

pass() { echo "ok - $SUITE: $1"; }

fail() {
	echo "not ok - $SUITE: $1"
	[ -s "$CHECK_LOG" ] && sed 's/^/#   /' "$CHECK_LOG"
	SUITE_FAILED=1
}

# check NAME CMD...: one claim; passes when CMD exits 0.
check() {
	local name=$1
	shift
	if "$@" >"$CHECK_LOG" 2>&1; then
		pass "$name"
	else
		fail "$name"
	fi
}

# check_fails NAME STATUS REGEX CMD...: passes when CMD exits with STATUS
# and its output matches REGEX (the clear error the user gets).
check_fails() {
	local name=$1 want=$2 regex=$3 rc=0
	shift 3
	"$@" >"$CHECK_LOG" 2>&1 || rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$regex" "$CHECK_LOG"; then
		pass "$name"
	else
		echo "exit status $rc, wanted $want; output should match: $regex" >>"$CHECK_LOG"
		fail "$name"
	fi
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# netns_add NAME: a namespace deleted when the suite ends.
netns_add() {
	ip netns add "$1"
	NETNS_CREATED+=("$1")
	ip -n "$1" link set lo up
}

module_loaded() { grep -q '^svcnet ' /proc/modules; }

suite_end() {
	exit $SUITE_FAILED
}
