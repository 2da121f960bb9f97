#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration churn under traffic: four processes change services,
# backends, weights and whole device configurations (APPLY) at once,
# 10400 operations in all, while clients open connections to a stable
# service and to the churned ones and a long-lived stream flows through
# the stable service. Afterwards the stream is byte-exact and was never
# cut, every connection to the stable service succeeded, and the counters
# and the flow table agree with each other and with the services.
#
#            namespace ch-cl 10.0.9.2
#            stream + loop -> 10.96.0.1:80 (stable, svc0)
#            loop -> 10.96.1.5:80 (churned, svc0), 10.96.2.3:80 (svc1)
#                   |
#   +---------------+-------------------------------------------------+
#   | host   svc0: 10.96.0.1:80 be1-3 (weights churned)                |
#   |              10.96.1.0/24 <- churn.py workers 0-3                |
#   |        svc1: 10.96.2.0/24 <- APPLY from the workers              |
#   +------+----------------+----------------+------------------------+
#          |                |                |
#       ch-be1           ch-be2           ch-be3   (:8080)
. "$(dirname "$0")/../lib.sh"
TOPO=ch
. "$(dirname "$0")/../lb-topology.sh"

CHURN_OPS=${CHURN_OPS:-$(scale 200 2600)}	# per worker, 4 workers
counts CHURN_OPS
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }

modprobe svcnet
lb_topology
ip link add svc1 type svcnet
ip link set svc1 up
ip route add 10.96.1.0/24 dev svc0
ip route add 10.96.2.0/24 dev svc1
$svcnet service add svc0 tcp $VIP:80
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:80 "10.0.$n.2:8080"
done
gen0=$($svcnet -j show svc0 | jq '.[0].generation')

rm -f "$TMPD/stop" "$TMPD/streaming"
ip netns exec ch-cl $LB stream $VIP 80 "$TMPD" >"$TMPD/stream.json" &
streamer=$!
wait_for 90 test -e "$TMPD/streaming"
ip netns exec ch-cl $LB loop $VIP 80 "$TMPD" >"$TMPD/loop-stable.json" &
l1=$!
ip netns exec ch-cl $LB loop 10.96.1.5 80 "$TMPD" >"$TMPD/loop-churned.json" &
l2=$!
ip netns exec ch-cl $LB loop 10.96.2.3 80 "$TMPD" >"$TMPD/loop-apply.json" &
l3=$!

workers=()
for w in 0 1 2 3; do
	python3 "$(py churn)" $w "$CHURN_OPS" $((w + 100)) $VIP >"$TMPD/churn$w.json" &
	workers+=($!)
done
rc=0
for p in "${workers[@]}"; do
	wait "$p" || rc=$?
done
touch "$TMPD/stop"
wait $streamer $l1 $l2 $l3 || true
cat "$TMPD"/churn?.json "$TMPD"/loop-*.json "$TMPD/stream.json" | sed 's/^/# /'

ops=$(cat "$TMPD"/churn?.json | jq -s 'map(.sent) | add')
check "$((CHURN_OPS * 4)) configuration operations from 4 processes at once" \
	is "$ops" $((CHURN_OPS * 4))
check "every operation answered; errors only EEXIST/ENOENT (the workers' own races)" \
	is "$(cat "$TMPD"/churn?.json | jq -s 'map(.unexpected) | add') $rc" "0 0"
check "the device generation moved with the changes (a tenth of the operations at least)" \
	at_least "$(($($svcnet -j show svc0 | jq '.[0].generation') - gen0))" $((CHURN_OPS * 4 / 10))
check "the long-lived stream through the stable service is byte-exact and was never cut" \
	is "$(jq -r '"\(.ok) \(.error)"' "$TMPD/stream.json")" "true null"
check "and it carried data through the whole churn" \
	at_least "$(jq .lines "$TMPD/stream.json")" 100
check "every new connection to the stable service succeeded" \
	is "$(jq .failed "$TMPD/loop-stable.json")" 0
check "clients used the stable service while the churn ran" \
	at_least "$(jq .ok "$TMPD/loop-stable.json")" 20

