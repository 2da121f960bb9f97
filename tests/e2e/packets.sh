#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile packets: crafted and malformed packets straight into svc0 (a
# packet socket on the device, so no IP layer checks them first), and
# from a backend at the reverse-NAT hook while a connection is live.
# Every packet into svc0 is balanced or dropped under a reason; the live
# connection survives; nothing crashes.
#
#            namespace pk-cl 10.0.9.2: one live echo connection to the VIP
#                   |
#   +---------------+-------------------------------------------------+
#   | host   svc0 <- pktfuzz.py xmit: 12000 packets, 28 kinds          |
#   |        (clients 198.18.0.0/24, 2001:db8:18::/64: blackhole)      |
#   |        services 10.96.0.1 and fd00:96::1, TCP and UDP port 80    |
#   +------+----------------+----------------+------------------------+
#          |                |                |
#       pk-be1           pk-be2           pk-be3
#       pktfuzz.py rev (from the live connection's backend): 10000
#       frames at the host's reverse-NAT hook
. "$(dirname "$0")/../lib.sh"
TOPO=pk
. "$(dirname "$0")/../lb-topology.sh"

XMIT_COUNT=${XMIT_COUNT:-$(scale 3000 12000)}
REV_COUNT=${REV_COUNT:-$(scale 3000 10000)}
counts XMIT_COUNT REV_COUNT
fuzz="python3 $(py pktfuzz)"
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }
stats() { $svcnet -j -s show svc0 | jq -c '.[0].stats | {tx: .tx_packets, rx: .rx_packets, fragments} + .drops'; }
# deltas: each counter's growth between $before and $after, into D (one
# jq for all of them: on the debug kernel each process costs)
declare -A D
deltas() {
	local k v
	D=()
	while read -r k v; do
		D[$k]=$v
	done <<<"$(jq -r --argjson b "$before" \
		'to_entries[] | "\(.key) \(.value - ($b[.key] // 0))"' <<<"$after")"
}
delta() { echo "${D[$1]:-0}"; } # KEY: its growth, as deltas found it

# The crafted clients' prefixes (see pktfuzz.py): answers to them vanish.
blackholes() {
	ip route "$1" blackhole 198.18.0.0/24
	ip -6 route "$1" blackhole 2001:db8:18::/64
}
trap 'blackholes del 2>/dev/null; cleanup_topology' EXIT

modprobe svcnet
lb_topology
blackholes add
for proto in tcp udp; do
	$svcnet service add svc0 $proto $VIP:80
	$svcnet service add svc0 $proto "[$VIP6]:80"
	for n in 1 2 3; do
		$svcnet backend add svc0 $proto $VIP:80 "10.0.$n.2:8080"
		$svcnet backend add svc0 $proto "[$VIP6]:80" "[fd00:$n::2]:8080"
	done
done
rm -f "$TMPD/ready" "$TMPD/go"
ip netns exec pk-cl $LB hold $VIP 80 1 "$TMPD" >"$TMPD/hold.out" &
held=$!
wait_for 90 test -e "$TMPD/ready" || { $svcnet -j -s service show; $svcnet -j flow show; ip route; false; }

# --- into the device -----------------------------------------------------------
before=$(stats)
$fuzz xmit svc0 "$XMIT_COUNT" 7 >"$TMPD/xmit.json"
after=$(stats)
deltas
jq -c .sent "$TMPD/xmit.json" | sed 's/^/# sent: /'
echo "# counters: $(jq -nc --argjson a "$after" --argjson b "$before" \
	'$a | with_entries(.value -= $b[.key])')"
sum_all=0
for k in "${!D[@]}"; do
	[ "$k" = rx ] || sum_all=$((sum_all + ${D[$k]}))
done
# Every count is exact: the packets the IPv6 stack sends into svc0 on its
# own (multicast listener reports) are no traffic to a service and are
# not counted (traffic.sh proves it).
is_sum() { # GOT WANT
	[ "$1" = "$2" ] || { echo "got $1, want $2"; return 1; }
}
check "$XMIT_COUNT crafted packets into svc0: each balanced or dropped under a reason" \
	is_sum "$sum_all" "$XMIT_COUNT"
for outcome in tx malformed fragment fragments no-flow protocol no-service; do
	check "counted as $outcome: exactly the packets that are" \
		is "$(delta $outcome)" "$(jq ".want.\"$outcome\" // 0" "$TMPD/xmit.json")"
done
check "no other drop reason grew" \
	is "$(($(delta no-backend) + $(delta flow-limit) + $(delta no-route) + $(delta loop) + $(delta source) + $(delta no-port)))" 0

# --- at the reverse-NAT hook --------------------------------------------------------
flow=$($svcnet -j flow show | jq -c '.[] | select(.client == "10.0.9.2")')
be=$(jq -r .backend <<<"$flow")
n=${be#10.0.}
n=${n%.2}
mac=$(cat /sys/class/net/pk-be$n/address)
before=$(stats)
ip netns exec "pk-be$n" $fuzz rev eth0 "$mac" "$REV_COUNT" 11 "$be" "fd00:$n::2" \
	10.0.9.2 fd00:9::2 8080 "$(jq .client_port <<<"$flow")" >"$TMPD/rev.json"
after=$(stats)
deltas
jq -c .sent "$TMPD/rev.json" | sed 's/^/# sent: /'
check "$REV_COUNT frames from the live flow's backend at the reverse-NAT hook, 14 kinds" \
	is "$(jq .total "$TMPD/rev.json") $(jq '.sent | length' "$TMPD/rev.json")" "$REV_COUNT 14"
check "the hook leaves what it cannot parse to the stack: no drop counted" \
	is "$(($(delta malformed) + $(delta no-flow)))" 0
# positive control: the frames did reach the hook, which translated those
# of the live flow with a valid checksum (out of window, for its client)
check "the hook translated each well-formed frame of the live flow (svc0 rx grew by as many)" \
	at_least "$(delta rx)" "$(jq '.sent."tcp4-out-of-window"' "$TMPD/rev.json")"
touch "$TMPD/go"
wait "$held"
check "the live connection still echoes, byte-exact, after both floods" \
	is "$(jq -c .ok "$TMPD/hold.out")" "[\"be$n\"]"
check "new connections are balanced after the floods" \
	lbq pk-cl hits $VIP 80 6
check "IPv6 too" lbq pk-cl hits "$VIP6" 80 6
$svcnet flow flush
ip link del svc0
suite_end
