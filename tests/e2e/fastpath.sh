#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fast path: packets of established flows of forwarded clients are
# translated at PRE_ROUTING and forwarded once; the first packet of a flow,
# and whatever the fast path must leave to it, goes through svc0. Counters
# count every packet either way; conntrack and the FORWARD chain see what
# the README says; route changes, policy rules and the device's switch
# send packets back through svc0. Flows with a source NAT or in a tunnel
# leave as this host's own packets after FORWARD's rules; with fast-path
# direct, past conntrack and FORWARD for 10 s after a packet FORWARD accepted.
#
#            namespace fp-cl 10.0.9.2  fd00:9::2 (forwarded client)
#                   |
#   +---------------+-------------------------------------------------+
#   | host   svc0: 10.96.0.1:80 (tcp), 10.96.0.1:53 (udp) -> be1       |
#   |        [fd00:96::1]:53 (udp) -> be1; conntrack, iptables counters |
#   |        10.96.0.1:54 (udp) -> the host's own 10.0.9.1:8081         |
#   |        :81 (tcp, udp; v4, v6) forward snat -> be3                 |
#   |        :8080 (tcp, udp; v4, v6) forward tunnel -> be1             |
#   +------+----------------+----------------+------------------------+
#       fp-be1 10.0.1.2  fd00:1::2 (:8080)     fp-be3 10.0.3.2 fd00:3::2
#       (ipip, ip6tnl; service addresses on lo) (no default route)
. "$(dirname "$0")/../lib.sh"
TOPO=fp
. "$(dirname "$0")/../lb-topology.sh"