# The table and the counters, once traffic stopped. Flows still expire
# (closed connections), never appear: read the counters before and after
# the flow table, and the table must lie between them. Prints what
# disagrees; silent when all agree.
disagree() {
	local flows svcs1 svcs2 c1 c2
	c1=$($svcnet -j config | jq '."flow-count"')
	svcs1=$($svcnet -j -s service show)
	flows=$($svcnet -j flow show | jq -c 'unique_by([.protocol, .client, .client_port, .service, .service_port])')
	svcs2=$($svcnet -j -s service show)
	c2=$($svcnet -j config | jq '."flow-count"')
	# flows whose backend is no backend of their service
	jq -c --argjson s "$svcs1" '.[] | . as $f | select(any($s[];
		.address == $f.service and .port == $f.service_port and
		.protocol == $f.protocol and any(.backends[];
		.address == $f.backend and .port == $f.backend_port)) | not)' <<<"$flows"
	# services whose active count does not bracket their flows in the table
	jq -c --argjson f "$flows" --argjson s2 "$svcs2" '.[] | . as $s |
		([$f[] | select(.service == $s.address and .service_port == $s.port and
		.protocol == $s.protocol)] | length) as $n |
		([$s2[] | select(.address == $s.address and .port == $s.port and
		.protocol == $s.protocol and .ifname == $s.ifname)][0].stats.active) as $a2 |
		select(.stats.active < $n or $a2 > $n) |
		{address, port, active_before: .stats.active, flows: $n, active_after: $a2}' <<<"$svcs1"
	# the namespace's flow count
	n=$(jq length <<<"$flows")
	[ "$c1" -ge "$n" ] && [ "$n" -ge "$c2" ] ||
		echo "flow-count $c1 before, $c2 after, $n flows in the table"
}
agree() {
	local d
	d=$(disagree)
	[ -z "$d" ] || { echo "$d"; return 1; }
}
check "every flow points at a live backend of its service; counters agree with the table" \
	agree
stable() { $svcnet -j -s service show svc0 | jq -c ".[] | select(.address == \"$VIP\")"; }
check "the stable service's connections are the sum of its backends'" \
	jq -e '.stats.connections == ([.backends[].stats.connections] | add)' <<<"$(stable)"
check "and count every connection the clients made to it" \
	at_least "$(jq .stats.connections <<<"$(stable)")" \
	"$(($(jq .ok "$TMPD/loop-stable.json") + 1))"
# Once the churn stopped, the churned services are whatever the last
# operations left: each one with a backend of weight above 0 answers a new
# connection, each one without refuses it at once. The flows of the
# traffic so far are flushed first and the probes use source ports of
# their own (below the ephemeral range, so no client socket holds them),
# so that each probe is a new flow balanced by the service's final state.
settled() {
	local want got rl
	$svcnet flow flush
	# dozens of refusals to one client at once: no ICMP rate limit
	rl=$(sysctl -n net.ipv4.icmp_ratelimit)
	sysctl -qw net.ipv4.icmp_ratelimit=0
	want=$($svcnet -j service show | jq -c --arg vip "$VIP" 'map(select(.address != $vip) |
		{(.address): (if any(.backends[]; .weight > 0) then "answered" else "refused" end)}) | add // {}')
	# shellcheck disable=SC2046
	got=$(lbq ch-cl probe 80 $(jq -r 'keys[]' <<<"$want") --sport 20000)
	sysctl -qw net.ipv4.icmp_ratelimit="$rl"
	echo "# $(jq length <<<"$want") churned services: $(jq -c '[.[]] | group_by(.) | map({(.[0]): length}) | add' <<<"$got")"
	jq -e --argjson w "$want" '. == $w' <<<"$got" >/dev/null && return 0
	jq -c --argjson w "$want" 'to_entries | map(select(.value != $w[.key]))' <<<"$got"
	for a in $(jq -r --argjson w "$want" 'to_entries | map(select(.value != $w[.key])) | .[].key' <<<"$got"); do
		$svcnet -j -s service show | jq -c --arg a "$a" '.[] | select(.address == $a)'
	done
	$svcnet -j -s show | jq -c '.[] | {ifname, drops: .stats.drops}'
	return 1
}
check "after the churn every churned service with a weighted backend answers, every other refuses" \
	settled
$svcnet flow flush
ip link del svc0
ip link del svc1
suite_end
