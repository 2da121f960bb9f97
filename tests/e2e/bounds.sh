#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Resource bounds: the service and backend limits refused with clear
# errors and nothing changed; the flow table under a SYN flood to the VIP
# stays within flow-max, its SYN flows evicted for new ones, while
# answered connections stay and new clients still get through; a large
# table's expired flows are all collected in time; a table full of
# answered connections drops new flows and counts them; a flood cannot
# hold a source NATed service's ports.
#
#            namespace bd-cl 10.0.9.2: 2 held connections, new clients
#                   |
#   +---------------+---------------------------------------------+
#   | host   svc0: 10.96.0.1:80 -> be1-3; flow-max 1000            |
#   |        pktfuzz.py synflood: 2 x 20000 SYNs into svc0         |
#   |        (then 20000 more to a backend routed to a blackhole)  |
#   +------+----------------+----------------+--------------------+
#       bd-be1           bd-be2           bd-be3   (:8080)
. "$(dirname "$0")/../lib.sh"
TOPO=bd
. "$(dirname "$0")/../lb-topology.sh"

FLOOD=${FLOOD:-$(scale 5000 20000)}
counts FLOOD
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }
at_most() { [ "$1" -le "$2" ] || { echo "got $1, want at most $2"; return 1; }; }
cfg() { $svcnet -j config | jq ".\"$1\""; }
flows_are() { [ "$(cfg flow-count)" = "$1" ]; }
# flood: $FLOOD SYNs into svc0, the flow count sampled meanwhile; the
# highest sample goes to max
flood() {
	local c flooder
	max=0
	flood_start=$SECONDS
	python3 "$(py pktfuzz)" synflood svc0 "$FLOOD" >/dev/null &
	flooder=$!
	while kill -0 $flooder 2>/dev/null; do
		c=$(cfg flow-count)
		[ "$c" -le "$max" ] || max=$c
		nap 0.2
	done
	wait $flooder
	# and once after it: a short flood may end between two samples
	c=$(cfg flow-count)
	[ "$c" -le "$max" ] || max=$c
	flood_secs=$((SECONDS - flood_start))
}

modprobe svcnet
lb_topology
$svcnet service add svc0 tcp $VIP:80
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:80 "10.0.$n.2:8080"
done

# --- service and backend limits -------------------------------------------------
before=$($svcnet save svc0)
{
	echo "dev svc0"
	# (awk: a shell loop of 65537 lines takes half a minute on the debug VM)
	awk 'BEGIN { for (i = 0; i <= 65536; i++)
		printf "service tcp 10.%d.%d.%d:80 no-route\n",
			100 + int(i / 65536), int(i / 256) % 256, i % 256 }'
} >"$TMPD/many.conf"
check_fails "65537 services on one device: refused, too many services" 1 \
	"too many services on this device" $svcnet apply -f "$TMPD/many.conf"
{
	echo "dev svc0"
	echo "service tcp $VIP:80"
	awk 'BEGIN { for (i = 0; i <= 65535; i++)
		printf "  backend 10.%d.%d.%d:8080\n",
			64 + int(i / 65536), int(i / 256) % 256, i % 256 }'
} >"$TMPD/many-be.conf"
check_fails "65536 backends in one service: refused, too many backends" 1 \
	"too many backends in this service" $svcnet apply -f "$TMPD/many-be.conf"
check "after both refusals the device is unchanged" \
	is "$($svcnet save svc0)" "$before"
check_fails "flow-max above 16777216: refused" 2 "not in 1" \
	$svcnet config set flow-max 16777217

# --- SYN flood -----------------------------------------------------------------------
# (SYN flows kept 300 s: on a slow VM the flood outlasts the default 30 s,
# and its first flows would expire before the table is read)
$svcnet config set flow-max 1000 tcp-syn-timeout 300
rm -f "$TMPD/ready" "$TMPD/go"
ip netns exec bd-cl $LB hold $VIP 80 2 "$TMPD" >"$TMPD/hold.out" &
held=$!
wait_for 90 test -e "$TMPD/ready"
flood
flood1_secs=$flood_secs
echo "# flow-count at most $max during the flood ($flood_secs s), flows-evicted $(cfg flows-evicted)"
# A creation counts itself before it evicts (one at a time per CPU): read
# meanwhile, the count may be above the table by the CPUs creating flows.
check "a flood of $FLOOD SYNs: the flow count never exceeded flow-max + CPUs (sampled)" \
	at_most "$max" $((1000 + $(nproc)))
check "the table is full of the flood's SYN flows, not more" is "$(cfg flow-count)" 1000
check "the flood's SYN flows were evicted for newer ones: flows-evicted" \
	at_least "$(cfg flows-evicted)" $((FLOOD - 1000))
check "a new client gets through the full table (it evicts a SYN flow)" \
	lbq bd-cl hits $VIP 80 3
