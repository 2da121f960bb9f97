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

# (-S: no site module; the tool needs the standard library only, and
# site's path files cost a quarter of a second a run on the debug kernel)
LB="python3 -S $(py lbtool)"
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
	lbq "$1" hits "${@:2}"
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

# lb_topology: build it all, and delete it when the suite ends. (The
# commands go to ip in batches, one for the host and one per namespace:
# on the debug kernel every process started costs a fifth of a second.)
lb_topology() {
	local n p
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for p in cl be1 be2 be3; do
		NETNS_CREATED+=("$TOPO-$p")
	done
	{
		for p in cl be1 be2 be3; do
			echo "netns add $TOPO-$p"
			echo "link add $TOPO-$p type veth peer name eth0 netns $TOPO-$p"
		done
		echo "addr add 10.0.9.1/24 dev $TOPO-cl"
		echo "addr add fd00:9::1/64 dev $TOPO-cl nodad"
		echo "link set $TOPO-cl up"
		for n in 1 2 3; do
			echo "addr add 10.0.$n.1/24 dev $TOPO-be$n"
			echo "addr add fd00:$n::1/64 dev $TOPO-be$n nodad"
			echo "link set $TOPO-be$n up"
		done
	} | ip -b -
	for n in 1 2 3; do
		ip netns exec "$TOPO-be$n" $LB serve "be$n" 8080 >"$TMPD/be$n.log" 2>&1 &
		PIDS+=($!)
	done
	ip -n $TOPO-cl -b - <<-EOF
		link set lo up
		addr add 10.0.9.2/24 dev eth0
		addr add fd00:9::2/64 dev eth0 nodad
		link set eth0 up
		route add default via 10.0.9.1
		route add default via fd00:9::1
	EOF
	for n in 1 2 3; do
		ip -n "$TOPO-be$n" -b - <<-EOF
			link set lo up
			addr add 10.0.$n.2/24 dev eth0
			addr add fd00:$n::2/64 dev eth0 nodad
			link set eth0 up
			route add default via 10.0.$n.1
			route add default via fd00:$n::1
		EOF
	done
	lb_agent host
	lb_agent "$TOPO-cl"
	for n in 1 2 3; do
		wait_for 90 grep -q serving "$TMPD/be$n.log"
	done

	ip link add svc0 type svcnet
	ip link set svc0 up
	# SVCNET_FAST_PATH=off: the suite runs with svc0's fast path off
	if [ "${SVCNET_FAST_PATH:-on}" = off ]; then
		$svcnet set svc0 fast-path off
	fi
}