is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
at_least() { [ "$1" -ge "$2" ] || { echo "got $1, want at least $2"; return 1; }; }
snap() { # the counters, one line: tx fast link svc-tcp be-tcp svc-udp be-udp
	# (read in this order: the device's, the services', svc0's link's;
	# one jq for all, as each process costs on the debug kernel)
	jq -rn --argjson dev "$($svcnet -j -s show svc0)" \
		--argjson svcs "$($svcnet -j -s service show svc0)" \
		--argjson link "$(ip -j -s link show svc0)" '
		[$dev[0].stats.tx_packets, $dev[0].stats.fast_path_packets,
		 $link[0].stats64.tx.packets,
		 (["tcp", "udp"][] as $p | [$svcs[] | select(.protocol == $p)] |
			(map(.stats.packets_in) | add // 0),
			([.[].backends[].stats.packets_in] | add // 0))] |
		map(tostring) | join(" ")'
}
delta() { # BEFORE AFTER FIELD (1-based)
	local -a a b
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	echo $((b[$3 - 1] - a[$3 - 1]))
}
ask() { # ADDR PORT: one UDP request from the client's fixed port 4000
	lbq fp-cl hits "$1" "$2" 1 --udp --sport 4000 >/dev/null
}
next_of() { # ADDR PORT: ask once (the flow exists after it), then once
	# more between $before and $after
	ask "$1" "$2"
	before=$(snap)
	ask "$1" "$2"
	after=$(snap)
}
fwd_count() { # COMMENT: packets of the FORWARD counter rule so named
	iptables -nvxL FORWARD | awk -v c="/* $1 */" 'index($0, c) { print $1 }'
}

modprobe svcnet
modprobe nf_conntrack
lb_topology
sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 || true
# conntrack's claims are about this suite's connections: an earlier
# suite's to the same addresses (datapath connects the client to a
# backend's address directly, bounds floods svc0 from 10.0.9.0/24) may wait
# out its timeout in the host's table
conntrack -F >/dev/null 2>&1 || true
$svcnet service add svc0 tcp $VIP:80
$svcnet backend add svc0 tcp $VIP:80 10.0.1.2:8080
$svcnet service add svc0 udp $VIP:53
$svcnet backend add svc0 udp $VIP:53 10.0.1.2:8080
$svcnet service add svc0 udp "[$VIP6]:53"
$svcnet backend add svc0 udp "[$VIP6]:53" "[fd00:1::2]:8080"
iptables -I FORWARD -m conntrack --ctstate INVALID -m comment --comment fp-invalid
iptables -I FORWARD -d $VIP -p tcp --dport 80 -m comment --comment fp-vip
iptables -I FORWARD -d 10.0.1.2 -p tcp --dport 8080 -m comment --comment fp-be
trap 'iptables -F FORWARD; ip6tables -F FORWARD; iptables -t nat -F POSTROUTING; nft delete table ip fp_mangle 2>/dev/null || true; cleanup_topology' EXIT

check "a new device has its fast path on (svcnet -j show)" \
	is "$($svcnet -j show svc0 | jq .[0].fast_path)" true

# --- one TCP transfer ------------------------------------------------------------
before=$(snap)
check "a forwarded 256 KiB TCP transfer arrives intact" \
	lbq fp-cl sha $VIP 80 262144
after=$(snap)
echo "# counters before: $before, after: $after (tx fast link svc-tcp be-tcp svc-udp be-udp)"
tx=$(delta "$before" "$after" 1)
check "only its SYN went through svc0, every later packet took the fast path" \
	is "$((tx - $(delta "$before" "$after" 2)))" 1
check "svc0's transmit (ip -s link) counts every packet, the fast path's too" \
	is "$(delta "$before" "$after" 3)" "$tx"
check "the service counts every packet" is "$(delta "$before" "$after" 4)" "$tx"
check "the backend counts every packet" is "$(delta "$before" "$after" 5)" "$tx"
check "FORWARD saw the SYN with the service address" is "$(fwd_count fp-vip)" 1
check "FORWARD saw every later packet once, with the backend's address" \
	is "$(fwd_count fp-be)" "$((tx - 1))"
check "conntrack: no packet was INVALID" \
	is "$(fwd_count fp-invalid)" 0
check "conntrack: the connection is client -> service, its reply service -> client" \
	bash -c "conntrack -L -p tcp --orig-dst $VIP 2>/dev/null |
		grep 'src=10.0.9.2 dst=10.96.0.1 ' | grep -v UNREPLIED |
		grep -q 'src=10.96.0.1 dst=10.0.9.2 sport=80'"
check "conntrack: no entry towards the backend's address" \
	is "$(conntrack -L -p tcp --orig-dst 10.0.1.2 2>/dev/null | grep 'src=10.0.9.2 ' || true)" ""

# --- the same counters for Prometheus ----------------------------------------------
# metric VALUE-OF NAME LABEL-SUBSTRING: the sample of NAME whose labels hold it
metric() { $svcnet metrics | awk -v n="$1" -v l="$2" '$1 ~ "^" n "[{]" && index($1, l) { print $2 }'; }
prom=$(mktemp)
$svcnet metrics >"$prom"
check "metrics: promtool check metrics accepts svcnet metrics" \
	promtool check metrics <"$prom"
rm -f "$prom"
js=$($svcnet -j -s show svc0)
jsvc=$($svcnet -j -s service show svc0 | jq '.[] | select(.protocol == "tcp" and .port == 80)')
check "metrics: device, service and backend counters equal svcnet -j -s" \
	is "$(metric svcnet_device_transmit_packets_total 'device="svc0"') $(metric svcnet_device_fast_path_packets_total 'device="svc0"') $(metric svcnet_service_connections_total 'protocol="tcp",service="10.96.0.1:80"') $(metric svcnet_backend_packets_total 'protocol="tcp",service="10.96.0.1:80",backend="10.0.1.2:8080",direction="in"')" \
	"$(jq -r '.[0].stats | "\(.tx_packets) \(.fast_path_packets)"' <<<"$js") $(jq -r '.stats.connections' <<<"$jsvc") $(jq -r '.backends[0].stats.packets_in' <<<"$jsvc")"

# --- MASQUERADE towards the backends, as on a node masquerading its pods'
# traffic: conntrack set the connection's NAT on its SYN's way into svc0 (none),
# so it keeps the client's address; still one connection, replied, none INVALID
iptables -t nat -A POSTROUTING -o fp-be1 -j MASQUERADE
# the service's connections so far (earlier suites' too) out of the count
conntrack -D -p tcp --orig-dst $VIP >/dev/null 2>&1 || true
before=$(snap)
check "MASQUERADE towards the backend: a 256 KiB TCP transfer arrives intact" \
	lbq fp-cl sha $VIP 80 262144
after=$(snap)
check "MASQUERADE towards the backend: only its SYN went through svc0" \
	is "$(($(delta "$before" "$after" 1) - $(delta "$before" "$after" 2)))" 1
check "MASQUERADE towards the backend: conntrack: no packet was INVALID" \
	is "$(fwd_count fp-invalid)" 0
check "MASQUERADE towards the backend: conntrack: one connection client -> service, replied, not masqueraded" \
	is "$(conntrack -L -p tcp --orig-dst $VIP 2>/dev/null |
		grep 'src=10.0.9.2 dst=10.96.0.1 ' | grep -v UNREPLIED |
		grep -c 'src=10.96.0.1 dst=10.0.9.2 sport=80') $(conntrack -L -p tcp --orig-dst $VIP 2>/dev/null | grep -c 'src=10.0.9.2 dst=10.96.0.1 ')" "1 1"
# a flow whose connection conntrack forgot (expired, deleted): its next
# datagram makes a new one, whose NAT is decided as on the flow's first
# datagram, through svc0 (not masqueraded: the backend's answer comes back)
ask $VIP 53
conntrack -D -p udp --orig-dst $VIP >/dev/null 2>&1 || true
check "MASQUERADE towards the backend: a UDP flow whose connection conntrack deleted: the next datagram is answered" \
	lbq fp-cl hits $VIP 53 1 --udp --sport 4000
iptables -t nat -F POSTROUTING

# --- UDP: what sends packets back through svc0 -------------------------------------
# a request from fixed port 4000: the first creates the flow (svc0), the
# next ones are the same flow
next_of $VIP 53
check "UDP: a flow's second datagram takes the fast path" \
	is "$(delta "$before" "$after" 2) $(delta "$before" "$after" 6)" "1 1"

# (where only destinations choose routes the next datagram goes through
# svc0, which keeps the routes again; once a policy rule existed in the
# namespace, as after other suites, every datagram is routed in full)
ip route add 198.51.100.0/24 dev fp-be3
before=$(snap)
ask $VIP 53
mid=$(snap)
ask $VIP 53
after=$(snap)
ip route del 198.51.100.0/24 dev fp-be3
check "UDP: after a route change the next datagram is balanced and answered" \
	is "$(delta "$before" "$mid" 1)" 1
check "UDP: ... and the one after it takes the fast path" \
	is "$(delta "$mid" "$after" 2)" 1

check "svcnet set svc0 fast-path off" $svcnet set svc0 fast-path off
check "svcnet show says it is off" \
	bash -c "$svcnet show svc0 | grep -q 'fast-path off'"
before=$(snap)
ask $VIP 53
ask $VIP 53
check "switched off: a TCP transfer arrives intact" \
	lbq fp-cl sha $VIP 80 65536
after=$(snap)
check "switched off: no packet takes the fast path" \
	is "$(delta "$before" "$after" 2)" 0
check "switched off: every packet is counted" \
	is "$(delta "$before" "$after" 3)" "$(delta "$before" "$after" 1)"
$svcnet set svc0 fast-path on
next_of $VIP 53
check "switched on again: the flow's next datagram takes the fast path" \
	is "$(delta "$before" "$after" 2)" 1

# a backend at one of the host's own addresses: through svc0 (the input
# path would not deliver a loopback backend's packets)
$LB serve host 8081 >"$TMPD/host.log" 2>&1 &
PIDS+=($!)
wait_for 90 grep -q serving "$TMPD/host.log"
$svcnet service add svc0 udp $VIP:54
$svcnet backend add svc0 udp $VIP:54 10.0.9.1:8081
next_of $VIP 54
check "UDP to a backend at the host's address: answered, through svc0" \
	is "$(delta "$before" "$after" 1) $(delta "$before" "$after" 2)" "1 0"

# the service address's route into svc0 removed: its flows are no longer
# balanced, by svc0 or by the fast path (IPv6's route serial does not move
# when a route goes: the kept entry route tells)
rt4=$(ip -o route show $VIP)
ip route del $VIP
before=$(snap)
lbq fp-cl hits $VIP 53 1 --udp --sport 4000 --within 1 >/dev/null 2>&1 || true
after=$(snap)
ip route add $rt4
check "UDP: without the service's route, a flow's datagram is not balanced" \
	is "$(delta "$before" "$after" 1)" 0

next_of "$VIP6" 53
check "UDP over IPv6: a flow's second datagram takes the fast path" \
	is "$(delta "$before" "$after" 2)" 1
rt6=$(ip -6 -o route show "$VIP6")
ip -6 route del "$VIP6"
before=$(snap)
lbq fp-cl hits "$VIP6" 53 1 --udp --sport 4000 --within 1 >/dev/null 2>&1 || true
after=$(snap)
ip -6 route add $rt6
check "UDP over IPv6: without the service's route, a flow's datagram is not balanced" \
	is "$(delta "$before" "$after" 1)" 0
ask "$VIP6" 53
check "UDP over IPv6: with the route back, it is balanced again" ask "$VIP6" 53

# --- flows that leave as this host's own: forward snat, forward tunnel -------------
# be3 answers only its own subnet (source NAT brings its replies back); be1
# decapsulates with the ipip and ip6tnl fallback devices, holds the service
# addresses on lo and answers the client itself
ip -n fp-be3 route del default
ip -n fp-be3 -6 route del default
modprobe ipip
modprobe ip6_tunnel
ip -n fp-be1 link set tunl0 up
ip -n fp-be1 link set ip6tnl0 up
ip -n fp-be1 addr add $VIP/32 dev lo
ip -n fp-be1 addr add $VIP6/128 dev lo nodad
ip netns exec fp-be1 sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tunl0.rp_filter=0
for p in tcp udp; do
	$svcnet service add svc0 $p $VIP:81 forward snat
	$svcnet backend add svc0 $p $VIP:81 10.0.3.2:8080
	$svcnet service add svc0 $p $VIP:8080 forward tunnel
	$svcnet backend add svc0 $p $VIP:8080 10.0.1.2:8080
done
$svcnet service add svc0 udp "[$VIP6]:81" forward snat
$svcnet backend add svc0 udp "[$VIP6]:81" "[fd00:3::2]:8080"
$svcnet service add svc0 udp "[$VIP6]:8080" forward tunnel
$svcnet backend add svc0 udp "[$VIP6]:8080" "[fd00:1::2]:8080"
iptables -I FORWARD -d $VIP -p tcp --dport 81 -m comment --comment fp-snat
for m in snat:81 tunnel:8080; do
	before=$(snap)
	tb=$(drops too-big)
	check "${m%:*}: a forwarded 256 KiB TCP transfer arrives intact" \
		lbq fp-cl sha $VIP ${m#*:} 262144
	after=$(snap)
	tx=$(delta "$before" "$after" 1)
	check "${m%:*}: only its SYN went through svc0, every later packet took the fast path" \
		is "$((tx - $(delta "$before" "$after" 2)))" 1
	# (a tunnel's first full-sized segments are answered "fragmentation
	# needed" and dropped: counted by the service, not sent)
	tb=$(($(drops too-big) - tb))
	check "${m%:*}: the service and the backend count every packet" \
		is "$(delta "$before" "$after" 4) $(delta "$before" "$after" 5)" "$((tx + tb)) $((tx + tb))"
	[ $m != snat:81 ] || check "snat: FORWARD saw every packet once, with the service address" \
		is "$(fwd_count fp-snat)" "$tx"
	next_of $VIP6 ${m#*:}
	check "${m%:*}: UDP over IPv6: a flow's second datagram takes the fast path" \
		is "$(delta "$before" "$after" 1) $(delta "$before" "$after" 2)" "1 1"
done
next_of $VIP 81
iptables -I FORWARD -d $VIP -p udp --dport 81 -j DROP
before=$(snap)
lbq fp-cl hits $VIP 81 1 --udp --sport 4000 --within 1 >/dev/null 2>&1 || true
after=$(snap)
iptables -D FORWARD -d $VIP -p udp --dport 81 -j DROP
check "snat: a DROP rule in FORWARD holds for the fast path's packets too" \
	is "$(delta "$before" "$after" 1)" 0
next_of $VIP 81
check "snat: the rule gone, the flow's datagram takes the fast path again" \
	is "$(delta "$before" "$after" 2)" 1

# under strict rp_filter with the client's route moved elsewhere its
# packets are martians to forwarding; a host socket's datagram meanwhile
# keeps the service's route into svc0 again
rpf=$(sysctl -n net.ipv4.conf.all.rp_filter)
sysctl -qw net.ipv4.conf.all.rp_filter=1
ip route add 10.0.9.2/32 dev fp-be2
lbq host hits $VIP 81 1 --udp --within 1 >/dev/null 2>&1 || true
before=$(snap)
lbq fp-cl hits $VIP 81 1 --udp --sport 4000 --within 1 >/dev/null 2>&1 || true
after=$(snap)
ip route del 10.0.9.2/32 dev fp-be2
sysctl -qw net.ipv4.conf.all.rp_filter="$rpf"
check "snat: under strict rp_filter, a flow's datagram from a source now routed elsewhere is dropped" \
	is "$(delta "$before" "$after" 1)" 0

# --- fast-path direct: source-NATed and tunnelled flows past conntrack and
# FORWARD for 10 s after each packet FORWARD accepted ------------------------------
check_fails "fast-path maybe: a usage error naming the modes" 2 "on, off, direct or notrack" \
	$svcnet set svc0 fast-path maybe
$svcnet set svc0 fast-path direct
check "direct: svcnet -j show says the mode" \
	is "$($svcnet -j show svc0 | jq -c '[.[0].fast_path, .[0].fast_path_mode]')" '[true,"direct"]'
check "direct: svcnet metrics gives the mode as a state set (direct 1, on 0, off 0)" \
	is "$(for m in direct on off; do metric svcnet_device_fast_path_mode "device=\"svc0\",mode=\"$m\""; done | xargs)" "1 0 0"
iptables -I FORWARD -d $VIP -p tcp --dport 8080 -m comment --comment fp-tunnel
iptables -I FORWARD -d $VIP -p udp --dport 81 -m comment --comment fp-snat-udp
ip6tables -I FORWARD -d $VIP6 -p udp --dport 81 -m comment --comment fp-snat6
fwd6_count() { # COMMENT: as fwd_count, of ip6tables
	ip6tables -nvxL FORWARD | awk -v c="/* $1 */" 'index($0, c) { print $1 }'
}
iptables -Z FORWARD
for m in snat:81 tunnel:8080; do
	before=$(snap)
	check "direct: ${m%:*}: a forwarded 256 KiB TCP transfer arrives intact" \
		lbq fp-cl sha $VIP ${m#*:} 262144
	after=$(snap)
	tx=$(delta "$before" "$after" 1)
	fwd=$(fwd_count "fp-${m%:*}")
	echo "# direct ${m%:*}: $tx packets sent, FORWARD saw $fwd"
	check "direct: ${m%:*}: only its SYN went through svc0 (the direct path counts as the fast path)" \
		is "$((tx - $(delta "$before" "$after" 2)))" 1
	check "direct: ${m%:*}: FORWARD saw fewer than half of its packets, the rest went directly" \
		test $((2 * fwd)) -lt "$tx"
done
check "direct: conntrack: no packet was INVALID (liberal for the client's unseen segments)" \
	is "$(fwd_count fp-invalid)" 0
# a datagram creates the flow (svc0), the next arms it (FORWARD), then 20
for v in "$VIP" "$VIP6"; do
	ask "$v" 81
	ask "$v" 81
done
iptables -Z FORWARD
ip6tables -Z FORWARD
before=$(snap)
t0=${EPOCHREALTIME/./}
lbq fp-cl hits $VIP 81 20 --udp --sport 4000 --one-flow >/dev/null
lbq fp-cl hits $VIP6 81 20 --udp --sport 4000 --one-flow >/dev/null
after=$(snap)
echo "# direct UDP: 40 datagrams in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms, FORWARD saw $(fwd_count fp-snat-udp) and $(fwd6_count fp-snat6)"
check "direct: UDP: 40 datagrams of two flows balanced and answered" \
	is "$(delta "$before" "$after" 1)" 40
check "direct: UDP: FORWARD saw fewer than half of the IPv4 flow's datagrams" \
	test $((2 * $(fwd_count fp-snat-udp))) -lt 20
check "direct: UDP: FORWARD saw fewer than half of the IPv6 flow's datagrams" \
	test $((2 * $(fwd6_count fp-snat6))) -lt 20
direct_flows() { # the direct flag of the two UDP flows from port 4000
	$svcnet -j flow show svc0 |
		jq -c '[.[] | select(.service_port == 81 and .client_port == 4000) | .direct]'
}
direct_now() { # a datagram of each flow (going directly, or through FORWARD
	# that arms it again), then both flows marked direct
	ask $VIP 81 && ask $VIP6 81 && [ "$(direct_flows)" = '[true,true]' ]
}
check "direct: flow show marks both flows direct" wait_for 30 direct_now
$svcnet set svc0 fast-path on
check "direct: with fast-path on, flow show marks neither" \
	is "$(direct_flows)" '[false,false]'
$svcnet set svc0 fast-path direct
# a DROP rule reaches the flow once its 10 s have run out
unanswered() { ! lbq fp-cl hits $VIP 81 1 --udp --sport 4000 --within 1; }
iptables -I FORWARD -d $VIP -p udp --dport 81 -j DROP
check "direct: a DROP rule added to FORWARD stops a direct flow within 10 s" \
	wait_for 30 unanswered
iptables -D FORWARD -d $VIP -p udp --dport 81 -j DROP
check "direct: the rule gone, the flow is answered again" ask $VIP 81
$svcnet set svc0 fast-path on
iptables -Z FORWARD
next_of $VIP 81
check "fast-path on again: FORWARD sees each datagram" \
	is "$(fwd_count fp-snat-udp)" 2

# --- fast-path notrack: source-NATed and tunnelled flows never seen by
# conntrack; a flow's first packet from FORWARD straight to svc0's transmit
$svcnet set svc0 fast-path notrack
check "notrack: svcnet -j show says the mode" \
	is "$($svcnet -j show svc0 | jq -r '.[0].fast_path_mode')" notrack
nt_count() { # TABLE CHAIN COMMENT: packets of the counter rule so named
	iptables -t "$1" -nvxL "$2" | awk -v c="/* $3 */" 'index($0, c) { print $1 }'
}
orig_tuples() { # conntrack's entries, IPv4 and IPv6, by their original tuple
	{ conntrack -L 2>/dev/null; conntrack -L -f ipv6 2>/dev/null; } |
		awk 'match($0, /src=[^ ]+ dst=[^ ]+( sport=[0-9]+ dport=[0-9]+)?/) {
			print substr($0, RSTART, RLENGTH) }'
}
tracked() { # conntrack's entries of clients' flows to the services on
	# ports 81 and 8080, and of packets to their backends' addresses (a
	# tunnel's outer ones), each printed as a comment; not the tunnel
	# backend's replies, which this host routes (as the router between
	# the namespaces) as the backend's own packets
	local re="^src=(10\.0\.9\.2|fd00:9::2) dst=($VIP|$VIP6) sport=[0-9]+ dport=(81|8080)\$|dst=(10\.0\.1\.2|10\.0\.3\.2|fd00:1::2|fd00:3::2)( |\$)"
	orig_tuples | grep -E "$re" | sed 's/^/# conntrack: /' >&2 || true
	orig_tuples | grep -cE "$re" || true
}
ct_forget() { # conntrack's entries of the services on ports 81 and 8080,
	# and towards be1 and be3 (a tunnel's outer packets)
	local f p a
	for f in ipv4 ipv6; do
		for p in tcp udp; do
			conntrack -D -f $f -p $p --orig-port-dst 81 >/dev/null 2>&1 || true
			conntrack -D -f $f -p $p --orig-port-dst 8080 >/dev/null 2>&1 || true
		done
	done
	for a in 10.0.1.2 10.0.3.2; do
		conntrack -D --orig-dst $a >/dev/null 2>&1 || true
	done
	for a in fd00:1::2 fd00:3::2; do
		conntrack -D -f ipv6 --orig-dst $a >/dev/null 2>&1 || true
	done
}
iptables -t mangle -I POSTROUTING -o svc0 -m comment --comment fp-nt-post
ip6tables -t mangle -I POSTROUTING -o svc0 -m comment --comment fp-nt-post6
iptables -I FORWARD -o svc0 -p tcp --syn -m conntrack --ctstate UNTRACKED -m comment --comment fp-nt-syn
iptables -I FORWARD -s $VIP -p tcp --sport 81 -m conntrack --ctstate UNTRACKED -m comment --comment fp-nt-rep
iptables -I FORWARD -s $VIP -p tcp --sport 81 -m conntrack ! --ctstate UNTRACKED -m comment --comment fp-nt-rep-ct
udp_new() { # PORT: a new flow from PORT to each of the four services
	local a p
	for a in $VIP $VIP6; do
		for p in 81 8080; do
			lbq fp-cl hits "$a" $p 1 --udp --sport "$1" >/dev/null || return 1
		done
	done
}
# a first connection to each service (not measured)
lbq fp-cl sha $VIP 81 1024 >/dev/null
lbq fp-cl sha $VIP 8080 1024 >/dev/null
udp_new 4300
ct_forget
# a filter chain at PREROUTING's priority 0, between conntrack and the
# last hook: a flow's packets that may not go directly yet (the handshake's
# last ACK: the flow was not established when FORWARD last saw it)
nft -f - <<-EON
	table ip fp_nt_late {
		chain pre {
			type filter hook prerouting priority filter;
			ip daddr $VIP tcp dport 81 tcp flags & (syn | ack) == ack ct state untracked counter
		}
	}
EON
inv=0
for m in snat:81 tunnel:8080; do
	iptables -Z FORWARD
	iptables -t mangle -Z POSTROUTING
	check "notrack: ${m%:*}: a forwarded 256 KiB TCP transfer arrives intact" \
		lbq fp-cl sha $VIP ${m#*:} 262144
	[ $m != snat:81 ] || check "notrack: snat: a flow's packet that may not go directly passed every PREROUTING hook" \
		at_least "$(nft list chain ip fp_nt_late pre | awk '$0 ~ /counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')" 1
	check "notrack: ${m%:*}: FORWARD saw its SYN untracked, with svc0 as output" \
		at_least "$(fwd_count fp-nt-syn)" 1
	check "notrack: ${m%:*}: its SYN went from FORWARD to svc0 without POSTROUTING" \
		is "$(nt_count mangle POSTROUTING fp-nt-post)" 0
	[ $m != snat:81 ] || check "notrack: snat: the backend's replies reached the client untracked" \
		is "$(fwd_count fp-nt-rep-ct) $(($(fwd_count fp-nt-rep) > 2))" "0 1"
	inv=$((inv + $(fwd_count fp-invalid)))
done
nft delete table ip fp_nt_late
# (the tunnel backend's replies pass this host as a router: untracked too)
check "notrack: conntrack found no packet of either transfer INVALID" \
	is "$inv" 0
# new UDP flows, each a first datagram the short way
iptables -t mangle -Z POSTROUTING
ip6tables -t mangle -Z POSTROUTING
check "notrack: UDP: new flows, source NATed and tunnelled, IPv4 and IPv6, answered" \
	udp_new 4301
check "notrack: UDP: their first datagrams went from FORWARD to svc0 without POSTROUTING" \
	is "$(nt_count mangle POSTROUTING fp-nt-post) $(ip6tables -t mangle -nvxL POSTROUTING | awk 'index($0, "/* fp-nt-post6 */") { print $1 }')" "0 0"
check "notrack: UDP: the same flows' next datagrams answered" \
	udp_new 4301
$svcnet flow show svc0 | grep -E ':430[01] ' | sed 's/^/# flow: /'
check "notrack: flow show marks the four new flows notrack" \
	is "$($svcnet -j flow show svc0 | jq -c '[.[] | select(.client_port == 4301) | .notrack]')" '[true,true,true,true]'
check "notrack: conntrack lists none of these flows, nor a tunnel's outer packets" \
	is "$(tracked)" 0
# a first datagram carries the mark mangle gives it into FORWARD
nft -f - <<-'EON'
	table ip fp_nt {
		chain pre {
			type filter hook prerouting priority mangle;
			udp sport 4302 meta mark set 7
		}
		chain fw {
			type filter hook forward priority filter;
			meta mark 7 oifname "svc0" ct state untracked counter drop
		}
	}
EON
lbq fp-cl hits $VIP 81 1 --udp --sport 4302 --within 1 >/dev/null 2>&1 || true
dropped=$(nft list chain ip fp_nt fw | awk '$0 ~ /counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')
nft delete table ip fp_nt
check "notrack: a first datagram FORWARD drops (untracked, by mangle's mark) makes no flow" \
	is "$dropped $($svcnet -j flow show svc0 | jq '[.[] | select(.client_port == 4302)] | length')" "1 0"
$svcnet set svc0 fast-path on
lbq fp-cl hits $VIP 81 1 --udp --sport 4001 >/dev/null
check "notrack: with fast-path on, conntrack tracks the next flow again" \
	is "$(tracked)" 1
iptables -t mangle -F POSTROUTING
ip6tables -t mangle -F POSTROUTING

# --- a bridge (br_netfilter, bridge-nf-call-iptables=1) ----------------------
#   fp-bcl 10.0.8.2 --+-- br-fp 10.0.8.1 (host) --+-- fp-bst 10.0.8.3,
#                                                  $VIP on lo, :53 "station"
# A frame for another station on the bridge is bridged: svc0 never sees it,
# and the fast path must leave it alone although its tuple is a flow's.
modprobe br_netfilter
trap 'ip link del br-fp 2>/dev/null || true; cleanup_topology' EXIT
netns_add fp-bcl
netns_add fp-bst
ip -b - <<-EOF
	link add br-fp type bridge
	link add fp-bcl type veth peer name eth0 netns fp-bcl
	link add fp-bst type veth peer name eth0 netns fp-bst
	link set fp-bcl master br-fp up
	link set fp-bst master br-fp up
	addr add 10.0.8.1/24 dev br-fp
	link set br-fp up
EOF
sysctl -qw net.bridge.bridge-nf-call-iptables=1
ip -n fp-bcl -b - <<-EOF
	addr add 10.0.8.2/24 dev eth0
	link set eth0 up
	route add default via 10.0.8.1
EOF
ip -n fp-bst -b - <<-EOF
	addr add 10.0.8.3/24 dev eth0
	addr add $VIP/32 dev lo
	link set eth0 up
EOF
ip netns exec fp-bst $LB serve station 53 >"$TMPD/station.log" 2>&1 &
PIDS+=($!)
bask() { lbq fp-bcl hits $VIP 53 1 --udp --sport 4001; }
wait_for 10 grep -q serving "$TMPD/station.log"
check "bridge: a client behind a bridge is balanced" is "$(bask)" '{"be1": 1}'
before=$(snap)
got=$(bask)
after=$(snap)
check "bridge: the flow's next datagram takes the fast path to its backend" \
	is "$got $(delta "$before" "$after" 2)" '{"be1": 1} 1'
# the same tuple, addressed to the station's link layer address
ip -n fp-bcl route add $VIP/32 via 10.0.8.3
before=$(snap)
got=$(bask)
after=$(snap)
check "bridge: the flow's datagram for another station reaches it, not balanced" \
	is "$got $(delta "$before" "$after" 1)" '{"station": 1} 0'
ip link del br-fp
ip link del fp-bcl
ip link del fp-bst

# --- policy routing rules (last: the kernel keeps routing by rules once
# one existed in the namespace) ----------------------------------------------------
ip rule add from 10.0.9.2 lookup main pref 100
# (its connection in conntrack may have expired since: made anew, through svc0)
ask $VIP 53
before=$(snap)
ask $VIP 53
ask $VIP 53
after=$(snap)
check "UDP: with a policy routing rule, the flow's datagrams take the fast path (routed in full), answered" \
	is "$(delta "$before" "$after" 1) $(delta "$before" "$after" 2)" "2 2"
ip route add blackhole $VIP table 200
ip rule add from 10.0.9.2 to $VIP lookup 200 pref 99
before=$(snap)
lbq fp-cl hits $VIP 53 1 --udp --sport 4000 --within 1 >/dev/null 2>&1 || true
after=$(snap)
ip rule del pref 99
ip route del blackhole $VIP table 200
check "UDP: a rule that sends the client's packets for the service elsewhere: not balanced" \
	is "$(delta "$before" "$after" 1)" 0
check "UDP: the rule gone, the flow is balanced again" ask $VIP 53
# fast-path direct where a rule may choose routes: each packet routed in
# full, still past conntrack and FORWARD
$svcnet set svc0 fast-path direct
ask $VIP 81
ask $VIP 81
iptables -Z FORWARD
lbq fp-cl hits $VIP 81 20 --udp --sport 4000 --one-flow >/dev/null
check "direct: with a policy routing rule, FORWARD saw fewer than half of a flow's datagrams" \
	test $((2 * $(fwd_count fp-snat-udp))) -lt 20
# ... but not a flow mangle marks: routed before mangle, it would miss it
# (nft's meta mark: the debug kernel has no xt MARK)
nft -f - <<-'EON'
	table ip fp_mangle {
		chain pre {
			type filter hook prerouting priority mangle;
			udp sport 4100 meta mark set 7
		}
	}
EON
lbq fp-cl hits $VIP 81 2 --udp --sport 4100 --one-flow >/dev/null
iptables -Z FORWARD
lbq fp-cl hits $VIP 81 20 --udp --sport 4100 --one-flow >/dev/null
nft delete table ip fp_mangle
check "direct: with a policy routing rule, FORWARD saw every datagram of a flow mangle marks" \
	is "$(fwd_count fp-snat-udp)" 20
$svcnet set svc0 fast-path on
ip rule del pref 100
suite_end