# flow objects allocated, IPv4 and IPv6 caches, source NATed flows' too
# (nothing if any is missing)
flow_objs() {
	awk '$1 ~ /^svcnet_(flow|snat)[46]$/ { n += $2; c++ } END { if (c == 4) print n }' /proc/slabinfo
}
python3 "$(py pktfuzz)" synflood svc0 "$FLOOD" >/dev/null
objs=$(flow_objs)
echo "# after a second flood of $FLOOD SYNs: $objs flow objects allocated, flow-count $(cfg flow-count)"
if grep -qw kasan_save_stack /proc/kallsyms; then
	echo "# KASAN kernel: freed flows wait in KASAN's quarantine; object count not judged here"
else
	check "flow memory stays bounded: flow objects at most 2 x flow-max after 2 floods" \
		at_most "$objs" 2000
fi
touch "$TMPD/go"
wait $held
check "connections answered before the floods were never evicted: both still echo" \
	is "$(jq '.ok | length' "$TMPD/hold.out")" 2

# --- a large table expires a slice at a time ------------------------------------------
# Past 4096 flows the collector looks at an eighth of the table a second:
# every expired flow still goes within 8 seconds. The service's one backend
# here is routed to a blackhole: no SYN-ACK refreshes the flows.
$svcnet flow flush
for n in 1 2 3; do
	$svcnet backend del svc0 tcp $VIP:80 "10.0.$n.2:8080"
done
$svcnet backend add svc0 tcp $VIP:80 10.0.250.1:8080
ip route add blackhole 10.0.250.1/32
# (the SYN timeout: 10 s, or as long as the first flood took, so that a
# slow VM's flood also outlives none of its first flows)
syn=$((flood1_secs > 10 ? flood1_secs : 10))
$svcnet config set flow-max 65536 tcp-syn-timeout $syn
flood
echo "# flow-count at most $max during a flood of $FLOOD SYNs in $flood_secs s (timeout $syn s)"
check "a flood of $FLOOD SYNs with flow-max 65536: the table grew past 4096 flows" \
	at_least "$max" 4097
check "every SYN flow gone within its timeout + 8 s of collection (+ 10 s slack)" \
	wait_for $((syn + 18)) flows_are 0
$svcnet config set flow-max 1000 tcp-syn-timeout 30
ip route del blackhole 10.0.250.1/32
$svcnet backend del svc0 tcp $VIP:80 10.0.250.1:8080
for n in 1 2 3; do
	$svcnet backend add svc0 tcp $VIP:80 "10.0.$n.2:8080"
done

# --- a table full of answered connections --------------------------------------------
$svcnet flow flush
$svcnet config set flow-max 3
rm -f "$TMPD/ready" "$TMPD/go"
ip netns exec bd-cl $LB hold $VIP 80 3 "$TMPD" >"$TMPD/hold.out" &
held=$!
wait_for 90 test -e "$TMPD/ready"
d0=$(drops flow-limit)
e0=$(cfg flows-evicted)
check "a 4th connection while 3 answered ones fill the table: refused" \
	ip netns exec bd-cl timeout 10 $LB refused $VIP 80
check "its SYNs were dropped and counted as flow-limit" \
	at_least "$(($(drops flow-limit) - d0))" 1
check "and no answered connection was evicted for it" is "$(cfg flows-evicted)" "$e0"
touch "$TMPD/go"
wait $held
check "the 3 connections still echo" is "$(jq '.ok | length' "$TMPD/hold.out")" 3

# --- source NAT ports under a SYN flood ------------------------------------------------
# The service source NATed to one backend that never answers (no host at
# 10.0.1.99: its SYN flows are never assured) with a range of 1024 ports:
# once the flood's flows hold them all, each new flow takes the port of
# one of them, evicted, rather than trying 64 ports that are all taken.
$svcnet flow flush
$svcnet service del svc0 tcp $VIP:80
$svcnet config set flow-max 65536 tcp-syn-timeout 120 snat-port-min 40000 snat-port-max 41023
$svcnet service add svc0 tcp $VIP:80 forward snat
$svcnet backend add svc0 tcp $VIP:80 10.0.1.99:8080
d0=$(drops no-port)
e0=$(cfg flows-evicted)
python3 "$(py pktfuzz)" synflood svc0 "$FLOOD" >/dev/null
check "snat: a flood of $FLOOD SYNs over 1024 ports: none dropped for want of a port" \
	is "$(($(drops no-port) - d0))" 0
check "snat: ... each past the 1024th evicted a flood flow for its port (flows-evicted)" \
	at_least "$(($(cfg flows-evicted) - e0))" $((FLOOD - 1024))
ip netns exec bd-cl timeout 3 bash -c "echo >/dev/tcp/$VIP/80" 2>/dev/null || true
check "snat: a new client's SYN then gets a flow and a port of the range" \
	is "$($svcnet -j flow show | jq '[.[] | select(.client == "10.0.9.2" and .snat_port >= 40000 and .snat_port <= 41023)] | length')" 1
$svcnet flow flush
$svcnet service del svc0 tcp $VIP:80
$svcnet flow flush
ip link del svc0
suite_end
