# SPDX-License-Identifier: GPL-2.0
# The balancing topology of the e2e suites (bash, sourced after lib.sh):
# a client namespace, three backend namespaces serving TCP and UDP on 8080
# (tests/e2e/lbtool.py serve), routed through the host, and svc0 on the
# host. Namespaces are named after $TOPO (e.g. dp-cl, dp-be1).
#
#            namespace $TOPO-cl (forwarded client)
#            10.0.9.2  fd00:9::2
#                   | veth
#   +---------------+-----------------------------------------------+
#   | host          10.0.9.1  fd00:9::1        (local clients too)  |
#   |   svc0 (svcnet)                                               |
#   |   10.0.N.1  fd00:N::1 (N = 1, 2, 3)                           |
#   +------+----------------+----------------+----------------------+
#          | veth           | veth           | veth
#    $TOPO-be1 10.0.1.2  $TOPO-be2 10.0.2.2  $TOPO-be3 10.0.3.2  (fd00:N::2)
#     "be1"            "be2"            "be3"   serve TCP+UDP :8080

LB="python3 $(dirname "$0")/lbtool.py"
svcnet=userspace-tools/svcnet
VIP=10.96.0.1
VIP6=fd00:96::1
PIDS=()
TMPD=$(mktemp -d)

cleanup_topology() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	if grep -q "^iptable_nat " /proc/modules; then iptables -t nat -F; fi
	ip link del svc0 2>/dev/null || true
	# the host ends of the veths go now, not when the namespaces are
	# freed later: the next suite reuses their addresses
	for p in cl be1 be2 be3; do
		ip link del "$TOPO-$p" 2>/dev/null || true
	done
	rm -rf "$TMPD"
	suite_cleanup
}
trap cleanup_topology EXIT

# in NS: run CMD in namespace NS ("host" for the host)
in_ns() {
	local ns=$1
	shift
	if [ "$ns" = host ]; then
		"$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

# count_is JSON NAME N: the JSON counts give NAME exactly N hits
count_is() {
	[ "$(jq -r --arg n "$2" '.[$n] // 0' <<<"$1")" = "$3" ] ||
		{ echo "counts $1: $2 should have $3"; return 1; }
}

# counts_are JSON "be1=N be2=M ...": exact distribution
counts_are() {
	local json=$1 kv
	for kv in $2; do
		count_is "$json" "${kv%%=*}" "${kv#*=}" || return 1
	done
}

# each_between JSON LO HI NAMES...: every NAME got between LO and HI hits
each_between() {
	local json=$1 lo=$2 hi=$3 n c
	shift 3
	for n in "$@"; do
		c=$(jq -r --arg n "$n" '.[$n] // 0' <<<"$json")
		[ "$c" -ge "$lo" ] && [ "$c" -le "$hi" ] ||
			{ echo "counts $json: $n has $c, not in $lo..$hi"; return 1; }
	done
}

hits() {
	in_ns "$1" $LB hits "${@:2}"
}

# monitor_probe FILE: add and remove a service; true once FILE, the output
# of "svcnet -j monitor", shows the removal. Events are asynchronous: the
# probe marks the end of those that came before it.
monitor_probe() {
	$svcnet service add svc0 udp 10.96.9.9:9 no-route &&
		$svcnet service del svc0 udp 10.96.9.9:9 &&
		grep -q '"service del".*10.96.9.9' "$1"
}

# drops REASON: svc0's drop counter for REASON (e.g. no-backend)
drops() { $svcnet -j -s show svc0 | jq ".[0].stats.drops.\"$1\""; }

# json_eq ACTUAL EXPECTED: the same JSON value
json_eq() {
	jq -en --argjson a "$1" --argjson b "$2" '$a == $b' >/dev/null ||
		{ echo "got $1, expected $2"; return 1; }
}

# lb_topology: build it all, and delete it when the suite ends
lb_topology() {
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	netns_add "$TOPO-cl"
	ip link add $TOPO-cl type veth peer name eth0 netns $TOPO-cl
	ip addr add 10.0.9.1/24 dev $TOPO-cl
	ip addr add fd00:9::1/64 dev $TOPO-cl nodad
	ip link set $TOPO-cl up
	ip -n $TOPO-cl addr add 10.0.9.2/24 dev eth0
	ip -n $TOPO-cl addr add fd00:9::2/64 dev eth0 nodad
	ip -n $TOPO-cl link set eth0 up
	ip -n $TOPO-cl route add default via 10.0.9.1
	ip -n $TOPO-cl -6 route add default via fd00:9::1
	for n in 1 2 3; do
		netns_add "$TOPO-be$n"
		ip link add "$TOPO-be$n" type veth peer name eth0 netns "$TOPO-be$n"
		ip addr add "10.0.$n.1/24" dev "$TOPO-be$n"
		ip addr add "fd00:$n::1/64" dev "$TOPO-be$n" nodad
		ip link set "$TOPO-be$n" up
		ip -n "$TOPO-be$n" addr add "10.0.$n.2/24" dev eth0
		ip -n "$TOPO-be$n" addr add "fd00:$n::2/64" dev eth0 nodad
		ip -n "$TOPO-be$n" link set eth0 up
		ip -n "$TOPO-be$n" route add default via "10.0.$n.1"
		ip -n "$TOPO-be$n" -6 route add default via "fd00:$n::1"
		ip netns exec "$TOPO-be$n" $LB serve "be$n" 8080 >"$TMPD/be$n.log" 2>&1 &
		PIDS+=($!)
	done
	for n in 1 2 3; do
		wait_for 20 grep -q serving "$TMPD/be$n.log"
	done

	ip link add svc0 type svcnet
	ip link set svc0 up
	# SVCNET_FAST_PATH=off: the suite runs with svc0's fast path off
	if [ "${SVCNET_FAST_PATH:-on}" = off ]; then
		$svcnet set svc0 fast-path off
	fi
}
