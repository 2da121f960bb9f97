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
# each claim's time, setup since the claim before included: the slowest
# are printed when the suite ends
# (microseconds, bash's own arithmetic: no process per claim)
CHECK_T0=${EPOCHREALTIME/./}
CHECK_TIMES=$(mktemp)

# nap S: sleep S seconds without starting a process (a read that times
# out on a FIFO nobody writes; a sleep process costs ~0.4 s on the debug
# kernel under emulation)
NAP_FIFO=$(mktemp -u)
mkfifo "$NAP_FIFO"
exec {NAP_FD}<>"$NAP_FIFO"
nap() { read -r -t "$1" -u "$NAP_FD" _ || true; }

trap 'echo "not ok - $SUITE: setup failed at line $LINENO: $BASH_COMMAND"; exit 1' ERR
trap 'suite_cleanup' EXIT

suite_cleanup() {
	local ns
	for ns in "${NETNS_CREATED[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -f "$CHECK_LOG" "$CHECK_TIMES" "$NAP_FIFO"
}

# claim_time NAME: note the time since the claim before
claim_time() {
	local now=${EPOCHREALTIME/./}
	echo "$(((now - CHECK_T0) / 1000)) $1" >>"$CHECK_TIMES"
	CHECK_T0=$now
}

pass() { claim_time "$1"; echo "ok - $SUITE: $1"; }

fail() {
	claim_time "$1"
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
		nap 0.1
	done
}

# netns_add NAME: a namespace deleted when the suite ends.
netns_add() {
	ip netns add "$1"
	NETNS_CREATED+=("$1")
	ip -n "$1" link set lo up
}

# scale GATE FULL: the count for SVCNET_SCALE, gate (make check, the
# default) or full (make check-full); suites print what they use.
scale() {
	if [ "${SVCNET_SCALE:-gate}" = full ]; then echo "$2"; else echo "$1"; fi
}

# counts NAME...: a TAP comment with the named counts and the scale
counts() {
	local v line="# $SUITE counts (scale ${SVCNET_SCALE:-gate}):"
	for v in "$@"; do line+=" $v=${!v}"; done
	echo "$line"
}

# py NAME: the file to give python3 for tests/e2e/NAME.py: its bytecode,
# compiled by tests/vm/run before the VM started (in $SVCNET_OUT/pyc, which
# only root reads), else the source
py() {
	if [ -r "${SVCNET_OUT:-/nonexistent}/pyc/$1.pyc" ]; then
		echo "$SVCNET_OUT/pyc/$1.pyc"
	else
		echo "tests/e2e/$1.py"
	fi
}

# cbin NAME: tests/e2e/NAME.c built: by tests/vm/run before the VM started
# (in $SVCNET_OUT/bin), else here into $TMPD; prints its path. Extra
# arguments go to the compiler (libraries).
cbin() {
	local name=$1
	shift
	if [ -x "${SVCNET_OUT:-/nonexistent}/bin/$name" ]; then
		echo "$SVCNET_OUT/bin/$name"
		return
	fi
	cc -O2 -o "$TMPD/$name" "tests/e2e/$name.c" "$@" && echo "$TMPD/$name"
}

# lb_agent NS: a resident lbtool in NS (lbtool.py agent), which lbq uses.
# The suite defines LB (how to start lbtool.py), in_ns, TMPD and PIDS.
lb_agent() {
	in_ns "$1" $LB agent "$TMPD/agent-$1" >"$TMPD/agent-$1.log" 2>&1 &
	PIDS+=($!)
}

# lbq NS ARG...: "lbtool ARG..." in namespace NS, by NS's agent when it
# has one and it is free (no process started: Python's start-up in a
# namespace costs seconds on the debug kernel under emulation), else by a
# new process. The same output, stderr and exit status either way.
lbq() {
	local ns=$1 d=$TMPD/agent-$1 line rc=1 rfd
	shift
	# the claim: a lock file created with O_EXCL (noclobber); the agent
	# removes it before its answer ends
	if ! [ -p "$d/rep" ] || ! { set -C; : >"$d/lock"; } 2>/dev/null; then
		set +C
		in_ns "$ns" $LB "$@"
		return
	fi
	set +C
	# (the answer's FIFO open before the request: no answer is lost)
	exec {rfd}<>"$d/rep"
	local IFS=$'\t'
	printf '%s\n' "$*" 1<>"$d/req"
	while IFS= read -r -t 300 -u "$rfd" line; do
		case $line in
		$'\x01'*) rc=${line#?}; break ;;
		$'\x02'*) printf '%s\n' "${line#?}" >&2 ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
	exec {rfd}<&-
	return "$rc"
}

module_loaded() { grep -q '^svcnet ' /proc/modules; }

suite_end() {
	# (awk reads all: head would leave sort to die of SIGPIPE, pipefail)
	sort -rn "$CHECK_TIMES" |
		awk 'NR <= 5 { t = $1; $1 = ""; printf "# slowest claim: %.1f s,%s\n", t / 1000, $0 }'
	exit $SUITE_FAILED
}
